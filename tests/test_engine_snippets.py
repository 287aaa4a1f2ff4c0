"""Short programs of the kind a course runs, replayed with ``torch = cgengine``: what they print
(and the error they end with) must be what torch 2.13 printed, character for character.

The programs and torch's output are in tests/golden/inplace.json (in-place operations, versions,
the saved-tensor check, CopySlices, the course's update loops) and tests/golden/autograd.json
(hooks, grad modes, create_graph, jacobian and hessian) and tests/golden/everyday.json (the
everyday ops: return types, dtypes, devices, printing), recorded by tools/record_golden.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from test_engine_golden import namespace

import cgengine

GOLDEN = Path(__file__).resolve().parent / "golden"


def load(name: str) -> list[dict[str, Any]]:
    return json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))["cases"]


def first_line(case: dict[str, Any]) -> str:
    return case["code"].splitlines()[-1][:60]


def run(code: str) -> tuple[str, dict[str, str] | None]:
    """What the program prints, and the exception it ends with (warnings are checked where they
    are the subject, as the recording silenced them)."""
    printed = io.StringIO()
    error = None
    with contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cgengine.manual_seed(0)
        try:
            exec(code, namespace())
        except Exception as exc:
            error = {"type": type(exc).__name__, "message": str(exc)}
    return printed.getvalue(), error


@pytest.mark.parametrize("case", load("inplace"), ids=first_line)
def test_inplace_program_prints_what_torch_prints(case: dict[str, Any]) -> None:
    printed, error = run(case["code"])
    assert printed == case["printed"]
    assert error == case["error"]


@pytest.mark.parametrize("case", load("autograd"), ids=first_line)
def test_autograd_program_prints_what_torch_prints(case: dict[str, Any]) -> None:
    printed, error = run(case["code"])
    assert printed == case["printed"]
    assert error == case["error"]


@pytest.mark.parametrize("case", load("everyday"), ids=first_line)
def test_everyday_program_prints_what_torch_prints(case: dict[str, Any]) -> None:
    printed, error = run(case["code"])
    assert printed == case["printed"]
    assert error == case["error"]
