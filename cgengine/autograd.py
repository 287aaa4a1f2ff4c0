"""The backward graph and the engine that runs it.

Every operation on tensors that require grad records one :class:`Node` (what PyTorch calls a
``grad_fn``): it remembers the arrays its backward rule needs (``saved``) and, in
``next_functions``, the nodes of its inputs. A leaf tensor that requires grad is represented in the
graph by an :class:`AccumulateGrad` node, which adds the incoming gradient into ``leaf.grad``.

``backward`` then does, without recursion (a 100,000-op chain is fine):
1. walk the graph from the output once to count, for every node, how many edges lead into it;
2. run the nodes in a topological order: a node runs once every node that feeds it a gradient has
   run (its count has dropped to zero), newest first, as PyTorch's ready queue does. Gradients
   arriving at the same node from several consumers are summed first (the chain rule's sum over
   paths), then the node's backward rule turns them into one gradient per input.

To watch it happen: ``grad_fn.register_hook(hook)`` calls ``hook(grad_inputs, grad_outputs)``
each time backward runs that node (as in PyTorch), ``record_backward_order()`` lists the nodes in
the order they ran, and ``record_backward_steps()`` gives each step with the gradient that came in
and the gradients that went out along each edge (the editor draws those on its wires).
"""

from __future__ import annotations

import functools
import heapq
import itertools
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from cgengine.tensor import Tensor

SECOND_BACKWARD_ERROR = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)

_sequence = itertools.count()
_TENSOR_CLASS: type[Tensor] | None = None


def _tensor_class() -> type[Tensor]:
    """cgengine.tensor.Tensor (imported on first use: that module imports this one). Cached,
    because an import statement in a hot function is slow once a GUI toolkit hooks imports."""
    global _TENSOR_CLASS
    if _TENSOR_CLASS is None:
        from cgengine.tensor import Tensor

        _TENSOR_CLASS = Tensor
    return _TENSOR_CLASS
_FREED = object()  # what ``Node.saved`` becomes once backward has released the saved arrays


# ----------------------------------------------------------------------------- grad mode
class _GradMode(threading.local):
    enabled = True


_grad_mode = _GradMode()


class _Recorders(threading.local):
    lists: list[list[Node]] | None = None
    steps: list[list[BackwardStep]] | None = None


#: One node run by backward: the node, the gradient that arrived at it (summed over its
#: consumers; None if none did) and the gradients it passed on, one per next_functions entry.
BackwardStep = tuple["Node", "np.ndarray | None", "Sequence[np.ndarray | None]"]


_recorders = _Recorders()


@contextmanager
def record_backward_order() -> Iterator[list[Node]]:
    """Collect the nodes backward runs, in the order it runs them (a teaching aid).

    >>> with record_backward_order() as order:
    ...     y.backward()
    >>> [fn.name() for fn in order]   # e.g. ['MulBackward0', 'AddBackward0', ...]
    """
    order: list[Node] = []
    previous = _recorders.lists
    _recorders.lists = [*(previous or []), order]
    try:
        yield order
    finally:
        _recorders.lists = previous


@contextmanager
def record_backward_steps() -> Iterator[list[BackwardStep]]:
    """Collect every step backward takes: ``(node, gradient in, gradients out)`` in run order.

    The gradients out are what flows along each edge of the graph to ``node.next_functions``
    (an AccumulateGrad passes nothing on: ``()``). The arrays are the engine's own; it never
    writes into them afterwards.

    >>> with record_backward_steps() as steps:
    ...     y.backward()
    >>> [(fn.name(), g_in.tolist()) for fn, g_in, _ in steps][0]   # ('MulBackward0', [1.0])
    """
    steps: list[BackwardStep] = []
    previous = _recorders.steps
    _recorders.steps = [*(previous or []), steps]
    try:
        yield steps
    finally:
        _recorders.steps = previous


def is_grad_enabled() -> bool:
    """Whether operations are being recorded for backward."""
    return _grad_mode.enabled


class set_grad_enabled:  # noqa: N801 - torch's name
    """Context manager (and decorator) that turns recording on or off."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = _grad_mode.enabled
        _grad_mode.enabled = self.mode  # torch applies it at once, so it also works as a call

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        _grad_mode.enabled = self.prev

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        _grad_mode.enabled = self.prev
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper


class no_grad:  # noqa: N801 - torch's name
    """Disable recording inside a ``with`` block or a decorated function."""

    _mode = False

    def __enter__(self) -> None:
        self.prev = _grad_mode.enabled
        _grad_mode.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        _grad_mode.enabled = self.prev

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper


class enable_grad(no_grad):  # noqa: N801 - torch's name
    """Re-enable recording inside a ``no_grad`` block."""

    _mode = True


# ----------------------------------------------------------------------------- graph nodes
class Node:
    """One recorded operation (a ``grad_fn``).

    Subclasses are made per PyTorch name (``AddBackward0`` ...) by :func:`node_class`, each with
    the backward rule of its op. ``saved`` holds the arrays that rule needs; op-specific facts that
    are not arrays (a dim, a shape) are plain attributes.
    """

    __slots__ = ("next_functions", "needs", "meta", "seq", "__dict__", "__weakref__")
    rule: Callable[[Node, np.ndarray], Sequence[np.ndarray | None]] | None = None
    #: Class-level defaults, overridden per node only when an op saves arrays or a tensor
    #: calls retain_grad(): one attribute write fewer on the hot path.
    saved: Any = ()
    alpha: float = 1  # the scale of add's and sub's second input (written only when not 1)
    _retained: weakref.ref[Tensor] | None = None
    _hooks: dict[int, Callable[..., Any]] | None = None

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def apply(self, grad: np.ndarray) -> list[np.ndarray | None]:
        """Gradients for each input, reduced to the input's shape and dtype."""
        if self.saved is _FREED:
            raise RuntimeError(SECOND_BACKWARD_ERROR)
        grads = self.rule(grad)  # type: ignore[misc]
        out: list[np.ndarray | None] = []
        for g, meta in zip(grads, self.meta, strict=True):
            if g is None or meta is None:
                out.append(None)
                continue
            shape, dt = meta
            if g.shape != shape:
                g = reduce_to_shape(g, shape)
            if g.dtype != dt:
                g = g.astype(dt)
            out.append(g)
        return out

    def __call__(self, *grad_outputs: Any) -> tuple[Any, ...]:
        """Apply the backward rule to a gradient, like calling a torch grad_fn."""
        Tensor = _tensor_class()

        grad = grad_outputs[0]
        grads = self.apply(grad._data if isinstance(grad, Tensor) else np.asarray(grad))
        return tuple(None if g is None else Tensor._wrap(g) for g in grads)

    def release(self) -> None:
        """Free the saved arrays (a later backward through this node raises)."""
        if self.saved:  # as in PyTorch, a node that saved nothing can be run again
            self.saved = _FREED

    def register_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(grad_inputs, grad_outputs)`` each time backward runs this node.

        As with torch's ``grad_fn.register_hook``: ``grad_outputs`` is a one-tuple holding the
        gradient that arrived at the node (summed over its consumers) and ``grad_inputs`` the
        gradients it passes on, one per entry of ``next_functions`` (None where none flows). A
        hook that returns a tuple replaces ``grad_inputs``. ``handle.remove()`` unregisters it.
        """
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def _run_hooks(self, grad_inputs: list[np.ndarray | None],
                   grad_output: np.ndarray) -> list[np.ndarray | None]:
        """Hand the gradients to the registered hooks, as tensors; take back replacements."""
        Tensor = _tensor_class()

        for hook in list(self._hooks.values()):  # type: ignore[union-attr]
            wrapped = tuple(None if g is None else Tensor._wrap(g) for g in grad_inputs)
            replaced = hook(wrapped, (Tensor._wrap(grad_output),))
            if replaced is not None:
                grad_inputs = [None if g is None else
                               (g._data if isinstance(g, Tensor) else np.asarray(g))
                               for g in replaced]
        return grad_inputs


class RemovableHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook away again."""

    _ids = itertools.count()

    def __init__(self, hooks: dict[int, Callable[..., Any]]) -> None:
        self.id = next(self._ids)
        self._hooks = hooks

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


class AccumulateGrad(Node):
    """The graph node of a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.seq = next(_sequence)
        self.variable = variable
        self.next_functions: tuple[tuple[Node | None, int], ...] = ()

    def accumulate(self, grad: np.ndarray) -> None:
        Tensor = _tensor_class()

        var = self.variable
        if grad.dtype != var._data.dtype:
            grad = grad.astype(var._data.dtype)
        if grad.shape != var._data.shape:
            grad = np.broadcast_to(grad, var._data.shape)
        if var._grad is None:
            var._grad = Tensor._wrap(np.array(grad, copy=True))
        else:
            var._grad._data = var._grad._data + grad


_node_classes: dict[str, type[Node]] = {}


def node_class(name: str, rule: Callable[..., Sequence[np.ndarray | None]]) -> type[Node]:
    """The Node subclass called ``name`` (e.g. "MulBackward0") running ``rule``."""
    cls = _node_classes.get(name)
    if cls is None:
        cls = type(name, (Node,), {"__slots__": (), "rule": rule, "__module__": __name__})
        _node_classes[name] = cls
    return cls


def reduce_to_shape(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo broadcasting: sum the gradient over the axes that broadcasting added or stretched."""
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if extra:
        grad = grad.reshape(shape)
    return grad


# ----------------------------------------------------------------------------- the engine
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
    root_grads: list[np.ndarray],
    retain_graph: bool,
    capture: list[Node] | None = None,
) -> dict[Node, np.ndarray]:
    """Propagate ``root_grads`` from ``roots`` down to the leaves.

    Without ``capture`` this is ``Tensor.backward``: leaves accumulate into ``.grad`` and tensors
    that called ``retain_grad()`` keep theirs. With ``capture`` (``autograd.grad``) nothing is
    accumulated; the gradients arriving at the captured nodes are returned, and only the part of
    the graph that leads to them is run.
    """
    useful: set[Node] | None = None
    targets: set[Node] | None = None
    if capture is None:
        dependencies = _count_dependencies(roots)
    else:
        dependencies, useful = _prune(roots, capture)
        targets = set(capture)

    buffers: dict[Node, np.ndarray] = {}
    for root, grad in zip(roots, root_grads, strict=True):
        buffers[root] = buffers[root] + grad if root in buffers else grad
    ready = [(-root.seq, root) for root in dict.fromkeys(roots) if not dependencies.get(root)]
    heapq.heapify(ready)
    captured: dict[Node, np.ndarray] = {}
    with np.errstate(all="ignore"):  # PyTorch gives inf/nan gradients silently (sqrt'(0) = inf)
        _drain(ready, buffers, dependencies, retain_graph, useful, targets, captured)
    return captured


def _drain(
    ready: list[tuple[int, Node]],
    buffers: dict[Node, np.ndarray],
    dependencies: dict[Node, int],
    retain_graph: bool,
    useful: set[Node] | None,
    targets: set[Node] | None,
    captured: dict[Node, np.ndarray],
) -> None:
    """Run ready nodes until none is left, releasing each input once all its consumers ran."""
    recorders = _recorders.lists
    step_recorders = _recorders.steps
    while ready:
        fn = heapq.heappop(ready)[1]
        if recorders:
            for order in recorders:
                order.append(fn)
        grad = buffers.pop(fn, None)
        if useful is not None:
            if fn in targets and grad is not None:  # type: ignore[operator]
                captured[fn] = grad
            if not any(nxt in useful for nxt, _ in fn.next_functions):
                continue
        elif grad is not None:
            if fn._retained is not None:
                _store_retained_grad(fn, grad)
            if type(fn) is AccumulateGrad:
                fn.accumulate(grad)
                if fn._hooks:
                    fn._run_hooks([], grad)
                if step_recorders:
                    for steps in step_recorders:
                        steps.append((fn, grad, ()))
                continue
        input_grads = fn.apply(grad) if grad is not None else [None] * len(fn.next_functions)
        if fn._hooks and grad is not None:
            input_grads = fn._run_hooks(input_grads, grad)
        if step_recorders:
            for steps in step_recorders:
                steps.append((fn, grad, input_grads))
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


def _store_retained_grad(fn: Node, grad: np.ndarray) -> None:
    Tensor = _tensor_class()

    tensor = fn._retained() if fn._retained is not None else None
    if tensor is None:
        return
    if tensor._grad is None:
        tensor._grad = Tensor._wrap(np.array(grad, copy=True))
    else:
        tensor._grad._data = tensor._grad._data + grad


def _seed_gradients(
    outputs: Sequence[Tensor], grad_outputs: Sequence[Any] | None
) -> tuple[list[Node], list[np.ndarray]]:
    """The graph nodes of the outputs and the gradient each one starts with."""
    Tensor = _tensor_class()

    roots: list[Node] = []
    grads: list[np.ndarray] = []
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        given = None if grad_outputs is None else grad_outputs[i]
        if given is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grad = np.ones_like(out._data)
        else:
            grad = given._data if isinstance(given, Tensor) else np.asarray(given)
            if grad.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{type(out.shape)(grad.shape)!r} and output[{i}] has a shape of {out.shape!r}."
                )
            grad = grad.astype(out._data.dtype, copy=False)
        roots.append(out._graph_node())
        grads.append(grad)
    return roots, grads


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's ``.grad`` (``torch.autograd.backward``)."""
    Tensor = _tensor_class()

    outputs = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is not None and (isinstance(grad_tensors, Tensor) or
                                     not isinstance(grad_tensors, (list, tuple))):
        grad_tensors = [grad_tensors]
    roots, grads = _seed_gradients(outputs, grad_tensors)
    run_backward(roots, grads, bool(retain_graph))


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
) -> tuple[Tensor | None, ...]:
    """d(outputs)/d(inputs), returned instead of accumulated (``torch.autograd.grad``)."""
    Tensor = _tensor_class()

    if create_graph:
        raise NotImplementedError("cgengine does not build graphs of the backward pass")
    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is not None and (isinstance(grad_outputs, Tensor) or
                                     not isinstance(grad_outputs, (list, tuple))):
        grad_outputs = [grad_outputs]
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        del i
    roots, grads = _seed_gradients(outs, grad_outputs)
    nodes = [t._graph_node() for t in ins]
    captured = run_backward(roots, grads, bool(retain_graph), capture=nodes)
    result: list[Tensor | None] = []
    for index, (t, node) in enumerate(zip(ins, nodes, strict=True)):
        g = captured.get(node)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {index} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
            continue
        if g.shape != t._data.shape:
            g = np.broadcast_to(g, t._data.shape)
        result.append(Tensor._wrap(np.array(g, dtype=t._data.dtype, copy=True)))
    return tuple(result)
