"""Undo commands: every kind of edit undoes to the exact previous document and redoes again."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.commands import MoveNodesCommand
from app.controller import DocumentController
from tests.test_controller import build_lesson

Edit = Callable[[DocumentController, dict[str, str]], object]

EDITS: dict[str, tuple[Edit, str]] = {
    "add node": (lambda c, ids: c.add_node("exp", (900, 0), label="e"), "Add exp e"),
    "remove node": (lambda c, ids: c.remove([ids["w"]]), "Delete w"),
    "remove output node": (lambda c, ids: c.remove([ids["y"]]), "Delete y"),
    "connect replacing a wire": (lambda c, ids: c.connect(ids["x"], ids["b"], 0),
                                 "Connect x -> b.input"),
    "connect a free port": (lambda c, ids: (c.disconnect(ids["a"], 1),
                                            c.connect(ids["one"], ids["a"], 1)),
                            "Connect 1 -> a.other"),
    "disconnect": (lambda c, ids: c.disconnect(ids["y"], 1), "Disconnect b -> y"),
    "reconnect": (lambda c, ids: c.reconnect(ids["b"], 0, ids["a"], 1), "Reconnect w"),
    "move": (lambda c, ids: c.move({ids["a"]: ((290, 0), (300, 40))}), "Move a"),
    "set value": (lambda c, ids: c.set_field(ids["w"], "value", [2.0]), "Set w value to [2.0]"),
    "set dtype": (lambda c, ids: c.set_field(ids["w"], "dtype", "float64"),
                  "Set w dtype to 'float64'"),
    "set requires_grad": (lambda c, ids: c.set_field(ids["x"], "requires_grad", False),
                          "Set x requires_grad to False"),
    "set retain_grad": (lambda c, ids: c.set_field(ids["a"], "retain_grad", True),
                        "Set a retain_grad to True"),
    "rename": (lambda c, ids: c.rename(ids["w"], "weight"), "Rename w to weight"),
    "set param": (lambda c, ids: c.set_param(ids["a"], "alpha", 2.0), "Set a alpha to 2.0"),
    "set output": (lambda c, ids: c.set_output(ids["a"]), "Set output to a"),
    "clear output": (lambda c, ids: c.set_output(None), "Clear output"),
    "add note": (lambda c, ids: c.add_note((0, 600), "hello"), "Add note"),
    "delete selection": (lambda c, ids: c.remove([ids["a"], ids["w"], "nope"], ["note"]),
                         "Delete 3 items"),
    "note text": (lambda c, ids: c.set_note_text("note", "chain rule!"), "Edit note"),
    "note size": (lambda c, ids: c.set_note_field("note", "size", (300.0, 120.0)),
                  "Resize note"),
    "move note": (lambda c, ids: c.move({"note": ((0, 500), (10, 510))}), "Move note"),
    "paste": (lambda c, ids: c.paste(c.copy([ids["a"], ids["b"], ids["y"]]), (0, 900)),
              "Paste 3 items"),
    "duplicate": (lambda c, ids: c.duplicate([ids["w"], "note"]), "Duplicate"),
    "tidy up": (lambda c, ids: c.tidy_up(), "Tidy up"),
    "set values": (lambda c, ids: c.set_values({ids["w"]: [3.0], ids["x"]: [4.0]},
                                               "Train 1 step"), "Train 1 step"),
}


@pytest.fixture
def lesson(qtbot) -> tuple[DocumentController, dict[str, str]]:
    controller = DocumentController()
    ids = build_lesson(controller)
    controller.add_note((0, 500), "a note")
    return controller, ids


@pytest.mark.parametrize("name", list(EDITS))
def test_every_edit_undoes_and_redoes_exactly(lesson, name):
    controller, ids = lesson
    edit, text = EDITS[name]
    stack = controller.undo_stack
    before = controller.document.snapshot()
    count = stack.count()
    edit(controller, ids)
    after = controller.document.snapshot()
    assert after != before
    assert stack.undoText() == text
    # "connect a free port" is two edits on purpose (make the port free, then wire it)
    assert stack.count() == count + (2 if name == "connect a free port" else 1)
    stack.undo()
    if name == "connect a free port":
        stack.undo()
    assert controller.document.snapshot() == before
    stack.redo()
    if name == "connect a free port":
        stack.redo()
    assert controller.document.snapshot() == after


def test_remove_restores_wires_and_output_flag(lesson):
    controller, ids = lesson
    doc = controller.document
    controller.remove([ids["y"], ids["a"]])
    assert doc.output is None
    assert len(doc.edges) == 2  # w -> b and 1 -> b survive
    controller.undo_stack.undo()
    assert doc.output == ids["y"]
    assert sorted((e.src, e.dst, e.port) for e in doc.edges) == [
        ("1", "b", 1), ("a", "y", 0), ("b", "y", 1), ("w", "a", 0), ("w", "b", 0),
        ("x", "a", 1)]


def test_connect_undo_restores_the_replaced_wire(lesson):
    controller, ids = lesson
    doc = controller.document
    controller.connect(ids["x"], ids["y"], 0)
    assert doc.edge_into(ids["y"], 0).src == ids["x"]
    controller.undo_stack.undo()
    assert doc.edge_into(ids["y"], 0).src == ids["a"]


def test_consecutive_moves_of_the_same_items_merge(lesson):
    controller, ids = lesson
    stack = controller.undo_stack
    count = stack.count()
    controller.move({ids["a"]: ((290, 0), (300, 0))})
    controller.move({ids["a"]: ((300, 0), (310, 0))})
    assert stack.count() == count + 1
    command = stack.command(stack.count() - 1)
    assert isinstance(command, MoveNodesCommand)
    assert command.moves == {ids["a"]: ((290, 0), (310, 0))}
    stack.undo()
    assert controller.document.node(ids["a"]).pos == (290.0, 0.0)


def test_unchanged_edits_push_nothing(lesson):
    controller, ids = lesson
    count = controller.undo_stack.count()
    controller.set_field(ids["w"], "value", [1.0])
    controller.connect(ids["a"], ids["y"], 0)
    controller.set_output(ids["y"])
    controller.move({ids["a"]: ((290, 0), (290, 0))})
    controller.remove([], [])
    assert controller.undo_stack.count() == count
