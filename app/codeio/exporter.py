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
from app.codeio.program_code import (
    backward_lines,
    grad_call,
    in_place_statement,
    shared_variables,
)
from app.model import GraphDocument, Node
from app.model.control_flow import (
    SIDE_PORTS,
    Branch,
    Item,
    TensorVersions,
    execution_program,
    flatten,
)
from app.runtime import step_aside

#: Names a variable must not hide: the module, and python's builtins (sum, max, abs, ...).
_TAKEN_NAMES = frozenset({"torch", *dir(builtins)})
_INDENT = "    "


def export_code(doc: GraphDocument, left_out_notes: Collection[str] = ()) -> str:
    """The document as a PyTorch script (text ending with a newline); its notes are comments,
    but for ``left_out_notes`` (those that would give away what a class is predicting)."""
    program = execution_program(doc)
    names = variable_names(doc, program)
    modules = ModuleWriter(module_variable_names(doc, names, identifier), _number_text,
                           _value_text)
    lines = ["# Exported from CG Studio: the graph as PyTorch code.", ""]
    for note in doc.notes:
        if note.id not in left_out_notes:
            lines.extend(f"# {line}".rstrip() for line in note.text.splitlines())
    lines.extend(_mode_comments(doc, names))
    lines.extend(["import torch", ""])

    writer = _Writer(doc, names, modules)
    writer.block(program, "")
    lines.extend(writer.lines)
    written = [node for node in writer.written if node.id in writer.top_level]

    derivatives = [node for node in written if node.spec.control == "differentiate"]
    if derivatives:  # a derivative is a value the class wants to see
        lines.append("")
        lines.extend(f'print("{names[node.id]} =", {names[node.id]})' for node in derivatives)
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
    elif output in writer.left_out:
        lines.append(f"# {names[output]}.backward() is left out: {names[output]} "
                     "cannot be computed")
    else:
        written_modules = {node_id: name for node_id, name in modules.names.items()
                           if node_id not in writer.left_out}  # zeroing a layer's weights
        lines.extend([*backward_lines(doc, output, names, writer.versions, _value_text,
                                      written_modules), ""])
        # torch keeps .grad on leaves and on tensors that called retain_grad(); reading it on
        # any other tensor only gives None (and a warning)
        for node in written:
            if node.type == "tensor" and node.requires_grad or node.retain_grad:
                name = names[node.id]
                lines.append(f'print("{name}.grad =", {name}.grad)')
            for name in modules.parameter_names(node):
                lines.append(f'print("{name}.grad =", {name}.grad)')
    if written:
        shown = ", ".join(f"{name}.is_leaf" for name in dict.fromkeys(names[node.id]
                                                                       for node in written))
        lines.append(f'print("is_leaf:\\n", {shown})')
    return "\n".join(lines) + "\n"


def _mode_comments(doc: GraphDocument, names: dict[str, str]) -> list[str]:
    """What code cannot say about how the graph runs, as comments."""
    lines = []
    if doc.mode == "static":
        lines.append("# CG Studio runs this graph as a static graph: defined first, run on Run.")
    for branch, side in (doc.trace or {}).items():
        lines.append(f"# Traced: the if of {names.get(branch, branch)} takes its {side} branch "
                     "whatever the data (as torch.jit.trace records it).")
    return lines


class _Writer:
    """The statements of a program, each block indented under its ``if``."""

    def __init__(self, doc: GraphDocument, names: dict[str, str],
                 modules: ModuleWriter) -> None:
        self.doc, self.names, self.modules = doc, names, modules
        self.versions = TensorVersions(doc)
        self.lines: list[str] = []
        self.written: list[Node] = []
        self.left_out: dict[str, str] = {}  # node id -> why it could not be written
        self.top_level: set[str] = set()  # written outside any if: defined after the program

    def block(self, items: list[Item], indent: str) -> None:
        for item in items:
            if isinstance(item, Branch):
                self.branch(item, indent)
                continue
            node = self.doc.node(item)
            if node.type == "scalar":
                continue
            statement, reason = _statement(self.doc, node, self.names, self.left_out,
                                           self.versions, self.modules)
            self.emit(node, statement, reason, indent)

    def emit(self, node: Node, statement: str, reason: str | None, indent: str) -> None:
        step_aside()  # written in the Code dock's thread: the GUI thread's bursts go first
        name = self.names[node.id]
        if reason is not None:
            self.left_out[node.id] = reason
            self.lines.append(f"{indent}# {name} is left out: {reason}")
            return
        # a layer's statement is several lines (torch.manual_seed, its module, its call)
        self.lines.extend(indent + line for line in statement.splitlines())
        if node.retain_grad:
            self.lines.append(f"{indent}{name}.retain_grad()")
        self.written.append(node)
        if not indent:
            self.top_level.add(node.id)

    def branch(self, item: Branch, indent: str) -> None:
        """``if condition:`` each side's statements and ``y = <its result>``; a side that cannot
        be written leaves the whole if out."""
        doc, names = self.doc, self.names
        node = doc.node(item.node_id)
        sources = doc.inputs_of(node.id)
        texts: list[str] = []
        reason = None
        for port, src in enumerate(sources):
            text, why = _operand_text(doc, node, port, src, names, self.left_out, self.versions)
            texts.append(text)
            reason = reason or why
        if reason is not None:
            for node_id in flatten(item.then) + flatten(item.otherwise):
                self.left_out[node_id] = f"the if {names[node.id]} cannot be written"
            self.emit(node, "", reason, indent)
            return
        start, written = len(self.lines), len(self.written)
        self.lines.append(f"{indent}if {texts[0]}:")
        for side, items in (("then", item.then), ("else", item.otherwise)):
            if side == "else":
                self.lines.append(f"{indent}else:")
            inner = indent + _INDENT
            before = len(self.lines)
            self.block(items, inner)
            source = sources[SIDE_PORTS[side]]
            if source in self.left_out:  # the side's result could not be written after all
                del self.lines[start:], self.written[written:]
                self.emit(node, "", f"it needs {names[source]}", indent)
                return
            result = texts[SIDE_PORTS[side]]
            if result != names[node.id]:
                self.lines.append(f"{inner}{names[node.id]} = {result}")
            elif len(self.lines) == before:
                self.lines.append(f"{inner}pass")
        self.emit(node, "", None, indent)


def code_order(doc: GraphDocument) -> list[str]:
    """Node ids in the order the script writes them (the program's order, each if's sides
    before its branch node)."""
    return flatten(execution_program(doc))


def statement_of(doc: GraphDocument, node: Node, names: dict[str, str],
                 left_out: dict[str, str], versions: TensorVersions | None = None,
                 ) -> tuple[str, str | None]:
    """The line that makes ``node`` as the script writes it (a module node: the lines that
    build and call it), or why it cannot be written."""
    modules = ModuleWriter(module_variable_names(doc, names, identifier), _number_text,
                           _value_text)
    return _statement(doc, node, names, left_out,
                      TensorVersions(doc) if versions is None else versions, modules)


def variable_names(doc: GraphDocument, program: list[Item] | None = None) -> dict[str, str]:
    """The python name of every node except scalars: its label made a unique identifier (a
    layer labelled with its own module's name puts out ``<name>_out``). Nodes that are one
    variable in code share its name (an in-place node and the tensor it changes, a branch node
    and the sides' results of the same label: see ``shared_variables``)."""
    program = execution_program(doc) if program is None else program
    shared = shared_variables(doc, program)
    names: dict[str, str] = {}
    taken: set[str] = set()
    for node_id in flatten(program):
        step_aside()  # in the Code dock's thread: the GUI thread's bursts go first
        node = doc.node(node_id)
        if node.type == "scalar":
            continue
        if node_id in shared:
            names[node_id] = names[shared[node_id]]
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


def identifier(text: str) -> str:
    """``text`` as a python identifier that hides nothing the script uses."""
    name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in text) or "node"
    if not name.isidentifier():
        name = f"n_{name}"
    if keyword.iskeyword(name) or name in _TAKEN_NAMES:
        name = f"{name}_"
    return name


def _operand_text(doc: GraphDocument, node: Node, port: int, src: str | None,
                  names: dict[str, str], left_out: dict[str, str],
                  versions: TensorVersions) -> tuple[str, str | None]:
    """How input ``port`` of ``node`` is written (a name or a number), or why it cannot be; a
    tensor changed in place by then goes by the name of its change."""
    spec = node.spec.inputs[port]
    if src is None:
        if spec.default is None:
            return "", f"its input '{spec.name}' is not connected"
        return _number_text(node.params.get(spec.name, spec.default)), None
    if src in left_out:
        return "", f"it needs {names[src]}"
    if doc.node(src).type == "scalar":
        value = doc.node(src).value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "", f"its input '{spec.name}' is not a number"
        return _number_text(value), None
    return names[versions.at(src, node.id)], None


def _statement(doc: GraphDocument, node: Node, names: dict[str, str],
               left_out: dict[str, str], versions: TensorVersions,
               modules: ModuleWriter) -> tuple[str, str | None]:
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
    sources = doc.inputs_of(node.id)
    for port, src in enumerate(sources):
        text, reason = _operand_text(doc, node, port, src, names, left_out, versions)
        if reason is not None:
            return "", reason
        arguments.append(text)
    if spec.control == "differentiate":
        return f"{name} = {grad_call(arguments, node)}", None
    if spec.module:
        return "\n".join(modules.statements(node, name, arguments)), None
    if spec.sequence_input:
        arguments = [f"[{', '.join(arguments)}]"]

    params = spec.call_params(node.params)
    keywords: list[str] = []
    for param in spec.params:
        value = params.get(param.name)
        if value is None or param.omit_default and value == param.default:
            continue
        if param.kind == "shape":
            arguments.append(_shape_text(value))
        else:
            keywords.append(f"{param.name}={_param_text(value)}")
    if node.inplace:
        if sources[0] is None or doc.node(sources[0]).type == "scalar":
            return "", f"a python number has no {spec.function}_()"
        return in_place_statement(node, name, arguments, arguments[0] == name, keywords), None
    call = f"torch.{spec.function}({', '.join([*arguments, *keywords])})"
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
