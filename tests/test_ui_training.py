"""The Training dock (app/ui/training_dock.py) in the real main window, driven by its buttons."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from windows import open_window, settle

from app.paths import EXAMPLES_DIR
from app.ui.mainwindow import MainWindow
from app.ui.training_dock import TrainingDock

# Qt's offscreen platform warns that it cannot pass a shown window's size hints on; harmless.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    win = open_window(qtbot, tmp_path, EXAMPLES_DIR / "linear_regression.cgraph")
    win.training_dock.raise_()
    settle(qtbot, win)
    return win


@pytest.fixture
def dock(window: MainWindow) -> TrainingDock:
    return window.training_dock



def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def leaf_rows(dock: TrainingDock) -> list[tuple[str, bool]]:
    items = [dock.leaf_list.item(i) for i in range(dock.leaf_list.count())]
    return [(item.text(), item.checkState() == Qt.CheckState.Checked) for item in items]


def w_text(window: MainWindow) -> str:
    return window.scene.nodes["w"].value_text()


def test_dock_lists_the_leaves_with_sensible_defaults(window: MainWindow,
                                                      dock: TrainingDock) -> None:
    assert window.findChild(TrainingDock, "trainingDock") is dock
    assert dock.windowTitle() == "Training"
    assert leaf_rows(dock) == [("w", True), ("b", True)]
    assert dock.lr_spin.value() == 0.05
    assert dock.steps_spin.value() == 100
    assert not dock.stop_button.isEnabled()
    assert dock.toggleViewAction() in window.menuBar().actions()[2].menu().actions()


def test_run_50_steps_plots_moves_the_canvas_and_undoes_in_one_step(
        qtbot, window: MainWindow, dock: TrainingDock) -> None:
    stack = window.controller.undo_stack
    assert "0.5000" in w_text(window)
    dock.steps_spin.setValue(50)
    click(qtbot, dock.run_button)
    assert dock.running and dock.stop_button.isEnabled() and not dock.run_button.isEnabled()
    qtbot.waitUntil(lambda: not dock.running, timeout=10_000)
    settle(qtbot, window)

    assert dock.chart.series.count() == 50
    assert dock.progress.value() == dock.progress.maximum() == 50
    points = dock.chart.series.points()
    assert (points[0].x(), points[0].y()) == (0, pytest.approx(34.75))
    assert points[-1].y() < 0.05
    assert dock.chart.y_axis.max() >= 34.75 and dock.chart.x_axis.max() == 49
    trained = window.controller.document.node("w").value[0]
    assert trained == pytest.approx(2.0, abs=0.1)
    assert f"{trained:.4f}" in w_text(window)
    assert dock.status_label.text().startswith("Step 50 of 50: loss ")

    assert stack.count() == 1 and stack.text(0) == "Train 50 steps"
    stack.undo()
    settle(qtbot, window)
    assert window.controller.document.node("w").value == [0.5]
    assert window.controller.document.node("b").value == [0.0]
    assert "0.5000" in w_text(window)
    stack.redo()
    settle(qtbot, window)
    assert window.controller.document.node("w").value == [trained]
    assert f"{trained:.4f}" in w_text(window)


def test_stop_ends_a_long_run_early(qtbot, window: MainWindow, dock: TrainingDock) -> None:
    dock.steps_spin.setValue(1_000_000)
    click(qtbot, dock.run_button)
    # the window keeps processing events: the progress bar moves while the run goes on
    qtbot.waitUntil(lambda: dock.progress.value() > 200, timeout=10_000)
    click(qtbot, dock.stop_button)
    done = dock.progress.value()
    assert not dock.running and dock.run_button.isEnabled()
    assert 200 < done < 1_000_000
    assert dock.chart.series.count() == len(dock.losses) == done
    assert dock.status_label.text() == f"Stopped after {done} of 1000000 steps"
    assert window.controller.undo_stack.text(0) == f"Train {done} steps"
    qtbot.wait(50)
    assert dock.progress.value() == done  # no tick after Stop


def test_step_is_one_undo_step_each(qtbot, window: MainWindow, dock: TrainingDock) -> None:
    doc = window.controller.document
    click(qtbot, dock.step_button)
    assert doc.node("w").value == [pytest.approx(2.45)]  # 0.5 - 0.05 * -39, see test_training
    click(qtbot, dock.step_button)
    assert doc.node("w").value[0] != pytest.approx(2.45)
    stack = window.controller.undo_stack
    assert [stack.text(i) for i in range(stack.count())] == ["Train 1 step", "Train 1 step"]
    assert dock.losses[0] == pytest.approx(34.75) and len(dock.losses) == 2
    assert dock.chart.series.count() == 2
    stack.undo()
    assert doc.node("w").value == [pytest.approx(2.45)]


def test_reset_restores_the_first_values_undoably(qtbot, window: MainWindow,
                                                  dock: TrainingDock) -> None:
    dock.run_steps(10)
    qtbot.waitUntil(lambda: not dock.running, timeout=10_000)
    click(qtbot, dock.step_button)
    doc = window.controller.document
    trained = (doc.node("w").value, doc.node("b").value)
    click(qtbot, dock.reset_button)
    settle(qtbot, window)
    assert (doc.node("w").value, doc.node("b").value) == ([0.5], [0.0])
    assert "0.5000" in w_text(window)
    assert dock.chart.series.count() == 0 and dock.losses == []
    stack = window.controller.undo_stack
    assert stack.text(stack.count() - 1) == "Reset training"
    stack.undo()
    assert (doc.node("w").value, doc.node("b").value) == trained


def test_unticked_leaf_keeps_its_value(qtbot, window: MainWindow, dock: TrainingDock) -> None:
    dock.set_leaf_checked("b", False)
    assert dock.chosen_leaves() == ["w"]
    click(qtbot, dock.step_button)
    assert window.controller.document.node("b").value == [0.0]
    assert window.controller.document.node("w").value != [0.5]


def test_refusals_are_messages_not_exceptions(qtbot, window: MainWindow,
                                              dock: TrainingDock) -> None:
    for leaf_id in ("w", "b"):
        dock.set_leaf_checked(leaf_id, False)
    with qtbot.waitSignal(window.controller.message) as shown:
        click(qtbot, dock.step_button)
    assert shown.args == ["Choose at least one leaf to train."]
    assert dock.status_label.text() == "Choose at least one leaf to train."
    assert window.controller.undo_stack.count() == 0

    dock.set_leaf_checked("w", True)
    window.controller.set_output("y_pred")
    settle(qtbot, window)
    click(qtbot, dock.step_button)
    assert "must be a single number" in dock.status_label.text()
    assert window.controller.undo_stack.count() == 1  # only Set output
    assert not dock.running


def test_divergence_stops_the_run_with_advice(qtbot, window: MainWindow,
                                              dock: TrainingDock) -> None:
    dock.lr_spin.setValue(5.0)
    dock.steps_spin.setValue(1000)
    click(qtbot, dock.run_button)
    qtbot.waitUntil(lambda: not dock.running, timeout=10_000)
    assert "try a smaller one" in dock.status_label.text()
    done = len(dock.losses)
    assert 0 < done < 1000
    # the learning rate is the document's optimizer setting: its change is an undo step too
    stack = window.controller.undo_stack
    assert [stack.text(0), stack.text(1)] == ["Set optimizer", f"Train {done} steps"]


def test_undo_during_a_run_stops_it(qtbot, window: MainWindow, dock: TrainingDock) -> None:
    dock.steps_spin.setValue(1_000_000)
    click(qtbot, dock.run_button)
    qtbot.waitUntil(lambda: dock.progress.value() > 50, timeout=10_000)
    window.controller.undo_stack.undo()
    assert not dock.running
    assert dock.status_label.text() == "Training stopped: the graph was changed during the run"
    assert window.controller.document.node("w").value == [0.5]


def test_opening_another_document_clears_the_dock(qtbot, window: MainWindow,
                                                  dock: TrainingDock) -> None:
    click(qtbot, dock.step_button)
    window.open_example(EXAMPLES_DIR / "lesson.cgraph")
    settle(qtbot, window)
    assert dock.losses == [] and dock.chart.series.count() == 0
    assert leaf_rows(dock) == [("w", True), ("x", True)]


def test_new_leaves_join_the_list_unticked_until_the_loss_uses_them(
        qtbot, window: MainWindow, dock: TrainingDock) -> None:
    controller = window.controller
    controller.add_node("tensor", (0, 900), label="c", requires_grad=True)
    settle(qtbot, window)
    assert leaf_rows(dock) == [("w", True), ("b", True), ("c", False)]
    dock.set_leaf_checked("w", False)
    controller.rename("b", "bias")
    settle(qtbot, window)
    assert leaf_rows(dock) == [("w", False), ("bias", True), ("c", False)]


def test_a_value_edit_does_not_list_the_leaves_again(qtbot, window: MainWindow,
                                                     dock: TrainingDock, monkeypatch) -> None:
    """The list follows nodes added or removed, requires_grad and renames; a value edit (at
    5,000 nodes, two passes over every node per edit) changes none of them."""
    import app.ui.training_dock as training_dock

    passes: list[int] = []
    listed = training_dock.trainable_leaves
    monkeypatch.setattr(training_dock, "trainable_leaves",
                        lambda doc: passes.append(1) or listed(doc))
    controller = window.controller
    controller.set_field("w", "value", [0.75])
    settle(qtbot, window)
    assert passes == [] and leaf_rows(dock) == [("w", True), ("b", True)]
    controller.set_field("b", "requires_grad", False)
    settle(qtbot, window)
    assert passes and leaf_rows(dock) == [("w", True)]
    controller.set_field("w", "label", "weight")
    settle(qtbot, window)
    assert leaf_rows(dock) == [("weight", True)]
    controller.undo_stack.undo()
    controller.undo_stack.undo()
    settle(qtbot, window)
    assert leaf_rows(dock) == [("w", True), ("b", True)]
