"""Code typed in the Code dock, read live: each statement with its lines and the nodes it makes.

The live editor re-reads the whole text after every pause in typing, with the importer itself
(:class:`~app.codeio.importer._Importer`: parsed, never run), and keeps what the importer
otherwise forgets: which lines each top-level statement spans and which nodes it made, in order
(the identity of a node is the statement that made it), where ``retain_grad()`` and
``backward()`` are called, every ``print(...)`` with the names bound at its place (a
:class:`PrintProbe`, what :mod:`app.codeio.console` shows) and every top-level
``g = torch.autograd.grad(y, [w, x])`` of several inputs (an :class:`AutogradGrad`, which only a
print may use; the call of one input is a grad node, as the importer reads it).
:func:`parse_live` returns that as a :class:`LiveParse`, or raises the importer's
:class:`CodeImportError` naming the line.

:class:`CodeState` is the editor's state: its text, the last good parse and the binding of that
parse's nodes to the nodes of the document; :class:`LiveCode` holds the current state for the
window (the controller owns one), so that an undo step can put text and graph back together.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.codeio.errors import CodeImportError
from app.codeio.importer import _Importer, syntax_tree
from app.codeio.nn_import import Layer, Model
from app.codeio.operands import AutogradGrad
from app.model import GraphDocument, Signal
from app.model.rules import check_port

#: The statements that act on a tensor named on their own line, by the method they call.
_TENSOR_CALLS = ("retain_grad", "backward")


@dataclass(frozen=True)
class Statement:
    """One top-level statement: its lines (1-based, inclusive) and what it does.

    ``kind`` is "import", "nodes" (it made ``nodes``, parse ids in the order made),
    "retain_grad" or "backward" (on ``target``), "print" or "other" (a docstring, ``pass``,
    ``torch.manual_seed``).
    """

    first: int
    last: int
    kind: str
    nodes: tuple[str, ...] = ()
    target: str | None = None
    #: where on its first and last lines the statement starts and ends (characters)
    col: int = 0
    end_col: int = 0

    def source(self, lines: list[str]) -> str:
        """The statement's own code, from ``lines`` (the text's lines)."""
        if self.first == self.last:
            return lines[self.first - 1][self.col:self.end_col]
        return "\n".join([lines[self.first - 1][self.col:],
                          *lines[self.first:self.last - 1],
                          lines[self.last - 1][:self.end_col]])


@dataclass(frozen=True)
class PrintProbe:
    """A ``print(...)`` and what the code had done when it comes: the names bound then (the
    importer's operands: a node, or a python number, or the module a name stands for), whether
    ``backward()`` had run, and which tensors had called ``retain_grad()``."""

    first: int
    last: int
    call: ast.Call
    variables: Mapping[str, Any]
    modules: Mapping[str, str]
    after_backward: bool
    retained: frozenset[str]
    #: the layers and models bound then (``net``: its weights as they were, the node its call
    #: had made), for ``net.weight`` and ``net.weight.grad``
    objects: Mapping[str, Any] = field(default_factory=dict)
    #: the first ``optimizer.step()`` or ``zero_grad()`` above it ("" for none): the Training
    #: dock does those, so the weights and gradients after it are not worked out
    after_training: str = ""


@dataclass(frozen=True)
class LiveParse:
    """The graph a text builds (``doc``, with the importer's ids: "parse ids") and where each
    part of it is written."""

    text: str
    doc: GraphDocument
    statements: tuple[Statement, ...]
    prints: tuple[PrintProbe, ...]
    #: parse id -> the line of the statement that made the node
    lines: Mapping[str, int]
    backward_line: int | None = None
    #: name in the code -> the module it stands for, at the end of the code
    modules: Mapping[str, str] = field(default_factory=dict)
    #: the torch.autograd.grad() calls, in the order of the code
    grads: tuple[AutogradGrad, ...] = ()

    def units(self) -> list[tuple[int, int, list[Statement]]]:
        """The statements grouped by the lines they share (``a = 1; b = 2`` is one unit):
        (first line, last line, statements), in the order of the text."""
        groups: list[tuple[int, int, list[Statement]]] = []
        for statement in self.statements:
            if groups and statement.first <= groups[-1][1]:
                first, last, members = groups[-1]
                groups[-1] = (first, max(last, statement.last), [*members, statement])
            else:
                groups.append((statement.first, statement.last, [statement]))
        return groups


@dataclass(frozen=True)
class CodeState:
    """What the Code dock holds: its ``text``, the last good ``parse`` (of this text when
    ``error`` is None, else of the text before the error) and ``binding``, parse id -> id of
    the document node it stands for."""

    text: str
    parse: LiveParse | None
    binding: Mapping[str, str] = field(default_factory=dict)
    error: CodeImportError | None = None


class LiveCode:
    """The code the user typed for the current document (``state``; None while the Code dock
    shows the code the exporter writes), with a ``changed(state)`` signal."""

    def __init__(self) -> None:
        self.state: CodeState | None = None
        self.changed = Signal()

    def set(self, state: CodeState | None) -> None:
        self.state = state
        self.changed.emit(state)


class _CodeOrderDocument(GraphDocument):
    """A document built in the order of the code: every operand exists before the operation
    that uses it, so a wire cannot close a cycle and ``connect`` skips the search for one (a
    search per wire takes quadratic time on a long script)."""

    def check_connect(self, src: str, dst: str, port: int) -> None:
        self.node(src)
        target = self.node(dst)
        check_port(target.spec, port, target.display_name)


class _LiveImporter(_Importer):
    """The importer, noting the statements, the tensor calls and the prints as it reads."""

    def __init__(self) -> None:
        super().__init__()
        self.doc = _CodeOrderDocument()
        self.statements: list[Statement] = []
        self.prints: list[PrintProbe] = []
        self.retained: set[str] = set()
        self.backward_line: int | None = None
        self.depth = 0  # statements inside another (the sides of an if) belong to it

    def statement(self, stmt: ast.stmt) -> None:
        if self.depth:
            super().statement(stmt)
            return
        if self.printed_grads(stmt):
            self.statements.append(Statement(stmt.lineno, stmt.end_lineno or stmt.lineno,
                                             "other", (), None, stmt.col_offset,
                                             stmt.end_col_offset or 0))
            return
        made_before = len(self.lines)
        self.depth += 1
        try:
            super().statement(stmt)
        finally:
            self.depth -= 1
        made = tuple(itertools.islice(self.lines, made_before, None))
        first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
        kind, target = self.kind_of(stmt, made)
        self.statements.append(Statement(first, last, kind, made, target, stmt.col_offset,
                                         stmt.end_col_offset or 0))
        if kind == "backward" and self.backward_line is None:
            self.backward_line = first
        elif kind == "retain_grad" and target is not None:
            self.retained.add(target)

    def kind_of(self, stmt: ast.stmt, made: tuple[str, ...]) -> tuple[str, str | None]:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            return "import", None
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(call, ast.Call):
            func = call.func
            if isinstance(func, ast.Name) and func.id == "print":
                return "print", None
            if (isinstance(func, ast.Attribute) and func.attr in _TENSOR_CALLS
                    and isinstance(func.value, ast.Name)):
                operand = self.variables.get(func.value.id)
                node_id = getattr(operand, "node_id", None)
                if node_id is not None:
                    return func.attr, node_id
        return ("nodes", None) if made else ("other", None)

    def check_print(self, call: ast.Call) -> None:
        super().check_print(call)
        self.prints.append(PrintProbe(
            call.lineno, call.end_lineno or call.lineno, call, dict(self.variables),
            dict(self.modules), self.backward_line is not None, frozenset(self.retained),
            {name: _as_now(value) for name, value in self.objects.items()
             if isinstance(value, (Layer, Model))},
            self.training_lines[0][1] if self.training_lines else ""))


def _as_now(value: Layer | Model) -> Layer | Model:
    """A copy of a layer or model as it is at this place of the code (later statements may
    load other weights or call it)."""
    if isinstance(value, Layer):
        return dataclasses.replace(value, state=dict(value.state))
    return dataclasses.replace(value, layers={name: _as_now(layer)
                                              for name, layer in value.layers.items()})


def parse_live(text: str) -> LiveParse:
    """Read ``text`` as the importer does (never running it), keeping where each part is.

    Raises :class:`CodeImportError` naming the line, as ``import_code`` does. The graph is not
    laid out: the editor places only the nodes it adds.
    """
    tree = syntax_tree(text)
    importer = _LiveImporter()
    try:
        importer.read(tree)
    except RecursionError:
        raise CodeImportError("an expression is nested too deeply", importer.line) from None
    return LiveParse(text, importer.doc, tuple(importer.statements), tuple(importer.prints),
                     dict(importer.lines), importer.backward_line, dict(importer.modules),
                     tuple(importer.grads))


def bind_by_names(parse: LiveParse, doc: GraphDocument, names: Mapping[str, str]) -> dict[str,
                                                                                        str]:
    """Parse id -> document id for the code the exporter wrote for ``doc`` (``names``: document
    id -> its variable name there): each named node by its name, each python number by the
    port it is wired into."""
    by_name = {name: node_id for node_id, name in names.items()}
    binding: dict[str, str] = {}
    for node in parse.doc.nodes:
        if node.type != "scalar" and node.label in by_name:
            binding[node.id] = by_name[node.label]
    bind_numbers(parse, doc, binding)
    return binding


def bind_numbers(parse: LiveParse, doc: GraphDocument, binding: dict[str, str]) -> None:
    """Add to ``binding`` each python-number node of the parse whose operation is bound and
    whose port takes a number node in ``doc`` too."""
    for edge in parse.doc.edges:
        if parse.doc.node(edge.src).type != "scalar" or edge.src in binding:
            continue
        dst = binding.get(edge.dst)
        if dst is None or not doc.has_node(dst):
            continue
        wire = doc.edge_into(dst, edge.port)
        if wire is not None and doc.node(wire.src).type == "scalar":
            binding[edge.src] = wire.src
