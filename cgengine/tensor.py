"""The Tensor: a numpy array plus the autograd bookkeeping PyTorch exposes.

A tensor is a *leaf* when the user made it (``grad_fn`` is None); otherwise ``grad_fn`` is the
graph node of the operation that produced it. :func:`apply` is the one place an operation runs:
it computes the result with the op's forward rule and, when any input requires grad (and grad
mode is on), records a node that links to the inputs' nodes. That is the whole dynamic graph:
it is built as the code runs, one op at a time, exactly as in PyTorch.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from cgengine import _dtype
from cgengine._dtype import DEFAULT_FLOAT, result_type
from cgengine.autograd import AccumulateGrad, Node, _grad_mode, _sequence
from cgengine.autograd import backward as _run_backward
from cgengine.ops import OPS, Op

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)
FLOAT_ONLY_GRAD_ERROR = "Only Tensors of floating point and complex dtype can require gradients"


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


def _promote(datas: list[Any], floating: bool, params: dict[str, Any],
             number_params: tuple[str, ...]) -> list[Any]:
    """Cast array inputs to the dtype PyTorch would compute in (numpy's rules differ)."""
    arrays = [d for d in datas if type(d) is np.ndarray]
    numbers = [d for d in datas if type(d) is not np.ndarray]
    numbers += [params[n] for n in number_params if params.get(n) is not None]
    target = result_type(arrays, numbers)
    if floating and target.kind != "f":
        target = DEFAULT_FLOAT.np
    return [d.astype(target) if type(d) is np.ndarray and d.dtype != target else d for d in datas]


def _as_operand(x: Any) -> Any:
    """A non-tensor input: python numbers stay numbers (torch's wrapped numbers), else an array."""
    if type(x) is float or type(x) is int:
        return x
    if isinstance(x, np.generic):  # before the float test: np.float64 subclasses float
        return x.item()
    if isinstance(x, (int, float)):
        return x
    return np.asarray(x)


def apply(op: Op, *inputs: Any, **params: Any) -> Tensor:
    """Run ``op`` on the inputs (tensors or python numbers) and record it for backward.

    This is the hot path of the engine (every operation passes here), so it is written for speed
    on CPython 3.11: plain loops, and class-level defaults rather than attribute writes.
    """
    record = _grad_mode.enabled
    datas: list[Any] = []
    needs: list[bool] = []
    any_needs = False
    first = None  # the first tensor's dtype
    mixed = False  # do the tensors' dtypes differ (or does an array come along)?
    float_number = False
    for x in inputs:
        if isinstance(x, Tensor):
            data = x._data
            datas.append(data)
            if first is None:
                first = data.dtype
            elif data.dtype is not first and data.dtype != first:
                mixed = True
            if record and x._requires_grad:
                needs.append(True)
                any_needs = True
                continue
        else:
            x = _as_operand(x)
            datas.append(x)
            if type(x) is float:
                float_number = True
            elif type(x) is not int:
                mixed = True
        needs.append(False)
    for name in op.number_params:  # python numbers passed as keywords (``2.5 - t``)
        value = params.get(name)
        if isinstance(value, np.generic):
            params[name] = value = value.item()
        if type(value) is float:
            float_number = True
    # torch promotes where numpy would not (int64 + float32 -> float32, int64 * 1.5 -> float32).
    if op.dtypes != "none" and (mixed or (
            (float_number or op.dtypes == "float") and first is not None and first.kind != "f")):
        datas = _promote(datas, op.dtypes == "float", params, op.number_params)
    ctx = op.node()
    ctx.needs = needs
    out = op.forward(ctx, *datas, **params)
    if type(out) is not np.ndarray:  # numpy returns 0-d results as scalars: keep them arrays
        out = np.asarray(out)
    result = _new_tensor(Tensor)
    result._data = out
    if any_needs:
        next_functions = []
        meta = []  # what the engine needs to give each input a gradient of its shape and dtype
        for x, data, need in zip(inputs, datas, needs):
            if need:
                next_functions.append((x.grad_fn or x._graph_node(), 0))
                meta.append((data.shape, data.dtype))
            else:
                next_functions.append((None, 0))
                meta.append(None)
        ctx.next_functions = tuple(next_functions)
        ctx.meta = meta
        ctx.seq = next(_sequence)  # creation order: backward runs newer nodes first
        result.grad_fn = ctx
        result._requires_grad = True
    return result


_new_tensor = object.__new__


class Tensor:
    """An n-dimensional array that can record the operations applied to it."""

    __array_priority__ = 1000  # make numpy defer to Tensor's reflected operators
    # Defaults shared by every tensor; an instance sets only what differs (the hot path of
    # ``apply`` creates a tensor per operation, so each attribute write counts).
    _requires_grad = False
    _grad: Tensor | None = None
    grad_fn: Node | None = None
    _retains_grad = False
    _accumulator: weakref.ref[AccumulateGrad] | None = None

    def __init__(self, data: Any = (), *, dtype: Any = None, requires_grad: bool = False) -> None:
        self._data = _creation.as_array(data, dtype)
        if requires_grad:
            if self._data.dtype.kind != "f":
                raise RuntimeError(FLOAT_ONLY_GRAD_ERROR)
            self._requires_grad = True

    @classmethod
    def _wrap(cls, data: np.ndarray) -> Tensor:
        """A new leaf around an existing array (no copy, no checks): the fast path of ``apply``."""
        t = cls.__new__(cls)
        t._data = data
        return t

    # ------------------------------------------------------------------ autograd state
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self._data.dtype.kind != "f":  # torch's wording differs here
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (no-op on leaves)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        self.grad_fn._retained = weakref.ref(self)

    def _graph_node(self) -> Node:
        """The node gradients for this tensor flow into: its grad_fn, or its AccumulateGrad."""
        if self.grad_fn is not None:
            return self.grad_fn
        node = self._accumulator() if self._accumulator is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator = weakref.ref(node)
        return node

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires grad."""
        if create_graph or inputs is not None:
            raise NotImplementedError(
                "cgengine's backward supports neither create_graph nor inputs"
            )
        _run_backward(self, None if gradient is None else [gradient], retain_graph)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (a leaf that does not require grad)."""
        return Tensor._wrap(self._data)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------ data access
    @property
    def data(self) -> Tensor:
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_F._dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_numpy(self._data.dtype)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def item(self) -> int | float | bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The tensor's array (shared, not copied). Like torch, a tensor that requires grad
        refuses unless ``force=True`` (torch's shorthand for ``t.detach().numpy()``)."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        data = self.numpy()
        return data if dtype is None else data.astype(dtype)

    def to(self, dtype: Any) -> Tensor:
        np_dtype = _dtype.to_numpy(dtype)
        if np_dtype is None or np_dtype == self._data.dtype:
            return self
        from cgengine.functional import _convert

        return _convert(self, np_dtype)

    def float(self) -> Tensor:
        return self.to(_dtype.float32)

    def double(self) -> Tensor:
        return self.to(_dtype.float64)

    def long(self) -> Tensor:
        return self.to(_dtype.int64)

    def int(self) -> Tensor:
        return self.to(_dtype.int32)

    def bool(self) -> Tensor:
        return self.to(_dtype.bool_)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
                    "int64": "torch.LongTensor", "bool": "torch.BoolTensor"}.get(
                        self.dtype.name, f"torch.{self.dtype.name}")
        return self.to(dtype)

    def contiguous(self) -> Tensor:
        return self

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    # ------------------------------------------------------------------ in-place updates
    def _check_inplace(self, other: Any = None) -> None:
        if not _grad_mode.enabled:
            return
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        if self.grad_fn is not None or (isinstance(other, Tensor) and other._requires_grad):
            raise RuntimeError("cgengine supports in-place operations only outside the graph: "
                               "use them under torch.no_grad() or on detached tensors")

    def _inplace(self, ufunc: np.ufunc, other: Any) -> Tensor:
        self._check_inplace(other)
        value = other._data if isinstance(other, Tensor) else other
        if not self._data.flags.writeable:
            self._data = self._data.copy()
        ufunc(self._data, value, out=self._data, casting="unsafe")
        return self

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace(np.add, other if alpha == 1 else _scaled(other, alpha))

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace(np.subtract, other if alpha == 1 else _scaled(other, alpha))

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(np.multiply, other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace(np.true_divide, other)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value: float) -> Tensor:
        self._check_inplace()
        if not self._data.flags.writeable:
            self._data = self._data.copy()
        self._data[...] = value
        return self

    def copy_(self, src: Any) -> Tensor:
        self._check_inplace(src)
        if not self._data.flags.writeable:
            self._data = self._data.copy()
        self._data[...] = src._data if isinstance(src, Tensor) else src
        return self

    def __setitem__(self, key: Any, value: Any) -> None:
        self._check_inplace(value)
        if not self._data.flags.writeable:
            self._data = self._data.copy()
        self._data[_F.index_key(key)] = value._data if isinstance(value, Tensor) else value

    # ------------------------------------------------------------------ python protocol
    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
            )
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return format(self.item(), spec)
        return format(repr(self), spec)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from cgengine._printing import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def __getitem__(self, key: Any) -> Tensor:
        return _F.getitem(self, key)

    @property
    def T(self) -> Tensor:  # noqa: N802 - torch's name
        return _F.reverse_dims(self)

    @property
    def mT(self) -> Tensor:  # noqa: N802 - torch's name
        return _F.transpose(self, -2, -1)


def _scaled(other: Any, alpha: float) -> Any:
    return (other._data if isinstance(other, Tensor) else np.asarray(other)) * alpha


def tensors_of(items: Sequence[Any]) -> list[Tensor]:
    """Each item as a Tensor (numbers and lists are wrapped, tensors kept)."""
    return [x if isinstance(x, Tensor) else Tensor(x) for x in items]


def get_op(name: str) -> Op:
    return OPS[name]


from cgengine import creation as _creation  # noqa: E402  (both need Tensor defined first)
from cgengine import functional as _F  # noqa: E402
