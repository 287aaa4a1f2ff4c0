"""Evaluate a document: build a fresh dynamic graph in the engine, run forward and backward.

Each run does what one PyTorch training step does: create the leaf tensors, call the operations in
topological order (the engine records the graph as they run), then ``output.backward()``. What is
reported is what ``print`` would show in a PyTorch session; what the canvas needs beyond that (the
gradient of every node, the gradient along every wire) is read from that same backward pass
without changing what the student sees (see :class:`_Evaluation`).

The engine is a parameter so the tests can run the very same evaluation on ``torch`` itself.
"""

from __future__ import annotations

import functools
import math
import time
import warnings
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import numpy as np

import cgengine
from app.evaluate import budget, messages
from app.evaluate.calls import build_module, call_in_place, call_op
from app.evaluate.program import ProgramRun, error_text
from app.evaluate.results import AutogradNode, EdgeResult, EvalResult, NodeResult
from app.model import GraphDocument, Node
from app.model.control_flow import execution_program, needs_program


class EvaluationCancelled(Exception):
    """``evaluate_document`` stopped because its ``cancelled`` callback said so."""


def evaluate_document(doc: GraphDocument, engine: ModuleType = cgengine, *,
                      retire: Callable[[Any], None] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> EvalResult:
    """Run the document's graph forward and backward on ``engine``; never raises for bad graphs.

    Numeric faults (log of a negative number, overflow) give nan/inf on the node as in torch,
    without printing numpy or engine warnings to the console. An operation that would take the
    evaluation past its budget (app/evaluate/budget.py) is refused on its node before it runs.
    The engine objects of the run (tensors, graph nodes: tens of thousands of small objects for
    a large graph, which take milliseconds to free) are handed to ``retire`` when it is given,
    so that the caller frees them when it suits it (the window: once the new numbers are on
    screen); else they are freed on return. ``cancelled`` is asked before each node: when it
    answers True (a newer edit makes this evaluation useless) the evaluation stops and raises
    :class:`EvaluationCancelled`.

    A static document (``doc.mode``) shows what its last Run computed: the copy Run took is
    evaluated, and nodes added since say so. A traced document is also run with each branch
    held to its traced side: ``EvalResult.traced``.
    """
    start = time.perf_counter()
    source = doc
    if doc.mode == "static":
        if doc.static_run is None:
            return _not_run(doc)
        source = doc.static_run
    leftovers: list[Any] = []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evaluation = _Evaluation(source, engine, cancelled=cancelled)
        try:
            result = evaluation.run()
            if source.trace is not None:
                traced = _Evaluation(source, engine, decisions=source.trace, cancelled=cancelled)
                try:
                    result.traced = traced.run()
                finally:
                    leftovers.append(traced.release())
        finally:
            leftovers.append(evaluation.release())
            if retire is not None:
                retire(tuple(leftovers))
    if source is not doc:
        for node in doc.nodes:
            if node.id not in result.nodes:
                result.nodes[node.id] = NodeResult(is_leaf=False, warning=messages.NOT_RUN)
    result.seconds = time.perf_counter() - start
    return result


def _not_run(doc: GraphDocument) -> EvalResult:
    """A static graph before its first Run: nothing is computed yet."""
    result = EvalResult(output=doc.output)
    for node in doc.nodes:
        result.nodes[node.id] = NodeResult(is_leaf=False, warning=messages.NOT_RUN)
    return result


def _to_numpy(tensor: Any) -> np.ndarray:
    """A copy of the tensor's data (``numpy(force=True)`` is torch's ``detach().numpy()``)."""
    return tensor.numpy(force=True).copy()


def _shared_array(tensor: Any) -> np.ndarray:
    """The tensor's own array, not a copy: for cgengine, which never writes into an array once
    an operation has returned it (results and gradients are always fresh arrays)."""
    return tensor.numpy(force=True)


def _has_nonfinite(value: Any) -> bool:
    """True when a tensor or python number holds nan or inf."""
    array = value.numpy(force=True) if hasattr(value, "numpy") else np.asarray(value)
    return _array_has_nonfinite(array)


def _array_has_nonfinite(array: np.ndarray) -> bool:
    if array.dtype.kind != "f":
        return False
    if array.size == 1:  # most cards hold one number: math is faster than a ufunc here
        return not math.isfinite(array.item())
    return not np.isfinite(array).all()


@functools.cache
def _dtype_name(dtype: np.dtype) -> str:
    """ "float32" for numpy's float32 dtype (``str(dtype)`` is slow enough to matter per node)."""
    return str(dtype)


_MISSING = object()  # no value: the node failed

#: Backward graphs larger than this are counted but not listed in ``EvalResult.autograd``: the
#: autograd view draws at most this many boxes, and listing them costs a few milliseconds per
#: thousand nodes.
AUTOGRAD_RECORD_LIMIT = 300



class _Evaluation(ProgramRun):
    """One forward and backward run; holds the engine objects only while it runs.

    The gradient along each wire is what backward passes through the operation's graph node:
    when it runs the node, the node receives the gradient that arrived at it (the node's full
    d(output)/d(node)) and passes one gradient to each input (what the wire carries back). With
    cgengine both are read from ``record_backward_steps()``; with torch from a post-hook on the
    node (``grad_fn.register_hook``). So one backward pass gives every number on the canvas.
    """

    missing = _MISSING

    def __init__(self, doc: GraphDocument, engine: ModuleType,
                 decisions: dict[str, str] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> None:
        self.doc = doc
        self.engine = engine
        self.cancelled = cancelled
        self.account = budget.Account()
        self.tensor_type = engine.Tensor
        #: branch id -> the side to take whatever the condition says (a traced run)
        self.decisions = decisions
        # any topological order gives the same numbers, but for in-place and branch nodes
        self.program = execution_program(doc) if needs_program(doc) \
            else doc.topological_order()
        in_place = any(node.inplace for node in doc.nodes)
        #: how results read a tensor's array: torch may reuse its gradient buffers, so its arrays
        #: are copied; cgengine's are shared (an evaluation of 2,000 nodes reads 8,000 arrays),
        #: unless an in-place node will write into one after a card has shown it
        self.read = _shared_array if engine is cgengine and not in_place else _to_numpy
        #: in-place nodes that changed a tensor an earlier operation had read (and may have
        #: saved for backward): where torch's "modified by an inplace operation" comes from
        self.saved_then_modified: list[str] = []
        #: node id -> what the node's tensor was made by: its grad_fn then, or the leaf itself
        #: (an in-place node gives its input's tensor a new grad_fn afterwards)
        self.created: dict[str, Any] = {}
        #: leaf node id -> the gradient the last backward pass added to its .grad
        self.leaf_arrived: dict[str, np.ndarray] = {}
        #: the same for a layer's parameter tensors, by (module node id, parameter name), and
        #: the id of each parameter tensor -> that key
        self.parameter_arrived: dict[tuple[str, str], np.ndarray] = {}
        self.parameter_keys: dict[int, tuple[str, str]] = {}
        self.backward_size: int | None = None  # graph nodes the last backward pass ran
        self.hooks_on = False  # torch's hooks report only during the backward passes
        #: cgengine reports each step of backward (torch cannot: it gets post-hooks instead)
        self.steps_recorder = getattr(getattr(engine, "autograd", None),
                                      "record_backward_steps", None)
        self.watched: dict[Any, list[tuple[str, list[tuple[int, int]] | None]]] = {}
        self.leaves: dict[int, str] = {}  # id of a leaf tensor -> its node (the last one)
        #: nodes whose tensor's .grad torch keeps: leaves requiring grad, retained non-leaves
        self.holders: list[tuple[str, Any]] = []
        self.inputs = doc.input_table()
        self.values: dict[str, Any] = {}  # node id -> engine tensor or python number
        self.args: dict[str, list[Any]] = {}  # op node id -> the arguments it was called with
        self.result = EvalResult(output=doc.output)
        #: op nodes recorded as several graph nodes, whose wires are replayed after backward
        self.replay: list[str] = []
        self.arrived: dict[str, np.ndarray] = {}  # op node id -> gradient arriving at its grad_fn
        self._owners: dict[int, str] | None = None
        self.modules: dict[str, Any] = {}  # module node id -> the torch.nn module it ran
        #: (module node id, parameter name, tensor): the leaves a module holds (its weight)
        self.parameters: list[tuple[str, str, Any]] = []

    def release(self) -> tuple[Any, ...]:
        """Hand over the engine objects (for freeing later) and forget them."""
        held = (self.values, self.args, self.watched, self.leaves, self.holders, self._owners,
                self.created, self.modules, self.parameters)
        self.values, self.args, self.watched, self.leaves, self._owners = {}, {}, {}, {}, None
        self.holders, self.created, self.modules, self.parameters = [], {}, {}, []
        self.parameter_keys = {}
        return held

    def is_tensor(self, value: Any) -> bool:
        return isinstance(value, self.tensor_type)

    def run(self) -> EvalResult:
        self.walk(self.program)
        # every wire gets a result, in the document's order; backward fills in the grads
        self.result.edges = {(edge.dst, edge.port): EdgeResult() for edge in self.doc.edges}
        self.backward()
        self.gradients()
        self.branch_gradients()
        self.wire_gradients()
        self.derivative_graphs()
        return self.result

    # ------------------------------------------------------------------ forward
    def forward(self, node: Node) -> NodeResult:
        if self.cancelled is not None and self.cancelled():
            raise EvaluationCancelled(node.id)
        if node.type == "tensor":
            return self.make_leaf(node)
        if node.type == "scalar":
            return self.make_number(node)
        return self.apply_op(node)

    def make_leaf(self, node: Node) -> NodeResult:
        try:
            tensor = self.engine.tensor(node.value, dtype=getattr(self.engine, node.dtype),
                                        requires_grad=node.requires_grad)
        except Exception as exc:
            return NodeResult(error=error_text(exc))
        result = self.describe(tensor)
        refusal = self.account.charge(result.value.nbytes * (2 if tensor.requires_grad else 1),
                                      result.value.size)
        if refusal:
            return NodeResult(error=refusal)
        self.values[node.id] = tensor
        self.created[node.id] = tensor
        self.leaves[id(tensor)] = node.id
        if tensor.requires_grad:
            self.holders.append((node.id, tensor))
            if self.steps_recorder is None:  # torch: what each pass adds to .grad, by a hook
                tensor.register_hook(functools.partial(self.record_leaf_gradient, node.id))
        if node.retain_grad and not tensor.requires_grad:
            result.warning = messages.RETAIN_WITHOUT_GRAD
        return result

    def make_number(self, node: Node) -> NodeResult:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return NodeResult(is_leaf=False, is_number=True,
                              error=messages.SCALAR_NOT_A_NUMBER.format(value=repr(value)))
        self.values[node.id] = value
        return NodeResult(value=np.asarray(value), is_leaf=False, is_number=True)

    def apply_op(self, node: Node) -> NodeResult:
        spec = node.spec
        inputs = self.inputs.get(node.id) or [None] * len(spec.inputs)
        values = self.values
        results = self.result.nodes
        args: list[Any] = []
        unwired = None  # the first input port with neither a wire nor a default
        # what the result will cost: its inputs' common shape (one-element inputs aside, they
        # never make a result larger), their widest element and whether one requires grad
        shape: tuple[int, ...] | None = None
        mixed = False
        itemsize = 4
        grad = False
        for port, src in zip(spec.inputs, inputs, strict=True):
            if src is not None:
                value = values.get(src, _MISSING)
                if value is _MISSING:  # the input failed: this node cannot run either
                    failed = results[src]
                    return NodeResult(is_leaf=False, blocked_by=failed.blocked_by or src)
                args.append(value)
                source = results[src]
                array = source.value
                if array.size != 1:
                    if shape is None:
                        shape = array.shape
                    elif array.shape != shape:
                        mixed = True
                if not source.is_number:
                    itemsize = max(itemsize, array.itemsize)
                    grad = grad or source.requires_grad
            elif port.default is not None:
                args.append(node.params.get(port.name, port.default))
            elif unwired is None:
                unwired = port.name
        if unwired is not None:
            return NodeResult(is_leaf=False, error=messages.NOT_CONNECTED.format(port=unwired))
        grad = grad or bool(spec.state)  # a layer's result requires grad through its weight
        if mixed or spec.result_size != "broadcast":
            sized = budget.result_size(spec, [results[src].value.shape for src in inputs
                                              if src is not None], node.params)
            if sized is None:  # the shapes do not fit: the engine words the error
                elements = work = 0
            else:
                result_shape, work = sized
                refusal = budget.too_big(result_shape)
                if refusal:
                    return NodeResult(is_leaf=False, error=refusal)
                elements = math.prod(result_shape)
        else:  # inputs of one shape: the result is no larger (a sum is smaller)
            elements = work = 1 if shape is None else math.prod(shape)
        refusal = self.account.charge(elements * itemsize * (2 if grad else 1), work)
        if refusal:
            return NodeResult(is_leaf=False, error=refusal)
        input_fns = None
        try:
            if spec.control == "differentiate":
                tensor = self.differentiate(node, args)
            elif node.inplace:
                # the graph nodes the inputs had before the call gave the first a new grad_fn
                input_fns = [a.grad_fn if self.is_tensor(a) else None for a in args]
                self.note_modification(node, inputs[0])
                tensor = call_in_place(spec, args, node.params)
            else:
                tensor = self.call(node, args)
        except Exception as exc:
            return NodeResult(is_leaf=False, error=error_text(exc))
        if not isinstance(tensor, self.tensor_type):
            return NodeResult(is_leaf=False, error=messages.NOT_A_TENSOR.format(op=node.type))
        values[node.id] = tensor
        self.args[node.id] = args
        result = self.describe(tensor)
        if spec.state:
            result.state = self.module_parameters(node.id)
        fn = tensor.grad_fn
        self.created[node.id] = fn if fn is not None else tensor
        if node.retain_grad:
            if tensor.requires_grad:
                tensor.retain_grad()  # what the student's code does; .grad is then kept
                if fn is not None:
                    self.holders.append((node.id, tensor))
            else:
                result.warning = messages.RETAIN_WITHOUT_GRAD
        if fn is not None:
            self.watch(node.id, fn, args, input_fns, wires=spec.control is None)
        elif tensor.requires_grad:  # the op gave back a leaf it was given (flatten of a vector)
            self.leaves[id(tensor)] = node.id
            self.holders.append((node.id, tensor))
        if (_array_has_nonfinite(result.value)
                and not any(_has_nonfinite(a) for a in args)):
            result.warning = messages.NONFINITE_REASONS.get(
                node.type, messages.NONFINITE.format(op=node.type))
        return result

    def call(self, node: Node, args: list[Any]) -> Any:
        """The node's operation on ``args``: its engine function, or its torch.nn module (built
        once per evaluation, so that a replay reuses its parameters)."""
        spec = node.spec
        if not spec.module:
            return call_op(self.engine, spec, args, node.params)
        module = self.modules.get(node.id)
        if module is None:
            module = self.modules[node.id] = build_module(self.engine, spec, node.params,
                                                          node.state)
        return module(*args)

    def module_parameters(self, node_id: str) -> dict[str, NodeResult]:
        """The parameter tensors of the node's module, described as leaves; backward gives them
        their .grad (see gradients)."""
        described = {}
        for name, parameter in self.modules[node_id].named_parameters():
            self.leaves[id(parameter)] = node_id
            self.parameter_keys[id(parameter)] = (node_id, name)
            self.parameters.append((node_id, name, parameter))
            described[name] = self.describe(parameter)
            if self.steps_recorder is None:  # torch: what each pass adds to .grad, by a hook
                parameter.register_hook(functools.partial(self.record_parameter_gradient,
                                                          (node_id, name)))
        return described

    def describe(self, tensor: Any) -> NodeResult:
        value = self.read(tensor)
        fn = tensor.grad_fn
        # positional, in NodeResult's field order: value, grad, grad_fn, is_leaf, requires_grad,
        # shape, dtype (one result per node per edit: keywords cost more than they read better)
        return NodeResult(value, None, None if fn is None else fn.name(), fn is None,
                          bool(tensor.requires_grad), value.shape, _dtype_name(value.dtype))

    def note_modification(self, node: Node, source: str | None) -> None:
        """Before an in-place node changes its input's tensor: remember it when the operation
        that made the tensor, or one that read it already, records a graph (either may have
        saved it for backward: exp saves its result, mul its inputs)."""
        if source is None:
            return
        results = self.result.nodes
        if results[source].grad_fn is not None:
            self.saved_then_modified.append(node.id)
            return
        for edge in self.doc.consumers_of(source):
            reader = results.get(edge.dst)
            if edge.dst != node.id and reader is not None and reader.grad_fn is not None:
                self.saved_then_modified.append(node.id)
                return

    def watch(self, node_id: str, fn: Any, args: list[Any], input_fns: list[Any] | None = None,
              wires: bool = True) -> None:
        """Have backward report the gradients through the op's graph node ``fn``.

        cgengine records every step of backward (``record_backward_steps``), read afterwards;
        other engines (torch) get a post-hook on the node. ``input_fns`` are the inputs' graph
        nodes when the call gave them new ones (in place); ``wires`` False: the node's wires
        carry no gradient of their own (a grad node's graph is the derivative's, recorded by
        autograd.grad, and only what arrives at the node is read).
        """
        slots = self.port_slots(fn, args, input_fns) if wires else []
        if slots is None:
            self.replay.append(node_id)
        if self.steps_recorder is not None:
            # an op can return its input itself (flatten of a vector): two nodes, one grad_fn
            self.watched.setdefault(fn, []).append((node_id, slots))
        else:
            fn.register_hook(functools.partial(self.record_gradients, node_id, slots))

    def port_slots(self, fn: Any, args: list[Any],
                   input_fns: list[Any] | None = None) -> list[tuple[int, int]] | None:
        """Pair each input port that gets a gradient with its entry in ``fn.next_functions``.

        torch gives a python-number operand a ``None`` entry (add(w, 1)) or none at all
        (pow(w, 2)); either way the tensors keep their order. None when the entries are not the
        inputs' own graph nodes: the op was recorded as several nodes (cross_entropy is
        nll_loss over log_softmax).
        """
        entries = fn.next_functions
        tensor_type = self.tensor_type
        if len(entries) == len(args):
            pairs: Iterable[tuple[int, int]] = ((port, port) for port in range(len(args)))
        else:
            tensor_ports = [p for p, a in enumerate(args) if isinstance(a, tensor_type)]
            if len(entries) != len(tensor_ports):
                return None
            pairs = zip(tensor_ports, range(len(entries)), strict=True)
        slots = []
        for port, index in pairs:
            graph_node = entries[index][0]
            if graph_node is None:
                continue  # a python number, or a tensor that does not require grad
            arg = args[port]
            if not isinstance(arg, tensor_type):
                return None
            arg_fn = arg.grad_fn if input_fns is None else input_fns[port]
            if arg_fn is not None:
                if graph_node is not arg_fn:
                    return None
            elif getattr(graph_node, "variable", None) is not arg:  # a leaf's AccumulateGrad
                return None
            slots.append((port, index))
        return slots

    def record_leaf_gradient(self, node_id: str, grad: Any) -> None:
        """The hook on a leaf (torch): the gradient a backward pass adds to its .grad."""
        if self.hooks_on:
            self.leaf_arrived[node_id] = self.read(grad)

    def record_parameter_gradient(self, key: tuple[str, str], grad: Any) -> None:
        """The hook on a layer's parameter (torch): what a backward pass adds to its .grad."""
        if self.hooks_on:
            self.parameter_arrived[key] = self.read(grad)

    def record_gradients(self, node_id: str, slots: list[tuple[int, int]] | None,
                         grad_inputs: tuple[Any, ...], grad_outputs: tuple[Any, ...]) -> None:
        """The post-hook: keep what arrived at the node, and what each wire carries back (in
        backward passes: a grad node's autograd.grad runs the hooks too)."""
        if grad_outputs[0] is None or not self.hooks_on:
            return
        read = self.read
        self.arrived[node_id] = read(grad_outputs[0])
        if slots:
            edges = self.result.edges
            for port, index in slots:
                grad = grad_inputs[index]
                if grad is not None:
                    edges[(node_id, port)].grad = read(grad)

    # ----------------------------------------------------------------- backward
    def backward(self) -> None:
        output = self.doc.output
        if output is None or output not in self.values:
            return
        tensor = self.values[output]
        if not self.is_tensor(tensor):
            self.result.nodes[output].error = messages.NUMBER_OUTPUT
            return
        self.run_plan(tensor)  # backward as often as the plan says (once by default)
        size = self.backward_size if self.result.backward_passes else None
        # the walk needs only next_functions, which backward leaves in place
        if size is None or size <= AUTOGRAD_RECORD_LIMIT:
            self.result.autograd = self.autograd_graph(tensor) or []
            size = len(self.result.autograd)
        self.result.autograd_size = size

    def backward_pass(self, tensor: Any, keywords: dict[str, Any]) -> None:
        """One ``tensor.backward(**keywords)``, its gradients read as it runs (up to the node
        that failed, if one does, as torch's hooks see it)."""
        if self.steps_recorder is None:  # torch: the hooks collect the gradients
            self.hooks_on = True
            try:
                tensor.backward(**keywords)
            finally:
                self.hooks_on = False
            return
        steps: list[tuple[Any, Any, Any]] = []
        try:
            with self.steps_recorder() as steps:
                tensor.backward(**keywords)
        finally:
            self.backward_size = len(steps)  # backward runs every node of the graph once
            self.read_steps(steps)

    def derivative_graphs(self) -> None:
        """The graph each grad node's derivative recorded (create_graph=True), for the view."""
        for node_id, tensor in self.values.items():
            node = self.doc.node(node_id)
            if node.spec.control == "differentiate" and self.is_tensor(tensor) \
                    and tensor.grad_fn is not None:
                records = self.autograd_graph(tensor, limit=AUTOGRAD_RECORD_LIMIT)
                if records:
                    self.result.derivatives[node_id] = records

    def read_steps(self, steps: list[tuple[Any, Any, Any]]) -> None:
        """What each watched graph node received and passed on, and the order they ran in."""
        edges, arrived, watched, leaves = (self.result.edges, self.arrived, self.watched,
                                           self.leaves)
        order = []  # the document node of each step (the last one, when nodes share a tensor)
        for fn, grad_in, grads_out in steps:
            entries = watched.get(fn)
            if entries is None:  # an AccumulateGrad, or an inner node of a composite op
                variable = getattr(fn, "variable", None)
                leaf = None if variable is None else leaves.get(id(variable))
                if leaf is not None:
                    order.append(leaf)
                    if grad_in is not None:
                        key = self.parameter_keys.get(id(variable))
                        if key is None:
                            self.leaf_arrived[leaf] = grad_in
                        else:
                            self.parameter_arrived[key] = grad_in
                continue
            order.append(entries[-1][0])
            if grad_in is None:
                continue
            for node_id, slots in entries:
                arrived[node_id] = grad_in
                for port, index in slots or ():
                    grad = grads_out[index]
                    if grad is not None:
                        edges[(node_id, port)].grad = grad
        self.result.backward_order = list(dict.fromkeys(order))

    def owner(self, fn: Any) -> str | None:
        """The document node a graph node belongs to: the node whose tensor has it as grad_fn,
        or, for an AccumulateGrad, the leaf it accumulates into."""
        if self._owners is None:
            # what made each node's tensor, as it was then (a branch node made nothing; an
            # in-place node made its input's tensor's new grad_fn), and a module's parameters
            self._owners = {id(made): node_id for node_id, made in self.created.items()}
            for node_id, _name, parameter in self.parameters:
                self._owners[id(parameter)] = node_id
        variable = getattr(fn, "variable", None)
        return self._owners.get(id(variable if variable is not None else fn))

    def autograd_graph(self, output: Any, limit: int | None = None) -> list[AutogradNode] | None:
        """The backward graph below the output, as plain records (iterative walk); None when it
        has more than ``limit`` nodes."""
        if output.grad_fn is None:
            return []
        keys: dict[int, int] = {}
        records: list[AutogradNode] = []
        stack = [output.grad_fn]
        keys[id(output.grad_fn)] = 0
        seen: list[Any] = [output.grad_fn]  # keep the objects alive while their ids are keys
        while stack:
            fn = stack.pop()
            # type(fn).__name__ is "AccumulateGrad" in both engines (torch's name() is longer)
            record = AutogradNode(keys[id(fn)], type(fn).__name__, self.owner(fn))
            for nxt, _ in fn.next_functions:
                if nxt is None:
                    record.next.append(None)
                    continue
                if id(nxt) not in keys:
                    if limit is not None and len(keys) >= limit:
                        return None
                    keys[id(nxt)] = len(keys)
                    seen.append(nxt)
                    stack.append(nxt)
                record.next.append(keys[id(nxt)])
            records.append(record)
        records.sort(key=lambda r: r.key)
        return records

    def gradients(self) -> None:
        """Set ``full_grad`` on every node requiring grad, and ``grad`` where torch keeps it."""
        nodes = self.result.nodes
        for node_id, grad in self.arrived.items():  # operations: what arrived at their grad_fn
            nodes[node_id].full_grad = grad
        # leaves, and the non-leaves that retain their grad (reading .grad of any other makes
        # torch warn): .grad as torch keeps it
        for node_id, tensor in self.holders:
            grad = tensor.grad
            if grad is None:
                continue
            result = nodes[node_id]
            result.grad = self.read(grad)
            if tensor.grad_fn is None:
                # what the last pass added (the .grad may hold earlier passes too)
                result.full_grad = self.leaf_arrived.get(node_id, result.grad)
        for node_id, name, parameter in self.parameters:
            grad = parameter.grad
            if grad is not None:
                described = nodes[node_id].state[name]
                described.grad = self.read(grad)
                # what the last pass added, as for a leaf (the .grad may hold earlier passes)
                described.full_grad = self.parameter_arrived.get((node_id, name), described.grad)

    def wire_gradients(self) -> None:
        """The wire gradients the hooks could not give.

        An op recorded as several graph nodes (cross_entropy is log_softmax then nll_loss) is
        called once more on detached copies of its inputs with the gradient that arrived at it,
        so that autograd.grad walks only that op. A tensor wired into two ports (mul(a, a)) gets
        the share of each wire either way.
        """
        edges = self.result.edges
        for node_id in self.replay:
            upstream = self.arrived.get(node_id)
            if upstream is None:
                continue
            args = self.args[node_id]
            ports = [p for p, a in enumerate(args) if self.is_tensor(a) and a.requires_grad]
            try:
                grads = self.replayed_vjp(self.doc.node(node_id), args, ports, upstream)
            except Exception:
                # the forward succeeded, so this cannot fail unless the engine is broken; the
                # wires then simply show no gradient
                continue
            for port, grad in zip(ports, grads, strict=True):
                if grad is not None:
                    edges[(node_id, port)].grad = _to_numpy(grad)

    def replayed_vjp(self, node: Node, args: list[Any], ports: list[int],
                     upstream: np.ndarray) -> list[Any]:
        """The op called again on detached inputs, differentiated with autograd.grad."""
        local = [a.detach().requires_grad_(True) if p in ports else a for p, a in enumerate(args)]
        out = self.call(node, local)
        return list(self.engine.autograd.grad(
            out, [local[p] for p in ports],
            grad_outputs=self.engine.tensor(upstream, dtype=out.dtype), allow_unused=True))
