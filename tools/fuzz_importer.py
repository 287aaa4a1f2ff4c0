"""Fuzz the code importer: throw hostile, broken and random PyTorch snippets at it and count.

    python tools/fuzz_importer.py [CASES] [--seed N] [--keep-going]

Every case is one snippet made by one of the generators below (seeded, so a run can be repeated):

- ``mutate``: course code (the lesson's listings and the examples exported as scripts) with one
  to four lines deleted, duplicated or swapped, numbers replaced by nasty ones (huge integers,
  hex literals of thousands of digits, towers of ``**``, 1e400, nan), names replaced by long or
  odd ones, hostile statements inserted (``import os``, ``open(...)``, dunder attributes,
  lambdas, comprehensions), or the text cut at a random place;
- ``random_snippet``: straight-line code from a small grammar of what a course writes (creation,
  operators, torch functions, methods, retain_grad, backward, print) with random operands.

:func:`check` is the property: importing either raises ``CodeImportError`` with a non-empty
one-line message naming its line, or returns a document that evaluates and that the .cgraph
loader accepts once saved (anything the importer accepts, the loader accepts). Anything else
is a crash, and a case taking more than ``CASE_SECONDS`` is a hang; the script prints the first
one and exits 1, or prints the counts and exits 0. tests/test_codeio_fuzz.py runs the same
generators under hypothesis.
"""

from __future__ import annotations

import argparse
import random
import re
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from app.codeio import CodeImportError, export_code, import_code  # noqa: E402
from app.evaluate import EvalResult, evaluate_document  # noqa: E402
from app.fileio import dumps_document, load_document, loads_document  # noqa: E402

EXAMPLES = ROOT / "resources" / "examples"
ACCEPTED, REFUSED = "accepted", "refused"
#: A case slower than this is a hang (the issue's bound: nothing a user pastes takes longer).
CASE_SECONDS = 5.0


#: The logistic-regression class of the course: an nn.Module read through __init__ and forward,
#: a seed, a loss module and an optimizer (what no example exports as such).
NN_CLASS_LISTING = """import torch
import torch.nn as nn

torch.manual_seed(10)
train_x = torch.randn(6, 2)
train_y = torch.tensor([0., 0., 1., 1., 0., 1.])


class LR(nn.Module):
    def __init__(self):
        super(LR, self).__init__()
        self.features = nn.Linear(2, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.features(x)
        x = self.sigmoid(x)
        return x


lr_net = LR()
loss_fn = nn.BCELoss()
optimizer = torch.optim.SGD(lr_net.parameters(), lr=0.01, momentum=0.9)
y_pred = lr_net(train_x)
loss = loss_fn(y_pred.squeeze(), train_y)
loss.backward()
optimizer.step()
optimizer.zero_grad()
"""


def _seeds() -> list[str]:
    """Course code: the lesson's listings, the course's nn.Module class and every example graph
    exported as a script."""
    seeds = [path.read_text("utf-8") for path in sorted(EXAMPLES.glob("*.py"))]
    seeds.append(NN_CLASS_LISTING)
    seeds += [export_code(load_document(path)) for path in sorted(EXAMPLES.glob("*.cgraph"))]
    return seeds


SEEDS = _seeds()


# --------------------------------------------------------------------------- nasty pieces
def nasty_number(rng: random.Random) -> str:
    """Number text at the edges: huge and tiny, non-finite, out of int64, slow to fold."""
    return rng.choice([
        "0", "-1", "3", "2.5", "-0.0", "1e-45", "5e-324", "1e308", "1e400", "-1e400",
        "2 ** 63", "2 ** 63 - 1", "-(2 ** 63)", "9 ** 64", "(9 ** 64) ** 64",
        "((9 ** 64) ** 64) ** 64", "2 ** -1075", "2.0 ** 1024", "10 ** 18", "1" + "0" * 300,
        "1" + "0" * 4000, "0x" + "f" * rng.choice([15, 16, 17, 4000]), "0b" + "1" * 70,
        "float('nan')", "float('inf')", "float('-inf')", "1 / 0", "0 ** -1", "(-8) ** (1 / 3)",
        "1e308 * 10", "2 ** 2 ** 2 ** 2 ** 2", str(rng.randint(-10**6, 10**6)),
        repr(rng.uniform(-1e3, 1e3)), "True", "None", "'3'",
    ])


def nasty_name(rng: random.Random) -> str:
    return rng.choice([
        "w", "x", "y", "a", "b", "loss", "torch", "F", "print", "float", "tensor", "_x",
        "x" * 89, "x" * 90, "x" * 500, "名前", "grad", "__class__", "__import__", "np",
    ])


HOSTILE = [
    "import os", "import subprocess as torch", "from os import system", "open('x', 'w')",
    "__import__('os').system('echo hi')", "exec('1')", "eval('1')", "x.__class__",
    "y = x.__class__", "y = (lambda: 1)()", "y = [i for i in range(10 ** 9)]",
    "y = (z := torch.tensor([1.]))", "print(f'{__import__(\"os\")}')", "print(x.__dict__)",
    "y = getattr(torch, 'add')(x, x)", "globals()['x'] = 1", "del x", "x += 1", "x[0] = 1",
    "for i in range(3):\n    x = x * 2", "while True:\n    pass", "def f():\n    pass",
    "class A:\n    pass", "with torch.no_grad():\n    y = x * 2", "raise SystemExit",
    "y = torch.load('w.pt')", "torch.save(x, 'w.pt')", "y = torch.tensor(" + "[" * 200 + "1"
    + "]" * 200 + ")", "y = " + "(" * 300 + "x" + ")" * 300, "y = x" + " + x" * 3000,
]
OPERATORS = [" + ", " - ", " * ", " / ", " ** ", " @ ", " // ", " % ", " & "]
FUNCTIONS = [
    "torch.add({a}, {b})", "torch.sub({a}, {b}, alpha={n})", "torch.mul({a}, {b})",
    "torch.div({a}, {b})", "torch.pow({a}, {n})", "torch.exp({a})", "torch.log({a})",
    "torch.sqrt({a})", "torch.sigmoid({a})", "torch.tanh({a})", "torch.relu({a})",
    "torch.clamp({a}, min={n}, max={m})", "torch.sum({a})", "torch.mean({a}, dim={n})",
    "torch.max({a}, dim={n}).values", "torch.max({a}, {b})", "torch.matmul({a}, {b})",
    "torch.cat([{a}, {b}], dim={n})", "torch.stack([{a}, {b}])", "torch.softmax({a}, dim={n})",
    "F.mse_loss({a}, {b})", "F.cross_entropy({a}, {b})", "{a}.reshape({n}, {m})",
    "{a}.exp()", "{a}.pow({n})", "{a}.sum(dim={n}, keepdim=True)", "{a}.t()",
    "{a}.transpose({n}, {m})", "{a}.unsqueeze({n})", "{a}.squeeze({n})", "{a}.flatten()",
    "torch.zeros({n}, {m})", "torch.ones(({n},))", "torch.full(({n}, {m}), {x})",
    "torch.arange({n})", "torch.arange({n}, {m}, {x})", "torch.randn({n})",
    "torch.tensor({v}, requires_grad=True)", "torch.tensor({v}, dtype=torch.float64)",
    "torch.tensor({v}, dtype=torch.int64)",
]


def tensor_text(rng: random.Random) -> str:
    """A tensor literal: a number, a list, a matrix, ragged, too deep, or holding nasty numbers."""
    kind = rng.randrange(8)
    if kind == 0:
        return nasty_number(rng)
    if kind == 1:
        return "[" + ", ".join(nasty_number(rng) for _ in range(rng.randint(0, 4))) + "]"
    if kind == 2:
        rows, cols = rng.randint(1, 3), rng.randint(1, 3)
        return "[" + ", ".join("[" + ", ".join(f"{rng.uniform(-3, 3):.2f}" for _ in range(cols))
                               + "]" for _ in range(rows)) + "]"
    if kind == 3:
        return "[[1., 2.], [3.]]"
    if kind == 4:
        return "[" * 9 + "1." + "]" * 9
    if kind == 5:
        return f"{rng.uniform(-5, 5):.2f}"
    return f"[{rng.uniform(-5, 5):.3f}, {rng.uniform(-5, 5):.3f}]"


# --------------------------------------------------------------------------- generators
def mutate(rng: random.Random) -> str:
    """Course code changed in one to four places."""
    lines = rng.choice(SEEDS).splitlines()
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        kind = rng.randrange(8)
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[i])
        elif kind == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 3:
            numbers = list(re.finditer(r"(?<![\w.])\d+\.?\d*(?:e-?\d+)?", lines[i]))
            if numbers:
                found = rng.choice(numbers)
                lines[i] = lines[i][:found.start()] + nasty_number(rng) + lines[i][found.end():]
        elif kind == 4:
            names = list(re.finditer(r"\b[a-z_]\w*\b", lines[i]))
            if names:
                found = rng.choice(names)
                lines[i] = lines[i][:found.start()] + nasty_name(rng) + lines[i][found.end():]
        elif kind == 5:
            lines.insert(i, rng.choice(HOSTILE))
        elif kind == 6:
            lines[i] = lines[i].replace(" + ", rng.choice(OPERATORS), 1)
        else:
            cut = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:cut]
    return "\n".join(lines) + "\n"


def random_snippet(rng: random.Random) -> str:
    """Straight-line course-like code with random operands."""
    lines = ["import torch", "import torch.nn.functional as F"]
    names: list[str] = []
    for index in range(rng.randint(1, 12)):
        name = nasty_name(rng) if rng.random() < 0.05 else f"v{index}"

        def operand() -> str:
            if names and rng.random() < 0.75:
                return rng.choice(names)
            return nasty_number(rng) if rng.random() < 0.3 else str(rng.choice([2, 0.5, -1, 3.]))

        kind = rng.randrange(20)
        if kind < 6 or not names:
            flag = rng.choice(["", ", requires_grad=True"])
            expr = f"torch.tensor({tensor_text(rng)}{flag})"
        elif kind < 12:
            expr = operand() + rng.choice(OPERATORS) + operand()
        elif kind < 19:
            expr = rng.choice(FUNCTIONS).format(
                a=operand(), b=operand(), n=rng.choice(["0", "1", "-1", "2", nasty_number(rng)]),
                m=rng.choice(["1", "2", "-1", "3", nasty_number(rng)]), x=nasty_number(rng),
                v=tensor_text(rng))
        else:
            lines.append(rng.choice(HOSTILE))
            continue
        lines.append(f"{name} = {expr}")
        names.append(name)
        if rng.random() < 0.1:
            lines.append(f"{rng.choice(names)}.retain_grad()")
    if names and rng.random() < 0.7:
        lines.append(f"{rng.choice(names)}.backward()")
    if names and rng.random() < 0.5:
        lines.append(f"print({rng.choice(names)}.grad, {rng.choice(names)}.is_leaf)")
    return "\n".join(lines) + "\n"


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "mutate": mutate,
    "random_snippet": random_snippet,
}


# --------------------------------------------------------------------------- the property
def check(code: str) -> str:
    """Import ``code``; returns ACCEPTED or REFUSED, raises (AssertionError or any other) on a bug.

    An accepted snippet's document must evaluate, and the loader must accept it once saved.
    """
    try:
        doc = import_code(code)
    except CodeImportError as exc:
        message = str(exc)
        assert message.strip(), "a CodeImportError without a message"
        assert "\n" not in message, f"a CodeImportError message of several lines: {message!r}"
        return REFUSED
    assert isinstance(evaluate_document(doc), EvalResult)
    text = dumps_document(doc)
    text.encode("utf-8")  # what save_document writes
    assert dumps_document(loads_document(text)) == text, "the loader changed an imported graph"
    return ACCEPTED


class _Hang(Exception):
    """A case ran longer than CASE_SECONDS."""


def _alarm(signum: int, frame: object) -> None:
    raise _Hang(f"more than {CASE_SECONDS:g} s")


def _show(case: str) -> str:
    shown = repr(case[:2000])
    return shown if len(case) <= 2000 else f"{shown} (first 2000 of {len(case)})"


def run(cases: int, seed: int, *, keep_going: bool = False) -> int:
    """Check ``cases`` generated snippets (the generators in turn); returns the exit code."""
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    per_generator: Counter[tuple[str, str]] = Counter()
    crashes: Counter[str] = Counter()
    names = list(GENERATORS)
    slowest = 0.0
    can_alarm = hasattr(signal, "setitimer")
    if can_alarm:
        signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    for index in range(cases):
        name = names[index % len(names)]
        case = GENERATORS[name](rng)
        begin = time.perf_counter()
        try:
            if can_alarm:
                signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
            try:
                outcome = check(case)
            finally:
                if can_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            took = time.perf_counter() - begin
            if took > CASE_SECONDS:
                raise _Hang(f"{took:.1f} s")
        except Exception as exc:
            lines = str(exc).strip().splitlines()
            kind = f"{type(exc).__name__}: {lines[0] if lines else ''}"
            if not crashes[kind]:
                print(f"CRASH at case {index} (generator {name}, seed {seed}): {kind}")
                print(f"  input: {_show(case)}")
                if not keep_going:
                    traceback.print_exc(file=sys.stdout)
                    return 1
            crashes[kind] += 1
            per_generator[(name, "crash")] += 1
            continue
        slowest = max(slowest, time.perf_counter() - begin)
        outcomes[outcome] += 1
        per_generator[(name, outcome)] += 1
    total = sum(crashes.values())
    print(f"{cases} snippets (seed {seed}) in {time.perf_counter() - started:.1f} s: "
          f"{outcomes[ACCEPTED]} accepted (every one loads once saved), {outcomes[REFUSED]} "
          f"refused with one line, {total} crashes or hangs; slowest case {slowest * 1000:.0f} ms")
    for name in names:
        print(f"  {name}: " + ", ".join(
            f"{per_generator[(name, o)]} {o}" for o in (ACCEPTED, REFUSED, "crash")))
    for kind, count in crashes.most_common():
        print(f"  {count} x {kind}")
    return 1 if total else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz the PyTorch code importer.")
    parser.add_argument("cases", nargs="?", type=int, default=10_000,
                        help="how many snippets to try (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--keep-going", action="store_true",
                        help="count crashes by kind instead of stopping at the first")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("CASES must be at least 1")
    return run(args.cases, args.seed, keep_going=args.keep_going)


if __name__ == "__main__":
    sys.exit(main())
