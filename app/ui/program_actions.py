"""Graph menu entries for how the graph runs: backward again, zero grad, static mode, Run, Trace.

Each entry calls the controller's :class:`~app.program_editor.ProgramEditor`, so each edit is
one undo step (Run is no edit: it runs the static graph as it stands). The checkable "Static
Graph" entry and the enabled state of Run and Clear Trace follow the document after every edit
and undo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow


class ProgramActions(QObject):
    """The actions, by key in ``actions`` (also registered with the window)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        program = window.controller.program
        add = window.add_action
        self.actions: dict[str, QAction] = {
            "backward_again": add("backward_again", self.tr("&Backward Again"),
                                  program.backward_again, QKeySequence(self.tr("Ctrl+Shift+B"))),
            "zero_grad": add("zero_grad", self.tr("&Zero Grad"), program.zero_grad,
                             QKeySequence(self.tr("Ctrl+Shift+0"))),
            "reset_backward": add("reset_backward", self.tr("Backward &Once"),
                                  program.reset_backward),
            "static_mode": add("static_mode", self.tr("&Static Graph (Define, then Run)"),
                               self._set_static, checkable=True),
            "run": add("run", self.tr("&Run"), program.run, QKeySequence(self.tr("F5"))),
            "trace": add("trace", self.tr("&Trace the Branches"), program.trace),
            "clear_trace": add("clear_trace", self.tr("&Clear Trace"), program.clear_trace),
        }
        tips = {
            "backward_again": self.tr("Call backward on the output once more, without zeroing: "
                                      "the leaves' .grad add up (w.grad 5, 10, 15)"),
            "zero_grad": self.tr("w.grad.zero_() on every leaf that requires grad, a layer's "
                                 "weight and bias included"),
            "reset_backward": self.tr("Call backward once, as a new graph does"),
            "static_mode": self.tr("Define the graph first; it runs only when you press Run"),
            "run": self.tr("Run the static graph as it is now"),
            "trace": self.tr("Freeze each branch on the side the data takes now, as "
                             "torch.jit.trace does"),
        }
        for key, tip in tips.items():
            self.actions[key].setStatusTip(tip)
        window.controller.undo_stack.indexChanged.connect(self.refresh)
        window.controller.document_replaced.connect(self.refresh)
        self.refresh()

    def _set_static(self, on: bool) -> None:
        self.window.controller.program.set_mode("static" if on else "dynamic")
        self.refresh()

    def refresh(self, *_: object) -> None:
        doc = self.window.controller.document
        static = self.actions["static_mode"]
        was = static.blockSignals(True)
        static.setChecked(doc.mode == "static")
        static.blockSignals(was)
        self.actions["run"].setEnabled(doc.mode == "static")
        self.actions["clear_trace"].setEnabled(doc.trace is not None)


def install(window: MainWindow) -> ProgramActions:
    """Add the entries to the Graph menu, in two sections: backward, and how the graph runs."""
    feature = ProgramActions(window)
    actions = feature.actions
    window.add_to_menu("graph", "backward", *(actions[k] for k in (
        "backward_again", "zero_grad", "reset_backward")))
    window.add_to_menu("graph", "run", *(actions[k] for k in (
        "static_mode", "run", "trace", "clear_trace")))
    return feature
