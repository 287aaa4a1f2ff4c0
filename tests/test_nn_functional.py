"""nn.functional: every form checked against finite differences (float64, first and second
derivatives) and against torch (values, gradients and the whole recorded graph, node by node, in
float32 and float64). Third derivatives and their graphs are in tests/golden/higher_order.json.

Each case is an expression over inputs ``a``, ``b`` (and ``F``, ``torch``), evaluated by both
engines on the same numbers; ``targets`` are made fresh for each engine from the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from gradcheck import gradcheck, gradgradcheck

import cgengine
import cgengine.nn.functional as F
from tests.oracle import torch

RNG = np.random.default_rng(0)
X23 = np.round(RNG.standard_normal((2, 3)), 3) + np.array([[0.1, -0.1, 0.2], [0.0, 0.3, -0.2]])
W43 = np.round(RNG.standard_normal((4, 3)), 3)
B4 = np.round(RNG.standard_normal(4), 3)
P = np.array([0.2, 0.7, 0.45, 0.9])
T = np.array([0.0, 1.0, 1.0, 0.25])
LOGITS = np.round(RNG.standard_normal((4, 3)), 3)
PROBS = np.exp(LOGITS[::-1]) / np.exp(LOGITS[::-1]).sum(1, keepdims=True)

#: name -> (expression, inputs that require grad, extra data tensors (no grad))
CASES: dict[str, tuple[str, list[np.ndarray], dict[str, Any]]] = {
    "linear_2d": ("F.linear(a, b, c)", [X23, W43, B4], {}),
    "linear_1d": ("F.linear(a, b, c)", [X23[0], W43, B4], {}),
    "linear_3d": ("F.linear(a, b, c)", [np.stack([X23, X23 * 2]), W43, B4], {}),
    "linear_no_bias": ("F.linear(a, b)", [X23, W43], {}),
    "linear_no_bias_3d": ("F.linear(a, b)", [np.stack([X23, -X23]), W43], {}),
    "leaky_relu": ("F.leaky_relu(a, 0.2)", [X23], {}),
    "elu": ("F.elu(a, alpha=1.5)", [X23], {}),
    "leaky_relu_inplace": ("F.leaky_relu(a * 1, 0.2, inplace=True)", [X23], {}),
    "elu_inplace": ("F.elu(a * 1, alpha=1.5, inplace=True)", [X23], {}),
    "relu_inplace": ("F.relu(a * 1, inplace=True)", [X23], {}),
    "gelu": ("F.gelu(a)", [X23 * 2], {}),
    "gelu_tanh": ("F.gelu(a, approximate='tanh')", [X23 * 2], {}),
    "softplus": ("F.softplus(a)", [X23 * 3], {}),
    "softplus_beta": ("F.softplus(a, beta=2, threshold=1.5)", [X23 * 3], {}),
    "smooth_l1": ("F.smooth_l1_loss(a, b)", [X23, X23[::-1] * 0.5], {}),
    "smooth_l1_beta_none": ("F.smooth_l1_loss(a, b, reduction='none', beta=0.3)",
                            [X23, X23[::-1] * 0.5], {}),
    "smooth_l1_sum": ("F.smooth_l1_loss(a, b, reduction='sum', beta=2.0)",
                      [X23, X23[::-1] * 0.5], {}),
    "l1": ("F.l1_loss(a, b)", [X23, X23[::-1] * 0.5], {}),
    "bce": ("F.binary_cross_entropy(a, t)", [P], {"t": T}),
    "bce_target_grad": ("F.binary_cross_entropy(a, b)", [P, T * 0.5 + 0.2], {}),
    "bce_weight_sum": ("F.binary_cross_entropy(a, t, weight=w, reduction='sum')", [P],
                       {"t": T, "w": np.array([1.0, 2.0, 0.5, 3.0])}),
    "bce_none": ("F.binary_cross_entropy(a, t, reduction='none')", [P], {"t": T}),
    "bce_logits_weights": ("F.binary_cross_entropy_with_logits(a, t, weight=w, pos_weight=pw)",
                           [LOGITS[:, 0] * 3], {"t": T, "w": np.array([1.0, 2.0, 0.5, 3.0]),
                                                "pw": np.array([2.0])}),
    "bce_logits_none": ("F.binary_cross_entropy_with_logits(a, t, reduction='none', "
                        "pos_weight=pw)", [LOGITS[:, 0]], {"t": T, "pw": np.array([0.5])}),
    "nll_weight": ("F.nll_loss(F.log_softmax(a, 1), y, weight=w)", [LOGITS],
                   {"y": np.array([2, 0, 1, 1]), "w": np.array([0.5, 2.0, 1.0])}),
    "nll_ignore_sum": ("F.nll_loss(F.log_softmax(a, 1), y, ignore_index=1, reduction='sum')",
                       [LOGITS], {"y": np.array([2, 0, 1, 1])}),
    "cross_entropy": ("F.cross_entropy(a, y)", [LOGITS], {"y": np.array([2, 0, 1, 1])}),
    "cross_entropy_1d": ("F.cross_entropy(a[0], y[0])", [LOGITS], {"y": np.array([2, 0])}),
    "cross_entropy_smoothing": ("F.cross_entropy(a, y, label_smoothing=0.2)", [LOGITS],
                                {"y": np.array([2, 0, 1, 1])}),
    "cross_entropy_smoothing_weight_ignore": (
        "F.cross_entropy(a, y, weight=w, ignore_index=0, label_smoothing=0.1)", [LOGITS],
        {"y": np.array([2, 0, 1, 1]), "w": np.array([0.5, 2.0, 1.0])}),
    "cross_entropy_smoothing_none": ("F.cross_entropy(a, y, label_smoothing=0.3, "
                                     "reduction='none')", [LOGITS],
                                     {"y": np.array([2, 0, 1, 1])}),
    "cross_entropy_probs": ("F.cross_entropy(a, p)", [LOGITS], {"p": PROBS}),
    "cross_entropy_probs_smoothing_weight": (
        "F.cross_entropy(a, p, weight=w, label_smoothing=0.25, reduction='sum')", [LOGITS],
        {"p": PROBS, "w": np.array([0.5, 2.0, 1.0])}),
    "cross_entropy_probs_none": ("F.cross_entropy(a, p, reduction='none')", [LOGITS],
                                 {"p": PROBS}),
    "dropout_eval": ("F.dropout(a, 0.4, training=False)", [X23], {}),
}


def scope(engine: Any, extra: dict[str, Any], dtype: str) -> dict[str, Any]:
    """The data tensors of a case (integer arrays stay int64)."""
    out = {"F": cgengine.nn.functional if engine is cgengine else engine.nn.functional,
           "torch": engine}
    for name, value in extra.items():
        kind = value.dtype.kind
        out[name] = engine.tensor(value, dtype=getattr(engine, "int64" if kind in "iu" else dtype))
    return out


def function_of(engine: Any, case: str, dtype: str) -> Callable[..., Any]:
    expr, _, extra = CASES[case]
    names = scope(engine, extra, dtype)
    return lambda *ts: eval(expr, names, dict(zip("abc", ts, strict=False)))


def tree(fn: Any) -> Any:
    """The recorded graph below a grad_fn, as nested (name, children) pairs."""
    if fn is None:
        return None
    return (type(fn).__name__, tuple(tree(f) for f, _ in fn.next_functions))


@pytest.mark.parametrize("case", [c for c in CASES if c != "dropout_eval"])
def test_gradients_match_finite_differences(case: str) -> None:
    gradcheck(cgengine, function_of(cgengine, case, "float64"), CASES[case][1])


@pytest.mark.parametrize("case", [c for c in CASES if c != "dropout_eval"])
def test_second_derivatives_match_finite_differences(case: str) -> None:
    gradgradcheck(cgengine, function_of(cgengine, case, "float64"), CASES[case][1])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", list(CASES))
def test_values_gradients_and_graph_match_torch(case: str, dtype: str) -> None:
    results = []
    for engine in (cgengine, torch):
        inputs = [engine.tensor(a, dtype=getattr(engine, dtype), requires_grad=True)
                  for a in CASES[case][1]]
        out = function_of(engine, case, dtype)(*inputs)
        weights = engine.tensor(np.linspace(-1, 2, out.numel()).reshape(tuple(out.shape)),
                                dtype=out.dtype)
        (out * weights).sum().backward()
        results.append((out.detach().numpy(), [t.grad.numpy() for t in inputs],
                        tree(out.grad_fn), str(out.dtype)))
    (ours, our_grads, our_tree, our_dtype), (theirs, their_grads, their_tree, their_dtype) = results
    tolerance = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-10,
                                                                          "atol": 1e-12}
    assert our_tree == their_tree
    assert our_dtype == their_dtype.replace("torch.", "torch.")
    np.testing.assert_allclose(ours, theirs, **tolerance)
    for mine, expected in zip(our_grads, their_grads, strict=True):
        np.testing.assert_allclose(mine, expected, **tolerance)


@pytest.mark.parametrize(("code", "error", "message"), [
    ("F.gelu(x, approximate='x')", RuntimeError, "approximate argument must be either none or"),
    ("F.leaky_relu(torch.tensor([-1, 2]))", NotImplementedError,
     "\"leaky_relu_cpu\" not implemented for 'Long'"),
    ("F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.]))", RuntimeError,
     "all elements of input should be between 0 and 1"),
    ("F.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([2.]))", RuntimeError,
     "all elements of target should be between 0 and 1"),
    ("F.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([1]))", RuntimeError,
     "Found dtype Long but expected Float"),
    ("F.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([[1.], [0.]]))", ValueError,
     "Using a target size \\(torch.Size\\(\\[2, 1\\]\\)\\) that is different to the input size"),
    ("F.nll_loss(torch.zeros(3, 4), torch.tensor([0, 1, 2.]))", RuntimeError,
     "expected target dtype to be Long or Byte, but got Float"),
    ("F.nll_loss(torch.zeros(3, 4), torch.tensor([0, 1, 2]), weight=torch.ones(3))",
     RuntimeError, "weight tensor should be defined either for all 4 classes or no classes"),
    ("F.cross_entropy(torch.zeros(3, 4), torch.tensor([0, 1, 2]), label_smoothing=1.5)",
     RuntimeError, "label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
    ("F.cross_entropy(torch.zeros(3, 4), torch.zeros(3, 5))", RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    ("F.linear(torch.zeros(2, 3), torch.zeros(4, 2))", RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied \\(2x3 and 2x4\\)"),
    ("F.linear(torch.zeros(3), torch.zeros(4, 3), torch.zeros(3))", RuntimeError,
     "The expanded size of the tensor \\(4\\) must match the existing size \\(3\\)"),
    ("F.smooth_l1_loss(torch.zeros(2), torch.zeros(2), beta=-1)", RuntimeError,
     "smooth_l1_loss does not support negative values for beta."),
    ("F.mse_loss(torch.zeros(2), torch.zeros(2), reduction='avg')", ValueError,
     "avg is not a valid value for reduction"),
])
def test_errors_are_torch_errors(code: str, error: type[Exception], message: str) -> None:
    for engine in (cgengine, torch):
        names = {"F": cgengine.nn.functional if engine is cgengine else engine.nn.functional,
                 "torch": engine, "x": engine.zeros(2)}
        with pytest.raises(error, match=message):
            eval(code, names)


def test_all_ignored_targets_give_nan_as_torch() -> None:
    loss = F.nll_loss(cgengine.zeros(3, 4), cgengine.tensor([-100, -100, -100]))
    assert np.isnan(loss.item())


def test_binary_cross_entropy_clamps_its_logs_at_minus_100() -> None:
    p = cgengine.tensor([0.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(p, cgengine.tensor([1.0, 0.0]))
    assert loss.item() == 100.0
    loss.backward()
    assert np.isfinite(p.grad.numpy()).all()


def test_deprecated_size_average_and_reduce_warn_as_torch() -> None:
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, "
                                         "please use reduction='sum' instead."):
        loss = F.mse_loss(cgengine.ones(2), cgengine.zeros(2), size_average=False)
    assert loss.item() == 2.0
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert cgengine.nn.MSELoss(size_average=False)(cgengine.ones(2),
                                                       cgengine.zeros(2)).item() == 2.0
