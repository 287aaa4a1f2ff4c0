"""The public functions (``cgengine.add``, ``cgengine.matmul`` ...) and their Tensor methods.

Each function picks the primitive of :mod:`cgengine.ops` that PyTorch would record, so the
grad_fn names match: ``2 - a`` is ``rsub`` (RsubBackward1), ``2 / a`` is ``reciprocal(a) * 2``
(MulBackward0 over ReciprocalBackward0), a 1-D @ 2-D product is unsqueeze, mm, squeeze. Python
numbers are passed on as numbers: they appear as ``None`` in ``next_functions``, as in PyTorch.
"""

from __future__ import annotations

import builtins
import warnings
from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

from cgengine.ops import OPS
from cgengine.tensor import Tensor, apply, tensors_of

Number = int | float

# The ops, as module constants: a dict lookup per call is measurable on tiny tensors.
_ADD, _SUB, _MUL, _DIV = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"]


def _dim(d: int, ndim: int) -> int:
    """A dim in range(ndim), negative dims counted from the end; PyTorch's error otherwise."""
    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return d % n


def _dims(dim: int | Sequence[int], ndim: int) -> tuple[int, ...]:
    return tuple(sorted(_dim(d, ndim) for d in ((dim,) if isinstance(dim, int) else dim)))


def _broadcast_check(a: Any, b: Any) -> None:
    """Raise PyTorch's message for shapes that do not broadcast."""
    sa = a._data.shape if isinstance(a, Tensor) else ()
    sb = b._data.shape if isinstance(b, Tensor) else ()
    for i in range(1, builtins.min(len(sa), len(sb)) + 1):
        x, y = sa[-i], sb[-i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {builtins.max(len(sa), len(sb)) - i}"
            )


def _binary(op: Any, a: Any, b: Any, **params: Any) -> Tensor:
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.shape != b._data.shape:
        _broadcast_check(a, b)
    return apply(op, a, b, **params)


# ---------------------------------------------------------------- arithmetic
def add(input: Any, other: Any, *, alpha: Number = 1) -> Tensor:
    if alpha == 1:  # passing no keyword is the fast path of ``apply``
        return _binary(_ADD, input, other)
    return _binary(_ADD, input, other, alpha=alpha)


def sub(input: Any, other: Any, *, alpha: Number = 1) -> Tensor:
    if not isinstance(input, Tensor):
        return rsub(other, input, alpha=alpha)
    if alpha == 1:
        return _binary(_SUB, input, other)
    return _binary(_SUB, input, other, alpha=alpha)


def rsub(input: Tensor, other: Any, *, alpha: Number = 1) -> Tensor:
    """``other - alpha * input``; with a python number ``other`` this is ``2 - a``."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    return apply(OPS["rsub"], input, other=other, alpha=alpha)


def mul(input: Any, other: Any) -> Tensor:
    return _binary(_MUL, input, other)


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                               f"but found '{rounding_mode}'")
        return _binary(OPS[f"div_{rounding_mode}"], input, other)
    if not isinstance(input, Tensor):
        return mul(reciprocal(other), input)  # 2 / a, recorded as PyTorch records it
    return _binary(_DIV, input, other)


true_divide = divide = div
multiply = mul
subtract = sub


def reciprocal(input: Tensor) -> Tensor:
    return apply(OPS["reciprocal"], input)


def neg(input: Tensor) -> Tensor:
    return apply(OPS["neg"], input)


negative = neg


def pow(input: Any, exponent: Any) -> Tensor:
    if isinstance(exponent, Tensor):
        if not isinstance(input, Tensor):
            return apply(OPS["rpow"], exponent, base=input)
        _broadcast_check(input, exponent)
        return apply(OPS["pow_tensor"], input, exponent)
    if (input._data.dtype.kind in "iu" and isinstance(exponent, int)
            and not isinstance(exponent, bool) and exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return apply(OPS["pow"], input, exponent=exponent)


def square(input: Tensor) -> Tensor:
    return pow(input, 2)


# ---------------------------------------------------------------- elementwise functions
def exp(input: Tensor) -> Tensor:
    return apply(OPS["exp"], input)


def log(input: Tensor) -> Tensor:
    return apply(OPS["log"], input)


def sqrt(input: Tensor) -> Tensor:
    return apply(OPS["sqrt"], input)


def abs(input: Tensor) -> Tensor:
    return apply(OPS["abs"], input)


def sin(input: Tensor) -> Tensor:
    return apply(OPS["sin"], input)


def cos(input: Tensor) -> Tensor:
    return apply(OPS["cos"], input)


def tanh(input: Tensor) -> Tensor:
    return apply(OPS["tanh"], input)


def sigmoid(input: Tensor) -> Tensor:
    return apply(OPS["sigmoid"], input)


def relu(input: Tensor) -> Tensor:
    return apply(OPS["relu"], input)


def clamp(input: Tensor, min: Number | None = None, max: Number | None = None) -> Tensor:
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return apply(OPS["clamp"], input, min=min, max=max)


clip = clamp


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return _binary(OPS["maximum"], input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return _binary(OPS["minimum"], input, other)


# ---------------------------------------------------------------- comparisons (no gradient)
def _compare(ufunc: np.ufunc, a: Any, b: Any) -> Tensor:
    x = a._data if isinstance(a, Tensor) else a
    y = b._data if isinstance(b, Tensor) else b
    return Tensor._wrap(np.asarray(ufunc(x, y)))


def eq(input: Any, other: Any) -> Tensor:
    return _compare(np.equal, input, other)


def ne(input: Any, other: Any) -> Tensor:
    return _compare(np.not_equal, input, other)


def lt(input: Any, other: Any) -> Tensor:
    return _compare(np.less, input, other)


def le(input: Any, other: Any) -> Tensor:
    return _compare(np.less_equal, input, other)


def gt(input: Any, other: Any) -> Tensor:
    return _compare(np.greater, input, other)


def ge(input: Any, other: Any) -> Tensor:
    return _compare(np.greater_equal, input, other)


def equal(input: Tensor, other: Tensor) -> bool:
    return input._data.shape == other._data.shape and bool(np.all(input._data == other._data))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol))


def isnan(input: Tensor) -> Tensor:
    return Tensor._wrap(np.isnan(input._data))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(input._data), dtype=np.int64))
    return Tensor._wrap(np.argmax(input._data, axis=_dim(dim, input.ndim), keepdims=keepdim))


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmin(input._data), dtype=np.int64))
    return Tensor._wrap(np.argmin(input._data, axis=_dim(dim, input.ndim), keepdims=keepdim))


# ---------------------------------------------------------------- reductions
def _return_type(name: str) -> type:
    """What ``max(input, dim)``, ``topk``, ``sort`` ... return: (values, indices), printed as
    ``torch.return_types.max(...)``."""

    def __repr__(self: Any) -> str:
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(name, (namedtuple(name, ["values", "indices"]),),
                {"__slots__": (), "__repr__": __repr__, "__module__": "torch.return_types"})


max_result, min_result, topk_result, sort_result = (
    _return_type(name) for name in ("max", "min", "topk", "sort"))


def sum(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False,
        *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return apply(OPS["sum"], input)
    return apply(OPS["sum_dim"], input, dim=_dims(dim, input.ndim), keepdim=keepdim)


def mean(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False,
         *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {_TORCH_TYPE_NAMES.get(input.dtype.name, input.dtype.name)}"
        )
    if dim is None:
        return apply(OPS["mean"], input)
    return apply(OPS["mean_dim"], input, dim=_dims(dim, input.ndim), keepdim=keepdim)


_TORCH_TYPE_NAMES = {"int64": "Long", "int32": "Int", "bool": "Bool", "float32": "Float",
                     "float64": "Double"}


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The largest element; with ``dim``, (values, indices) along it; with a tensor, maximum."""
    if isinstance(dim, Tensor):
        return maximum(input, dim)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(
                "max(): Expected reduction dim to be specified for input.numel() == 0."
            )
        return apply(OPS["max"], input)
    d = _dim(dim, input.ndim)
    values = apply(OPS["max_dim"], input, dim=d, keepdim=keepdim)
    indices = np.argmax(input._data, axis=d, keepdims=keepdim).astype(np.int64)
    return max_result(values, Tensor._wrap(indices))


# ---------------------------------------------------------------- shape
def _target_shape(shape: Sequence[Any], numel: int) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = shape[0]
    dims = [int(s) for s in shape]
    if dims.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if -1 in dims:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(dims)}' is invalid for input of size {numel}")
        dims[dims.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(dims)}' is invalid for input of size {numel}")
    return tuple(dims)


def reshape(input: Tensor, *shape: Any) -> Tensor:
    target = _target_shape(shape, input._data.size)
    if input._data.flags.c_contiguous:
        return apply(OPS["view"], input, shape=target)
    # A non-contiguous tensor cannot be viewed: PyTorch copies it first (clone, then view).
    return apply(OPS["unsafe_view"], apply(OPS["clone"], input), shape=target)


def view(input: Tensor, *shape: Any) -> Tensor:
    target = _target_shape(shape, input._data.size)
    if not input._data.flags.c_contiguous and target != input._data.shape:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )
    return apply(OPS["view"], input, shape=target)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    shape = input._data.shape
    if not shape:
        return reshape(input, 1)
    s, e = _dim(start_dim, len(shape)), _dim(end_dim, len(shape))
    if s == e:
        return input
    return reshape(input, *shape[:s], -1, *shape[e + 1:])


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    n = input.ndim
    return apply(OPS["transpose"], input, dim0=_dim(dim0, n), dim1=_dim(dim1, n))


swapaxes = transpose


def t(input: Tensor) -> Tensor:
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return apply(OPS["t"], input)


def permute(input: Tensor, *dims: Any) -> Tensor:
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = tuple(dims[0])
    return apply(OPS["permute"], input, dims=tuple(_dim(d, input.ndim) for d in dims))


def reverse_dims(input: Tensor) -> Tensor:
    """``input.T``: all dims reversed (PyTorch records it as a permute)."""
    if input.ndim != 2:
        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.", UserWarning, stacklevel=3)
    return apply(OPS["permute"], input, dims=tuple(reversed(range(input.ndim))))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return apply(OPS["unsqueeze"], input, dim=_dim(dim, input.ndim + 1))


def squeeze(input: Tensor, dim: int | None = None) -> Tensor:
    if dim is None:
        return apply(OPS["squeeze"], input)
    return apply(OPS["squeeze_dim"], input, dim=_dim(dim, input.ndim))


def expand(input: Tensor, *sizes: Any) -> Tensor:
    if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)):
        sizes = tuple(sizes[0])
    shape = input._data.shape
    pad = len(sizes) - len(shape)
    target = tuple(shape[i - pad] if s == -1 else int(s) for i, s in enumerate(sizes))
    return apply(OPS["expand"], input, shape=target)


def clone(input: Tensor) -> Tensor:
    return apply(OPS["clone"], input)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    items = tensors_of(tensors)
    if not items:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    d = _dim(dim, items[0].ndim)
    ref = items[0]._data.shape
    for x in items[1:]:
        if x.ndim != len(ref):
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {len(ref)} and {x.ndim}"
            )
    for i, x in enumerate(items[1:], start=1):
        s = x._data.shape
        if len(s) != len(ref) or builtins.any(
                a != b for j, (a, b) in enumerate(zip(s, ref)) if j != d):
            raise RuntimeError(
                f"Sizes of tensors must match except in dimension {d}. Expected size "
                f"{ref[1 - d] if len(ref) > 1 else ref[0]} but got size "
                f"{s[1 - d] if len(s) > 1 else s[0]} for tensor number {i} in the list."
            )
    return apply(OPS["cat"], *items, dim=d)


concat = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    items = tensors_of(tensors)
    if not items:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, x in enumerate(items[1:], start=1):
        if x._data.shape != items[0]._data.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(items[0].shape)} at "
                f"entry 0 and {list(x.shape)} at entry {i}"
            )
    return apply(OPS["stack"], *items, dim=_dim(dim, items[0].ndim + 1))


# ---------------------------------------------------------------- indexing
def index_key(key: Any) -> Any:
    """The numpy index for a tensor index (tensors inside it become arrays)."""
    if isinstance(key, tuple):
        return tuple(index_key(k) for k in key)
    if isinstance(key, Tensor):
        return key._data
    if isinstance(key, list):
        return np.asarray(key)
    return key


def _bool_scalar(k: Any) -> bool:
    """A 0-d boolean tensor: torch indexes with it as with a new axis, kept or emptied."""
    return isinstance(k, Tensor) and k._data.ndim == 0 and k._data.dtype == np.bool_


def is_advanced_key(key: Any) -> bool:
    """Whether an index holds tensors, lists or arrays (torch's advanced indexing)."""
    parts = key if isinstance(key, tuple) else (key,)
    return builtins.any(isinstance(k, (Tensor, list, np.ndarray)) and not _bool_scalar(k)
                        for k in parts)


def getitem(input: Tensor, key: Any) -> Tensor:
    """``input[key]``: ints select, slices slice, None unsqueezes, tensors and lists gather.

    Basic keys are applied one dim at a time, so the recorded graph is PyTorch's
    (SelectBackward0, SliceBackward0, ...); a key with tensors or lists is one IndexBackward0.
    """
    parts = key if isinstance(key, tuple) else (key,)
    if input.ndim == 0 and builtins.any(isinstance(k, (int, np.integer)) for k in parts):
        raise IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
            "in C++ to convert a 0-dim tensor to a number"
        )
    if is_advanced_key(key):
        return apply(OPS["index"], input, key=index_key(key))
    if builtins.any(k is Ellipsis for k in parts):
        i = next(j for j, k in enumerate(parts) if k is Ellipsis)
        used = builtins.sum(1 for k in parts
                            if k is not None and k is not Ellipsis and not _bool_scalar(k))
        parts = parts[:i] + (slice(None),) * (input.ndim - used) + parts[i + 1:]
    out, dim = input, 0
    for k in parts:
        if k is None or _bool_scalar(k):
            out = apply(OPS["unsqueeze"], out, dim=dim)
            if k is not None and not k._data:
                out = apply(OPS["slice"], out, dim=dim, key=slice(0, 0))
            dim += 1
        elif isinstance(k, slice):
            if k != slice(None):
                out = apply(OPS["slice"], out, dim=dim, key=k)
            dim += 1
        else:
            k = int(k)
            if dim >= out.ndim:
                raise IndexError(f"too many indices for tensor of dimension {input.ndim}")
            size = out._data.shape[dim]
            if not -size <= k < size:
                raise IndexError(
                    f"index {k} is out of bounds for dimension {dim} with size {size}"
                )
            out = apply(OPS["select"], out, dim=dim, index=k % size)
    return out


def _mask(mask: Any) -> np.ndarray:
    return np.asarray(mask._data if isinstance(mask, Tensor) else mask, dtype=bool)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where the condition holds, else ``other`` (either may be a number)."""
    return apply(OPS["where"], input, other, condition=_mask(condition))


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        return apply(OPS["masked_fill_tensor"], input, value, mask=_mask(mask))
    return apply(OPS["masked_fill"], input, mask=_mask(mask), value=value)


def masked_select(input: Tensor, mask: Any) -> Tensor:
    """The elements where the mask (broadcast to the input) is set, as a 1-D tensor."""
    return apply(OPS["masked_select"], input, mask=_mask(mask))


def masked_scatter(input: Tensor, mask: Any, source: Tensor) -> Tensor:
    return apply(OPS["masked_scatter"], input, source, mask=_mask(mask))


def _index_array(index: Any) -> np.ndarray:
    return np.asarray(index._data if isinstance(index, Tensor) else index, dtype=np.int64)


def scatter(input: Tensor, dim: int, index: Any, src: Any = None, *,
            value: Any = None) -> Tensor:
    d, idx = _dim(dim, input.ndim), _index_array(index)
    if isinstance(src, Tensor):
        return apply(OPS["scatter"], input, src, dim=d, index=idx)
    return apply(OPS["scatter_value"], input, dim=d, index=idx, value=src if value is None
                 else value)


def gather(input: Tensor, dim: int, index: Any) -> Tensor:
    return apply(OPS["gather"], input, dim=_dim(dim, input.ndim), index=_index_array(index))


def index_put(input: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    return apply(OPS["index_put"], input, values, key=index_key(tuple(indices)),
                 accumulate=accumulate)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product, recorded as torch computes it: a column times a row."""
    return mul(reshape(input, input._data.shape[0], 1), vec2)


# ---------------------------------------------------------------- logical and bitwise (no gradient)
def _logical(ufunc: np.ufunc, *operands: Any) -> Tensor:
    arrays = [x._data if isinstance(x, Tensor) else x for x in operands]
    return Tensor._wrap(np.asarray(ufunc(*arrays)))


def bitwise_and(input: Any, other: Any) -> Tensor:
    return _logical(np.bitwise_and, input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:
    return _logical(np.bitwise_or, input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    return _logical(np.bitwise_xor, input, other)


def bitwise_not(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return _logical(np.invert, input)


def logical_and(input: Any, other: Any) -> Tensor:
    return _logical(np.logical_and, input, other)


def logical_or(input: Any, other: Any) -> Tensor:
    return _logical(np.logical_or, input, other)


def logical_not(input: Tensor) -> Tensor:
    return _logical(np.logical_not, input)


# ---------------------------------------------------------------- linear algebra
def _check_mm(a: Tensor, b: Tensor) -> None:
    if a._data.shape[-1] != b._data.shape[0]:
        sa, sb = a._data.shape, b._data.shape
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})"
        )


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError("self must be a matrix" if input.ndim != 2 else "mat2 must be a matrix")
    _check_mm(input, mat2)
    return apply(OPS["mm"], input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    if input._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({input._data.shape[0]}), mat ({input._data.shape[0]}x"
            f"{input._data.shape[1]}), vec ({vec._data.shape[0]})"
        )
    return apply(OPS["mv"], input, vec)


def dot(input: Tensor, other: Tensor) -> Tensor:
    if input._data.shape != other._data.shape:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{input._data.size}] and src "
            f"[{other._data.size}] to have the same number of elements, but got "
            f"{input._data.size} and {other._data.size} elements respectively"
        )
    return apply(OPS["dot"], input, other)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The product PyTorch's matmul dispatches to, by the operands' dimensions."""
    a, b = input.ndim, other.ndim
    if a == 0 or b == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{a}D and {b}D")
    if a == 1 and b == 1:
        return dot(input, other)
    if a == 2 and b == 1:
        return mv(input, other)
    if a == 1 and b == 2:
        _check_mm(unsqueeze(input, 0), other)
        out = apply(OPS["squeeze_matmul"], mm(unsqueeze(input, 0), other), dim=0)
        out._new_counter().value = 1  # torch squeezes with squeeze_, an in-place change
        return out
    if a == 2 and b == 2:
        return mm(input, other)
    if b <= 2 and a > 2:
        # (..., n, k) @ (k, m): fold the batch into the rows, one mm, unfold.
        k = input._data.shape[-1]
        rows = reshape(input, -1, k)
        out = mm(rows, other if b == 2 else unsqueeze(other, 1))
        shape = input._data.shape[:-1] + ((other._data.shape[-1],) if b == 2 else ())
        return apply(OPS["unsafe_view"], out, shape=shape)
    if input._data.shape[-1] != other._data.shape[-2 if b > 1 else 0]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{other._data.shape[0]}, {input._data.shape[-1]}] but got: "
            f"[{other._data.shape[0]}, {other._data.shape[-2]}]."
        )
    return apply(OPS["unsafe_view"], apply(OPS["bmm"], input, other),
                 shape=_matmul_shape(input._data.shape, other._data.shape))


def _matmul_shape(sa: tuple[int, ...], sb: tuple[int, ...]) -> tuple[int, ...]:
    a1 = sa if len(sa) > 1 else (1,) + sa
    b1 = sb if len(sb) > 1 else sb + (1,)
    batch = np.broadcast_shapes(a1[:-2], b1[:-2])
    shape = batch + (a1[-2], b1[-1])
    if len(sa) == 1:
        shape = shape[:-2] + shape[-1:]
    if len(sb) == 1:
        shape = shape[:-1]
    return tuple(shape)


# ---------------------------------------------------------------- softmax
def _softmax_dim(ndim: int, dim: int | None, name: str) -> int:
    if dim is None:
        warnings.warn(
            f"Implicit dimension choice for {name} has been deprecated. Change the call to "
            "include dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if ndim in (0, 1, 3) else 1
    return _dim(dim, ndim)


def _float_only(input: Tensor, kernel: str) -> None:
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f'"{kernel}_lastdim_kernel_impl" not implemented for '
            f"'{_TORCH_TYPE_NAMES.get(input.dtype.name, input.dtype.name)}'"
        )


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    _float_only(input, "softmax")
    return apply(OPS["softmax"], input, dim=_softmax_dim(input.ndim, dim, "softmax"))


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    _float_only(input, "log_softmax")
    return apply(OPS["log_softmax"], input, dim=_softmax_dim(input.ndim, dim, "log_softmax"))


def _convert(input: Tensor, np_dtype: np.dtype) -> Tensor:
    """``input.to(dtype)``: recorded as ToCopyBackward0 when the input requires grad; an integer
    or bool result cannot carry a gradient, so it leaves the graph (as in PyTorch)."""
    if np.dtype(np_dtype).kind != "f":
        with np.errstate(all="ignore"):  # nan and inf cast silently, as in torch
            return Tensor._wrap(input._data.astype(np_dtype))
    return apply(OPS["to_copy"], input, dtype=np_dtype)


# ---------------------------------------------------------------- everyday ops
def _flat_op(name: str) -> Any:
    def function(input: Tensor) -> Tensor:
        return apply(OPS[name], input)

    function.__name__ = name
    return function


sign, floor, ceil, trunc = (_flat_op(name) for name in ("sign", "floor", "ceil", "trunc"))
fix = trunc


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    if decimals:
        return apply(OPS["round_decimals"], input, decimals=decimals)
    return apply(OPS["round"], input)


def floor_divide(input: Any, other: Any) -> Tensor:
    return _binary(OPS["floor_divide"], input, other)


def full_like_number(input: Tensor, number: Any) -> Tensor:
    """A python number as a 0-d tensor of torch's type for it, to put it on the left of ``%``."""
    return Tensor._wrap(np.asarray(number, dtype=np.float32 if isinstance(number, float)
                                   else np.int64))


def remainder(input: Any, other: Any) -> Tensor:
    if isinstance(other, Tensor):
        return _binary(OPS["remainder_tensor"], input, other)
    return apply(OPS["remainder"], input, other=other)


def _correction(unbiased: Any, correction: Any) -> Any:
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    if isinstance(dim, bool):  # var(x, False): the old positional ``unbiased``
        dim, unbiased = None, dim
    dims = None if dim is None else _dims(dim, input.ndim)
    return apply(OPS["var"], input, dim=dims, correction=_correction(unbiased, correction),
                 keepdim=keepdim)


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    dims = None if dim is None else _dims(dim, input.ndim)
    return apply(OPS["std"], input, dim=dims, correction=_correction(unbiased, correction),
                 keepdim=keepdim)


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return apply(OPS["prod"], input)
    return apply(OPS["prod_dim"], input, dim=_dim(dim, input.ndim), keepdim=keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The smallest element; with ``dim``, (values, indices) along it; with a tensor, minimum."""
    if isinstance(dim, Tensor):
        return minimum(input, dim)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(
                "min(): Expected reduction dim to be specified for input.numel() == 0."
            )
        return apply(OPS["min"], input)
    d = _dim(dim, input.ndim)
    values = apply(OPS["min_dim"], input, dim=d, keepdim=keepdim)
    indices = np.argmin(input._data, axis=d, keepdims=keepdim).astype(np.int64)
    return min_result(values, Tensor._wrap(indices))


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """The vector norm (torch records linalg.vector_norm): p = 2 ("fro") by default."""
    if dtype is not None:
        input = input.to(dtype)
    order = 2.0 if p in ("fro", None) else float(p)
    dims = None if dim is None else _dims(dim, input.ndim)
    return apply(OPS["norm"], input, p=order, dim=dims, keepdim=keepdim)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    return apply(OPS["cumsum"], input, dim=_dim(dim, input.ndim))


def flip(input: Tensor, dims: Any) -> Tensor:
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return apply(OPS["flip"], input, dims=tuple(_dim(d, input.ndim) for d in dims))


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)):
        sizes = tuple(sizes[0])
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return apply(OPS["repeat"], input, repeats=tuple(int(s) for s in sizes))


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    return apply(OPS["index_select"], input, dim=_dim(dim, input.ndim),
                 index=_index_array(index).reshape(-1))


def _order(data: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Indices that sort along dim; ties keep their order."""
    return np.argsort(-data if descending else data, axis=dim, kind="stable").astype(np.int64)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> Any:
    d = _dim(dim, input.ndim)
    values = apply(OPS["topk"], input, k=int(k), dim=d, largest=largest)
    indices = np.take(_order(input._data, d, largest), np.arange(int(k)), axis=d)
    return topk_result(values, Tensor._wrap(indices))


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    d = _dim(dim, input.ndim)
    values = apply(OPS["sort"], input, dim=d, descending=descending)
    return sort_result(values, Tensor._wrap(_order(input._data, d, descending)))


def argsort(input: Tensor, dim: int = -1, descending: bool = False,
            stable: bool = False) -> Tensor:
    return Tensor._wrap(_order(input._data, _dim(dim, input.ndim), descending))


def any(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    axis = None if dim is None else _dim(dim, input.ndim)
    return Tensor._wrap(np.asarray(np.any(input._data, axis=axis, keepdims=keepdim)))


def all(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    axis = None if dim is None else _dim(dim, input.ndim)
    return Tensor._wrap(np.asarray(np.all(input._data, axis=axis, keepdims=keepdim)))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    where_set = np.nonzero(np.atleast_1d(input._data))
    if as_tuple:
        return tuple(Tensor._wrap(w.astype(np.int64)) for w in where_set)
    return Tensor._wrap(np.stack(where_set, axis=1).astype(np.int64).reshape(-1, input.ndim))


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    b = other._data if isinstance(other, Tensor) else other
    return Tensor._wrap(np.asarray(np.isclose(input._data, b, rtol=rtol, atol=atol,
                                              equal_nan=equal_nan)))


def _pieces(input: Tensor, op_name: str, sizes: Sequence[int], dim: int) -> tuple[Tensor, ...]:
    """Views of consecutive pieces along dim; each records a node of torch's split name."""
    d = _dim(dim, input.ndim)
    pieces, start = [], 0
    for size in sizes:
        pieces.append(apply(OPS[op_name], input, dim=d, start=start, length=size))
        start += size
    return tuple(pieces)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the sizes given."""
    length = tensor._data.shape[_dim(dim, tensor.ndim)]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != length:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's "
                f"size at dimension {dim}), but got split_sizes={sizes}")
        return _pieces(tensor, "split_with_sizes", sizes, dim)
    size = int(split_size_or_sections)
    sizes = [builtins.min(size, length - start) for start in range(0, length, size)] or [0]
    return _pieces(tensor, "split", sizes, dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    length = input._data.shape[_dim(dim, input.ndim)]
    return split(input, -(-length // int(chunks)) if length else 1, dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    d = _dim(dim, input.ndim)
    return tuple(apply(OPS["unbind"], input, dim=d, index=i)
                 for i in range(input._data.shape[d]))


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if input.ndim != 3
                           else "batch2 must be a 3D tensor")
    return apply(OPS["bmm"], input, mat2)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Number = 1,
          alpha: Number = 1) -> Tensor:
    _check_mm(mat1, mat2)
    return apply(OPS["addmm"], input, mat1, mat2, beta=beta, alpha=alpha)


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: Number = 1) -> Tensor:
    """input + value * tensor1 * tensor2, elementwise with broadcasting."""
    return apply(OPS["addcmul"], input, tensor1, tensor2, value=value)


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Number = 1) -> Tensor:
    """input + value * tensor1 / tensor2, elementwise with broadcasting (a float result)."""
    if builtins.all(isinstance(t, Tensor) and t._data.dtype.kind in "iub"
                    for t in (tensor1, tensor2)):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic "
            "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
            "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
            "tensor2) for float inputs. The future addcdiv behavior is just the latter "
            "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    return apply(OPS["addcdiv"], input, tensor1, tensor2, value=value)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, as products and sums of the operands' dims: torch's values and
    gradients (torch records a bmm for a contraction, where this records a mul and a sum)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    inputs, arrow, output = equation.replace(" ", "").partition("->")
    terms = inputs.split(",")
    if not arrow:  # implicit output: the letters used once, in alphabetical order
        output = "".join(sorted(c for c in set(inputs) - {","} if inputs.count(c) == 1))
    letters = list(dict.fromkeys(c for c in inputs + output if c != ","))
    aligned = []
    for term, x in zip(terms, operands, strict=True):
        while len(set(term)) < len(term):  # a letter twice (ii): take the diagonal
            c = next(c for c in term if term.count(c) > 1)
            first, second = term.index(c), term.index(c, term.index(c) + 1)
            x = _diagonal(x, first, second)
            term = term[:first] + term[first + 1:second] + term[second + 1:] + c
        present = [c for c in letters if c in term]
        order = [term.index(c) for c in present]
        if order != list(range(len(order))):
            x = permute(x, order)
        for i, c in enumerate(letters):
            if c not in term:
                x = unsqueeze(x, i)
        aligned.append(x)
    product = aligned[0]
    for x in aligned[1:]:
        product = product * x
    summed = [i for i, c in enumerate(letters) if c not in output]
    if summed:
        product = sum(product, summed)
    kept = [c for c in letters if c in output]
    order = [kept.index(c) for c in output]
    return permute(product, order) if order != list(range(len(order))) else product


def _diagonal(input: Tensor, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of two dims, as the last dim (a copy: IndexBackward0; torch's is a view,
    which is why this is not torch.diagonal)."""
    d1, d2 = _dim(dim1, input.ndim), _dim(dim2, input.ndim)
    n = builtins.min(input._data.shape[d1], input._data.shape[d2])
    rest = [d for d in range(input.ndim) if d not in (d1, d2)]
    moved = permute(input, [*rest, d1, d2])
    index = np.arange(n)
    return apply(OPS["index"], moved, key=(Ellipsis, index, index))


def movedim(input: Tensor, source: int, destination: int) -> Tensor:
    order = list(range(input.ndim))
    order.insert(_dim(destination, input.ndim), order.pop(_dim(source, input.ndim)))
    return permute(input, order)


# ---------------------------------------------------------------- Tensor methods
def _install_methods() -> None:
    """Give Tensor the method forms of the functions above (its operators are in its body)."""
    T = Tensor
    for name in ("add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "sin",
                 "cos", "tanh", "sigmoid", "relu", "clamp", "clip", "maximum", "minimum",
                 "matmul", "mm", "mv", "dot", "sum", "mean", "max", "reshape", "view", "flatten",
                 "transpose", "t", "permute", "unsqueeze", "squeeze", "expand", "clone",
                 "softmax", "log_softmax", "reciprocal", "square", "argmax", "argmin", "eq", "ne",
                 "lt", "le", "gt", "ge", "equal", "allclose", "isnan", "rsub", "negative",
                 "multiply", "subtract", "divide", "true_divide", "swapaxes", "masked_fill",
                 "masked_select", "masked_scatter", "sign", "floor", "ceil", "trunc", "fix",
                 "round", "floor_divide", "remainder", "var", "std", "prod", "min", "norm",
                 "cumsum", "flip", "repeat", "index_select", "topk", "sort", "argsort", "any",
                 "all", "nonzero", "isclose", "split", "chunk", "unbind", "bmm", "addmm",
                 "addcmul", "addcdiv",
                 "movedim",
                 "scatter", "gather", "index_put", "outer", "bitwise_and", "bitwise_or",
                 "bitwise_xor", "bitwise_not", "logical_and", "logical_or", "logical_not"):
        setattr(T, name, globals()[name])
    T.view_as = lambda self, other: view(self, other.shape)
    T.reshape_as = lambda self, other: reshape(self, other.shape)
    T.expand_as = lambda self, other: expand(self, other.shape)
    T.where = lambda self, condition, other: where(condition, self, other)


_install_methods()
