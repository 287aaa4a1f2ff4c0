"""PyTorch as the test oracle: optional on a newcomer's machine, required in CI.

torch is what cgengine is checked against, never something CG Studio needs, so a fresh machine
with only requirements-dev.txt runs the suite without it: every test that compares with torch is
skipped, all with the one reason below (pytest's summary folds them into one line), and the
closing summary says how many. Under ``CI=true`` (or ``CGSTUDIO_REQUIRE_ORACLE=1``) a missing
torch is a failure instead, so CI cannot pass by skipping the oracle.

Two ways in, both ending in :func:`import_torch`:
- the ``torch_oracle`` fixture (tests/conftest.py), for a test that needs torch itself;
- :data:`torch`, a stand-in module for test files that use torch all through their helpers: it
  imports torch on first use, inside the test that uses it, so each such test is skipped (or
  fails) on its own.
"""

from __future__ import annotations

import os
import types
from pathlib import Path
from typing import Any

import pytest

REASON = "torch oracle: torch is not installed (pip install torch==2.13.0 runs these tests)"


def oracle_required() -> bool:
    """Whether a missing torch must fail the run (CI) rather than skip the oracle's tests."""
    return (os.environ.get("CI", "").lower() in ("1", "true", "yes")
            or os.environ.get("CGSTUDIO_REQUIRE_ORACLE", "") == "1")


def import_torch() -> types.ModuleType:
    """torch itself; a skip with :data:`REASON` where it is missing (a failure in CI)."""
    try:
        import torch as real
    except ImportError:
        if oracle_required():
            pytest.fail("CI requires the torch oracle, but torch is not installed", pytrace=False)
        pytest.skip(REASON)
    return real


#: Where :func:`import_torch` skips, as pytest reports a skip (file, line): every torch-oracle
#: skip is reported there, so the summary gives them one line (tests/conftest.py).
SKIP_PLACE = (os.path.relpath(__file__), next(
    number for number, line in enumerate(Path(__file__).read_text("utf-8").splitlines(), 1)
    if line.strip() == "pytest.skip(REASON)"))


class _LazyTorch(types.ModuleType):
    """``torch``, imported at the first attribute a test reads (see the module docstring)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # pytest's own look at a parameter value (collection), not torch
            raise AttributeError(name)
        return getattr(import_torch(), name)


torch = _LazyTorch("torch")
