"""The inspector dock: edit the one selected node and read everything autograd computed for it.

The top half holds the editable fields of the node (label, value, dtype, flags, parameters); each
change is one call to the controller, hence one undo step. The bottom half is read-only and
mirrors the latest evaluation: grad_fn, is_leaf, shape, dtype, error, and the value and gradient
printed exactly as ``print(tensor)`` would in PyTorch. The form is rebuilt when the selection
changes and refreshed on every ``controller.evaluated``. While the class predicts (the
walkthrough's "Predict, then Reveal"), the answers hidden on the canvas read "?" here too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QFont, QFontDatabase, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.display.messages import localised
from app.display.values import (
    INIT_KINDS,
    format_tensor,
    initial_value,
    parse_shape_text,
    parse_value_text,
    value_to_text,
)
from app.model import DTYPES, GraphError, Node

_INT_RANGE = 1_000_000
_FLOAT_RANGE = 1.0e9


def _error_label() -> QLabel:
    """A red message line shown under a field whose text was refused."""
    label = QLabel()
    label.setObjectName("errorLabel")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def _floats(value: Any) -> Any:
    """A number or nested list of numbers with every number a float."""
    return [_floats(item) for item in value] if isinstance(value, list) else float(value)


def _row(*widgets: QWidget) -> QWidget:
    """Widgets side by side, sharing the width of a form field."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1)
    return row


def _set_text_quietly(edit: QLineEdit, text: str) -> None:
    """Show the model's text in a line edit, unless the user is typing in it right now."""
    if edit.hasFocus() and edit.isModified():
        return
    if edit.text() != text:
        edit.setText(text)


def _tensor_text(array: Any, width: int, **options: Any) -> str:
    return format_tensor(array, linewidth=width, **options)


class TensorView(QPlainTextEdit):
    """Read-only monospace text of a tensor, re-wrapped like torch's ``linewidth`` to fit."""

    _MAX_LINES = 16

    def __init__(self, font: QFont) -> None:
        super().__init__()
        self.setReadOnly(True)
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._content: str | Callable[[int], str] = "—"

    def show_tensor(self, content: str | Callable[[int], str]) -> None:
        """Show a fixed text, or ``content(linewidth)`` recomputed whenever the width changes."""
        self._content = content
        self._reflow()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self) -> None:
        metrics = self.fontMetrics()
        margin = int(2 * self.document().documentMargin())
        columns = max(24, (self.viewport().width() - margin) // metrics.horizontalAdvance("0"))
        text = self._content if isinstance(self._content, str) else self._content(columns)
        if text != self.toPlainText():
            self.setPlainText(text)
        lines = text.split("\n")
        shown = min(len(lines), self._MAX_LINES)
        height = metrics.lineSpacing() * shown + margin + 2 * self.frameWidth() + 2
        if max(len(line) for line in lines) > columns:
            height += self.horizontalScrollBar().sizeHint().height()
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded if len(lines) > self._MAX_LINES
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(height)


class ParamEditor(QObject):
    """The widget for one op parameter (or unwired port default) bound to ``set_param``."""

    def __init__(self, dock: InspectorDock, name: str, kind: str,
                 choices: tuple[str, ...] = (), minimum: int | None = None) -> None:
        super().__init__(dock)
        self.dock, self.name, self.kind = dock, name, kind
        self.none_check: QCheckBox | None = None
        self.error = _error_label()
        self.widget = QWidget()
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        if kind in ("int", "optional_int"):
            self.editor: QWidget = QSpinBox()
            self.editor.setRange(-_INT_RANGE if minimum is None else minimum, _INT_RANGE)
        elif kind == "choice":  # a loss's reduction: 'mean', 'sum' or 'none'
            self.editor = QComboBox()
            self.editor.addItems(list(choices))
        elif kind in ("float", "optional_float"):
            self.editor = QDoubleSpinBox()
            self.editor.setRange(-_FLOAT_RANGE, _FLOAT_RANGE)
            self.editor.setDecimals(4)
        elif kind == "bool":
            self.editor = QCheckBox()
        else:  # "shape"
            self.editor = QLineEdit()
            self.editor.setPlaceholderText("-1, 2")
        layout.addWidget(self.editor, 1)
        if kind.startswith("optional_"):
            self.none_check = QCheckBox(QCoreApplication.translate("InspectorDock", "none"))
            self.none_check.toggled.connect(self._commit)
            layout.addWidget(self.none_check)
        if isinstance(self.editor, (QSpinBox, QDoubleSpinBox)):
            # commit on Enter, focus-out or an arrow click, not on every keystroke
            self.editor.setKeyboardTracking(False)
            self.editor.valueChanged.connect(self._commit)
        elif isinstance(self.editor, QCheckBox):
            self.editor.toggled.connect(self._commit)
        elif isinstance(self.editor, QComboBox):
            self.editor.currentTextChanged.connect(self._commit)
        else:
            self.editor.editingFinished.connect(self._commit)

    def show_value(self, value: Any) -> None:
        """Display ``value`` without pushing a command."""
        blockers = [self.editor, *([self.none_check] if self.none_check else [])]
        previous = [w.blockSignals(True) for w in blockers]
        try:
            if self.none_check is not None:
                self.none_check.setChecked(value is None)
                self.editor.setEnabled(value is not None)
            if isinstance(self.editor, (QSpinBox, QDoubleSpinBox)):
                if value is not None:
                    self.editor.setValue(value)
            elif isinstance(self.editor, QCheckBox):
                self.editor.setChecked(bool(value))
            elif isinstance(self.editor, QComboBox):
                self.editor.setCurrentText(str(value))
            else:
                _set_text_quietly(self.editor, ", ".join(str(n) for n in (value or ())))
        finally:
            for widget, was in zip(blockers, previous, strict=True):
                widget.blockSignals(was)

    def current(self) -> Any:
        """The value the widget shows; ValueError for an unparsable shape."""
        if self.none_check is not None and self.none_check.isChecked():
            return None
        if isinstance(self.editor, QSpinBox):
            return self.editor.value()
        if isinstance(self.editor, QDoubleSpinBox):
            return float(self.editor.value())
        if isinstance(self.editor, QCheckBox):
            return self.editor.isChecked()
        if isinstance(self.editor, QComboBox):
            return self.editor.currentText()
        return parse_shape_text(self.editor.text(), allow_infer=True)

    def _commit(self) -> None:
        if self.none_check is not None:
            self.editor.setEnabled(not self.none_check.isChecked())
        try:
            value = self.current()
        except ValueError as exc:
            _show_error(self.error, str(exc))
            return
        _show_error(self.error, "")
        self.dock.commit_param(self.name, value)


class InspectorDock(QDockWidget):
    """Dock showing the selected node's fields and its latest evaluation result."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Inspector"), parent)
        self.setObjectName("InspectorDock")
        self.controller = controller
        self.node_id: str | None = None
        #: node id -> "all" (value, grad and grad_fn) or "grad": answers hidden while predicting
        self.hidden: dict[str, str] = {}
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._mono.setPointSizeF(max(self._mono.pointSizeF(), 11.0))
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        # the form follows the dock's width; long tensors scroll inside their own views
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(self._scroll)
        self._reset_fields()
        controller.evaluated.connect(self.refresh)
        # edits that change no number (a rename) are not re-evaluated; show them all the same
        controller.undo_stack.indexChanged.connect(self.refresh)
        # a new document may reuse the ids of the old one: start from an empty form
        controller.document_replaced.connect(self._on_document_replaced)
        self.set_node(None)

    # ------------------------------------------------------------------ building
    def _reset_fields(self) -> None:
        """Forget the widgets of the previous form (they are deleted with it)."""
        self.header = QLabel()
        self.label_edit: QLineEdit | None = None
        self.value_edit: QLineEdit | None = None
        self.value_error = _error_label()
        self.init_kind_combo: QComboBox | None = None
        self.init_shape_edit: QLineEdit | None = None
        self.init_seed_spin: QSpinBox | None = None
        self.init_button: QPushButton | None = None
        self.init_error = _error_label()
        self.dtype_combo: QComboBox | None = None
        self.requires_grad_check: QCheckBox | None = None
        self.retain_grad_check: QCheckBox | None = None
        self.inplace_check: QCheckBox | None = None
        self.gradient_edit: QLineEdit | None = None
        self.gradient_error = _error_label()
        self.passes_label: QLabel | None = None
        self.param_editors: dict[str, ParamEditor] = {}
        self.module_name_edit: QLineEdit | None = None
        #: a layer's parameter tensors: their value fields, and their value and .grad views
        self.state_edits: dict[str, QLineEdit] = {}
        self.state_errors: dict[str, QLabel] = {}
        self.state_views: dict[str, tuple[TensorView, TensorView]] = {}
        self.info_labels: dict[str, QLabel] = {}
        self.value_view: TensorView | None = None
        self.grad_view: TensorView | None = None
        self.grad_hint: QLabel | None = None

    def _on_document_replaced(self, _document: Any) -> None:
        self.set_node(None)

    def set_node(self, node_id: str | None) -> None:
        """Inspect ``node_id`` (None, or an id no longer in the document: show a hint)."""
        if node_id is not None and not self.controller.document.has_node(node_id):
            node_id = None
        self.node_id = node_id
        self._reset_fields()
        body = QWidget()
        layout = QVBoxLayout(body)
        if node_id is None:
            hint = QLabel(self.tr("Select one node to inspect it."))
            hint.setWordWrap(True)
            layout.addWidget(hint)
        else:
            self._build(layout, self.controller.document.node(node_id))
        layout.addStretch(1)
        # the old form goes away with the scroll area's previous widget
        self._scroll.setWidget(body)
        self.refresh()

    def _build(self, layout: QVBoxLayout, node: Node) -> None:
        spec = node.spec
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        title_font.setBold(True)
        self.header.setFont(title_font)
        layout.addWidget(self.header)
        if spec.doc:
            doc = QLabel(QCoreApplication.translate("registry", spec.doc))
            doc.setWordWrap(True)
            layout.addWidget(doc)

        edit_box = QGroupBox(self.tr("Node"))
        form = QFormLayout(edit_box)
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText(node.id)
        self.label_edit.editingFinished.connect(self._commit_label)
        form.addRow(self.tr("Label"), self.label_edit)
        form.addRow(self.tr("Type"), QLabel(spec.title))
        if spec.kind in ("tensor", "scalar"):
            self._build_value_rows(form, node)
        if spec.kind == "tensor":
            self.dtype_combo = QComboBox()
            self.dtype_combo.addItems(DTYPES)
            self.dtype_combo.currentTextChanged.connect(
                lambda text: self._commit_field("dtype", text))
            form.addRow(self.tr("dtype"), self.dtype_combo)
            self.requires_grad_check = self._flag_check("requires_grad")
            form.addRow("", self.requires_grad_check)
        if spec.module:
            self.module_name_edit = QLineEdit()
            self.module_name_edit.setPlaceholderText(self.tr("unnamed"))
            self.module_name_edit.setToolTip(self.tr("The module's name in code, as in net = "
                                                     "nn.Linear(2, 1)"))
            self.module_name_edit.editingFinished.connect(self._commit_module_name)
            form.addRow(self.tr("Module name"), self.module_name_edit)
        if spec.kind == "op":
            for param in spec.params:
                self._add_param_row(form, param.name, param.kind, param.name,
                                    choices=param.choices, minimum=param.minimum)
            for name in node.state:  # a layer's weight and bias: leaves the student may edit
                self._add_state_row(form, name)
            wired = self.controller.document.inputs_of(node.id)
            for port, src in zip(spec.inputs, wired, strict=True):
                if port.default is not None and src is None:
                    self._add_param_row(form, port.name, "float",
                                        self.tr("%1 (unwired)").replace("%1", port.name))
        if spec.kind == "op" and spec.in_place:
            self.inplace_check = QCheckBox(self.tr("in place: %1_").replace("%1", spec.function))
            self.inplace_check.setToolTip(self.tr(
                "Change the first input's tensor instead of making a new one; torch refuses "
                "it on a leaf that requires grad, or on a tensor backward still needs"))
            self.inplace_check.toggled.connect(lambda on: self._commit_field("inplace", on))
            form.addRow("", self.inplace_check)
        if spec.kind != "scalar":
            self.retain_grad_check = self._flag_check("retain_grad")
            form.addRow("", self.retain_grad_check)
        layout.addWidget(edit_box)
        if node.id == self.controller.document.output:
            layout.addWidget(self._build_backward_box())
        layout.addWidget(self._build_result_box())

    def _build_value_rows(self, form: QFormLayout, node: Node) -> None:
        self.value_edit = QLineEdit()
        self.value_edit.setFont(self._mono)
        self.value_edit.setPlaceholderText("[1., 2.]" if node.spec.kind == "tensor" else "1")
        self.value_edit.editingFinished.connect(self._commit_value)
        self.value_edit.textEdited.connect(lambda _text: _show_error(self.value_error, ""))
        form.addRow(self.tr("Value"), self.value_edit)
        form.addRow("", self.value_error)
        if node.spec.kind != "tensor":
            return
        self.init_kind_combo = QComboBox()
        self.init_kind_combo.addItems(INIT_KINDS)
        self.init_shape_edit = QLineEdit("2, 3")
        self.init_shape_edit.setToolTip(self.tr("Shape, e.g. 2, 3"))
        self.init_seed_spin = QSpinBox()
        self.init_seed_spin.setRange(0, 9999)
        self.init_seed_spin.setPrefix(self.tr("seed "))
        self.init_seed_spin.setToolTip(self.tr("randn seed: the same seed gives the same values"))
        self.init_button = QPushButton(self.tr("Fill"))
        self.init_button.clicked.connect(self._commit_initialise)
        # two short rows, so the form fits a narrow dock
        form.addRow(self.tr("Initialise"), _row(self.init_kind_combo, self.init_shape_edit))
        form.addRow("", _row(self.init_seed_spin, self.init_button))
        form.addRow("", self.init_error)

    def _flag_check(self, name: str) -> QCheckBox:
        check = QCheckBox(name)
        check.toggled.connect(lambda on: self._commit_field(name, on))
        return check

    def _add_param_row(self, form: QFormLayout, name: str, kind: str, text: str,
                       **limits: Any) -> None:
        editor = ParamEditor(self, name, kind, **limits)
        self.param_editors[name] = editor
        form.addRow(text, editor.widget)
        form.addRow("", editor.error)

    def _build_backward_box(self) -> QGroupBox:
        """The output's backward call: its gradient (grad_tensors) and its passes."""
        box = QGroupBox(self.tr("Backward"))
        form = QFormLayout(box)
        self.gradient_edit = QLineEdit()
        self.gradient_edit.setFont(self._mono)
        self.gradient_edit.setPlaceholderText(self.tr("None (a scalar output)"))
        self.gradient_edit.setToolTip(self.tr(
            "loss.backward(gradient=...): the weight of each element of a non-scalar output, "
            "e.g. [1., 2.]"))
        self.gradient_edit.editingFinished.connect(self._commit_gradient)
        self.gradient_edit.textEdited.connect(lambda _text: _show_error(self.gradient_error, ""))
        form.addRow(self.tr("gradient"), self.gradient_edit)
        form.addRow("", self.gradient_error)
        self.passes_label = QLabel()
        self.passes_label.setWordWrap(True)
        form.addRow(self.tr("passes"), self.passes_label)
        program = self.controller.program
        again = QPushButton(self.tr("Backward again"))
        again.clicked.connect(lambda: program.backward_again())
        zero = QPushButton(self.tr("Zero grad"))
        zero.clicked.connect(lambda: program.zero_grad())
        form.addRow("", _row(again, zero))
        return box

    def _add_state_row(self, form: QFormLayout, name: str) -> None:
        edit = QLineEdit()
        edit.setFont(self._mono)
        edit.setToolTip(self.tr("The values of this parameter tensor (a leaf that requires grad)"))
        edit.editingFinished.connect(partial(self._commit_state, name))
        error = _error_label()
        edit.textEdited.connect(lambda _text: _show_error(error, ""))
        self.state_edits[name], self.state_errors[name] = edit, error
        form.addRow(name, edit)
        form.addRow("", error)

    def _build_result_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Autograd"))
        form = QFormLayout(box)
        captions = {"error": self.tr("error"), "warning": self.tr("warning")}
        for key in ("grad_fn", "is_leaf", "requires_grad", "shape", "dtype", "error", "warning"):
            label = QLabel()
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            if key in ("error", "warning"):
                label.setObjectName(f"{key}Label")
            else:
                label.setFont(self._mono)
            self.info_labels[key] = label
            # the other captions are torch's own attribute names, which the lesson keeps
            form.addRow(captions.get(key, key), label)
        self.value_view = TensorView(self._mono)
        self.grad_view = TensorView(self._mono)
        # the arrays take the full width of the dock: the more columns, the fewer wrapped rows
        for caption, view in ((self.tr("value"), self.value_view),
                              (self.tr("grad"), self.grad_view)):
            form.addRow(QLabel(caption))
            form.addRow(view)
        for name in self.state_edits:  # a layer's parameters, each a leaf with its .grad
            views = (TensorView(self._mono), TensorView(self._mono))
            self.state_views[name] = views
            for caption, view in zip((name, f"{name}.grad"), views, strict=True):
                form.addRow(QLabel(caption))
                form.addRow(view)
        self.grad_hint = QLabel()
        self.grad_hint.setWordWrap(True)
        self.grad_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.grad_hint)
        return box

    def hide_answers(self, hidden: dict[str, str]) -> None:
        """Show "?" for the answers the class is predicting (node id -> "all" or "grad")."""
        self.hidden = dict(hidden)
        self.refresh()

    # ---------------------------------------------------------------- refreshing
    def refresh(self, _result: Any = None) -> None:
        """Show the model's fields and the latest evaluation of the inspected node."""
        document = self.controller.document
        if self.node_id is not None and not document.has_node(self.node_id):
            self.set_node(None)  # deleted, or gone with an undo
            return
        if self.node_id is None:
            return
        if (self.node_id == document.output) != (self.gradient_edit is not None):
            self.set_node(self.node_id)  # it became the output, or stopped being it
            return
        node = document.node(self.node_id)
        self.header.setText(f"{node.display_name}  ·  {node.spec.title}")
        if self.label_edit is not None:
            _set_text_quietly(self.label_edit, node.label)
        if self.value_edit is not None:
            _set_text_quietly(self.value_edit, value_to_text(node.value))
        if self.dtype_combo is not None:
            self._quietly(self.dtype_combo, lambda: self.dtype_combo.setCurrentText(node.dtype))
        for name, check in (("requires_grad", self.requires_grad_check),
                            ("retain_grad", self.retain_grad_check)):
            if check is not None:
                self._quietly(check, lambda c=check, n=name: c.setChecked(getattr(node, n)))
        if self.inplace_check is not None:
            self._quietly(self.inplace_check, lambda: self.inplace_check.setChecked(node.inplace))
        for name, editor in self.param_editors.items():
            editor.show_value(node.params.get(name, node.spec.default(name)))
        if self.gradient_edit is not None:
            plan = document.backward
            gradient = "" if plan.gradient is None else value_to_text(plan.gradient)
            _set_text_quietly(self.gradient_edit, gradient)
            steps = [self.tr("backward") if step.kind == "backward" else self.tr("zero_grad")
                     for step in plan.steps]
            self.passes_label.setText(", ".join(steps))
        if self.module_name_edit is not None:
            _set_text_quietly(self.module_name_edit, node.module_name)
        if set(self.state_edits) != set(node.state):  # new sizes: bias on or off
            self.set_node(self.node_id)
            return
        for name, edit in self.state_edits.items():
            _set_text_quietly(edit, value_to_text(node.state[name]))
        self._refresh_result()

    def _blocked_text(self, blocked_by: str | None) -> str:
        """Why a node downstream of a failing one has no value."""
        if blocked_by is None:
            return ""
        document = self.controller.document
        name = document.node(blocked_by).display_name if document.has_node(blocked_by) \
            else blocked_by
        return self.tr("not computed: %1 failed").replace("%1", name)

    @staticmethod
    def _form_label(field: QWidget) -> QWidget:
        """The row caption a QFormLayout shows beside ``field``."""
        form = field.parentWidget().layout()
        return form.labelForField(field)

    @staticmethod
    def _quietly(widget: QWidget, update: Any) -> None:
        was = widget.blockSignals(True)
        try:
            update()
        finally:
            widget.blockSignals(was)

    def _refresh_result(self) -> None:
        result = getattr(self.controller, "result", None)
        outcome = result.nodes.get(self.node_id) if result is not None else None
        texts = dict.fromkeys(self.info_labels, "—")
        value_render: str | Callable[[int], str] = "—"
        grad_render: str | Callable[[int], str] = "—"
        if outcome is not None:
            texts.update(
                grad_fn=outcome.grad_fn or "None",
                is_leaf=str(outcome.is_leaf),
                requires_grad=str(outcome.requires_grad),
                shape=f"torch.Size({list(outcome.shape)})" if outcome.shape is not None else "—",
                dtype=f"torch.{outcome.dtype}" if outcome.dtype else "—",
                error=localised(outcome.error or "") or self._blocked_text(outcome.blocked_by),
                warning=localised(outcome.warning or ""),
            )
            if outcome.is_number:
                value_render = value_to_text(self.controller.document.node(self.node_id).value)
                grad_render = "None"
            elif outcome.value is not None:
                value_render = partial(
                    _tensor_text, outcome.value, dtype=outcome.dtype, grad_fn=outcome.grad_fn,
                    requires_grad=outcome.requires_grad and outcome.is_leaf)
                grad_render = partial(_tensor_text, outcome.grad, dtype=outcome.dtype)
        hidden = self.hidden.get(self.node_id or "")
        if hidden == "all":
            texts["grad_fn"] = "?"
            value_render = "?"
        if hidden is not None:
            grad_render = "?"
        for key, label in self.info_labels.items():
            label.setText(texts[key])
        for key in ("error", "warning"):
            shown = bool(texts[key]) and texts[key] != "—"
            self.info_labels[key].setVisible(shown)
            self._form_label(self.info_labels[key]).setVisible(shown)
        self.value_view.show_tensor(value_render)
        self.grad_view.show_tensor(grad_render)
        state = (outcome.state if outcome is not None else None) or {}
        for name, (value_view, grad_view) in self.state_views.items():
            tensor = state.get(name)
            if tensor is None:
                value_view.show_tensor("—")
                grad_view.show_tensor("—")
                continue
            value_view.show_tensor(partial(_tensor_text, tensor.value, dtype=tensor.dtype,
                                           requires_grad=True))
            grad_view.show_tensor("?" if hidden is not None
                                  else partial(_tensor_text, tensor.grad, dtype=tensor.dtype))
        hint = "" if hidden is not None else self._grad_hint_text(outcome)
        self.grad_hint.setText(hint)
        self.grad_hint.setVisible(bool(hint))

    def _grad_hint_text(self, outcome: Any) -> str:
        """Why .grad is None on a node that a gradient did reach (the classic surprise)."""
        if outcome is None or outcome.grad is not None or outcome.full_grad is None:
            return ""
        gradient = " ".join(format_tensor(outcome.full_grad, dtype=outcome.dtype).split())
        return self.tr("torch keeps .grad only on leaves; tick retain_grad to keep this "
                       "node's gradient, %1.").replace("%1", gradient)

    # ------------------------------------------------------------------ commits
    def _commit_label(self) -> None:
        node = self.controller.document.node(self.node_id)
        text = self.label_edit.text().strip()
        if text != node.label and not self.controller.rename(self.node_id, text):
            self.label_edit.setText(node.label)  # refused (the reason is in the status bar)
        self.label_edit.setModified(False)

    def _commit_value(self) -> None:
        node = self.controller.document.node(self.node_id)
        try:
            value = parse_value_text(self.value_edit.text())
            if node.spec.kind == "scalar" and isinstance(value, list):
                raise ValueError(self.tr("a scalar node holds one number, such as 1 or 0.5"))
        except ValueError as exc:
            _show_error(self.value_error, self.tr("Not a value: %1").replace("%1", str(exc)))
            return
        _show_error(self.value_error, "")
        self.value_edit.setModified(False)
        if value != node.value or type(value) is not type(node.value):
            self.controller.set_field(self.node_id, "value", value)

    def _commit_gradient(self) -> None:
        text = self.gradient_edit.text().strip()
        try:
            gradient = parse_value_text(text) if text and text != "None" else None
            # torch.tensor([1, 2]) would be int64, which backward refuses: the weights are floats
            gradient = None if gradient is None else _floats(gradient)
        except ValueError as exc:
            _show_error(self.gradient_error, self.tr("Not a value: %1").replace("%1", str(exc)))
            return
        _show_error(self.gradient_error, "")
        self.gradient_edit.setModified(False)
        if gradient != self.controller.document.backward.gradient:
            self.controller.program.set_gradient(gradient)

    def _commit_module_name(self) -> None:
        node = self.controller.document.node(self.node_id)
        text = self.module_name_edit.text().strip()
        if text != node.module_name:
            self.controller.set_field(self.node_id, "module_name", text)
        self.module_name_edit.setModified(False)

    def _commit_state(self, name: str) -> None:
        """A new value for one of the layer's parameter tensors (its shape must not change)."""
        node = self.controller.document.node(self.node_id)
        edit, error = self.state_edits[name], self.state_errors[name]
        try:
            value = parse_value_text(edit.text())
        except ValueError as exc:
            _show_error(error, self.tr("Not a value: %1").replace("%1", str(exc)))
            return
        edit.setModified(False)
        if value == node.state[name]:
            return
        try:
            self.controller.document.check_set_field(self.node_id, "state",
                                                     {**node.state, name: value})
        except GraphError as exc:
            _show_error(error, str(exc))
            return
        _show_error(error, "")
        self.controller.set_field(self.node_id, "state", {**node.state, name: value})

    def _commit_initialise(self) -> None:
        try:
            shape = parse_shape_text(self.init_shape_edit.text())
        except ValueError as exc:
            _show_error(self.init_error, str(exc))
            return
        _show_error(self.init_error, "")
        value = initial_value(self.init_kind_combo.currentText(), shape,
                              self.init_seed_spin.value())
        self.controller.set_field(self.node_id, "value", value)

    def _commit_field(self, name: str, value: Any) -> None:
        if getattr(self.controller.document.node(self.node_id), name) != value:
            self.controller.set_field(self.node_id, name, value)

    def commit_param(self, name: str, value: Any) -> None:
        """Set one op parameter through the controller, if it really changed."""
        node = self.controller.document.node(self.node_id)
        if node.params.get(name, node.spec.default(name)) != value:
            self.controller.set_param(self.node_id, name, value)

    def focus_label(self) -> None:
        """Start renaming: show the dock and select the label text (Edit > Rename, F2)."""
        if self.label_edit is None:
            return
        self.show()
        self.raise_()
        self.label_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.label_edit.selectAll()
