"""cgengine against PyTorch's recorded answers (tests/golden/, written by tools/record_golden.py).

Each recorded case is a python expression; it is replayed verbatim with ``torch = cgengine`` on
the recorded inputs. Values and gradients are compared with a tolerance that depends on the dtype;
dtypes, shapes, grad_fn names, reprs and error texts must match exactly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import cgengine
import cgengine.nn.functional as F

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES: list[dict[str, Any]] = [
    case for name in ("ops.json", "ops_more.json")
    for case in json.loads((GOLDEN / name).read_text("utf-8"))["cases"]]
#: einsum is recorded as products and sums of the operands' dims, where torch records a bmm (and
#: views around it): the same values and gradients, other grad_fn names
OTHER_GRAPH = {"einsum_matmul", "einsum_outer", "einsum_dot", "einsum_trace", "einsum_column_sums",
               "einsum_batch"}
TEXTS: dict[str, Any] = json.loads((GOLDEN / "texts.json").read_text("utf-8"))

#: float32 results may differ from torch's in the last bits (other summation order, other libm).
TOLERANCE = {"float64": {"rtol": 1e-9, "atol": 1e-12}, "float32": {"rtol": 2e-5, "atol": 1e-6}}
#: torch appends the C++ source line that raised a warning; that is no part of the message.
TRIGGERED_SUFFIX = re.compile(r" \(Triggered internally at .*\)$")


def namespace() -> dict[str, Any]:
    """The globals a recorded expression runs with: ``torch`` is cgengine."""
    return {"torch": cgengine, "F": F, "np": np}


def make_inputs(case: dict[str, Any]) -> dict[str, Any]:
    """The case's input tensors, built in cgengine from the recorded data."""
    return {
        spec["name"]: cgengine.tensor(spec["data"], dtype=getattr(cgengine, spec["dtype"]),
                                      requires_grad=spec["requires_grad"])
        for spec in case["inputs"]
    }


def case_id(case: dict[str, Any]) -> str:
    return f"{case['name']}-{case['dtype']}"


def assert_values(got: Any, expected: Any, dtype: str, what: str) -> None:
    """Compare an array with a recorded list: exactly for integers and booleans."""
    expected_array = np.asarray(expected, dtype=dtype)
    got_array = np.asarray(got)
    assert got_array.shape == expected_array.shape, f"{what}: shape"
    if dtype in TOLERANCE:
        np.testing.assert_allclose(got_array, expected_array, err_msg=what, **TOLERANCE[dtype])
    else:
        np.testing.assert_array_equal(got_array, expected_array, err_msg=what)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_forward(case: dict[str, Any]) -> None:
    out = eval(case["expr"], namespace(), make_inputs(case))
    assert str(out.dtype) == f"torch.{case['out_dtype']}"
    assert out.detach().numpy().dtype == np.dtype(case["out_dtype"])
    assert list(out.shape) == case["shape"]
    assert out.requires_grad is case["requires_grad"]
    assert out.is_leaf is case["is_leaf"]
    assert_values(out.detach().numpy(), case["value"], case["out_dtype"], "forward value")


@pytest.mark.parametrize("case", [c for c in CASES if c["name"] not in OTHER_GRAPH], ids=case_id)
def test_grad_fn(case: dict[str, Any]) -> None:
    out = eval(case["expr"], namespace(), make_inputs(case))
    if case["grad_fn"] is None:
        assert out.grad_fn is None
        return
    assert out.grad_fn.name() == case["grad_fn"]
    assert type(out.grad_fn).__name__ == case["grad_fn"]
    names = [None if fn is None else type(fn).__name__ for fn, _ in out.grad_fn.next_functions]
    assert names == case["next_functions"]


@pytest.mark.parametrize("case", [c for c in CASES if c["grads"] is not None], ids=case_id)
def test_gradients(case: dict[str, Any]) -> None:
    inputs = make_inputs(case)
    out = eval(case["expr"], namespace(), inputs)
    weights = cgengine.tensor(case["weights"], dtype=out.dtype)
    (out * weights).sum().backward()
    for name, expected in case["grads"].items():
        grad = inputs[name].grad
        if expected is None:
            assert grad is None, f"{name}.grad"
            continue
        assert grad is not None, f"{name}.grad is None"
        assert grad.dtype == inputs[name].dtype
        assert_values(grad.numpy(), expected, str(inputs[name].dtype).removeprefix("torch."),
                      f"{name}.grad")


@pytest.mark.parametrize("record", TEXTS["reprs"], ids=lambda r: r["expr"])
def test_repr(record: dict[str, str]) -> None:
    assert repr(eval(record["expr"], namespace())) == record["repr"]


@pytest.mark.parametrize("record", TEXTS["errors"], ids=lambda r: r["message"][:40])
def test_error_text(record: dict[str, str]) -> None:
    with pytest.raises(Exception) as caught:  # the recorded type is checked below
        exec(record["code"], namespace())
    assert type(caught.value).__name__ == record["type"]
    assert str(caught.value) == record["message"]


@pytest.mark.parametrize("record", TEXTS["warnings"], ids=lambda r: r["message"][:40])
def test_warning_text(record: dict[str, str]) -> None:
    with pytest.warns(Warning) as caught:
        exec(record["code"], namespace())
    assert [w.category.__name__ for w in caught] == [record["category"]]
    got = TRIGGERED_SUFFIX.sub("", str(caught[0].message))
    assert got == TRIGGERED_SUFFIX.sub("", record["message"])
