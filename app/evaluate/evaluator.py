"""Evaluate a document: build a fresh dynamic graph in the engine, run forward and backward.

Each run does what one PyTorch training step does: create the leaf tensors, call the operations in
topological order (the engine records the graph as they run), then ``output.backward()``. What is
reported is what ``print`` would show in a PyTorch session; what the canvas needs beyond that (the
gradient of every node, the gradient along every wire) is computed on the side without changing
what the student sees.

The engine is a parameter so the tests can run the very same evaluation on ``torch`` itself.
"""

from __future__ import annotations

import warnings
from types import ModuleType
from typing import Any

import numpy as np

import cgengine
from app.evaluate.calls import call_op
from app.evaluate.results import AutogradNode, EdgeResult, EvalResult, NodeResult
from app.model import GraphDocument, Node
from cgengine.autograd import reduce_to_shape

#: Why an operation can turn finite inputs into nan or inf (shown as a node warning).
_NONFINITE_REASONS: dict[str, str] = {
    "log": "log of a negative number is nan, and log(0) is -inf",
    "sqrt": "sqrt of a negative number is nan",
    "div": "dividing by zero gives inf (and 0/0 gives nan)",
    "pow": "a negative number to a fractional power is nan; 0 to a negative power is inf",
    "exp": "exp of a large number overflows to inf",
}


def evaluate_document(doc: GraphDocument, engine: ModuleType = cgengine) -> EvalResult:
    """Run the document's graph forward and backward on ``engine``; never raises for bad graphs.

    Numeric faults (log of a negative number, overflow) give nan/inf on the node as in torch,
    without printing numpy or engine warnings to the console.
    """
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _Evaluation(doc, engine).run()


def _error_text(exc: BaseException) -> str:
    """The engine's message, first line only (torch's TypeErrors list every overload below it)."""
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines and lines[0].strip() else type(exc).__name__


def _to_numpy(tensor: Any) -> np.ndarray:
    return np.array(tensor.detach().numpy(), copy=True)


def _has_nonfinite(value: Any) -> bool:
    """True when a tensor or python number holds nan or inf."""
    array = np.asarray(value.detach().numpy() if hasattr(value, "detach") else value)
    return array.dtype.kind == "f" and not bool(np.all(np.isfinite(array)))


#: The largest result an operation may produce in the editor. A file holds at most 10^6 elements
#: per tensor, but broadcasting a [10000, 1] tensor with a [1, 10000] one would make 10^8 (seconds
#: and gigabytes on every edit): such an op is refused on its node before it runs.
MAX_RESULT_ELEMENTS = 10_000_000


_GROWING = ("matmul", "mm", "cat", "stack")  # ops whose result can outgrow equal-shaped inputs


def _result_too_big(op: str, args: list[Any]) -> str | None:
    """An error text when the op would produce more than MAX_RESULT_ELEMENTS elements."""
    shapes = [tuple(a.shape) for a in args if hasattr(a, "shape")]
    if len(shapes) < 2 or (op not in _GROWING and all(s == shapes[0] for s in shapes)):
        return None  # no broadcasting: the result is no larger than an input
    try:
        if op in ("matmul", "mm") and all(len(s) >= 2 for s in shapes[:2]):
            a, b = shapes[:2]
            shape = np.broadcast_shapes(a[:-2], b[:-2]) + (a[-2], b[-1])
        elif op in ("cat", "stack"):
            shape = (sum(int(np.prod(s)) for s in shapes),)
        else:
            shape = np.broadcast_shapes(*shapes)
    except ValueError:
        return None  # not broadcastable: the engine words that error
    count = int(np.prod(shape, dtype=np.float64))
    if count <= MAX_RESULT_ELEMENTS:
        return None
    return (f"the result would have {count:,} elements (shape {list(shape)}); the editor computes "
            f"at most {MAX_RESULT_ELEMENTS:,}")


#: retain_grad() on a tensor that does not require grad is an error in torch; here it is a
#: warning, so that ticking a checkbox never blocks the rest of the graph.
_RETAIN_WITHOUT_GRAD = ("retain_grad() needs a tensor that requires grad; torch raises \"can't "
                        "retain_grad on Tensor that has requires_grad=False\"")


class _Evaluation:
    """One forward and backward run; holds the engine objects only while it runs."""

    def __init__(self, doc: GraphDocument, engine: ModuleType) -> None:
        self.doc = doc
        self.engine = engine
        self.values: dict[str, Any] = {}  # node id -> engine tensor or python number
        self.args: dict[str, list[Any]] = {}  # op node id -> the arguments it was called with
        self.result = EvalResult(output=doc.output)
        self._owners: dict[int, str] | None = None

    def is_tensor(self, value: Any) -> bool:
        return isinstance(value, self.engine.Tensor)

    def run(self) -> EvalResult:
        for node_id in self.doc.topological_order():
            node = self.doc.node(node_id)
            self.result.nodes[node_id] = self.forward(node)
        self.backward()
        self.gradients()
        self.wire_gradients()
        return self.result

    # ------------------------------------------------------------------ forward
    def forward(self, node: Node) -> NodeResult:
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
            return NodeResult(error=_error_text(exc))
        self.values[node.id] = tensor
        result = self.describe(tensor)
        if node.retain_grad and not tensor.requires_grad:
            result.warning = _RETAIN_WITHOUT_GRAD
        return result

    def make_number(self, node: Node) -> NodeResult:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return NodeResult(is_leaf=False, is_number=True,
                              error=f"a scalar node holds one number, not {value!r}")
        self.values[node.id] = value
        return NodeResult(value=np.asarray(value), is_leaf=False, is_number=True)

    def apply_op(self, node: Node) -> NodeResult:
        inputs = self.doc.inputs_of(node.id)
        for src in inputs:
            if src is not None and src not in self.values:
                failed = self.result.nodes[src]
                return NodeResult(is_leaf=False, blocked_by=failed.blocked_by or src)
        args: list[Any] = []
        for port, src in zip(node.spec.inputs, inputs, strict=True):
            if src is not None:
                args.append(self.values[src])
            elif port.default is not None:
                args.append(node.params.get(port.name, port.default))
            else:
                return NodeResult(is_leaf=False, error=f"input '{port.name}' is not connected")
        too_big = _result_too_big(node.type, args)
        if too_big:
            return NodeResult(is_leaf=False, error=too_big)
        try:
            tensor = call_op(self.engine, node.spec, args, node.params)
        except Exception as exc:
            return NodeResult(is_leaf=False, error=_error_text(exc))
        if not self.is_tensor(tensor):
            return NodeResult(is_leaf=False, error=f"{node.type} did not return a tensor")
        self.values[node.id] = tensor
        self.args[node.id] = args
        result = self.describe(tensor)
        if tensor.requires_grad and not tensor.is_leaf:
            # Every intermediate keeps its gradient so the canvas can explain all of them;
            # ``grad`` still reports only what torch would (see ``gradients``).
            tensor.retain_grad()
        elif node.retain_grad:
            result.warning = _RETAIN_WITHOUT_GRAD
        if _has_nonfinite(tensor) and not any(_has_nonfinite(a) for a in args):
            result.warning = _NONFINITE_REASONS.get(node.type, f"{node.type} gave nan or inf")
        return result

    def describe(self, tensor: Any) -> NodeResult:
        value = _to_numpy(tensor)
        return NodeResult(
            value=value,
            grad_fn=tensor.grad_fn.name() if tensor.grad_fn is not None else None,
            is_leaf=bool(tensor.is_leaf),
            requires_grad=bool(tensor.requires_grad),
            shape=tuple(int(n) for n in tensor.shape),
            dtype=str(value.dtype),
        )

    # ----------------------------------------------------------------- backward
    def backward(self) -> None:
        output = self.doc.output
        if output is None or output not in self.values:
            return
        tensor = self.values[output]
        if not self.is_tensor(tensor):
            self.result.nodes[output].error = (
                "a python number has no backward(); choose a tensor node as the output"
            )
            return
        self.result.autograd = self.autograd_graph(tensor)
        recorder = getattr(getattr(self.engine, "autograd", None), "record_backward_order", None)
        try:
            # retain_graph: the wire gradients below apply each node's backward rule once more
            if recorder is None:  # torch cannot report its order
                tensor.backward(retain_graph=True)
            else:
                with recorder() as order:
                    tensor.backward(retain_graph=True)
                self.result.backward_order = self.document_order(order)
        except Exception as exc:
            self.result.nodes[output].error = _error_text(exc)

    def owner(self, fn: Any) -> str | None:
        """The document node a graph node belongs to: the node whose tensor has it as grad_fn,
        or, for an AccumulateGrad, the leaf it accumulates into."""
        if self._owners is None:
            self._owners = {}
            for node_id, t in self.values.items():
                if self.is_tensor(t):
                    self._owners[id(t.grad_fn if t.grad_fn is not None else t)] = node_id
        variable = getattr(fn, "variable", None)
        return self._owners.get(id(variable if variable is not None else fn))

    def autograd_graph(self, output: Any) -> list[AutogradNode]:
        """The backward graph below the output, as plain records (iterative walk)."""
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
                    keys[id(nxt)] = len(keys)
                    seen.append(nxt)
                    stack.append(nxt)
                record.next.append(keys[id(nxt)])
            records.append(record)
        records.sort(key=lambda r: r.key)
        return records

    def document_order(self, order: list[Any]) -> list[str]:
        """The document nodes of the graph nodes backward ran, first occurrence kept."""
        ids = (self.owner(fn) for fn in order)
        return list(dict.fromkeys(node_id for node_id in ids if node_id is not None))

    def gradients(self) -> None:
        """Set ``full_grad`` on every node requiring grad, and ``grad`` where torch keeps it."""
        for node_id, value in self.values.items():
            if not self.is_tensor(value) or not value.requires_grad:
                continue
            # leaves and retained non-leaves only: reading any other .grad makes torch warn
            grad = value.grad
            if grad is None:
                continue
            result = self.result.nodes[node_id]
            result.full_grad = _to_numpy(grad)
            if value.is_leaf or self.doc.node(node_id).retain_grad:
                result.grad = _to_numpy(grad)

    def wire_gradients(self) -> None:
        """The gradient each wire carries back: the vector-Jacobian product of its target op.

        When the op recorded one graph node whose inputs are exactly its ports (add, mul, ...),
        that node's backward rule is applied to the op's gradient: one rule per node, O(n) in
        all. Ops recorded as several nodes (cross_entropy is log_softmax then nll_loss) are called
        once more on detached copies of their inputs, so that autograd.grad walks only that op.
        Either way a tensor wired into two ports (mul(a, a)) gets the share of each wire.
        """
        for edge in self.doc.edges:
            self.result.edges[(edge.dst, edge.port)] = EdgeResult()
        for node_id, args in self.args.items():
            upstream = self.result.nodes[node_id].full_grad
            if upstream is None:
                continue
            ports = [p for p, a in enumerate(args) if self.is_tensor(a) and a.requires_grad]
            try:
                grads = (self.direct_vjp(self.values[node_id], args, ports, upstream)
                         or self.replayed_vjp(self.doc.node(node_id), args, ports, upstream))
            except Exception:
                # the forward succeeded, so this cannot fail unless the engine is broken; the
                # wires then simply show no gradient
                continue
            for port, grad in zip(ports, grads, strict=True):
                if grad is not None:
                    self.result.edges[(node_id, port)].grad = (
                        grad if isinstance(grad, np.ndarray) else _to_numpy(grad))

    def direct_vjp(self, out: Any, args: list[Any], ports: list[int],
                   upstream: np.ndarray) -> list[Any] | None:
        """The op's own graph node applied to ``upstream``, or None when the op recorded more
        than one node (its next_functions are then not its ports)."""
        fn = out.grad_fn
        if fn is None or len(fn.next_functions) != len(args):
            return None
        for port in ports:
            node, arg = fn.next_functions[port][0], args[port]
            if arg.grad_fn is not None:
                if node is not arg.grad_fn:
                    return None
            elif getattr(node, "variable", None) is not arg:  # a leaf's AccumulateGrad
                return None
        with self.engine.no_grad():
            grads = fn(self.engine.tensor(upstream, dtype=out.dtype))
        if not isinstance(grads, tuple):  # torch returns a lone tensor for a one-input node
            grads = (grads,)
        # torch's engine (not the node) sums a broadcast gradient back to the input's shape
        return [None if grads[port] is None else
                reduce_to_shape(_to_numpy(grads[port]), tuple(args[port].shape))
                for port in ports]

    def replayed_vjp(self, node: Node, args: list[Any], ports: list[int],
                     upstream: np.ndarray) -> list[Any]:
        """The op called again on detached inputs, differentiated with autograd.grad."""
        local = [a.detach().requires_grad_(True) if p in ports else a for p, a in enumerate(args)]
        out = call_op(self.engine, node.spec, local, node.params)
        return list(self.engine.autograd.grad(
            out, [local[p] for p in ports],
            grad_outputs=self.engine.tensor(upstream, dtype=out.dtype), allow_unused=True))
