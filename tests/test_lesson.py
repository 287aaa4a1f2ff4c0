"""The two code listings of the lesson (computational graphs, 计算图与动态图机制) run on cgengine.

The listings are the lesson's, verbatim, as shipped in resources/examples/. They are run with
``import torch`` turned into ``import cgengine as torch``, and what they print must be what the
lesson shows, character for character. torch 2.13 warns (UserWarning) when a non-leaf tensor's
``.grad`` is read, which the 2019 lesson predates; cgengine does the same, and the tests assert
those warnings. When torch is installed the same listings also run on torch, proving the expected
texts are torch's.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

import cgengine
from tests.oracle import torch

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"
QUOTES = "'" * 3


def _listing(name: str) -> tuple[str, str]:
    """A listing shipped with the examples, and the output the lesson prints under it (the text
    between the triple quotes at its end)."""
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    start = text.index(QUOTES + "\n") + 4
    return text, text[start:text.index(QUOTES, start)]


LISTING_LEAVES, OUTPUT_LEAVES = _listing("lesson_listing1.py")
LISTING_RETAIN_GRAD, OUTPUT_RETAIN_GRAD = _listing("lesson_listing2.py")

GRAD_FN_LINE = 'print("grad_fn: \\n", w.grad_fn, x.grad_fn, a.grad_fn, b.grad_fn, y.grad_fn)'
GRAD_FN_OUTPUT = re.compile(
    r"grad_fn: \n None None <AddBackward0 object at 0x[0-9a-fA-F]+> "
    r"<AddBackward0 object at 0x[0-9a-fA-F]+> <MulBackward0 object at 0x[0-9a-fA-F]+>\n"
)
NON_LEAF_WARNING = "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"


def _engines() -> list[object]:
    return [pytest.param(cgengine, id="cgengine"), pytest.param(torch, id="torch")]


def run_listing(listing: str, engine: ModuleType) -> dict[str, object]:
    """Execute a lesson listing with ``torch`` bound to ``engine``; return its variables."""
    code = listing.replace("import torch\n", "", 1)
    scope: dict[str, object] = {"torch": engine}
    exec(code, scope)
    return scope


@pytest.mark.parametrize("engine", _engines())
@pytest.mark.parametrize(
    ("listing", "output", "non_leaf_reads"),
    [(LISTING_LEAVES, OUTPUT_LEAVES, 3), (LISTING_RETAIN_GRAD, OUTPUT_RETAIN_GRAD, 2)],
    ids=["leaves", "retain_grad"],
)
def test_listing_prints_what_the_lesson_shows(listing: str, output: str, non_leaf_reads: int,
                                             engine: ModuleType,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.warns(UserWarning, match=re.escape(NON_LEAF_WARNING)) as caught:
        run_listing(listing, engine)
    # one warning per non-leaf .grad read that was not retained (a, b, y; then b, y)
    assert len(caught) == non_leaf_reads
    assert capsys.readouterr().out == output


@pytest.mark.parametrize("engine", _engines())
def test_grad_fn_line(engine: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.warns(UserWarning, match=re.escape(NON_LEAF_WARNING)):
        scope = run_listing(LISTING_RETAIN_GRAD, engine)
    capsys.readouterr()
    exec(GRAD_FN_LINE, scope)
    assert GRAD_FN_OUTPUT.fullmatch(capsys.readouterr().out)


def test_lesson_gradients_and_grad_fn_names() -> None:
    with pytest.warns(UserWarning, match=re.escape(NON_LEAF_WARNING)):
        scope = run_listing(LISTING_RETAIN_GRAD, cgengine)
    w, x, a, b, y = (scope[name] for name in "wxaby")
    assert w.grad.tolist() == [5.0]  # dy/dw = (w + 1) + (x + w) = 2 + 3
    assert x.grad.tolist() == [2.0]  # dy/dx = w + 1
    assert a.grad.tolist() == [2.0]  # retained: dy/da = b
    assert [t.grad_fn.name() for t in (a, b, y)] == ["AddBackward0", "AddBackward0",
                                                     "MulBackward0"]
    assert y.grad_fn.next_functions[0][0] is a.grad_fn
    assert y.grad_fn.next_functions[1][0] is b.grad_fn
    assert a.grad_fn.next_functions[0][0].variable is w
    assert b.grad_fn.next_functions[1][0] is None  # the python number 1
