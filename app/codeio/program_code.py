"""The code of the program around the graph's operations, for the exporter (no Qt).

What :mod:`app.codeio.exporter` writes beyond one assignment per node:

- which nodes share one Python variable: an in-place node and the tensor it changes when they
  carry the same label (``a += b`` leaves ``a`` the same tensor) and the node changes the
  tensor as its input made it (not after another in-place node changed it), and a branch
  node and the sides' results defined inside its ``if`` under the same label
  (``if c: y = ... else: y = ...``);
- the backward statements of the document's :class:`~app.model.backward_plan.BackwardPlan`:
  ``y.backward(gradient=torch.tensor([1., 2.]), retain_graph=True)``, ``w.grad.zero_()``,
  ``w.grad = None`` (``net.weight.grad = None`` for a layer's parameter);
- how a grad node and an in-place node are written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.model import GraphDocument, Node
from app.model.control_flow import (
    SIDE_PORTS,
    Item,
    TensorVersions,
    branch_bodies,
    flatten,
    in_place_source,
)


def shared_variables(doc: GraphDocument, program: list[Item]) -> dict[str, str]:
    """Node id -> the node whose Python variable it shares (the first of the group in the
    program); nodes with a variable of their own are not listed."""
    parent: dict[str, str] = {}

    def root(node_id: str) -> str:
        while node_id in parent:
            node_id = parent[node_id]
        return node_id

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra

    versions: TensorVersions | None = None
    for node in doc.nodes:
        source = in_place_source(doc, node.id)
        if source is not None and doc.node(source).spec.kind != "scalar" \
                and doc.node(source).display_name == node.display_name:
            versions = versions or TensorVersions(doc, program)
            # ``a += b`` changes a as the name a holds it then: the last change of a before it
            if versions.at(source, node.id) == source:
                join(source, node.id)
    bodies = branch_bodies(doc)
    for (branch, side), members in bodies.items():
        source = doc.inputs_of(branch)[SIDE_PORTS[side]]
        if source in members and doc.node(source).display_name == doc.node(branch).display_name:
            join(branch, source)
    if not parent:
        return {}
    first: dict[str, str] = {}  # group root -> the group's first node in the program
    shared: dict[str, str] = {}
    for node_id in flatten(program):
        group = root(node_id)
        if group in first:
            shared[node_id] = first[group]
        else:
            first[group] = node_id
    return shared


def grad_call(names: list[str], node: Node) -> str:
    """``torch.autograd.grad(y, x, create_graph=True)[0]``: the derivative as one tensor."""
    keywords = ""
    if node.params.get("create_graph"):
        keywords += ", create_graph=True"
    if node.params.get("retain_graph"):
        keywords += ", retain_graph=True"
    return f"torch.autograd.grad({names[0]}, {names[1]}{keywords})[0]"


def in_place_statement(node: Node, name: str, arguments: list[str], shares_source: bool,
                       keywords: list[str]) -> str:
    """``a += b`` or ``a.relu_()`` when the node is its input's variable, else
    ``c = a.add_(b)`` (the same tensor under a second name)."""
    spec = node.spec
    operator = spec.augmented_operator
    receiver, rest = arguments[0], arguments[1:]
    if shares_source and operator is not None and len(rest) == 1 and not keywords:
        return f"{receiver} {operator} {rest[0]}"
    call = f"{receiver}.{spec.function}_({', '.join([*rest, *keywords])})"
    return call if shares_source else f"{name} = {call}"


def backward_lines(doc: GraphDocument, output: str, names: dict[str, str],
                   versions: TensorVersions, value_text: Callable[[Any, str], str],
                   modules: dict[str, str]) -> list[str]:
    """The backward statements of the document's plan on the output node ``output``. A tensor
    changed in place is named as it is at the end (``a2`` of ``a2 = a.mul_(2)``: both names
    hold that one tensor), which is how the code importer reads the names back; a layer's
    parameter by its module's name in ``modules`` (``net.weight``)."""
    plan = doc.backward
    gradient = ""
    if plan.gradient is not None:
        gradient = f"gradient=torch.tensor({value_text(plan.gradient, 'float32')})"
    lines = []
    for step in plan.steps:
        if step.kind == "backward":
            arguments = [gradient] if gradient else []
            if step.retain_graph:
                arguments.append("retain_graph=True")
            lines.append(f"{names[versions.at(output)]}.backward({', '.join(arguments)})")
            continue
        zeroed = [names[versions.at(node_id)] for node_id in step.nodes if node_id in names]
        zeroed.extend(f"{modules[node_id]}.{name}" for node_id, name in step.parameters
                      if node_id in modules and name in doc.node(node_id).state)
        lines.extend(f"{name}.grad = None" if step.set_to_none else f"{name}.grad.zero_()"
                     for name in zeroed)
    return lines
