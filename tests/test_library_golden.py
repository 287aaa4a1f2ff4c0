"""cgengine's library layer against torch's recorded answers, snippet by snippet.

tools/golden_library.py holds short course-style snippets (random numbers, nn, optim, utils.data,
save/load); tools/record_golden.py ran each under torch 2.13 and kept what it printed, what it
raised and the numbers it left in ``values`` (tests/golden/<group>.json). Here each snippet runs
again with ``torch = cgengine``: printed text and error texts must match exactly, ``values`` to the
dtype's tolerance.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_engine_golden import TOLERANCE

import cgengine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import golden_library  # noqa: E402 - tools/ is not a package

GOLDEN = Path(__file__).resolve().parent / "golden"
SNIPPETS = [(group, snippet) for group in golden_library.GROUPS
            for snippet in json.loads((GOLDEN / f"{group}.json").read_text("utf-8"))["snippets"]]


def assert_same_values(got: Any, expected: Any, where: str) -> None:
    """Recorded values: tensors by dtype and tolerance, everything else exactly."""
    if isinstance(expected, dict) and set(expected) == {"dtype", "data"}:
        assert isinstance(got, dict) and got["dtype"] == expected["dtype"], where
        dtype = expected["dtype"]
        want = np.asarray(expected["data"], dtype=dtype)
        have = np.asarray(got["data"], dtype=dtype)
        assert have.shape == want.shape, where
        if dtype in TOLERANCE:
            np.testing.assert_allclose(have, want, err_msg=where, **TOLERANCE[dtype])
        else:
            np.testing.assert_array_equal(have, want, err_msg=where)
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), where
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            assert_same_values(g, e, f"{where}[{i}]")
    elif isinstance(expected, dict):
        assert isinstance(got, dict) and list(got) == list(expected), where
        for key in expected:
            assert_same_values(got[key], expected[key], f"{where}[{key!r}]")
    else:
        assert got == expected, where


@pytest.mark.parametrize(("group", "snippet"), SNIPPETS,
                         ids=[f"{g}-{s['name']}" for g, s in SNIPPETS])
def test_snippet_prints_and_computes_what_torch_did(group: str, snippet: dict[str, Any]) -> None:
    got = golden_library.run(snippet["code"], cgengine)
    address = golden_library.ADDRESS
    assert address.sub("", got["stdout"]) == address.sub("", snippet["stdout"])
    assert got["error"] == snippet["error"]
    assert_same_values(got["values"], snippet["values"], "values")
