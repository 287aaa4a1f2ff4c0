"""``import cgengine`` changes nothing outside cgengine, and the engine is still silent.

torch computes ``1 / 0 = inf`` and ``log(-1) = nan`` without a warning and without touching
numpy's error state; so does cgengine, which silences numpy just around its own kernels
(cgengine/_quiet.py). The allocator tuning is a function the application calls at start-up
(``cgengine.tune_allocator``), never an import side effect.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np

import cgengine as torch

ROOT = Path(__file__).resolve().parent.parent


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_leaves_numpy_error_state_and_the_allocator_alone() -> None:
    code = ("import ctypes, numpy as np\n"
            "calls = []\n"
            "real = ctypes.CDLL\n"
            "ctypes.CDLL = lambda *a, **k: calls.append(a) or real(*a, **k)\n"
            "before = np.geterr()\n"
            "import cgengine\n"
            "print(np.geterr() == before, calls)\n"
            "print(cgengine.tune_allocator(), len(calls))\n")  # what the app calls at start-up
    linux = sys.platform.startswith("linux")
    assert run(code).splitlines() == ["True []", f"{linux} {int(linux)}"]


def test_inf_and_nan_come_silently_and_numpy_still_warns_outside() -> None:
    code = ("import numpy as np, cgengine as torch\n"
            "x = torch.tensor([0., -1., 1e30], requires_grad=True)\n"
            "y = torch.log(x) + 1 / x + torch.sqrt(x) + x * 1e30 + torch.exp(x * 100)\n"
            "y.sum().backward()\n"
            "print(y.detach().tolist(), x.grad.tolist(), torch.tensor([float('nan')]).long())\n"
            "try:\n"
            "    np.array([1.]) / 0\n"
            "except RuntimeWarning as w:\n"
            "    print(w)\n")
    assert run(code).splitlines() == [
        "[nan, nan, inf] [nan, nan, inf] tensor([-9223372036854775808])",
        "divide by zero encountered in divide"]


def test_the_engine_keeps_a_callers_error_state() -> None:
    with np.errstate(divide="raise"):
        assert torch.div(torch.tensor([1.0]), 0).tolist() == [float("inf")]
        assert np.geterr()["divide"] == "raise"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            (torch.tensor([1.0], requires_grad=True) / 0).sum().backward()
        assert np.geterr()["divide"] == "raise"
