"""The course's next classes, as listings in its own style (tests/course/), print what torch prints.

Each listing is a plain torch script, as a student types it, ending with the output torch 2.13
printed for it between triple quotes (as the lesson's listings end). Here each runs with
``import torch`` meaning cgengine (its ``torch.nn``, ``torch.optim``, ``torch.utils.data``
imports too), in a fresh folder, and what it prints must be that output, character for
character; with torch installed it runs on torch as well, proving the recorded text is torch's.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path
from types import ModuleType

import pytest

import cgengine
from tests.oracle import import_torch

COURSE = Path(__file__).resolve().parent / "course"
QUOTES = "'" * 3
LISTINGS = sorted(p.name for p in COURSE.glob("*.py"))
#: The torch modules a listing may import, and cgengine's module for each.
SUBMODULES = ("nn", "nn.functional", "optim", "utils", "utils.data")


def split_listing(name: str) -> tuple[str, str]:
    """The code of a listing and the output recorded under it."""
    text = (COURSE / name).read_text(encoding="utf-8")
    start = text.rindex(QUOTES, 0, text.rindex(QUOTES)) + len(QUOTES) + 1
    return text, text[start:text.rindex(QUOTES)]


def run_as(engine: ModuleType, code: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a listing with ``import torch`` (and its submodules) resolving to ``engine``."""
    monkeypatch.setitem(sys.modules, "torch", engine)
    for name in SUBMODULES:
        module = sys.modules.get(f"{engine.__name__}.{name}")
        if module is None:
            module = __import__(f"{engine.__name__}.{name}", fromlist=["_"])
        monkeypatch.setitem(sys.modules, f"torch.{name}", module)
    monkeypatch.chdir(folder)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "listing", "exec"), {"__name__": "__main__"})
    return out.getvalue()


def test_there_are_listings() -> None:
    assert {"logistic_regression.py", "dataloader_epochs.py", "save_load.py"} <= set(LISTINGS)


@pytest.mark.parametrize("name", LISTINGS)
def test_listing_prints_what_torch_prints_on_cgengine(name: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    code, expected = split_listing(name)
    assert run_as(cgengine, code, tmp_path, monkeypatch) == expected


@pytest.mark.parametrize("name", LISTINGS)
def test_recorded_output_is_torch_output(name: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real = import_torch()
    code, expected = split_listing(name)
    assert run_as(real, code, tmp_path, monkeypatch) == expected


def test_logistic_regression_learns_the_two_clouds(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    code, _ = split_listing("logistic_regression.py")
    lines = run_as(cgengine, code, tmp_path, monkeypatch).splitlines()
    final = [line for line in lines if line.startswith("Iteration")][-1]
    assert float(final.split("Accuracy=")[1].rstrip("%")) > 95.0
