"""The step-by-step walkthrough of a forward and a backward pass, as plain data (no Qt).

``backward_steps(doc, result)`` lists the nodes in the order the engine's backward really ran
them (``EvalResult.backward_order``: the output first, the leaves last). Step 0 is the output with
its seed gradient ("dy/dy = 1."); every later step is the chain rule at one node, written with
the node labels and then with the actual numbers, a fan-out as the explicit sum of its branches::

    dy/dw = dy/da · da/dw + dy/db · db/dw = 2. · 1. + 3. · 1. = 5.

``forward_steps(doc, result)`` lists the operations in topological order ("a = w + x = 1. + 2. =
3."). Numbers print as torch prints them ("5.", "0.5000"); a one-element tensor prints as its
number. A local derivative d(consumer)/d(input) is computed exactly (the consumer's backward
rule applied to a gradient of ones, on cgengine) where both are single numbers; for larger
tensors a step shows the gradient along the wire instead, which is what backward computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

import cgengine
from app.display.values import format_tensor, value_to_text
from app.evaluate import EvalResult, NodeResult
from app.evaluate.calls import call_op
from app.model import GraphDocument

StepKind = Literal["seed", "chain", "forward"]
Wire = tuple[str, int]  # (dst, port), like the document's and the result's keys

#: Infix spelling of the binary operations in forward formulas; others print as calls.
_INFIX: dict[str, str] = {"add": "+", "sub": "-", "mul": "·", "div": "/", "pow": "**",
                          "matmul": "@"}
_PREFIX = "tensor("
#: Labels that read as one symbol in a formula; any other label is parenthesised.
_SYMBOL = re.compile(r"[\w.']+")


@dataclass(frozen=True, eq=False)
class Term:
    """One branch of the chain rule: the gradient arriving at a node along one wire.

    ``upstream`` is d(output)/d(consumer), ``local`` d(consumer)/d(node) (None unless both are
    single numbers) and ``grad`` their product as backward computed it along the wire.
    """

    consumer: str
    port: int
    upstream: np.ndarray | None
    local: np.ndarray | None
    grad: np.ndarray


@dataclass(frozen=True, eq=False)
class Step:
    """One step of a walkthrough: a node, its formula and the wires that take part.

    ``value`` is the node's gradient d(output)/d(node) in a backward walkthrough and its forward
    value in a forward one. ``wires`` are the wires delivering the gradient (backward: the wires
    leaving the node) or the operands (forward: the wires entering it). ``error`` is the
    engine's message when a forward operation failed, ``blocked_by`` the failed node upstream
    when an operation got no input value.
    """

    node_id: str
    kind: StepKind
    formula: str
    value: np.ndarray | None
    wires: tuple[Wire, ...] = ()
    terms: tuple[Term, ...] = ()
    error: str | None = None
    blocked_by: str | None = None


def format_number(array: Any) -> str:
    """A number or tensor as torch prints it, on one line: "5.", "0.5000", "[1., 2.]".

    A one-element tensor prints as its number (the formula reads "2. · 1.", not "[2.] · [1.]");
    a tensor of more than 9 elements prints as its shape.
    """
    if isinstance(array, (int, float)) and not isinstance(array, bool):
        return value_to_text(array)
    array = np.asarray(array)
    if array.size == 1:
        array = array.reshape(())
    elif array.size > 9 or array.ndim > 2:
        return f"[shape {tuple(int(n) for n in array.shape)}]"
    text = format_tensor(array)[len(_PREFIX):-1]
    # torch indents continuation rows under the first; on one line they only need a space
    return " ".join(line.strip() for line in text.split("\n"))


def _join(parts: list[str]) -> str:
    """"a = b = c", leaving out a part equal to the one before it ("3. = 3.")."""
    kept: list[str] = []
    for part in parts:
        if not kept or part != kept[-1]:
            kept.append(part)
    return " = ".join(kept)


def _name(doc: GraphDocument, node_id: str) -> str:
    """A node's label as a formula symbol; "(x @ W1)" keeps a label with operators together."""
    label = doc.node(node_id).display_name
    return label if _SYMBOL.fullmatch(label) else f"({label})"


# ------------------------------------------------------------------ backward
def backward_steps(doc: GraphDocument, result: EvalResult) -> list[Step]:
    """The backward pass node by node, in the engine's order, with the chain rule's numbers.

    Empty when backward did not run (no output, or the output failed).
    """
    output = result.output
    if output is None or not doc.has_node(output):
        return []
    out_result = result.nodes.get(output)
    if out_result is None or out_result.full_grad is None:
        return []
    order = [nid for nid in result.backward_order if doc.has_node(nid)]
    if not order:
        # an engine that cannot report its order (torch): reverse topological order is a
        # valid order in which backward may have run
        order = [nid for nid in reversed(doc.topological_order())
                 if (r := result.nodes.get(nid)) is not None and r.full_grad is not None]
        if output in order:
            order.remove(output)
        order.insert(0, output)
    topo = {nid: index for index, nid in enumerate(doc.topological_order())}
    steps: list[Step] = []
    for node_id in order:
        node_result = result.nodes.get(node_id)
        if node_result is None or node_result.full_grad is None:
            continue
        if node_id == output:
            steps.append(_seed_step(doc, node_id, node_result))
        else:
            steps.append(_chain_step(doc, result, node_id, node_result.full_grad, topo))
    return steps


def _seed_step(doc: GraphDocument, node_id: str, node_result: NodeResult) -> Step:
    name = _name(doc, node_id)
    gradient = doc.backward.gradient
    if gradient is None:
        seed = np.ones_like(np.asarray(node_result.full_grad))
        return Step(node_id, "seed", f"d{name}/d{name} = {format_number(seed)}", seed)
    # backward(gradient=g) starts from g instead of ones: each element of the output is weighted,
    # so every .grad is the weighted sum  g[0] · d{name}[0]/dw + g[1] · d{name}[1]/dw + ...
    seed = np.broadcast_to(np.asarray(gradient, dtype=np.float64),
                           np.shape(node_result.full_grad))
    terms = " + ".join(f"{format_number(weight)} · d{name}[{index}]/dw"
                       for index, weight in enumerate(seed.reshape(-1)[:4]))
    if seed.size > 4:
        terms += " + …"
    text = (f"d{name}/d{name} = gradient = {format_number(seed)}   "
            f"(backward(gradient=...): w.grad = {terms})")
    return Step(node_id, "seed", text, seed)


def _chain_step(doc: GraphDocument, result: EvalResult, node_id: str, full_grad: np.ndarray,
                topo: dict[str, int]) -> Step:
    output = result.output
    assert output is not None
    out_name, name = _name(doc, output), _name(doc, node_id)
    edges = sorted(doc.consumers_of(node_id), key=lambda e: (topo.get(e.dst, 0), e.port))
    terms: list[Term] = []
    for edge in edges:
        wire = result.edges.get((edge.dst, edge.port))
        consumer = result.nodes.get(edge.dst)
        if wire is None or wire.grad is None or consumer is None or consumer.full_grad is None:
            continue
        terms.append(Term(edge.dst, edge.port, consumer.full_grad,
                          local_derivative(doc, result, edge.dst, edge.port), wire.grad))
    # a consumer fed by this node on two ports (mul(a, a)) names each port in its term
    ports_per_consumer: dict[str, int] = {}
    for term in terms:
        ports_per_consumer[term.consumer] = ports_per_consumer.get(term.consumer, 0) + 1

    chain, symbolic, numbers = [], [], []
    for term in terms:
        consumer_name = _name(doc, term.consumer)
        local_name = f"d{consumer_name}/d{name}"
        if ports_per_consumer[term.consumer] > 1:
            local_name += f"[{doc.node(term.consumer).spec.inputs[term.port].name}]"
        local_symbol = _local_symbol(doc, term.consumer, term.port) or local_name
        local_number = format_number(term.local) if term.local is not None else None
        if term.consumer == output:
            # the upstream factor is the seed, d y/d y = 1: leave it out
            chain.append(local_name)
            symbolic.append(local_symbol)
            numbers.append(local_number or format_number(term.grad))
        else:
            upstream_name = f"d{out_name}/d{consumer_name}"
            chain.append(f"{upstream_name} · {local_name}")
            symbolic.append(f"{upstream_name} · {local_symbol}")
            numbers.append(f"{format_number(term.upstream)} · {local_number}"
                           if local_number is not None else format_number(term.grad))
    lhs = f"d{out_name}/d{name}"
    parts = [lhs]
    if terms:
        parts += [" + ".join(chain), " + ".join(symbolic), " + ".join(numbers)]
    parts.append(format_number(full_grad))
    wires = tuple((term.consumer, term.port) for term in terms)
    return Step(node_id, "chain", _join(parts), full_grad, wires, tuple(terms))


def _local_symbol(doc: GraphDocument, consumer: str, port: int) -> str | None:
    """The local derivative by name where it is simply another operand: d(a·b)/da = b."""
    node = doc.node(consumer)
    if node.type != "mul":
        return None
    return _operand_name(doc, consumer, 1 - port)


def local_derivative(doc: GraphDocument, result: EvalResult, dst: str,
                     port: int) -> np.ndarray | None:
    """d(dst)/d(the tensor wired into ``port`` of dst), shaped like that tensor, or None.

    Computed exactly, by applying the operation's backward rule (on cgengine) to a gradient of
    ones, and only where both the operand and the result are single numbers: for larger tensors
    the derivative is a Jacobian matrix, and the wire's gradient is what a step shows instead.
    None too where the operand is a python number or an integer tensor (no gradient at all).
    """
    if not doc.has_node(dst) or doc.edge_into(dst, port) is None:
        return None
    node = doc.node(dst)
    out = result.nodes.get(dst)
    if not node.spec.is_op or out is None or out.value is None or np.size(out.value) != 1:
        return None
    args: list[Any] = []
    target_shape: tuple[int, ...] = ()
    for index, (spec, src) in enumerate(zip(node.spec.inputs, doc.inputs_of(dst))):
        if src is None:
            if spec.default is None:
                return None
            args.append(node.params.get(spec.name, spec.default))
            continue
        operand = result.nodes.get(src)
        if operand is None or operand.value is None:
            return None
        if operand.is_number:
            args.append(operand.value.item())
            continue
        differentiate = index == port
        if differentiate:
            if operand.value.size != 1 or operand.value.dtype.kind != "f":
                return None
            target_shape = operand.value.shape
        args.append(cgengine.tensor(operand.value, dtype=getattr(cgengine, operand.dtype),
                                    requires_grad=differentiate))
    target = args[port]
    try:
        # silently, as the evaluation ran it: a local derivative may be inf (sqrt at 0)
        with np.errstate(all="ignore"):
            value = call_op(cgengine, node.spec, args, node.params)
            (grad,) = cgengine.autograd.grad(value, [target],
                                             grad_outputs=cgengine.ones_like(value),
                                             allow_unused=True)
    except Exception:
        # the evaluation ran this very call without error, so only an engine bug gets here;
        # the step then shows the wire's gradient instead of failing the walkthrough
        return None
    if grad is None:  # the result does not depend on this operand at all
        return np.zeros(target_shape)
    return np.array(grad.numpy(), copy=True)


# ------------------------------------------------------------------- forward
def forward_steps(doc: GraphDocument, result: EvalResult) -> list[Step]:
    """Every operation in topological order, as "a = w + x = 1. + 2. = 3."."""
    steps: list[Step] = []
    for node_id in doc.topological_order():
        node = doc.node(node_id)
        node_result = result.nodes.get(node_id)
        if not node.spec.is_op or node_result is None:
            continue
        names = [_operand_name(doc, node_id, p) for p in range(len(node.spec.inputs))]
        numbers = _operand_numbers(doc, result, node_id)
        if node.spec.control == "differentiate":
            # autograd.grad: a derivative, not a function of the operands' numbers
            parts = [node.display_name, f"d{names[0]}/d{names[1]}",
                     f"autograd.grad({names[0]}, {names[1]}, create_graph=True)[0]"]
        else:
            parts = [node.display_name, _call_text(doc, node_id, names)]
            if numbers is not None:
                parts.append(_call_text(doc, node_id, numbers))
        value = node_result.value
        if value is not None:
            parts.append(format_number(value))
        if node.spec.control == "differentiate" and node_result.grad_fn is not None:
            parts[-1] += (f"   (create_graph=True recorded this derivative as a graph, "
                          f"grad_fn={node_result.grad_fn}: a grad node can differentiate it "
                          f"again)")
        wires = tuple((node_id, p) for p in range(len(node.spec.inputs))
                      if doc.edge_into(node_id, p) is not None)
        steps.append(Step(node_id, "forward", _join(parts), value, wires,
                          error=node_result.error, blocked_by=node_result.blocked_by))
    return steps


def _operand_name(doc: GraphDocument, node_id: str, port: int) -> str:
    """How a formula names an operand: the wired node's label, else the port's number."""
    node = doc.node(node_id)
    edge = doc.edge_into(node_id, port)
    if edge is not None:
        return _name(doc, edge.src)
    spec = node.spec.inputs[port]
    if spec.default is None:
        return "?"
    return value_to_text(node.params.get(spec.name, spec.default))


def _operand_numbers(doc: GraphDocument, result: EvalResult, node_id: str) -> list[str] | None:
    """The operands' values as text, or None when one has no value (an error upstream)."""
    numbers: list[str] = []
    for port, src in enumerate(doc.inputs_of(node_id)):
        if src is None:
            numbers.append(_operand_name(doc, node_id, port))
            continue
        operand = result.nodes.get(src)
        if operand is None or operand.value is None:
            return None
        numbers.append(format_number(operand.value.item() if operand.is_number
                                     else operand.value))
    return numbers


def _call_text(doc: GraphDocument, node_id: str, operands: list[str]) -> str:
    """The operation written with ``operands``: "w + x", "-x", "relu(x)", "sum(x, dim=0)"."""
    node = doc.node(node_id)
    params = {spec.name: node.params.get(spec.name, spec.default) for spec in node.spec.params}
    if node.type in ("add", "sub") and params.get("alpha", 1) != 1:
        operands = [operands[0], f"{value_to_text(params['alpha'])} · {operands[1]}"]
    if node.type in _INFIX and len(operands) == 2:
        return f" {_INFIX[node.type]} ".join(operands)
    if node.type == "neg":
        return f"-{operands[0]}"
    if node.spec.control == "choose":  # Python's if: only the side taken runs
        return f"({operands[1]} if {operands[0]} else {operands[2]})"
    keywords = [f"{spec.name}={_param_text(params[spec.name])}" for spec in node.spec.params
                if params[spec.name] != spec.default]
    return f"{node.type}({', '.join([*operands, *keywords])})"


def _param_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(str(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return value_to_text(value) if isinstance(value, (int, float)) else str(value)
