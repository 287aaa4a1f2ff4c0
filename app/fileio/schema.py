"""The .cgraph format, version 1: plain records, their limits, and the validation of parsed JSON.

``parse_graph(data)`` turns the JSON object of a file into a :class:`GraphRecord` of plain
records, checking every field on the way; the first problem raises :class:`FileFormatError`
with a message that names the place, e.g. "nodes[2] (id 'a').params.dim: expected an integer,
got 'x'". Nothing here builds the model, so a refused file never leaves a half-built document.
docs/FILE_FORMAT.md describes the same rules for people.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from app.fileio.errors import FileFormatError
from app.model import DTYPES
from app.registry import NODE_TYPES, NodeType, ParamSpec

FORMAT_NAME = "cgstudio.graph"
FORMAT_VERSION = 1

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TENSOR_ELEMENTS = 1_000_000
MAX_TENSOR_DIMS = 8  # as many nested brackets as the inspector accepts
MAX_NODES = 5_000
MAX_NOTES = 1_000
MAX_ID_LENGTH = 100
MAX_LABEL_LENGTH = 200
MAX_NOTE_LENGTH = 10_000
MAX_COORDINATE = 1e7  # canvas positions and note sizes, in scene pixels

#: The fields each kind of node may carry besides "id" and "type".
_NODE_FIELDS: dict[str, frozenset[str]] = {
    "tensor": frozenset({"label", "pos", "value", "dtype", "requires_grad", "retain_grad"}),
    "scalar": frozenset({"label", "pos", "value"}),
    "op": frozenset({"label", "pos", "retain_grad", "params"}),
}
_TOP_FIELDS = frozenset({"format", "version", "nodes", "edges", "notes", "output"})


@dataclass
class NodeRecord:
    id: str
    type: str
    label: str = ""
    pos: tuple[float, float] = (0.0, 0.0)
    value: Any = None
    dtype: str = "float32"
    requires_grad: bool = False
    retain_grad: bool = False
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class EdgeRecord:
    src: str
    dst: str
    port: int


@dataclass
class NoteRecord:
    id: str
    text: str = ""
    pos: tuple[float, float] = (0.0, 0.0)
    size: tuple[float, float] = (220.0, 90.0)


@dataclass
class GraphRecord:
    nodes: list[NodeRecord] = field(default_factory=list)
    edges: list[EdgeRecord] = field(default_factory=list)
    notes: list[NoteRecord] = field(default_factory=list)
    output: str | None = None


# --------------------------------------------------------------------------- primitives
def describe(value: Any) -> str:
    """A JSON value as a message shows it: 'x', 3, true, null, a list, an object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fail(where: str, message: str) -> FileFormatError:
    return FileFormatError(f"{where}: {message}" if where else message)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, f"expected an object, got {describe(value)}")
    return value


def _list(value: Any, where: str, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(where, f"expected a list, got {describe(value)}")
    if len(value) > limit:
        raise _fail(where, f"at most {limit} entries, not {len(value)}")
    return value


def _finite(number: int | float) -> bool:
    """math.isfinite that also answers for integers too large for a float (10**400: False)."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


def _string(value: Any, where: str, limit: int, *, non_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise _fail(where, f"expected a string, got {describe(value)}")
    if non_empty and not value:
        raise _fail(where, "must not be empty")
    if len(value) > limit:
        raise _fail(where, f"at most {limit} characters, not {len(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _fail(where, f"contains an unpaired surrogate (\\u{ord(value[exc.start]):04x}), "
                           "which UTF-8 cannot store") from None
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, f"expected true or false, got {describe(value)}")
    return value


def _integer(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(where, f"expected an integer, got {describe(value)}")
    return value


def _number(value: Any, where: str) -> int | float:
    if not _is_number(value):
        raise _fail(where, f"expected a number, got {describe(value)}")
    return value


def _point(value: Any, where: str, *, positive: bool = False) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2 and all(map(_is_number, value))):
        raise _fail(where, f"expected two numbers [x, y], got {describe(value)}")
    for number in value:
        if not _finite(number) or abs(number) > MAX_COORDINATE:
            raise _fail(where, f"expected finite numbers within ±{MAX_COORDINATE:g}, "
                               f"got {describe(number)}")
        if positive and number <= 0:
            raise _fail(where, f"expected sizes greater than 0, got {describe(number)}")
    return (float(value[0]), float(value[1]))


def _fields(obj: dict[str, Any], allowed: frozenset[str], where: str, what: str) -> None:
    for key in obj:
        if key not in allowed:
            raise _fail(where, f"unknown field {key!r} for {what}")


def tensor_value(value: Any, where: str) -> Any:
    """Check a tensor value: a number or a rectangular nested list of numbers, within limits."""
    if _is_number(value):
        return value
    if not isinstance(value, list):
        raise _fail(where, f"expected a number or a nested list of numbers, got {describe(value)}")
    # breadth-first, one nesting level at a time: every list of a level must have the same length
    level, path_of = [value], [""]
    depth = 0
    while level:
        depth += 1
        if depth > MAX_TENSOR_DIMS:
            raise _fail(where, f"at most {MAX_TENSOR_DIMS} dimensions")
        width = len(level[0])
        children: list[Any] = []
        child_paths: list[str] = []
        for item, path in zip(level, path_of, strict=True):
            if len(item) != width:
                raise _fail(f"{where}{path}", f"expected {width} entries like the rows before, "
                                              f"got {len(item)} (a tensor must be rectangular)")
            children.extend(item)
            child_paths.extend(f"{path}[{i}]" for i in range(len(item)))
        if len(children) > MAX_TENSOR_ELEMENTS:
            raise _fail(where, f"at most {MAX_TENSOR_ELEMENTS} elements")
        kinds = {isinstance(child, list) for child in children}
        if len(kinds) > 1:
            raise _fail(where, "mixes numbers and lists at the same depth "
                               "(a tensor must be rectangular)")
        if kinds == {False}:
            for child, path in zip(children, child_paths, strict=True):
                _number(child, f"{where}{path}")
            return value
        level, path_of = children, child_paths
    return value


# --------------------------------------------------------------------------- records
def _param(spec: ParamSpec, value: Any, where: str) -> Any:
    if value is None and spec.kind.startswith("optional_"):
        return None
    if spec.kind in ("int", "optional_int"):
        return _integer(value, where)
    if spec.kind in ("float", "optional_float"):
        number = _number(value, where)
        if not _finite(number):
            raise _fail(where, f"expected a finite number, got {describe(value)}")
        return number
    if spec.kind == "bool":
        return _bool(value, where)
    # "shape": sizes, one of which may be -1 (inferred), as in reshape(-1, 2)
    sizes = _list(value, where, MAX_TENSOR_DIMS)
    for i, size in enumerate(sizes):
        if _integer(size, f"{where}[{i}]") < -1:
            raise _fail(f"{where}[{i}]", f"expected a size >= 0 or -1, got {size}")
    if sizes.count(-1) > 1:
        raise _fail(where, "only one size can be -1 (inferred)")
    return tuple(sizes)


def _params(node_type: NodeType, value: Any, where: str) -> dict[str, Any]:
    params = _object(value, where)
    port_defaults = {port.name for port in node_type.inputs if port.default is not None}
    result: dict[str, Any] = {}
    for name, item in params.items():
        here = f"{where}.{name}"
        if name in port_defaults:
            number = _number(item, here)
            if not _finite(number):
                raise _fail(here, f"expected a finite number, got {describe(item)}")
            result[name] = number
            continue
        try:
            spec = node_type.param(name)
        except KeyError:
            known = sorted({p.name for p in node_type.params} | port_defaults)
            raise _fail(where, f"{node_type.name} has no parameter {name!r} "
                               f"(it has: {', '.join(known) or 'none'})") from None
        result[name] = _param(spec, item, here)
    return result


def _node(raw: Any, index: int) -> NodeRecord:
    where = f"nodes[{index}]"
    obj = _object(raw, where)
    if "id" not in obj:
        raise _fail(where, "missing field 'id'")
    node_id = _string(obj["id"], f"{where}.id", MAX_ID_LENGTH, non_empty=True)
    where = f"nodes[{index}] (id {node_id!r})"
    if "type" not in obj:
        raise _fail(where, "missing field 'type'")
    type_name = _string(obj["type"], f"{where}.type", MAX_ID_LENGTH)
    if type_name not in NODE_TYPES:
        raise _fail(f"{where}.type", f"unknown node type {type_name!r}")
    node_type = NODE_TYPES[type_name]
    _fields(obj, _NODE_FIELDS[node_type.kind] | {"id", "type"}, where, f"a {type_name} node")

    record = NodeRecord(node_id, type_name)
    if "label" in obj:
        record.label = _string(obj["label"], f"{where}.label", MAX_LABEL_LENGTH)
    if "pos" in obj:
        record.pos = _point(obj["pos"], f"{where}.pos")
    if "retain_grad" in obj:
        record.retain_grad = _bool(obj["retain_grad"], f"{where}.retain_grad")
    if node_type.kind in ("tensor", "scalar"):
        if "value" not in obj:
            raise _fail(where, "missing field 'value'")
        if node_type.kind == "scalar":
            record.value = _number(obj["value"], f"{where}.value")
        else:
            record.value = tensor_value(obj["value"], f"{where}.value")
    if "dtype" in obj:
        dtype = _string(obj["dtype"], f"{where}.dtype", MAX_ID_LENGTH)
        if dtype not in DTYPES:
            raise _fail(f"{where}.dtype", f"expected one of {', '.join(DTYPES)}, got {dtype!r}")
        record.dtype = dtype
    if "requires_grad" in obj:
        record.requires_grad = _bool(obj["requires_grad"], f"{where}.requires_grad")
    if "params" in obj:
        record.params = _params(node_type, obj["params"], f"{where}.params")
    return record


def _edge(raw: Any, index: int, nodes: dict[str, NodeRecord]) -> EdgeRecord:
    where = f"edges[{index}]"
    obj = _object(raw, where)
    _fields(obj, frozenset({"from", "to", "port"}), where, "a wire")
    for key in ("from", "to", "port"):
        if key not in obj:
            raise _fail(where, f"missing field {key!r}")
    src = _string(obj["from"], f"{where}.from", MAX_ID_LENGTH)
    dst = _string(obj["to"], f"{where}.to", MAX_ID_LENGTH)
    port = _integer(obj["port"], f"{where}.port")
    for key, node_id in (("from", src), ("to", dst)):
        if node_id not in nodes:
            raise _fail(f"{where}.{key}", f"no node with id {node_id!r}")
    target = NODE_TYPES[nodes[dst].type]
    if not target.inputs:
        raise _fail(where, f"node {dst!r} is a {target.name} node and has no inputs")
    if not 0 <= port < len(target.inputs):
        raise _fail(f"{where}.port", f"node {dst!r} ({target.name}) has inputs "
                                     f"0..{len(target.inputs) - 1}, not {port}")
    return EdgeRecord(src, dst, port)


def _note(raw: Any, index: int) -> NoteRecord:
    where = f"notes[{index}]"
    obj = _object(raw, where)
    if "id" not in obj:
        raise _fail(where, "missing field 'id'")
    note_id = _string(obj["id"], f"{where}.id", MAX_ID_LENGTH, non_empty=True)
    where = f"notes[{index}] (id {note_id!r})"
    _fields(obj, frozenset({"id", "text", "pos", "size"}), where, "a note")
    record = NoteRecord(note_id)
    if "text" in obj:
        record.text = _string(obj["text"], f"{where}.text", MAX_NOTE_LENGTH)
    if "pos" in obj:
        record.pos = _point(obj["pos"], f"{where}.pos")
    if "size" in obj:
        record.size = _point(obj["size"], f"{where}.size", positive=True)
    return record


def _check_acyclic(graph: GraphRecord) -> None:
    """Refuse wires that form a cycle, naming the nodes on it (Kahn's algorithm)."""
    indegree = {node.id: 0 for node in graph.nodes}
    consumers: dict[str, list[str]] = {node.id: [] for node in graph.nodes}
    for edge in graph.edges:
        indegree[edge.dst] += 1
        consumers[edge.src].append(edge.dst)
    ready = [node_id for node_id, degree in indegree.items() if degree == 0]
    while ready:
        for dst in consumers[ready.pop()]:
            indegree[dst] -= 1
            if indegree[dst] == 0:
                ready.append(dst)
    stuck = [node_id for node_id, degree in indegree.items() if degree > 0]
    if stuck:
        names = ", ".join(repr(node_id) for node_id in stuck[:6])
        raise _fail("edges", f"the wires make a cycle through {names}; "
                             "a computational graph has none")


def parse_graph(data: Any) -> GraphRecord:
    """Validate the parsed JSON of a .cgraph file and return it as plain records."""
    top = _object(data, "the file")
    fmt = top.get("format")
    if fmt != FORMAT_NAME:
        raise _fail("format", f"this is not a CG Studio graph (expected {FORMAT_NAME!r}, "
                              f"got {describe(fmt)})")
    if "version" not in top:
        raise _fail("", "missing field 'version'")
    version = _integer(top["version"], "version")
    if version > FORMAT_VERSION:
        raise FileFormatError(
            f"this file was written by a newer CG Studio (format version {version}); "
            f"this version reads version {FORMAT_VERSION}"
        )
    if version < 1:
        raise _fail("version", f"expected a version from 1 to {FORMAT_VERSION}, got {version}")
    _fields(top, _TOP_FIELDS, "", "a graph file")

    graph = GraphRecord()
    ids: set[str] = set()
    for index, raw in enumerate(_list(top.get("nodes", []), "nodes", MAX_NODES)):
        node = _node(raw, index)
        if node.id in ids:
            raise _fail(f"nodes[{index}].id", f"the id {node.id!r} is used twice")
        ids.add(node.id)
        graph.nodes.append(node)
    nodes = {node.id: node for node in graph.nodes}

    wired: set[tuple[str, int]] = set()
    for index, raw in enumerate(_list(top.get("edges", []), "edges", 8 * MAX_NODES)):
        edge = _edge(raw, index, nodes)
        if (edge.dst, edge.port) in wired:
            raise _fail(f"edges[{index}]", f"input {edge.port} of node {edge.dst!r} already has "
                                           "a wire; an input takes one")
        wired.add((edge.dst, edge.port))
        graph.edges.append(edge)
    _check_acyclic(graph)

    for index, raw in enumerate(_list(top.get("notes", []), "notes", MAX_NOTES)):
        note = _note(raw, index)
        if note.id in ids:
            raise _fail(f"notes[{index}].id", f"the id {note.id!r} is used twice")
        ids.add(note.id)
        graph.notes.append(note)

    output = top.get("output")
    if output is not None:
        _string(output, "output", MAX_ID_LENGTH)
        if output not in nodes:
            raise _fail("output", f"no node with id {output!r}")
    graph.output = output
    return graph
