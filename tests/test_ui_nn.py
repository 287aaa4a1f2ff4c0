"""Layers and optimizers in the real main window: the Linear card and its inspector, Expand,
and the Training dock's optimizer on the logistic-regression example, through the widgets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCharts import QLogValueAxis, QValueAxis
from PySide6.QtCore import Qt
from windows import open_window, settle

from app.evaluate.modules import initial_state
from app.paths import EXAMPLES_DIR
from app.registry import NODE_TYPES
from app.ui.mainwindow import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
EXAMPLE = EXAMPLES_DIR / "logistic_regression.cgraph"


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    return open_window(qtbot, tmp_path, EXAMPLE)


def card_lines(window: MainWindow, node_id: str) -> list[tuple[str, str]]:
    item = window.scene.nodes[node_id]
    item.settle()
    return item.number_lines()


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


# ------------------------------------------------------------------------ the layer's card
def test_the_linear_card_shows_its_weights_and_their_grads(window: MainWindow) -> None:
    lines = card_lines(window, "features")
    assert [line for line, kind in lines if kind in ("param", "param_grad")] == [
        "weight [[ 0.4697, -0.4241]]", "weight.grad [[1.2200, 0.9162]]",
        "bias [0.4440]", "bias.grad [0.1166]"]
    assert lines[3] == ("grad_fn AddmmBackward0", "grad_fn")
    assert window.scene.nodes["loss"].header_text() == "loss · loss_fn = BCELoss"
    assert window.scene.nodes["features"].header_text() == "features · Linear"


def test_predicting_hides_the_weights_gradients(qtbot, window: MainWindow) -> None:
    item = window.scene.nodes["features"]
    item.set_hidden_numbers("grad")
    assert item.grad_text() == "grad ?"
    painted = []

    class Painter:  # records what paint_numbers draws
        def __getattr__(self, name):
            return lambda *args: painted.append(args[1]) if name == "drawText" else None

    item.paint_numbers(Painter())
    assert "weight.grad ?" in painted and "bias.grad ?" in painted
    assert "weight [[ 0.4697, -0.4241]]" in painted  # the weights themselves are no answer


def test_the_inspector_edits_a_weight_and_redraws_the_layer(qtbot, window: MainWindow) -> None:
    window.scene.select_ids(["features"])
    inspector = window.inspector
    assert set(inspector.state_edits) == {"weight", "bias"}
    # every digit the document holds, as a leaf's value field shows it
    assert inspector.state_edits["weight"].text() == "[[0.4696917235851288, -0.4241448938846588]]"
    assert inspector.module_name_edit.text() == "features"
    value_view, grad_view = inspector.state_views["weight"]
    assert "requires_grad=True" in value_view.toPlainText()
    assert grad_view.toPlainText() == "tensor([[1.2200, 0.9162]])"

    edit = inspector.state_edits["weight"]
    edit.setText("[[1, -1]]")
    edit.editingFinished.emit()
    settle(qtbot, window)
    assert window.controller.document.node("features").state["weight"] == [[1, -1]]
    assert ("weight [[ 1., -1.]]", "param") in card_lines(window, "features")
    assert window.controller.undo_stack.text(0) == "Set features.weight to [[1, -1]]"

    edit.setText("[[1, 2, 3]]")  # a weight of another shape: refused where it was typed
    edit.editingFinished.emit()
    assert inspector.state_errors["weight"].text().startswith(
        "state.weight: expected shape [1, 2] (out_features, in_features), got [1, 3]")
    assert window.controller.undo_stack.count() == 1

    inspector.param_editors["out_features"].editor.setValue(3)  # a new layer, drawn from seed 0
    settle(qtbot, window)
    node = window.controller.document.node("features")
    assert node.params["out_features"] == 3 and node.params["seed"] == 0
    assert node.state == initial_state(NODE_TYPES["Linear"], node.params)
    assert window.controller.undo_stack.text(1) == "Set features out_features to 3: new weight " \
                                                   "and bias"
    assert inspector.state_edits["bias"].text().count(",") == 2  # three numbers
    assert "mat1 and mat2 shapes cannot be multiplied" not in (
        window.controller.result.nodes["features"].error or "")
    window.controller.undo_stack.undo()
    settle(qtbot, window)
    assert window.controller.document.node("features").state["weight"] == [[1, -1]]



def test_a_double_click_on_the_cards_weight_edits_it(qtbot, window: MainWindow,
                                                     monkeypatch) -> None:
    from PySide6.QtCore import QPointF

    from app.canvas import parameter_dialog, style

    asked = []

    def answer(_parent, title, prompt, _mode, text):
        asked.append((title, prompt, text))
        return "[[1, -1]]", True

    monkeypatch.setattr(parameter_dialog.QInputDialog, "getText", answer)
    item = window.scene.nodes["features"]
    item.settle()
    row = [kind for _line, kind in item.number_lines()].index("param")  # "weight [[...]]"
    line = style.fonts().line
    point = QPointF(item.card_rect().width() / 2, item._body_top() + (row + 0.5) * line)
    assert item.parameter_at(point) == "weight"
    assert item.parameter_at(QPointF(point.x(), point.y() + 2 * line)) == "bias"
    assert item.parameter_at(QPointF(point.x(), point.y() - line)) is None  # grad_fn
    window.view.centerOn(item)
    where = window.view.mapFromScene(item.mapToScene(point))
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    settle(qtbot, window)
    assert asked == [("features.weight", "New values (the shape stays):",
                      "[[0.4696917235851288, -0.4241448938846588]]")]
    assert window.controller.document.node("features").state["weight"] == [[1, -1]]
    assert window.controller.undo_stack.text(0) == "Set features.weight to [[1, -1]]"


def test_the_node_menu_edits_the_bias_and_refuses_another_shape(qtbot, window: MainWindow,
                                                                monkeypatch) -> None:
    from app.canvas import parameter_dialog
    from app.canvas.menus import node_menu

    answers = iter([("[1, 2]", True), ("[0.5]", True)])
    prompts = []

    def answer(_parent, _title, prompt, _mode, _text):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(parameter_dialog.QInputDialog, "getText", answer)
    menu = node_menu(window.view, "features")
    assert [a.text() for a in menu.actions() if a.text().startswith("Edit ")] == [
        "Edit weight...", "Edit bias..."]
    next(a for a in menu.actions() if a.text() == "Edit bias...").trigger()
    settle(qtbot, window)
    assert prompts[1].startswith("Not accepted: state.bias: expected shape [1]")
    assert window.controller.document.node("features").state["bias"] == [0.5]
    assert window.controller.undo_stack.count() == 1


def test_a_loss_reduction_is_a_choice(qtbot, window: MainWindow) -> None:
    window.scene.select_ids(["loss"])
    combo = window.inspector.param_editors["reduction"].editor
    assert [combo.itemText(i) for i in range(combo.count())] == ["mean", "sum", "none"]
    combo.setCurrentText("sum")
    settle(qtbot, window)
    assert window.controller.document.node("loss").params == {"reduction": "sum"}
    assert window.controller.result.nodes["loss"].value.item() == pytest.approx(40 * 0.8572,
                                                                             rel=1e-3)


# ------------------------------------------------------------------------ Expand
def test_expand_shows_the_layer_as_matmul_and_add_with_the_same_numbers(
        qtbot, window: MainWindow) -> None:
    from app.canvas.menus import node_menu

    controller = window.controller
    before = controller.result.nodes["loss"].value.item()
    layer = controller.result.nodes["features"].state
    menu = node_menu(window.view, "features")
    expand = next(a for a in menu.actions() if a.text() == "Expand")
    expand.trigger()
    settle(qtbot, window)
    doc = controller.document
    assert not doc.has_node("features")
    kinds = {node.label: node.type for node in doc.nodes}
    assert kinds["W"] == "tensor" and kinds["b"] == "tensor"
    assert kinds["W.t()"] == "t" and kinds["x @ W.t()"] == "matmul"
    assert kinds["features"] == "add"  # the result keeps the layer's name
    result = controller.result
    assert result.nodes["loss"].value.item() == before
    weight = next(node.id for node in doc.nodes if node.label == "W")
    bias = next(node.id for node in doc.nodes if node.label == "b")
    np.testing.assert_array_equal(result.nodes[weight].grad, layer["weight"].grad)
    np.testing.assert_array_equal(result.nodes[bias].grad, layer["bias"].grad)
    total = next(node.id for node in doc.nodes if node.label == "features")
    assert result.nodes[total].grad_fn == "AddBackward0"
    stack = controller.undo_stack
    assert stack.text(stack.count() - 1) == "Expand features"
    stack.undo()
    settle(qtbot, window)
    assert doc.has_node("features") and doc.node("features").type == "Linear"
    assert controller.result.nodes["loss"].value.item() == before


# ------------------------------------------------------------------------ the Training dock
def test_the_dock_takes_the_documents_optimizer_and_trains_the_layer(
        qtbot, window: MainWindow) -> None:
    dock = window.training_dock
    assert dock.optimizer_combo.currentText() == "SGD"
    assert (dock.lr_spin.value(), dock.momentum_spin.value()) == (0.01, 0.9)
    assert dock.settings_form.isRowVisible(dock.momentum_spin)
    assert not dock.settings_form.isRowVisible(dock.beta1_spin.parentWidget())
    rows = [(dock.leaf_list.item(i).text(), dock.leaf_list.item(i).checkState())
            for i in range(dock.leaf_list.count())]
    assert rows == [("features: weight, bias", Qt.CheckState.Checked)]

    dock.steps_spin.setValue(40)
    click(qtbot, dock.run_button)
    qtbot.waitUntil(lambda: not dock.running, timeout=20_000)
    settle(qtbot, window)
    assert dock.status_label.text().startswith("Step 40 of 40: loss ")
    assert dock.status_label.text().endswith(", accuracy 100.00%")
    stack = window.controller.undo_stack
    assert [stack.text(i) for i in range(stack.count())] == ["Train 40 steps"]
    trained = window.controller.document.node("features").state["weight"]
    assert trained != [[0.4697, -0.4241]]
    assert any(line.startswith("weight [[") and f"{trained[0][0]:.4f}" in line
               for line, _kind in card_lines(window, "features"))

    # the walkthrough panel shows the last step with its numbers
    panel = window.walkthrough.panel
    assert panel.isVisible()
    assert panel.step_label.text() == ("Training · step 40 · optimizer.step() (SGD, lr=0.01, "
                                       "momentum=0.9)")
    formula = panel.formula_label.text().splitlines()
    assert formula[0].startswith("buf = μ · buf + features.weight.grad = 0.9 · [[")
    assert formula[1].startswith("features.weight ← features.weight − lr · buf = [[")
    assert panel.note_label.text().startswith("Then optimizer.zero_grad(): every .grad is None")


def test_momentum_lives_on_between_steps_until_the_graph_changes(qtbot,
                                                                 window: MainWindow) -> None:
    dock = window.training_dock
    click(qtbot, dock.step_button)
    click(qtbot, dock.step_button)
    panel = window.walkthrough.panel
    assert panel.formula_label.text().startswith("buf = μ · buf + ")  # the second step
    window.controller.undo_stack.undo()  # back to after the first step: a fresh optimizer
    settle(qtbot, window)
    click(qtbot, dock.step_button)
    assert "(the first step)" in panel.formula_label.text()


def test_optimizer_settings_are_undoable_document_edits(qtbot, window: MainWindow) -> None:
    dock = window.training_dock
    controller = window.controller
    dock.optimizer_combo.setCurrentText("Adam")
    assert dock.lr_spin.value() == 0.001
    assert dock.settings_form.isRowVisible(dock.beta1_spin.parentWidget())
    assert not dock.settings_form.isRowVisible(dock.momentum_spin)
    dock.beta2_spin.setValue(0.99)
    assert controller.document.optimizer == {"name": "Adam", "lr": 0.001, "betas": [0.9, 0.99],
                                             "weight_decay": 0.0}
    stack = controller.undo_stack
    assert [stack.text(i) for i in range(stack.count())] == ["Set optimizer"]  # merged
    stack.undo()
    assert controller.document.optimizer["name"] == "SGD"
    assert dock.optimizer_combo.currentText() == "SGD" and dock.lr_spin.value() == 0.01
    assert window.controller.is_modified() is False


def test_the_loss_plot_can_use_a_log_scale(qtbot, window: MainWindow) -> None:
    dock = window.training_dock
    dock.run_steps(20)
    qtbot.waitUntil(lambda: not dock.running, timeout=20_000)
    assert isinstance(dock.chart.y_axis, QValueAxis)
    dock.log_check.setChecked(True)
    axis = dock.chart.y_axis
    assert isinstance(axis, QLogValueAxis)
    assert axis.min() < min(dock.losses) and axis.max() > max(dock.losses)
    assert dock.chart.series.attachedAxes()[-1] is axis
    dock.log_check.setChecked(False)
    assert isinstance(dock.chart.y_axis, QValueAxis)


# ------------------------------------------------------------------------ torch's numbers
def torch_course(torch_oracle):
    """The example's data and layer, made by torch itself (tests/test_nn_training.py)."""
    from tests.test_nn_training import course_data

    return course_data(torch_oracle)


def torch_loss(torch_oracle, net, x, y):
    return torch_oracle.nn.BCELoss()(torch_oracle.sigmoid(net(x)).squeeze(), y)


def printed(tensor) -> str:
    """A tensor's numbers as torch prints them: "[[ 0.4575, -0.4333]]"."""
    return str(tensor.detach())[len("tensor("):-1]


def test_the_layers_grads_in_the_window_are_torchs(window: MainWindow, torch_oracle) -> None:
    x, y, net = torch_course(torch_oracle)
    loss = torch_loss(torch_oracle, net, x, y)
    loss.backward()
    result = window.controller.result
    assert result.nodes["loss"].value.item() == pytest.approx(loss.item(), rel=1e-6)
    state = result.nodes["features"].state
    np.testing.assert_allclose(state["weight"].grad, net.weight.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(state["bias"].grad, net.bias.grad.numpy(), rtol=1e-5)
    window.scene.select_ids(["features"])
    _value, grad_view = window.inspector.state_views["weight"]
    assert grad_view.toPlainText() == str(net.weight.grad)
    assert (f"weight.grad {printed(net.weight.grad)}", "param_grad") in card_lines(window,
                                                                                  "features")


def test_an_sgd_step_in_the_window_is_torchs(qtbot, window: MainWindow, torch_oracle) -> None:
    x, y, net = torch_course(torch_oracle)
    optimizer = torch_oracle.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    dock = window.training_dock
    height = window.height()
    formulas = []
    for _ in range(2):
        click(qtbot, dock.step_button)
        qtbot.waitUntil(lambda: not dock.running, timeout=20_000)
        formulas.append(window.walkthrough.panel.formula_label.text().splitlines())
        torch_loss(torch_oracle, net, x, y).backward()
        optimizer.step()
        optimizer.zero_grad()
    settle(qtbot, window)
    assert window.height() == height  # the panel's long formulas never grow the window
    state = window.controller.document.node("features").state
    np.testing.assert_allclose(state["weight"], net.weight.tolist(), rtol=1e-6)
    np.testing.assert_allclose(state["bias"], net.bias.tolist(), rtol=1e-6)
    # the panel writes the second step with torch's momentum buffer and the weights reached
    buffer = optimizer.state[net.weight]["momentum_buffer"]
    assert formulas[1][0].endswith(f" = {printed(buffer)}")
    assert formulas[1][1].endswith(f" − 0.01 · {printed(buffer)} = {printed(net.weight)}")
    assert formulas[1][3].endswith(f" = {net.bias.item():.4f}")  # one number, as a number
    assert window.controller.result.nodes["features"].state["weight"].grad is not None


def test_adam_in_the_window_is_torchs(qtbot, window: MainWindow, torch_oracle) -> None:
    x, y, net = torch_course(torch_oracle)
    optimizer = torch_oracle.optim.Adam(net.parameters(), lr=0.05, betas=(0.9, 0.99))
    dock = window.training_dock
    dock.optimizer_combo.setCurrentText("Adam")
    dock.lr_spin.setValue(0.05)
    dock.beta2_spin.setValue(0.99)
    assert window.controller.document.optimizer == {"name": "Adam", "lr": 0.05,
                                                    "betas": [0.9, 0.99], "weight_decay": 0.0}
    dock.steps_spin.setValue(3)
    click(qtbot, dock.run_button)
    qtbot.waitUntil(lambda: not dock.running, timeout=20_000)
    losses = []
    for _ in range(3):
        loss = torch_loss(torch_oracle, net, x, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    np.testing.assert_allclose(dock.losses, losses, rtol=1e-5)
    state = window.controller.document.node("features").state
    np.testing.assert_allclose(state["weight"], net.weight.tolist(), rtol=1e-5)
    np.testing.assert_allclose(state["bias"], net.bias.tolist(), rtol=1e-5)
    panel = window.walkthrough.panel
    assert panel.step_label.text() == ("Training · step 3 · optimizer.step() (Adam, lr=0.05, "
                                       "betas=(0.9, 0.99))")
    lines = panel.formula_label.text().splitlines()
    moments = optimizer.state[net.weight]
    assert lines[0].endswith(f" = {printed(moments['exp_avg'])}")
    assert lines[3].endswith(f" = {printed(net.weight)}")


def test_the_example_trains_in_the_window_as_in_torch(qtbot, window: MainWindow,
                                                      torch_oracle) -> None:
    from tests.test_nn_training import COURSE_SGD, torch_training

    losses, shares, net = torch_training(40, COURSE_SGD)
    dock = window.training_dock
    dock.run_steps(40)
    qtbot.waitUntil(lambda: not dock.running, timeout=30_000)
    np.testing.assert_allclose(dock.losses, losses, rtol=2e-5)
    assert dock.losses[-1] < dock.losses[0] / 5  # 0.857 -> 0.09
    assert dock.chart.series.count() == 40
    assert dock.chart.series.at(39).y() == pytest.approx(losses[-1], rel=2e-5)
    assert dock.status_label.text() == (f"Step 40 of 40: loss {dock.losses[-1]:.6g}, "
                                        f"accuracy {shares[-1]:.2%}")
    state = window.controller.document.node("features").state
    np.testing.assert_allclose(state["weight"], net.weight.tolist(), rtol=1e-4)
    np.testing.assert_allclose(state["bias"], net.bias.tolist(), rtol=1e-4)
