"""The Tensor: a numpy array plus the autograd bookkeeping PyTorch exposes.

A tensor is a *leaf* when the user made it (``grad_fn`` is None); otherwise ``grad_fn`` is the
graph node of the operation that produced it. :func:`apply` is the one place an operation runs:
it computes the result with the op's forward rule and, when any input requires grad (and grad
mode is on), records a node that links to the inputs' nodes. That is the whole dynamic graph:
it is built as the code runs, one op at a time, exactly as in PyTorch.

The operators are written in the class body: ``a * b`` is ``Tensor.__mul__``, which is
``apply(OPS["mul"], a, b)``, whose forward and backward rule are side by side in cgengine/ops.py.

In-place methods (``add_``, ``x[i] = v``, ``a += b``) compute the op as usual and write the result
into the tensor's own memory, which its views and ``detach()`` share; the tensor keeps its
identity, gets the op's node as its new grad_fn (a view's base gets ``CopySlices``), and its
version counter goes up, so that a node which saved the old values refuses to run at backward.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from cgengine import _device, _dtype, _quiet
from cgengine import random as _random
from cgengine._dtype import DEFAULT_FLOAT, result_type
from cgengine.autograd import (
    AccumulateGrad,
    AsStridedBackward0,
    CopySlices,
    Node,
    Observers,
    RemovableHandle,
    VersionCounter,
    _grad_mode,
    _sequence,
)
from cgengine.autograd import backward as _run_backward
from cgengine.autograd import grad_mode as _modes
from cgengine.formulas import Scratch
from cgengine.ops import OPS, Op

_ADD, _MUL = OPS["add"], OPS["mul"]  # module constants: a dict lookup per op shows on tiny tensors
_QUIET = _quiet.IGNORE
_quiet_enter, _quiet_leave = _quiet.enter, _quiet.leave  # module globals: one lookup each per op
_ndarray = np.ndarray
_FLOAT32 = np.dtype(np.float32)

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)
FLOAT_ONLY_GRAD_ERROR = "Only Tensors of floating point and complex dtype can require gradients"
LEAF_INPLACE_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE_ERROR = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
INFERENCE_SAVED_ERROR = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a clone "
    "to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`."
)
INFERENCE_INPLACE_ERROR = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details."
)


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
    number = False  # a python number among the inputs
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
            kind = type(x)
            if kind is float:
                float_number = number = True
            elif kind is int:
                number = True
            else:
                x = _as_operand(x)
                if type(x) is float:
                    float_number = True
                elif type(x) is not int:
                    mixed = True
            datas.append(x)
        needs.append(False)
    if number and op.scalar is not None and _modes.formulas_running and _grad_mode.formula:
        return _apply_scalar(op, inputs)
    if op.number_params:
        for name in op.number_params:  # python numbers passed as keywords (``2.5 - t``)
            value = params.get(name)
            if isinstance(value, np.generic):
                params[name] = value = value.item()
            if type(value) is float:
                float_number = True
    # torch promotes where numpy would not (int64 + float32 -> float32, int64 * 1.5 -> float32).
    # (float32, the usual dtype, is tested by identity first: numpy's builtin dtypes are singletons)
    if op.dtypes != "none" and (mixed or (
            (float_number or op.dtypes == "float") and first is not None
            and first is not _FLOAT32 and first.kind != "f")):
        datas = _promote(datas, op.dtypes == "float", params, op.number_params)
    ctx = op.node()
    ctx.needs = needs
    token = _quiet_enter(_QUIET)  # inf and nan come silently, as in torch (see cgengine._quiet)
    try:
        # (without keywords the call is cheaper: most ops get none)
        out = op.forward(ctx, *datas, **params) if params else op.forward(ctx, *datas)
    finally:
        _quiet_leave(token)
    if type(out) is not _ndarray:  # numpy returns 0-d results as scalars: keep them arrays
        out = np.asarray(out)
        if ctx.result is not None:  # the forward saved its output: the array the tensor holds
            ctx.result = out
    result = _new_tensor(Tensor)
    result._data = out
    if op.view:
        _share_memory(result, inputs[0], op, params)
    if any_needs:
        if len(inputs) == 1:  # a unary op (sin, exp, sum ...): its input needs grad
            x = inputs[0]
            ctx.next_functions = ((x.grad_fn or x._graph_node(), 0),)
            ctx.meta = [(datas[0].shape, x._data.dtype)]
        else:
            next_functions = []
            meta = []  # what the engine needs to give each input a gradient of its shape, dtype
            i = 0  # (by index: creating a zip of the three lists costs more than this loop)
            for x in inputs:
                if needs[i]:  # the gradient goes back in the input's own dtype, as torch casts it
                    next_functions.append((x.grad_fn or x._graph_node(), 0))
                    meta.append((datas[i].shape, x._data.dtype))
                else:
                    next_functions.append((None, 0))
                    meta.append(None)
                i += 1  # noqa: SIM113 - enumerate() costs twice this counter here
            ctx.next_functions = tuple(next_functions)
            ctx.meta = meta
        ctx.seq = next(_sequence)  # creation order: backward runs newer nodes first
        saved = ctx.saved  # did it save an input (an array)? then remember the inputs
        if saved and (type(saved[0]) is _ndarray or type(saved[-1]) is _ndarray
                      or len(saved) > 2):
            ctx.inputs = inputs
            if _inference_tensors_made:
                _refuse_inference_tensors(inputs)
        result.grad_fn = ctx
        result._requires_grad = True
    elif _grad_mode.inference:
        _mark_inference(result)
    return result


def forget_grad(param: Tensor, set_to_none: bool = True) -> None:
    """``zero_grad`` for one tensor, as torch's module and optimizer do it: ``.grad = None``
    (torch 2's default), or the gradient detached from any graph and filled with zeros."""
    grad = param._grad
    if grad is None:
        return
    if set_to_none:
        param._grad = None
        return
    if grad.grad_fn is not None:
        grad.detach_()
    else:
        grad.requires_grad_(False)
    grad.zero_()


def _mark_inference(tensor: Tensor) -> None:
    global _inference_tensors_made
    _inference_tensors_made = tensor._inference = True


#: whether inference_mode has made a tensor yet: until then, saving needs no check for them
_inference_tensors_made = False


def _apply_scalar(op: Op, inputs: tuple[Any, ...]) -> Tensor:
    """``tensor op number`` inside a backward formula: torch's Scalar overload (MulBackward1)."""
    tensor = next(x for x in inputs if isinstance(x, Tensor))
    number = next(x for x in inputs if not isinstance(x, Tensor))
    return apply(op.scalar, tensor, other=number)  # type: ignore[arg-type]


def _refuse_inference_tensors(inputs: tuple[Any, ...]) -> None:
    if any(isinstance(x, Tensor) and x._inference for x in inputs):
        raise RuntimeError(INFERENCE_SAVED_ERROR)


def _share_memory(view: Tensor, base: Tensor, op: Op, params: dict[str, Any]) -> None:
    """A view shares its base's memory: its version counter, and the way to find it in the base
    (the view ops from the base), which an in-place change of the view needs (CopySlices). The
    base keeps (weak) track of its views: an in-place change gives them new grad_fns."""
    view._vc = base._vc if base._vc is not None else base._new_counter()
    root = base._base if base._base is not None else base
    view._base = root
    view._view_ops = (*base._view_ops, (op, params))
    views = root._views
    if views is None:
        root._views = views = []
    elif len(views) >= 32 and len(views) & (len(views) - 1) == 0:  # now and then: drop the dead
        views[:] = [ref for ref in views if ref() is not None]
    views.append(weakref.ref(view))


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
    _observers: Observers | None = None  # hooks on a leaf (a non-leaf's are on its grad_fn)
    _vc: VersionCounter | None = None  # made when the memory is first shared or modified
    _base: Tensor | None = None  # the tensor a view shares its memory with
    _view_ops: tuple[tuple[Op, dict[str, Any]], ...] = ()  # how to get the view from _base
    _views: list[weakref.ref[Tensor]] | None = None  # a base's views
    _inference = False

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
        self.grad_fn.watch().retained = weakref.ref(self)

    def register_hook(self, hook: Any) -> RemovableHandle:
        """Call ``hook(grad)`` when backward computes this tensor's gradient; a hook that returns
        a tensor replaces the gradient (what a leaf accumulates, what flows on from a non-leaf).
        ``handle.remove()`` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return RemovableHandle(self.grad_fn.watch().tensor_hooks, hook)
        if self._observers is None:
            self._observers = Observers()
            node = self._accumulator() if self._accumulator is not None else None
            if node is not None:
                node.observers = self._observers
        return RemovableHandle(self._observers.tensor_hooks, hook)

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
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires grad (only
        of ``inputs``, when given); with ``create_graph`` the gradients keep a graph."""
        _run_backward(self, None if gradient is None else [gradient], retain_graph, create_graph,
                      inputs)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (a leaf that does not require grad); it shares the
        memory and the version counter, as in torch."""
        out = Tensor._wrap(self._data)
        out._vc = self._vc if self._vc is not None else self._new_counter()
        return out

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def is_inference(self) -> bool:
        return self._inference

    @property
    def _version(self) -> int:
        """How many in-place changes the tensor's memory has had."""
        return 0 if self._vc is None else self._vc.value

    def _new_counter(self) -> VersionCounter:
        """The version counter, made the first time the memory is shared or modified. From then
        on a node that saved this tensor's memory as its result can tell if it changed."""
        counter = self._vc = VersionCounter()
        fn = self.grad_fn
        if fn is not None and fn.result is self._data:
            fn.result_counter = counter
        return counter

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

    def to(self, *args: Any, dtype: Any = None, device: Any = None, **_: Any) -> Tensor:
        """``to(dtype)``, ``to("cpu")``, ``to(device, dtype)``, ``to(other_tensor)``: a new
        tensor only when the dtype changes (cgengine has the CPU only)."""
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, (str, _device.device)):
                device = arg
            else:
                dtype = arg
        _device.check(device)
        np_dtype = _dtype.to_numpy(dtype)
        if np_dtype is None or np_dtype == self._data.dtype:
            return self
        return _F._convert(self, np_dtype)

    @property
    def device(self) -> _device.device:
        return _device.CPU

    is_cuda = False

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        raise AssertionError(_device.CUDA_ERROR)

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
            return _dtype.legacy_type_name(self._data.dtype)
        return self.to(dtype)

    def contiguous(self) -> Tensor:
        """Itself if its memory is in row order already, else a copy that is (CloneBackward0),
        which ``view`` can then reshape."""
        return self if self._data.flags.c_contiguous else _F.clone(self)

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    # ------------------------------------------------------------------ in-place updates
    def _update(self, compute: Any, *others: Any) -> Tensor:
        """Run ``compute(self)`` (an out-of-place op) and write the result into this tensor.

        ``others`` are the other operands, for torch's checks: an in-place change of a leaf that
        requires grad (or of a view of one) is refused while grad mode is on.
        """
        mode = _grad_mode
        if self._inference and not mode.inference:
            raise RuntimeError(INFERENCE_INPLACE_ERROR)
        if mode.enabled and self._requires_grad:
            if self.grad_fn is None:
                raise RuntimeError(LEAF_INPLACE_ERROR)
            base = self._base
            if base is not None and base.grad_fn is None and base._requires_grad:
                raise RuntimeError(VIEW_OF_LEAF_INPLACE_ERROR)
        out = compute(self)
        node = out.grad_fn
        if node is not None and node.inputs and node.inputs[0] is self and not any(
                x is self for x in node.inputs[1:]):  # x.mul_(x) saves x itself, as torch does
            _keep_saved_self(node, self)
        self._write(out._data)
        (self._vc if self._vc is not None else self._new_counter()).bump()
        if node is not None:
            self._rebase(node)
        base = self if self._base is None else self._base
        if base._views and base._requires_grad:
            base._refresh_views()
        return self

    def _write(self, values: np.ndarray) -> None:
        """Copy an op's result into this tensor's memory, with torch's checks."""
        data = self._data
        if values.shape != data.shape:
            raise RuntimeError(f"output with shape {list(data.shape)} doesn't match the broadcast "
                               f"shape {list(values.shape)}")
        if not _dtype.can_cast(values.dtype, data.dtype):
            raise RuntimeError(f"result type {_dtype.scalar_type_name(values.dtype)} can't be cast "
                               f"to the desired output type {_dtype.scalar_type_name(data.dtype)}")
        if not data.flags.writeable:
            if 0 in data.strides and data.size > 1:
                raise RuntimeError(
                    "unsupported operation: more than one element of the written-to tensor refers "
                    "to a single memory location. Please clone() the tensor before performing the "
                    "operation."
                )
            self._data = data = data.copy()  # e.g. an array numpy made read-only
        with np.errstate(all="ignore"):  # a cast of nan or inf is silent, as in torch
            np.copyto(data, values, casting="unsafe")

    def _rebase(self, node: Node) -> None:
        """Make ``node`` (the in-place op, recorded) this tensor's grad_fn. For a view, the base
        gets a CopySlices (its old gradient, with the view's part from ``node``); the view's own
        grad_fn is then made by _refresh_views."""
        if node.result is not None:  # the op saved its output, which is now this memory
            node.result_counter = self._vc
            node.result_seq = self._vc.changes[-1]  # type: ignore[union-attr]
        base = self._base
        if base is None:
            self.grad_fn = node
            self._requires_grad = True
            if self._retains_grad:
                node.watch().retained = weakref.ref(self)
            base = self
        else:
            old = base.grad_fn
            if old is None and base._requires_grad:  # unreachable for a leaf (refused above)
                old = base._graph_node()
            copy_slices = CopySlices(old, node, self._region(), base._data)
            copy_slices.seq = next(_sequence)
            base.grad_fn = copy_slices
            base._requires_grad = True

    def _refresh_views(self) -> None:
        """After an in-place change of this base's memory (recorded or not), each of its views
        is a part of the base as it is now: its grad_fn becomes an AsStridedBackward0 of the
        base's, as torch regenerates it."""
        node = self._graph_node()
        for ref in self._views or ():
            view = ref()
            if view is not None:
                view.grad_fn = AsStridedBackward0(node, view._region(), self._data)
                view.grad_fn.seq = next(_sequence)
                view._requires_grad = True

    def _region(self) -> np.ndarray:
        """For each element of this view, its position in the flattened base."""
        positions = np.arange(self._base._data.size).reshape(self._base._data.shape)  # type: ignore[union-attr]
        for op, params in self._view_ops:
            positions = op.forward(Scratch(), positions, **params)
        return np.array(positions, dtype=np.int64)

    def add_(self, other: Any, *, alpha: float = 1) -> Tensor:
        return self._update(lambda t: _F.add(t, other, alpha=alpha), other)

    def sub_(self, other: Any, *, alpha: float = 1) -> Tensor:
        return self._update(lambda t: _F.sub(t, other, alpha=alpha), other)

    def mul_(self, other: Any) -> Tensor:
        return self._update(lambda t: _F.mul(t, other), other)

    def div_(self, other: Any) -> Tensor:
        return self._update(lambda t: _F.div(t, other), other)

    def pow_(self, exponent: Any) -> Tensor:
        return self._update(lambda t: _F.pow(t, exponent), exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return self._update(lambda t: _F.clamp(t, min, max))

    clip_ = clamp_

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._update(lambda t: _F.masked_fill(t, mask, value), value)

    def copy_(self, src: Any) -> Tensor:
        return self._update(lambda t: apply(OPS["copy"], t, src), src)

    def fill_(self, value: Any) -> Tensor:
        if isinstance(value, Tensor):
            return self._update(lambda t: apply(OPS["fill_tensor"], t, value), value)
        return self._update(lambda t: apply(OPS["fill"], t, value=value))

    def zero_(self) -> Tensor:
        return self._update(lambda t: apply(OPS["zero"], t))

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with U(a, b): torch's numbers after the same seed (see cgengine.random)."""
        values = _random.uniform(self._data.shape, a, b, self._data.dtype, generator)
        return self._update(lambda t: apply(OPS["uniform"], t, values=values))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with N(mean, std**2): torch's numbers after the same seed."""
        values = _random.normal(self._data.shape, mean, std, self._data.dtype, generator)
        return self._update(lambda t: apply(OPS["normal"], t, values=values))

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __ipow__(self, other: Any) -> Tensor:
        return self.pow_(other)

    def __setitem__(self, key: Any, value: Any) -> None:
        """``x[key] = value``: a copy into the view ``x[key]`` (CopySlices), or, for a key with
        tensors, lists or masks, torch's index_put_ (IndexPutBackward0)."""
        if _F.is_advanced_key(key):
            index = _F.index_key(key)
            self._update(lambda t: apply(OPS["index_put"], t, value, key=index), value)
            return
        self[key].copy_(value)  # a 0-d boolean key too: torch takes it as a new axis (a view)

    # ------------------------------------------------------------------ operators
    # Each is one op of the table (cgengine/ops.py) or the function of cgengine.functional that
    # picks the op torch records (``2 - a`` is rsub, ``2 / a`` is reciprocal then mul).
    def __add__(self, other: Any) -> Tensor:
        if type(other) is Tensor and other._data.shape != self._data.shape:
            _F._broadcast_check(self, other)
        return apply(_ADD, self, other)

    __radd__ = __add__

    def __mul__(self, other: Any) -> Tensor:
        if type(other) is Tensor and other._data.shape != self._data.shape:
            _F._broadcast_check(self, other)
        return apply(_MUL, self, other)

    __rmul__ = __mul__

    def __sub__(self, other: Any) -> Tensor:
        return _F.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _F.rsub(self, other)

    def __truediv__(self, other: Any) -> Tensor:
        return _F.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _F.div(other, self)

    def __pow__(self, exponent: Any) -> Tensor:
        return _F.pow(self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _F.pow(base, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _F.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _F.matmul(other, self)

    def __neg__(self) -> Tensor:
        return apply(OPS["neg"], self)

    def __abs__(self) -> Tensor:
        return apply(OPS["abs"], self)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _F.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _F.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _F.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return _F.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _F.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _F.ge(self, other)

    def __floordiv__(self, other: Any) -> Tensor:
        return _F.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _F.floor_divide(other, self)

    def __mod__(self, other: Any) -> Tensor:
        return _F.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _F.remainder(_F.full_like_number(self, other), self)

    def __and__(self, other: Any) -> Tensor:
        return _F.bitwise_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        return _F.bitwise_or(self, other)

    def __xor__(self, other: Any) -> Tensor:
        return _F.bitwise_xor(self, other)

    def __invert__(self) -> Tensor:
        return _F.bitwise_not(self)

    __rand__ = __and__
    __ror__ = __or__
    __rxor__ = __xor__

    # ------------------------------------------------------------------ python protocol
    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(_F.unbind(self, 0))  # as torch: the rows record UnbindBackward0

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
        if self._data.ndim == 0:  # as torch: a number for a 0-d tensor, else no format spec
            return format(self.item(), spec)
        return object.__format__(self, spec)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from cgengine._printing import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def __getitem__(self, key: Any) -> Tensor:
        return _F.getitem(self, key)

    @property
    def T(self) -> Tensor:
        return _F.reverse_dims(self)

    @property
    def mT(self) -> Tensor:
        return _F.transpose(self, -2, -1)


def _unary_inplace(name: str) -> Any:
    def method(self: Tensor) -> Tensor:
        return self._update(getattr(_F, name))

    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = f"``{name}`` written into this tensor (recorded as {name} is)."
    return method


for _name in ("neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu",
              "reciprocal", "square"):
    setattr(Tensor, f"{_name}_", _unary_inplace(_name))
Tensor.negative_ = Tensor.neg_  # type: ignore[attr-defined]


def tensors_of(items: Sequence[Any]) -> list[Tensor]:
    """Each item as a Tensor (numbers and lists are wrapped, tensors kept)."""
    return [x if isinstance(x, Tensor) else Tensor(x) for x in items]


def _keep_saved_self(node: Node, tensor: Tensor) -> None:
    """The in-place op's node may have saved ``tensor`` (mul_ saves it for the other operand's
    gradient): keep a clone of the old values, as torch keeps ``original_self = self.clone()``,
    since the tensor itself is about to change."""
    old = apply(OPS["clone"], tensor)  # recorded, as torch's clone (CloneBackward0)
    node.saved = tuple(old._data if v is tensor._data else v for v in node.saved)
    node.inputs = tuple(old if x is tensor else x for x in node.inputs)


from cgengine import creation as _creation  # noqa: E402  (both need Tensor defined first)
from cgengine import functional as _F  # noqa: E402
