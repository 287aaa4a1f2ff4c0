"""The op table: every primitive operation, declared once, forward beside backward.

Each entry says four things, as tinygrad's gradient table and micrograd's ops do:
- ``name``: the op, as :func:`cgengine.tensor.apply` calls it;
- ``grad_fn``: the class name PyTorch 2.13 gives the recorded node (``MulBackward0``);
- ``forward(ctx, *inputs, **params)``: computes the result from numpy arrays (python numbers pass
  through as numbers) and puts on ``ctx`` what backward will need: arrays in ``ctx.saved`` (freed
  after backward, unless ``retain_graph``), other facts (a dim, a shape) as attributes. It saves an
  input only when the *other* input needs a gradient (``ctx.needs``), as PyTorch does: that is
  what keeps memory low;
- ``backward(ctx, grad)``: the chain rule's local step: given d(out) it returns d(input) for each
  input, in order, ``None`` where there is none. Broadcasting is undone by the engine
  (:func:`cgengine.autograd.reduce_to_shape`), so the rules here are the plain formulas.

Composite functions (``2 / a`` is ``reciprocal(a) * 2``, ``cross_entropy`` is ``nll_loss`` of
``log_softmax``) are built in :mod:`cgengine.functional` from these primitives, following the
names PyTorch records.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from cgengine.autograd import Node, node_class


class Op:
    """One primitive: its name, PyTorch grad_fn name, forward and backward rule."""

    __slots__ = ("name", "grad_fn", "forward", "backward", "dtypes", "node", "number_params")

    def __init__(self, name: str, grad_fn: str, forward: Callable[..., np.ndarray],
                 backward: Callable[..., tuple], dtypes: str = "promote") -> None:
        self.name = name
        self.grad_fn = grad_fn
        self.forward = forward
        self.backward = backward
        #: "promote": inputs are cast to torch's common dtype first (elementwise ops, matmul, cat);
        #: "float": like promote, but an integer result type becomes float32 (div, exp ...);
        #: "none": inputs are used as they are (indexing, reductions, integer targets).
        self.dtypes = dtypes
        #: The Node subclass recorded in the graph, named as PyTorch names it.
        self.node: type[Node] = node_class(grad_fn, backward)
        #: Keyword arguments that are python numbers taking part in dtype promotion
        #: (``2.5 - int_tensor`` is float32, as in PyTorch).
        self.number_params = _NUMBER_PARAMS.get(name, ())

    def __repr__(self) -> str:
        return f"Op({self.name!r}, {self.grad_fn!r})"


OPS: dict[str, Op] = {}
_NUMBER_PARAMS = {"rsub": ("other",), "pow": ("exponent",), "rpow": ("base",),
                  "clamp": ("min", "max")}


def op(name: str, grad_fn: str, dtypes: str = "promote") -> Callable[[Callable], Callable]:
    """Register ``forward`` under ``name``; the function's ``.backward`` decorator adds the rule."""

    def register(forward: Callable[..., np.ndarray]) -> Callable:
        def set_backward(backward: Callable[..., tuple]) -> Callable[..., tuple]:
            OPS[name] = Op(name, grad_fn, forward, backward, dtypes)
            return backward

        forward.backward = set_backward  # type: ignore[attr-defined]
        return forward

    return register


def _save(ctx: Node, *arrays: object) -> None:
    ctx.saved = arrays


# ---------------------------------------------------------------- arithmetic
@op("add", "AddBackward0")
def _add(ctx, a, b, alpha=1):
    if alpha == 1:  # the usual case: nothing to remember (ctx.alpha stays 1)
        return a + b
    ctx.alpha = alpha
    return a + alpha * b


@_add.backward
def _(ctx, g):
    return g, (g if ctx.alpha == 1 else g * ctx.alpha)


@op("sub", "SubBackward0")
def _sub(ctx, a, b, alpha=1):
    if alpha == 1:
        return a - b
    ctx.alpha = alpha
    return a - alpha * b


@_sub.backward
def _(ctx, g):
    return g, -g if ctx.alpha == 1 else -g * ctx.alpha


@op("rsub", "RsubBackward1")  # other - alpha * a, for ``2 - a``: the number is not an input
def _rsub(ctx, a, other=0, alpha=1):
    ctx.alpha = alpha
    return other - a if alpha == 1 else other - alpha * a


@_rsub.backward
def _(ctx, g):
    return (-g * ctx.alpha,)


@op("mul", "MulBackward0")
def _mul(ctx, a, b):
    # d(a*b)/da = b and d(a*b)/db = a: keep b only if a needs a gradient, and vice versa.
    needs = ctx.needs
    ctx.saved = (b if needs[0] else None, a if needs[1] else None)
    return a * b


@_mul.backward
def _(ctx, g):
    b, a = ctx.saved
    return (g * b if b is not None else None), (g * a if a is not None else None)


@op("div", "DivBackward0", "float")
def _div(ctx, a, b):
    _save(ctx, a if ctx.needs[1] else None, b)
    return a / b


@_div.backward
def _(ctx, g):
    a, b = ctx.saved
    return g / b, (-g * a / (b * b) if a is not None else None)


@op("reciprocal", "ReciprocalBackward0", "float")
def _reciprocal(ctx, a):
    out = 1 / a
    _save(ctx, out)
    return out


@_reciprocal.backward
def _(ctx, g):
    (out,) = ctx.saved
    return (-g * out * out,)


@op("neg", "NegBackward0")
def _neg(ctx, a):
    return -a


@_neg.backward
def _(ctx, g):
    return (-g,)


@op("pow", "PowBackward0")  # tensor ** number
def _pow(ctx, a, exponent=2):
    _save(ctx, a)
    ctx.exponent = exponent
    # torch computes these two as sqrt and rsqrt, which keep the sign of zero: -0 ** 0.5 is -0.
    # and -0 ** -0.5 is -inf (numpy's power gives 0. and inf)
    if exponent == 0.5:
        return np.sqrt(a)
    if exponent == -0.5:
        return 1 / np.sqrt(a)
    return a**exponent


@_pow.backward
def _(ctx, g):
    (a,) = ctx.saved
    e = ctx.exponent
    if e == 0:
        return (np.zeros_like(g),)
    return (g * e * a ** (e - 1),)


@op("pow_tensor", "PowBackward1")  # tensor ** tensor
def _pow_tensor(ctx, a, b):
    out = a**b
    _save(ctx, a, b, out if ctx.needs[1] else None)
    return out


@_pow_tensor.backward
def _(ctx, g):
    a, b, out = ctx.saved
    grad_a = np.where(b == 0, 0, g * b * a ** (b - 1))  # d(a^0)/da = 0, even at a = 0
    grad_b = None
    if out is not None:
        # d(a^b)/db = a^b * log(a); PyTorch takes it as 0 where a == 0 and b >= 0.
        with np.errstate(divide="ignore", invalid="ignore"):
            grad_b = np.where((a == 0) & (b >= 0), 0, g * out * np.log(a))
    return grad_a, grad_b


@op("rpow", "PowBackward2")  # number ** tensor
def _rpow(ctx, a, base=2.0):
    out = np.power(base, a)
    _save(ctx, out)
    ctx.base = base
    return out


@_rpow.backward
def _(ctx, g):
    (out,) = ctx.saved
    return (g * out * np.log(ctx.base),)


# ---------------------------------------------------------------- elementwise functions
@op("exp", "ExpBackward0", "float")
def _exp(ctx, a):
    out = np.exp(a)
    _save(ctx, out)
    return out


@_exp.backward
def _(ctx, g):
    return (g * ctx.saved[0],)


@op("log", "LogBackward0", "float")
def _log(ctx, a):
    _save(ctx, a)
    return np.log(a)


@_log.backward
def _(ctx, g):
    return (g / ctx.saved[0],)


@op("sqrt", "SqrtBackward0", "float")
def _sqrt(ctx, a):
    out = np.sqrt(a)
    _save(ctx, out)
    return out


@_sqrt.backward
def _(ctx, g):
    return (g / (2 * ctx.saved[0]),)


@op("abs", "AbsBackward0")
def _abs(ctx, a):
    _save(ctx, a)
    return np.abs(a)


@_abs.backward
def _(ctx, g):
    return (g * np.sign(ctx.saved[0]),)  # sign(0) = 0: PyTorch's gradient of |x| at 0


@op("sin", "SinBackward0", "float")
def _sin(ctx, a):
    _save(ctx, a)
    return np.sin(a)


@_sin.backward
def _(ctx, g):
    return (g * np.cos(ctx.saved[0]),)


@op("cos", "CosBackward0", "float")
def _cos(ctx, a):
    _save(ctx, a)
    return np.cos(a)


@_cos.backward
def _(ctx, g):
    return (-g * np.sin(ctx.saved[0]),)


@op("tanh", "TanhBackward0", "float")
def _tanh(ctx, a):
    out = np.tanh(a)
    _save(ctx, out)
    return out


@_tanh.backward
def _(ctx, g):
    out = ctx.saved[0]
    return (g * (1 - out * out),)


@op("sigmoid", "SigmoidBackward0", "float")
def _sigmoid(ctx, a):
    # exp(-|a|) never overflows: 1/(1+e^-a) for a >= 0 and e^a/(1+e^a) for a < 0.
    e = np.exp(-np.abs(a))
    out = np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)
    _save(ctx, out)
    return out


@_sigmoid.backward
def _(ctx, g):
    out = ctx.saved[0]
    return (g * out * (1 - out),)


@op("relu", "ReluBackward0")
def _relu(ctx, a):
    out = np.maximum(a, 0)
    _save(ctx, out)
    return out


@_relu.backward
def _(ctx, g):
    return (g * (ctx.saved[0] > 0),)  # relu'(0) = 0, as PyTorch


@op("clamp", "ClampBackward1")
def _clamp(ctx, a, min=None, max=None):  # noqa: A002 - torch's keyword names
    _save(ctx, a)
    ctx.bounds = (min, max)
    return np.clip(a, min, max)


@_clamp.backward
def _(ctx, g):
    (a,) = ctx.saved
    lo, hi = ctx.bounds
    mask = np.ones(a.shape, dtype=bool)
    if lo is not None:
        mask &= a >= lo
    if hi is not None:
        mask &= a <= hi
    return (g * mask,)


def _pick_backward(ctx, g):
    # Where the two inputs tie, each gets half of the gradient, as PyTorch does.
    a, b = ctx.saved
    first = (a > b) if ctx.name_is_max else (a < b)
    tie = (a == b) * 0.5
    return g * (first + tie), g * ((~first) & (a != b)) + g * tie


@op("maximum", "MaximumBackward0")
def _maximum(ctx, a, b):
    _save(ctx, a, b)
    ctx.name_is_max = True
    return np.maximum(a, b)


_maximum.backward(_pick_backward)


@op("minimum", "MinimumBackward0")
def _minimum(ctx, a, b):
    _save(ctx, a, b)
    ctx.name_is_max = False
    return np.minimum(a, b)


_minimum.backward(_pick_backward)


# ---------------------------------------------------------------- reductions
def _expand_back(g: np.ndarray, ctx: Node) -> np.ndarray:
    """Spread a reduced gradient back over the reduced axes."""
    if ctx.axis is not None and not ctx.keepdim:
        g = np.expand_dims(g, ctx.axis)
    return np.broadcast_to(g, ctx.in_shape)


@op("sum", "SumBackward0", "none")
def _sum_all(ctx, a):
    ctx.axis, ctx.keepdim, ctx.in_shape = None, False, a.shape
    return np.sum(a, dtype=np.int64 if a.dtype.kind in "bi" else a.dtype)


@_sum_all.backward
def _(ctx, g):
    return (_expand_back(g, ctx),)


@op("sum_dim", "SumBackward1", "none")
def _sum_dim(ctx, a, dim=None, keepdim=False):
    ctx.axis, ctx.keepdim, ctx.in_shape = dim, keepdim, a.shape
    dtype = np.int64 if a.dtype.kind in "bi" else a.dtype  # integer sums are int64, as in torch
    return np.sum(a, axis=dim, keepdims=keepdim, dtype=dtype)


_sum_dim.backward(lambda ctx, g: (_expand_back(g, ctx),))


@op("mean", "MeanBackward0", "none")
def _mean_all(ctx, a):
    ctx.axis, ctx.keepdim, ctx.in_shape = None, False, a.shape
    return np.mean(a, dtype=a.dtype)


@_mean_all.backward
def _(ctx, g):
    return (_expand_back(g, ctx) / max(int(np.prod(ctx.in_shape)), 1),)


@op("mean_dim", "MeanBackward1", "none")
def _mean_dim(ctx, a, dim=None, keepdim=False):
    ctx.axis, ctx.keepdim, ctx.in_shape = dim, keepdim, a.shape
    ctx.count = int(np.prod([a.shape[d] for d in dim]))
    return np.mean(a, axis=dim, keepdims=keepdim, dtype=a.dtype)


@_mean_dim.backward
def _(ctx, g):
    return (_expand_back(g, ctx) / ctx.count,)


@op("max", "MaxBackward1", "none")
def _max_all(ctx, a):
    out = np.max(a)
    _save(ctx, a == out)
    return out


@_max_all.backward
def _(ctx, g):
    mask = ctx.saved[0]
    return (g * mask / mask.sum(),)  # ties share the gradient evenly


@op("max_dim", "MaxBackward0", "none")
def _max_dim(ctx, a, dim=0, keepdim=False):
    indices = np.argmax(a, axis=dim, keepdims=True)  # the first maximum, as PyTorch picks it
    ctx.axis, ctx.keepdim, ctx.in_shape = dim, keepdim, a.shape
    _save(ctx, indices)
    out = np.take_along_axis(a, indices, axis=dim)
    return out if keepdim else np.squeeze(out, axis=dim)


@_max_dim.backward
def _(ctx, g):
    (indices,) = ctx.saved
    grad = np.zeros(ctx.in_shape, dtype=g.dtype)
    if not ctx.keepdim:
        g = np.expand_dims(g, ctx.axis)
    np.put_along_axis(grad, indices, g, axis=ctx.axis)
    return (grad,)


# ---------------------------------------------------------------- shape
def _back_to_input_shape(ctx, g):
    return (g.reshape(ctx.in_shape),)


def _shape_op(name: str, grad_fn: str, fn: Callable[..., np.ndarray]) -> None:
    """A view-like op: the gradient is the incoming one put back into the input's shape."""

    def forward(ctx, a, *args, **kwargs):
        ctx.in_shape = a.shape
        return fn(a, *args, **kwargs)

    OPS[name] = Op(name, grad_fn, forward, _back_to_input_shape, "none")


_shape_op("view", "ViewBackward0", lambda a, shape: a.reshape(shape))
_shape_op("unsafe_view", "UnsafeViewBackward0", lambda a, shape: a.reshape(shape))
_shape_op("unsqueeze", "UnsqueezeBackward0", lambda a, dim: np.expand_dims(a, dim))
_shape_op("squeeze", "SqueezeBackward0", lambda a: np.squeeze(a))
_shape_op("squeeze_dim", "SqueezeBackward1",
          lambda a, dim: np.squeeze(a, dim) if a.shape[dim] == 1 else a)
_shape_op("squeeze_matmul", "SqueezeBackward4", lambda a, dim: np.squeeze(a, dim))


@op("clone", "CloneBackward0", "none")
def _clone(ctx, a):
    return a.copy()


_clone.backward(lambda ctx, g: (g,))


@op("to_copy", "ToCopyBackward0", "none")
def _to_copy(ctx, a, dtype=None):
    return a.astype(dtype)


_to_copy.backward(lambda ctx, g: (g,))  # the engine casts the gradient back to the input's dtype


@op("expand", "ExpandBackward0", "none")
def _expand(ctx, a, shape=()):
    return np.broadcast_to(a, shape)


_expand.backward(lambda ctx, g: (g,))  # the engine sums the gradient back to the input's shape


def _swap_back(ctx, g):
    return (np.swapaxes(g, ctx.dims[0], ctx.dims[1]),)


@op("transpose", "TransposeBackward0", "none")
def _transpose(ctx, a, dim0=0, dim1=1):
    ctx.dims = (dim0, dim1)
    return np.swapaxes(a, dim0, dim1)


_transpose.backward(_swap_back)


@op("t", "TBackward0", "none")
def _t(ctx, a):
    ctx.dims = (0, 1) if a.ndim == 2 else None  # t() of a 0-d or 1-d tensor changes nothing
    return a.T


def _t_backward(ctx, g):
    return (g.T,)


_t.backward(_t_backward)


@op("permute", "PermuteBackward0", "none")
def _permute(ctx, a, dims=()):
    ctx.dims = tuple(d % a.ndim for d in dims) if a.ndim else ()
    return np.transpose(a, ctx.dims)


@_permute.backward
def _(ctx, g):
    return (np.transpose(g, np.argsort(ctx.dims)),)


# ---------------------------------------------------------------- indexing and joining
def _scatter_back(ctx, g):
    grad = np.zeros(ctx.in_shape, dtype=g.dtype)
    grad[ctx.key] = g
    return (grad,)


@op("select", "SelectBackward0", "none")
def _select(ctx, a, dim=0, index=0):
    ctx.in_shape = a.shape
    ctx.key = (slice(None),) * dim + (index,)
    return a[ctx.key]


_select.backward(_scatter_back)


@op("slice", "SliceBackward0", "none")
def _slice(ctx, a, dim=0, key=slice(None)):
    ctx.in_shape = a.shape
    ctx.key = (slice(None),) * dim + (key,)
    return a[ctx.key]


_slice.backward(_scatter_back)


@op("index", "IndexBackward0", "none")
def _index(ctx, a, key=()):
    ctx.in_shape = a.shape
    ctx.key = key
    return a[key]


@_index.backward
def _(ctx, g):
    grad = np.zeros(ctx.in_shape, dtype=g.dtype)
    np.add.at(grad, ctx.key, g)  # an element picked twice gets both gradients
    return (grad,)


@op("cat", "CatBackward0")
def _cat(ctx, *arrays, dim=0):
    ctx.axis = dim
    ctx.splits = np.cumsum([a.shape[dim] for a in arrays])[:-1]
    return np.concatenate(arrays, axis=dim)


@_cat.backward
def _(ctx, g):
    return tuple(np.split(g, ctx.splits, axis=ctx.axis))


@op("stack", "StackBackward0")
def _stack(ctx, *arrays, dim=0):
    ctx.axis = dim
    return np.stack(arrays, axis=dim)


@_stack.backward
def _(ctx, g):
    return tuple(np.moveaxis(g, ctx.axis, 0))


# ---------------------------------------------------------------- linear algebra
@op("mm", "MmBackward0")
def _mm(ctx, a, b):
    _save(ctx, a if ctx.needs[1] else None, b if ctx.needs[0] else None)
    return a @ b


@_mm.backward
def _(ctx, g):
    a, b = ctx.saved
    return (g @ b.T if b is not None else None), (a.T @ g if a is not None else None)


@op("mv", "MvBackward0")
def _mv(ctx, a, v):
    _save(ctx, a if ctx.needs[1] else None, v if ctx.needs[0] else None)
    return a @ v


@_mv.backward
def _(ctx, g):
    a, v = ctx.saved
    return (np.outer(g, v) if v is not None else None), (a.T @ g if a is not None else None)


@op("dot", "DotBackward0")
def _dot(ctx, a, b):
    _save(ctx, a if ctx.needs[1] else None, b if ctx.needs[0] else None)
    return np.dot(a, b)


@_dot.backward
def _(ctx, g):
    a, b = ctx.saved
    return (g * b if b is not None else None), (g * a if a is not None else None)


@op("bmm", "BmmBackward0")
def _bmm(ctx, a, b):
    _save(ctx, a if ctx.needs[1] else None, b if ctx.needs[0] else None)
    return np.matmul(a, b)


@_bmm.backward
def _(ctx, g):
    a, b = ctx.saved
    return (
        g @ np.swapaxes(b, -1, -2) if b is not None else None,
        np.swapaxes(a, -1, -2) @ g if a is not None else None,
    )


# ---------------------------------------------------------------- softmax and losses
def _shifted_log_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    """(a - max) - log(sum(exp(a - max))): subtracting the max keeps exp() from overflowing,
    and subtracting it first (not adding it to the log-sum) keeps float32 precise."""
    shifted = a - np.max(a, axis=axis, keepdims=True)  # inf in, nan out: as in PyTorch
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


@op("softmax", "SoftmaxBackward0", "float")
def _softmax(ctx, a, dim=-1):
    ctx.axis = dim
    out = np.exp(_shifted_log_softmax(a, dim))
    _save(ctx, out)
    return out


@_softmax.backward
def _(ctx, g):
    out = ctx.saved[0]
    return (out * (g - np.sum(g * out, axis=ctx.axis, keepdims=True)),)


@op("log_softmax", "LogSoftmaxBackward0", "float")
def _log_softmax(ctx, a, dim=-1):
    ctx.axis = dim
    out = _shifted_log_softmax(a, dim)
    _save(ctx, out)
    return out


@_log_softmax.backward
def _(ctx, g):
    out = ctx.saved[0]
    return (g - np.exp(out) * np.sum(g, axis=ctx.axis, keepdims=True),)


def _reduce_loss(loss: np.ndarray, reduction: str, dtype: np.dtype) -> np.ndarray:
    if reduction == "mean":
        return np.mean(loss, dtype=dtype)
    if reduction == "sum":
        return np.sum(loss, dtype=dtype)
    return loss


def _loss_scale(ctx, g):
    """The incoming gradient spread over the elements the loss reduced."""
    if ctx.reduction == "none":
        return g
    return np.broadcast_to(g / (ctx.count if ctx.reduction == "mean" else 1), ctx.in_shape)


@op("mse_loss", "MseLossBackward0")
def _mse_loss(ctx, a, target, reduction="mean"):
    diff = a - target
    _save(ctx, diff)
    ctx.reduction, ctx.count, ctx.in_shape = reduction, diff.size, diff.shape
    return _reduce_loss(diff * diff, reduction, diff.dtype)


@_mse_loss.backward
def _(ctx, g):
    grad = 2 * ctx.saved[0] * _loss_scale(ctx, g)
    return grad, -grad


@op("nll_loss", "NllLossBackward0", "none")
def _nll_loss(ctx, logp, target=None, weight=None, ignore_index=-100, reduction="mean"):
    # ``target`` holds class indices; it is data, not an input of the graph (as in PyTorch).
    two_d = logp.ndim == 2
    keep = target != ignore_index
    safe = np.where(keep, target, 0)
    rows = np.arange(logp.shape[0]) if two_d else ()
    w = (weight[safe] if weight is not None else np.ones(np.shape(safe), logp.dtype)) * keep
    w = w.astype(logp.dtype)
    picked = -(logp[rows, safe] if two_d else logp[safe]) * w
    ctx.logp_shape, ctx.rows, ctx.target, ctx.w, ctx.keep = logp.shape, rows, safe, w, keep
    ctx.reduction, ctx.in_shape = reduction, picked.shape
    if reduction == "mean":
        ctx.total = w.sum(dtype=logp.dtype)
        return np.asarray(picked.sum(dtype=logp.dtype) / ctx.total, dtype=logp.dtype)
    if reduction == "sum":
        return picked.sum(dtype=logp.dtype)
    return picked


@_nll_loss.backward
def _(ctx, g):
    grad = np.zeros(ctx.logp_shape, dtype=g.dtype)
    scale = np.broadcast_to(-ctx.w * (g / ctx.total if ctx.reduction == "mean" else g),
                            ctx.w.shape)
    keep = ctx.keep  # ignored targets get no gradient at all (not -0.)
    if len(ctx.logp_shape) == 2:
        grad[ctx.rows[keep], ctx.target[keep]] = scale[keep]
    elif keep:
        grad[ctx.target] = scale
    return (grad,)


@op("binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0")
def _bce_logits(ctx, x, target, weight=None, pos_weight=None, reduction="mean"):
    ctx.saved = (x, target)
    ctx.weight, ctx.pos_weight = weight, pos_weight
    ctx.reduction, ctx.count, ctx.in_shape = reduction, np.broadcast(x, target).size, x.shape
    # (1 - t) * x - log(sigmoid(x)), with log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)):
    # finite for x = +-1000, as torch's
    log_sigmoid = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
    if pos_weight is not None:
        log_sigmoid = log_sigmoid * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * x - log_sigmoid
    if weight is not None:
        loss = loss * weight
    return _reduce_loss(loss.astype(x.dtype), reduction, x.dtype)


@_bce_logits.backward
def _(ctx, g):
    x, target = ctx.saved
    scale = _loss_scale(ctx, g)
    e = np.exp(-np.abs(x))
    sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    if ctx.pos_weight is not None:
        t = ctx.pos_weight * target
        grad_x = (t + 1 - target) * sig - t
    else:
        grad_x = sig - target
    if ctx.weight is not None:
        grad_x = grad_x * ctx.weight
    grad_t = -x * scale if ctx.needs[1] else None
    return (grad_x * scale).astype(x.dtype), grad_t


# ---------------------------------------------------------------- nn layers and losses
@op("addmm", "AddmmBackward0")  # bias + mat1 @ mat2: nn.Linear's one op for a 2-D input
def _addmm(ctx, bias, mat1, mat2):
    needs = ctx.needs
    ctx.saved = (mat1 if needs[2] else None, mat2 if needs[1] else None)
    return mat1 @ mat2 + bias


@_addmm.backward
def _(ctx, g):
    mat1, mat2 = ctx.saved
    return (g if ctx.needs[0] else None, g @ mat2.T if mat2 is not None else None,
            mat1.T @ g if mat1 is not None else None)


@op("leaky_relu", "LeakyReluBackward0")
def _leaky_relu(ctx, a, negative_slope=0.01):
    ctx.saved = (a,)
    ctx.slope = negative_slope
    return np.where(a > 0, a, a * negative_slope)


_leaky_relu.backward(lambda ctx, g: (np.where(ctx.saved[0] > 0, g, g * ctx.slope),))


@op("elu", "EluBackward0")
def _elu(ctx, a, alpha=1.0):
    ctx.saved = (a,)
    ctx.alpha = alpha
    return np.where(a > 0, a, alpha * np.expm1(a)).astype(a.dtype, copy=False)


_elu.backward(lambda ctx, g: (np.where(ctx.saved[0] > 0, g,
                                       g * ctx.alpha * np.exp(ctx.saved[0])),))

_ERF = np.frompyfunc(math.erf, 1, 1)


@op("gelu", "GeluBackward0")
def _gelu(ctx, a, approximate="none"):
    ctx.saved = (a,)
    ctx.approximate = approximate
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (a + 0.044715 * a**3)
        return (0.5 * a * (1 + np.tanh(inner))).astype(a.dtype, copy=False)
    cdf = 0.5 * (1 + _ERF(a.astype(np.float64) / math.sqrt(2)).astype(np.float64))
    return (a * cdf).astype(a.dtype)


@_gelu.backward
def _(ctx, g):
    (a,) = ctx.saved
    if ctx.approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        inner = np.tanh(k * (a + 0.044715 * a**3))
        d_inner = k * (1 + 3 * 0.044715 * a * a)
        return (g * (0.5 * (1 + inner) + 0.5 * a * (1 - inner * inner) * d_inner),)
    x = a.astype(np.float64)
    cdf = 0.5 * (1 + _ERF(x / math.sqrt(2)).astype(np.float64))
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return ((g * (cdf + x * pdf)).astype(a.dtype),)


@op("softplus", "SoftplusBackward0")
def _softplus(ctx, a, beta=1.0, threshold=20.0):
    ctx.saved = (a,)
    ctx.beta, ctx.threshold = beta, threshold
    scaled = a * beta
    return np.where(scaled > threshold, a, np.log1p(np.exp(scaled)) / beta).astype(a.dtype)


@_softplus.backward
def _(ctx, g):
    (a,) = ctx.saved
    z = np.exp(a * ctx.beta)
    return (np.where(a * ctx.beta > ctx.threshold, g, g * z / (z + 1)),)


@op("smooth_l1_loss", "SmoothL1LossBackward0")
def _smooth_l1_loss(ctx, a, target, reduction="mean", beta=1.0):
    diff = a - target
    ctx.saved = (diff,)
    ctx.reduction, ctx.count, ctx.in_shape, ctx.beta = reduction, diff.size, diff.shape, beta
    absolute = np.abs(diff)
    loss = np.where(absolute < beta, 0.5 * diff * diff / beta, absolute - 0.5 * beta)
    return _reduce_loss(loss.astype(diff.dtype), reduction, diff.dtype)


@_smooth_l1_loss.backward
def _(ctx, g):
    (diff,) = ctx.saved
    beta = ctx.beta
    grad = np.where(diff <= -beta, -1.0, np.where(diff >= beta, 1.0, diff / beta))
    grad = (grad * _loss_scale(ctx, g)).astype(diff.dtype)
    return grad, -grad


_EPSILON = 1e-12  # torch's floor for p * (1 - p) in binary_cross_entropy's gradient


@op("binary_cross_entropy", "BinaryCrossEntropyBackward0")
def _binary_cross_entropy(ctx, p, target, weight=None, reduction="mean"):
    ctx.saved = (p, target)
    ctx.weight = weight
    ctx.reduction, ctx.count, ctx.in_shape = reduction, p.size, p.shape
    # torch clamps each log at -100, so p = 0 or 1 gives a finite loss
    loss = -(target * np.maximum(np.log(p), -100) + (1 - target) * np.maximum(np.log1p(-p), -100))
    if weight is not None:
        loss = loss * weight
    return _reduce_loss(loss.astype(p.dtype), reduction, p.dtype)


@_binary_cross_entropy.backward
def _(ctx, g):
    p, target = ctx.saved
    scale = _loss_scale(ctx, g)
    if ctx.weight is not None:
        scale = scale * ctx.weight
    grad_p = scale * (p - target) / np.maximum((1 - p) * p, _EPSILON)
    grad_t = None
    if ctx.needs[1]:
        grad_t = scale * (np.maximum(np.log1p(-p), -100) - np.maximum(np.log(p), -100))
    return grad_p.astype(p.dtype), grad_t


@op("mul_scalar", "MulBackward1")
def _mul_scalar(ctx, a, other=1):
    ctx.other = other
    return a * other


_mul_scalar.backward(lambda ctx, g: (g * ctx.other,))


@op("div_scalar", "DivBackward1", "float")
def _div_scalar(ctx, a, other=1):
    ctx.other = other
    return a / other


_div_scalar.backward(lambda ctx, g: (g / ctx.other,))


@op("masked_fill", "MaskedFillBackward0", "none")
def _masked_fill(ctx, a, mask=None, value=0.0):
    ctx.mask = mask
    return np.where(mask, a.dtype.type(value), a)


_masked_fill.backward(lambda ctx, g: (np.where(ctx.mask, 0, g).astype(g.dtype),))
