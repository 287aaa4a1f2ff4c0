"""The .cgraph format, version 2: plain records, their limits, and the validation of parsed JSON.

``parse_graph(data)`` turns the JSON object of a file into a :class:`GraphRecord`: the model's
own plain records (:class:`~app.model.Node`, :class:`~app.model.Edge`, :class:`~app.model.Note`),
checking every field on the way with the document's rules (:mod:`app.model.rules`) plus the
limits of a file; the first problem raises :class:`FileFormatError` with a message that names the
place, e.g. "nodes[2] (id 'a').params.dim: expected an integer, got 'x'". Nothing here builds a
document, so a refused file never leaves a half-built one. docs/FILE_FORMAT.md describes the same
rules for people. Version 1 files are read too: they are version 2 files without the fields
version 2 added (a node's ``inplace``, a module node's ``module_name`` and ``state``; the root's
``backward``, ``mode``, ``trace`` and ``optimizer``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from app.fileio.errors import FileFormatError
from app.model import Edge, GraphError, Node, Note, PortError
from app.model.backward_plan import MAX_BACKWARD_STEPS, BackwardPlan, BackwardStep
from app.model.rules import (
    MAX_TENSOR_DIMS,
    NOTE_FIELDS,
    check_backward_plan,
    check_dtype,
    check_inplace,
    check_mode,
    check_optimizer,
    check_param,
    check_port,
    check_state,
    check_trace,
    describe,
    expect_bool,
    expect_integer,
    expect_number,
    is_finite,
    is_number,
    node_fields,
)
from app.registry import NODE_TYPES, NodeType

FORMAT_NAME = "cgstudio.graph"
#: 2 added the program around the graph (a node's inplace; the root's backward, mode and trace)
#: and torch.nn module nodes (their module_name and state) with the root's optimizer; a version 1
#: file is read as it always was (it has none of them).
FORMAT_VERSION = 2

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TENSOR_ELEMENTS = 1_000_000
MAX_NODES = 5_000
MAX_NOTES = 1_000
MAX_ID_LENGTH = 100
MAX_LABEL_LENGTH = 200
MAX_NOTE_LENGTH = 10_000
MAX_COORDINATE = 1e7  # canvas positions and note sizes, in scene pixels

_T = TypeVar("_T")

_TOP_FIELDS = frozenset({"format", "version", "nodes", "edges", "notes", "output"})
#: What each version added: fields older files must not hold (a reader of that version would
#: refuse them), by where they go.
_ADDED_IN_2 = {"top": frozenset({"backward", "mode", "trace", "optimizer"}),
               "node": frozenset({"inplace", "module_name", "state"})}


@dataclass
class GraphRecord:
    """A file's content, checked: the records to build a document from."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    output: str | None = None
    backward: BackwardPlan = field(default_factory=BackwardPlan)
    mode: str = "dynamic"
    trace: dict[str, str] | None = None
    optimizer: dict[str, Any] | None = None


# --------------------------------------------------------------------------- primitives
def _fail(where: str, message: str) -> FileFormatError:
    return FileFormatError(f"{where}: {message}" if where else message)


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


def _point(value: Any, where: str, *, positive: bool = False) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2 and all(map(is_number, value))):
        raise _fail(where, f"expected two numbers [x, y], got {describe(value)}")
    for number in value:
        if not is_finite(number) or abs(number) > MAX_COORDINATE:
            raise _fail(where, f"expected finite numbers within ±{MAX_COORDINATE:g}, "
                               f"got {describe(number)}")
        if positive and number <= 0:
            raise _fail(where, f"expected sizes greater than 0, got {describe(number)}")
    return (float(value[0]), float(value[1]))


def _fields(obj: dict[str, Any], allowed: frozenset[str] | tuple[str, ...], where: str,
            what: str) -> None:
    for key in obj:
        if key not in allowed:
            raise _fail(where, f"unknown field {key!r} for {what}")


def _added_later(obj: dict[str, Any], version: int, place: str, where: str) -> None:
    """Refuse a field a file of ``version`` cannot hold: a later version added it."""
    if version < 2:
        for key in obj:
            if key in _ADDED_IN_2[place]:
                raise _fail(where, f"the field {key!r} needs format version 2, "
                                   f"but the file says version {version}")


def _checked(rule: Callable[..., _T], *args: Any) -> _T:
    """One of the document's rules applied to a field of the file: its refusal (a GraphError,
    whose message already names the place) becomes a FileFormatError."""
    try:
        return rule(*args)
    except GraphError as exc:
        raise FileFormatError(str(exc)) from None


def tensor_value(value: Any, where: str) -> Any:
    """Check a tensor value: a number or a rectangular nested list of numbers, within limits."""
    if is_number(value):
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
                _checked(expect_number, child, f"{where}{path}")
            return value
        level, path_of = children, child_paths
    return value


# --------------------------------------------------------------------------- records
def _params(node_type: NodeType, value: Any, where: str) -> dict[str, Any]:
    return {name: _checked(check_param, node_type, name, item, where)
            for name, item in _object(value, where).items()}


def _node(raw: Any, index: int, version: int = FORMAT_VERSION) -> Node:
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
    _added_later(obj, version, "node", where)
    _fields(obj, (*node_fields(node_type), "id", "type"), where, f"a {type_name} node")

    node = Node(node_id, type_name)
    if "label" in obj:
        node.label = _string(obj["label"], f"{where}.label", MAX_LABEL_LENGTH)
    if "pos" in obj:
        node.pos = _point(obj["pos"], f"{where}.pos")
    if "retain_grad" in obj:
        node.retain_grad = _checked(expect_bool, obj["retain_grad"], f"{where}.retain_grad")
    if node_type.kind in ("tensor", "scalar"):
        if "value" not in obj:
            raise _fail(where, "missing field 'value'")
        if node_type.kind == "scalar":
            node.value = _checked(expect_number, obj["value"], f"{where}.value")
        else:
            node.value = tensor_value(obj["value"], f"{where}.value")
    if "dtype" in obj:
        dtype = _string(obj["dtype"], f"{where}.dtype", MAX_ID_LENGTH)
        node.dtype = _checked(check_dtype, dtype, f"{where}.dtype")
    if "requires_grad" in obj:
        node.requires_grad = _checked(expect_bool, obj["requires_grad"], f"{where}.requires_grad")
    if "params" in obj:
        node.params = _params(node_type, obj["params"], f"{where}.params")
    if "inplace" in obj:
        node.inplace = _checked(check_inplace, node_type, obj["inplace"], f"{where}.inplace")
    if "module_name" in obj:
        node.module_name = _string(obj["module_name"], f"{where}.module_name", MAX_LABEL_LENGTH)
    if node_type.state:
        if "state" not in obj:
            raise _fail(where, "missing field 'state' (the values of the module's parameters)")
        state = _object(obj["state"], f"{where}.state")
        for name, value in state.items():
            tensor_value(value, f"{where}.state.{name}")
        node.state = _checked(check_state, node_type, node.params, state, f"{where}.state")
    return node


def _backward_step(raw: Any, where: str) -> BackwardStep:
    obj = _object(raw, where)
    kind = obj.get("step")
    if kind == "backward":
        _fields(obj, ("step", "retain_graph"), where, "a backward step")
        retain = _checked(expect_bool, obj.get("retain_graph", False), f"{where}.retain_graph")
        return BackwardStep(retain_graph=retain)
    if kind == "zero_grad":
        _fields(obj, ("step", "nodes", "parameters", "set_to_none"), where, "a zero_grad step")
        if "nodes" not in obj:
            raise _fail(where, "missing field 'nodes'")
        nodes = tuple(_string(node_id, f"{where}.nodes[{i}]", MAX_ID_LENGTH)
                      for i, node_id in enumerate(_list(obj["nodes"], f"{where}.nodes",
                                                        MAX_NODES)))
        parameters = tuple(_parameter(raw_pair, f"{where}.parameters[{i}]")
                           for i, raw_pair in enumerate(_list(obj.get("parameters", []),
                                                              f"{where}.parameters",
                                                              MAX_NODES)))
        set_to_none = _checked(expect_bool, obj.get("set_to_none", False),
                               f"{where}.set_to_none")
        return BackwardStep("zero_grad", nodes=nodes, set_to_none=set_to_none,
                            parameters=parameters)
    raise _fail(f"{where}.step", f"expected 'backward' or 'zero_grad', got {describe(kind)}")


def _parameter(raw: Any, where: str) -> tuple[str, str]:
    """A layer's parameter tensor a zero_grad step names: [module node id, parameter name]."""
    pair = _list(raw, where, 2)
    if len(pair) != 2:
        raise _fail(where, "expected [node id, parameter name]")
    return (_string(pair[0], f"{where}[0]", MAX_ID_LENGTH),
            _string(pair[1], f"{where}[1]", MAX_ID_LENGTH))


def _backward(raw: Any, node_types: dict[str, NodeType]) -> BackwardPlan:
    """The root's "backward": the gradient of every pass, and the steps after the forward."""
    where = "backward"
    obj = _object(raw, where)
    _fields(obj, ("gradient", "steps"), where, "backward")
    gradient = obj.get("gradient")
    if gradient is not None:
        gradient = tensor_value(gradient, f"{where}.gradient")
    plan = BackwardPlan(gradient)
    if "steps" in obj:
        raw_steps = _list(obj["steps"], f"{where}.steps", MAX_BACKWARD_STEPS)
        plan = BackwardPlan(gradient, tuple(_backward_step(step, f"{where}.steps[{index}]")
                                            for index, step in enumerate(raw_steps)))
    return _checked(check_backward_plan, plan, node_types, where)


def _edge(raw: Any, index: int, nodes: dict[str, Node]) -> Edge:
    where = f"edges[{index}]"
    obj = _object(raw, where)
    _fields(obj, ("from", "to", "port"), where, "a wire")
    for key in ("from", "to", "port"):
        if key not in obj:
            raise _fail(where, f"missing field {key!r}")
    src = _string(obj["from"], f"{where}.from", MAX_ID_LENGTH)
    dst = _string(obj["to"], f"{where}.to", MAX_ID_LENGTH)
    port = _checked(expect_integer, obj["port"], f"{where}.port")
    for key, node_id in (("from", src), ("to", dst)):
        if node_id not in nodes:
            raise _fail(f"{where}.{key}", f"no node with id {node_id!r}")
    target = nodes[dst].spec
    try:
        check_port(target, port, f"node {dst!r}")
    except PortError as exc:  # a port out of range is the port's fault, no inputs the wire's
        raise _fail(f"{where}.port" if target.inputs else where, str(exc)) from None
    return Edge(src, dst, port)


def _note(raw: Any, index: int) -> Note:
    where = f"notes[{index}]"
    obj = _object(raw, where)
    if "id" not in obj:
        raise _fail(where, "missing field 'id'")
    note_id = _string(obj["id"], f"{where}.id", MAX_ID_LENGTH, non_empty=True)
    where = f"notes[{index}] (id {note_id!r})"
    _fields(obj, ("id", *NOTE_FIELDS), where, "a note")
    note = Note(note_id)
    if "text" in obj:
        note.text = _string(obj["text"], f"{where}.text", MAX_NOTE_LENGTH)
    if "pos" in obj:
        note.pos = _point(obj["pos"], f"{where}.pos")
    if "size" in obj:
        note.size = _point(obj["size"], f"{where}.size", positive=True)
    return note


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
    """Validate the parsed JSON of a .cgraph file and return its records."""
    top = _object(data, "the file")
    fmt = top.get("format")
    if fmt != FORMAT_NAME:
        raise _fail("format", f"this is not a CG Studio graph (expected {FORMAT_NAME!r}, "
                              f"got {describe(fmt)})")
    if "version" not in top:
        raise _fail("", "missing field 'version'")
    version = _checked(expect_integer, top["version"], "version")
    if version > FORMAT_VERSION:
        raise FileFormatError(
            f"this file was written by a newer CG Studio (format version {version}); "
            f"this version reads version {FORMAT_VERSION}"
        )
    if version < 1:
        raise _fail("version", f"expected a version from 1 to {FORMAT_VERSION}, got {version}")
    _added_later(top, version, "top", "")
    _fields(top, _TOP_FIELDS | _ADDED_IN_2["top"], "", "a graph file")

    graph = GraphRecord()
    ids: set[str] = set()
    for index, raw in enumerate(_list(top.get("nodes", []), "nodes", MAX_NODES)):
        node = _node(raw, index, version)
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
    node_types = {node_id: node.spec for node_id, node in nodes.items()}
    if "backward" in top:
        graph.backward = _backward(top["backward"], node_types)
    if "mode" in top:
        graph.mode = _checked(check_mode, top["mode"], "mode")
    if "trace" in top:
        graph.trace = _checked(check_trace, top["trace"], node_types, "trace")
    if top.get("optimizer") is not None:
        graph.optimizer = _checked(check_optimizer, top["optimizer"], "optimizer")
    return graph
