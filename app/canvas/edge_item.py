"""EdgeItem: a wire drawn as a cubic bezier from an output port to an input port.

Along it a small pill shows the gradient flowing back along the wire ("∂=[2.]"), when the
evaluation has one. Like the node cards, the pill text is formatted only when painted. The pill
sits past the wire's middle, or, where a card covers that place, at the first place along the
wire a card leaves free; pills are drawn above the cards, so no card ever cuts a number off.

The wire itself, in its usual colour, is drawn by the scene's background layer
(:meth:`GraphScene.drawBackground`), which the view caches: an edit that changes numbers repaints
the pills and the cards, not every antialiased curve. The pills of all wires are drawn by one
:class:`PillLayer` item, in one pass. The wire item paints only when it stands out (hovered,
selected, or lit by a walkthrough): its curve again, over the cached one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneHoverEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from app.canvas import style
from app.canvas.node_item import (
    HIGHLIGHT_COLOURS,
    NO_RESULTS,
    LatestResult,
    notify_geometry_changed,
)
from app.display import card_text as text
from app.model import Edge

if TYPE_CHECKING:
    from app.canvas.node_item import NodeItem

#: The most room a gradient pill takes (a longer text is elided), around its point.
_PILL_BOX = QRectF(-210, -14, 420, 28)
_PILL_MIN_ZOOM = 0.35
#: Where along the wire (the curve's parameter) a pill may sit, in order of preference: past
#: the middle first, so wires leaving one output keep their pills apart.
_PILL_PLACES = (0.62, 0.5, 0.75, 0.38, 0.85, 0.25, 0.92, 0.15)


def _pill_width(label: str) -> float:
    return min(style.fonts().numbers_metrics.horizontalAdvance(label) + 14, _PILL_BOX.width())


def _pull(start: QPointF, end: QPointF) -> float:
    return max(40.0, abs(end.x() - start.x()) * 0.5)


def bezier_path(start: QPointF, end: QPointF) -> QPainterPath:
    """The wire's curve: leaves the output to the right and enters the input from the left."""
    pull = _pull(start, end)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x() + pull, start.y()), QPointF(end.x() - pull, end.y()), end)
    return path


def bezier_point(start: QPointF, end: QPointF, t: float) -> QPointF:
    """The point of :func:`bezier_path`'s curve at parameter ``t`` (the cubic's formula: much
    cheaper than ``QPainterPath.pointAtPercent``, which measures the curve's length first)."""
    pull = _pull(start, end)
    u = 1.0 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    x = a * start.x() + b * (start.x() + pull) + c * (end.x() - pull) + d * end.x()
    y = (a + b) * start.y() + (c + d) * end.y()
    return QPointF(x, y)


class EdgeItem(QGraphicsItem):
    """The wire ``edge`` between two node cards; ``key`` is (dst, port) like the document's."""

    def __init__(self, edge: Edge, src_item: NodeItem, dst_item: NodeItem,
                 latest: LatestResult = NO_RESULTS) -> None:
        super().__init__()
        self.edge = edge
        self.key = (edge.dst, edge.port)
        self.src_item, self.dst_item = src_item, dst_item
        self._grad: np.ndarray | None = None
        #: the scene's latest result, and which of them the wire shows (see LatestResult)
        self._latest = latest
        self._generation = latest.generation
        self._label: str | None = None
        self._hover = False
        self.highlight: str | None = None  # a key of HIGHLIGHT_COLOURS, or None
        self.hidden_numbers = False  # the pill shows "∂=?" (predict mode)
        self.local: str | None = None  # d(dst)/d(src) text, shown after the gradient
        self._path = QPainterPath()
        self._ends = (QPointF(), QPointF())
        self._label_point = QPointF()
        self._placed = False  # whether _label_point was chosen clear of the cards
        self._bounds = QRectF()
        #: the pill's layout for its label: (label, rect, text drawn, where the text starts)
        self._pill: tuple[str, QRectF, str, QPointF] | None = None
        # no contents until it stands out: the curve is in the background, the pill in the layer
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setAcceptHoverEvents(True)
        self.setZValue(0.0)
        src_item.edges.add(self)
        dst_item.edges.add(self)
        self.update_path()

    def detach(self) -> None:
        """Forget the cards (the wire is being removed from the scene)."""
        self.src_item.edges.discard(self)
        self.dst_item.edges.discard(self)

    def update_path(self) -> None:
        self.prepareGeometryChange()
        old, old_point = self._bounds, self._label_point
        start, end = self.src_item.output_port_pos(), self.dst_item.input_port_pos(self.edge.port)
        self._path = bezier_path(start, end)
        self._ends = (start, end)
        self._label_point = bezier_point(start, end, _PILL_PLACES[0])
        self._placed = False
        self._pill = None
        self._bounds = self._path.boundingRect().adjusted(-6, -6, 6, 6)
        if self.scene() is not None:  # (the scene redraws a wire it is given: GraphScene)
            self.invalidate_wire(old)
            self.update_pill(old_point)
            self.update_pill()
            notify_geometry_changed(self)

    def invalidate_wire(self, also: QRectF | None = None) -> None:
        """Have the views redraw the cached background where this wire is (and was)."""
        scene = self.scene()
        if scene is not None:
            rect = self._bounds if also is None or also.isNull() else self._bounds.united(also)
            scene.invalidate(rect, QGraphicsScene.SceneLayer.BackgroundLayer)

    def path(self) -> QPainterPath:
        """The wire's curve in scene coordinates."""
        return self._path

    def stands_out(self) -> bool:
        """True when the item draws the curve itself: hovered, selected or highlighted."""
        return self._hover or self.highlight is not None or self.isSelected()

    def restyle(self) -> None:
        """Paint (the curve, over the cached one) only while standing out; repaint the pill."""
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, not self.stands_out())
        self.update()
        self.update_pill()

    def pill_box(self) -> QRectF:
        """The room the pill takes, in scene coordinates: its rect once painted (laid out and
        placed), the most it could take before. Cheap: fitting a view of 4,000 wires asks it
        of each, and laying out a pill formats its numbers and looks for a free place."""
        pill = self._pill
        return pill[1].adjusted(-2, -2, 2, 2) if pill is not None \
            else _PILL_BOX.translated(self._label_point)

    def update_pill(self, at: QPointF | None = None) -> None:
        """Have the pill layer repaint this wire's pill (or the room of one at ``at``)."""
        scene = self.scene()
        layer = getattr(scene, "pills", None)
        if layer is not None:
            layer.update(_PILL_BOX.translated(self._label_point if at is None else at))

    @property
    def grad(self) -> np.ndarray | None:
        """The wire's gradient in the scene's latest result (taken now if it was not yet)."""
        if self._generation != self._latest.generation:
            self.take_latest()
        return self._grad

    def take_latest(self) -> None:
        """Take the wire's gradient from the scene's latest result, if it has not yet."""
        latest = self._latest
        if self._generation != latest.generation:
            edge = None if latest.result is None else latest.result.edges.get(self.key)
            self.set_gradient(None if edge is None else edge.grad, repaint=False)

    def set_gradient(self, grad: np.ndarray | None, repaint: bool = True) -> None:
        """Show ``grad`` in the pill; ``repaint=False`` (out of sight) skips the repaint request."""
        self._generation = self._latest.generation
        if grad is None and self._grad is None:
            return
        self._grad = grad
        self._label = None
        if repaint:
            self.update_pill()

    def set_highlight(self, kind: str | None) -> None:
        """Mark the wire for a walkthrough: "current", "visited" or None (normal)."""
        if kind != self.highlight:
            self.highlight = kind
            self.restyle()

    def set_hidden_numbers(self, hidden: bool) -> None:
        if hidden != self.hidden_numbers:
            self.hidden_numbers = hidden
            self.update_pill()

    def set_local_derivative(self, text: str | None) -> None:
        """Show ``text`` (the local derivative d(dst)/d(src), e.g. "1.") beside the gradient."""
        if text != self.local:
            self.local = text
            self._label = None
            self.update_pill()

    def gradient_text(self) -> str:
        """The text of the gradient pill, exactly as painted ("" when there is no gradient)."""
        if self.hidden_numbers and self.grad is not None:
            return "∂=?"
        if self._label is None:
            self._label = text.gradient_label(self.grad)
            if self._label and self.local is not None:
                self._label += f" · local {self.local}"
        return self._label

    def label_point(self) -> QPointF:
        """Where the gradient pill is drawn."""
        return self._label_point

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self._path)

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._hover = True
        scene = self.scene()
        if scene is not None:
            self.setToolTip(scene.wire_tooltip(self.key))
        self.restyle()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._hover = False
        self.restyle()
        super().hoverLeaveEvent(event)


    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if not self.stands_out():
            return
        pen = (QPen(HIGHLIGHT_COLOURS[self.highlight], 5.0) if self.highlight is not None
               else QPen(style.canvas_colours().wire_hover, 3.5))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)

    def pill(self) -> tuple[str, QRectF, str, QPointF] | None:
        """The pill's layout: (label, rect, text drawn, where the text starts), or None when the
        wire shows no gradient."""
        label = self.gradient_text() if self.grad is not None else ""
        if not label:
            return None
        if self._pill is None or self._pill[0] != label:
            self._pill = self._layout_pill(label)
        return self._pill

    def pill_width(self) -> float:
        """How wide the pill is drawn (0 without a gradient): a layout leaves it room."""
        label = self.gradient_text() if self.grad is not None else ""
        return _pill_width(label) if label else 0.0

    def _layout_pill(self, label: str) -> tuple[str, QRectF, str, QPointF]:
        """The pill's rect, its (elided) text and where that text starts, for ``label``."""
        metrics = style.fonts().numbers_metrics
        width = _pill_width(label)
        shown = metrics.elidedText(label, Qt.TextElideMode.ElideRight, width - 10)
        if not self._placed:
            self._place(width)
        pill = QRectF(-width / 2, -12, width, 24).translated(self._label_point)
        text_width = metrics.horizontalAdvance(shown)
        baseline = QPointF(pill.center().x() - text_width / 2,
                           pill.center().y() + (metrics.ascent() - metrics.descent()) / 2)
        return label, pill, shown, baseline

    def _place(self, width: float) -> None:
        """Put the pill at the first place along the wire that no card covers (else past the
        middle, drawn over the card), and have the layer paint it there."""
        scene = self.scene()
        start, end = self._ends
        chosen = bezier_point(start, end, _PILL_PLACES[0])
        if scene is not None:
            for t in _PILL_PLACES:
                point = bezier_point(start, end, t)
                if not scene.card_covers(QRectF(-width / 2, -12, width, 24).translated(point)):
                    chosen = point
                    break
        self._placed = True
        if chosen != self._label_point:
            old = self._label_point
            self._label_point = chosen
            self.update_pill(old)
            self.update_pill()

    def __repr__(self) -> str:
        return f"EdgeItem({self.edge.src} -> {self.edge.dst}[{self.edge.port}])"


class PillLayer(QGraphicsItem):
    """Draws the gradient pills of all wires in one pass, above the wires and the cards.

    One item instead of one per wire: an edit repaints dozens of pills, and each item painted
    costs Qt and Python a fixed overhead far larger than a pill. The scene says which wires are
    near the part being drawn (:meth:`GraphScene.wires_near`).
    """

    def __init__(self, extent: QRectF) -> None:
        super().__init__()
        self._extent = extent
        self.setZValue(2.0)  # above the cards (1.0): a pill is never cut off by a card
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def boundingRect(self) -> QRectF:
        return self._extent

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if option.levelOfDetailFromTransform(painter.worldTransform()) < _PILL_MIN_ZOOM:
            return
        scene = self.scene()
        reach = option.exposedRect.adjusted(-_PILL_BOX.right(), -_PILL_BOX.bottom(),
                                            _PILL_BOX.right(), _PILL_BOX.bottom())
        colours = style.canvas_colours()
        plain, lit = QPen(colours.pill_text, 1.0), QPen(colours.wire_hover, 1.0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(style.fonts().numbers)
        for wire in scene.wires_near(reach):
            pill = wire.pill()
            if pill is None or not reach.contains(wire.label_point()):
                continue
            _label, rect, shown, start = pill
            painter.setPen(lit if wire._hover or wire.isSelected() else plain)
            painter.setBrush(colours.pill)
            painter.drawRoundedRect(rect, 12, 12)
            painter.setPen(colours.pill_text)
            painter.drawText(start, shown)


def paint_wires(painter: QPainter, wires: list[EdgeItem]) -> None:
    """Draw the curves of ``wires`` in the usual wire colour (the scene's background layer)."""
    pen = QPen(style.canvas_colours().wire, 2.2)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for wire in wires:
        painter.drawPath(wire.path())
    painter.restore()
