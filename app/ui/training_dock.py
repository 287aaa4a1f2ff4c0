"""The Training dock: gradient descent on the open graph, with a live loss-versus-step plot.

The teacher ticks the leaves to learn (the tensor leaves with requires_grad), picks a learning rate
and presses Step or Run N steps; the canvas values move as the steps go and the loss is plotted.
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

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.model import GraphDocument
from app.teach.training import Trainer, TrainingError, leaf_values, trainable_leaves

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow

DEFAULT_LR = 0.05  # converges on the linear_regression example (diverges above about 0.08)
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
        self.y_axis = QValueAxis()
        self.y_axis.setTitleText(self.tr("loss"))
        self.y_axis.setLabelFormat("%.3g")
        text = self.palette().windowText()
        for axis, side in ((self.x_axis, Qt.AlignmentFlag.AlignBottom),
                           (self.y_axis, Qt.AlignmentFlag.AlignLeft)):
            axis.setLabelsBrush(text)
            axis.setTitleBrush(text)
            chart.addAxis(axis, side)
            self.series.attachAxis(axis)
        self._low = 0.0
        self._high = 1.0
        self.clear()

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
        span = self._high - self._low
        self.y_axis.setRange(self._low, self._high + (0.05 * span if span > 0 else 1.0))


class TrainingDock(QDockWidget):
    """Step / Run N steps / Stop / Reset for gradient descent on the controller's document."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Training"), parent)
        self.setObjectName("trainingDock")
        self.controller = controller
        #: leaf values from before the first step since the dock opened or was reset
        self.baseline: dict[str, Any] = {}
        self.losses: list[float] = []
        self._checked: dict[str, bool] = {}
        self._trainer: Trainer | None = None
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
        controller.document_replaced.connect(self._on_document_replaced)
        self.refresh_leaves()
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

        form = QFormLayout()
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setDecimals(4)
        self.lr_spin.setRange(0.0001, 10.0)
        self.lr_spin.setSingleStep(0.01)
        self.lr_spin.setValue(DEFAULT_LR)
        form.addRow(self.tr("Learning rate (lr):"), self.lr_spin)
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
        self.setWidget(body)

    # -------------------------------------------------------------------- leaves
    @property
    def document(self) -> GraphDocument:
        return self.controller.document

    def refresh_leaves(self, _result: Any = None) -> None:
        """List the requires_grad leaves by label, keeping the ticks the user set."""
        doc = self.document
        rows = [(leaf_id, doc.node(leaf_id).display_name) for leaf_id in trainable_leaves(doc)]
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
        return self._trainer is not None

    def step_once(self) -> bool:
        """One gradient-descent step, as its own undo step."""
        return self.run_steps(1)

    def run_steps(self, n: int | None = None) -> bool:
        """Start a run of ``n`` steps (the spin box's N by default); False if it cannot start."""
        if self.running:
            return False
        leaves = self.chosen_leaves()
        try:
            self._trainer = Trainer(self.document, leaves, self.lr_spin.value())
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

    def _train_text(self) -> str:
        if self._done == 1:
            return self.tr("Train 1 step")
        return self.tr("Train %1 steps").replace("%1", str(self._done))

    def _summary(self) -> str:
        if not self.losses:
            return ""
        return (self.tr("Step %1 of %2: loss %3").replace("%1", str(self._done))
                .replace("%2", str(self._target)).replace("%3", f"{self.losses[-1]:.6g}"))

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
        self._trainer = None
        self._run = None
        self._update_buttons()
        self._show_status(text, error=error)

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
        self._clear_history()
        self._show_status("")
        self.refresh_leaves()

    # ---------------------------------------------------------------- display
    def _update_buttons(self) -> None:
        running = self.running
        for widget in (self.step_button, self.run_button, self.reset_button, self.leaf_list,
                       self.lr_spin, self.steps_spin):
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
