"""The inspector dock (app/ui/inspector.py) on a real controller: parameters, scalars, labels."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow

from app.controller import DocumentController
from app.ui.inspector import InspectorDock

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def setup(qtbot):
    """An inspector docked in a window, over a document m = [[1, 2], [3, 4]] -> op."""
    host = QMainWindow()
    qtbot.addWidget(host)
    controller = DocumentController(parent=host)
    inspector = InspectorDock(controller, host)
    host.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, inspector)
    host.setCentralWidget(QLabel("canvas"))
    host.resize(900, 700)
    host.show()
    qtbot.waitExposed(host)
    m = controller.add_node("tensor", (0, 0), label="m", value=[[1.0, 2.0], [3.0, 4.0]],
                            requires_grad=True)
    yield controller, inspector, m
    host.close()  # keeps the window (and so the controller it parents) alive until here


def add_op(controller: DocumentController, type_name: str, source: str) -> str:
    op = controller.add_node(type_name, (200, 0))
    controller.connect(source, op, 0)
    controller.set_output(op)
    controller.evaluate_now()
    return op


def type_into(qtbot, edit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_optional_int_and_bool_params(setup) -> None:
    controller, inspector, m = setup
    total = add_op(controller, "sum", m)
    inspector.set_node(total)
    dim = inspector.param_editors["dim"]
    assert dim.none_check.isChecked() and not dim.editor.isEnabled()
    assert " ".join(inspector.value_view.toPlainText().split()) == \
        "tensor(10., grad_fn=<SumBackward0>)"
    depth = controller.undo_stack.count()
    dim.none_check.setChecked(False)  # the spin box shows 0: sum over dim 0
    assert controller.document.node(total).params["dim"] == 0
    assert controller.undo_stack.count() == depth + 1
    inspector.param_editors["keepdim"].editor.setChecked(True)
    assert controller.document.node(total).params["keepdim"] is True
    controller.evaluate_now()
    assert " ".join(inspector.value_view.toPlainText().split()) == \
        "tensor([[4., 6.]], grad_fn=<SumBackward1>)"
    assert inspector.info_labels["shape"].text() == "torch.Size([1, 2])"
    controller.undo_stack.undo()
    controller.undo_stack.undo()
    controller.evaluate_now()
    assert inspector.param_editors["dim"].none_check.isChecked()
    assert not inspector.param_editors["keepdim"].editor.isChecked()


def test_shape_param_text(qtbot, setup) -> None:
    controller, inspector, m = setup
    reshaped = add_op(controller, "reshape", m)
    inspector.set_node(reshaped)
    shape = inspector.param_editors["shape"]
    assert shape.editor.text() == "-1"
    type_into(qtbot, shape.editor, "4, -1")
    assert controller.document.node(reshaped).params["shape"] == (4, -1)
    controller.evaluate_now()
    assert inspector.info_labels["shape"].text() == "torch.Size([4, 1])"
    depth = controller.undo_stack.count()
    type_into(qtbot, shape.editor, "4 by 1")
    assert shape.error.isVisibleTo(inspector)
    assert "'4 by 1'" in shape.error.text()
    assert controller.undo_stack.count() == depth


def test_unwired_port_default_is_editable(setup) -> None:
    controller, inspector, m = setup
    power = add_op(controller, "pow", m)
    add_op(controller, "sum", power)  # backward needs a scalar output, as in torch
    inspector.set_node(power)
    exponent = inspector.param_editors["exponent"]
    assert exponent.editor.value() == 2.0
    exponent.editor.setValue(3.0)
    assert controller.document.node(power).params["exponent"] == 3.0
    controller.evaluate_now()
    inspector.set_node(m)
    assert " ".join(inspector.grad_view.toPlainText().split()) == \
        "tensor([[ 3., 12.], [27., 48.]])"  # 3 m^2


def test_error_of_a_failing_op_is_shown(setup) -> None:
    controller, inspector, m = setup
    product = controller.add_node("mm", (200, 0))
    controller.connect(m, product, 0)
    v = controller.add_node("tensor", (0, 100), label="v", value=[1.0, 2.0, 3.0])
    controller.connect(v, product, 1)
    controller.evaluate_now()
    inspector.set_node(product)
    error = inspector.info_labels["error"]
    assert error.isVisibleTo(inspector)
    assert error.text() == controller.result.nodes[product].error
    assert error.text()


def test_scalar_node_takes_one_number(qtbot, setup) -> None:
    controller, inspector, _m = setup
    one = controller.add_node("scalar", (0, 200))
    controller.evaluate_now()
    inspector.set_node(one)
    assert inspector.dtype_combo is None and inspector.retain_grad_check is None
    type_into(qtbot, inspector.value_edit, "[1, 2]")
    assert inspector.value_error.text() == \
        "Not a value: a scalar node holds one number, such as 1 or 0.5"
    assert controller.document.node(one).value == 1
    type_into(qtbot, inspector.value_edit, "0.5")
    assert controller.document.node(one).value == 0.5
    assert not inspector.value_error.isVisibleTo(inspector)


def test_an_empty_label_is_refused(qtbot, setup) -> None:
    controller, inspector, m = setup
    inspector.set_node(m)
    messages = []
    controller.message.connect(messages.append)
    inspector.label_edit.setFocus()
    inspector.label_edit.selectAll()
    qtbot.keyClick(inspector.label_edit, Qt.Key.Key_Delete)
    qtbot.keyClick(inspector.label_edit, Qt.Key.Key_Return)
    assert controller.document.node(m).label == "m"
    assert inspector.label_edit.text() == "m"
    assert messages == ["A node needs a name"]


def test_deleted_node_clears_the_form(setup) -> None:
    controller, inspector, m = setup
    inspector.set_node(m)
    controller.remove([m])
    assert inspector.node_id is None
    controller.undo_stack.undo()
    assert inspector.node_id is None  # the selection decides what is inspected again
