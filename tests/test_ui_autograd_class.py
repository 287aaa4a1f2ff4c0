"""The autograd class in the real window: weighted backward, grad nodes, accumulation and
zero_grad, in-place nodes, branches, static mode and Trace, driven through the menus, the
inspector and the controller, with the numbers torch gives for the class's listings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from windows import open_window, settle

from app.paths import EXAMPLES_DIR
from app.teach.walkthrough import backward_steps
from app.ui.mainwindow import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def open_course(qtbot, tmp_path: Path, name: str) -> MainWindow:
    return open_window(qtbot, tmp_path, EXAMPLES_DIR / f"{name}.cgraph")


def commit_text(qtbot, edit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def grad_on_card(window: MainWindow, node_id: str) -> str:
    return " ".join(window.scene.nodes[node_id].grad_text().split())


def trigger(qtbot, window: MainWindow, key: str) -> None:
    window.menu_actions[key].trigger()
    settle(qtbot, window)


def test_weighted_backward_gives_nine_and_the_gradient_is_edited_in_the_inspector(
        qtbot, tmp_path: Path) -> None:
    window = open_course(qtbot, tmp_path, "course_weighted_backward")
    assert "9." in grad_on_card(window, "w")
    window.scene.select_ids(["loss"])
    inspector = window.inspector
    assert inspector.gradient_edit is not None
    assert inspector.gradient_edit.text() == "[1., 2.]"
    commit_text(qtbot, inspector.gradient_edit, "[2, 1]")
    settle(qtbot, window)
    assert window.controller.document.backward.gradient == [2.0, 1.0]
    assert "12." in grad_on_card(window, "w")  # 2 · dy0/dw + 1 · dy1/dw = 2 · 5 + 2
    window.menu_actions["undo"].trigger()
    settle(qtbot, window)
    assert "9." in grad_on_card(window, "w")
    # the walkthrough's first backward step says how the gradient weighs the output
    steps = backward_steps(window.controller.document, window.controller.result)
    assert steps[0].formula.startswith("dloss/dloss = gradient = [1., 2.]")
    assert "w.grad = 1. · dloss[0]/dw + 2. · dloss[1]/dw" in steps[0].formula
    assert steps[-1].formula.endswith("9.")


def test_grad_nodes_give_six_then_two_and_a_new_one_wires_from_the_palette(
        qtbot, tmp_path: Path) -> None:
    window = open_course(qtbot, tmp_path, "course_second_derivative")
    result = window.controller.result
    assert result.nodes["grad_1"].value.tolist() == [6.0]
    assert result.nodes["grad_2"].value.tolist() == [2.0]
    assert result.nodes["x"].grad.tolist() == [6.0]  # y.backward(), after grad_2 kept the graph
    assert "6." in window.scene.nodes["grad_1"].value_text()
    # the autograd dock draws the graph the first derivative recorded while it is selected
    window.scene.select_ids(["grad_1"])
    assert window.autograd_dock.derivative_of == "grad_1"
    assert window.autograd_dock.boxes[0].text() == "MulBackward0"
    assert window.autograd_dock.caption.text().startswith("The graph the derivative grad_1 "
                                                          "recorded")
    window.scene.select_ids(["x"])
    assert window.autograd_dock.derivative_of is None
    # a grad node from the palette, wired on: d(grad_1)/dx again (instead of grad_2, which
    # frees the graph, so a second autograd.grad through it is torch's error)
    controller = window.controller
    controller.remove(["grad_2"])
    new = controller.add_node("grad", (600.0, 400.0))
    assert controller.connect("grad_1", new, 0)
    assert controller.connect("x", new, 1)
    settle(qtbot, window)
    assert controller.result.nodes[new].value.tolist() == [2.0]
    assert "2." in window.scene.nodes[new].value_text()


def test_backward_again_and_zero_grad_show_five_ten_fifteen_and_undo(
        qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    assert "5." in grad_on_card(window, "w")
    trigger(qtbot, window, "backward_again")
    assert "10." in grad_on_card(window, "w")
    trigger(qtbot, window, "backward_again")
    assert "15." in grad_on_card(window, "w")
    assert window.controller.result.nodes["x"].grad.tolist() == [6.0]
    trigger(qtbot, window, "zero_grad")
    assert window.controller.result.nodes["w"].grad.tolist() == [0.0]
    assert "0." in grad_on_card(window, "w")
    trigger(qtbot, window, "backward_again")
    assert window.controller.result.nodes["w"].grad.tolist() == [5.0]
    texts = [window.controller.undo_stack.text(i)
             for i in range(window.controller.undo_stack.count())]
    assert texts == ["Backward again (pass 2)", "Backward again (pass 3)", "Zero grad",
                     "Backward again (pass 4)"]
    for _ in range(2):
        window.menu_actions["undo"].trigger()
    settle(qtbot, window)
    assert "15." in grad_on_card(window, "w")
    # the output's inspector lists the passes and has the same two buttons
    window.scene.select_ids(["y"])
    assert window.inspector.passes_label.text() == "backward, backward, backward"


def test_in_place_on_a_leaf_shows_torchs_error_on_that_node(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    window.scene.select_ids(["a"])  # a = w + x: in place, a = w.add_(x) changes the leaf w
    check = window.inspector.inplace_check
    assert check is not None and check.text() == "in place: add_"
    check.setChecked(True)
    settle(qtbot, window)
    assert window.controller.document.node("a").inplace
    assert window.controller.result.nodes["a"].error == (
        "a leaf Variable that requires grad is being used in an in-place operation.")
    assert "in-place" in window.scene.nodes["a"].error_text()
    window.menu_actions["undo"].trigger()
    settle(qtbot, window)
    assert "5." in grad_on_card(window, "w")


def test_a_saved_tensor_changed_in_place_fails_on_the_node_that_changed_it(
        qtbot, tmp_path: Path) -> None:
    window = open_course(qtbot, tmp_path, "course_in_place")
    changed = [node.id for node in window.controller.document.nodes
               if node.inplace and node.type == "mul"]
    assert len(changed) == 1
    error = window.controller.result.nodes[changed[0]].error
    assert error is not None and error.startswith(
        "one of the variables needed for gradient computation has been modified by an "
        "inplace operation")


def test_the_branch_trace_and_the_dynamic_result_side_by_side(qtbot, tmp_path: Path) -> None:
    window = open_course(qtbot, tmp_path, "course_dynamic_static")
    result = window.controller.result
    assert result.nodes["x"].grad.tolist() == [-2.0, -4.0]  # x * x: the else side ran
    assert result.traced.nodes["x"].grad.tolist() == [3.0, 3.0]  # the trace keeps x * w
    # the recorded graph holds only the side that ran: w is not in it
    assert window.autograd_dock.boxes_of("x")
    assert not window.autograd_dock.boxes_of("w")
    dock = window.comparison_dock
    assert dock.cell_text("x") == ("[-1., -2.]   grad [-2., -4.]", "[-1., -2.]   grad [3., 3.]")
    assert "x" in dock.caption.text()
    trigger(qtbot, window, "clear_trace")
    assert window.controller.result.traced is None
    assert dock.runs is None
    window.menu_actions["undo"].trigger()
    settle(qtbot, window)
    assert window.controller.result.traced is not None


def test_trace_then_static_mode_runs_only_on_run(qtbot, tmp_path: Path) -> None:
    window = open_course(qtbot, tmp_path, "course_dynamic_static")
    controller = window.controller
    controller.set_field("x", "value", [1.0, 2.0])
    trigger(qtbot, window, "trace")
    assert controller.document.trace is not None
    assert list(controller.document.trace.values()) == ["then"]
    trigger(qtbot, window, "static_mode")
    assert controller.document.mode == "static"
    assert window.view.hint_text().startswith("Static graph: define it first, then run it.")
    assert window.menu_actions["static_mode"].isChecked()
    assert controller.result.nodes["x"].grad is None  # defined, not run yet
    trigger(qtbot, window, "run")
    assert controller.result.nodes["x"].grad.tolist() == [3.0, 3.0]
    controller.set_field("w", "value", [5.0])
    settle(qtbot, window)
    assert controller.result.nodes["x"].grad.tolist() == [3.0, 3.0]  # until the next Run
    left, right = window.comparison_dock.cell_text("x")
    assert "grad [5., 5.]" in left and "grad [3., 3.]" in right
    trigger(qtbot, window, "run")
    assert controller.result.nodes["x"].grad.tolist() == [5.0, 5.0]


def test_the_output_tag_says_how_backward_is_called(qtbot, tmp_path: Path) -> None:
    window = open_course(qtbot, tmp_path, "course_weighted_backward")
    loss = window.scene.nodes["loss"]
    assert loss._output_tag() == "output · backward(gradient=[1., 2.])"
    trigger(qtbot, window, "backward_again")
    assert loss._output_tag() == "output · backward(gradient=[1., 2.]) × 2"
    trigger(qtbot, window, "reset_backward")
    assert loss._output_tag() == "output · backward(gradient=[1., 2.])"
    window.scene.select_ids(["loss"])
    edit = window.inspector.gradient_edit
    edit.setFocus()
    edit.clear()
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert loss._output_tag() == "output · backward starts here"
    assert window.controller.document.backward.gradient is None
    settle(qtbot, window)
    assert "grad can be implicitly created only for scalar outputs" in (
        window.controller.result.nodes["loss"].error or "")


def test_the_walkthrough_explains_the_weighted_seed_the_grad_node_and_the_branch(
        qtbot, tmp_path: Path) -> None:
    window = open_course(qtbot, tmp_path, "course_weighted_backward")
    walk = window.walkthrough
    walk.backward_action.trigger()
    assert walk.panel.formula_label.text().startswith("dloss/dloss = gradient = [1., 2.]")
    assert "weighted sum" in walk.panel.note_label.text()
    while walk.next_action.isEnabled():
        walk.next()
    assert walk.panel.formula_label.text().endswith("= 9.")  # w, the last step

    window = open_course(qtbot, tmp_path, "course_second_derivative")
    walk = window.walkthrough
    walk.forward_action.trigger()
    while window.scene.nodes["grad_1"].highlight != "current":
        walk.next()
    assert walk.panel.formula_label.text().startswith(
        "grad_1 = dy/dx = autograd.grad(y, x, create_graph=True)[0] = 6.")
    assert "second derivative" in walk.panel.note_label.text()

    window = open_course(qtbot, tmp_path, "course_dynamic_static")
    walk = window.walkthrough
    walk.forward_action.trigger()
    while window.scene.nodes["y_3"].highlight != "current":
        walk.next()
    # Python's conditional expression; the side not taken has no number, so none are shown
    assert walk.panel.formula_label.text() == "y = (y if positive else y) = [1., 4.]"
    assert "took its else side" in walk.panel.note_label.text()


def test_trace_in_a_static_graph_not_run_yet_takes_the_sides_of_the_data(
        qtbot, tmp_path: Path) -> None:
    window = open_course(qtbot, tmp_path, "course_dynamic_static")
    controller = window.controller
    trigger(qtbot, window, "clear_trace")
    trigger(qtbot, window, "static_mode")
    trigger(qtbot, window, "trace")
    assert list(controller.document.trace.values()) == ["else"]  # x is [-1., -2.] now
    assert [controller.undo_stack.text(i) for i in range(controller.undo_stack.count())] == [
        "Clear trace", "Static graph (define, then run)", "Trace"]
