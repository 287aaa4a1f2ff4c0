"""The "Dynamic vs static" dock: the same graph run two ways, side by side.

The lesson ends on dynamic graphs (the operations run as the graph is built, so an ``if`` on a
tensor records whichever branch the data takes) versus static ones (define first, then run).
Two pictures make the contrast:

- a traced graph (Graph > Trace the Branches, ``torch.jit.trace``): the dynamic run beside the
  traced one, which keeps taking the side each branch took when it was traced; change the data
  so that a condition flips and the two columns part (the classic tracing pitfall);
- a static graph (Graph > Static Graph): what the graph computes now, run dynamically, beside
  what the last Run computed (edits wait for the next Run).

Each row is a node: its value and its .grad in each run; a branch node's row says the side it
took. The numbers come from ``controller.evaluated``; the dynamic run of a static graph is one
extra evaluation of a copy (small graphs: a lesson's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.evaluate import EvalResult, evaluate_document
from app.teach.walkthrough import format_number

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow


def _cell(result: EvalResult | None, node_id: str) -> str:
    """What one run gave a node: "value  ·  grad g", a branch's side, or a dash."""
    if result is None:
        return "—"
    if node_id in result.decisions:
        return f"if → {result.decisions[node_id]}"
    outcome = result.nodes.get(node_id)
    if outcome is None or outcome.value is None:
        return "—"
    text = format_number(outcome.value)
    if outcome.grad is not None:
        text += f"   grad {format_number(outcome.grad)}"
    return text


class ComparisonDock(QDockWidget):
    """Two columns of numbers for the two runs, and a line saying which runs they are."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparisonDock")
        self.setWindowTitle(self.tr("Dynamic vs static"))
        self.controller = controller
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)
        self.setWidget(body)
        #: the two runs shown (left: dynamic), None when there is nothing to compare
        self.runs: tuple[EvalResult, EvalResult] | None = None
        controller.evaluated.connect(self.refresh)
        self.refresh()

    def _runs(self, result: EvalResult | None) -> tuple[str, str, EvalResult, EvalResult] | None:
        doc = self.controller.document
        if result is None:
            return None
        if doc.mode == "static" and doc.static_run is not None:
            now = doc.evaluation_copy()
            now.set_mode("dynamic")
            now.set_trace(None)
            if result.traced is not None:
                return (self.tr("dynamic (the graph as it is now)"),
                        self.tr("static (the last Run, traced)"), evaluate_document(now),
                        result.traced)
            return (self.tr("dynamic (the graph as it is now)"),
                    self.tr("static (the last Run)"), evaluate_document(now), result)
        if result.traced is not None:
            return (self.tr("dynamic (the branch the data takes)"),
                    self.tr("traced (the branch taken when traced)"), result, result.traced)
        return None

    def refresh(self, *_: object) -> None:
        runs = self._runs(self.controller.result)
        doc = self.controller.document
        if runs is None:
            self.runs = None
            self.caption.setText(self.tr(
                "Trace a graph with a branch node (Graph > Trace the Branches), or make it "
                "static (Graph > Static Graph) and Run it, to compare the two runs here."))
            self.table.setRowCount(0)
            return
        left_title, right_title, left, right = runs
        if self.runs is None:  # a comparison appears (a Trace, a Run): show it
            self.show()
            self.raise_()
        self.runs = (left, right)
        rows = [node for node in doc.nodes if node.type != "scalar"]
        parted = [node.display_name for node in rows
                  if _cell(left, node.id) != _cell(right, node.id)]
        self.caption.setText(
            self.tr("The two runs differ at: %1").replace("%1", ", ".join(parted)) if parted
            else self.tr("The two runs agree."))
        self.table.setHorizontalHeaderLabels([left_title, right_title])
        self.table.setRowCount(len(rows))
        self.table.setVerticalHeaderLabels([node.display_name for node in rows])
        for row, node in enumerate(rows):
            for column, result in enumerate((left, right)):
                item = QTableWidgetItem(_cell(result, node.id))
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)

    def cell_text(self, node_id: str) -> tuple[str, str]:
        """(left, right) as the table shows them for ``node_id`` (tests, screenshots)."""
        rows = [node.id for node in self.controller.document.nodes if node.type != "scalar"]
        row = rows.index(node_id)
        return self.table.item(row, 0).text(), self.table.item(row, 1).text()


def install(window: MainWindow) -> ComparisonDock:
    """Add the dock below the canvas, where two columns have room (hidden until a graph is
    traced or run statically), and its toggle to the View menu."""
    dock = ComparisonDock(window.controller, window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    if dock.runs is None:
        dock.hide()
    window.add_to_menu("view", "docks", dock.toggleViewAction())
    return dock
