"""From an edit of the graph to an edit of the code: rewrite only the lines whose nodes changed.

When the graph changes on the canvas (a value typed in the inspector, a wire dragged, a node
deleted), the code the user typed follows it without losing what the graph did not change:
:func:`merge_code` walks the user's text statement by statement, with the binding of its nodes
to the document's (:class:`~app.codeio.live.CodeState`):

- a statement whose nodes are as the document has them stays as the user wrote it (names,
  spacing, the comment at its end); one whose nodes changed is written again by the exporter,
  with the user's names, and one whose nodes are gone is dropped;
- ``a.retain_grad()`` and ``y.backward()`` lines follow the flags and the output;
- a ``print(...)`` follows a rename and is turned into a comment when a tensor it shows is
  deleted; comments, blank lines, imports and the order of the lines stay;
- nodes new to the code are written after the lines that make their inputs (a new leaf after
  the last leaf), in the exporter's words, as the comment the exporter writes for a node it
  cannot write yet (an input not wired).

The merged text is read again and its nodes bound to the document's; if that reading does not
give exactly the document's graph (a name the user reuses for two tensors, a module imported
under another name), the exporter's whole script is taken instead, so the code always means
what the canvas shows.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Collection
from dataclasses import dataclass, field

from app.codeio.compare import _plain
from app.codeio.errors import CodeImportError
from app.codeio.exporter import code_order, export_code, statement_of, variable_names
from app.codeio.live import CodeState, LiveParse, Statement, bind_by_names, bind_numbers, parse_live
from app.model import GraphDocument

#: The comments the exporter writes in place of code, which a merge writes afresh.
_LEFT_OUT = re.compile(r"\s*# \S+(?:\.backward\(\))? is left out: ")
_NO_OUTPUT = "# no output node is chosen, so nothing calls backward()"
_NUMBER_OUTPUT = "# the output is a python number, which has no backward()"
_HEADER = "# Exported from CG Studio: the graph as PyTorch code."


@dataclass
class _Chunk:
    """Lines of the merged text, and the document nodes their statements make, in order."""

    lines: list[str]
    nodes: list[str] = field(default_factory=list)
    #: what its statement is: "leaf" (it makes a leaf tensor), "nodes", "retain_grad",
    #: "backward", "import", or "" (comments, prints, anything else)
    kind: str = ""
    #: the user's own text, unchanged
    verbatim: bool = False


def merge_code(state: CodeState, doc: GraphDocument,
               left_out_notes: Collection[str] = ()) -> CodeState:
    """The code of ``state`` rewritten to show ``doc`` (see the module docstring), read and
    bound again. ``state`` must hold a good parse of its text."""
    assert state.parse is not None and state.error is None, "merging code that does not import"
    try:
        text, expected = _Merge(state, doc, left_out_notes).run()
        merged = _bound(text, expected, doc)
    except CodeImportError:
        merged = None
    if merged is None or not consistent(merged, doc):
        text = export_code(doc, left_out_notes)
        parse = parse_live(text)
        merged = CodeState(text, parse, bind_by_names(parse, doc, variable_names(doc)))
    return merged


def exported_state(doc: GraphDocument, text: str) -> CodeState:
    """The state of code the exporter wrote for ``doc`` (``text``), bound by names."""
    parse = parse_live(text)
    return CodeState(text, parse, bind_by_names(parse, doc, variable_names(doc)))


def consistent(state: CodeState, doc: GraphDocument) -> bool:
    """Whether the code of ``state`` builds exactly the nodes of ``doc`` the exporter can write,
    wired alike, with the same output (the nodes it cannot write do not count)."""
    parse, binding = state.parse, state.binding
    if parse is None or state.error is not None:
        return False
    new = parse.doc
    seen: set[str] = set()
    for node in new.nodes:
        doc_id = binding.get(node.id)
        if doc_id is None or not doc.has_node(doc_id):
            return False
        if node.type == "scalar":
            continue
        if doc_id in seen or not same_node(parse, node.id, doc, doc_id, binding):
            return False
        seen.add(doc_id)
    written = {node_id for node_id in variable_names(doc)} - _left_out(doc)
    if seen != written:
        return False
    output = binding.get(new.output) if new.output is not None else None
    return output == doc.output or (output is None and doc.output not in written)


def same_node(parse: LiveParse, parse_id: str, doc: GraphDocument, doc_id: str,
              binding: dict[str, str] | object) -> bool:
    """Whether the parse's node is the document's node as the code writes it: kind, value,
    flags, parameters, and each input (the bound node, or a number of the same value)."""
    new, old = parse.doc.node(parse_id), doc.node(doc_id)
    if new.type != old.type or (new.label and new.label != old.label):
        return False
    if new.type == "tensor":
        if (_plain(new.value), new.dtype, new.requires_grad) != (_plain(old.value), old.dtype,
                                                                old.requires_grad):
            return False
    elif new.type != "scalar":
        spec = new.spec
        ports_new = {p.name: new.params.get(p.name) for p in spec.inputs if p.default is not None}
        ports_old = {p.name: old.params.get(p.name) for p in spec.inputs if p.default is not None}
        if _plain(sorted(spec.call_params(new.params).items())) != _plain(
                sorted(spec.call_params(old.params).items())) \
                or _plain(sorted(ports_new.items())) != _plain(sorted(ports_old.items())):
            return False
    for src, now in zip(parse.doc.inputs_of(parse_id), doc.inputs_of(doc_id)):
        if src is None or now is None:
            if src != now:
                return False
        elif parse.doc.node(src).type == "scalar":
            if doc.node(now).type != "scalar" \
                    or _plain(parse.doc.node(src).value) != _plain(doc.node(now).value):
                return False
        elif binding.get(src) != now:  # type: ignore[union-attr]
            return False
    return True


def _left_out(doc: GraphDocument) -> set[str]:
    """The nodes the exporter writes as a comment: an input not wired, or one of those above."""
    left_out: dict[str, str] = {}
    names = variable_names(doc)
    for node_id in code_order(doc):
        node = doc.node(node_id)
        if node.type == "scalar":
            continue
        _text, reason = statement_of(doc, node, names, left_out)
        if reason is not None:
            left_out[node_id] = reason
    return set(left_out)


class _Merge:
    """One merge: the user's statements kept or rewritten, then the new nodes placed."""

    def __init__(self, state: CodeState, doc: GraphDocument,
                 left_out_notes: Collection[str]) -> None:
        assert state.parse is not None
        self.parse: LiveParse = state.parse
        self.lines = state.text.splitlines()
        self.doc = doc
        self.left_out_notes = left_out_notes
        self.binding = {key: value for key, value in state.binding.items() if doc.has_node(value)}
        self.names = self.variable_names()
        self.left_out: dict[str, str] = {}
        self.chunks: list[_Chunk] = []
        self.defined: dict[str, int] = {}  # document node -> the chunk that makes it
        self.retained: set[str] = set()  # document nodes with a retain_grad() line kept
        self.top = -1  # the chunk new lines with nothing to follow come after (-1: none)

    def variable_names(self) -> dict[str, str]:
        """Document id -> its name in the code: the user's name for a node the code names and
        the canvas did not rename, else the exporter's."""
        names = variable_names(self.doc)
        for parse_id, doc_id in self.binding.items():
            node = self.parse.doc.node(parse_id)
            if node.label and node.type != "scalar" and self.doc.node(doc_id).label == node.label:
                names[doc_id] = node.label
        return names

    # --------------------------------------------------------------- the text
    def run(self) -> tuple[str, list[tuple[int, list[str]]]]:
        units = self.parse.units()
        header_end = units[0][0] - 1 if units else len(self.lines)
        self.header(self.lines[:header_end])
        rewrite = self.statements_to_rewrite(units)
        position = header_end
        for first, last, statements in units:
            self.between(self.lines[position:first - 1])
            self.unit(first, last, statements, rewrite)
            position = last
        self.between(self.lines[position:])
        chunks = self.ordered(self.new_nodes())
        chunks = self.with_backward(self.with_import(chunks))
        text_lines: list[str] = []
        expected: list[tuple[int, list[str]]] = []
        for chunk in chunks:
            if chunk.nodes:
                expected.append((len(text_lines) + 1, chunk.nodes))
            text_lines.extend(chunk.lines)
        return ("\n".join(text_lines) + "\n" if text_lines else ""), expected

    def header(self, lines: list[str]) -> None:
        """The comments above the code: the exporter's header (with the notes) is written
        afresh, the user's own are kept. New lines with nothing to follow go below them."""
        if lines and lines[0] == _HEADER:
            exported = export_code(self.doc, self.left_out_notes).splitlines()
            end = exported.index("import torch") if "import torch" in exported else 0
            self.chunks.append(_Chunk(exported[:end]))
        else:
            self.between(lines)
        self.top = len(self.chunks) - 1

    def between(self, lines: list[str]) -> None:
        """Comments and blank lines between statements: kept, but for the exporter's own."""
        kept = [line for line in lines if not self.generated_comment(line)]
        if kept:
            self.chunks.append(_Chunk(kept))

    def generated_comment(self, line: str) -> bool:
        stripped = line.strip()
        if _LEFT_OUT.match(line) or stripped == _NUMBER_OUTPUT:
            return True
        return stripped == _NO_OUTPUT and self.doc.output is not None

    def statements_to_rewrite(self, units: list[tuple[int, int, list[Statement]]]) -> set[int]:
        """Ids of the statements making nodes that are gone or changed, and of those making a
        node written inline (no name of its own) that a rewritten or new line will name."""
        statements = [s for _first, _last, group in units for s in group if s.kind == "nodes"]
        rewrite = {id(s) for s in statements if not self.unchanged(s)}
        bound = set(self.binding.values())
        needed = {src for node in self.doc.nodes if node.id not in bound
                  for src in self.doc.inputs_of(node.id) if src is not None}
        grew = True
        while grew:
            grew = False
            for statement in statements:
                docs = [self.binding.get(p) for p in statement.nodes]
                if id(statement) in rewrite:
                    for doc_id in docs:
                        if doc_id is not None:
                            needed.update(s for s in self.doc.inputs_of(doc_id) if s is not None)
                    continue
                inline = [doc_id for parse_id, doc_id in zip(statement.nodes, docs)
                          if not self.parse.doc.node(parse_id).label]
                if any(doc_id in needed for doc_id in inline):
                    rewrite.add(id(statement))
                    grew = True
        return rewrite

    def unchanged(self, statement: Statement) -> bool:
        for parse_id in statement.nodes:
            doc_id = self.binding.get(parse_id)
            if doc_id is None:
                return False
            if self.parse.doc.node(parse_id).type != "scalar" and not same_node(
                    self.parse, parse_id, self.doc, doc_id, self.binding):
                return False
        return True

    def unit(self, first: int, last: int, statements: list[Statement],
             rewrite: set[int]) -> None:
        """The statements of some lines: the lines as they are while every statement stays
        (with a comment at their end), else each statement on its own line."""
        rendered = [self.statement(statement, rewrite) for statement in statements]
        if all(chunk is not None and chunk.verbatim for chunk in rendered):
            merged = _Chunk(self.lines[first - 1:last], verbatim=True)
            for chunk in rendered:
                assert chunk is not None
                merged.nodes += chunk.nodes
                if merged.kind != "leaf":
                    merged.kind = chunk.kind
            self.add(merged)
            return
        for chunk in rendered:
            if chunk is not None:
                self.add(chunk)

    def add(self, chunk: _Chunk) -> None:
        index = len(self.chunks)
        self.chunks.append(chunk)
        for doc_id in chunk.nodes:
            self.defined[doc_id] = index

    def statement(self, statement: Statement, rewrite: set[int]) -> _Chunk | None:
        """The lines a statement becomes (None: none)."""
        source = statement.source(self.lines)
        kind = statement.kind
        if kind == "nodes":
            return self.nodes_statement(statement, source, id(statement) in rewrite)
        if kind in ("retain_grad", "backward"):
            doc_id = self.binding.get(statement.target or "")
            if doc_id is None or doc_id in self.left_out:
                return None
            if kind == "retain_grad":
                if not self.doc.node(doc_id).retain_grad or doc_id in self.retained:
                    return None
                self.retained.add(doc_id)
            elif doc_id != self.doc.output:
                return None
            if self.parse.doc.node(statement.target or "").label == self.names[doc_id]:
                return _Chunk([source], kind=kind, verbatim=True)
            return _Chunk([f"{self.names[doc_id]}.{kind}()"], kind=kind)
        if kind == "print":
            return self.print_statement(statement, source)
        return _Chunk([source], kind="import" if kind == "import" else "", verbatim=True)

    def nodes_statement(self, statement: Statement, source: str, rewrite: bool) -> _Chunk | None:
        named = [self.binding.get(p) for p in statement.nodes
                 if self.parse.doc.node(p).type != "scalar"]
        if not rewrite:
            nodes = [doc_id for doc_id in named if doc_id is not None]
            return _Chunk([source], nodes, self.nodes_kind(nodes), verbatim=True)
        lines: list[str] = []
        nodes = []
        for doc_id in named:
            if doc_id is None:
                continue
            line, made = self.write(doc_id)
            lines.append(line)
            if made:
                nodes.append(doc_id)
        return _Chunk(lines, nodes, self.nodes_kind(nodes)) if lines else None

    def nodes_kind(self, nodes: list[str]) -> str:
        return "leaf" if any(self.doc.node(n).type == "tensor" for n in nodes) else "nodes"

    def write(self, doc_id: str) -> tuple[str, bool]:
        """The exporter's line for a node (with the names of this code), or its comment."""
        node = self.doc.node(doc_id)
        line, reason = statement_of(self.doc, node, self.names, self.left_out)
        if reason is not None:
            self.left_out[doc_id] = reason
            return f"# {self.names[doc_id]} is left out: {reason}", False
        return line, True

    def print_statement(self, statement: Statement, source: str) -> _Chunk:
        """A print follows renames; one showing a deleted tensor becomes a comment."""
        probe = next((p for p in self.parse.prints if p.first == statement.first), None)
        renames: dict[str, str] = {}
        for node in ast.walk(probe.call) if probe is not None else ():
            if not isinstance(node, ast.Name):
                continue
            parse_id = getattr(probe.variables.get(node.id), "node_id", None)
            if parse_id is None:
                continue
            doc_id = self.binding.get(parse_id)
            if doc_id is None or doc_id in self.left_out:
                return _Chunk([f"# {line}" for line in source.split("\n")])
            if self.names[doc_id] != node.id:
                renames[node.id] = self.names[doc_id]
        if not renames:
            return _Chunk([source], verbatim=True)
        return _Chunk(_renamed(source, renames).split("\n"))

    # ------------------------------------------------------------- new nodes
    def new_nodes(self) -> dict[int, list[_Chunk]]:
        """The lines of the nodes the code does not make yet, each after the chunk making its
        last input, and the retain_grad() lines the flags ask for (chunk index -> the chunks
        to write after it; -1: at the top)."""
        # a new leaf goes after the last leaf, else after the imports, else at the top
        leaf_place = max((i for i, chunk in enumerate(self.chunks) if chunk.kind == "leaf"),
                         default=max((i for i, chunk in enumerate(self.chunks)
                                      if chunk.kind == "import"), default=self.top))
        written = set(self.defined) | set(self.left_out)
        buckets: dict[int, list[_Chunk]] = {}
        place: dict[str, int] = {}
        for doc_id in code_order(self.doc):
            node = self.doc.node(doc_id)
            if node.type == "scalar":
                continue
            if doc_id in written:
                if node.retain_grad and doc_id not in self.retained and doc_id in self.defined:
                    buckets.setdefault(self.defined[doc_id], []).insert(
                        0, _Chunk([f"{self.names[doc_id]}.retain_grad()"], kind="retain_grad"))
                    self.retained.add(doc_id)
                continue
            inputs = [src for src in self.doc.inputs_of(doc_id)
                      if src is not None and self.doc.node(src).type != "scalar"]
            at = max((place.get(src, self.defined.get(src, -1)) for src in inputs),
                     default=leaf_place)
            line, made = self.write(doc_id)
            chunk = _Chunk([line], [doc_id] if made else [],
                           "leaf" if node.type == "tensor" else "nodes")
            if made and node.retain_grad:
                chunk.lines.append(f"{self.names[doc_id]}.retain_grad()")
                self.retained.add(doc_id)
            buckets.setdefault(at, []).append(chunk)
            place[doc_id] = at
        return buckets

    def ordered(self, buckets: dict[int, list[_Chunk]]) -> list[_Chunk]:
        ordered = list(buckets.get(-1, []))
        for index, chunk in enumerate(self.chunks):
            ordered.append(chunk)
            ordered.extend(buckets.get(index, []))
        return ordered

    def with_import(self, chunks: list[_Chunk]) -> list[_Chunk]:
        """``import torch`` above the first line making a node, when the code has none."""
        if self.parse.modules.get("torch") == "torch":
            return chunks
        first = next((i for i, chunk in enumerate(chunks) if chunk.nodes), None)
        if first is None:
            return chunks
        return [*chunks[:first], _Chunk(["import torch"], kind="import"), *chunks[first:]]

    def with_backward(self, chunks: list[_Chunk]) -> list[_Chunk]:
        """``y.backward()`` after the last line making a node, when the code has none for
        the document's output (or the exporter's comment why it has none)."""
        output = self.doc.output
        if output is None or any(chunk.kind == "backward" for chunk in chunks):
            return chunks
        if self.doc.node(output).type == "scalar":
            line = _NUMBER_OUTPUT
        elif output in self.left_out:
            name = self.names[output]
            line = f"# {name}.backward() is left out: {name} cannot be computed"
        else:
            line = f"{self.names[output]}.backward()"
        last = max((i for i, chunk in enumerate(chunks)
                    if chunk.kind in ("leaf", "nodes", "retain_grad")), default=len(chunks) - 1)
        return [*chunks[:last + 1], _Chunk([line], kind="backward"), *chunks[last + 1:]]


def _renamed(source: str, renames: dict[str, str]) -> str:
    """``source`` with the variable names in ``renames`` replaced (not attributes, not the
    words inside strings or comments)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.split("\n")
    edits = []
    previous = None
    for token in tokens:
        if token.type == tokenize.NAME and token.string in renames \
                and not (previous is not None and previous.string == "."):
            edits.append((token.start, token.end, renames[token.string]))
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token
    for (row, col), (_row, end), name in reversed(edits):
        lines[row - 1] = lines[row - 1][:col] + name + lines[row - 1][end:]
    return "\n".join(lines)


def _bound(text: str, expected: list[tuple[int, list[str]]],
           doc: GraphDocument) -> CodeState | None:
    """The merged text read again, each statement's nodes bound to the document nodes it was
    written for (``expected``: the first line of each chunk and its nodes)."""
    parse = parse_live(text)
    starts = [line for line, _nodes in expected]
    made: dict[int, list[str]] = {line: [] for line in starts}
    for statement in parse.statements:
        owner = max((line for line in starts if line <= statement.first), default=None)
        if owner is None:
            continue
        made[owner] += [n for n in statement.nodes if parse.doc.node(n).type != "scalar"]
    binding: dict[str, str] = {}
    for line, nodes in expected:
        if len(made[line]) != len(nodes):
            return None
        binding.update(zip(made[line], nodes))
    bind_numbers(parse, doc, binding)
    return CodeState(text, parse, binding)
