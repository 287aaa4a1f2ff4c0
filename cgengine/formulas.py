"""The functions backward rules are written with: numpy on arrays, recorded ops on tensors.

A rule in :mod:`cgengine.ops` is written once, with python operators and these functions
(``g * f.cos(a)``, ``f.where(mask, g, 0.0)``), and runs in two modes:

- a plain ``backward()`` hands it numpy arrays: each function here is the numpy function and
  nothing is recorded, so backward costs what numpy costs;
- ``backward(create_graph=True)`` hands it Tensors: each function is the cgengine operation
  PyTorch's formula uses (``cos`` records CosBackward0, ``where`` WhereBackward0), so the
  gradient is itself a graph that can be differentiated again.

So the rule for sin, ``g * f.cos(a)``, is torch's derivatives.yaml line ``grad * self.cos()``,
and a second derivative has torch's grad_fn names. Functions named ``*_backward`` are torch's
backward kernels (``tanh_backward``, ``threshold_backward`` ...): ops of their own in the table,
with rules of their own, which is what makes third derivatives work.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

import cgengine


def _on_arrays(*values: Any) -> bool:
    """True when no value is a Tensor: the rule is running on numpy arrays (or on the scalars
    numpy gives for 0-d results)."""
    tensor = cgengine.Tensor
    return not any(isinstance(v, tensor) for v in values)


def _is_tensor(x: Any) -> bool:
    """Whether the rule is running on tensors (create_graph) rather than arrays."""
    return isinstance(x, cgengine.Tensor)


def array(x: Any) -> np.ndarray:
    """The values, as an array, in either mode (for decisions a rule makes on them)."""
    return x._data if _is_tensor(x) else np.asarray(x)


def shape(x: Any) -> tuple[int, ...]:
    return tuple(np.shape(array(x)))


def constant(values: np.ndarray, like: Any) -> Any:
    """Values computed with numpy, used as a constant: no gradient flows through them."""
    return cgengine.Tensor._wrap(values) if _is_tensor(like) else values


def _api() -> Any:
    return cgengine.functional


# ---------------------------------------------------------------- elementwise
_ndarray, _cos, _sin, _exp, _log = np.ndarray, np.cos, np.sin, np.exp, np.log  # hot in backward


def cos(x: Any) -> Any:
    return _cos(x) if type(x) is _ndarray or not _is_tensor(x) else _api().cos(x)


def sin(x: Any) -> Any:
    return _sin(x) if type(x) is _ndarray or not _is_tensor(x) else _api().sin(x)


def exp(x: Any) -> Any:
    return _exp(x) if type(x) is _ndarray or not _is_tensor(x) else _api().exp(x)


def log(x: Any) -> Any:
    return _log(x) if type(x) is _ndarray or not _is_tensor(x) else _api().log(x)


def tanh(x: Any) -> Any:
    return np.tanh(x) if type(x) is _ndarray else _api().tanh(x)


def sgn(x: Any) -> Any:
    """The sign, recorded as SgnBackward0 (the name torch's abs formula uses)."""
    return _record("sgn", x) if _is_tensor(x) else np.sign(x)


def sigmoid(x: Any) -> Any:
    return _kernel("sigmoid", x)


def isnan(x: Any) -> bool:
    """Whether a one-element value is nan (a plain bool in either mode)."""
    return bool(np.isnan(x._data if isinstance(x, cgengine.Tensor) else x))


def where(condition: Any, a: Any, b: Any) -> Any:
    if _on_arrays(condition, a, b):
        return np.where(condition, a, b)
    return _api().where(condition, a, b)


def masked_fill(x: Any, mask: Any, value: Any) -> Any:
    if _on_arrays(x, mask, value):
        return np.where(mask, value, x).astype(x.dtype, copy=False)
    return _api().masked_fill(x, mask, value)


def masked_select(x: Any, mask: Any) -> Any:
    return _kernel("masked_select", x, mask=_array(mask))


def masked_scatter(x: Any, mask: Any, source: Any) -> Any:
    return _kernel("masked_scatter", x, source, mask=_array(mask))


def mask(condition: Any, like: Any) -> Any:
    """A boolean condition as numbers of ``like``'s dtype (torch's ``cond.type_as(grad)``): a
    constant, never part of the graph."""
    if type(condition) is _ndarray:
        return condition.astype(like.dtype)
    return condition.to(like.dtype)


def subtract_from(number: float, x: Any) -> Any:
    """``number - x`` as torch's C++ formulas record it: the number as a wrapped tensor
    (SubBackward0), where Python's ``number - tensor`` records RsubBackward1."""
    if type(x) is _ndarray:
        return number - x
    return cgengine.Tensor._wrap(np.asarray(number, dtype=x._data.dtype)) - x


def clamp_min_unrecorded(x: Any, value: float) -> Any:
    """torch's ``with no_grad: x.clamp_min_(value)`` inside a formula: the values change, the
    recorded graph does not."""
    if type(x) is _ndarray:
        return np.maximum(x, value)
    with cgengine.no_grad():
        x.clamp_(min=value)
    return x


def logit(x: Any) -> Any:
    return _kernel("logit", x)


def _array(value: Any) -> Any:
    return value._data if isinstance(value, cgengine.Tensor) else value


# ---------------------------------------------------------------- shapes
def expand(x: Any, shape: tuple[int, ...]) -> Any:
    if _is_tensor(x):
        return x.expand(shape)
    return np.broadcast_to(x, shape)


def sum_dims(x: Any, dims: tuple[int, ...], keepdim: bool) -> Any:
    if _is_tensor(x):
        return x.sum(dims, keepdim=keepdim)
    return np.sum(x, axis=dims, keepdims=keepdim)


def pow_(x: Any, exponent: float) -> Any:
    """``x ** exponent``, in place on a tensor as torch's formula does it (``pow_``), which
    records the clone of x it keeps."""
    return x.pow_(exponent) if _is_tensor(x) else x**exponent


def mean(x: Any, dims: tuple[int, ...] | None, keepdim: bool) -> Any:
    if _is_tensor(x):
        return x.mean() if dims is None else x.mean(dims, keepdim=keepdim)
    return np.mean(x, axis=dims, keepdims=keepdim)


def flip(x: Any, dims: tuple[int, ...]) -> Any:
    return _record("flip", x, dims=dims) if _is_tensor(x) else np.flip(x, dims).copy()


def cumsum(x: Any, dim: int) -> Any:
    return _record("cumsum", x, dim=dim) if _is_tensor(x) else np.cumsum(x, axis=dim)


def unsqueeze(x: Any, dim: int) -> Any:
    return x.unsqueeze(dim) if _is_tensor(x) else np.expand_dims(x, dim)


def squeeze(x: Any, dim: int) -> Any:
    if _is_tensor(x):
        return x.squeeze(dim)
    return np.squeeze(x, dim) if np.shape(x)[dim] == 1 else x


def reshape(x: Any, shape: tuple[int, ...]) -> Any:
    return x.reshape(shape) if _is_tensor(x) else np.reshape(x, shape)


def transpose(x: Any, dim0: int, dim1: int) -> Any:
    return x.transpose(dim0, dim1) if _is_tensor(x) else np.swapaxes(x, dim0, dim1)


def t(x: Any) -> Any:
    return x.t() if _is_tensor(x) else np.transpose(x)


def permute(x: Any, dims: tuple[int, ...]) -> Any:
    return x.permute(dims) if _is_tensor(x) else np.transpose(x, dims)


def select(x: Any, dim: int, index: int) -> Any:
    if _is_tensor(x):
        return _record("select", x, dim=dim, index=index)
    return np.asarray(x)[(slice(None),) * dim + (index,)]


def slice_dim(x: Any, dim: int, key: slice) -> Any:
    if _is_tensor(x):
        return _record("slice", x, dim=dim, key=key)
    return np.asarray(x)[(slice(None),) * dim + (key,)]


def cat(tensors: list[Any], dim: int = 0) -> Any:
    return np.concatenate(tensors, dim) if _on_arrays(*tensors) else _api().cat(tensors, dim)


def narrow(x: Any, dim: int, start: int, length: int) -> Any:
    """Elements start .. start + length along dim (torch records a slice)."""
    return slice_dim(x, dim, slice(start, start + length))


# ---------------------------------------------------------------- products
def mm(a: Any, b: Any) -> Any:
    return a @ b if _on_arrays(a, b) else _api().mm(a, b)


def mv(a: Any, v: Any) -> Any:
    return a @ v if _on_arrays(a, v) else _api().mv(a, v)


def bmm(a: Any, b: Any) -> Any:
    return np.matmul(a, b) if _on_arrays(a, b) else _record("bmm", a, b)


def outer(a: Any, b: Any) -> Any:
    return np.outer(a, b) if _on_arrays(a, b) else _api().outer(a, b)


# ---------------------------------------------------------------- building gradients
def zeros(shape: tuple[int, ...], like: Any) -> Any:
    """Zeros of ``like``'s dtype, never requiring grad (torch's ``new_zeros``)."""
    if _is_tensor(like):
        return cgengine.Tensor._wrap(np.zeros(shape, dtype=like._data.dtype))
    return np.zeros(shape, dtype=np.asarray(like).dtype)


def zeros_like(x: Any) -> Any:
    return zeros(np.shape(x._data if isinstance(x, cgengine.Tensor) else x), x)


def scatter(x: Any, dim: int, index: np.ndarray, src: Any) -> Any:
    """A copy of ``x`` with ``src`` written at ``index`` along ``dim`` (ScatterBackward0)."""
    return _kernel("scatter", x, src, dim=dim, index=index)


def scatter_value(x: Any, dim: int, index: np.ndarray, value: float) -> Any:
    """A copy of ``x`` with the number ``value`` written at ``index`` (ScatterBackward1)."""
    return _kernel("scatter_value", x, dim=dim, index=index, value=value)


def scatter_add(x: Any, dim: int, index: np.ndarray, src: Any) -> Any:
    return _kernel("scatter_add", x, src, dim=dim, index=index)


def gather(x: Any, dim: int, index: np.ndarray) -> Any:
    return _kernel("gather", x, dim=dim, index=index)


def index_put(x: Any, key: Any, values: Any) -> Any:
    """A copy of ``x`` with ``values`` written at ``key`` (IndexPutBackward0)."""
    return _kernel("index_put", x, values, key=key)


def index_put_impl(x: Any, key: Any, values: Any) -> Any:
    """``x`` with ``values`` added at ``key`` (torch's accumulating _index_put_impl_)."""
    return _kernel("index_put_impl", x, values, key=key, accumulate=True)


def index_select(x: Any, dim: int, index: np.ndarray) -> Any:
    return _kernel("index_select", x, dim=dim, index=index)


def index_add(x: Any, dim: int, index: np.ndarray, source: Any) -> Any:
    return _kernel("index_add", x, source, dim=dim, index=index)


def div_floor(a: Any, b: Any) -> Any:
    """a / b rounded down (torch's div with rounding_mode="floor", DivBackward2)."""
    return _kernel("div_floor", a, b)


def index(x: Any, key: Any) -> Any:
    return _record("index", x, key=key) if _is_tensor(x) else np.asarray(x)[key]


# ---------------------------------------------------------------- torch's backward kernels
def tanh_backward(grad: Any, output: Any) -> Any:
    return _kernel("tanh_backward", grad, output)


def sigmoid_backward(grad: Any, output: Any) -> Any:
    return _kernel("sigmoid_backward", grad, output)


def threshold_backward(grad: Any, x: Any, threshold: float) -> Any:
    return _kernel("threshold_backward", grad, x, threshold=threshold)


def select_backward(grad: Any, shape: tuple[int, ...], dim: int, index: int) -> Any:
    return _kernel("select_backward", grad, shape=shape, dim=dim, index=index)


def slice_backward(grad: Any, shape: tuple[int, ...], dim: int, key: slice) -> Any:
    return _kernel("slice_backward", grad, shape=shape, dim=dim, key=key)


def softmax_backward_data(grad: Any, output: Any, dim: int) -> Any:
    return _kernel("softmax_backward_data", grad, output, dim=dim)


def log_softmax_backward_data(grad: Any, output: Any, dim: int) -> Any:
    return _kernel("log_softmax_backward_data", grad, output, dim=dim)


def mse_loss_backward(grad: Any, x: Any, target: Any, reduction: str) -> Any:
    return _kernel("mse_loss_backward", grad, x, target, reduction=reduction)


def nll_loss_backward(grad: Any, logp: Any, target: np.ndarray, reduction: str,
                      weight: np.ndarray | None = None, ignore_index: int = -100) -> Any:
    return _kernel("nll_loss_backward", grad, logp, target=target, reduction=reduction,
                   weight=weight, ignore_index=ignore_index)


def nll_loss(logp: Any, target: np.ndarray, reduction: str, weight: np.ndarray | None = None,
             ignore_index: int = -100) -> Any:
    return _kernel("nll_loss", logp, target=target, reduction=reduction, weight=weight,
                   ignore_index=ignore_index)


def leaky_relu_backward(grad: Any, x: Any, negative_slope: float) -> Any:
    return _kernel("leaky_relu_backward", grad, x, negative_slope=negative_slope)


def elu_backward(grad: Any, x: Any, alpha: float, is_result: bool = False) -> Any:
    return _kernel("elu_backward", grad, x, alpha=alpha, is_result=is_result)


def gelu_backward(grad: Any, x: Any, approximate: str) -> Any:
    return _kernel("gelu_backward", grad, x, approximate=approximate)


def softplus_backward(grad: Any, x: Any, beta: float, threshold: float) -> Any:
    return _kernel("softplus_backward", grad, x, beta=beta, threshold=threshold)


def smooth_l1_loss_backward(grad: Any, x: Any, target: Any, reduction: str, beta: float) -> Any:
    return _kernel("smooth_l1_loss_backward", grad, x, target, reduction=reduction, beta=beta)


def binary_cross_entropy_backward(grad: Any, p: Any, target: Any, weight: np.ndarray | None,
                                  reduction: str) -> Any:
    return _kernel("binary_cross_entropy_backward", grad, p, target, weight=weight,
                   reduction=reduction)


# ---------------------------------------------------------------- running table ops
class Scratch:
    """The ctx of an op run on arrays for a rule: nothing is recorded, nothing needs a gradient."""

    class _Never:
        def __getitem__(self, index: int) -> bool:
            return False

    needs = _Never()


def _record(name: str, *inputs: Any, **params: Any) -> Any:
    return _apply()(cgengine.ops.OPS[name], *inputs, **params)


def _kernel(name: str, *inputs: Any, **params: Any) -> Any:
    """Op ``name`` of the table: its forward on arrays, or recorded on tensors."""
    op = cgengine.ops.OPS[name]
    if _on_arrays(*inputs):
        out = op.forward(Scratch(), *inputs, **params)
        return out if type(out) is np.ndarray else np.asarray(out)
    return _apply()(op, *inputs, **params)


def _apply() -> Any:
    """cgengine.tensor.apply (the package's ``tensor`` attribute is the function torch.tensor)."""
    return sys.modules["cgengine.tensor"].apply
