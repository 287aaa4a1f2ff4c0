"""The autograd graph dock: the backward graph the engine recorded, drawn as torchviz draws it.

Every ``controller.evaluated`` hands over ``EvalResult.autograd``, the grad_fn nodes reachable
from the output. The dock draws one box per grad_fn with its PyTorch name (AccumulateGrad boxes
in the leaf colour, with the leaf's label), an arrow from each node to each of its
next_functions (the way gradients flow: the output at the top, the leaves at the bottom) and a
small dashed "None" box where a python number or a tensor without grad was the operand.

While one grad node (``torch.autograd.grad(..., create_graph=True)``) is selected on the
canvas, the dock draws the graph its derivative recorded instead (``EvalResult.derivatives``):
the graph a second grad node differentiates again. A branch node's untaken side runs no
operation, so only the side that ran appears in either graph.

Rows are the longest path from the output; the order inside a row comes from a few barycentric
sweeps (each box moves towards the mean position of its neighbours), which is enough to keep
the small graphs of a lesson free of crossings. Selection is shared with the canvas: selecting
a box selects the document node it belongs to, and selecting nodes on the canvas highlights
their boxes. Colours are read from the palette at paint time, so a theme switch needs no rebuild.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QResizeEvent,
    QTransform,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QStackedWidget,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from app.canvas import GraphScene
from app.canvas.style import canvas_colours, centred, font
from app.controller import DocumentController
from app.evaluate import EvalResult
from app.evaluate.evaluator import AUTOGRAD_RECORD_LIMIT
from app.evaluate.results import AutogradNode
from app.model import GraphDocument, Node

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow

#: Larger graphs get a message instead of a drawing: layout and painting stay instant (the
#: evaluator lists no more than this, see AUTOGRAD_RECORD_LIMIT).
MAX_BOXES = AUTOGRAD_RECORD_LIMIT
#: Boxes never grow beyond this zoom when a small graph is fitted into a large dock.
MAX_SCALE = 1.4
NAME_POINT_SIZE = 13.0
LABEL_POINT_SIZE = 12.0
PAD_X, PAD_Y = 14.0, 8.0
COLUMN_GAP, ROW_GAP = 20.0, 56.0
FIT_MARGIN = 16.0
ARROW_SIZE = 9.0
ACCUMULATE_GRAD = "AccumulateGrad"
NONE_TEXT = "None"

#: A vertex of the drawing: a grad_fn key, or (key, slot) for the None operand in that slot.
Vertex = Hashable


# ----------------------------------------------------------------------- layout
def graph_layers(records: list[AutogradNode], sweeps: int = 4) -> list[list[Vertex]]:
    """The vertices row by row: row = longest path from the output, ordered barycentrically.

    ``records`` is ``EvalResult.autograd`` (key 0 is the output's grad_fn). None operands become
    vertices ``(key, slot)`` one row below their node.
    """
    children: dict[Vertex, list[Vertex]] = {}
    for record in records:
        children[record.key] = [nxt if nxt is not None else (record.key, slot)
                                for slot, nxt in enumerate(record.next)]
    parents: dict[Vertex, list[Vertex]] = {}
    for vertex, below in children.items():
        for child in below:
            parents.setdefault(child, []).append(vertex)

    # longest path: Kahn's topological order, each vertex one row below its deepest parent
    waiting = {record.key: len(parents.get(record.key, ())) for record in records}
    depth: dict[Vertex, int] = {}
    ready = [record.key for record in records if waiting[record.key] == 0]
    while ready:
        vertex = ready.pop()
        depth.setdefault(vertex, 0)
        for child in children[vertex]:
            depth[child] = max(depth.get(child, 0), depth[vertex] + 1)
            if child in waiting:
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)

    rows: list[list[Vertex]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    # start from the order of discovery, operands in slot order: the engine's own walk
    order = dict.fromkeys([records[0].key] if records else [])
    for record in records:
        order.update(dict.fromkeys(children[record.key]))
    for vertex in order:
        rows[depth[vertex]].append(vertex)

    position = _positions(rows)
    for sweep in range(sweeps):
        downwards = sweep % 2 == 0
        neighbours = parents if downwards else children
        indices = range(1, len(rows)) if downwards else range(len(rows) - 2, -1, -1)
        for index in indices:
            rows[index] = sorted(rows[index], key=lambda v: _barycentre(
                neighbours.get(v, ()), position, position[v]))
            position.update(_positions([rows[index]]))  # only this row moved
    return rows


def _positions(rows: list[list[Vertex]]) -> dict[Vertex, float]:
    """Each vertex's place in its row, centred on 0 so rows of any length line up."""
    return {vertex: i - (len(row) - 1) / 2 for row in rows for i, vertex in enumerate(row)}


def _barycentre(neighbours: Any, position: dict[Vertex, float], own: float) -> float:
    places = [position[n] for n in neighbours]
    return sum(places) / len(places) if places else own


# ------------------------------------------------------------------------ items
class GradFnBox(QGraphicsItem):
    """One grad_fn (or a None operand) as a rounded box with its name, centred on its pos."""

    def __init__(self, vertex: Vertex, name: str, node_id: str | None = None,
                 label: str | None = None, is_output: bool = False) -> None:
        super().__init__()
        self.vertex = vertex
        self.name = name
        self.node_id = node_id
        self.label = label
        self.is_output = is_output
        self.kind = "none" if name == NONE_TEXT else (
            "leaf" if name == ACCUMULATE_GRAD else "op")
        self.name_font = font(NAME_POINT_SIZE if self.kind != "none" else LABEL_POINT_SIZE,
                              bold=self.kind != "none")
        self.label_font = font(LABEL_POINT_SIZE)
        name_metrics, label_metrics = QFontMetricsF(self.name_font), QFontMetricsF(self.label_font)
        width = name_metrics.horizontalAdvance(name)
        height = name_metrics.height()
        if label:
            width = max(width, label_metrics.horizontalAdvance(label))
            height += label_metrics.height()
        self._name_height = name_metrics.height()
        self._rect = QRectF(-width / 2 - PAD_X, -height / 2 - PAD_Y,
                            width + 2 * PAD_X, height + 2 * PAD_Y)
        if node_id is not None:
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def text(self) -> str:
        """The text painted in the box: the name, and the leaf's label under AccumulateGrad."""
        return f"{self.name}\n{self.label}" if self.label else self.name

    @property
    def highlighted(self) -> bool:
        return self.isSelected()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    def box_rect(self) -> QRectF:
        return QRectF(self._rect)

    def fill_colour(self) -> QColor:
        colours = canvas_colours()
        if self.kind == "leaf":
            return colours.headers["tensor"]
        if self.kind == "none":
            return colours.background
        return colours.card

    def paint(self, painter: QPainter, _option: QStyleOptionGraphicsItem,
              _widget: QWidget | None = None) -> None:
        colours = canvas_colours()
        fill = self.fill_colour()
        if self.isSelected():
            fill = _blend(fill, colours.selection, 0.35)
            pen = QPen(colours.selection, 3.0)
        elif self.kind == "none":
            pen = QPen(colours.muted, 1.5, Qt.PenStyle.DashLine)
        elif self.is_output:
            pen = QPen(colours.output, 2.5)
        elif self.kind == "leaf":
            pen = QPen(colours.accents["tensor"], 1.5)
        else:
            pen = QPen(colours.outline, 1.5)
        painter.setPen(pen)
        painter.setBrush(QBrush(fill))
        painter.drawRoundedRect(self._rect, 7.0, 7.0)

        painter.setPen(colours.muted if self.kind == "none" else colours.text)
        painter.setFont(self.name_font)
        inner = self._rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        name_rect = QRectF(inner.left(), inner.top(), inner.width(), self._name_height)
        painter.drawText(name_rect, self.name, centred())
        if self.label:
            painter.setFont(self.label_font)
            painter.drawText(inner.adjusted(0, self._name_height, 0, 0), self.label, centred())


class ArrowItem(QGraphicsItem):
    """An arrow from a box to one of its next_functions (bottom edge to top edge)."""

    def __init__(self, source: GradFnBox, target: GradFnBox) -> None:
        super().__init__()
        self.source, self.target = source, target
        self.to_none = target.kind == "none"
        self.setZValue(-1)
        start = source.pos() + QPointF(0, source.box_rect().bottom())
        end = target.pos() + QPointF(0, target.box_rect().top())
        self._path = QPainterPath(start)
        bend = (end.y() - start.y()) / 2
        self._path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)
        # the head points along the curve's last tangent, which is straight down
        self._head = QPolygonF([end, end + QPointF(-ARROW_SIZE / 2, -ARROW_SIZE),
                                end + QPointF(ARROW_SIZE / 2, -ARROW_SIZE)])

    def boundingRect(self) -> QRectF:
        return self._path.boundingRect().united(self._head.boundingRect()).adjusted(-3, -3, 3, 3)

    def paint(self, painter: QPainter, _option: QStyleOptionGraphicsItem,
              _widget: QWidget | None = None) -> None:
        colours = canvas_colours()
        colour = colours.muted if self.to_none else colours.wire
        painter.setPen(QPen(colour, 1.8, Qt.PenStyle.DashLine if self.to_none
                            else Qt.PenStyle.SolidLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(self._head)


def _blend(base: QColor, tint: QColor, amount: float) -> QColor:
    return QColor.fromRgbF(*(b + (t - b) * amount for b, t in
                             zip(base.getRgbF()[:3], tint.getRgbF()[:3], strict=True)))


# ------------------------------------------------------------------------- view
class AutogradGraphView(QGraphicsView):
    """The drawing, always fitted to the dock (never zoomed beyond ``MAX_SCALE``)."""

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setObjectName("autogradView")
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def fit(self) -> None:
        bounds = self.scene().itemsBoundingRect()
        if bounds.isEmpty():
            return
        bounds.adjust(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        self.setSceneRect(bounds)
        self.fitInView(bounds, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > MAX_SCALE:
            self.setTransform(QTransform.fromScale(MAX_SCALE, MAX_SCALE))
            self.centerOn(bounds.center())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, canvas_colours().background)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.viewport().update()


# ------------------------------------------------------------------------- dock
class AutogradDock(QDockWidget):
    """The backward graph of the latest evaluation, selection-linked to the canvas."""

    def __init__(self, controller: DocumentController, canvas: GraphScene,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("autogradDock")
        self.setWindowTitle(self.tr("Autograd graph"))
        self.controller = controller
        self.canvas = canvas
        self.graph_scene = QGraphicsScene(self)
        self.view = AutogradGraphView(self.graph_scene)
        self.message_label = QLabel()
        self.message_label.setObjectName("autogradMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setMargin(16)
        self.message_label.setFont(font(LABEL_POINT_SIZE))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message_label)
        #: what the drawing is, above it: the output's backward graph or a derivative's
        self.caption = QLabel()
        self.caption.setObjectName("autogradCaption")
        self.caption.setWordWrap(True)
        drawing = QWidget()
        column = QVBoxLayout(drawing)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.caption)
        column.addWidget(self.view, 1)
        self.drawing = drawing
        self.stack.addWidget(drawing)
        self.setWidget(self.stack)
        self._boxes: list[GradFnBox] = []
        self._arrows: list[ArrowItem] = []
        # set while this dock itself changes a selection, so the echo is not sent back
        self._syncing = False
        self._document: GraphDocument | None = None
        self._derivative_of: str | None = None
        #: the result to draw, and whether it is not drawn yet: a dock that cannot be seen
        #: (behind the Inspector tab, as the window opens, or closed) draws nothing until it
        #: is shown or asked (at 300 grad_fn nodes a drawing takes tens of milliseconds)
        self._wanted: EvalResult | None = None
        self._stale = False

        self.visibilityChanged.connect(self._on_visibility_changed)
        controller.evaluated.connect(self.show_result)
        controller.document_replaced.connect(self._on_document_replaced)
        canvas.selectionChanged.connect(self._on_canvas_selection)
        canvas.answers_hidden.connect(lambda: self.show_result(self.controller.result))
        self.graph_scene.selectionChanged.connect(self._on_box_selection)
        self._watch(controller.document)
        self.show_result(controller.result)

    # ------------------------------------------------------------ queries
    @property
    def boxes(self) -> list[GradFnBox]:
        """The grad_fn boxes drawn (drawn first if the dock was hidden since the last result)."""
        self._bring_up_to_date()
        return self._boxes

    @property
    def arrows(self) -> list[ArrowItem]:
        self._bring_up_to_date()
        return self._arrows

    @property
    def derivative_of(self) -> str | None:
        """The grad node whose derivative graph is drawn (None: the output's backward graph)."""
        self._bring_up_to_date()
        return self._derivative_of

    def showing(self) -> bool:
        """Whether the user can see the dock (not closed, not behind another tab)."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def message(self) -> str:
        """The empty-state text shown instead of the drawing ("" while a graph is drawn)."""
        self._bring_up_to_date()
        return self.message_label.text() if self.stack.currentWidget() is self.message_label \
            else ""

    def boxes_of(self, node_id: str) -> list[GradFnBox]:
        """The boxes belonging to document node ``node_id``."""
        return [box for box in self.boxes if box.node_id == node_id]

    # ----------------------------------------------------------- building
    def show_result(self, result: EvalResult | None) -> None:
        """Draw the backward graph of ``result`` (or say why there is none): now if the dock
        can be seen, else once it is shown or asked."""
        self._wanted, self._stale = result, True
        if self.showing():
            self._bring_up_to_date()

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self._bring_up_to_date()

    def _bring_up_to_date(self) -> None:
        if self._stale:
            self._stale = False
            self._draw_result(self._wanted)

    def _draw_result(self, result: EvalResult | None) -> None:
        self._syncing = True
        try:
            self.graph_scene.clear()
            self._boxes, self._arrows = [], []
            self._derivative_of = self._selected_derivative(result)
            if self._derivative_of is None:
                self.caption.hide()
                reason = self._empty_reason(result)
                if reason:
                    self.message_label.setText(reason)
                    self.stack.setCurrentWidget(self.message_label)
                    return
                self._draw(result.autograd)
            else:
                self.caption.setText(self.tr(
                    "The graph the derivative %1 recorded (create_graph=True): a grad node "
                    "wired to %1 differentiates it again.").replace(
                    "%1", self.controller.document.node(self._derivative_of).display_name))
                self.caption.show()
                self._draw(result.derivatives[self._derivative_of])
            self.stack.setCurrentWidget(self.drawing)
            self._highlight(self.canvas.selected_ids()[0])
        finally:
            self._syncing = False
        self.view.fit()

    def _selected_derivative(self, result: EvalResult | None) -> str | None:
        """The one selected grad node, when its derivative recorded a graph."""
        selected = self.canvas.selected_ids()[0]
        if result is None or len(selected) != 1 or selected[0] not in result.derivatives:
            return None
        return selected[0]

    def _empty_reason(self, result: EvalResult | None) -> str:
        document = self.controller.document
        output = result.output if result is not None else None
        if output is None or not document.has_node(output):
            return self.tr("Set an output node to see the backward graph")
        name = document.node(output).display_name
        outcome = result.nodes.get(output)
        if outcome is not None and (outcome.error or outcome.blocked_by):
            return self.tr("The output %1 has an error, so backward did not run.") \
                .replace("%1", name)
        if not result.autograd_size:
            return self.tr("The output %1 has no grad_fn, so backward records no graph: "
                           "it is a leaf or nothing it depends on requires grad.") \
                .replace("%1", name)
        if result.autograd_size > MAX_BOXES:
            return self.tr("Graph too large to draw: %1 grad_fn nodes (at most %2 are drawn).") \
                .replace("%1", str(result.autograd_size)).replace("%2", str(MAX_BOXES))
        return ""

    def _draw(self, records: list[AutogradNode]) -> None:
        document = self.controller.document
        by_key = {record.key: record for record in records}
        made: dict[Vertex, GradFnBox] = {}
        y = 0.0
        for row in graph_layers(records):
            row_boxes = [self._make_box(vertex, by_key, document) for vertex in row]
            width = sum(b.box_rect().width() for b in row_boxes) + COLUMN_GAP * (len(row) - 1)
            height = max(b.box_rect().height() for b in row_boxes)
            x = -width / 2
            for vertex, box in zip(row, row_boxes, strict=True):
                box.setPos(x + box.box_rect().width() / 2, y + height / 2)
                x += box.box_rect().width() + COLUMN_GAP
                self.graph_scene.addItem(box)
                made[vertex] = box
            y += height + ROW_GAP
        self._boxes = list(made.values())
        for record in records:
            for slot, nxt in enumerate(record.next):
                target = made[nxt if nxt is not None else (record.key, slot)]
                arrow = ArrowItem(made[record.key], target)
                self.graph_scene.addItem(arrow)
                self._arrows.append(arrow)

    def _make_box(self, vertex: Vertex, by_key: dict[int, AutogradNode],
                  document: GraphDocument) -> GradFnBox:
        if not isinstance(vertex, int):
            return GradFnBox(vertex, NONE_TEXT)
        record = by_key[vertex]
        owner = document.node(record.node_id) if record.node_id and document.has_node(
            record.node_id) else None
        node_id = owner.id if owner is not None else None
        label = owner.display_name if owner is not None and record.name == ACCUMULATE_GRAD \
            else None
        if node_id is not None and record.name != ACCUMULATE_GRAD \
                and self.canvas.hidden_nodes.get(node_id) == "all":
            # the class predicts what the forward pass records here: "?" until revealed
            return GradFnBox(vertex, "?", node_id, label, is_output=vertex == 0)
        box = GradFnBox(vertex, record.name, node_id, label, is_output=vertex == 0)
        box.setToolTip(self._tooltip(record, owner))
        return box

    def _tooltip(self, record: AutogradNode, owner: Node | None) -> str:
        if owner is None:
            return self.tr("%1: an inner step of a composite operation").replace("%1", record.name)
        if record.name == ACCUMULATE_GRAD:
            return self.tr("AccumulateGrad: adds the incoming gradient into %1.grad") \
                .replace("%1", owner.display_name)
        return self.tr("%1 = %2.grad_fn").replace("%1", record.name) \
            .replace("%2", owner.display_name)

    # ---------------------------------------------------------- selection
    def _highlight(self, node_ids: list[str]) -> None:
        wanted = set(node_ids)
        for box in self._boxes:
            box.setSelected(box.node_id is not None and box.node_id in wanted)

    def _on_canvas_selection(self) -> None:
        if self._syncing or self._stale:  # not drawn: the drawing will follow the selection
            return
        if self._selected_derivative(self.controller.result) != self._derivative_of:
            self.show_result(self.controller.result)  # into or out of a derivative's graph
            return
        self._syncing = True
        try:
            self._highlight(self.canvas.selected_ids()[0])
        finally:
            self._syncing = False

    def _on_box_selection(self) -> None:
        if self._syncing:
            return
        ids = [box.node_id for box in self._boxes if box.isSelected() and box.node_id]
        self._syncing = True
        try:
            self.canvas.select_ids(list(dict.fromkeys(ids)))
            # other boxes of the same nodes light up too, as if selected on the canvas
            self._highlight(ids)
        finally:
            self._syncing = False

    # ------------------------------------------------------------ renames
    def _watch(self, document: GraphDocument) -> None:
        if self._document is not None:
            self._document.node_changed.disconnect(self._on_node_changed)
        self._document = document
        document.node_changed.connect(self._on_node_changed)

    def _on_document_replaced(self, document: GraphDocument) -> None:
        self._watch(document)
        self.show_result(None)

    def _on_node_changed(self, _node: Node, field: str) -> None:
        # a rename does not re-evaluate, yet AccumulateGrad boxes show the leaf's label
        if field == "label":
            self.show_result(self.controller.result)


def install(window: MainWindow) -> AutogradDock:
    """Add the autograd graph dock to ``window`` (a tab beside the inspector) and its show/hide
    toggle to the View menu, after the other docks' toggles."""
    dock = AutogradDock(window.controller, window.scene, window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    # a tab, not a dock below the inspector: at 1440 x 900 the two shared the column and the
    # inspector's value and grad fell below the fold (the dock can be dragged out beside it)
    window.tabifyDockWidget(window.history_dock, dock)
    window.inspector.raise_()
    window.add_to_menu("view", "docks", dock.toggleViewAction())
    return dock
