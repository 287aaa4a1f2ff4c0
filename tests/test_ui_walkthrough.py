"""The walkthrough toolbar and formula panel (app/ui/walkthrough_bar.py) in the real main window:
what the canvas highlights and hides, and what the formula panel says, step by step."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from windows import open_window, settle

from app.ui.mainwindow import MainWindow
from app.ui.walkthrough_bar import SPEED_RANGE, WalkthroughBar

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    return open_window(qtbot, tmp_path)



def bar(window: MainWindow) -> WalkthroughBar:
    return window.walkthrough


def highlights(window: MainWindow) -> dict[str, str]:
    return {node_id: item.highlight for node_id, item in window.scene.nodes.items()
            if item.highlight is not None}


def wire_highlights(window: MainWindow) -> dict[tuple[str, int], str]:
    return {key: item.highlight for key, item in window.scene.edges.items()
            if item.highlight is not None}


def formula(window: MainWindow) -> str:
    return bar(window).panel.formula_label.text()


def test_off_by_default_and_in_the_view_menu(window) -> None:
    walk = bar(window)
    assert walk.mode is None and highlights(window) == {}
    assert not walk.next_action.isEnabled() and not walk.play_action.isEnabled()
    assert walk.panel.isHidden()
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    view_entries = [a.text() for a in menus["&View"].actions()]
    assert "&Walkthrough" in view_entries
    submenu = next(a.menu() for a in menus["&View"].actions() if a.text() == "&Walkthrough")
    assert walk.backward_action in submenu.actions()
    assert window.menu_actions["walk_next"].shortcut().toString() == "Right"


def test_step_backward_highlights_y_then_b_then_back(window, qtbot) -> None:
    walk = bar(window)
    walk.backward_action.trigger()
    assert walk.mode == "backward"
    assert highlights(window) == {"y": "current"}
    assert formula(window) == "dy/dy = 1."
    assert walk.panel.step_label.text() == "Backward · step 1 of 5: y"
    assert walk.panel.isVisible()

    walk.next_action.trigger()
    assert highlights(window) == {"y": "visited", "b": "current"}
    assert wire_highlights(window) == {("y", 1): "current"}  # dy/db arrives along y's wire
    assert formula(window) == "dy/db = a = 3."
    assert "b is not a leaf" in walk.panel.note_label.text()

    walk.prev_action.trigger()
    assert highlights(window) == {"y": "current"}
    assert not walk.prev_action.isEnabled()


def test_arrow_keys_step_while_the_mode_is_on(window, qtbot) -> None:
    walk = bar(window)
    window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert walk.mode is None and highlights(window) == {}  # off: the keys do nothing
    walk.start("backward")
    for _ in range(4):
        qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert highlights(window)["w"] == "current"
    assert formula(window) == "dy/dw = dy/da · da/dw + dy/db · db/dw = 2. · 1. + 3. · 1. = 5."
    assert wire_highlights(window) == {("a", 0): "current", ("b", 0): "current"}
    assert "w is used 2 times" in walk.panel.note_label.text()
    assert "w is a leaf" in walk.panel.note_label.text()
    qtbot.keyClick(window.view, Qt.Key.Key_Left)
    assert formula(window) == "dy/dx = dy/da · da/dx = 2. · 1. = 2."
    assert highlights(window) == {"y": "visited", "b": "visited", "a": "visited",
                                  "x": "current"}


def test_play_at_full_speed_reaches_the_end(window, qtbot) -> None:
    walk = bar(window)
    walk.start("backward")
    walk.speed_slider.setValue(SPEED_RANGE[1])
    assert walk.timer.interval() == 200
    walk.play_action.trigger()
    qtbot.waitUntil(lambda: walk.index == 4, timeout=5000)
    qtbot.waitUntil(lambda: not walk.play_action.isChecked(), timeout=2000)
    assert highlights(window)["w"] == "current"
    assert formula(window).endswith("= 5.")
    assert not walk.timer.isActive()


def test_forward_walkthrough(window) -> None:
    walk = bar(window)
    walk.forward_action.trigger()
    assert not walk.backward_action.isChecked()
    assert formula(window) == "a = w + x = 1. + 2. = 3."
    assert wire_highlights(window) == {("a", 0): "current", ("a", 1): "current"}
    walk.next()
    walk.next()
    assert formula(window) == "y = a · b = 3. · 2. = 6."
    assert walk.panel.step_label.text() == "Forward · step 3 of 3: y"
    assert "MulBackward0" in walk.panel.note_label.text()
    assert not walk.next_action.isEnabled()


def test_predict_then_reveal_backward(window) -> None:
    walk = bar(window)
    w_card, w_wire = window.scene.nodes["w"], window.scene.edges[("a", 0)]
    walk.start("backward")
    walk.predict_action.trigger()
    assert w_card.grad_text() == "grad ?"
    assert w_card.value_text() == "value [1.]"  # the values are known: only gradients hide
    assert w_wire.gradient_text() == "∂=?"
    assert window.scene.nodes["y"].grad_text() == "grad None"  # step 0 is revealed
    for _ in range(3):
        walk.next()
    assert w_card.grad_text() == "grad ?"
    walk.next()  # w's step reveals it
    assert w_card.grad_text() == "grad [5.]"
    assert w_wire.gradient_text() == "∂=[2.]"


def test_predict_forward_then_reveal_all(window) -> None:
    walk = bar(window)
    y_card = window.scene.nodes["y"]
    walk.start("forward")
    walk.predict_action.trigger()
    assert y_card.value_text() == "value ?"
    assert window.scene.nodes["a"].value_text() == "value [3.]"
    assert window.scene.nodes["w"].grad_text() == "grad ?"  # backward has not run yet
    walk.reveal_action.trigger()
    assert not walk.predict_action.isChecked()
    assert y_card.value_text() == "value [6.]"
    assert window.scene.nodes["w"].grad_text() == "grad [5.]"
    assert highlights(window) == {"a": "current"}  # still walking


def test_leaving_the_mode_restores_the_canvas(window) -> None:
    walk = bar(window)
    walk.start("backward")
    walk.predict_action.trigger()
    walk.next()
    walk.backward_action.trigger()
    assert walk.mode is None
    assert highlights(window) == {} and wire_highlights(window) == {}
    assert window.scene.nodes["w"].grad_text() == "grad [5.]"
    assert window.scene.edges[("a", 0)].gradient_text() == "∂=[2.]"
    assert walk.panel.isHidden()


def test_an_edit_while_walking_recomputes_at_the_same_step(window, qtbot) -> None:
    walk = bar(window)
    walk.start("backward")
    walk.go_to(2)
    assert formula(window) == "dy/da = b = 2."
    window.controller.set_field("w", "value", [2.0])
    settle(qtbot, window)
    assert walk.index == 2
    assert formula(window) == "dy/da = b = 3."
    window.controller.rename("b", "B")
    assert formula(window) == "dy/da = B = 3."
    window.controller.set_output("a")  # backward from a: a, x, w
    settle(qtbot, window)
    assert walk.index == 2
    assert formula(window) == "da/dw = 1."
    assert highlights(window) == {"a": "visited", "x": "visited", "w": "current"}


def test_a_graph_without_backward_says_so(window, qtbot) -> None:
    walk = bar(window)
    window.controller.set_output(None)
    settle(qtbot, window)
    walk.start("backward")
    assert walk.steps == [] and highlights(window) == {}
    assert "Nothing to walk through" in walk.panel.note_label.text()
    walk.next()  # harmless
    assert walk.index == 0


def test_forward_steps_explain_a_failed_operation(window, qtbot) -> None:
    walk = bar(window)
    window.controller.set_field("x", "value", [1.0, 2.0, 3.0])
    window.controller.set_field("w", "value", [1.0, 2.0])
    settle(qtbot, window)
    walk.start("forward")
    assert formula(window) == "a = w + x = [1., 2.] + [1., 2., 3.]"
    assert walk.panel.note_label.text().startswith("This operation failed: ")
    walk.go_to(2)
    assert formula(window) == "y = a · b"
    assert walk.panel.note_label.text() == "No value: the input a failed."
