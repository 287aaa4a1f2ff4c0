"""The clipboard service (app/clipboard.py): selections as .cgraph text, text as fresh items."""

from __future__ import annotations

import json

import pytest

from app import clipboard
from app.fileio import FileFormatError
from app.model import GraphDocument, Node, Note


@pytest.fixture
def doc() -> GraphDocument:
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", "w", (0.0, 0.0), [1.0], requires_grad=True))
    doc.add_node(Node("w1", "tensor", "w_2", (0.0, 200.0), [2.0]))
    doc.add_node(Node("a", "exp", "a", (300.0, 0.0)))
    doc.connect("w", "a", 0)
    doc.add_note(Note("note", "chain rule", (0.0, 400.0)))
    return doc


def test_copy_is_the_selection_with_its_inner_wires(doc) -> None:
    data = json.loads(clipboard.copy_text(doc, ["a", "w", "note", "a", "ghost"]))
    assert [node["id"] for node in data["nodes"]] == ["a", "w"]
    assert data["edges"] == [{"from": "w", "to": "a", "port": 0}]
    assert [note["id"] for note in data["notes"]] == ["note"]


def test_paste_makes_fresh_ids_and_labels_without_changing_the_document(doc) -> None:
    before = doc.snapshot()
    items = clipboard.paste_items(doc, clipboard.copy_text(doc, ["w", "a", "note"]), (100, 50))
    assert doc.snapshot() == before
    assert items.ids == ["w2", "a1", "note1"]  # w1 is taken, so the copy of w counts on
    assert [node.label for node in items.nodes] == ["w_3", "a_2"]
    assert [node.pos for node in items.nodes] == [(100.0, 50.0), (400.0, 50.0)]
    assert [(e.src, e.dst, e.port) for e in items.edges] == [("w2", "a1", 0)]
    assert items.notes[0].pos == (100.0, 450.0) and items.notes[0].text == "chain rule"


def test_ids_given_in_one_paste_never_clash(doc) -> None:
    text = clipboard.copy_text(doc, ["w", "w1"])
    items = clipboard.paste_items(doc, text, (0, 0))
    assert len(set(items.ids)) == 2 and not any(doc.has_node(i) for i in items.ids)


def test_text_that_is_not_a_graph_is_refused(doc) -> None:
    with pytest.raises(FileFormatError, match="invalid JSON"):
        clipboard.paste_items(doc, "this is not a graph", (0, 0))
    assert clipboard.paste_items(doc, clipboard.copy_text(doc, []), (0, 0)).ids == []


def test_a_duplicate_lands_below_right_of_the_corner(doc) -> None:
    assert clipboard.duplicate_position(doc, ["a", "note"]) == (40.0, 40.0)
    assert clipboard.duplicate_position(doc, ["ghost"]) is None
