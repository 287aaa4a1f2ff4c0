"""The autograd rules cgengine shares with PyTorch 2.13, one test per rule, with torch's texts.

Leaves and non-leaves, ``retain_grad``, accumulation across backward calls, freed graphs,
implicit gradients only for scalars, integer tensors, no_grad, broadcasting, reuse, deep chains,
kinks, stability at +-1000, float32 staying float32, ``autograd.grad`` and the printed forms.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from test_engine_golden import TRIGGERED_SUFFIX

import cgengine as torch
import cgengine.nn.functional as F

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)
SECOND_BACKWARD_ERROR = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)
NON_SCALAR_ERROR = "grad can be implicitly created only for scalar outputs"
NO_GRAD_FN_ERROR = "element 0 of tensors does not require grad and does not have a grad_fn"
# torch words the integer refusal three ways, depending on how grad was asked for
INT_REQUIRES_GRAD_ERROR = "Only Tensors of floating point and complex dtype can require gradients"
INT_REQUIRES_GRAD_SETTER_ERROR = (
    "only Tensors of floating point and complex dtype can require gradients"
)
INT_REQUIRES_GRAD_METHOD_ERROR = "only Tensors of floating point dtype can require gradients"


def lesson_graph() -> tuple[torch.Tensor, ...]:
    """y = (x + w) * (w + 1) at w = 1, x = 2, as on the canvas."""
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)
    a = torch.add(w, x)
    b = torch.add(w, 1)
    return w, x, a, b, torch.mul(a, b)


# ------------------------------------------------------------------ leaves and non-leaves
def test_user_created_tensors_are_leaves_and_results_are_not() -> None:
    w, x, a, b, y = lesson_graph()
    assert [t.is_leaf for t in (w, x, a, b, y)] == [True, True, False, False, False]
    assert [t.requires_grad for t in (w, x, a, b, y)] == [True] * 5
    assert w.grad_fn is None and x.grad_fn is None


def test_tensors_built_from_no_grad_inputs_are_leaves() -> None:
    c = torch.tensor([1.0, 2.0]) * 3 + torch.ones(2)
    assert c.is_leaf and not c.requires_grad and c.grad_fn is None
    detached = (torch.tensor([1.0], requires_grad=True) * 2).detach()
    assert detached.is_leaf and not detached.requires_grad and detached.grad_fn is None


def test_non_leaf_grad_is_none_with_torchs_warning() -> None:
    w, x, a, b, y = lesson_graph()
    y.backward()
    with pytest.warns(UserWarning) as caught:
        assert a.grad is None
    assert [TRIGGERED_SUFFIX.sub("", str(w.message)) for w in caught] == [NON_LEAF_GRAD_WARNING]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading a leaf's grad must stay silent
        assert w.grad.tolist() == [5.0]
        assert x.grad.tolist() == [2.0]


def test_retain_grad_keeps_a_non_leaf_grad_without_warning() -> None:
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)
    a = torch.add(w, x)
    assert a.retains_grad is False
    a.retain_grad()
    assert a.retains_grad is True and w.retains_grad is False
    y = torch.mul(a, torch.add(w, 1))
    y.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert a.grad.tolist() == [2.0]  # dy/da = b = w + 1


def test_leaf_grad_is_none_before_backward() -> None:
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    assert w.grad is None


# ------------------------------------------------------------------ backward calls
def test_gradients_accumulate_across_backward_calls() -> None:
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    assert w.grad.tolist() == [2.0, 4.0]
    (w * 3).sum().backward()
    assert w.grad.tolist() == [5.0, 7.0]


def test_second_backward_raises_torchs_error() -> None:
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    y.backward()
    with pytest.raises(RuntimeError) as caught:
        y.backward()
    assert str(caught.value) == SECOND_BACKWARD_ERROR
    assert w.grad.tolist() == [2.0, 4.0]  # the failed call changed nothing


def test_retain_graph_allows_a_second_backward() -> None:
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert w.grad.tolist() == [4.0, 8.0]


def test_non_scalar_backward_needs_a_gradient() -> None:
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    y = w * 3
    with pytest.raises(RuntimeError) as caught:
        y.backward()
    assert str(caught.value) == NON_SCALAR_ERROR
    y.backward(gradient=torch.tensor([1.0, 10.0]))
    assert w.grad.tolist() == [3.0, 30.0]


def test_backward_of_a_tensor_without_graph_raises() -> None:
    with pytest.raises(RuntimeError) as caught:
        torch.tensor([1.0, 2.0]).sum().backward()
    assert str(caught.value) == NO_GRAD_FN_ERROR


def test_hundred_thousand_op_chain_backward_is_iterative() -> None:
    x = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    y = x
    for i in range(100_000):
        y = y * 1.00001 if i % 2 else y - 0.5
    y.backward(torch.tensor([1.0], dtype=torch.float64))
    assert x.grad.item() == pytest.approx(1.00001**50_000, rel=1e-9)  # about e ** 0.5


# ------------------------------------------------------------------ integer tensors
def test_integer_tensor_cannot_require_grad() -> None:
    with pytest.raises(RuntimeError) as caught:
        torch.tensor([1, 2], requires_grad=True)
    assert str(caught.value) == INT_REQUIRES_GRAD_ERROR
    with pytest.raises(RuntimeError) as caught:
        torch.tensor([1, 2]).requires_grad_()
    assert str(caught.value) == INT_REQUIRES_GRAD_METHOD_ERROR
    integers = torch.arange(3)
    with pytest.raises(RuntimeError) as caught:
        integers.requires_grad = True
    assert str(caught.value) == INT_REQUIRES_GRAD_SETTER_ERROR
    assert integers.requires_grad is False


def test_requires_grad_on_a_float_leaf_returns_the_tensor() -> None:
    t = torch.tensor([1.0, 2.0])
    assert t.requires_grad_() is t
    assert t.requires_grad and t.is_leaf


# ------------------------------------------------------------------ graph shape
def test_broadcast_operand_gets_grad_of_its_own_shape() -> None:
    a = torch.ones(2, 3, requires_grad=True)
    b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = torch.tensor(2.0, requires_grad=True)
    (a * b * c).sum().backward()
    assert b.grad.shape == (3,) and b.grad.tolist() == [4.0, 4.0, 4.0]  # 2 rows * c
    assert c.grad.shape == () and c.grad.item() == 12.0  # sum of a * b
    assert a.grad.tolist() == [[2.0, 4.0, 6.0], [2.0, 4.0, 6.0]]


def test_reused_node_gets_the_sum_of_its_grads() -> None:
    w, x, a, b, y = lesson_graph()
    y.backward()
    assert w.grad.tolist() == [5.0]  # through a: b = 2, through b: a = 3
    v = torch.tensor([3.0], requires_grad=True)
    (v * v * v).backward()
    assert v.grad.tolist() == [27.0]


def test_next_functions_name_leaves_and_numbers() -> None:
    w, x, a, b, y = lesson_graph()
    (fa, _), (fb, _) = y.grad_fn.next_functions
    assert fa is a.grad_fn and fb is b.grad_fn
    (acc_w, _), (acc_x, _) = a.grad_fn.next_functions
    assert type(acc_w).__name__ == "AccumulateGrad"
    assert acc_w.variable is w and acc_x.variable is x
    assert b.grad_fn.next_functions[1] == (None, 0)  # the python number 1


def test_grad_fn_prints_like_torch() -> None:
    w, x, a, b, y = lesson_graph()
    assert re.fullmatch(r"<AddBackward0 object at 0x[0-9a-fA-F]+>", repr(a.grad_fn))
    assert re.fullmatch(r"<MulBackward0 object at 0x[0-9a-fA-F]+>", str(y.grad_fn))
    assert y.grad_fn.name() == "MulBackward0"
    assert repr(y) == "tensor([6.], grad_fn=<MulBackward0>)"


# ------------------------------------------------------------------ kinks
def test_relu_and_abs_have_zero_slope_at_zero() -> None:
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    torch.relu(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    torch.abs(x).sum().backward()
    assert x.grad.tolist() == [-1.0, 0.0, 1.0]


def test_max_ties_split_the_gradient_evenly() -> None:
    x = torch.tensor([1.0, 3.0, 3.0, -2.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5, 0.0]
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([1.0, 0.0], requires_grad=True)
    torch.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0] and b.grad.tolist() == [0.5, 0.0]


# ------------------------------------------------------------------ stability
@pytest.mark.parametrize(
    ("name", "fn"),
    [
        ("sigmoid", lambda x: torch.sigmoid(x)),
        ("softmax", lambda x: torch.softmax(x, dim=0)),
        ("log_softmax", lambda x: torch.log_softmax(x, dim=0)),
        ("tanh", lambda x: torch.tanh(x)),
        ("cross_entropy", lambda x: F.cross_entropy(x.reshape(1, 3), torch.tensor([0]))),
        ("bce_with_logits", lambda x: F.binary_cross_entropy_with_logits(
            x, torch.tensor([1.0, 0.0, 1.0], dtype=x.dtype))),
        ("mse_loss", lambda x: F.mse_loss(x, torch.zeros(3, dtype=x.dtype))),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_functions_are_finite_at_plus_minus_1000(name: str, fn: object, dtype: str) -> None:
    x = torch.tensor([-1000.0, 0.0, 1000.0], dtype=getattr(torch, dtype), requires_grad=True)
    out = fn(x)
    out.sum().backward()
    assert np.all(np.isfinite(out.detach().numpy())), name
    assert np.all(np.isfinite(x.grad.numpy())), name


def test_stable_values_at_plus_minus_1000() -> None:
    x = torch.tensor([-1000.0, 0.0, 1000.0])
    assert torch.sigmoid(x).tolist() == [0.0, 0.5, 1.0]
    assert torch.softmax(x, dim=0).tolist() == [0.0, 0.0, 1.0]
    assert torch.log_softmax(x, dim=0).tolist() == [-2000.0, -1000.0, 0.0]
    loss = F.cross_entropy(torch.tensor([[1000.0, -1000.0]]), torch.tensor([1]))
    assert loss.item() == 2000.0


# ------------------------------------------------------------------ dtypes
def test_float32_stays_float32() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    assert a.dtype == torch.float32
    results = {
        "sum": a.sum(),
        "mean": a.mean(),
        "python float": a * 2.5,
        "numpy float64 scalar": a * np.float64(2.5),
        "numpy float32 scalar": np.float32(2.5) * a,
        "0-d float64 tensor": a * torch.tensor(2.5, dtype=torch.float64),
        "0-d result reused": a.sum() * a,
        "division": 1 / a,
        "power": a ** 0.5,
    }
    for what, result in results.items():
        assert result.dtype == torch.float32, what
        assert result.detach().numpy().dtype == np.float32, what
    results["0-d result reused"].sum().backward()
    assert a.grad.dtype == torch.float32
    assert a.grad.numpy().dtype == np.float32


def test_default_dtypes_of_creation() -> None:
    assert torch.tensor([1.0]).dtype == torch.float32
    assert torch.tensor([1]).dtype == torch.int64
    assert torch.tensor([1.0], dtype=torch.float64).dtype == torch.float64
    assert torch.zeros(2).dtype == torch.float32
    assert torch.arange(3).dtype == torch.int64
    assert torch.full((2,), 7).dtype == torch.int64


def test_manual_seed_makes_rand_and_randn_repeatable() -> None:
    torch.manual_seed(7)
    first = (torch.rand(2, 3).tolist(), torch.randn(4).tolist())
    torch.manual_seed(7)
    second = (torch.rand(2, 3).tolist(), torch.randn(4).tolist())
    assert first == second
    uniform = torch.rand(1000)
    assert uniform.dtype == torch.float32 and uniform.shape == (1000,)
    assert uniform.numpy().min() >= 0.0 and uniform.numpy().max() < 1.0
    normal = torch.randn(10_000)
    assert abs(normal.mean().item()) < 0.05
    assert abs(math.sqrt((normal * normal).mean().item()) - 1.0) < 0.05


# ------------------------------------------------------------------ no_grad and autograd.grad
def test_no_grad_as_context_manager_makes_leaves() -> None:
    a = torch.tensor([1.0], requires_grad=True)
    with torch.no_grad():
        b = a * 2
    assert b.is_leaf and not b.requires_grad and b.grad_fn is None
    c = a * 2  # recording resumes after the block
    assert c.grad_fn.name() == "MulBackward0"


def test_no_grad_as_decorator() -> None:
    @torch.no_grad()
    def doubled(t: torch.Tensor) -> torch.Tensor:
        return t * 2

    a = torch.tensor([1.0], requires_grad=True)
    assert doubled(a).requires_grad is False
    assert (a * 2).requires_grad is True


def test_autograd_grad_returns_grads_without_touching_dot_grad() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0], requires_grad=True)
    y = (a * a * b).sum()
    ga, gb = torch.autograd.grad(y, [a, b])
    assert ga.tolist() == [6.0, 12.0]  # 2 a b
    assert gb.tolist() == [5.0]  # sum of a**2
    assert a.grad is None and b.grad is None


def test_autograd_grad_with_grad_outputs() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad(a * 3, a, grad_outputs=torch.tensor([1.0, -1.0]))
    assert g.tolist() == [3.0, -3.0]


# ------------------------------------------------------------------ tensor basics
def test_tensor_accessors() -> None:
    t = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.size() == (2, 3) and t.size(1) == 3
    assert t.dim() == 2 and t.ndim == 2
    assert t.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert t[1, 2].item() == 6.0 and isinstance(t[1, 2].item(), float)
    assert t.numpy().tolist() == t.tolist()
    assert t.T.shape == (3, 2) and t.t().tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert repr(t.shape) == "torch.Size([2, 3])"
    leaf = torch.tensor([1.0, 2.0], requires_grad=True)
    assert leaf.data.tolist() == [1.0, 2.0] and leaf.data.requires_grad is False


def test_clone_is_a_copy_in_the_graph() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    c = a.clone()
    assert c.grad_fn.name() == "CloneBackward0" and not c.is_leaf
    (c * 3).sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]


def test_comparisons_have_no_grad() -> None:
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = a > 1.5
    assert mask.dtype == torch.bool and mask.tolist() == [False, True, True]
    assert mask.requires_grad is False and mask.grad_fn is None
    assert (a == torch.tensor([1.0, 0.0, 3.0])).tolist() == [True, False, True]


def test_indexing_passes_gradients_back() -> None:
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    (a[1] * 2).sum().backward()
    assert a.grad.tolist() == [[0.0, 0.0, 0.0], [2.0, 2.0, 2.0]]
    b = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    b[1:3].sum().backward()
    assert b.grad.tolist() == [0.0, 1.0, 1.0, 0.0]
