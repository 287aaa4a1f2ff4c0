"""The Training dock: an optimizer on the open graph, with a live loss-versus-step plot.

The teacher ticks what learns (the tensor leaves with requires_grad, and layers with weights),
picks the optimizer (torch.optim.SGD with its learning rate, momentum and weight decay, or Adam)
and presses Step or Run N steps; the canvas values move as the steps go and the loss is plotted
(on a log scale if ticked). The optimizer's settings belong to the document (they are saved with
it and come from imported code's ``torch.optim`` line), so changing one is an undo step. Each
step's update, ``w ← w − lr · w.grad`` with its numbers (and momentum's buffer, Adam's moments),
is shown in the walkthrough panel (``step_explained``). The optimizer keeps its state
(momentum) from one Step or run to the next as long as nothing else changes the graph: an edit,
an undo, a new tick or setting, or Reset starts a fresh one.
A run goes in small chunks on a QTimer, so the window stays responsive, the progress bar moves and
Stop works. After each chunk the values reached are written into the document through the
controller (``set_values``); the edits of one run merge into one undo step ("Train 100 steps"):
its undo restores the values from before the run and its redo the values after it. Reset puts
back the values from before the first step since the dock opened (or was last reset), as one more
undo step.

The stepping itself is :class:`app.teach.training.Trainer` (no Qt, on its own copy of the
document); this module only schedules it, hands its values to the controller and draws.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QLogValueAxis, QValueAxis
from PySide6.QtCore import QMargins, QPointF, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.model import GraphDocument
from app.model.rules import OPTIMIZERS
from app.teach.optimizer_steps import settings_text, update_formulas
from app.teach.training import Trainer, TrainingError, leaf_values, trainable_leaves

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow

DEFAULT_LR = OPTIMIZERS["SGD"]["lr"]  # converges on linear_regression (diverges above 0.08)
DEFAULT_STEPS = 100
MAX_STEPS = 1_000_000
#: A run is split into ticks of at least this many steps (more for long runs, so that any run
#: animates in about RUN_TICKS ticks), each tick stopping early after TICK_BUDGET seconds.
STEPS_PER_TICK = 5
RUN_TICKS = 50
TICK_BUDGET = 0.03
TICK_INTERVAL_MS = 15  # a pause between ticks lets the canvas repaint and the class watch
_LEAF_ROLE = Qt.ItemDataRole.UserRole


#: The steps an empty loss chart spans.
EMPTY_STEPS = 10


def _tick_steps() -> Iterator[int]:
    """1, 2, 5, 10, 20, 50, ...: the steps between two labels of the step axis, smallest first."""
    power = 1
    while True:
        for factor in (1, 2, 5):
            yield factor * power
        power *= 10


class LossChart(QChartView):
    """The loss of every step since the dock opened or was reset; the axes follow the data."""

    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(180)
        chart.legend().hide()
        chart.setBackgroundVisible(False)
        chart.setMargins(QMargins(0, 0, 0, 0))
        self.series = QLineSeries()
        chart.addSeries(self.series)
        self.x_axis = QValueAxis()
        self.x_axis.setTitleText(self.tr("step"))
        self.x_axis.setLabelFormat("%d")
        self.x_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        self.x_axis.setTickAnchor(0)
        self.y_axis: QValueAxis | QLogValueAxis = QValueAxis()
        self.log_scale = False
        for axis, side in ((self.x_axis, Qt.AlignmentFlag.AlignBottom),
                           (self.y_axis, Qt.AlignmentFlag.AlignLeft)):
            self._add_axis(axis, side)
        self._low = 0.0
        self._high = 1.0
        self.clear()

    def _add_axis(self, axis: QValueAxis | QLogValueAxis, side: Qt.AlignmentFlag) -> None:
        text = self.palette().windowText()
        if side == Qt.AlignmentFlag.AlignLeft:
            axis.setTitleText(self.tr("loss"))
            axis.setLabelFormat("%.3g")
        axis.setLabelsBrush(text)
        axis.setTitleBrush(text)
        self.chart().addAxis(axis, side)
        self.series.attachAxis(axis)

    def set_log_scale(self, on: bool) -> None:
        """Plot the loss on a logarithmic axis (a loss falling from 35 to 0.002 shows its
        whole descent), or a linear one."""
        if on == self.log_scale:
            return
        self.log_scale = on
        self.series.detachAxis(self.y_axis)
        self.chart().removeAxis(self.y_axis)
        self.y_axis = QLogValueAxis() if on else QValueAxis()
        self._add_axis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self._rescale()

    def clear(self) -> None:
        self.series.clear()
        self._low, self._high = 0.0, 1.0
        self._rescale()

    def add_losses(self, first_step: int, losses: list[float]) -> None:
        """Plot ``losses`` as steps ``first_step``, ``first_step + 1``, ...; rescale once."""
        if not losses:
            return
        self.series.append([QPointF(first_step + i, loss) for i, loss in enumerate(losses)])
        if self.series.count() == len(losses):  # the first points: fit them, not the 0..1 start
            self._low = self._high = 0.0
        self._low = min(self._low, *losses)
        self._high = max(self._high, *losses)
        self._rescale()

    def _rescale(self) -> None:
        # whole steps only, at most about five labels ("0 0 0 0 1" was 0..1 in quarters);
        # an empty chart shows the first ten steps
        last = max(EMPTY_STEPS, self.series.count() - 1)
        interval = next(step for step in _tick_steps() if last / step <= 5)
        self.x_axis.setRange(0, last)
        self.x_axis.setTickInterval(interval)
        if self.log_scale:
            # a log axis holds positive numbers only: a loss of exactly 0 sits at its floor
            positive = [point.y() for point in self.series.points() if point.y() > 0]
            low = min(positive, default=0.1)
            high = max(positive, default=1.0)
            self.y_axis.setRange(low / 1.5, high * 1.5)
            return
        span = self._high - self._low
        self.y_axis.setRange(self._low, self._high + (0.05 * span if span > 0 else 1.0))


class TrainingDock(QDockWidget):
    """Step / Run N steps / Stop / Reset for an optimizer on the controller's document.

    ``step_explained(title, formula, note)`` tells what the last step did, with its numbers,
    for the walkthrough panel.
    """

    step_explained = Signal(str, str, str)

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Training"), parent)
        self.setObjectName("trainingDock")
        self.controller = controller
        #: leaf values from before the first step since the dock opened or was reset
        self.baseline: dict[str, Any] = {}
        self.losses: list[float] = []
        self._checked: dict[str, bool] = {}
        #: the optimizer of the steps so far, kept while only the dock changes the graph
        self._trainer: Trainer | None = None
        #: whether the document shows its optimizer in the widgets (not an edit of it); so
        #: while the widgets are built, until show_settings
        self._showing_settings = True
        #: the current run, the key that merges its edits into one undo step
        self._run: object | None = None
        #: whether the run's first edit is made, from which any other change of history ends it
        self._watching_history = False
        self._own_edit = False
        self._target = 0
        self._done = 0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        self._build()
        controller.evaluated.connect(self.refresh_leaves)
        # a rename is not re-evaluated, but it renames a listed leaf
        controller.undo_stack.indexChanged.connect(self.refresh_leaves)
        controller.undo_stack.indexChanged.connect(self._on_any_history_change)
        controller.document_replaced.connect(self._on_document_replaced)
        #: the list of leaves is made again only after a change that can alter it (a node
        #: added or removed, a requires_grad, label or layer changed), not after a value edit
        #: (at 5,000 nodes, 2-4 ms twice an edit)
        self._watched: GraphDocument | None = None
        self._leaves_dirty = True
        self._watch_leaves(controller.document)
        self.refresh_leaves()
        self.show_settings()
        self._update_buttons()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.addWidget(QLabel(self.tr("Leaves to learn (requires_grad):")))
        self.leaf_list = QListWidget()
        self.leaf_list.setMaximumHeight(110)
        self.leaf_list.itemChanged.connect(self._on_item_changed)
        layout.addWidget(self.leaf_list)

        form = self.settings_form = QFormLayout()
        self.optimizer_combo = QComboBox()
        self.optimizer_combo.addItems(list(OPTIMIZERS))
        self.optimizer_combo.setToolTip(self.tr("torch.optim.SGD or torch.optim.Adam"))
        self.optimizer_combo.currentTextChanged.connect(self._on_optimizer_chosen)
        form.addRow(self.tr("Optimizer:"), self.optimizer_combo)
        self.lr_spin = self._setting_spin(0.0001, 10.0, 0.01, 4)
        self.lr_spin.setValue(DEFAULT_LR)
        form.addRow(self.tr("Learning rate (lr):"), self.lr_spin)
        self.momentum_spin = self._setting_spin(0.0, 0.999, 0.1, 3)
        self.momentum_spin.setToolTip(self.tr("SGD's momentum: buf = momentum * buf + grad"))
        form.addRow(self.tr("Momentum:"), self.momentum_spin)
        self.beta1_spin = self._setting_spin(0.0, 0.9999, 0.01, 4)
        self.beta2_spin = self._setting_spin(0.0, 0.9999, 0.001, 4)
        betas = QWidget()
        betas_layout = QHBoxLayout(betas)
        betas_layout.setContentsMargins(0, 0, 0, 0)
        betas_layout.addWidget(self.beta1_spin)
        betas_layout.addWidget(self.beta2_spin)
        betas.setToolTip(self.tr("Adam's betas: how slowly its two moving averages forget"))
        form.addRow(self.tr("Betas:"), betas)
        self.weight_decay_spin = self._setting_spin(0.0, 1.0, 0.001, 4)
        self.weight_decay_spin.setToolTip(self.tr("weight_decay adds weight_decay * w to w.grad"))
        form.addRow(self.tr("Weight decay:"), self.weight_decay_spin)
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, MAX_STEPS)
        self.steps_spin.setValue(DEFAULT_STEPS)
        form.addRow(self.tr("Steps (N):"), self.steps_spin)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.step_button = QPushButton(self.tr("Step"))
        self.step_button.setToolTip(self.tr("One step: forward, backward, w -= lr * w.grad"))
        self.step_button.clicked.connect(self.step_once)
        self.run_button = QPushButton(self.tr("Run N steps"))
        self.run_button.clicked.connect(lambda: self.run_steps())
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.clicked.connect(self.stop)
        self.reset_button = QPushButton(self.tr("Reset"))
        self.reset_button.setToolTip(self.tr("Put back the values from before the first step"))
        self.reset_button.clicked.connect(self.reset)
        for button in (self.step_button, self.run_button, self.stop_button, self.reset_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.progress = QProgressBar()
        self.progress.setRange(0, DEFAULT_STEPS)
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status_label)
        self.chart = LossChart()
        layout.addWidget(self.chart, 1)
        self.log_check = QCheckBox(self.tr("Log scale"))
        self.log_check.setToolTip(self.tr("Plot the loss on a logarithmic axis"))
        self.log_check.toggled.connect(self.chart.set_log_scale)
        layout.addWidget(self.log_check)
        # the optimizer's settings make the dock tall: on a short screen it scrolls rather than
        # growing the window past the screen (with the walkthrough panel showing a step)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(body.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width())
        self.setWidget(scroll)

    def _setting_spin(self, low: float, high: float, step: float,
                      decimals: int) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setDecimals(decimals)
        spin.setRange(low, high)
        spin.setSingleStep(step)
        spin.setKeyboardTracking(False)  # a change on Enter or an arrow, not on each key
        spin.valueChanged.connect(self._on_setting_edited)
        return spin

    # -------------------------------------------------------------- the optimizer
    def settings(self) -> dict[str, Any]:
        """The optimizer the widgets show, as the document holds it."""
        name = self.optimizer_combo.currentText()
        settings: dict[str, Any] = {"name": name, "lr": self.lr_spin.value(),
                                    "weight_decay": self.weight_decay_spin.value()}
        if name == "SGD":
            settings["momentum"] = self.momentum_spin.value()
        else:
            settings["betas"] = [self.beta1_spin.value(), self.beta2_spin.value()]
        return settings

    def show_settings(self) -> None:
        """Show the document's optimizer (or the defaults) in the widgets."""
        settings = self.document.optimizer or {"name": "SGD", **OPTIMIZERS["SGD"]}
        self._showing_settings = True
        try:
            self.optimizer_combo.setCurrentText(settings["name"])
            self.lr_spin.setValue(settings["lr"])
            self.weight_decay_spin.setValue(settings["weight_decay"])
            self.momentum_spin.setValue(settings.get("momentum", 0.0))
            beta1, beta2 = settings.get("betas", OPTIMIZERS["Adam"]["betas"])
            self.beta1_spin.setValue(beta1)
            self.beta2_spin.setValue(beta2)
        finally:
            self._showing_settings = False
        self._show_rows(settings["name"])

    def _show_rows(self, name: str) -> None:
        """Momentum for SGD, betas for Adam."""
        self.settings_form.setRowVisible(self.momentum_spin, name == "SGD")
        self.settings_form.setRowVisible(self.beta1_spin.parentWidget(), name == "Adam")

    def _on_optimizer_chosen(self, name: str) -> None:
        if self._showing_settings:
            return
        self._showing_settings = True
        try:  # each optimizer starts at its own learning rate (Adam's 0.001, not SGD's 0.05)
            self.lr_spin.setValue(OPTIMIZERS[name]["lr"])
        finally:
            self._showing_settings = False
        self._show_rows(name)
        self._on_setting_edited()

    def _on_setting_edited(self) -> None:
        if not self._showing_settings:
            self.controller.set_optimizer(self.settings(), self.tr("Set optimizer"))

    # -------------------------------------------------------------------- leaves
    @property
    def document(self) -> GraphDocument:
        return self.controller.document

    def _watch_leaves(self, document: GraphDocument) -> None:
        if self._watched is not None:
            for signal in self._leaf_signals(self._watched):
                signal.disconnect(self._leaves_changed)
        self._watched = document
        for signal in self._leaf_signals(document):
            signal.connect(self._leaves_changed)
        self._leaves_dirty = True

    @staticmethod
    def _leaf_signals(document: GraphDocument) -> tuple[Any, ...]:
        return document.node_added, document.node_removed, document.node_changed

    def _leaves_changed(self, _node: Any, field: str = "") -> None:
        if field not in ("value", "pos"):
            self._leaves_dirty = True

    def refresh_leaves(self, _result: Any = None) -> None:
        """List the requires_grad leaves by label, keeping the ticks the user set."""
        if not self._leaves_dirty:
            return
        self._leaves_dirty = False
        doc = self.document
        rows = [(leaf_id, self._leaf_text(doc, leaf_id)) for leaf_id in trainable_leaves(doc)]
        shown = [(self.leaf_list.item(i).data(_LEAF_ROLE), self.leaf_list.item(i).text())
                 for i in range(self.leaf_list.count())]
        if rows == shown:
            return
        with QSignalBlocker(self.leaf_list):
            self.leaf_list.clear()
            for leaf_id, label in rows:
                if leaf_id not in self._checked:
                    # a leaf the loss does not depend on would get no .grad: not ticked at first
                    self._checked[leaf_id] = (doc.output is not None
                                              and doc.depends_on(doc.output, leaf_id))
                item = QListWidgetItem(label)
                item.setData(_LEAF_ROLE, leaf_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if self._checked[leaf_id]
                                   else Qt.CheckState.Unchecked)
                self.leaf_list.addItem(item)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self._checked[item.data(_LEAF_ROLE)] = item.checkState() == Qt.CheckState.Checked
        self._trainer = None  # other parameters: another optimizer

    @staticmethod
    def _leaf_text(doc: GraphDocument, leaf_id: str) -> str:
        """A leaf's name, or a layer's with its parameters: "net: weight, bias"."""
        node = doc.node(leaf_id)
        if not node.spec.state:
            return node.display_name
        return f"{node.module_name or node.display_name}: {', '.join(node.state)}"

    def chosen_leaves(self) -> list[str]:
        """Ids of the ticked leaves, in list order."""
        items = (self.leaf_list.item(i) for i in range(self.leaf_list.count()))
        return [item.data(_LEAF_ROLE) for item in items
                if item.checkState() == Qt.CheckState.Checked]

    def set_leaf_checked(self, leaf_id: str, checked: bool) -> None:
        for i in range(self.leaf_list.count()):
            item = self.leaf_list.item(i)
            if item.data(_LEAF_ROLE) == leaf_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    # ------------------------------------------------------------------- running
    @property
    def running(self) -> bool:
        return self._run is not None

    def step_once(self) -> bool:
        """One gradient-descent step, as its own undo step."""
        return self.run_steps(1)

    def run_steps(self, n: int | None = None) -> bool:
        """Start a run of ``n`` steps (the spin box's N by default); False if it cannot start."""
        if self.running:
            return False
        leaves = self.chosen_leaves()
        if self._trainer is None or self._trainer.leaf_ids != leaves:
            try:
                self._trainer = Trainer(self.document, leaves, settings=self.settings())
            except TrainingError as exc:
                self._show_status(str(exc), error=True)
                return False
        # the document never changes a stored value in place: no copy is needed
        for leaf_id, value in leaf_values(self.document, leaves).items():
            self.baseline.setdefault(leaf_id, value)
        self._run = object()
        self._target = n if n is not None else self.steps_spin.value()
        self._done = 0
        self.progress.setRange(0, self._target)
        self.progress.setValue(0)
        self._update_buttons()
        self._tick()
        if self.running:
            self._timer.start()
        return True

    def _tick(self) -> None:
        assert self._trainer is not None, "tick without a run"
        deadline = time.perf_counter() + TICK_BUDGET
        chunk = min(self._target - self._done, max(STEPS_PER_TICK, self._target // RUN_TICKS))
        new_losses: list[float] = []
        error: str | None = None
        for _ in range(chunk):
            try:
                new_losses.append(self._trainer.step())
            except TrainingError as exc:
                error = str(exc)
                break
            if time.perf_counter() > deadline:
                break
        self._record(new_losses)
        if new_losses:
            self._explain()
        if error is not None:
            self._finish(error, error=True)
        elif self._done >= self._target:
            self._finish(self._summary())

    def _record(self, new_losses: list[float]) -> None:
        """Plot the chunk's losses and make the undo step cover the values reached."""
        self.chart.add_losses(len(self.losses), new_losses)
        self.losses.extend(new_losses)
        self._done += len(new_losses)
        self.progress.setValue(self._done)
        if not new_losses:
            return
        assert self._trainer is not None, "a chunk without a run"
        self._own_edit = True
        try:
            self.controller.set_values(self._trainer.values, self._train_text(), self._run)
        finally:
            self._own_edit = False
        if not self._watching_history:
            # from now on, any other change of the history (an undo, an edit) ends the run
            self.controller.undo_stack.indexChanged.connect(self._on_history_changed)
            self._watching_history = True
        self._show_status(self._summary())

    def _explain(self) -> None:
        """What the last step did, with its numbers, for the walkthrough panel."""
        assert self._trainer is not None, "a step without a trainer"
        trainer = self._trainer
        title = (self.tr("Training · step %1 · optimizer.step() (%2)")
                 .replace("%1", str(len(self.losses))).replace("%2",
                                                              settings_text(trainer.settings)))
        formula = "\n".join(update_formulas(trainer.settings, trainer.last_update))
        note = self.tr("Then optimizer.zero_grad(): every .grad is None again, and the next "
                       "forward and backward compute the gradients the canvas shows now "
                       "(loss before this step: %1).").replace("%1", f"{self.losses[-1]:.6g}")
        self.step_explained.emit(title, formula, note)

    def _train_text(self) -> str:
        if self._done == 1:
            return self.tr("Train 1 step")
        return self.tr("Train %1 steps").replace("%1", str(self._done))

    def _summary(self) -> str:
        if not self.losses:
            return ""
        text = (self.tr("Step %1 of %2: loss %3").replace("%1", str(self._done))
                .replace("%2", str(self._target)).replace("%3", f"{self.losses[-1]:.6g}"))
        share = self._trainer.accuracies[-1] if self._trainer is not None \
            and self._trainer.accuracies else None
        if share is not None:
            text += self.tr(", accuracy %1").replace("%1", f"{share:.2%}")
        return text

    def stop(self) -> None:
        """Stop the run after the steps already taken (they stay, as one undo step)."""
        if self.running:
            self._finish(self.tr("Stopped after %1 of %2 steps").replace("%1", str(self._done))
                         .replace("%2", str(self._target)))

    def _finish(self, text: str, error: bool = False) -> None:
        self._timer.stop()
        if self._watching_history:
            self.controller.undo_stack.indexChanged.disconnect(self._on_history_changed)
            self._watching_history = False
        if error:
            self._trainer = None  # it stopped at a step it could not take
        self._run = None
        self._update_buttons()
        self._show_status(text, error=error)

    def _on_any_history_change(self, _index: int) -> None:
        """Another change of the graph than the dock's steps (an edit, an undo, new optimizer
        settings): the next step starts a fresh optimizer on the values shown."""
        if not self._own_edit:
            self._trainer = None
            self.show_settings()

    def _on_history_changed(self, _index: int) -> None:
        if self._own_edit:
            return  # the run's own next values
        self._finish(self.tr("Training stopped: the graph was changed during the run"),
                     error=True)

    # --------------------------------------------------------------------- reset
    def reset(self) -> None:
        """Put back the leaf values from before the first step (one undo step); clear the plot."""
        if self.running:
            self.stop()
        self.controller.set_values({leaf_id: value for leaf_id, value in self.baseline.items()
                                    if self.document.has_node(leaf_id)},
                                   self.tr("Reset training"))
        self._trainer = None
        self._clear_history()
        self._show_status(self.tr("Values reset to before the first step"))

    def _clear_history(self) -> None:
        self.baseline = {}
        self.losses = []
        self.chart.clear()
        self.progress.setValue(0)

    def _on_document_replaced(self, _document: GraphDocument) -> None:
        if self.running:
            self._finish("")
        self._checked = {}
        self._trainer = None
        self._clear_history()
        self._show_status("")
        self._watch_leaves(self.controller.document)
        self.refresh_leaves()
        self.show_settings()

    # ---------------------------------------------------------------- display
    def _update_buttons(self) -> None:
        running = self.running
        for widget in (self.step_button, self.run_button, self.reset_button, self.leaf_list,
                       self.optimizer_combo, self.lr_spin, self.momentum_spin, self.beta1_spin,
                       self.beta2_spin, self.weight_decay_spin, self.steps_spin):
            widget.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #c62828;" if error else "")
        if error and text:
            self.controller.message.emit(text)


def install(window: MainWindow) -> TrainingDock:
    """Add the Training dock to ``window`` (a MainWindow), tabbed with its History dock."""
    dock = TrainingDock(window.controller, window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.tabifyDockWidget(window.history_dock, dock)
    window.inspector.raise_()
    window.add_to_menu("view", "docks", dock.toggleViewAction())
    # a run left going would edit the document while it is saved and while the window is taken
    # down (its undo stack, cleared as it is deleted, would end the run through a dead controller)
    window.closing.connect(dock.stop)
    return dock
