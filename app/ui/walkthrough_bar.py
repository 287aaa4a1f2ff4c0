"""The step-by-step walkthrough on the canvas: a toolbar, a formula panel and the highlights.

"Step Backward" walks the backward pass node by node in the order the engine ran it, "Step
Forward" the forward pass in topological order (the steps come from :mod:`app.teach.walkthrough`).
While a walkthrough is on, the canvas marks the current node and the wires taking part in its
step, and the nodes already visited; the formula panel shows the step's formula in a font large
enough for a projector. Prev / Next (the Left / Right keys) move one step, Play moves on by itself
at the speed of the slider. "Predict, then Reveal" hides the numbers of the steps not reached yet
("?") so the class can predict each one before Next reveals it; "Reveal All" ends the game.
Leaving the walkthrough gives the canvas back its normal look. An edit of the document while
walking recomputes the steps and keeps the current step number where it still exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSlider,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.canvas import GraphScene
from app.controller import DocumentController
from app.display.messages import localised
from app.teach.walkthrough import Step, backward_steps, forward_steps

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow

#: Play speed: the slider gives steps per 10 seconds; the timer waits 10 s / speed per step.
SPEED_RANGE = (1, 50)
DEFAULT_SPEED = 5
FORMULA_POINT_SIZE = 24.0
NOTE_POINT_SIZE = 14.0


class FormulaPanel(QDockWidget):
    """The current step in large type: which step it is, its formula and what it means."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Walkthrough"))
        self.setObjectName("WalkthroughDock")
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.step_label = QLabel(body)
        self.formula_label = QLabel(body)
        self.note_label = QLabel(body)
        formula_font = QFont(self.formula_label.font())
        formula_font.setPointSizeF(FORMULA_POINT_SIZE)
        self.formula_label.setFont(formula_font)
        note_font = QFont(self.note_label.font())
        note_font.setPointSizeF(NOTE_POINT_SIZE)
        self.note_label.setFont(note_font)
        self.step_label.setFont(note_font)
        for label in (self.step_label, self.formula_label, self.note_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(label)
        layout.addStretch(1)
        self.setWidget(body)

    def show_step(self, title: str, formula: str, note: str) -> None:
        self.step_label.setText(title)
        self.formula_label.setText(formula)
        self.note_label.setText(note)
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def shrink_to_text(self) -> None:
        """Take the height the texts need, no more: a panel shown anew gets the height its
        size hint asks at a narrow width, which leaves the canvas little room."""
        window = self.parentWidget()
        if isinstance(window, QMainWindow) and not self.isFloating():
            window.resizeDocks([self], [self.minimumSizeHint().height()],
                               Qt.Orientation.Vertical)

    def _fit_height(self) -> None:
        """Ask the window for the height the wrapped texts need at the panel's width (a long
        formula takes two lines in a narrow window, and was cut in half)."""
        body = self.widget()
        # a hidden panel has no width of its own yet: it will span the window (a bottom dock);
        # a long formula wrapped at a stale width would grow the window past the screen
        width = body.width() if self.isVisible() else self.window().width()
        needed = min(body.layout().heightForWidth(width), self.window().height() // 2)
        if needed > 0 and needed != body.minimumHeight():
            body.setMinimumHeight(needed)


class WalkthroughBar(QToolBar):
    """The Walkthrough toolbar and the state of the walk: mode, steps, current index.

    ``mode`` is "backward", "forward" or None (off); ``steps`` the current mode's steps and
    ``index`` the current step. In predict mode the steps after ``index`` are hidden.
    ``step_shown`` is emitted once the canvas shows a step (or the walkthrough ended).
    """

    step_shown = Signal()

    def __init__(self, controller: DocumentController, scene: GraphScene,
                 panel: FormulaPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Walkthrough"))
        self.setObjectName("WalkthroughToolBar")
        self.controller = controller
        self.scene = scene
        self.panel = panel
        self.mode: str | None = None
        self.steps: list[Step] = []
        self.index = 0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_tick)

        self.backward_action = self._action(self.tr("Step &Backward"), checkable=True,
                                            tip=self.tr("Walk through backward() node by node"))
        self.forward_action = self._action(self.tr("Step &Forward"), checkable=True,
                                           tip=self.tr("Walk through the forward pass node by "
                                                       "node"))
        modes = QActionGroup(self)
        modes.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        modes.addAction(self.backward_action)
        modes.addAction(self.forward_action)
        self.backward_action.toggled.connect(lambda on: self._mode_toggled("backward", on))
        self.forward_action.toggled.connect(lambda on: self._mode_toggled("forward", on))
        self.prev_action = self._action(self.tr("&Previous Step"), self.prev,
                                        QKeySequence(Qt.Key.Key_Left))
        self.next_action = self._action(self.tr("&Next Step"), self.next,
                                        QKeySequence(Qt.Key.Key_Right))
        # A presenter clicker sends PageDown / PageUp (some send Space): they step too, and
        # "next" outside a walkthrough starts the backward one, so a class can begin with it.
        self.clicker_next_action = self._action(self.tr("Next (Presenter Clicker)"),
                                                self.clicker_next)
        self.clicker_next_action.setShortcut(QKeySequence(Qt.Key.Key_PageDown))
        self.clicker_prev_action = self._action(self.tr("Previous (Presenter Clicker)"),
                                                self.prev)
        self.clicker_prev_action.setShortcut(QKeySequence(Qt.Key.Key_PageUp))
        self.play_action = self._action(self.tr("&Play"), checkable=True,
                                        tip=self.tr("Move on one step at a time by itself"))
        self.play_action.toggled.connect(self._play_toggled)
        self.speed_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.speed_slider.setRange(*SPEED_RANGE)
        self.speed_slider.setValue(DEFAULT_SPEED)
        self.speed_slider.setMaximumWidth(120)
        self.speed_slider.setToolTip(self.tr("Play speed"))
        self.speed_slider.valueChanged.connect(self._update_interval)
        self.predict_action = self._action(self.tr("Predict, then &Reveal"), checkable=True,
                                           tip=self.tr("Hide the numbers of the steps ahead; "
                                                       "Next reveals them one by one"))
        self.predict_action.toggled.connect(lambda _on: self._refresh())
        self.reveal_action = self._action(self.tr("Reveal &All"), self.reveal_all)

        for action in (self.backward_action, self.forward_action):
            self.addAction(action)
        self.addSeparator()
        for action in (self.prev_action, self.next_action, self.play_action):
            self.addAction(action)
        self.addWidget(self.speed_slider)
        self.addSeparator()
        self.addAction(self.predict_action)
        self.addAction(self.reveal_action)
        self._update_interval()

        controller.evaluated.connect(self._on_evaluated)
        controller.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self._refresh()

    def _action(self, text: str, slot: Any = None, shortcut: QKeySequence | None = None,
                checkable: bool = False, tip: str | None = None) -> QAction:
        action = QAction(text, self)
        action.setCheckable(checkable)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if tip is not None:
            action.setToolTip(tip)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        return action

    # ---------------------------------------------------------------- control
    @property
    def predicting(self) -> bool:
        return self.predict_action.isChecked()

    def current_step(self) -> Step | None:
        return self.steps[self.index] if self.mode and self.steps else None

    def start(self, mode: str) -> None:
        """Turn the walkthrough on in ``mode`` ("backward" or "forward") at its first step."""
        (self.backward_action if mode == "backward" else self.forward_action).setChecked(True)

    def stop(self) -> None:
        """Leave the walkthrough: the canvas looks as usual again."""
        for action in (self.backward_action, self.forward_action):
            action.setChecked(False)

    def next(self) -> None:
        self.go_to(self.index + 1)

    def clicker_next(self) -> None:
        """A clicker's "next": the next step, or the backward walkthrough's first one."""
        if self.mode is None:
            self.start("backward")
        else:
            self.next()

    def prev(self) -> None:
        self.go_to(self.index - 1)

    def go_to(self, index: int) -> None:
        if self.mode is None or not self.steps:
            return
        self.index = max(0, min(index, len(self.steps) - 1))
        self._refresh()

    def show_text(self, title: str, formula: str, note: str) -> None:
        """Show another feature's formula in the panel (a training step's update), leaving the
        walkthrough: the graph it walked has just changed."""
        if self.mode is not None:
            self.stop()
        was_hidden = self.panel.isHidden()
        self.panel.show_step(title, formula, note)
        self.panel.show()
        if was_hidden:
            self.panel.shrink_to_text()

    def reveal_all(self) -> None:
        """End "predict, then reveal": every number shows again."""
        self.predict_action.setChecked(False)

    def _mode_toggled(self, mode: str, on: bool) -> None:
        if on:
            self.mode = mode
            self.index = 0
            self._recompute()
        elif self.mode == mode:
            self.mode = None
            self.play_action.setChecked(False)
        self._refresh()

    def _play_toggled(self, on: bool) -> None:
        if on and self.steps and self.index >= len(self.steps) - 1:
            self.go_to(0)  # Play at the end starts over
        if on:
            self.timer.start()
        else:
            self.timer.stop()

    def _update_interval(self) -> None:
        self.timer.setInterval(round(10_000 / self.speed_slider.value()))

    def _on_tick(self) -> None:
        if self.mode is None or self.index >= len(self.steps) - 1:
            self.play_action.setChecked(False)
            return
        self.next()
        if self.index >= len(self.steps) - 1:
            self.play_action.setChecked(False)

    # --------------------------------------------------------- document edits
    def _on_evaluated(self, _result: Any) -> None:
        if self.mode is not None:
            self._recompute()
            self._refresh()

    def _on_undo_index_changed(self, _index: int) -> None:
        # a rename is not evaluated, but changes the labels in the formulas
        if self.mode is not None and not self.controller.evaluation_pending:
            self._on_evaluated(self.controller.result)

    def _recompute(self) -> None:
        result = self.controller.result
        doc = self.controller.document
        if result is None:
            self.steps = []
        elif self.mode == "backward":
            self.steps = backward_steps(doc, result)
        else:
            self.steps = forward_steps(doc, result)
        self.index = max(0, min(self.index, len(self.steps) - 1))

    # -------------------------------------------------------------- painting
    def _refresh(self) -> None:
        on = self.mode is not None
        for action in (self.prev_action, self.next_action, self.play_action,
                       self.predict_action, self.reveal_action):
            action.setEnabled(on)
        self.speed_slider.setEnabled(on)
        if on:
            self.prev_action.setEnabled(self.index > 0)
            self.next_action.setEnabled(self.index < len(self.steps) - 1)
            self.reveal_action.setEnabled(self.predicting)
        self.panel.setVisible(on)
        self._paint_canvas()
        if on:
            self._show_formula()
        self.step_shown.emit()

    def _paint_canvas(self) -> None:
        """Give every node card and wire its highlight and hidden state for the current step."""
        node_marks: dict[str, str] = {}
        wire_marks: dict[tuple[str, int], str] = {}
        hidden_nodes: dict[str, str] = {}
        hidden_wires: set[tuple[str, int]] = set()
        step = self.current_step()
        if step is not None:
            for earlier in self.steps[:self.index]:
                node_marks[earlier.node_id] = "visited"
            node_marks[step.node_id] = "current"
            wire_marks = dict.fromkeys(step.wires, "current")
            if self.predicting:
                hidden_nodes, hidden_wires = self._hidden()
        for node_id, item in self.scene.nodes.items():
            item.set_highlight(node_marks.get(node_id))
        for key, edge_item in self.scene.edges.items():
            edge_item.set_highlight(wire_marks.get(key))
        self.scene.hide_answers(hidden_nodes, hidden_wires)

    def _hidden(self) -> tuple[dict[str, str], set[tuple[str, int]]]:
        """What predict mode hides: per node "all" or "grad", and the wires whose pill hides.

        Backward: the gradients of the steps ahead, and the gradients flowing into them.
        Forward: the values of the steps ahead, and every gradient (backward has not run yet).
        """
        ahead = {step.node_id for step in self.steps[self.index + 1:]}
        if self.mode == "backward":
            nodes = dict.fromkeys(ahead, "grad")
            wires = {key for key, item in self.scene.edges.items() if item.edge.src in ahead}
            return nodes, wires
        nodes = {node_id: "all" if node_id in ahead else "grad" for node_id in self.scene.nodes}
        return nodes, set(self.scene.edges)

    def _show_formula(self) -> None:
        step = self.current_step()
        if step is None:
            if self.mode == "backward":
                note = self.tr("Nothing to walk through: backward() does not run. Choose a "
                               "tensor output (Graph ▸ Set Output) that depends on a tensor "
                               "requiring grad.")
            else:
                note = self.tr("Nothing to walk through: the graph has no operations yet.")
            self.panel.show_step("", "", note)
            return
        name = self._display_name(step.node_id)
        title = (self.tr("Backward · step %1 of %2: %3") if self.mode == "backward"
                 else self.tr("Forward · step %1 of %2: %3"))
        title = (title.replace("%1", str(self.index + 1)).replace("%2", str(len(self.steps)))
                 .replace("%3", name))
        self.panel.show_step(title, step.formula, self._note(step, name))

    def _display_name(self, node_id: str) -> str:
        doc = self.controller.document
        return doc.node(node_id).display_name if doc.has_node(node_id) else node_id

    def _note(self, step: Step, name: str) -> str:
        """What the step means, in words."""
        result = self.controller.result
        node_result = result.nodes.get(step.node_id) if result is not None else None
        node = (self.controller.document.node(step.node_id)
                if self.controller.document.has_node(step.node_id) else None)
        if step.kind == "seed":
            if self.controller.document.backward.gradient is not None:
                return self.tr("backward(gradient=...) starts at the output %1 with the "
                               "gradient you gave instead of 1: each element of %1 is "
                               "weighted, so every .grad is the weighted sum of the elements' "
                               "gradients.").replace("%1", name)
            return self.tr("backward() starts at the output %1 with the gradient 1: "
                           "d%1/d%1 = 1.").replace("%1", name)
        if step.kind == "forward":
            control = node.spec.control if node is not None else None
            if control == "differentiate" and not step.error and step.blocked_by is None:
                return self.tr("%1 = torch.autograd.grad(...)[0] runs a backward pass inside "
                               "the forward one. With create_graph=True that pass is recorded "
                               "too, so another grad node can differentiate %1 again (a "
                               "second derivative).").replace("%1", name)
            side = result.decisions.get(step.node_id) if result is not None else None
            if control == "choose" and side is not None:
                return self.tr("The if %1 took its %2 side: only that side ran, so only it "
                               "is in the graph autograd recorded. Other data may take the "
                               "other side: the graph is dynamic.").replace(
                    "%1", name).replace("%2", side)
            if step.error:
                return self.tr("This operation failed: %1").replace("%1", localised(step.error))
            if step.blocked_by is not None:
                return self.tr("No value: the input %1 failed.").replace(
                    "%1", self._display_name(step.blocked_by))
            if node_result is not None and node_result.grad_fn:
                return self.tr("Computing %1 records %2 in the graph, for the backward pass.") \
                    .replace("%1", name).replace("%2", node_result.grad_fn)
            return self.tr("No input of %1 requires grad, so no graph is recorded.") \
                .replace("%1", name)
        parts = []
        if len(step.terms) > 1:
            parts.append(self.tr("%1 is used %2 times, so the gradients of its branches add "
                                 "up.").replace("%1", name).replace("%2", str(len(step.terms))))
        if node_result is not None and node_result.is_leaf:
            parts.append(self.tr("%1 is a leaf: backward stores this in %1.grad.")
                         .replace("%1", name))
        elif node is not None and node.retain_grad:
            parts.append(self.tr("%1 is not a leaf, but retain_grad() keeps this in %1.grad.")
                         .replace("%1", name))
        else:
            parts.append(self.tr("%1 is not a leaf: backward passes this gradient on and does "
                                 "not keep it (%1.grad is None).").replace("%1", name))
        return " ".join(parts)


def install(window: MainWindow) -> WalkthroughBar:
    """Add the walkthrough toolbar, its formula panel (bottom dock, hidden until a walkthrough
    starts) and a Walkthrough submenu at the end of the View menu to ``window``."""
    panel = FormulaPanel(window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, panel)
    panel.hide()
    bar = WalkthroughBar(window.controller, window.scene, panel, window)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    keys = {"walk_backward": bar.backward_action, "walk_forward": bar.forward_action,
            "walk_prev": bar.prev_action, "walk_next": bar.next_action,
            "walk_play": bar.play_action, "walk_predict": bar.predict_action,
            "walk_reveal": bar.reveal_action}
    for key, action in keys.items():
        window.register_action(key, action)
    # the keys must work in presentation mode too, where the toolbar is hidden
    window.addActions([bar.prev_action, bar.next_action, bar.clicker_next_action,
                       bar.clicker_prev_action])
    window.view.space_tapped.connect(lambda: bar.next() if bar.mode is not None else None)
    submenu = QMenu(QCoreApplication.translate("WalkthroughBar", "&Walkthrough"), window)
    submenu.addActions(list(keys.values()))
    window.add_to_menu("view", "walkthrough", submenu)
    window.closing.connect(lambda: bar.play_action.setChecked(False))  # Play stops on close
    return bar
