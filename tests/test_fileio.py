"""Tests of app.fileio: round trips, stable output, atomic saves and every kind of refusal."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.fileio import (
    FileFormatError,
    dumps_document,
    load_document,
    loads_document,
    save_document,
)
from app.fileio.schema import MAX_FILE_BYTES, MAX_TENSOR_ELEMENTS
from app.model import GraphDocument, Node, Note

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.cgraph"))


def base() -> dict[str, Any]:
    """A small valid file as a JSON object, to break one field at a time."""
    return {
        "format": "cgstudio.graph", "version": 1,
        "nodes": [
            {"id": "w", "type": "tensor", "value": [1.0], "requires_grad": True},
            {"id": "one", "type": "scalar", "value": 1},
            {"id": "a", "type": "add", "label": "a", "params": {}},
            {"id": "s", "type": "sum", "params": {"dim": 0}},
        ],
        "edges": [{"from": "w", "to": "a", "port": 0}, {"from": "one", "to": "a", "port": 1},
                  {"from": "a", "to": "s", "port": 0}],
        "notes": [{"id": "n1", "text": "hello", "pos": [0, 200], "size": [100, 50]}],
        "output": "s",
    }


def refusal(data: Any) -> str:
    text = data if isinstance(data, (str, bytes)) else json.dumps(data)
    with pytest.raises(FileFormatError) as caught:
        loads_document(text)
    return str(caught.value)


# ------------------------------------------------------------------------------ loading
def test_loads_the_minimal_file_into_the_model() -> None:
    doc = loads_document(json.dumps(base()))
    assert [n.id for n in doc.nodes] == ["w", "one", "a", "s"]
    w = doc.node("w")
    assert (w.value, w.dtype, w.requires_grad, w.label, w.pos) == ([1.0], "float32", True, "",
                                                                   (0.0, 0.0))
    assert doc.node("one").value == 1 and isinstance(doc.node("one").value, int)
    assert doc.node("s").params == {"dim": 0}
    assert doc.inputs_of("a") == ["w", "one"]
    assert doc.output == "s"
    note = doc.note("n1")
    assert (note.text, note.pos, note.size) == ("hello", (0.0, 200.0), (100.0, 50.0))


def test_optional_sections_may_be_missing() -> None:
    doc = loads_document('{"format": "cgstudio.graph", "version": 1}')
    assert (len(doc), doc.edges, doc.notes, doc.output) == (0, [], [], None)


def test_shape_params_become_tuples_and_bom_is_accepted() -> None:
    data = base()
    data["nodes"].append({"id": "r", "type": "reshape", "params": {"shape": [-1, 1]}})
    doc = loads_document(b"\xef\xbb\xbf" + json.dumps(data).encode())
    assert doc.node("r").params == {"shape": (-1, 1)}


def test_load_document_reads_a_path_and_missing_files_are_oserror(tmp_path: Path) -> None:
    path = tmp_path / "g.cgraph"
    path.write_text(json.dumps(base()), encoding="utf-8")
    assert load_document(path).output == "s"
    with pytest.raises(FileNotFoundError):
        load_document(tmp_path / "missing.cgraph")


# ------------------------------------------------------------------------------ refusals
def with_change(path: str, value: Any) -> dict[str, Any]:
    """base() with the field at a dotted path ("nodes.2.params.dim") replaced or deleted."""
    data = base()
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is _DELETE:
        del target[key]
    else:
        target[key] = value
    return data


_DELETE = object()

REFUSALS = [
    ("nodes.3.params.dim", "x", "nodes[3] (id 's').params.dim: expected an integer, got 'x'"),
    ("nodes.3.params.dim", True, "nodes[3] (id 's').params.dim: expected an integer, got true"),
    ("nodes.3.params.keepdim", 1, "nodes[3] (id 's').params.keepdim: expected true or false, "
                                  "got 1"),
    ("nodes.3.params.alpha", 2, "nodes[3] (id 's').params: sum has no parameter 'alpha' "
                                "(it has: dim, keepdim)"),
    ("nodes.2.params.alpha", float("nan"), "nodes[2] (id 'a').params.alpha: expected a finite "
                                           "number, got nan"),
    ("nodes.0.id", "", "nodes[0].id: must not be empty"),
    ("nodes.0.id", 7, "nodes[0].id: expected a string, got 7"),
    ("nodes.1.id", "w", "nodes[1].id: the id 'w' is used twice"),
    ("nodes.0.type", "conv2d", "nodes[0] (id 'w').type: unknown node type 'conv2d'"),
    ("nodes.0.type", _DELETE, "nodes[0] (id 'w'): missing field 'type'"),
    ("nodes.0.value", _DELETE, "nodes[0] (id 'w'): missing field 'value'"),
    ("nodes.0.value", [[1.0], [2.0, 3.0]], "nodes[0] (id 'w').value[1]: expected 1 entries like "
                                           "the rows before, got 2 (a tensor must be rectangular)"),
    ("nodes.0.value", [1.0, [2.0]], "nodes[0] (id 'w').value: mixes numbers and lists at the "
                                    "same depth (a tensor must be rectangular)"),
    ("nodes.0.value", [1.0, True], "nodes[0] (id 'w').value[1]: expected a number, got true"),
    ("nodes.0.value", [[1.0, "2"]], "nodes[0] (id 'w').value[0][1]: expected a number, got '2'"),
    ("nodes.0.value", "1.0", "nodes[0] (id 'w').value: expected a number or a nested list of "
                             "numbers, got '1.0'"),
    ("nodes.0.value", [[[[[[[[[1.0]]]]]]]]], "nodes[0] (id 'w').value: at most 8 dimensions"),
    ("nodes.0.dtype", "float16", "nodes[0] (id 'w').dtype: expected one of float32, float64, "
                                 "int64, got 'float16'"),
    ("nodes.0.requires_grad", "yes", "nodes[0] (id 'w').requires_grad: expected true or false, "
                                     "got 'yes'"),
    ("nodes.0.pos", [0], "nodes[0] (id 'w').pos: expected two numbers [x, y], got a list"),
    ("nodes.0.pos", [0, 1e9], "nodes[0] (id 'w').pos: expected finite numbers within ±1e+07, "
                              "got 1000000000.0"),
    ("nodes.0.params", {}, "nodes[0] (id 'w'): unknown field 'params' for a tensor node"),
    ("nodes.1.value", [1], "nodes[1] (id 'one').value: expected a number, got a list"),
    ("nodes.2.requires_grad", True, "nodes[2] (id 'a'): unknown field 'requires_grad' for a add "
                                    "node"),
    ("nodes.2", [], "nodes[2]: expected an object, got a list"),
    ("nodes", {}, "nodes: expected a list, got an object"),
    ("edges.0.from", "ghost", "edges[0].from: no node with id 'ghost'"),
    ("edges.0.port", 2, "edges[0].port: node 'a' (add) has inputs 0..1, not 2"),
    ("edges.0.port", "0", "edges[0].port: expected an integer, got '0'"),
    ("edges.0.to", "w", "edges[0]: node 'w' is a tensor node and has no inputs"),
    ("edges.1.from", "w", None),  # valid: the same source may feed two ports
    ("edges.1.port", 0, "edges[1]: input 0 of node 'a' already has a wire; an input takes one"),
    ("edges.0.port", _DELETE, "edges[0]: missing field 'port'"),
    ("notes.0.size", [0, 10], "notes[0] (id 'n1').size: expected sizes greater than 0, got 0"),
    ("notes.0.id", "w", "notes[0].id: the id 'w' is used twice"),
    ("notes.0.colour", "red", "notes[0] (id 'n1'): unknown field 'colour' for a note"),
    ("output", "ghost", "output: no node with id 'ghost'"),
    ("output", 3, "output: expected a string, got 3"),
    ("format", "orange.scheme", "format: this is not a CG Studio graph (expected "
                                "'cgstudio.graph', got 'orange.scheme')"),
    ("version", 3, "this file was written by a newer CG Studio (format version 3); this version "
                   "reads version 2"),
    ("version", 0, "version: expected a version from 1 to 2, got 0"),
    ("version", "1", "version: expected an integer, got '1'"),
    ("version", _DELETE, "missing field 'version'"),
    ("extra", 1, "unknown field 'extra' for a graph file"),
]


@pytest.mark.parametrize(("path", "value", "message"), REFUSALS,
                         ids=[f"{p}={v!r}"[:40] for p, v, _ in REFUSALS])
def test_refusals_name_the_place(path: str, value: Any, message: str | None) -> None:
    data = with_change(path, value)
    if message is None:
        loads_document(json.dumps(data))
    else:
        assert refusal(data) == message


def test_cycle_is_refused_with_the_nodes_on_it() -> None:
    data = base()
    data["nodes"].append({"id": "e", "type": "exp"})
    data["edges"][0] = {"from": "e", "to": "a", "port": 0}
    data["edges"].append({"from": "a", "to": "e", "port": 0})
    message = refusal(data)
    assert message.startswith("edges: the wires make a cycle through ")
    assert "'a'" in message and "'e'" in message and "'s'" in message


def test_not_json_not_utf8_and_not_an_object() -> None:
    assert refusal('{"format": "cgstudio.graph",\n "version": 1,,}') == (
        "invalid JSON at line 2, column 15: Expecting property name enclosed in double quotes")
    assert refusal(b'{"format": "caf\xe9"}') == "not a UTF-8 text file (byte 0xe9 at offset 15)"
    assert refusal("[1, 2]") == "the file: expected an object, got a list"
    assert refusal('{"format": "cgstudio.graph", "format": "x"}') == (
        "the key 'format' appears twice in one JSON object")
    assert refusal("[" * 100_000 + "]" * 100_000) == (
        "invalid file: the JSON is nested too deeply")
    assert refusal('{"version": 1' + "9" * 5000 + "}").startswith("invalid JSON: ")


def test_size_limits(tmp_path: Path) -> None:
    data = with_change("nodes.0.value", [0] * (MAX_TENSOR_ELEMENTS + 1))
    assert refusal(data) == f"nodes[0] (id 'w').value: at most {MAX_TENSOR_ELEMENTS} elements"
    big = tmp_path / "big.cgraph"
    with big.open("wb") as stream:
        stream.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(FileFormatError, match="the file is larger than 20 MB"):
        load_document(big)


def test_no_code_runs_from_content() -> None:
    data = with_change("nodes.0.type", "__import__('os').system('false')")
    assert "unknown node type" in refusal(data)


# ------------------------------------------------------------------------------ saving
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_round_trip_exactly(path: Path, tmp_path: Path) -> None:
    doc = load_document(path)
    copy = tmp_path / path.name
    save_document(doc, copy)
    assert load_document(copy).snapshot() == doc.snapshot()
    # the examples are stored in the canonical form the writer produces (the older ones in
    # format version 1, which the writer now writes as version 2)
    stored = path.read_text(encoding="utf-8").replace('"version": 1,', '"version": 2,', 1)
    assert copy.read_text(encoding="utf-8") == stored


def test_output_is_stable_and_readable() -> None:
    doc = GraphDocument()
    doc.add_node(Node("b", "exp", "b", pos=(220.5, 0)))
    doc.add_node(Node("a", "tensor", "a", value=[[1, 2], [3, 4]], dtype="int64"))
    doc.add_node(Node("m", "mul", "m", params={}))
    doc.connect("a", "m", 1)
    doc.connect("b", "m", 0)
    doc.connect("a", "b", 0)
    text = dumps_document(doc)
    assert text == dumps_document(loads_document(text))
    lines = text.splitlines()
    assert lines[:3] == ["{", '  "format": "cgstudio.graph",', '  "version": 2,']
    assert lines[4] == ('    {"id": "b", "type": "exp", "label": "b", "pos": [220.5, 0], '
                        '"retain_grad": false, "params": {}},')
    assert lines[5] == ('    {"id": "a", "type": "tensor", "label": "a", "pos": [0, 0], '
                        '"value": [[1, 2], [3, 4]], "dtype": "int64", "requires_grad": false, '
                        '"retain_grad": false},')
    # wires sorted by their target's place in the node list, then port
    edges = json.loads(text)["edges"]
    assert edges == [{"from": "a", "to": "b", "port": 0}, {"from": "b", "to": "m", "port": 0},
                     {"from": "a", "to": "m", "port": 1}]
    assert text.endswith('  "output": null\n}\n')


def test_floats_read_back_equal() -> None:
    values = [0.1, 1 / 3, 1e-300, -2.5e17, float(np.float32(0.1)), 3.0, 7]
    doc = GraphDocument()
    doc.add_node(Node("v", "tensor", value=values))
    loaded = loads_document(dumps_document(doc)).node("v").value
    assert loaded == values
    assert [type(v) for v in loaded] == [type(v) for v in values]
    assert '"value": [0.1, 0.3333333333333333, 1e-300, -2.5e+17, 0.10000000149011612, 3.0, 7]' \
        in dumps_document(doc)


def test_nan_and_inf_are_kept() -> None:
    doc = GraphDocument()
    doc.add_node(Node("v", "tensor", value=[float("nan"), float("inf"), -float("inf")]))
    text = dumps_document(doc)
    assert '"value": [NaN, Infinity, -Infinity]' in text
    value = loads_document(text).node("v").value
    assert math.isnan(value[0]) and value[1:] == [math.inf, -math.inf]


def test_unicode_notes_and_labels(tmp_path: Path) -> None:
    doc = GraphDocument()
    doc.add_node(Node("g", "tensor", "梯度 ∇", value=1.5))
    doc.add_note(Note("n", "计算图与动态图机制\n\"quoted\"", (10.0, 20.0), (300.0, 80.0)))
    path = tmp_path / "u.cgraph"
    save_document(doc, path)
    assert "计算图" in path.read_text(encoding="utf-8")
    assert load_document(path).snapshot() == doc.snapshot()


def test_save_is_atomic_and_keeps_the_old_file_on_failure(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "g.cgraph"
    path.write_text("old contents", encoding="utf-8")
    os.chmod(path, 0o640)
    doc = loads_document(json.dumps(base()))

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        save_document(doc, path)
    assert path.read_text(encoding="utf-8") == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.cgraph"]  # no temp file left
    monkeypatch.undo()

    save_document(doc, path)
    assert load_document(path).snapshot() == doc.snapshot()
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.cgraph"]


def test_save_into_a_missing_folder_is_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        save_document(GraphDocument(), tmp_path / "nowhere" / "g.cgraph")


finite = st.floats(allow_nan=False, allow_infinity=False, width=32) | st.integers(-2**40, 2**40)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(finite, min_size=2, max_size=2), min_size=0, max_size=5),
       st.text(max_size=40), st.sampled_from(["float32", "float64", "int64"]))
def test_round_trip_property(rows: list[list[Any]], label: str, dtype: str) -> None:
    doc = GraphDocument()
    doc.add_node(Node("t", "tensor", label, (1.5, -2.0), rows, dtype, dtype != "int64"))
    doc.add_node(Node("s", "sum", params={"dim": None, "keepdim": False}))
    doc.connect("t", "s", 0)
    doc.add_note(Note("n", label))
    doc.set_output("s")
    assert loads_document(dumps_document(doc)).snapshot() == doc.snapshot()


def test_a_line_cache_writes_the_same_text_as_a_fresh_save(monkeypatch) -> None:
    """The autosave keeps the lines of its last write (a LineCache): after every kind of edit
    the text is byte for byte what a save without the cache writes, and only the nodes that
    changed are written again."""
    import app.fileio.writer as writer
    from app.fileio import LineCache

    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", "w", value=[1.0, float("nan")], requires_grad=True))
    doc.add_node(Node("x", "tensor", "名字 \"x\"", value=[[2.0]], dtype="float64"))
    doc.add_node(Node("a", "add", "a"))
    doc.add_node(Node("s", "sum", "s", params={"dim": 0}))
    doc.connect_many([("w", "a", 0), ("x", "a", 1), ("a", "s", 0)])
    doc.set_output("s")
    doc.add_note(Note("n1", "a note"))
    cache = LineCache()
    written: list[str] = []
    record = writer.node_record
    monkeypatch.setattr(writer, "node_record", lambda node: written.append(node.id) or record(node))

    def check() -> None:
        written.clear()
        cached = dumps_document(doc.evaluation_copy(notes=True), cache)
        assert cached == dumps_document(doc.evaluation_copy(notes=True))

    check()
    check()  # nothing changed since: the second write made no node line at all
    assert written == [node.id for node in doc.nodes]  # the fresh save's lines only
    doc.set_field("w", "value", [3.0, 4.0])
    written.clear()
    dumps_document(doc.evaluation_copy(notes=True), cache)
    assert written == ["w"]
    doc.set_param("s", "dim", None)
    check()
    doc.move_node("x", (10.5, -3.0))
    check()
    doc.remove_node("a")
    doc.add_node(Node("a", "mul", "a"))
    doc.connect("x", "a", 0)
    doc.connect("w", "a", 1)
    check()
    doc.set_field("a", "label", "renamed")
    check()
