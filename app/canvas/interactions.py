"""Mouse interactions of the canvas, one small class each: wiring, moving and panning.

The view starts an interaction on a mouse press and forwards the following moves and the
release to it; the interaction ends with (at most) one controller call, so one gesture is one
undo step. Nothing here changes the document directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem

from app.canvas import style
from app.canvas.edge_item import EdgeItem, bezier_path
from app.canvas.node_item import NodeItem
from app.canvas.note_item import NoteItem

if TYPE_CHECKING:
    from app.canvas.view import GraphView


class WireDragInteraction:
    """Drag a temporary wire from an output port and drop it on an input port.

    Started from a wired input port, the existing wire is picked up (``detached``): dropping it
    on another input moves it there, dropping it on empty canvas deletes it, dropping it back
    where it was changes nothing. An illegal target (a cycle) is refused by the controller,
    whose message appears in the status bar; the document is then unchanged.
    """

    def __init__(self, view: GraphView, src: str,
                 detached: tuple[str, int] | None = None) -> None:
        self.view = view
        self.scene = view.graph_scene
        self.src = src
        self.detached = detached
        self.hidden: EdgeItem | None = self.scene.edges.get(detached) if detached else None
        if self.hidden is not None:
            self.hidden.setVisible(False)
        colours = style.canvas_colours()
        pen = QPen(colours.wire_hover, 2.5, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.preview = QGraphicsPathItem()
        self.preview.setPen(pen)
        self.preview.setZValue(10.0)
        self.scene.addItem(self.preview)
        self.start = self.scene.nodes[src].output_port_pos()

    def target(self, scene_pos: QPointF) -> tuple[str, int] | None:
        """The input the wire would connect to if dropped at ``scene_pos`` (see drop_target)."""
        return self.scene.drop_target(scene_pos, self.src, self.view.port_hit_radius())

    def move(self, scene_pos: QPointF) -> None:
        target = self.target(scene_pos)
        end = (self.scene.nodes[target[0]].input_port_pos(target[1])
               if target is not None else scene_pos)
        self.preview.setPath(bezier_path(self.start, end))

    def release(self, scene_pos: QPointF) -> None:
        self.scene.removeItem(self.preview)
        target = self.target(scene_pos)
        controller = self.view.controller
        if self.detached is None:
            if target is not None:
                controller.connect(self.src, *target)
        elif target is None:
            controller.disconnect(*self.detached)
        elif target != self.detached:
            controller.reconnect(*self.detached, *target)
        # the wire is still there when it was dropped back, or its move was refused
        if self.hidden is not None and self.scene.edges.get(self.detached) is self.hidden:
            self.hidden.setVisible(True)


class MoveInteraction:
    """Remembers where the selected items were when a drag began; on release, pushes one move."""

    def __init__(self, view: GraphView) -> None:
        self.view = view
        self.scene = view.graph_scene
        self.start = {self._item_id(item): item.pos() for item in self.scene.selectedItems()
                      if isinstance(item, (NodeItem, NoteItem))}
        self.scene.dragging = True

    @staticmethod
    def _item_id(item: NodeItem | NoteItem) -> str:
        return item.node_id if isinstance(item, NodeItem) else item.note_id

    def release(self) -> None:
        self.scene.dragging = False
        moves = {}
        for item_id, old in self.start.items():
            item = self.scene.nodes.get(item_id) or self.scene.notes.get(item_id)
            if item is not None and item.pos() != old:
                moves[item_id] = ((old.x(), old.y()), (item.pos().x(), item.pos().y()))
        if moves:
            self.view.controller.move(moves)


class PanInteraction:
    """Scroll the view with the middle button, or with Space held and the left button."""

    def __init__(self, view: GraphView, pos: QPoint) -> None:
        self.view = view
        self.last = pos
        view.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def move(self, pos: QPoint) -> None:
        delta = pos - self.last
        self.last = pos
        bars = (self.view.horizontalScrollBar(), self.view.verticalScrollBar())
        bars[0].setValue(bars[0].value() - delta.x())
        bars[1].setValue(bars[1].value() - delta.y())

    def release(self) -> None:
        self.view.viewport().unsetCursor()
