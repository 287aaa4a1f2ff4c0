"""Every differentiable op of cgengine checked against finite differences (tests/gradcheck.py):
first derivatives (gradcheck) and second derivatives (gradgradcheck, through create_graph).

The ops and their inputs are the float64 golden cases (tests/golden/ops.json) whose inputs all
require grad and sit away from kinks, and the ops of tests/golden/higher_order.json; the kinks
themselves are covered by the golden values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from gradcheck import analytic_jacobians, gradcheck, gradgradcheck, numerical_jacobians
from test_engine_golden import CASES, case_id, namespace

import cgengine


def _differentiable(case: dict[str, Any]) -> bool:
    return (case["dtype"] == "float64" and case["out_dtype"] == "float64" and not case["kink"]
            and case["grads"] is not None
            and all(spec["requires_grad"] for spec in case["inputs"])
            and all(grad is not None for grad in case["grads"].values()))


DIFFERENTIABLE = [case for case in CASES if _differentiable(case)]


def _as_function(case: dict[str, Any]) -> Any:
    names = [spec["name"] for spec in case["inputs"]]
    return lambda *tensors: eval(case["expr"], namespace(), dict(zip(names, tensors, strict=True)))


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=case_id)
def test_op_gradient_matches_finite_differences(case: dict[str, Any]) -> None:
    arrays = [np.asarray(spec["data"], dtype=np.float64) for spec in case["inputs"]]
    gradcheck(cgengine, _as_function(case), arrays)


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=case_id)
def test_op_second_derivative_matches_finite_differences(case: dict[str, Any]) -> None:
    arrays = [np.asarray(spec["data"], dtype=np.float64) for spec in case["inputs"]]
    gradgradcheck(cgengine, _as_function(case), arrays)


#: Ops beyond ops.json, with inputs away from their kinks (the expressions of higher_order.json).
EXTRA: dict[str, tuple[str, tuple[np.ndarray, ...]]] = {
    "where": ("torch.where(a > 0, a * a, b)", (np.array([0.7, -1.3, 2.0]),
                                                np.array([0.4, 1.1, -0.6]))),
    "masked_fill": ("(a * a).masked_fill(a > 0, 2.0)", (np.array([0.7, -1.3, 2.0, -0.2]),)),
    "masked_fill_tensor": ("(a * a).masked_fill(a > 0, b * b)",
                           (np.array([0.7, -1.3, 2.0, -0.2]), np.array(1.5))),
    "masked_select": ("(a * a).masked_select(a > 0)", (np.array([0.7, -1.3, 2.0, -0.2]),)),
    "scatter": ("(a * a).scatter(0, torch.tensor([2, 0]), b ** 3)",
                (np.array([0.7, -1.3, 2.0]), np.array([0.5, -1.5]))),
    "gather": ("(a ** 3).gather(1, torch.tensor([[2, 0], [1, 1]]))",
               (np.array([[0.7, -1.3, 2.0], [0.4, 1.1, -0.6]]),)),
    "outer": ("torch.outer(a * a, b)", (np.array([0.7, -1.3, 2.0]), np.array([0.4, 1.1]))),
    "index_twice": ("(a ** 3)[[0, 0, 2]]", (np.array([0.7, -1.3, 2.0, -0.2]),)),
    "slice_step": ("(a * a)[:, ::2]", (np.array([[0.7, -1.3, 2.0], [0.4, 1.1, -0.6]]),)),
    "matmul_column_major": ("(a * a).t() @ b", (np.array([[0.7, -1.3], [2.0, 0.4], [1.1, 0.3]]),
                                                np.array([[0.5, -0.2], [1.2, 0.8], [-0.9, 0.6]]))),
    "nll_loss": ("F.nll_loss(torch.log_softmax(a, dim=1), torch.tensor([2, 0]))",
                 (np.array([[0.7, -1.3, 2.0], [0.4, 1.1, -0.6]]),)),
    "mse_loss_none": ("F.mse_loss(a, b * b, reduction='none')",
                      (np.array([0.7, -1.3, 2.0]), np.array([0.4, 1.1, -0.6]))),
    "bce_logits_sum": ("F.binary_cross_entropy_with_logits(a, b, reduction='sum')",
                       (np.array([0.7, -1.3, 2.0]), np.array([0.4, 0.1, 0.6]))),
    "addcmul": ("torch.addcmul(a * a, a, b, value=0.5)",
                (np.array([0.7, -1.3, 2.0]), np.array([[0.4], [1.1]]))),
    "addcdiv": ("torch.addcdiv(b, a * a, b, value=-2)",
                (np.array([0.7, -1.3, 2.0]), np.array([[0.4], [1.1]]))),
}


def _extra_function(expr: str) -> Any:
    return lambda *tensors: eval(expr, namespace(), dict(zip("ab", tensors)))


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_more_ops_first_and_second_derivatives(name: str) -> None:
    expr, arrays = EXTRA[name]
    gradcheck(cgengine, _extra_function(expr), arrays)
    gradgradcheck(cgengine, _extra_function(expr), arrays)


def test_gradgradcheck_catches_a_wrong_second_derivative() -> None:
    # tanh's rule with its second derivative cut: the first derivative is right, the second not
    def cut(a: Any) -> Any:
        return cgengine.tanh(a.detach()) + (a - a.detach()) * (1 - cgengine.tanh(a) ** 2).detach()

    gradcheck(cgengine, cut, [np.array([0.5, -1.5])])
    with pytest.raises(AssertionError, match="input 0"):
        gradgradcheck(cgengine, cut, [np.array([0.5, -1.5])])


def test_every_differentiable_grad_fn_is_checked() -> None:
    checked = {case["grad_fn"] for case in DIFFERENTIABLE}
    expected = {
        "AddBackward0", "SubBackward0", "RsubBackward1", "MulBackward0", "DivBackward0",
        "NegBackward0", "PowBackward0", "PowBackward1", "PowBackward2", "ExpBackward0",
        "LogBackward0", "SqrtBackward0", "AbsBackward0", "SinBackward0", "CosBackward0",
        "TanhBackward0", "SigmoidBackward0", "ReluBackward0", "ClampBackward1",
        "MaximumBackward0", "MinimumBackward0", "MmBackward0", "MvBackward0", "DotBackward0",
        "SqueezeBackward4", "SumBackward0", "SumBackward1", "MeanBackward0", "MeanBackward1",
        "MaxBackward0", "MaxBackward1", "ViewBackward0", "TransposeBackward0", "TBackward0",
        "PermuteBackward0", "UnsqueezeBackward0", "SqueezeBackward0", "SqueezeBackward1",
        "CatBackward0", "StackBackward0", "SelectBackward0", "SliceBackward0",
        "SoftmaxBackward0", "LogSoftmaxBackward0", "MseLossBackward0", "NllLossBackward0",
        "BinaryCrossEntropyWithLogitsBackward0", "CloneBackward0",
        # the everyday ops (ops_more.json)
        "IndexSelectBackward0", "RepeatBackward0", "VarBackward0", "StdBackward0",
        "ProdBackward0", "ProdBackward1", "MinBackward0", "MinBackward1",
        "LinalgVectorNormBackward0", "CumsumBackward0", "FlipBackward0", "BmmBackward0",
        "AddmmBackward0", "WhereBackward0", "MaskedFillBackward0", "GatherBackward0",
        "MaskedSelectBackward0", "TopkBackward0", "SortBackward0", "SplitBackward0",
        "SplitWithSizesBackward0", "RemainderBackward0", "RemainderBackward1",
    }
    assert expected <= checked, sorted(expected - checked)


def test_gradcheck_catches_a_wrong_gradient() -> None:
    # a.detach() * a has the value a**2 but autograd only sees one factor: slope a, not 2a
    with pytest.raises(AssertionError, match="input 0"):
        gradcheck(cgengine, lambda a: a.detach() * a, [np.array([0.5, -1.5, 2.0])])


def test_both_jacobians_of_a_known_function() -> None:
    # y = [a0 * a1, a0 + a1]: Jacobian [[a1, a0], [1, 1]] = [[3, 2], [1, 1]] at a = (2, 3)
    def fn(a: Any) -> Any:
        return cgengine.stack([a[0] * a[1], a[0] + a[1]])

    expected = np.array([[3.0, 2.0], [1.0, 1.0]])
    [analytic] = analytic_jacobians(cgengine, fn, [np.array([2.0, 3.0])])
    [numerical] = numerical_jacobians(cgengine, fn, [np.array([2.0, 3.0])], eps=1e-6)
    np.testing.assert_allclose(analytic, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(numerical, expected, rtol=0, atol=1e-8)
