"""The backward graph and the engine that runs it.

Every operation on tensors that require grad records one :class:`Node` (what PyTorch calls a
``grad_fn``): it remembers what its backward rule needs (``saved``, ``result``) and, in
``next_functions``, the nodes of its inputs. A leaf tensor that requires grad is represented in the
graph by an :class:`AccumulateGrad` node, which adds the incoming gradient into ``leaf.grad``.

``backward`` then does, without recursion (a 100,000-op chain is fine):
1. walk the graph from the output once to count, for every node, how many edges lead into it;
2. run the nodes in a topological order: a node runs once every node that feeds it a gradient has
   run (its count has dropped to zero), newest first, as PyTorch's ready queue does. Gradients
   arriving at the same node from several consumers are summed first (the chain rule's sum over
   paths), then the node's backward rule turns them into one gradient per input.

The rules (in :mod:`cgengine.ops`) run in one of two modes, chosen by what the gradient is:
- a plain ``backward()`` passes numpy arrays: the rule computes with numpy, nothing is recorded;
- ``backward(create_graph=True)`` and ``autograd.grad(..., create_graph=True)`` pass Tensors and
  give the rule its saved inputs and result as Tensors linked into the graph: the rule's
  arithmetic is recorded like any other, so the gradient has a ``grad_fn`` of its own and can be
  differentiated again (a second derivative is backward through the first one's graph).

Hooks and recorders are optional observers of that loop, looked up once per backward:
``Tensor.register_hook(hook)`` may replace the gradient of a tensor before it is used,
``grad_fn.register_hook(hook)`` sees (and may replace) what a node passes on, ``retain_grad()``
keeps a non-leaf's gradient, and ``record_backward_steps()`` lists every step with the gradient
that came in and the gradients that went out along each edge (the editor draws those on its
wires). A backward with none of them runs the bare loop.

Tensors modified in place carry a version counter; a node checks, before it runs, that the tensors
it saved are still at the version they had when it saved them, and raises PyTorch's error if not.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from cgengine.autograd.grad_mode import (
    enable_grad,
    formula_mode,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from cgengine.autograd.grad_mode import state as _grad_mode

if TYPE_CHECKING:
    from cgengine.tensor import Tensor

from cgengine import formulas as f

__all__ = ["AccumulateGrad", "Node", "RemovableHandle", "backward", "enable_grad", "functional",
           "grad", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "no_grad",
           "record_backward_steps", "set_grad_enabled"]

SECOND_BACKWARD_ERROR = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using autograd.grad "
    "when creating the graph to avoid this. If you have to use this function, make sure to reset "
    "the .grad fields of your parameters to None after use to break the cycle and avoid the leak."
)

_sequence = itertools.count()
_FREED = object()  # what ``Node.saved`` becomes once backward has released the saved arrays
#: The sequence number of the latest in-place operation: a node created after it saved nothing
#: that has been modified since, so only older nodes check their saved tensors' versions.
_last_inplace = -1
_TENSOR_CLASS: type[Tensor] | None = None


def _tensor_class() -> type[Tensor]:
    """cgengine.tensor.Tensor (imported on first use: that module imports this one). Cached,
    because an import statement in a hot function is slow once a GUI toolkit hooks imports."""
    global _TENSOR_CLASS
    if _TENSOR_CLASS is None:
        from cgengine.tensor import Tensor

        _TENSOR_CLASS = Tensor
    return _TENSOR_CLASS


def note_inplace() -> int:
    """Called by every in-place operation: saved tensors may have changed from now on. Returns
    the change's sequence number."""
    global _last_inplace
    _last_inplace = next(_sequence)
    return _last_inplace


class VersionCounter:
    """How many times a tensor's memory was modified in place, shared by the tensor's views.

    It also keeps when (the sequence numbers of the latest changes), so that a node can tell at
    backward whether a tensor it saved changed after it was created, without having recorded
    anything when it saved it.
    """

    __slots__ = ("value", "changes")

    def __init__(self) -> None:
        self.value = 0
        self.changes: list[int] = []

    def bump(self) -> None:
        self.value += 1
        self.changes.append(note_inplace())
        if len(self.changes) > 64:  # only recent changes can postdate a live node
            del self.changes[:32]

    def changes_since(self, seq: int) -> int:
        return sum(1 for change in self.changes if change > seq)


# ----------------------------------------------------------------------------- graph nodes
class Observers:
    """What watches one node during backward: hooks on its tensor (run on the gradient that
    arrived, may replace it), the tensor that retains its gradient, and post-hooks.

    The live ones are counted, so that a backward with none anywhere (and no recorder) does not
    look for them on every node.
    """

    __slots__ = ("tensor_hooks", "retained", "hooks")
    live = 0

    def __init__(self) -> None:
        self.tensor_hooks: dict[int, Callable[..., Any]] = {}
        self.retained: weakref.ref[Tensor] | None = None
        self.hooks: dict[int, Callable[..., Any]] = {}
        Observers.live += 1

    def __del__(self) -> None:
        Observers.live -= 1


class Node:
    """One recorded operation (a ``grad_fn``).

    Subclasses are made per PyTorch name (``AddBackward0`` ...) by :func:`node_class`, each with
    the backward rule of its op. What the rule reads is put on the node by the op's forward:
    ``saved`` (inputs it needs), ``result`` (the output, when it needs it) and plain facts (a dim,
    a shape) as attributes.
    """

    __slots__ = ("next_functions", "needs", "meta", "seq", "__dict__", "__weakref__")
    rule: Callable[..., Sequence[Any]] | None = None
    #: Class-level defaults, overridden per node only when an op saves something: one attribute
    #: write fewer on the hot path.
    saved: Any = ()
    result: Any = None
    alpha: float = 1  # the scale of add's and sub's second input (written only when not 1)
    #: the op's inputs, kept when it saved one of them: create_graph links the derivative to
    #: the input tensors, and backward checks they were not modified in place since
    inputs: tuple[Any, ...] = ()
    #: the version counter of the output saved as ``result`` (set once that output is aliased
    #: or modified in place), and the sequence number its saved value dates from (None: seq)
    result_counter: VersionCounter | None = None
    result_seq: int | None = None
    observers: Observers | None = None
    #: torch's name() of the nodes it writes by hand in C++ ("torch::autograd::CopySlices");
    #: None: the class name (the generated ones, "MulBackward0")
    torch_name: str | None = None

    def name(self) -> str:
        return self.torch_name or type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def apply(self, grad: Any) -> list[Any]:
        """Gradients for each input, fitted to the input's shape and dtype.

        ``grad`` is a numpy array (plain backward) or a Tensor (create_graph): see the module
        docstring.
        """
        if type(grad) is _ndarray:
            grads = self.rule(grad)  # type: ignore[misc]
            metas = self.meta
            if type(grads) is not tuple and type(grads) is not list:
                grads = tuple(grads)
            if len(grads) != len(metas):  # a rule gave the wrong count: zip's own error
                list(zip(grads, metas, strict=True))
            # (by index: on CPython 3.11 creating zip(..., strict=True) costs more than the loop)
            out: list[Any] = []
            i = -1
            for g in grads:
                i += 1
                meta = metas[i]
                if g is None or meta is None:
                    out.append(None)
                    continue
                shape, dt = meta
                if g.shape != shape:
                    g = reduce_to_shape(g, shape)
                gdt = g.dtype
                if gdt is not dt and gdt != dt:  # builtin dtypes are singletons: identity first
                    g = g.astype(dt)
                out.append(g)
            return out
        if isinstance(grad, np.generic):  # numpy gives 0-d results as scalars
            return self.apply(np.asarray(grad))
        return self._apply_recorded(grad)

    def _apply_recorded(self, grad: Tensor) -> list[Any]:
        """The rule on tensors, recorded: the derivative gets a graph of its own."""
        if self.saved is _FREED:
            raise RuntimeError(SECOND_BACKWARD_ERROR)
        Tensor = _tensor_class()
        with formula_mode():
            grads = type(self).rule(_Unpacked(self), grad)  # type: ignore[misc]
            out: list[Any] = []
            for g, meta in zip(grads, self.meta, strict=True):
                if g is None or meta is None:
                    out.append(None)
                    continue
                if not isinstance(g, Tensor):  # a constant the rule built with numpy
                    g = Tensor._wrap(np.asarray(g))
                shape, dt = meta
                if g._data.shape != shape:
                    g = _sum_to(g, shape)
                if g._data.dtype != dt:
                    g = g.to(dt)
                out.append(g)
        return out

    def saved_sources(self) -> list[Any]:
        """For each entry of ``saved``, the input tensor it is the data of (None if none)."""
        Tensor = _tensor_class()
        inputs = [x for x in self.inputs if isinstance(x, Tensor)]
        return [next((x for x in inputs if x._data is value), None)
                if type(value) is np.ndarray else None for value in self.saved]

    def unpack_saved(self) -> tuple[Any, ...]:
        """``saved`` as tensors of the graph: each input as the Tensor it came from (so the
        derivative reaches that input), other arrays as constants, numbers as wrapped numbers."""
        Tensor = _tensor_class()
        unpacked = []
        inputs = [x for x in self.inputs if isinstance(x, Tensor)]
        for value, source in zip(self.saved, self.saved_sources(), strict=True):
            if source is None and type(value) is np.ndarray:
                # the op computed in a promoted dtype: it saved a cast copy of an input
                source = next((x.to(value.dtype) for x in inputs if x._data.shape == value.shape
                               and x._data.dtype != value.dtype and x._requires_grad), None)
            if source is not None:
                unpacked.append(source)
            elif type(value) is np.ndarray:
                unpacked.append(Tensor._wrap(value))
            elif type(value) is float or type(value) is int:
                # a python number the op was given: in torch a wrapped number, which records as a
                # tensor operand (MulBackward0), not as a C++ Scalar (MulBackward1)
                unpacked.append(np.float64(value) if type(value) is float else np.int64(value))
            else:
                unpacked.append(value)
        return tuple(unpacked)

    def unpack_result(self) -> Tensor:
        """The op's output, as a tensor whose grad_fn is this node."""
        out = _tensor_class()._wrap(np.asarray(self.result))
        out.grad_fn = self
        out._requires_grad = True
        return out

    def check_versions(self) -> None:
        """Raise PyTorch's error if a saved tensor was modified in place after it was saved."""
        if self.saved is _FREED:
            return  # running it raises the error about a second backward
        for source in self.saved_sources():
            counter = None if source is None else source._vc
            if counter is not None and counter.changes and counter.changes[-1] > self.seq:
                fn = source.grad_fn
                raise RuntimeError(_modified_message(
                    source._data, fn and fn.name(), counter.value,
                    counter.value - counter.changes_since(self.seq)))
        counter = self.result_counter
        since = self.seq if self.result_seq is None else self.result_seq
        if counter is not None and counter.changes and counter.changes[-1] > since:
            raise RuntimeError(_modified_message(np.asarray(self.result), self.name(),
                                                 counter.value,
                                                 counter.value - counter.changes_since(since)))

    def __call__(self, *grad_outputs: Any) -> tuple[Any, ...]:
        """Apply the backward rule to a gradient, like calling a torch grad_fn."""
        Tensor = _tensor_class()

        grad = grad_outputs[0]
        with np.errstate(all="ignore"):
            grads = self.apply(grad._data if isinstance(grad, Tensor) else np.asarray(grad))
        return tuple(None if g is None else Tensor._wrap(g) for g in grads)

    def release(self) -> None:
        """Free the saved arrays: a later backward through this node raises (its rule is
        replaced by that error; the check costs nothing on the way there)."""
        if self.saved or self.result is not None:  # as in PyTorch, a node that saved nothing
            state = self.__dict__                  # can be run again
            state.pop("result", None)
            state.pop("inputs", None)
            state["saved"] = _FREED
            state["rule"] = _freed

    def watch(self) -> Observers:
        """This node's observers, made on first use."""
        if self.observers is None:
            self.observers = Observers()
        return self.observers

    def register_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(grad_inputs, grad_outputs)`` each time backward runs this node.

        As with torch's ``grad_fn.register_hook``: ``grad_outputs`` is a one-tuple holding the
        gradient that arrived at the node (summed over its consumers) and ``grad_inputs`` the
        gradients it passes on, one per entry of ``next_functions`` (None where none flows). A
        hook that returns a tuple replaces ``grad_inputs``. ``handle.remove()`` unregisters it.
        """
        return RemovableHandle(self.watch().hooks, hook)


def _freed(grad: Any) -> None:
    raise RuntimeError(SECOND_BACKWARD_ERROR)


_ndarray = np.ndarray  # a module global: the hot type checks are then one lookup


class _Unpacked:
    """A node as its rule sees it with create_graph: ``saved`` and ``result`` as tensors."""

    def __init__(self, node: Node) -> None:
        self._node = node
        self.saved = node.unpack_saved()
        self.result = None if node.result is None else node.unpack_result()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._node, name)


_BACKWARD_SUFFIX = re.compile(r"Backward(\d*)$")


def _overload(match: re.Match[str]) -> str:
    return "" if match.group(1) == "0" else match.group(1)


def _modified_message(data: np.ndarray, fn_name: str | None, version: int, expected: int) -> str:
    from cgengine._dtype import legacy_type_name

    which = ""
    if fn_name is not None:  # torch drops "Backward" (and a 0): "Add", "Max1", "ToCopy"
        which = f", which is output 0 of {_BACKWARD_SUFFIX.sub(_overload, fn_name)},"
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{legacy_type_name(data.dtype)} {list(data.shape)}]{which} is at version "
        f"{version}; expected version {expected} instead. Hint: enable anomaly detection to find "
        "the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


class RemovableHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook away again."""

    _ids = itertools.count()

    def __init__(self, hooks: dict[int, Callable[..., Any]], hook: Callable[..., Any]) -> None:
        self.id = next(self._ids)
        self._hooks = hooks
        hooks[self.id] = hook

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class AccumulateGrad(Node):
    """The graph node of a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)
    torch_name = "torch::autograd::AccumulateGrad"

    def __init__(self, variable: Tensor) -> None:
        self.seq = next(_sequence)
        self.variable = variable
        self.next_functions: tuple[tuple[Node | None, int], ...] = ()
        self.meta = ()
        self.observers = variable._observers  # hooks registered on the leaf itself

    def rule(self, grad: Any) -> tuple[()]:
        accumulate_into(self.variable, grad)
        return ()


def accumulate_into(var: Tensor, grad: Any) -> None:
    """``var.grad += grad``, as torch's AccumulateGrad does it: the first gradient is copied in;
    later ones are added in place, or, while recording (create_graph), out of place."""
    Tensor = _tensor_class()
    data = var._data
    if isinstance(grad, np.generic):
        grad = np.asarray(grad)
    if type(grad) is not np.ndarray:  # create_graph: the gradient keeps its graph
        if grad._data.dtype != data.dtype:
            grad = grad.to(data.dtype)
        if var._grad is None:
            # torch copies it into a fresh tensor (CopyBackwards)
            var._grad = Tensor._wrap(np.empty(data.shape, data.dtype)).copy_(grad)
        else:
            var._grad = var._grad + grad
        return
    if grad.dtype != data.dtype:
        grad = grad.astype(data.dtype)
    if grad.shape != data.shape:
        grad = np.broadcast_to(grad, data.shape)
    held = var._grad
    if held is None:
        var._grad = Tensor._wrap(np.array(grad, copy=True))
    elif held._data.flags.writeable and held._data.shape == grad.shape:
        np.add(held._data, grad, out=held._data, casting="unsafe")
    else:
        held._data = held._data + grad


class CopySlices(Node):
    """The grad_fn of a tensor after an in-place change of one of its views (``y[0] = v``).

    Its gradient is the incoming one, except on the view's part, where the in-place op's node
    ``fn`` decides: what reaches the view's old values (nothing, for a copy) and, along the
    other edges, what reaches the op's other inputs (``v``).
    """

    __slots__ = ()
    torch_name = "torch::autograd::CopySlices"

    def __init__(self, base_fn: Node | None, fn: Node, region: np.ndarray,
                 base: np.ndarray) -> None:
        self.fn = fn
        self.region = region  # the view's elements, as positions in the flattened base
        self.base_shape = base.shape
        self.next_functions = ((base_fn, 0), *fn.next_functions[1:])
        self.meta = [None if base_fn is None else (base.shape, base.dtype), *fn.meta[1:]]
        self.needs = [base_fn is not None, *fn.needs[1:]]

    def rule(self, grad: Any) -> tuple[Any, ...]:
        flat = f.reshape(grad, (-1,))
        grads = self.fn.apply(f.index(flat, self.region))
        inner = 0.0 if grads[0] is None else grads[0]
        whole = f.reshape(f.index_put(flat, self.region, inner), self.base_shape)
        return (whole, *grads[1:])

    def release(self) -> None:
        self.fn.release()


class AsStridedBackward0(Node):
    """The grad_fn of a view after an in-place change: its gradient goes to its part of the
    base, whose grad_fn (a CopySlices) passes it on."""

    __slots__ = ()

    def __init__(self, base_fn: Node, region: np.ndarray, base: np.ndarray) -> None:
        self.region = region
        self.base_shape = base.shape
        self.next_functions = ((base_fn, 0),)
        self.meta = [(base.shape, base.dtype)]
        self.needs = [True]

    def rule(self, grad: Any) -> tuple[Any]:
        flat = f.zeros((math.prod(self.base_shape),), like=grad)
        return (f.reshape(f.index_put_impl(flat, self.region, grad), self.base_shape),)


_node_classes: dict[str, type[Node]] = {}


def node_class(name: str, rule: Callable[..., Sequence[Any]]) -> type[Node]:
    """The Node subclass called ``name`` (e.g. "MulBackward0") running ``rule``."""
    cls = _node_classes.get(name)
    if cls is None:
        cls = type(name, (Node,), {"__slots__": (), "rule": rule, "__module__": __name__})
        _node_classes[name] = cls
    return cls


def reduce_to_shape(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo broadcasting: sum the gradient over the axes that broadcasting added or stretched."""
    axes, extra = _broadcast_axes(grad.shape, shape)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if extra:
        grad = grad.reshape(shape)
    return grad


def _sum_to(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """:func:`reduce_to_shape` on a tensor, recorded as torch's sum_to (SumBackward1, then
    ViewBackward0 when broadcasting added dims; SumBackward0 down to a 0-d tensor)."""
    if not shape:
        return grad.sum()
    axes, extra = _broadcast_axes(grad._data.shape, shape)
    if axes:
        grad = grad.sum(axes, keepdim=True)
    if extra:
        grad = grad.view(shape)
    return grad


def _broadcast_axes(have: tuple[int, ...], want: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """The axes broadcasting added or stretched, and how many dims it added."""
    extra = len(have) - len(want)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(want) if n == 1 and have[i + extra] != 1
    )
    return axes, extra


# ----------------------------------------------------------------------------- the engine
class _Recorders(threading.local):
    #: the lists of the active ``record_backward_steps`` blocks of this thread (the editor may
    #: evaluate on a worker thread while the GUI thread evaluates a small graph)
    steps: list[list[BackwardStep]] = []


_recorders = _Recorders()


#: One node run by backward: the node, the gradient that arrived at it (summed over its
#: consumers; None if none did) and the gradients it passed on, one per next_functions entry.
BackwardStep = tuple["Node", "Any", "Sequence[Any]"]


@contextmanager
def record_backward_steps() -> Iterator[list[BackwardStep]]:
    """Collect every step backward takes: ``(node, gradient in, gradients out)`` in run order.

    The gradients out are what flows along each edge of the graph to ``node.next_functions``
    (an AccumulateGrad passes nothing on: ``[]``). The arrays are the engine's own; it never
    writes into them afterwards.

    >>> with record_backward_steps() as steps:
    ...     y.backward()
    >>> [(fn.name(), g_in.tolist()) for fn, g_in, _ in steps][0]   # ('MulBackward0', [1.0])
    """
    steps: list[BackwardStep] = []
    _recorders.steps = [*_recorders.steps, steps]
    try:
        yield steps
    finally:
        _recorders.steps = [s for s in _recorders.steps if s is not steps]


def _count_dependencies(roots: list[Node]) -> dict[Node, int]:
    """For every node below the roots, how many graph edges lead into it (iterative DFS)."""
    dependencies: dict[Node, int] = {}
    stack = list(roots)
    seen = set(roots)
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is None:
                continue
            if nxt in dependencies:
                dependencies[nxt] += 1
            else:
                dependencies[nxt] = 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return dependencies


def _prune(roots: list[Node], targets: list[Node]) -> tuple[dict[Node, int], set[Node]]:
    """Dependencies counted only along the nodes from which a target can be reached."""
    parents: dict[Node, list[Node]] = {}
    stack = list(roots)
    seen = set(roots)
    while stack:
        fn = stack.pop()
        for nxt, _ in fn.next_functions:
            if nxt is None:
                continue
            parents.setdefault(nxt, []).append(fn)
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    useful = set(targets)
    stack = list(targets)
    while stack:  # walk the edges backwards from the targets
        for parent in parents.get(stack.pop(), ()):
            if parent not in useful:
                useful.add(parent)
                stack.append(parent)
    dependencies = {
        node: sum(1 for p in ps if p in useful) for node, ps in parents.items() if node in useful
    }
    return dependencies, useful


def run_backward(
    roots: list[Node],
    root_grads: list[Any],
    retain_graph: bool,
    create_graph: bool = False,
    capture: list[Node] | None = None,
) -> dict[Node, Any]:
    """Propagate ``root_grads`` from ``roots`` down to the leaves.

    Without ``capture`` this is ``Tensor.backward``: leaves accumulate into ``.grad`` and tensors
    that called ``retain_grad()`` keep theirs. With ``capture`` (``autograd.grad``) nothing is
    accumulated; the gradients arriving at the captured nodes are returned, and only the part of
    the graph that leads to them is run. ``root_grads`` are arrays, or tensors with create_graph.
    """
    useful: set[Node] | None = None
    targets: set[Node] | None = None
    if capture is None:
        dependencies = _count_dependencies(roots)
    else:
        dependencies, useful = _prune(roots, capture)
        targets = set(capture)

    buffers: dict[Node, Any] = {}
    for root, grad in zip(roots, root_grads, strict=True):
        buffers[root] = buffers[root] + grad if root in buffers else grad
    ready = [(-root.seq, root) for root in dict.fromkeys(roots) if not dependencies.get(root)]
    heapq.heapify(ready)
    captured: dict[Node, Any] = {}
    previous = _grad_mode.enabled
    _grad_mode.enabled = create_graph  # as in torch: hooks run with grad mode = create_graph
    try:
        with np.errstate(all="ignore"):  # PyTorch gives inf/nan gradients silently
            _drain(ready, buffers, dependencies, retain_graph, useful, targets, captured)
    finally:
        _grad_mode.enabled = previous
    return captured


def _drain(
    ready: list[tuple[int, Node]],
    buffers: dict[Node, Any],
    dependencies: dict[Node, int],
    retain_graph: bool,
    useful: set[Node] | None,
    targets: set[Node] | None,
    captured: dict[Node, Any],
) -> None:
    """Run ready nodes until none is left, releasing each input once all its consumers ran."""
    recorders = _recorders.steps or None  # observers are looked up once per backward
    watching = recorders is not None or Observers.live > 0
    inplace = _last_inplace  # nodes older than the latest in-place op check their saved tensors
    if useful is None and not watching:  # a plain backward without observers: fewer checks
        _drain_bare(ready, buffers, dependencies, retain_graph, inplace)
        return
    while ready:
        fn = heapq.heappop(ready)[1]
        grad = buffers.pop(fn, None)
        if fn.seq < inplace:
            fn.check_versions()
        observed = watching and (recorders is not None or fn.observers is not None)
        if observed and grad is not None:
            grad = _before_node(fn, grad, useful is None)
        if useful is not None:
            if fn in targets and grad is not None:  # type: ignore[operator]
                captured[fn] = grad
            if not any(nxt in useful for nxt, _ in fn.next_functions):
                continue
        if grad is None:
            input_grads: Sequence[Any] = [None] * len(fn.next_functions)
        else:
            input_grads = fn.apply(grad)
            if observed:
                input_grads = _after_node(fn, grad, input_grads, recorders)
        if not retain_graph:
            fn.release()
        for (nxt, _), g in zip(fn.next_functions, input_grads):
            if nxt is None or (useful is not None and nxt not in useful):
                continue
            if g is not None:
                if nxt in buffers:
                    buffers[nxt] = buffers[nxt] + g  # several consumers: sum their gradients
                else:
                    buffers[nxt] = g
            left = dependencies[nxt] - 1
            dependencies[nxt] = left
            if left == 0:
                heapq.heappush(ready, (-nxt.seq, nxt))


def _drain_bare(ready: list[tuple[int, Node]], buffers: dict[Node, Any],
                dependencies: dict[Node, int], retain_graph: bool, inplace: int) -> None:
    """:func:`_drain` without capture and observers: the same steps, fewer checks per node, and
    the edges walked by index (creating a zip costs more than the loop on tiny tensors)."""
    heappop, heappush, pop = heapq.heappop, heapq.heappush, buffers.pop
    while ready:
        fn = heappop(ready)[1]
        grad = pop(fn, None)
        if fn.seq < inplace:
            fn.check_versions()
        edges = fn.next_functions
        if grad is None:
            input_grads: Sequence[Any] = [None] * len(edges)
        else:
            input_grads = fn.apply(grad)
        if not retain_graph:
            fn.release()
        n = len(input_grads)
        i = 0
        for nxt, _ in edges:
            if i == n:  # zip's end: the shorter of the two
                break
            g = input_grads[i]
            i += 1
            if nxt is None:
                continue
            if g is not None:
                if nxt in buffers:
                    buffers[nxt] = buffers[nxt] + g  # several consumers: sum their gradients
                else:
                    buffers[nxt] = g
            left = dependencies[nxt] - 1
            dependencies[nxt] = left
            if left == 0:
                heappush(ready, (-nxt.seq, nxt))


def _before_node(fn: Node, grad: Any, accumulating: bool) -> Any:
    """Tensor hooks (which may replace the gradient), then retain_grad, before the node runs."""
    observers = fn.observers
    if observers is None:
        return grad
    if isinstance(grad, np.generic):  # a 0-d result numpy gave as a scalar
        grad = np.asarray(grad)
    if observers.tensor_hooks:
        grad = _call_tensor_hooks(observers.tensor_hooks, grad)
    if observers.retained is not None and accumulating:
        tensor = observers.retained()
        if tensor is not None:
            _retain(tensor, grad)
    return grad


def _after_node(fn: Node, grad: Any, input_grads: Sequence[Any],
                recorders: list[list[BackwardStep]] | None) -> Sequence[Any]:
    """Post-hooks (which may replace what the node passes on), then the recorders."""
    observers = fn.observers
    if observers is not None and observers.hooks:
        input_grads = _call_post_hooks(observers.hooks, input_grads, grad)
    if recorders is not None:
        for steps in recorders:
            steps.append((fn, grad, input_grads))
    return input_grads


def _as_tensor(value: Any) -> Tensor:
    Tensor = _tensor_class()
    return value if isinstance(value, Tensor) else Tensor._wrap(value)


def _like(value: Any, reference: Any) -> Any:
    """A hook's result in the engine's current mode: an array, or a tensor with create_graph."""
    Tensor = _tensor_class()
    if type(reference) is np.ndarray:
        return value._data if isinstance(value, Tensor) else np.asarray(value)
    return value if isinstance(value, Tensor) else Tensor._wrap(np.asarray(value))


def _call_tensor_hooks(hooks: dict[int, Callable[..., Any]], grad: Any) -> Any:
    for hook in list(hooks.values()):
        replaced = hook(_as_tensor(grad))
        if replaced is not None:
            grad = _like(replaced, grad)
    return grad


def _call_post_hooks(hooks: dict[int, Callable[..., Any]], grad_inputs: Sequence[Any],
                     grad_output: Any) -> Sequence[Any]:
    for hook in list(hooks.values()):
        wrapped = tuple(None if g is None else _as_tensor(g) for g in grad_inputs)
        replaced = hook(wrapped, (_as_tensor(grad_output),))
        if replaced is not None:
            grad_inputs = [None if g is None else _like(g, grad_output) for g in replaced]
    return grad_inputs


def _retain(tensor: Tensor, grad: Any) -> None:
    """What ``retain_grad()`` keeps: a copy of the first gradient, then the sum."""
    if type(grad) is np.ndarray:
        if tensor._grad is None:
            tensor._grad = _tensor_class()._wrap(np.array(grad, copy=True))
        else:
            tensor._grad._data = tensor._grad._data + grad
    else:
        tensor._grad = grad.clone() if tensor._grad is None else tensor._grad + grad


def _seed_gradients(
    outputs: Sequence[Tensor], grad_outputs: Sequence[Any] | None, create_graph: bool
) -> tuple[list[Node], list[Any]]:
    """The graph nodes of the outputs and the gradient each one starts with."""
    Tensor = _tensor_class()

    roots: list[Node] = []
    grads: list[Any] = []
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        given = None if grad_outputs is None else grad_outputs[i]
        if given is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grad: Any = np.ones_like(out._data)
        else:
            grad = given._data if isinstance(given, Tensor) else np.asarray(given)
            if grad.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{type(out.shape)(grad.shape)!r} and output[{i}] has a shape of {out.shape!r}."
                )
            if create_graph and isinstance(given, Tensor):
                grad = given if given._data.dtype == out._data.dtype else given.to(out.dtype)
            else:
                with np.errstate(all="ignore"):
                    grad = grad.astype(out._data.dtype, copy=False)
        if create_graph and type(grad) is np.ndarray:
            grad = Tensor._wrap(grad)
        roots.append(out._graph_node())
        grads.append(grad)
    return roots, grads


def _as_list(value: Any) -> list[Any]:
    Tensor = _tensor_class()
    return [value] if isinstance(value, Tensor) else list(value)


def _optional_list(value: Any) -> list[Any] | None:
    Tensor = _tensor_class()
    if value is None:
        return None
    if isinstance(value, Tensor) or not isinstance(value, (list, tuple)):
        return [value]
    return list(value)


_warned_create_graph = False


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's ``.grad`` (``torch.autograd.backward``);
    with ``inputs``, into those tensors' ``.grad`` only."""
    global _warned_create_graph
    outputs = _as_list(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    roots, grads = _seed_gradients(outputs, _optional_list(grad_tensors), create_graph)
    if create_graph and not _warned_create_graph:  # torch warns once per process
        _warned_create_graph = True
        warnings.warn(CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    if inputs is None:
        run_backward(roots, grads, retain_graph, create_graph)
        return
    targets = _as_list(inputs)
    nodes = [t._graph_node() for t in targets]
    captured = run_backward(roots, grads, retain_graph, create_graph, capture=nodes)
    for t, node in zip(targets, nodes, strict=True):
        g = captured.get(node)
        if g is not None:
            accumulate_into(t, g)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """d(outputs)/d(inputs), returned instead of accumulated (``torch.autograd.grad``)."""
    Tensor = _tensor_class()

    outs = _as_list(outputs)
    ins = _as_list(inputs)
    if retain_graph is None:
        retain_graph = create_graph
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots, grads = _seed_gradients(outs, _optional_list(grad_outputs), create_graph)
    nodes = [t._graph_node() for t in ins]
    captured = run_backward(roots, grads, retain_graph, create_graph, capture=nodes)
    result: list[Tensor | None] = []
    for index, (t, node) in enumerate(zip(ins, nodes, strict=True)):
        g = captured.get(node)
        if g is None:
            if materialize_grads:
                result.append(Tensor._wrap(np.zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {index} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
            continue
        if isinstance(g, np.generic):
            g = np.asarray(g)
        if type(g) is not np.ndarray:  # create_graph: the gradient itself, with its graph
            result.append(g)
            continue
        if g.shape != t._data.shape:
            g = np.broadcast_to(g, t._data.shape)
        result.append(Tensor._wrap(np.array(g, dtype=t._data.dtype, copy=True)))
    return tuple(result)


from cgengine.autograd import functional  # noqa: E402 - it uses grad() from above
