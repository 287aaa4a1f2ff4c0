"""Expand a module node into the plain operations it computes, so students see what it is.

``expansion(doc, node_id)`` plans the replacement of a layer by leaf tensors holding its
parameters and the operations of its forward: an ``nn.Linear`` becomes ``x @ W.t() + b`` (leaves W
and b with the layer's very values, then t, matmul and add), which computes the same numbers
with other grad_fn names (MmBackward0 and AddBackward0 where the layer records AddmmBackward0).
The plan is plain data; the controller carries it out as one undo step (remove the module, add
the nodes, wire them, and the wires that left the module now leave the last operation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.model.document import GraphDocument, Node

#: How far apart the planned nodes are placed, in scene pixels (Tidy Up lays them out better).
_STEP_X, _STEP_Y = 250.0, 190.0


@dataclass
class Expansion:
    """What replaces a module node: ``nodes`` wired by ``wires`` (src, dst, port), the wires
    that left the module now leaving ``result``; ``output`` is the new output when the module
    was it; ``leaves`` maps each of the module's parameters to the leaf that now holds it (the
    backward plan zeroes that leaf where it zeroed the parameter)."""

    module: str
    result: str
    nodes: list[Node] = field(default_factory=list)
    wires: list[tuple[str, str, int]] = field(default_factory=list)
    output: str | None = None
    leaves: dict[str, str] = field(default_factory=dict)


def _linear(doc: GraphDocument, node: Node, new_id: Callable[[str], str]) -> Expansion:
    """nn.Linear's forward, F.linear: input @ weight.t() + bias."""
    x, y = node.pos
    source = doc.inputs_of(node.id)[0]
    weight = Node(new_id("W"), "tensor", "W", (x, y + _STEP_Y), node.state["weight"],
                  requires_grad=True)
    transposed = Node(new_id("Wt"), "t", "W.t()", (x + _STEP_X, y + _STEP_Y))
    has_bias = "bias" in node.state
    product = Node(new_id("xWt"), "matmul", "x @ W.t()" if has_bias else node.label,
                   (x + 2 * _STEP_X, y), retain_grad=node.retain_grad and not has_bias)
    plan = Expansion(node.id, product.id, [weight, transposed, product],
                     [(weight.id, transposed.id, 0), (transposed.id, product.id, 1)],
                     leaves={"weight": weight.id})
    if source is not None:
        plan.wires.append((source, product.id, 0))
    if has_bias:
        bias = Node(new_id("b"), "tensor", "b", (x + 2 * _STEP_X, y + 2 * _STEP_Y),
                    node.state["bias"], requires_grad=True)
        total = Node(new_id("add"), "add", node.label, (x + 3 * _STEP_X, y),
                     retain_grad=node.retain_grad)
        plan.nodes += [bias, total]
        plan.leaves["bias"] = bias.id
        plan.wires += [(product.id, total.id, 0), (bias.id, total.id, 1)]
        plan.result = total.id
    return plan


#: The module classes that can be expanded, and how.
_EXPANSIONS: dict[str, Callable[[GraphDocument, Node, Callable[[str], str]], Expansion]] = {
    "nn.Linear": _linear,
}


def can_expand(node: Node) -> bool:
    """True for a module node that Expand can show as plain operations."""
    return node.spec.function in _EXPANSIONS


def expansion(doc: GraphDocument, node_id: str) -> Expansion:
    """The plan replacing module ``node_id`` by the operations it computes (KeyError for a node
    that cannot be expanded)."""
    node = doc.node(node_id)
    taken: list[str] = []

    def new_id(prefix: str) -> str:
        taken.append(doc.new_id(prefix, also_taken=taken))
        return taken[-1]

    plan = _EXPANSIONS[node.spec.function](doc, node, new_id)
    plan.wires += [(plan.result, edge.dst, edge.port) for edge in doc.consumers_of(node_id)]
    if doc.output == node_id:
        plan.output = plan.result
    return plan
