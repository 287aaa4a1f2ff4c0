"""Higher-order gradients: create_graph records the derivative, with torch's formulas and names.

The recorded cases (tests/golden/higher_order.json, from tools/record_golden.py) give, for every
differentiable op, torch's first derivative taken with ``create_graph=True`` (its values and the
graph it carries, as nested grad_fn names), then the second and third derivatives of weighted
sums of them. cgengine must reproduce each value and each graph. The rules then run on tensors;
a plain backward must still run them on numpy arrays.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_engine_golden import namespace

import cgengine
from cgengine import autograd

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES: list[dict[str, Any]] = json.loads(
    (GOLDEN / "higher_order.json").read_text("utf-8"))["cases"]
TOLERANCE = {"rtol": 1e-8, "atol": 1e-10}


def tree(fn: Any) -> str | None:
    """A graph as nested grad_fn names, as tools/record_golden.py writes it."""
    if fn is None:
        return None
    children = [tree(child) for child, _ in fn.next_functions]
    return type(fn).__name__ + (f"({', '.join(map(str, children))})" if children else "")


def canonical(graph: str | None) -> str | None:
    """A graph with each sum of AddBackward0 nodes shown as the sorted list of what it adds.

    Where gradients from several uses of a tensor meet, torch adds them in the order they
    arrive, which follows the order its C++ formulas happen to evaluate their operands in
    (unspecified in C++); cgengine's rules evaluate left to right. The sums are the same.
    """
    if graph is None:
        return None

    def parse(text: str, i: int) -> tuple[Any, int]:
        j = i
        while j < len(text) and text[j] not in "(),":
            j += 1
        name, children = text[i:j].strip(), []
        if j < len(text) and text[j] == "(":
            j += 1
            while True:
                child, j = parse(text, j)
                children.append(child)
                if text[j] == ")":
                    return (name, children), j + 1
                j += 2  # ", "
        return (name, children), j

    def terms(node: Any) -> list[Any]:
        """The operands of a sum of several gradients, however its additions are nested."""
        name, children = node
        if name != "AddBackward0":
            return [node]
        return [term for child in children for term in terms(child)]

    def show(node: Any) -> str:
        name, children = node
        if name == "AddBackward0":
            return f"Sum({', '.join(sorted(show(term) for term in terms(node)))})"
        return name + (f"({', '.join(show(child) for child in children)})" if children else "")

    return show(parse(graph, 0)[0])


def weighted_sum(tensors: Any, weights: list[Any]) -> Any:
    total = None
    for t, w in zip(tensors, weights, strict=True):
        if t is not None and t.requires_grad:
            term = (t * cgengine.tensor(w, dtype=t.dtype)).sum()
            total = term if total is None else total + term
    return total


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_derivatives_of_every_order_match_torch(case: dict[str, Any]) -> None:
    scope = {spec["name"]: cgengine.tensor(spec["data"], dtype=cgengine.float64,
                                           requires_grad=True) for spec in case["inputs"]}
    leaves = list(scope.values())
    out = eval(case["expr"], namespace(), scope)
    target = (out * cgengine.tensor(case["weights"], dtype=cgengine.float64)).sum()
    for order in ("first", "second", "third"):
        if order not in case:
            assert target is None or not target.requires_grad, f"torch stops before {order}"
            break
        expected = case[order]
        grads = autograd.grad(target, leaves, create_graph=True, allow_unused=True)
        graphs = [None if g is None else canonical(tree(g.grad_fn)) for g in grads]
        assert graphs == [canonical(g) for g in expected["graphs"]], f"{order} derivative's graph"
        for name, g, value in zip(scope, grads, expected["values"], strict=True):
            assert (g is None) == (value is None), f"{order} derivative w.r.t. {name}"
            if g is not None:
                np.testing.assert_allclose(g.detach().numpy(), value, **TOLERANCE,
                                           err_msg=f"{order} derivative w.r.t. {name}")
        target = weighted_sum(grads, expected["weights"])


def test_every_backward_kernel_is_differentiated() -> None:
    """torch's backward kernels (ops of the table used by the rules) appear in the recorded
    first derivatives, so their own rules are checked by the second derivatives."""
    from cgengine.ops import OPS

    kernels = {op.grad_fn for name, op in OPS.items() if name.endswith("_backward")
               or name.endswith("_backward_data")}
    seen = " ".join(str(g) for case in CASES for g in case["first"]["graphs"])
    assert kernels == {"TanhBackwardBackward0", "SigmoidBackwardBackward0",
                       "ThresholdBackwardBackward0", "SelectBackwardBackward0",
                       "SliceBackwardBackward0", "SoftmaxBackwardDataBackward0",
                       "LogSoftmaxBackwardDataBackward0", "MseLossBackwardBackward0",
                       "NllLossBackwardBackward0", "LeakyReluBackwardBackward0",
                       "EluBackwardBackward0", "GeluBackwardBackward0",
                       "SoftplusBackwardBackward0", "SmoothL1LossBackwardBackward0",
                       "BinaryCrossEntropyBackwardBackward0"}
    assert {k for k in kernels if k not in seen} == set()


# ---------------------------------------------------------------- the course's second derivative
def test_second_derivative_of_x_squared_as_the_course_prints_it() -> None:
    x = cgengine.tensor([3.0], requires_grad=True)
    y = x**2
    first = autograd.grad(y, x, create_graph=True)
    assert repr(first) == "(tensor([6.], grad_fn=<MulBackward0>),)"
    second = autograd.grad(first[0], x)
    assert repr(second) == "(tensor([2.]),)"


def test_third_and_fourth_derivatives() -> None:
    x = cgengine.tensor(2.0, requires_grad=True)
    y = x**4
    values = []
    g = y
    for _ in range(4):
        (g,) = autograd.grad(g, x, create_graph=True)
        values.append(g.item())
    assert values == [32.0, 48.0, 48.0, 24.0]  # 4x^3, 12x^2, 24x, 24 at x = 2


def test_a_plain_backward_computes_on_arrays_and_records_nothing() -> None:
    x = cgengine.tensor([0.5, 1.0], requires_grad=True)
    (g,) = autograd.grad(cgengine.tanh(x).sum(), x)
    assert g.grad_fn is None and not g.requires_grad
    (g,) = autograd.grad(cgengine.tanh(x).sum(), x, create_graph=True)
    assert g.grad_fn.name() == "TanhBackwardBackward0"


def test_create_graph_accumulates_into_grad_with_a_graph() -> None:
    x = cgengine.tensor([3.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's reference-cycle warning, tested below
        (x**2).backward(create_graph=True)
        assert repr(x.grad) == "tensor([6.], grad_fn=<CopyBackwards>)"
        (x**3).backward(create_graph=True)
    assert repr(x.grad) == "tensor([33.], grad_fn=<AddBackward0>)"
    (g2,) = autograd.grad(x.grad, x)
    assert g2.tolist() == [2.0 + 18.0]  # d/dx (2x + 3x^2) at 3


def test_backward_with_create_graph_warns_once_as_torch() -> None:
    autograd._warned_create_graph = False
    x = cgengine.tensor([3.0], requires_grad=True)
    with pytest.warns(UserWarning) as caught:
        (x * x).backward(create_graph=True)
    assert [str(w.message) for w in caught] == [autograd.CREATE_GRAPH_WARNING]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x * x).backward(create_graph=True)  # once per process, as torch's TORCH_WARN_ONCE


def test_create_graph_keeps_the_graph_for_another_backward() -> None:
    """retain_graph defaults to create_graph, as in torch."""
    x = cgengine.tensor([2.0], requires_grad=True)
    y = (x * x).sum()
    autograd.grad(y, x, create_graph=True)
    assert autograd.grad(y, x)[0].tolist() == [4.0]  # the graph was kept
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        autograd.grad(y, x)


def test_retained_grad_with_create_graph_is_a_clone() -> None:
    x = cgengine.tensor([3.0], requires_grad=True)
    a = x * 2
    a.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (a * a).sum().backward(create_graph=True)
    assert repr(a.grad) == "tensor([12.], grad_fn=<CloneBackward0>)"


def test_backward_inputs_accumulates_only_into_them() -> None:
    w = cgengine.tensor([1.0], requires_grad=True)
    b = cgengine.tensor([2.0], requires_grad=True)
    (w * b).sum().backward(inputs=[w])
    assert w.grad.tolist() == [2.0] and b.grad is None


def test_a_node_called_like_a_torch_grad_fn() -> None:
    x = cgengine.tensor([2.0], requires_grad=True)
    y = x * x
    (gx, gy) = y.grad_fn(cgengine.tensor([1.0]))
    assert gx.tolist() == [2.0] and gy.tolist() == [2.0]
