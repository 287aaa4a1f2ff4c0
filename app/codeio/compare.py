"""Compare two documents as graphs: what a round trip through code must preserve.

Ids, positions and notes are the editor's business, and python-number nodes are written inline
in code, so the comparison looks at each node by its variable name (as the exporter names it):
its type, its value, dtype and flags, its parameters as the call uses them, and
its inputs, each either another node's name or the number wired (or defaulted) into the port; a
module also by its name in code, its seed and its parameter tensors. Nodes that share one
variable (``a += b`` and ``a``, a branch and its sides) are told apart by their place among the
nodes of that name ("a", "a#2"). How backward is called is compared too, by the names of the
nodes it zeroes, and the optimizer of the Training dock; the graph mode and a trace are not
(code only comments on them).
"""

from __future__ import annotations

import math
from typing import Any

from app.codeio.exporter import identifier, variable_names
from app.codeio.nn_export import module_variable_names
from app.model import GraphDocument
from app.model.control_flow import TensorVersions


def graph_differences(first: GraphDocument, second: GraphDocument) -> list[str]:
    """What differs between the two graphs, one sentence each; empty when they are the same."""
    a, b = _canonical(first), _canonical(second)
    differences = [f"only in the first: {name}" for name in a["nodes"] if name not in b["nodes"]]
    differences += [f"only in the second: {name}" for name in b["nodes"]
                    if name not in a["nodes"]]
    for name, entry in a["nodes"].items():
        other = b["nodes"].get(name)
        if other is None:
            continue
        differences += [f"{name}.{key}: {entry[key]!r} != {other.get(key)!r}"
                        for key in entry if entry[key] != other.get(key)]
    for key in ("output", "backward", "optimizer"):
        if a[key] != b[key]:
            differences.append(f"{key}: {a[key]!r} != {b[key]!r}")
    return differences


def _canonical(doc: GraphDocument) -> dict[str, Any]:
    shared = variable_names(doc)
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    for node_id, name in shared.items():
        seen[name] = seen.get(name, 0) + 1
        names[node_id] = name if seen[name] == 1 else f"{name}#{seen[name]}"
    versions = TensorVersions(doc)
    modules = module_variable_names(doc, shared, identifier)
    nodes: dict[str, dict[str, Any]] = {}
    for node_id, name in names.items():
        node = doc.node(node_id)
        entry: dict[str, Any] = {"type": node.type, "retain_grad": node.retain_grad,
                                 "inplace": node.inplace}
        if node.type == "tensor":
            entry.update(value=_plain(node.value), dtype=node.dtype,
                         requires_grad=node.requires_grad)
        else:
            spec = node.spec
            entry["params"] = {name: _plain(value)
                               for name, value in spec.call_params(node.params).items()}
            inputs: list[Any] = []
            for port, src in zip(spec.inputs, doc.inputs_of(node_id), strict=True):
                if src is None:
                    default = port.default if port.default is None else \
                        node.params.get(port.name, port.default)
                    inputs.append(("number", _plain(default)) if default is not None else None)
                elif doc.node(src).type == "scalar":
                    inputs.append(("number", _plain(doc.node(src).value)))
                else:  # the tensor as the in-place changes before this node left it
                    inputs.append(("node", names[versions.at(src, node_id)]))
            entry["inputs"] = inputs
            if spec.module:
                entry.update(module=modules.get(node_id), seed=node.params.get("seed"),
                             state=_plain(node.state))
        nodes[name] = entry
    output = doc.output
    backward = None
    if output is not None:
        output = names.get(versions.at(output), ("number", _plain(doc.node(output).value)))
        plan = doc.backward
        backward = (_plain(plan.gradient), tuple(
            (step.kind, step.retain_graph,
             tuple(names.get(versions.at(n), n) for n in step.nodes), step.set_to_none,
             tuple((names.get(n, n), name) for n, name in step.parameters))
            for step in plan.steps))
    return {"nodes": nodes, "output": output, "backward": backward, "optimizer": doc.optimizer}


def _plain(value: Any) -> Any:
    """Values compared as numbers: 1 and 1.0 alike, lists and tuples alike, nan equal to nan."""
    if isinstance(value, (list, tuple)):
        return tuple(_plain(item) for item in value)
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value
