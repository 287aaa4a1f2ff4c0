"""The op table: every primitive operation, declared once, forward beside backward.

Each entry says four things, as tinygrad's gradient table and micrograd's ops do:
- ``name``: the op, as :func:`cgengine.tensor.apply` calls it;
- ``grad_fn``: the class name PyTorch 2.13 gives the recorded node (``MulBackward0``);
- ``forward(ctx, *inputs, **params)``: computes the result from numpy arrays (python numbers pass
  through as numbers). It puts on ``ctx`` what backward will need, as PyTorch's derivatives.yaml
  does: ``ctx.saved``, the *inputs* the rule reads (the very arrays it was given), and
  ``ctx.result``, the output, when the rule reads it; other facts (a dim, a shape, indices) are
  plain attributes and carry no gradient. It saves an input only when the rule will read it
  (``ctx.needs`` says which inputs need a gradient), as PyTorch does: that keeps memory low;
- ``backward(ctx, g)``: the chain rule's local step: given d(out) it returns d(input) for each
  input, in order, ``None`` where there is none. Broadcasting is undone by the engine
  (:func:`cgengine.autograd.reduce_to_shape`), so the rules here are the plain formulas.

The rules are written once, with python operators and the functions of :mod:`cgengine.formulas`
(``f``), following torch's formulas: a plain backward runs them on numpy arrays, and
``create_graph=True`` runs them on tensors, recording the derivative with torch's names (see
that module). ``ops.OPS["mul"]`` is the whole story of ``a * b``: ``Tensor.__mul__`` calls
``apply(OPS["mul"], a, b)``, which runs ``_mul`` below and records a MulBackward0 node whose
rule is the function under it.

Composite functions (``2 / a`` is ``reciprocal(a) * 2``, ``cross_entropy`` is ``nll_loss`` of
``log_softmax``) are built in :mod:`cgengine.functional` from these primitives, following the
names PyTorch records. Ops named ``*_backward`` are torch's backward kernels, used by the rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from cgengine import formulas as f
from cgengine.autograd import Node, node_class


class Op:
    """One primitive: its name, PyTorch grad_fn name, forward and backward rule."""

    __slots__ = ("name", "grad_fn", "forward", "backward", "dtypes", "node", "number_params",
                 "scalar", "view")

    def __init__(self, name: str, grad_fn: str, forward: Callable[..., np.ndarray],
                 backward: Callable[..., tuple], dtypes: str = "promote",
                 view: bool = False) -> None:
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
        #: The op a backward formula records for this op with a python number (torch's Scalar
        #: overload: ``grad * 2`` in a formula is MulBackward1), or None.
        self.scalar: Op | None = None
        #: The result shares the input's memory (a view): in-place changes show through.
        self.view = view

    def __repr__(self) -> str:
        return f"Op({self.name!r}, {self.grad_fn!r})"


OPS: dict[str, Op] = {}
_NUMBER_PARAMS = {"rsub": ("other",), "pow": ("exponent",), "rpow": ("base",),
                  "addcmul": ("value",), "addcdiv": ("value",),
                  "clamp": ("min", "max"), "add_scalar": ("other",), "sub_scalar": ("other",),
                  "mul_scalar": ("other",), "div_scalar": ("other",)}


def op(name: str, grad_fn: str, dtypes: str = "promote",
       view: bool = False) -> Callable[[Callable], Callable]:
    """Register ``forward`` under ``name``; the function's ``.backward`` decorator adds the rule.

    This is the one way to add an op: ``@op(...)`` on the forward, ``@forward.backward`` on the
    rule (or ``forward.backward(rule)`` to share a rule between ops).
    """

    def register(forward: Callable[..., np.ndarray]) -> Callable:
        def set_backward(backward: Callable[..., tuple]) -> Callable[..., tuple]:
            OPS[name] = Op(name, grad_fn, forward, backward, dtypes, view)
            return backward

        forward.backward = set_backward  # type: ignore[attr-defined]
        return forward

    return register


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
    return g, (-g if ctx.alpha == 1 else -g * ctx.alpha)


@op("rsub", "RsubBackward1")  # other - alpha * a, for ``2 - a``: the number is not an input
def _rsub(ctx, a, other=0, alpha=1):
    ctx.alpha = alpha
    return other - a if alpha == 1 else other - alpha * a


@_rsub.backward
def _(ctx, g):
    return (-g if ctx.alpha == 1 else -g * ctx.alpha,)


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
    ctx.saved = (a if ctx.needs[1] else None, b)
    return a / b


@_div.backward
def _(ctx, g):
    a, b = ctx.saved
    return ((g / b if ctx.needs[0] else None),
            (-g * ((a / b) / b) if a is not None else None))


@op("reciprocal", "ReciprocalBackward0", "float")
def _reciprocal(ctx, a):
    ctx.result = out = 1 / a
    return out


@_reciprocal.backward
def _(ctx, g):
    out = ctx.result
    return (-g * (out * out),)


@op("neg", "NegBackward0")
def _neg(ctx, a):
    return -a


_neg.backward(lambda ctx, g: (-g,))


@op("pow", "PowBackward0")  # tensor ** number
def _pow(ctx, a, exponent=2):
    ctx.saved = (a,)
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
    e = float(ctx.exponent)  # torch takes the exponent as a double here: a ** 1.0 for x ** 2
    if e == 0:
        return (f.zeros_like(a),)
    return (g * (e * a ** (e - 1)),)


@op("pow_tensor", "PowBackward1")  # tensor ** tensor
def _pow_tensor(ctx, a, b):
    out = a**b
    ctx.saved = (a, b)
    if ctx.needs[1]:
        ctx.result = out
    return out


@_pow_tensor.backward
def _(ctx, g):
    a, b = ctx.saved
    grad_a = grad_b = None
    if ctx.needs[0]:  # d(a^0)/da = 0, even at a = 0
        grad_a = f.where(b == 0.0, 0.0, g * (b * a ** (b - 1)))
    if ctx.needs[1]:  # d(a^b)/db = a^b log(a), taken as 0 where a == 0 and b >= 0
        grad_b = g * f.where((a == 0) & (b >= 0), 0.0, ctx.result * f.log(a))
    return grad_a, grad_b


@op("rpow", "PowBackward2")  # number ** tensor
def _rpow(ctx, a, base=2.0):
    ctx.result = out = np.power(base, a)
    ctx.base = base
    if base == 0:
        ctx.saved = (a,)
    return out


@_rpow.backward
def _(ctx, g):
    out = ctx.result
    if ctx.base == 0:  # log(0) is -inf: torch takes the gradient as 0 where the exponent >= 0
        return (g * f.where(ctx.saved[0] >= 0, 0.0, out * -math.inf),)
    return (g * (out * math.log(ctx.base)),)


# ---------------------------------------------------------------- torch's Scalar overloads
# ``grad * 2`` inside a backward formula: torch's C++ records mul.Scalar (MulBackward1), where a
# user's ``a * 2`` records mul.Tensor with a wrapped number (MulBackward0); cgengine.tensor.apply
# switches to these while a rule runs on tensors (see cgengine.formulas).
@op("add_scalar", "AddBackward1")
def _add_scalar(ctx, a, other=0):
    return a + other


_add_scalar.backward(lambda ctx, g: (g,))


@op("sub_scalar", "SubBackward1")
def _sub_scalar(ctx, a, other=0):
    return a - other


_sub_scalar.backward(lambda ctx, g: (g,))


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

for _name in ("add", "sub", "mul", "div"):
    OPS[_name].scalar = OPS[f"{_name}_scalar"]


# ---------------------------------------------------------------- elementwise functions
@op("exp", "ExpBackward0", "float")
def _exp(ctx, a):
    ctx.result = out = np.exp(a)
    return out


_exp.backward(lambda ctx, g: (g * ctx.result,))


@op("log", "LogBackward0", "float")
def _log(ctx, a):
    ctx.saved = (a,)
    return np.log(a)


_log.backward(lambda ctx, g: (g / ctx.saved[0],))


@op("sqrt", "SqrtBackward0", "float")
def _sqrt(ctx, a):
    ctx.result = out = np.sqrt(a)
    return out


_sqrt.backward(lambda ctx, g: (g / (2 * ctx.result),))


@op("abs", "AbsBackward0")
def _abs(ctx, a):
    ctx.saved = (a,)
    return np.abs(a)


_abs.backward(lambda ctx, g: (g * f.sgn(ctx.saved[0]),))  # sgn(0) = 0: torch's |x|' at 0


@op("sgn", "SgnBackward0")
def _sgn(ctx, a):
    return np.sign(a)


_sgn.backward(lambda ctx, g: (f.zeros_like(g),))  # flat everywhere (and 0 at the jump)


@op("sin", "SinBackward0", "float")
def _sin(ctx, a):
    ctx.saved = (a,)
    return np.sin(a)


_sin.backward(lambda ctx, g: (g * f.cos(ctx.saved[0]),))


@op("cos", "CosBackward0", "float")
def _cos(ctx, a):
    ctx.saved = (a,)
    return np.cos(a)


_cos.backward(lambda ctx, g: (g * -f.sin(ctx.saved[0]),))


@op("tanh", "TanhBackward0", "float")
def _tanh(ctx, a):
    ctx.result = out = np.tanh(a)
    return out


_tanh.backward(lambda ctx, g: (f.tanh_backward(g, ctx.result),))


@op("tanh_backward", "TanhBackwardBackward0")
def _tanh_backward(ctx, g, out):
    ctx.saved = (g if ctx.needs[1] else None, out)
    return g * (1 - out * out)


@_tanh_backward.backward
def _(ctx, gg):
    g, out = ctx.saved
    return ((f.tanh_backward(gg, out) if ctx.needs[0] else None),
            (gg * (-2 * out * g) if ctx.needs[1] else None))


@op("sigmoid", "SigmoidBackward0", "float")
def _sigmoid(ctx, a):
    # torch's kernel, 1 / (1 + exp(-a)): for a = -1000 exp overflows to inf and the result is
    # exactly 0 (numpy's overflow warning is off: see cgengine/__init__.py)
    ctx.result = out = np.asarray(1 / (1 + np.exp(-a)))
    return out


_sigmoid.backward(lambda ctx, g: (f.sigmoid_backward(g, ctx.result),))


@op("sigmoid_backward", "SigmoidBackwardBackward0")
def _sigmoid_backward(ctx, g, out):
    ctx.saved = (g if ctx.needs[1] else None, out)
    return g * (1 - out) * out


@_sigmoid_backward.backward
def _(ctx, gg):
    g, out = ctx.saved
    return ((f.sigmoid_backward(gg, out) if ctx.needs[0] else None),
            (gg * g * (-2 * out + 1) if ctx.needs[1] else None))


@op("relu", "ReluBackward0")
def _relu(ctx, a):
    ctx.result = out = np.maximum(a, 0)
    return out


_relu.backward(lambda ctx, g: (f.threshold_backward(g, ctx.result, 0),))  # relu'(0) = 0


@op("threshold_backward", "ThresholdBackwardBackward0")
def _threshold_backward(ctx, g, x, threshold=0):
    ctx.saved = (x,)
    ctx.threshold = threshold
    return np.where(x <= threshold, 0, g).astype(g.dtype, copy=False)


@_threshold_backward.backward
def _(ctx, gg):
    (x,) = ctx.saved
    return f.threshold_backward(gg, x, ctx.threshold), f.zeros_like(gg)


@op("clamp", "ClampBackward1")
def _clamp(ctx, a, min=None, max=None):
    ctx.saved = (a,)
    ctx.bounds = (min, max)
    return np.clip(a, min, max)


@_clamp.backward
def _(ctx, g):
    (a,) = ctx.saved
    lo, hi = ctx.bounds
    if lo is not None and hi is not None:
        mask = (a >= lo) & (a <= hi)
    else:
        mask = a >= lo if lo is not None else a <= hi
    return (f.where(mask, g, 0.0),)


def _pick_backward(ctx, g):
    # Where the two inputs tie, each gets half of the gradient, as PyTorch does.
    a, b = ctx.saved
    half = f.where(a == b, g / 2, g)
    first_wins, second_wins = (a > b, a < b) if ctx.name_is_max else (a < b, a > b)
    return f.masked_fill(half, second_wins, 0), f.masked_fill(half, first_wins, 0)


@op("maximum", "MaximumBackward0")
def _maximum(ctx, a, b):
    ctx.saved = (a, b)
    ctx.name_is_max = True
    return np.maximum(a, b)


_maximum.backward(_pick_backward)


@op("minimum", "MinimumBackward0")
def _minimum(ctx, a, b):
    ctx.saved = (a, b)
    ctx.name_is_max = False
    return np.minimum(a, b)


_minimum.backward(_pick_backward)


@op("where", "WhereBackward0")  # where(condition, a, b): the condition is data, not an input
def _where(ctx, a, b, condition=None):
    ctx.condition = condition
    return np.where(condition, a, b)


@_where.backward
def _(ctx, g):
    return f.where(ctx.condition, g, 0.0), f.where(ctx.condition, 0.0, g)


@op("masked_fill", "MaskedFillBackward0", "none")  # the value is a python number
def _masked_fill(ctx, a, mask=None, value=0):
    ctx.mask = mask
    return np.where(mask, value, a).astype(a.dtype, copy=False)


_masked_fill.backward(lambda ctx, g: (f.masked_fill(g, ctx.mask, 0),))


@op("masked_fill_tensor", "MaskedFillBackward1", "none")  # the value is a 0-d tensor
def _masked_fill_tensor(ctx, a, value, mask=None):
    ctx.mask = mask
    return np.where(mask, value, a).astype(a.dtype, copy=False)


@_masked_fill_tensor.backward
def _(ctx, g):
    mask = ctx.mask
    return f.masked_fill(g, mask, 0), f.sum_dims(f.masked_select(g, mask), None, False)


@op("masked_select", "MaskedSelectBackward0", "none")  # the elements where the mask is set
def _masked_select(ctx, a, mask=None):
    a, mask = np.broadcast_arrays(a, mask)
    ctx.mask, ctx.in_shape = mask, a.shape
    return a[mask]


_masked_select.backward(lambda ctx, g: (
    f.masked_scatter(f.zeros(ctx.in_shape, like=g), ctx.mask, g),))


@op("masked_scatter", "MaskedScatterBackward0")  # a with source's first elements where mask is
def _masked_scatter(ctx, a, source, mask=None):
    ctx.mask, ctx.source_shape = mask, source.shape
    out = np.array(np.broadcast_to(a, np.broadcast_shapes(a.shape, mask.shape)))
    out[mask] = source.reshape(-1)[:int(mask.sum())]
    return out


@_masked_scatter.backward
def _(ctx, g):
    selected = f.masked_select(g, ctx.mask)
    missing = math.prod(ctx.source_shape) - selected.shape[0]
    if missing > 0:  # source elements the mask did not use get no gradient
        selected = f.cat([selected, f.zeros((missing,), like=g)])
    return f.masked_fill(g, ctx.mask, 0), f.reshape(selected, ctx.source_shape)


# ---------------------------------------------------------------- reductions
def _sum_backward(g, ctx):
    """Spread a reduced gradient back over the reduced axes (torch's sum_backward)."""
    if ctx.axis is not None and not ctx.keepdim:
        for axis in ctx.axis:  # ascending, as torch's unsqueeze_multiple
            g = f.unsqueeze(g, axis)
    return f.expand(g, ctx.in_shape)


@op("sum", "SumBackward0", "none")
def _sum_all(ctx, a):
    ctx.axis, ctx.keepdim, ctx.in_shape = None, False, a.shape
    return np.sum(a, dtype=np.int64 if a.dtype.kind in "bi" else a.dtype)


_sum_all.backward(lambda ctx, g: (_sum_backward(g, ctx),))


@op("sum_dim", "SumBackward1", "none")
def _sum_dim(ctx, a, dim=None, keepdim=False):
    ctx.axis, ctx.keepdim, ctx.in_shape = dim, keepdim, a.shape
    dtype = np.int64 if a.dtype.kind in "bi" else a.dtype  # integer sums are int64, as in torch
    return np.sum(a, axis=dim, keepdims=keepdim, dtype=dtype)


_sum_dim.backward(lambda ctx, g: (_sum_backward(g, ctx),))


@op("mean", "MeanBackward0", "none")
def _mean_all(ctx, a):
    ctx.axis, ctx.keepdim, ctx.in_shape = None, False, a.shape
    return np.mean(a, dtype=a.dtype)


_mean_all.backward(lambda ctx, g: (_sum_backward(g, ctx) / max(math.prod(ctx.in_shape), 1),))


@op("mean_dim", "MeanBackward1", "none")
def _mean_dim(ctx, a, dim=None, keepdim=False):
    ctx.axis, ctx.keepdim, ctx.in_shape = dim, keepdim, a.shape
    ctx.count = math.prod(a.shape[d] for d in dim)
    return np.mean(a, axis=dim, keepdims=keepdim, dtype=a.dtype)


_mean_dim.backward(lambda ctx, g: (_sum_backward(g, ctx) / ctx.count,))


@op("max", "MaxBackward1", "none")
def _max_all(ctx, a):
    ctx.saved = (a,)
    ctx.result = out = np.asarray(np.max(a))
    return out


@_max_all.backward
def _(ctx, g):
    # ties share the gradient evenly (torch's evenly_distribute_backward)
    a, out = ctx.saved[0], ctx.result
    mask = f.isnan(a) if f.isnan(out) else a == out
    return (f.masked_fill(f.zeros_like(a), mask, g / mask.sum()),)


@op("max_dim", "MaxBackward0", "none")
def _max_dim(ctx, a, dim=0, keepdim=False):
    indices = np.argmax(a, axis=dim, keepdims=True)  # the first maximum, as PyTorch picks it
    ctx.axis, ctx.keepdim, ctx.in_shape, ctx.indices = dim, keepdim, a.shape, indices
    out = np.take_along_axis(a, indices, axis=dim)
    return out if keepdim else np.squeeze(out, axis=dim)


@_max_dim.backward
def _(ctx, g):
    if not ctx.keepdim:
        g = f.unsqueeze(g, ctx.axis)
    return (f.scatter(f.zeros(ctx.in_shape, like=g), ctx.axis, ctx.indices, g),)


# ---------------------------------------------------------------- shape (views of the input)
@op("view", "ViewBackward0", "none", view=True)
def _view(ctx, a, shape=()):
    ctx.in_shape = a.shape
    return a.reshape(shape)


_view.backward(lambda ctx, g: (f.reshape(g, ctx.in_shape),))


@op("unsafe_view", "UnsafeViewBackward0", "none")
def _unsafe_view(ctx, a, shape=()):
    ctx.in_shape = a.shape
    return a.reshape(shape)


_unsafe_view.backward(lambda ctx, g: (f.reshape(g, ctx.in_shape),))


@op("unsqueeze", "UnsqueezeBackward0", "none", view=True)
def _unsqueeze(ctx, a, dim=0):
    ctx.dim = dim
    return np.expand_dims(a, dim)


_unsqueeze.backward(lambda ctx, g: (f.squeeze(g, ctx.dim),))


def _unsqueeze_to(g, ctx, dims):
    """Put back the size-1 dims a squeeze removed (torch's unsqueeze_to)."""
    for d in dims:
        if ctx.in_shape[d] == 1:
            g = f.unsqueeze(g, d)
    return g


@op("squeeze", "SqueezeBackward0", "none", view=True)
def _squeeze(ctx, a):
    ctx.in_shape = a.shape
    return np.squeeze(a)


_squeeze.backward(lambda ctx, g: (_unsqueeze_to(g, ctx, range(len(ctx.in_shape))),))


@op("squeeze_dim", "SqueezeBackward1", "none", view=True)
def _squeeze_dim(ctx, a, dim=0):
    ctx.in_shape, ctx.dim = a.shape, dim
    return np.squeeze(a, dim) if a.shape[dim] == 1 else a[...]


_squeeze_dim.backward(lambda ctx, g: (_unsqueeze_to(g, ctx, (ctx.dim,)),))


@op("squeeze_matmul", "SqueezeBackward4", "none")  # torch squeezes its own mm result in place
def _squeeze_matmul(ctx, a, dim=0):
    ctx.in_shape, ctx.dim = a.shape, dim
    return np.squeeze(a, dim)


_squeeze_matmul.backward(lambda ctx, g: (_unsqueeze_to(g, ctx, (ctx.dim,)),))


@op("expand", "ExpandBackward0", "none", view=True)
def _expand(ctx, a, shape=()):
    return np.broadcast_to(a, shape)


_expand.backward(lambda ctx, g: (g,))  # the engine sums the gradient back to the input's shape


@op("transpose", "TransposeBackward0", "none", view=True)
def _transpose(ctx, a, dim0=0, dim1=1):
    ctx.dims = (dim0, dim1)
    return np.swapaxes(a, dim0, dim1)


_transpose.backward(lambda ctx, g: (f.transpose(g, *ctx.dims),))


@op("t", "TBackward0", "none", view=True)
def _t(ctx, a):
    return a.T


_t.backward(lambda ctx, g: (f.t(g),))


@op("permute", "PermuteBackward0", "none", view=True)
def _permute(ctx, a, dims=()):
    ctx.dims = tuple(d % a.ndim for d in dims) if a.ndim else ()
    return np.transpose(a, ctx.dims)


_permute.backward(lambda ctx, g: (f.permute(g, tuple(np.argsort(ctx.dims).tolist())),))


@op("clone", "CloneBackward0", "none")
def _clone(ctx, a):
    return a.copy()


_clone.backward(lambda ctx, g: (g,))


@op("to_copy", "ToCopyBackward0", "none")
def _to_copy(ctx, a, dtype=None):
    return a.astype(dtype)


_to_copy.backward(lambda ctx, g: (g,))  # the engine casts the gradient back to the input's dtype


# ---------------------------------------------------------------- what in-place methods record
# ``x.copy_(src)``, ``x.fill_(v)``, ``x.zero_()`` ...: the result is written into x's memory by
# cgengine.tensor (Tensor._update); these ops compute it and give the node its name.
@op("copy", "CopyBackwards", "none")  # src broadcast and cast to the destination
def _copy(ctx, dst, src):
    return np.array(np.broadcast_to(src, dst.shape), dtype=dst.dtype)


_copy.backward(lambda ctx, g: (f.zeros_like(g), g))
OPS["copy"].node.torch_name = "torch::autograd::CopyBackwards"  # written by hand in torch's C++


@op("fill", "FillBackward2", "none")
def _fill(ctx, a, value=0):
    return np.full_like(a, value)


_fill.backward(lambda ctx, g: (f.zeros_like(g),))


@op("fill_tensor", "FillBackward3", "none")  # the value is a 0-d tensor
def _fill_tensor(ctx, a, value):
    return np.full_like(a, value)


_fill_tensor.backward(lambda ctx, g: (f.zeros_like(g), f.sum_dims(g, None, False)))


@op("zero", "ZeroBackward0", "none")
def _zero(ctx, a):
    return np.zeros_like(a)


_zero.backward(lambda ctx, g: (f.zeros_like(g),))


def _random_fill(ctx, a, values=None):
    return np.asarray(values, dtype=a.dtype)  # drawn by the Tensor method, from the generator


op("uniform", "UniformBackward0", "none")(_random_fill).backward(lambda ctx, g: (f.zeros_like(g),))
op("normal", "NormalBackward0", "none")(_random_fill).backward(lambda ctx, g: (f.zeros_like(g),))


# ---------------------------------------------------------------- indexing and joining
@op("select", "SelectBackward0", "none", view=True)
def _select(ctx, a, dim=0, index=0):
    ctx.in_shape, ctx.dim, ctx.index = a.shape, dim, index
    return a[(slice(None),) * dim + (index, Ellipsis)]  # the Ellipsis keeps a 0-d result a view


_select.backward(lambda ctx, g: (f.select_backward(g, ctx.in_shape, ctx.dim, ctx.index),))


@op("select_backward", "SelectBackwardBackward0", "none")
def _select_backward(ctx, g, shape=(), dim=0, index=0):
    ctx.dim, ctx.index = dim, index
    grad = np.zeros(shape, dtype=g.dtype)
    grad[(slice(None),) * dim + (index,)] = g
    return grad


_select_backward.backward(lambda ctx, gg: (f.select(gg, ctx.dim, ctx.index),))


@op("slice", "SliceBackward0", "none", view=True)
def _slice(ctx, a, dim=0, key=slice(None)):
    ctx.in_shape, ctx.dim, ctx.key = a.shape, dim, key
    return a[(slice(None),) * dim + (key,)]


_slice.backward(lambda ctx, g: (f.slice_backward(g, ctx.in_shape, ctx.dim, ctx.key),))


@op("slice_backward", "SliceBackwardBackward0", "none")
def _slice_backward(ctx, g, shape=(), dim=0, key=slice(None)):
    ctx.dim, ctx.key = dim, key
    grad = np.zeros(shape, dtype=g.dtype)
    grad[(slice(None),) * dim + (key,)] = g
    return grad


_slice_backward.backward(lambda ctx, gg: (f.slice_dim(gg, ctx.dim, ctx.key),))


@op("index", "IndexBackward0", "none")
def _index(ctx, a, key=()):
    ctx.in_shape, ctx.key = a.shape, key
    return a[key]


@_index.backward
def _(ctx, g):
    # an element picked twice gets both gradients (torch's accumulating _index_put_impl_)
    return (f.index_put_impl(f.zeros(ctx.in_shape, like=g), ctx.key, g),)


def _index_put(ctx, a, values, key=(), accumulate=False):
    ctx.key, ctx.accumulate = key, accumulate
    out = a.copy()
    if accumulate:
        np.add.at(out, key, values)
    else:
        out[key] = values
    return out


def _index_put_backward(ctx, g):
    grad_self = g if ctx.accumulate else f.index_put(g, ctx.key, 0.0)
    return grad_self, f.index(g, ctx.key)


op("index_put", "IndexPutBackward0")(_index_put).backward(_index_put_backward)
op("index_put_impl", "IndexPutImplBackward0")(_index_put).backward(_index_put_backward)


@op("scatter", "ScatterBackward0")  # x with src written at index along dim
def _scatter(ctx, a, src, dim=0, index=None):
    ctx.dim, ctx.index = dim, index
    out = a.copy()
    np.put_along_axis(out, index, src, axis=dim)
    return out


@_scatter.backward
def _(ctx, g):
    return f.scatter_value(g, ctx.dim, ctx.index, 0), f.gather(g, ctx.dim, ctx.index)


@op("scatter_value", "ScatterBackward1", "none")  # x with a number written at index along dim
def _scatter_value(ctx, a, dim=0, index=None, value=0):
    ctx.dim, ctx.index = dim, index
    out = a.copy()
    np.put_along_axis(out, index, value, axis=dim)
    return out


_scatter_value.backward(lambda ctx, g: (f.scatter_value(g, ctx.dim, ctx.index, 0),))


@op("scatter_add", "ScatterAddBackward0")  # x with src added at index along dim
def _scatter_add(ctx, a, src, dim=0, index=None):
    ctx.dim, ctx.index = dim, index
    out = a.copy()
    np.add.at(out, _along(index, dim), src)
    return out


_scatter_add.backward(lambda ctx, g: (g, f.gather(g, ctx.dim, ctx.index)))


@op("gather", "GatherBackward0", "none")
def _gather(ctx, a, dim=0, index=None):
    ctx.dim, ctx.index, ctx.in_shape = dim, index, a.shape
    return np.take_along_axis(a, index, axis=dim)


_gather.backward(lambda ctx, g: (
    f.scatter_add(f.zeros(ctx.in_shape, like=g), ctx.dim, ctx.index, g),))


def _along(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The full index of ``take_along_axis(a, index, dim)``, for np.add.at and index_put."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


@op("cat", "CatBackward0")
def _cat(ctx, *arrays, dim=0):
    ctx.axis = dim
    ctx.sizes = [a.shape[dim] for a in arrays]
    return np.concatenate(arrays, axis=dim)


@_cat.backward
def _(ctx, g):
    grads, start = [], 0
    for size in ctx.sizes:  # torch narrows the gradient: one slice per input
        grads.append(f.narrow(g, ctx.axis, start, size))
        start += size
    return tuple(grads)


@op("stack", "StackBackward0")
def _stack(ctx, *arrays, dim=0):
    ctx.axis, ctx.count = dim, len(arrays)
    return np.stack(arrays, axis=dim)


_stack.backward(lambda ctx, g: tuple(f.select(g, ctx.axis, i) for i in range(ctx.count)))


# ---------------------------------------------------------------- rounding and sign: flat
def _flat(name: str, grad_fn: str, fn: Callable[..., np.ndarray]) -> None:
    """An op whose derivative is 0 wherever it exists (torch gives 0 at the jumps too)."""

    def forward(ctx, a, **params):
        return fn(a, **params)

    op(name, grad_fn)(forward).backward(lambda ctx, g: (f.zeros_like(g),))


_flat("sign", "SignBackward0", np.sign)
_flat("floor", "FloorBackward0", np.floor)
_flat("ceil", "CeilBackward0", np.ceil)
_flat("trunc", "TruncBackward0", np.trunc)
_flat("round", "RoundBackward0", np.round)  # halves to even, as torch
_flat("round_decimals", "RoundBackward1", lambda a, decimals=0: np.round(a, decimals))


def _rounded_division(name: str, fn: Callable[..., np.ndarray]) -> None:
    """div with a rounding_mode: flat too, for both inputs (DivBackward2)."""

    def forward(ctx, a, b):
        return fn(a, b)

    op(name, "DivBackward2")(forward).backward(lambda ctx, g: (f.zeros_like(g), f.zeros_like(g)))


_rounded_division("div_floor", np.floor_divide)
_rounded_division("div_trunc", lambda a, b: np.trunc(a / b).astype(np.result_type(a, b)))


@op("floor_divide", "NotImplemented")  # torch records a node whose backward refuses
def _floor_divide(ctx, a, b):
    return np.floor_divide(a, b)


@_floor_divide.backward
def _(ctx, g):
    raise RuntimeError("derivative for aten::floor_divide is not implemented")


@op("remainder", "RemainderBackward0")  # tensor % number: the number is not an input
def _remainder(ctx, a, other=1):
    return np.remainder(a, other)


_remainder.backward(lambda ctx, g: (g,))


@op("remainder_tensor", "RemainderBackward1")
def _remainder_tensor(ctx, a, b):
    if ctx.needs[1]:
        ctx.saved = (a, b)
    return np.remainder(a, b)


@_remainder_tensor.backward
def _(ctx, g):
    if not ctx.needs[1]:
        return g, None
    a, b = ctx.saved
    return g, -g * f.div_floor(a, b)


# ---------------------------------------------------------------- more reductions and scans
def _variance(a: np.ndarray, dim: int | tuple[int, ...] | None, correction: float,
              keepdim: bool, root: bool = False) -> np.ndarray:
    """Variance (or its root) as torch's CPU kernels compute it: squares summed in float64 and
    rounded once at the end, so a float32 result has torch's digits and squares past float32's
    range do not overflow. A reduction to one number is torch's std_var_all_cpu: deviations from
    the mean in the tensor's own dtype (a float32 mean that overflows gives nan, as in torch)."""
    axes = range(a.ndim) if dim is None else np.atleast_1d(dim) % max(a.ndim, 1)
    if all(a.shape[d] == 1 for d in range(a.ndim) if d not in axes):
        deviations = a.astype(np.float64) - float(np.mean(a, dtype=a.dtype))
        squares = (deviations * deviations).ravel()  # summed one after another, as torch's loop
        total = np.cumsum(squares)[-1] if squares.size else np.float64(0.0)
        wide = np.asarray(total / np.float64(max(0.0, a.size - correction)))  # 0/0: nan
        wide = wide.reshape([1] * a.ndim if keepdim else np.shape(np.sum(a, axis=dim)))
    else:
        wide = np.var(a, axis=dim, ddof=correction, keepdims=keepdim, dtype=np.float64)
    return np.asarray((np.sqrt(wide) if root else wide).astype(a.dtype, copy=False))


@op("var", "VarBackward0", "none")
def _var(ctx, a, dim=None, correction=1, keepdim=False):
    ctx.saved, ctx.axis, ctx.correction, ctx.keepdim = (a,), dim, correction, keepdim
    return _variance(a, dim, correction, keepdim)


def _var_backward(ctx, g, a):
    """torch's var_backward: 2 / (n - correction) * grad * (a - mean)."""
    if ctx.axis is None or np.ndim(a) == 0:
        count = math.prod(np.shape(a))
        return (2.0 / (count - ctx.correction)) * g * (a - f.mean(a, None, False))
    if not ctx.keepdim and a.ndim > 1:
        for axis in ctx.axis:
            g = f.unsqueeze(g, axis)
    count = math.prod(np.shape(a)[d] for d in ctx.axis)
    return (2.0 / (count - ctx.correction)) * g * (a - f.mean(a, ctx.axis, True))


_var.backward(lambda ctx, g: (_var_backward(ctx, g, ctx.saved[0]),))


@op("std", "StdBackward0", "none")
def _std(ctx, a, dim=None, correction=1, keepdim=False):
    ctx.saved, ctx.axis, ctx.correction, ctx.keepdim = (a,), dim, correction, keepdim
    ctx.result = out = _variance(a, dim, correction, keepdim, root=True)
    return out


@_std.backward
def _(ctx, g):
    out = ctx.result
    return (_var_backward(ctx, f.masked_fill(g / (out * 2), out == 0, 0), ctx.saved[0]),)


@op("prod", "ProdBackward0", "none")
def _prod(ctx, a):
    ctx.saved = (a,)
    ctx.result = out = np.asarray(np.prod(a, dtype=np.int64 if a.dtype.kind in "bi" else a.dtype))
    return out


@op("prod_dim", "ProdBackward1", "none")
def _prod_dim(ctx, a, dim=0, keepdim=False):
    ctx.saved, ctx.axis, ctx.keepdim = (a,), dim, keepdim
    ctx.result = out = np.prod(a, axis=dim, keepdims=keepdim,
                               dtype=np.int64 if a.dtype.kind in "bi" else a.dtype)
    return out


def _prod_backward(ctx, g):
    """grad * prod / input, as torch; with zeros in the input, the product of the others."""
    (a,) = ctx.saved
    out = ctx.result
    if np.ndim(a) == 0:
        return (g,)
    axis = getattr(ctx, "axis", None)
    if axis is not None and not ctx.keepdim:
        g, out = f.unsqueeze(g, axis), f.unsqueeze(out, axis)
    data = f.array(a)
    if not np.any(data == 0):
        return (g * (out / a),)
    # the product of the other elements, without dividing by zero (a constant: no second
    # derivative through it, unlike torch's prod_safe_zeros_backward)
    others = np.apply_along_axis(_product_of_others, axis if axis is not None else 0,
                                 data if axis is not None else data.reshape(-1))
    return (g * f.reshape(f.constant(others, like=g), np.shape(data)),)


def _product_of_others(values: np.ndarray) -> np.ndarray:
    before = np.concatenate([[1], np.cumprod(values[:-1])])
    after = np.concatenate([np.cumprod(values[::-1][:-1])[::-1], [1]])
    return before * after


_prod.backward(_prod_backward)
_prod_dim.backward(_prod_backward)


@op("min", "MinBackward1", "none")
def _min_all(ctx, a):
    ctx.saved = (a,)
    ctx.result = out = np.asarray(np.min(a))
    return out


_min_all.backward(OPS["max"].backward)  # ties share the gradient evenly


@op("min_dim", "MinBackward0", "none")
def _min_dim(ctx, a, dim=0, keepdim=False):
    indices = np.argmin(a, axis=dim, keepdims=True)  # the first minimum, as PyTorch picks it
    ctx.axis, ctx.keepdim, ctx.in_shape, ctx.indices = dim, keepdim, a.shape, indices
    out = np.take_along_axis(a, indices, axis=dim)
    return out if keepdim else np.squeeze(out, axis=dim)


_min_dim.backward(OPS["max_dim"].backward)


@op("norm", "LinalgVectorNormBackward0", "float")
def _norm(ctx, a, p=2.0, dim=None, keepdim=False):
    ctx.saved, ctx.p, ctx.axis, ctx.keepdim = (a,), float(p), dim, keepdim
    absolute = np.abs(a)
    if math.isinf(p):
        out = np.max(absolute, axis=dim, keepdims=keepdim) if p > 0 else np.min(
            absolute, axis=dim, keepdims=keepdim)
    elif p == 0:
        out = np.sum(absolute != 0, axis=dim, keepdims=keepdim).astype(a.dtype)
    else:
        out = np.sum(absolute**p, axis=dim, keepdims=keepdim) ** (1.0 / p)
    ctx.result = out = np.asarray(out, dtype=a.dtype)
    return out


@_norm.backward
def _(ctx, g):
    # torch's norm_backward
    (a,) = ctx.saved
    out, p = ctx.result, ctx.p
    if ctx.axis is not None and not ctx.keepdim and np.ndim(a) != 0:
        for axis in ctx.axis:
            g, out = f.unsqueeze(g, axis), f.unsqueeze(out, axis)
    if p == 0:
        return (None,)
    if p == 1:
        return (f.sgn(a) * g,)
    if p == 2:
        return (g * f.masked_fill(a / out, out == 0, 0),)
    if math.isinf(p):
        absolute = abs(a)
        mask = absolute == out
        return (f.sgn(a) * ((g / f.sum_dims(mask, ctx.axis, True)) * mask),)
    scale = f.masked_fill(g / out ** (p - 1), out == 0, 0)
    if p < 2:
        return (f.sgn(a) * f.pow_(abs(a), p - 1) * scale,)
    return (a * f.pow_(abs(a), p - 2) * scale,)


@op("cumsum", "CumsumBackward0", "none")
def _cumsum(ctx, a, dim=0):
    ctx.axis = dim
    return np.cumsum(a, axis=dim, dtype=np.int64 if a.dtype.kind in "bi" else a.dtype)


@_cumsum.backward
def _(ctx, g):
    shape = f.shape(g)
    if math.prod(shape) <= 1 or shape[ctx.axis] == 1:
        return (g,)
    return (f.flip(f.cumsum(f.flip(g, (ctx.axis,)), ctx.axis), (ctx.axis,)),)


@op("flip", "FlipBackward0", "none")
def _flip(ctx, a, dims=()):
    ctx.dims = dims
    return np.flip(a, dims).copy()  # a copy, as torch's flip (numpy's is a view)


_flip.backward(lambda ctx, g: (f.flip(g, ctx.dims),))


@op("repeat", "RepeatBackward0", "none")
def _repeat(ctx, a, repeats=()):
    ctx.repeats, ctx.in_shape = repeats, a.shape
    return np.tile(a, repeats) if repeats else a.copy()


@_repeat.backward
def _(ctx, g):
    # torch's repeat_backward: sum the copies, one reshape and one sum
    repeats, shape = ctx.repeats, ctx.in_shape
    if 0 in repeats:
        return (f.zeros(shape, like=g),)
    for _ in range(len(repeats) - len(shape)):
        g = f.sum_dims(g, (0,), False)
    sizes, dims = [], []
    for repeat, size in zip(repeats[len(repeats) - len(shape):], shape, strict=True):
        if repeat != 1:
            sizes.append(repeat)
            dims.append(len(sizes) - 1)
        sizes.append(size)
    if dims:
        g = f.sum_dims(f.reshape(g, tuple(sizes)), tuple(dims), False)
    return (g,)


@op("index_select", "IndexSelectBackward0", "none")
def _index_select(ctx, a, dim=0, index=None):
    ctx.axis, ctx.index, ctx.in_shape = dim, index, a.shape
    return np.take(a, index, axis=dim)


_index_select.backward(lambda ctx, g: (
    f.index_add(f.zeros(ctx.in_shape, like=g), ctx.axis, ctx.index, g),))


@op("index_add", "IndexAddBackward0")
def _index_add(ctx, a, source, dim=0, index=None):
    ctx.axis, ctx.index = dim, index
    out = a.copy()
    np.add.at(out, (slice(None),) * dim + (index,), source)
    return out


_index_add.backward(lambda ctx, g: (g, f.index_select(g, ctx.axis, ctx.index)))


def _sorted_backward(ctx, g):
    """topk and sort: each value goes back where it came from (ScatterBackward0)."""
    return (f.scatter(f.zeros(ctx.in_shape, like=g), ctx.axis, ctx.indices, g),)


@op("topk", "TopkBackward0", "none")
def _topk(ctx, a, k=1, dim=-1, largest=True):
    order = np.argsort(-a if largest else a, axis=dim, kind="stable")
    indices = np.take(order, np.arange(k), axis=dim)
    ctx.axis, ctx.in_shape, ctx.indices = dim, a.shape, indices
    return np.take_along_axis(a, indices, axis=dim)


_topk.backward(_sorted_backward)


@op("sort", "SortBackward0", "none")
def _sort(ctx, a, dim=-1, descending=False):
    indices = np.argsort(-a if descending else a, axis=dim, kind="stable")
    ctx.axis, ctx.in_shape, ctx.indices = dim, a.shape, indices
    return np.take_along_axis(a, indices, axis=dim)


_sort.backward(_sorted_backward)


def _part_backward(ctx, g):
    """A piece of a split: its gradient, with zeros for the other pieces (torch cats them)."""
    before = ctx.start
    after = ctx.in_shape[ctx.axis] - ctx.start - ctx.length
    pieces = []
    for size in (before, None, after):
        if size is None:
            pieces.append(g)
        elif size:
            shape = list(ctx.in_shape)
            shape[ctx.axis] = size
            pieces.append(f.zeros(tuple(shape), like=g))
    return (f.cat(pieces, ctx.axis) if len(pieces) > 1 else g,)


def _part(ctx, a, dim=0, start=0, length=1):
    ctx.axis, ctx.start, ctx.length, ctx.in_shape = dim, start, length, a.shape
    return a[(slice(None),) * dim + (slice(start, start + length),)]


op("split", "SplitBackward0", "none", view=True)(_part).backward(_part_backward)
op("split_with_sizes", "SplitWithSizesBackward0", "none", view=True)(_part).backward(
    _part_backward)


@op("unbind", "UnbindBackward0", "none", view=True)  # one row of ``for row in x``
def _unbind(ctx, a, dim=0, index=0):
    ctx.axis, ctx.index, ctx.in_shape = dim, index, a.shape
    return a[(slice(None),) * dim + (index, Ellipsis)]


_unbind.backward(lambda ctx, g: (f.select_backward(g, ctx.in_shape, ctx.axis, ctx.index),))


# ---------------------------------------------------------------- linear algebra
def _column_major(m: np.ndarray) -> bool:
    """torch's test for a column-major matrix (strides 1 and rows), whose gradient it computes
    transposed: the second derivative's graph shows it."""
    return m.ndim == 2 and m.strides[0] == m.itemsize and m.strides[1] == m.itemsize * m.shape[0]


@op("mm", "MmBackward0")
def _mm(ctx, a, b):
    needs = ctx.needs
    ctx.saved = (a if needs[1] else None, b if needs[0] else None)
    ctx.column_major = (_column_major(a), _column_major(b))
    return a @ b


def _mm_grads(g, a, b, column_major):
    """torch's mm_mat1_backward and mm_mat2_backward (a and b are None where not needed)."""
    a_columns, b_columns = column_major
    grad_a = grad_b = None
    if b is not None:
        grad_a = f.t(f.mm(b, f.t(g))) if a_columns else f.mm(g, f.t(b))
    if a is not None:
        grad_b = f.t(f.mm(f.t(g), a)) if b_columns else f.mm(f.t(a), g)
    return grad_a, grad_b


_mm.backward(lambda ctx, g: _mm_grads(g, *ctx.saved, ctx.column_major))


@op("mv", "MvBackward0")
def _mv(ctx, a, v):
    ctx.saved = (a if ctx.needs[1] else None, v if ctx.needs[0] else None)
    return a @ v


@_mv.backward
def _(ctx, g):
    a, v = ctx.saved
    return (f.outer(g, v) if v is not None else None), (f.mv(f.t(a), g) if a is not None else None)


@op("dot", "DotBackward0")
def _dot(ctx, a, b):
    ctx.saved = (b if ctx.needs[0] else None, a if ctx.needs[1] else None)
    return np.dot(a, b)


_dot.backward(OPS["mul"].backward)  # saved as mul saves them: grad * other, grad * self


@op("bmm", "BmmBackward0")
def _bmm(ctx, a, b):
    ctx.saved = (a if ctx.needs[1] else None, b if ctx.needs[0] else None)
    return np.matmul(a, b)


@_bmm.backward
def _(ctx, g):
    a, b = ctx.saved
    return (f.bmm(g, f.transpose(b, -1, -2)) if b is not None else None,
            f.bmm(f.transpose(a, -1, -2), g) if a is not None else None)


@op("addmm", "AddmmBackward0")  # beta * input + alpha * (mat1 @ mat2)
def _addmm(ctx, a, m1, m2, beta=1, alpha=1):
    needs = ctx.needs
    ctx.saved = (m1 if needs[2] else None, m2 if needs[1] else None)
    ctx.column_major = (_column_major(m1), _column_major(m2))
    ctx.beta, ctx.alpha = beta, alpha
    product = m1 @ m2
    return (a if beta == 1 else beta * a) + (product if alpha == 1 else alpha * product)


@_addmm.backward
def _(ctx, g):
    grads = _mm_grads(g, *ctx.saved, ctx.column_major)
    if ctx.alpha != 1:
        grads = tuple(None if x is None else x * ctx.alpha for x in grads)
    return (g if ctx.beta == 1 else g * ctx.beta), *grads


@op("addcmul", "AddcmulBackward0")  # input + value * tensor1 * tensor2
def _addcmul(ctx, a, t1, t2, value=1):
    needs = ctx.needs
    ctx.saved = (t2 if needs[1] else None, t1 if needs[2] else None)
    ctx.value = value
    return a + value * t1 * t2  # torch's kernel: self + (value * t1) * t2


@_addcmul.backward
def _(ctx, g):
    t2, t1 = ctx.saved
    value = ctx.value
    return (g, (g * t2 * value if t2 is not None else None),
            (g * t1 * value if t1 is not None else None))


@op("addcdiv", "AddcdivBackward0", "float")  # input + value * tensor1 / tensor2
def _addcdiv(ctx, a, t1, t2, value=1):
    ctx.saved = (t1 if ctx.needs[2] else None, t2)
    ctx.value = value
    return a + value * t1 / t2  # torch's kernel: self + (value * t1) / t2


@_addcdiv.backward
def _(ctx, g):
    t1, t2 = ctx.saved
    value = ctx.value
    return (g, (g * (value / t2) if ctx.needs[1] else None),
            (-g * (value * t1 / (t2 * t2)) if t1 is not None else None))


# ---------------------------------------------------------------- softmax and losses
def _shifted_log_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    """(a - max) - log(sum(exp(a - max))): subtracting the max keeps exp() from overflowing,
    and subtracting it first (not adding it to the log-sum) keeps float32 precise."""
    shifted = a - np.max(a, axis=axis, keepdims=True)  # inf in, nan out: as in PyTorch
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


@op("softmax", "SoftmaxBackward0", "float")
def _softmax(ctx, a, dim=-1):
    ctx.axis = dim
    ctx.result = out = np.exp(_shifted_log_softmax(a, dim))
    return out


_softmax.backward(lambda ctx, g: (f.softmax_backward_data(g, ctx.result, ctx.axis),))


@op("softmax_backward_data", "SoftmaxBackwardDataBackward0")
def _softmax_backward_data(ctx, g, out, dim=-1):
    ctx.axis = dim
    ctx.saved = (g if ctx.needs[1] else None, out)
    return out * (g - np.sum(g * out, axis=dim, keepdims=True))


@_softmax_backward_data.backward
def _(ctx, gg):
    g, out = ctx.saved
    dim = ctx.axis
    grad_g = f.softmax_backward_data(gg, out, dim) if ctx.needs[0] else None
    grad_out = None
    if ctx.needs[1]:  # torch's softmax_double_backward
        grad_out = (g * gg - f.sum_dims(out * g, (dim,), True) * gg
                    - g * f.sum_dims(out * gg, (dim,), True))
    return grad_g, grad_out


@op("log_softmax", "LogSoftmaxBackward0", "float")
def _log_softmax(ctx, a, dim=-1):
    ctx.axis = dim
    ctx.result = out = _shifted_log_softmax(a, dim)
    return out


_log_softmax.backward(lambda ctx, g: (f.log_softmax_backward_data(g, ctx.result, ctx.axis),))


@op("log_softmax_backward_data", "LogSoftmaxBackwardDataBackward0")
def _log_softmax_backward_data(ctx, g, out, dim=-1):
    ctx.axis = dim
    ctx.saved = (g if ctx.needs[1] else None, out)
    return g - np.exp(out) * np.sum(g, axis=dim, keepdims=True)


@_log_softmax_backward_data.backward
def _(ctx, gg):
    g, out = ctx.saved
    dim = ctx.axis
    grad_g = (gg - f.sum_dims(gg * f.exp(out), (dim,), True)) if ctx.needs[0] else None
    grad_out = (-f.sum_dims(g, (dim,), True) * f.exp(out) * gg) if ctx.needs[1] else None
    return grad_g, grad_out


def _reduce_loss(loss: np.ndarray, reduction: str, dtype: np.dtype) -> np.ndarray:
    if reduction == "mean":  # np.mean's arithmetic without its python-level overhead
        return np.add.reduce(loss, axis=None, dtype=dtype) / loss.size
    if reduction == "sum":
        return np.sum(loss, dtype=dtype)
    return loss


@op("mse_loss", "MseLossBackward0")
def _mse_loss(ctx, a, target, reduction="mean"):
    ctx.saved = (a, target)
    ctx.reduction = reduction
    diff = a - target
    return _reduce_loss(diff * diff, reduction, diff.dtype)


@_mse_loss.backward
def _(ctx, g):
    a, target = ctx.saved
    return (f.mse_loss_backward(g, a, target, ctx.reduction) if ctx.needs[0] else None,
            f.mse_loss_backward(g, target, a, ctx.reduction) if ctx.needs[1] else None)


@op("mse_loss_backward", "MseLossBackwardBackward0")
def _mse_loss_backward(ctx, g, a, target, reduction="mean"):
    ctx.saved = (g, a, target)
    ctx.reduction = reduction
    ctx.count = np.broadcast(a, target).size
    norm = 2.0 / ctx.count if reduction == "mean" else 2.0
    return norm * (a - target) * g


@_mse_loss_backward.backward
def _(ctx, gg):
    g, a, target = ctx.saved
    grad_g = None
    if ctx.needs[0]:  # d/d(grad): the same kernel, taken once with a unit gradient
        if ctx.reduction == "none":
            grad_g = f.mse_loss_backward(gg, a, target, "none")
        else:
            unit = f.mse_loss_backward(f.zeros_like(g) + 1, a, target, ctx.reduction)
            grad_g = f.sum_dims(unit * gg, None, False)
    double = 2 * (gg * g)  # torch's mse_loss_double_backward
    if ctx.reduction == "mean":
        double = double / ctx.count
    return grad_g, double, -double


def _nll_weights(logp: np.ndarray, target: np.ndarray, weight: np.ndarray | None,
                 ignore_index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The weight of each target (0 where it is ignored), the targets made safe to index with,
    and which were kept."""
    keep = target != ignore_index
    safe = np.where(keep, target, 0)
    w = weight[safe] if weight is not None else np.ones(np.shape(safe), logp.dtype)
    return (w * keep).astype(logp.dtype), safe, keep


@op("nll_loss", "NllLossBackward0", "none")
def _nll_loss(ctx, logp, target=None, weight=None, ignore_index=-100, reduction="mean"):
    # ``target`` holds class indices and ``weight`` class weights: data, not inputs of the graph
    # (as in PyTorch). 'mean' divides by the total weight of the targets not ignored.
    w, safe, _ = _nll_weights(logp, target, weight, ignore_index)
    picked = -(logp[np.arange(logp.shape[0]), safe] if logp.ndim == 2 else logp[safe]) * w
    ctx.saved = (logp,)  # for its shape, and so that the second derivative reaches it
    ctx.target, ctx.reduction = target, reduction
    ctx.weight, ctx.ignore_index = weight, ignore_index
    if reduction == "mean":
        return np.asarray(picked.sum(dtype=logp.dtype) / w.sum(dtype=logp.dtype))
    return _reduce_loss(picked, reduction, logp.dtype)


_nll_loss.backward(lambda ctx, g: (f.nll_loss_backward(
    g, ctx.saved[0], ctx.target, ctx.reduction, ctx.weight, ctx.ignore_index),))


@op("nll_loss_backward", "NllLossBackwardBackward0", "none")
def _nll_loss_backward(ctx, g, logp, target=None, reduction="mean", weight=None,
                       ignore_index=-100):
    ctx.target, ctx.reduction = target, reduction
    ctx.weight, ctx.ignore_index = weight, ignore_index
    w, safe, keep = _nll_weights(logp, target, weight, ignore_index)
    scale = g / w.sum(dtype=logp.dtype) if reduction == "mean" else g
    values = np.broadcast_to(-(w * scale), w.shape)
    grad = np.zeros(logp.shape, dtype=logp.dtype)
    if logp.ndim == 2:  # ignored targets get no gradient at all (not -0.)
        grad[np.arange(logp.shape[0])[keep], safe[keep]] = values[keep]
    elif keep:
        grad[safe] = values
    return grad


@_nll_loss_backward.backward
def _(ctx, gg):
    return (f.nll_loss(gg, ctx.target, ctx.reduction, ctx.weight, ctx.ignore_index),
            f.zeros_like(gg))


@op("binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0")
def _bce_logits(ctx, x, target, weight=None, pos_weight=None, reduction="mean"):
    ctx.saved = (x, target)
    ctx.reduction, ctx.count = reduction, np.broadcast(x, target).size
    ctx.weight, ctx.pos_weight = weight, pos_weight  # data, not inputs of the graph
    if pos_weight is None:
        # max(x, 0) - x*t + log(1 + exp(-|x|)): the stable form, finite for x = +-1000.
        loss = np.maximum(x, 0) - x * target + np.log1p(np.exp(-np.abs(x)))
    else:  # torch's (1 - t) * x - log(sigmoid(x)) * ((pos_weight - 1) * t + 1)
        log_sigmoid = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
        loss = (1 - target) * x - log_sigmoid * ((pos_weight - 1) * target + 1)
    if weight is not None:
        loss = loss * weight
    return _reduce_loss(loss.astype(x.dtype, copy=False), reduction, x.dtype)


@_bce_logits.backward
def _(ctx, g):
    x, target = ctx.saved
    weight, pos_weight = ctx.weight, ctx.pos_weight
    grad_x = grad_target = None
    if ctx.needs[0]:
        if pos_weight is None:
            grad_x = (f.sigmoid(x) - target) * g
        else:  # torch's order: t = pos_weight * target; (t + 1 - target) * sigmoid(x) - t
            scaled = f.constant(pos_weight, x) * target
            grad_x = ((scaled + 1 - target) * f.sigmoid(x) - scaled) * g
    if ctx.needs[1]:
        if pos_weight is None:
            grad_target = -x * g
        else:
            grad_target = (f.log(1 - f.sigmoid(x)) - f.log(f.sigmoid(x)) * pos_weight) * g
    if weight is not None:
        grad_x = None if grad_x is None else grad_x * weight
        grad_target = None if grad_target is None else grad_target * weight
    if ctx.reduction == "mean":
        grad_x = None if grad_x is None else grad_x / ctx.count
        grad_target = None if grad_target is None else grad_target / ctx.count
    return grad_x, grad_target


# ---------------------------------------------------------------- nn: linear, activations, losses
@op("leaky_relu", "LeakyReluBackward0")
def _leaky_relu(ctx, a, negative_slope=0.01):
    ctx.saved = (a,)
    ctx.slope = negative_slope
    return np.where(a > 0, a, a * negative_slope)


_leaky_relu.backward(lambda ctx, g: (f.leaky_relu_backward(g, ctx.saved[0], ctx.slope),))


@op("leaky_relu_", "LeakyReluBackward1")  # in place: the input is gone, the rule reads the result
def _leaky_relu_inplace(ctx, a, negative_slope=0.01):
    ctx.slope = negative_slope
    ctx.result = out = np.where(a > 0, a, a * negative_slope)
    return out


_leaky_relu_inplace.backward(lambda ctx, g: (f.leaky_relu_backward(g, ctx.result, ctx.slope),))


@op("leaky_relu_backward", "LeakyReluBackwardBackward0")
def _leaky_relu_backward(ctx, g, a, negative_slope=0.01):
    ctx.saved = (a,)
    ctx.slope = negative_slope
    return np.where(a > 0, g, g * negative_slope)


_leaky_relu_backward.backward(lambda ctx, gg: (
    f.leaky_relu_backward(gg, ctx.saved[0], ctx.slope), f.zeros_like(ctx.saved[0])))


@op("elu", "EluBackward0")
def _elu(ctx, a, alpha=1.0):
    ctx.saved = (a,)
    ctx.alpha = alpha
    return np.where(a > 0, a, alpha * np.expm1(a)).astype(a.dtype, copy=False)


_elu.backward(lambda ctx, g: (f.elu_backward(g, ctx.saved[0], ctx.alpha),))


@op("elu_", "EluBackward1")  # in place: the input is gone, the rule reads the result
def _elu_inplace(ctx, a, alpha=1.0):
    ctx.alpha = alpha
    ctx.result = out = np.where(a > 0, a, alpha * np.expm1(a)).astype(a.dtype, copy=False)
    return out


_elu_inplace.backward(lambda ctx, g: (f.elu_backward(g, ctx.result, ctx.alpha, True),))


@op("elu_backward", "EluBackwardBackward0")
def _elu_backward(ctx, g, a, alpha=1.0, is_result=False):
    """``a`` is the input, or (``is_result``) the output, where alpha * exp(x) = out + alpha."""
    ctx.saved = (g if ctx.needs[1] else None, a)
    ctx.alpha, ctx.is_result = alpha, is_result
    slope = (a + alpha) if is_result else alpha * np.exp(a)
    return np.where(a > 0, g, g * slope).astype(g.dtype, copy=False)


@_elu_backward.backward
def _(ctx, gg):
    g, a = ctx.saved
    alpha, is_result = ctx.alpha, ctx.is_result
    grad_g = f.elu_backward(gg, a, alpha, is_result) if ctx.needs[0] else None
    grad_a = None
    if g is not None:  # torch's elu_double_backward, masked to where the input is negative
        if is_result:
            grad_a = gg * g * f.mask(a < 0, gg)
        else:
            grad_a = f.elu_backward(gg * g, a, alpha) * f.mask(a < 0, gg)
    return grad_g, grad_a


_ERF = np.frompyfunc(math.erf, 1, 1)  # numpy has no erf; math's is exact to float64


def _gelu_parts(a: np.ndarray, approximate: str) -> tuple[np.ndarray, np.ndarray]:
    """GELU's value and slope at ``a``, in float64: x * Phi(x) and Phi(x) + x * phi(x) (or the
    derivatives of torch's tanh formula)."""
    x = a.astype(np.float64)
    if approximate == "tanh":
        k, c = math.sqrt(2 / math.pi), 0.044715
        t = np.tanh(k * (x + c * x**3))
        return 0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * c * x * x)
    cdf = 0.5 * (1 + _ERF(x / math.sqrt(2)).astype(np.float64))
    return x * cdf, cdf + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


@op("gelu", "GeluBackward0")
def _gelu(ctx, a, approximate="none"):
    ctx.saved = (a,)
    ctx.approximate = approximate
    return _gelu_parts(a, approximate)[0].astype(a.dtype)


_gelu.backward(lambda ctx, g: (f.gelu_backward(g, ctx.saved[0], ctx.approximate),))


@op("gelu_backward", "GeluBackwardBackward0")
def _gelu_backward(ctx, g, a, approximate="none"):
    ctx.saved = (g if ctx.needs[1] else None, a)
    ctx.approximate = approximate
    return (g * _gelu_parts(a, approximate)[1]).astype(g.dtype)


@_gelu_backward.backward
def _(ctx, gg):
    g, a = ctx.saved
    grad_g = f.gelu_backward(gg, a, ctx.approximate) if ctx.needs[0] else None
    grad_a = None
    if g is not None:  # torch's gelu_double_backward: gelu''(x) written with recordable ops
        if ctx.approximate == "tanh":
            k, c = math.sqrt(2 / math.pi), 0.044715
            t = f.tanh((a + a * a * a * c) * k)
            slope = (a * a * (3 * c) + 1) * k
            sech2 = 1 - t * t
            second = sech2 * slope - a * t * sech2 * slope * slope + a * a * sech2 * (3 * c * k)
        else:  # 2 pdf(x) - x^2 pdf(x)
            square = a * a
            pdf = f.exp(square * -0.5) * (1 / math.sqrt(2 * math.pi))
            second = pdf * 2 - square * pdf
        grad_a = gg * g * second
    return grad_g, grad_a


@op("softplus", "SoftplusBackward0")
def _softplus(ctx, a, beta=1.0, threshold=20.0):
    ctx.saved = (a,)
    ctx.beta, ctx.threshold = beta, threshold
    scaled = a * beta
    return np.where(scaled > threshold, a, np.log1p(np.exp(scaled)) / beta).astype(a.dtype)


_softplus.backward(lambda ctx, g: (
    f.softplus_backward(g, ctx.saved[0], ctx.beta, ctx.threshold),))


@op("softplus_backward", "SoftplusBackwardBackward0")
def _softplus_backward(ctx, g, a, beta=1.0, threshold=20.0):
    ctx.saved = (g if ctx.needs[1] else None, a)
    ctx.beta, ctx.threshold = beta, threshold
    z = np.exp(a * beta)
    return np.where(a * beta > threshold, g, g * z / (z + 1)).astype(g.dtype, copy=False)


@_softplus_backward.backward
def _(ctx, gg):
    g, a = ctx.saved
    beta, threshold = ctx.beta, ctx.threshold
    grad_g = f.softplus_backward(gg, a, beta, threshold) if ctx.needs[0] else None
    grad_a = None
    if g is not None:  # torch's softplus_double_backward
        scaled = a * beta
        grad_a = (f.sigmoid_backward(gg * g, f.sigmoid(scaled)) * f.mask(scaled < threshold, gg)
                  * beta)
    return grad_g, grad_a


@op("smooth_l1_loss", "SmoothL1LossBackward0")
def _smooth_l1_loss(ctx, a, target, reduction="mean", beta=1.0):
    ctx.saved = (a, target)
    ctx.reduction, ctx.beta = reduction, beta
    diff = a - target
    absolute = np.abs(diff)
    loss = np.where(absolute < beta, 0.5 * diff * diff / beta, absolute - 0.5 * beta)
    return _reduce_loss(loss.astype(diff.dtype, copy=False), reduction, diff.dtype)


@_smooth_l1_loss.backward
def _(ctx, g):
    a, target = ctx.saved
    red, beta = ctx.reduction, ctx.beta
    return (f.smooth_l1_loss_backward(g, a, target, red, beta) if ctx.needs[0] else None,
            f.smooth_l1_loss_backward(g, target, a, red, beta) if ctx.needs[1] else None)


@op("smooth_l1_loss_backward", "SmoothL1LossBackwardBackward0")
def _smooth_l1_loss_backward(ctx, g, a, target, reduction="mean", beta=1.0):
    ctx.saved = (g, a, target)
    ctx.reduction, ctx.beta = reduction, beta
    ctx.count = np.broadcast(a, target).size
    diff = a - target
    slope = np.where(diff <= -beta, -1.0, np.where(diff >= beta, 1.0, diff / beta))
    scale = g / ctx.count if reduction == "mean" else g
    return (slope * scale).astype(diff.dtype, copy=False)


@_smooth_l1_loss_backward.backward
def _(ctx, gg):
    g, a, target = ctx.saved
    reduction, beta = ctx.reduction, ctx.beta
    grad_g = f.smooth_l1_loss_backward(gg, a, target, reduction, beta) if ctx.needs[0] else None
    both = gg * g  # torch's smooth_l1_loss_double_backward
    double = both * f.mask(abs(a - target) < beta, both) / beta
    if reduction == "mean":
        double = double / ctx.count
    return grad_g, double, -double


_BCE_EPSILON = 1e-12  # torch's floor for p * (1 - p) in binary_cross_entropy's gradient


@op("binary_cross_entropy", "BinaryCrossEntropyBackward0")
def _binary_cross_entropy(ctx, p, target, weight=None, reduction="mean"):
    ctx.saved = (p, target)
    ctx.weight, ctx.reduction, ctx.count = weight, reduction, p.size  # weight: data, not input
    # torch's kernel: (t - 1) * log(1 - p) - t * log(p), each log clamped at -100 so that p = 0
    # or 1 gives a finite loss
    log_p = np.log(p)
    np.maximum(log_p, -100, out=log_p)
    log_q = np.log1p(-p)
    np.maximum(log_q, -100, out=log_q)
    loss = (target - 1) * log_q - target * log_p
    if weight is not None:
        loss = loss * weight
    return _reduce_loss(loss.astype(p.dtype, copy=False), reduction, p.dtype)


@_binary_cross_entropy.backward
def _(ctx, g):
    p, target = ctx.saved
    grad_p = grad_target = None
    if ctx.needs[0]:
        grad_p = f.binary_cross_entropy_backward(g, p, target, ctx.weight, ctx.reduction)
    if ctx.needs[1]:  # torch's binary_cross_entropy_target_backward: -logit(p)
        grad_target = -f.logit(p) * g
        if ctx.weight is not None:
            grad_target = grad_target * ctx.weight
        if ctx.reduction == "mean":
            grad_target = grad_target / ctx.count
    return grad_p, grad_target


@op("binary_cross_entropy_backward", "BinaryCrossEntropyBackwardBackward0")
def _binary_cross_entropy_backward(ctx, g, p, target, weight=None, reduction="mean"):
    ctx.saved = (g, p, target)
    ctx.weight, ctx.reduction, ctx.count = weight, reduction, p.size
    grad = g * (p - target) / np.maximum((1 - p) * p, _BCE_EPSILON)
    if weight is not None:
        grad = grad * weight
    if reduction == "mean":
        grad = grad / p.size
    return grad.astype(p.dtype, copy=False)


@_binary_cross_entropy_backward.backward
def _(ctx, gg):
    g, p, target = ctx.saved
    weight, reduction, eps = ctx.weight, ctx.reduction, _BCE_EPSILON
    grad_g = grad_p = grad_target = None
    # torch's formulas, step by step: its in-place steps (``*=``) record as torch's do
    if ctx.needs[0]:  # binary_cross_entropy_double_backward_grad_output
        grad_g = (p - target) / ((p + eps) * (f.subtract_from(1, p) + eps))
        grad_g *= gg
    if ctx.needs[1]:  # binary_cross_entropy_double_backward
        grad_p = ((p * p - p * 2 * target + target)
                  / ((p + eps) ** 2 * (f.subtract_from(1, p) + eps) ** 2))
        grad_p *= gg * g
    if ctx.needs[2]:  # binary_cross_entropy_double_backward_target
        grad_target = -gg * g
        if weight is not None:
            grad_target *= weight
        grad_target /= f.clamp_min_unrecorded(f.subtract_from(1, p) * p, eps)
        if reduction == "mean":
            grad_target /= ctx.count
    for grad in (grad_g, grad_p):
        if grad is not None and weight is not None:
            grad *= weight
    if reduction == "mean":
        grad_g = None if grad_g is None else grad_g / ctx.count
        grad_p = None if grad_p is None else grad_p / ctx.count
    return grad_g, grad_p, grad_target


@op("logit", "LogitBackward0", "float")  # log(p / (1 - p)): binary_cross_entropy's target slope
def _logit(ctx, p):
    ctx.saved = (p,)
    return np.log(p / (1 - p))


_logit.backward(lambda ctx, g: (g / (ctx.saved[0] * (1 - ctx.saved[0])),))
