"""Predict, then Reveal hides the answers everywhere they appear until revealed: cards, wires,
inspector, tooltips, code dock, autograd view and the notes that state them (issue: the card said
"grad ?" while the inspector showed tensor([5.]) and the lesson's note gave the values)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from app.evaluate import evaluate_document
from app.model import GraphDocument, Node, Note
from app.paths import LESSON
from app.teach.predict import notes_stating_answers
from app.ui.mainwindow import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    win = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win._ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(win)
    win.open_example(LESSON)
    win.resize(1440, 900)
    win.show()
    qtbot.waitExposed(win)
    win.controller.evaluate_now()
    return win


def inspected(window: MainWindow, node_id: str) -> dict[str, str]:
    window.scene.select_ids([node_id])
    inspector = window.inspector
    return {"value": inspector.value_view.toPlainText(), "grad": inspector.grad_view.toPlainText(),
            "grad_fn": inspector.info_labels["grad_fn"].text(),
            "hint": inspector.grad_hint.text() if inspector.grad_hint.isVisible() else ""}


def everything_shown(window: MainWindow) -> str:
    """Every text the class can read about the graph, but the formula panel's current step."""
    scene = window.scene
    texts = [item.value_text() + item.grad_text() + item.grad_fn_text()
             for item in scene.nodes.values()]
    texts += [wire.gradient_text() for wire in scene.edges.values()]
    texts += [note.shown_text() for note in scene.notes.values()]
    texts += [scene.port_tooltip(node_id, ("out", 0)) for node_id in scene.nodes]
    texts += [scene.wire_tooltip(key) for key in scene.edges]
    texts.append(window.code_dock.code())
    for node_id in scene.nodes:
        texts.extend(inspected(window, node_id).values())
    return "\n".join(texts)


def test_predicting_backward_hides_every_gradient_ahead(window) -> None:
    walkthrough = window.walkthrough
    assert "tensor([5.])" in everything_shown(window)
    walkthrough.start("backward")
    walkthrough.predict_action.setChecked(True)  # at y, the first step: nothing revealed yet
    shown = everything_shown(window)
    for answer in ("grad [5.]", "tensor([5.])", "w.grad = 5", "∂=[2.]", "∂=[3.]"):
        assert answer not in shown
    assert inspected(window, "w")["grad"] == "?"
    assert inspected(window, "a")["hint"] == ""  # "... this node's gradient, tensor([2.])"
    assert "grad ?" in window.scene.port_tooltip("w", ("out", 0))
    assert "∂ flowing back ?" in window.scene.wire_tooltip(("a", 0))
    note = window.scene.notes["note1"]
    assert note.shown_text() != note.text() and not note.text_item.isVisible()
    assert "w.grad = 5" not in window.code_dock.code()
    assert "w = torch.tensor([1.], requires_grad=True)" in window.code_dock.code()
    # the values are not what backward computes: they stay
    assert inspected(window, "y")["value"].startswith("tensor([6.]")
    walkthrough.reveal_all()
    shown = everything_shown(window)
    for answer in ("grad [5.]", "tensor([5.])", "w.grad = 5", "∂=[2.]"):
        assert answer in shown
    assert note.shown_text() == note.text() and note.text_item.isVisible()


def test_each_step_reveals_its_own_answers(window) -> None:
    walkthrough = window.walkthrough
    walkthrough.start("backward")
    walkthrough.predict_action.setChecked(True)
    order = [step.node_id for step in walkthrough.steps]
    walkthrough.go_to(order.index("w"))
    assert inspected(window, "w")["grad"].startswith("tensor([5.]")
    assert inspected(window, "x")["grad"] == ("?" if order.index("x") > order.index("w")
                                              else "tensor([2.])")


def test_predicting_forward_hides_the_values_and_the_recorded_graph_ahead(window) -> None:
    walkthrough = window.walkthrough
    walkthrough.start("forward")
    walkthrough.predict_action.setChecked(True)
    first = walkthrough.current_step().node_id
    ahead = [step.node_id for step in walkthrough.steps[1:]]
    assert ahead
    for node_id in ahead:
        card = window.scene.nodes[node_id]
        assert (card.value_text(), card.grad_fn_text()) == ("value ?", "grad_fn ?")
        assert inspected(window, node_id)["value"] == "?"
        assert inspected(window, node_id)["grad_fn"] == "?"
        assert {box.name for box in window.autograd_dock.boxes_of(node_id)} == {"?"}
    assert {box.name for box in window.autograd_dock.boxes_of(first)} != {"?"}
    walkthrough.reveal_all()
    assert all(box.name != "?" for box in window.autograd_dock.boxes)


def test_a_note_states_an_answer_only_with_a_number_the_class_cannot_see() -> None:
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", "w", value=[3.0], requires_grad=True))
    doc.add_node(Node("two", "scalar", "2", value=2))
    doc.add_node(Node("y", "mul", "y"))
    doc.connect_many([("w", "y", 0), ("two", "y", 1)])
    doc.set_output("y")
    doc.add_note(Note("formula", "y = 2 * w with w = 3"))
    doc.add_note(Note("answer", "so w.grad = 2.0 and y is 6"))
    doc.add_note(Note("names", "W2 and z1 are names, not numbers"))
    result = evaluate_document(doc)
    # backward: w's grad (2) is hidden, but 2 is also the scalar the class sees
    assert notes_stating_answers(doc, result, {"w": "grad"}, set()) == set()
    # forward: y's value 6 is hidden
    assert notes_stating_answers(doc, result, {"y": "all"}, set()) == {"answer"}
