"""Export a graph document as a runnable PyTorch script, written like the lesson's listings.

One line per node in topological order, named by its label: ``torch.tensor([1.],
requires_grad=True)`` for a leaf, ``torch.add(w, x)`` for an operation (params as keywords,
python-number nodes written inline), ``a.retain_grad()`` where it is ticked, ``y.backward()`` for
the output, then prints of the gradients and of is_leaf, as the lesson does. torch.nn modules and
the Training dock's optimizer are written by :mod:`app.codeio.nn_export`. Run with
``import cgengine as torch`` in place of ``import torch`` it computes the same numbers on our
engine. A node that cannot be computed (an input left unwired) is written as a comment, with
everything that depends on it, so the script still runs.
"""

from __future__ import annotations

import builtins
import keyword
import math
from collections.abc import Collection
from typing import Any

from app.codeio.nn_export import (
    OPTIMIZER_NAME,
    ModuleWriter,
    module_variable_names,
    optimizer_lines,
)
from app.model import GraphDocument, Node

#: Names a variable must not hide: the module, and python's builtins (sum, max, abs, ...).
_TAKEN_NAMES = frozenset({"torch", *dir(builtins)})


def export_code(doc: GraphDocument, left_out_notes: Collection[str] = ()) -> str:
    """The document as a PyTorch script (text ending with a newline); its notes are comments,
    but for ``left_out_notes`` (those that would give away what a class is predicting)."""
    names = variable_names(doc)
    modules = ModuleWriter(module_variable_names(doc, names, identifier), _number_text,
                           _value_text)
    lines = ["# Exported from CG Studio: the graph as PyTorch code.", ""]
    for note in doc.notes:
        if note.id not in left_out_notes:
            lines.extend(f"# {line}".rstrip() for line in note.text.splitlines())
    lines.extend(["import torch", ""])

    written: list[Node] = []
    left_out: dict[str, str] = {}  # node id -> why it could not be written
    for node_id in _code_order(doc):
        node = doc.node(node_id)
        if node.type == "scalar":
            continue
        statement, reason = _statement(doc, node, names, left_out, modules)
        if reason is not None:
            left_out[node_id] = reason
            lines.append(f"# {names[node_id]} is left out: {reason}")
            continue
        lines.append(statement)
        if node.retain_grad:
            lines.append(f"{names[node_id]}.retain_grad()")
        written.append(node)

    parameters = [name for node in written for name in (
        [names[node.id]] if node.type == "tensor" and node.requires_grad
        else modules.parameter_names(node))]
    taken = {*names.values(), *modules.names.values()}
    optimizer = identifier(OPTIMIZER_NAME)
    while optimizer in taken:
        optimizer += "_"
    lines.extend(optimizer_lines(doc.optimizer, parameters, optimizer, _number_text))
    lines.append("")
    output = doc.output
    if output is None:
        lines.append("# no output node is chosen, so nothing calls backward()")
    elif doc.node(output).type == "scalar":
        lines.append("# the output is a python number, which has no backward()")
    elif output in left_out:
        lines.append(f"# {names[output]}.backward() is left out: {names[output]} "
                     "cannot be computed")
    else:
        lines.extend([f"{names[output]}.backward()", ""])
        # torch keeps .grad on leaves and on tensors that called retain_grad(); reading it on
        # any other tensor only gives None (and a warning)
        for node in written:
            if node.type == "tensor" and node.requires_grad or node.retain_grad:
                name = names[node.id]
                lines.append(f'print("{name}.grad =", {name}.grad)')
            for name in modules.parameter_names(node):
                lines.append(f'print("{name}.grad =", {name}.grad)')
    if written:
        shown = ", ".join(f"{names[node.id]}.is_leaf" for node in written)
        lines.append(f'print("is_leaf:\\n", {shown})')
    return "\n".join(lines) + "\n"


def variable_names(doc: GraphDocument) -> dict[str, str]:
    """The python name of every node except scalars: its label made a unique identifier (a
    layer labelled with its own module's name puts out ``<name>_out``)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for node_id in _code_order(doc):
        node = doc.node(node_id)
        if node.type == "scalar":
            continue
        base = identifier(node.display_name)
        if node.spec.module and node.module_name and identifier(node.module_name) == base:
            base += "_out"  # a layer named as its module (self.features): what it puts out
        name, suffix = base, 2
        while name in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name)
        names[node_id] = name
    return names


def _code_order(doc: GraphDocument) -> list[str]:
    """Node ids in the order the document holds them (for an imported document: the order of
    the code), except that every node comes after its inputs."""
    order: list[str] = []
    placed: set[str] = set()
    for node in doc.nodes:
        stack = [(node.id, False)]
        while stack:  # depth first, inputs before the node, without recursion
            node_id, inputs_done = stack.pop()
            if node_id in placed:
                continue
            if inputs_done:
                placed.add(node_id)
                order.append(node_id)
                continue
            stack.append((node_id, True))
            stack.extend((src, False) for src in reversed(doc.inputs_of(node_id))
                         if src is not None and src not in placed)
    return order


def identifier(text: str) -> str:
    """``text`` as a python identifier that hides nothing the script uses."""
    name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in text) or "node"
    if not name.isidentifier():
        name = f"n_{name}"
    if keyword.iskeyword(name) or name in _TAKEN_NAMES:
        name = f"{name}_"
    return name


def _statement(doc: GraphDocument, node: Node, names: dict[str, str],
               left_out: dict[str, str], modules: ModuleWriter) -> tuple[str, str | None]:
    """The line that makes ``node``, or why it cannot be written."""
    name = names[node.id]
    if node.type == "tensor":
        keywords = ""
        if node.dtype != "float32":
            keywords += f", dtype=torch.{node.dtype}"
        if node.requires_grad:
            keywords += ", requires_grad=True"
        return f"{name} = torch.tensor({_value_text(node.value, node.dtype)}{keywords})", None

    spec = node.spec
    arguments: list[str] = []
    for port, src in zip(spec.inputs, doc.inputs_of(node.id), strict=True):
        if src is None:
            if port.default is None:
                return "", f"its input '{port.name}' is not connected"
            arguments.append(_number_text(node.params.get(port.name, port.default)))
        elif src in left_out:
            return "", f"it needs {names[src]}"
        elif doc.node(src).type == "scalar":
            value = doc.node(src).value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return "", f"its input '{port.name}' is not a number"
            arguments.append(_number_text(value))
        else:
            arguments.append(names[src])
    if spec.module:
        return "\n".join(modules.statements(node, name, arguments)), None
    if spec.sequence_input:
        arguments = [f"[{', '.join(arguments)}]"]

    params = spec.call_params(node.params)
    for param in spec.params:
        value = params.get(param.name)
        if value is None or param.omit_default and value == param.default:
            continue
        if param.kind == "shape":
            arguments.append(_shape_text(value))
        else:
            arguments.append(f"{param.name}={_param_text(value)}")
    call = f"torch.{spec.function}({', '.join(arguments)})"
    if spec.values_along_dim and "dim" in params:
        call += ".values"  # along a dim the function gives (values, indices)
    return f"{name} = {call}", None


def _number_text(value: Any) -> str:
    """A python number as code: 1, 2.5, 1. (a float that is whole), float("nan")."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return 'float("nan")'
    if math.isinf(value):
        return 'float("inf")' if value > 0 else 'float("-inf")'
    if value.is_integer() and abs(value) < 1e16:
        return f"{value:.0f}."  # "-0." keeps the sign of -0.0
    return repr(value)


def _value_text(value: Any, dtype: str) -> str:
    """A tensor value as a literal; whole numbers of a float tensor are written 1. as torch
    would otherwise make the tensor int64."""
    if isinstance(value, list):
        return "[" + ", ".join(_value_text(item, dtype) for item in value) + "]"
    if dtype != "int64" and isinstance(value, int) and not isinstance(value, bool):
        return _number_text(float(value))
    return _number_text(value)


def _shape_text(shape: Any) -> str:
    sizes = [str(size) for size in shape]
    return f"({sizes[0]},)" if len(sizes) == 1 else f"({', '.join(sizes)})"


def _param_text(value: Any) -> str:
    return str(value) if isinstance(value, bool) else _number_text(value)
