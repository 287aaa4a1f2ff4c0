"""NodeItem: the card of one node, showing its value, grad and grad_fn as PyTorch reports them.

The card mirrors a model :class:`Node` and the node's latest :class:`NodeResult`; it never edits
the model (gestures go to the controller through the view's interactions). The size of a card
depends only on the shapes in its result, and the number texts are formatted when the card is
first painted after a change, so an evaluation of a large graph costs almost nothing for cards
that are off screen. ``value_text()``, ``grad_text()``, ``grad_fn_text()`` and ``error_text()``
return exactly the strings painted.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from app.canvas import style
from app.display import card_text as text
from app.display.messages import localised
from app.evaluate import EvalResult, NodeResult
from app.model import Node

_TAG_HEIGHT = 22.0
_POSITION_CHANGE = QGraphicsItem.GraphicsItemChange.ItemPositionChange
_POSITION_HAS_CHANGED = QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged
_BADGE_HEIGHT = 20.0
_WRAP = int(Qt.TextFlag.TextWordWrap)
#: Below this zoom the card is drawn without text (a whole large graph fitted in view).
TEXT_MIN_ZOOM = 0.35
#: Walkthrough highlights (app.ui.walkthrough_bar): the current step, and steps already done.
HIGHLIGHT_COLOURS = {"current": QColor("#f59f00"), "visited": QColor("#2b9a52")}
_HIDDEN_KINDS = {"all": ("value", "grad", "grad_fn", "param_grad"),
                 "grad": ("grad", "param_grad")}


class LatestResult:
    """A scene's latest evaluation, shared by its cards and wires (``generation`` counts them).

    An item out of sight is not handed its part of a new result: it takes it when asked (its
    ``result``, ``grad``, a paint) or when the scene's sweep reaches it, so that at 5,000 nodes
    an edit costs the GUI thread the items in sight, not the whole canvas.
    """

    def __init__(self) -> None:
        self.result: EvalResult | None = None
        self.generation = 0


#: The source of items made outside a scene: nothing to take, ever.
NO_RESULTS = LatestResult()


class NodeItem(QGraphicsItem):
    """One node card. ``node_id`` names the model node; ``edges`` are the attached wires."""

    def __init__(self, node: Node, latest: LatestResult = NO_RESULTS) -> None:
        super().__init__()
        self.node = node
        self.node_id = node.id
        self._result: NodeResult | None = None
        #: the scene's latest result, and which of them the card shows (a new card: none yet)
        self._latest = latest
        self._generation = latest.generation
        self.is_output = False
        self._tag_width = 0.0  # the width of the output's tag, when the node is the output
        self.backward_call: str | None = None  # the output's backward call, when not plain
        self.wired: list[bool] = [False] * len(node.spec.inputs)
        self.edges: set[Any] = set()  # EdgeItems, told to follow when the card moves
        self._texts: dict[str, str] | None = None
        #: the painted number lines (text, kind) and the card width they were wrapped for
        self._wrapped: tuple[float, list[tuple[str, str]]] | None = None
        self._lines = 0  # how many number lines the card's height has room for
        #: narrower than its numbers ask: the next card's ports are in the way
        self.held_back = False
        self._width = style.NODE_MIN_WIDTH
        self._height = 0.0
        self._error_height = 0.0
        self._warning_height = 0.0
        self._numeric = ""  # the numeric gradient check line (app.ui.presentation), if on
        self._numeric_height = 0.0
        self._badges: list[tuple[QRectF, str]] = []
        self.highlight: str | None = None  # a key of HIGHLIGHT_COLOURS, or None
        #: "all" or "grad": painted as "?" (predict mode; "all" hides the grad_fn too, which a
        #: forward step records)
        self.hidden_numbers: str | None = None
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(1.0)
        # the card is drawn once into a pixmap and reused until it changes; the numbers, which
        # change on every edit, are a child item drawn over it
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.numbers = NumbersItem(self)
        self.setPos(QPointF(*node.pos))
        self._relayout()

    # ------------------------------------------------------------ model mirror
    def set_node(self, node: Node) -> None:
        """The node's fields changed (label, params, retain_grad, ...): redraw from them."""
        self.node = node
        self.setPos(QPointF(*node.pos))
        self._changed()

    @property
    def result(self) -> NodeResult | None:
        """The node's part of the scene's latest result (taken now if it was not yet)."""
        if self._generation != self._latest.generation:
            self.take_latest()
        return self._result

    def take_latest(self) -> None:
        """Take the node's part of the scene's latest result, if the card has not yet."""
        latest = self._latest
        if self._generation != latest.generation:
            result = latest.result
            self.set_result(None if result is None else result.nodes.get(self.node_id),
                            repaint=False)

    def set_result(self, result: NodeResult | None, repaint: bool = True) -> None:
        """Show ``result``. ``repaint=False`` (a card out of sight) skips the repaint request;
        the card still takes its new size at once."""
        self._generation = self._latest.generation
        old = self._result
        self._result = result
        self._texts = self._wrapped = None
        if _layout_changed(old, result):
            self._relayout()
            self.update()  # the cached card: its badges, warning or size changed
        elif repaint:
            self.numbers.update()


    def set_output(self, on: bool, backward_call: str | None = None) -> None:
        """Mark the node as the output; ``backward_call`` is how backward is called on it
        when not plainly ("backward(gradient=[1., 2.]) × 2"), for its tag."""
        backward_call = backward_call if on else None
        if on != self.is_output or backward_call != self.backward_call:
            self.prepareGeometryChange()
            self.is_output = on
            self.backward_call = backward_call
            self._tag_width = (style.fonts().small_metrics.horizontalAdvance(self._output_tag())
                               if on else 0.0)
            notify_geometry_changed(self)
            self.update()

    def set_port_wired(self, port: int, on: bool) -> None:
        if 0 <= port < len(self.wired) and self.wired[port] != on:
            self.wired[port] = on
            self.update()

    def _changed(self) -> None:
        self._texts = self._wrapped = None
        self._relayout()
        self.update()

    # ------------------------------------------------------------------ texts
    def _all_texts(self) -> dict[str, str]:
        if self._texts is None:
            result, node = self.result, self.node
            self._texts = {
                "value": text.value_text(result),
                "grad": text.grad_text(result) if node.spec.kind != "scalar" else "",
                "grad_fn": text.grad_fn_text(result, node.spec.is_op),
            }
        return self._texts

    @property
    def type_text(self) -> str:
        """The type the header names: "add", "add_" for the in-place form, and for a named
        module its name in code: "net = Linear"."""
        node = self.node
        if node.module_name and node.module_name != node.display_name:
            return f"{node.module_name} = {node.type}"
        return f"{node.type}_" if node.inplace else node.type

    def header_text(self) -> str:
        return f"{self.node.display_name} · {self.type_text}"

    def value_text(self) -> str:
        return "value ?" if "value" in self._hidden_kinds() else self._all_texts()["value"]

    def grad_text(self) -> str:
        grad = self._all_texts()["grad"]
        return "grad ?" if "grad" in self._hidden_kinds() and grad else grad

    def _hidden_kinds(self) -> tuple[str, ...]:
        """The number lines predict mode hides: all of them, or the grad only."""
        return _HIDDEN_KINDS.get(self.hidden_numbers or "", ())

    def set_highlight(self, kind: str | None) -> None:
        """Mark the card for a walkthrough: "current", "visited" or None (normal)."""
        if kind != self.highlight:
            self.highlight = kind
            self.update()

    def set_hidden_numbers(self, hidden: str | None) -> None:
        """Paint "?" for the value and grad ("all"), the grad only ("grad"), or nothing (None)."""
        if hidden != self.hidden_numbers:
            self.hidden_numbers = hidden
            self.numbers.update()

    def grad_fn_text(self) -> str:
        grad_fn = self._all_texts()["grad_fn"]
        return "grad_fn ?" if "grad_fn" in self._hidden_kinds() and grad_fn else grad_fn

    def error_text(self) -> str:
        return localised(self.result.error or "") if self.result is not None else ""

    def warning_text(self) -> str:
        """A non-fatal note: why a value is nan, or that an input failed (so no value here)."""
        if self.result is None:
            return ""
        if self.result.blocked_by is not None:
            return QCoreApplication.translate("NodeItem", "no value: %1 has an error").replace(
                "%1", self.result.blocked_by)
        return localised(self.result.warning or "")

    def numeric_text(self) -> str:
        """The numeric gradient check painted under the grad, e.g. "numeric [5.] ✓"."""
        return self._numeric

    def set_numeric_text(self, content: str) -> None:
        if content != self._numeric:
            self._numeric = content
            self._changed()

    def badge_texts(self) -> list[str]:
        """The markers under the numbers: is_leaf, requires_grad, retain_grad."""
        result, node = self.result, self.node
        if node.spec.kind == "scalar":
            return []
        if result is None or result.value is None:
            is_leaf = node.spec.kind == "tensor"
            requires_grad = node.requires_grad and is_leaf
        else:
            is_leaf, requires_grad = result.is_leaf, result.requires_grad
        badges = ["is_leaf"] if is_leaf else []
        if requires_grad:
            badges.append("requires_grad")
        if node.retain_grad:
            badges.append("retain_grad")
        return badges

    def port_texts(self) -> list[str]:
        """One label per input: its name, and its number when unwired with a default."""
        labels = []
        for index, port in enumerate(self.node.spec.inputs):
            if port.default is not None and not self.wired[index]:
                number = self.node.params.get(port.name, port.default)
                labels.append(f"{port.name} = {text.tensor_body(number)}")
            else:
                labels.append(port.name)
        return labels

    def number_fonts(self) -> list[QFont]:
        """The fonts the card writes numbers in: its value and grad lines, and the smaller font
        of the port labels when an unwired port shows its number ("exponent = 2")."""
        f = style.fonts()
        shown = any(port.default is not None and not wired
                    for port, wired in zip(self.node.spec.inputs, self.wired, strict=True))
        return [f.numbers, f.type] if shown else [f.numbers]

    # --------------------------------------------------------------- geometry
    def _natural_width(self) -> float:
        """The width the numbers ask for, known from the result's shapes alone."""
        chars = text.widest_line_chars(self.result)
        return min(style.NODE_MAX_WIDTH,
                   max(style.NODE_MIN_WIDTH, 2 * style.PADDING + chars * style.fonts().char_width))

    def _relayout(self) -> None:
        natural = self._natural_width()
        width = natural
        scene = self.scene()
        if natural > style.NODE_MIN_WIDTH and scene is not None:
            # a card grows to the right only as far as the next card's ports leave it room;
            # its numbers wrap to the width it gets
            width = max(style.NODE_MIN_WIDTH, min(natural, scene.room_right_of(self)))
        self.held_back = width < natural
        self._lines = self._line_count(width)
        height = self._height_for(width, self._lines, store=True)
        f = style.fonts()
        self.numbers.set_rect(QRectF(0, self._body_top(), width, self._lines * f.line + 2))
        if (width, height) != (self._width, self._height):
            self.prepareGeometryChange()
            notify_geometry_changed(self)
            self._width, self._height = width, height
            for edge in self.edges:
                edge.update_path()

    def _height_for(self, width: float, lines: int, store: bool = False) -> float:
        """The card's height at ``width`` with room for ``lines`` number lines; ``store`` keeps
        the heights of its notes and badges for painting."""
        f = style.fonts()
        inner = QRectF(0, 0, width - 2 * style.PADDING, 10_000)
        error, warning = self.error_text(), self.warning_text()
        error_height = f.text_metrics.boundingRect(inner, _WRAP, error).height() if error else 0.0
        warning_height = (f.text_metrics.boundingRect(inner, _WRAP, warning).height()
                          if warning else 0.0)
        numeric_height = (f.text_metrics.boundingRect(inner, _WRAP, self._numeric).height()
                          if self._numeric else 0.0)
        badges = self._layout_badges(width - 2 * style.PADDING)
        height = self._body_top() + lines * f.line + 6
        height += error_height + warning_height + numeric_height
        if badges:
            height += badges[-1][0].bottom() + 4
        if store:
            self._error_height, self._warning_height = error_height, warning_height
            self._numeric_height, self._badges = numeric_height, badges
        return height + style.PADDING * 0.6

    def natural_size(self) -> tuple[float, float]:
        """(width, height) of the card with all the room it asks for (what a layout leaves it)."""
        width = self._natural_width()
        return width, self._height_for(width, len(self.number_lines(width)))

    def _line_count(self, width: float) -> int:
        """How many number lines the card shows at ``width``: counted on the formatted numbers
        once they are (wrapped lines included), else from the shapes alone."""
        if self._texts is None:
            return self._number_lines()
        return len(self.number_lines(width))

    def number_lines(self, width: float | None = None) -> list[tuple[str, str]]:
        """The value, grad and grad_fn lines as painted at ``width`` (default: the card's own),
        each as (text, "value" | "grad" | "grad_fn"): lines too long for the card wrap."""
        width = self._width if width is None else width
        if self._wrapped is None or self._wrapped[0] != width:
            columns = max(8, int((width - 2 * style.PADDING) // style.fonts().char_width))
            texts = self._all_texts()
            lines = [(piece, kind) for kind in ("value", "grad", "grad_fn") if texts[kind]
                     for line in texts[kind].split("\n")
                     for piece in text.wrap_number_line(line, columns)]
            # a layer's weight and bias, each with its .grad
            lines += [(piece, kind) for content, kind in text.state_texts(self.result)
                      for line in content.split("\n")
                      for piece in text.wrap_number_line(line, columns)]
            self._wrapped = (width, lines)
        return self._wrapped[1]

    def settle(self) -> None:
        """Format the numbers now and take the height they need (outside of painting: an
        evaluation calls it for the cards in sight, an export and a layout for all)."""
        if len(self.number_lines()) != self._lines:
            self._relayout()

    def room_changed(self) -> None:
        """A card nearby moved: take the width the room now allows (if it asks for more)."""
        if self._natural_width() > style.NODE_MIN_WIDTH:
            self._relayout()

    def _number_lines(self) -> int:
        """How many lines the value, grad and grad_fn take, known from shapes alone (numbers
        that turn out too wide for the card add wrapped lines once formatted)."""
        result = self.result
        lines = text.value_line_count(result)
        if self.node.spec.kind != "scalar":
            lines += text.grad_line_count(result)
        if self.node.spec.is_op and result is not None and result.value is not None:
            lines += 1
        return lines + text.state_line_count(result)

    def _layout_badges(self, room: float) -> list[tuple[QRectF, str]]:
        """Badge pills left to right, wrapping to a new row when the card is full."""
        metrics = style.fonts().small_metrics
        placed: list[tuple[QRectF, str]] = []
        x = y = 0.0
        for badge in self.badge_texts():
            width = metrics.horizontalAdvance(badge) + 8
            if x > 0 and x + width > room:
                x, y = 0.0, y + _BADGE_HEIGHT + 2
            placed.append((QRectF(x, y, width, _BADGE_HEIGHT - 2), badge))
            x += width + 4
        return placed

    def _body_top(self) -> float:
        return style.HEADER_HEIGHT + len(self.node.spec.inputs) * style.PORT_ROW_HEIGHT + 4

    def card_rect(self) -> QRectF:
        return QRectF(0, 0, self._width, self._height)

    def boundingRect(self) -> QRectF:
        margin = style.PORT_RADIUS + 3
        # the output's tag above the card may be wider than the card (the cached picture of
        # the card is cut at these bounds)
        width = max(self._width + 2 * margin, self._tag_width + margin + 4)
        return QRectF(-margin, -_TAG_HEIGHT, width, self._height + _TAG_HEIGHT + margin)

    def _output_tag(self) -> str:
        if self.backward_call is not None:
            return QCoreApplication.translate("NodeItem", "output · %1").replace(
                "%1", self.backward_call)
        return QCoreApplication.translate("NodeItem", "output · backward starts here")

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.card_rect().adjusted(-style.PORT_HIT_RADIUS, 0,
                                                      style.PORT_HIT_RADIUS, 0),
                            style.CORNER_RADIUS, style.CORNER_RADIUS)
        return path

    def input_port_local(self, port: int) -> QPointF:
        return QPointF(0, style.HEADER_HEIGHT + (port + 0.5) * style.PORT_ROW_HEIGHT)

    def output_port_local(self) -> QPointF:
        return QPointF(self._width, style.HEADER_HEIGHT / 2)

    def input_port_pos(self, port: int) -> QPointF:
        """Scene position of input ``port``."""
        return self.mapToScene(self.input_port_local(port))

    def output_port_pos(self) -> QPointF:
        return self.mapToScene(self.output_port_local())

    def input_row_at(self, scene_pos: QPointF) -> int | None:
        """The input port whose row (the port and its label) holds ``scene_pos``, if any."""
        local = self.mapFromScene(scene_pos)
        row = int((local.y() - style.HEADER_HEIGHT) // style.PORT_ROW_HEIGHT)
        inside = 0 <= local.x() <= self._width and local.y() >= style.HEADER_HEIGHT
        return row if inside and row < len(self.node.spec.inputs) else None

    def port_at(self, scene_pos: QPointF,
                radius: float = style.PORT_HIT_RADIUS) -> tuple[str, int] | None:
        """("in", port) or ("out", 0) when ``scene_pos`` is within ``radius`` of a port."""
        local = self.mapFromScene(scene_pos)
        radius2 = radius ** 2

        def near(point: QPointF) -> bool:
            return (local.x() - point.x()) ** 2 + (local.y() - point.y()) ** 2 <= radius2

        if near(self.output_port_local()):
            return ("out", 0)
        for port in range(len(self.node.spec.inputs)):
            if near(self.input_port_local(port)):
                return ("in", port)
        return None

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        # Qt calls this for every flag, position and scene change (a 5,000-node file: 45,000
        # calls while it opens), so the enum members are compared from module constants
        if change is _POSITION_CHANGE:
            if getattr(self.scene(), "snapping", False):
                return style.snap_to_grid(value)
        elif change is _POSITION_HAS_CHANGED:
            notify_geometry_changed(self)
            moved = getattr(self.scene(), "card_moved", None)
            if moved is not None:
                moved()
            for edge in self.edges:
                edge.update_path()
        return value  # what QGraphicsItem.itemChange returns

    # --------------------------------------------------------------- tooltips
    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        scene = self.scene()
        port = self.port_at(event.scenePos())
        tip = scene.port_tooltip(self.node_id, port) if port and scene is not None else ""
        if tip != self.toolTip():
            self.setToolTip(tip)
        super().hoverMoveEvent(event)

    # --------------------------------------------------------------- painting
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        colours = style.canvas_colours()
        kind = self.node.spec.kind
        card = self.card_rect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())

        painter.setPen(QPen(colours.outline, 1.2))
        painter.setBrush(colours.card)
        painter.drawRoundedRect(card, style.CORNER_RADIUS, style.CORNER_RADIUS)
        header = QPainterPath()
        header.addRoundedRect(QRectF(0, 0, card.width(), style.HEADER_HEIGHT),
                              style.CORNER_RADIUS, style.CORNER_RADIUS)
        header.addRect(QRectF(0, style.HEADER_HEIGHT / 2, card.width(), style.HEADER_HEIGHT / 2))
        painter.fillPath(header.simplified(), colours.headers[kind])
        painter.fillRect(QRectF(0, style.HEADER_HEIGHT - 3, card.width(), 3), colours.accents[kind])
        self._paint_outline(painter, colours, card)
        if self.highlight is not None:
            painter.setPen(QPen(HIGHLIGHT_COLOURS[self.highlight],
                                5.0 if self.highlight == "current" else 3.0))
            painter.drawRoundedRect(card.adjusted(-4, -4, 4, 4), style.CORNER_RADIUS + 4,
                                    style.CORNER_RADIUS + 4)
        self._paint_ports(painter, colours, lod)
        if lod < TEXT_MIN_ZOOM:
            return
        self._paint_header(painter, colours)
        self._paint_body(painter, colours)

    def _paint_outline(self, painter: QPainter, colours: style.CanvasColours,
                       card: QRectF) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        radius = style.CORNER_RADIUS
        if self.is_output:
            painter.setPen(QPen(colours.output, 3.0))
            painter.drawRoundedRect(card, radius, radius)
            painter.setFont(style.fonts().small)
            painter.setPen(colours.output)
            painter.drawText(QPointF(2, -6), self._output_tag())
        if self.isSelected():
            painter.setPen(QPen(colours.selection, 2.5))
            painter.drawRoundedRect(card.adjusted(-3, -3, 3, 3), radius + 3, radius + 3)

    def _paint_ports(self, painter: QPainter, colours: style.CanvasColours, lod: float) -> None:
        f = style.fonts()
        accent = colours.accents[self.node.spec.kind]
        painter.setPen(QPen(colours.card, 1.5))
        for port, label in enumerate(self.port_texts()):
            centre = self.input_port_local(port)
            painter.setBrush(colours.wire if self.wired[port] else colours.card)
            painter.setPen(QPen(colours.wire, 1.5))
            painter.drawEllipse(centre, style.PORT_RADIUS, style.PORT_RADIUS)
            if lod >= TEXT_MIN_ZOOM:
                painter.setFont(f.type)
                painter.setPen(colours.muted)
                painter.drawText(QPointF(style.PADDING + 2, centre.y() + 4), label)
        painter.setBrush(accent)
        painter.setPen(QPen(colours.card, 1.5))
        painter.drawEllipse(self.output_port_local(), style.PORT_RADIUS, style.PORT_RADIUS)

    def _paint_header(self, painter: QPainter, colours: style.CanvasColours) -> None:
        f = style.fonts()
        label_metrics = f.label_metrics
        room = self._width - 2 * style.PADDING - style.PORT_RADIUS
        label = label_metrics.elidedText(self.node.display_name, Qt.TextElideMode.ElideRight,
                                         room * 0.7)
        baseline = style.HEADER_HEIGHT / 2 + label_metrics.ascent() / 2 - 1
        painter.setFont(f.label)
        painter.setPen(colours.text)
        painter.drawText(QPointF(style.PADDING, baseline), label)
        x = style.PADDING + label_metrics.horizontalAdvance(label)
        kind = f.type_metrics.elidedText(f" · {self.type_text}",
                                                Qt.TextElideMode.ElideRight,
                                                room - (x - style.PADDING))
        painter.setFont(f.type)
        painter.setPen(colours.muted)
        painter.drawText(QPointF(x, baseline), kind)

    def paint_numbers(self, painter: QPainter) -> None:
        """The value, grad and grad_fn lines (painted by :class:`NumbersItem`, not cached)."""
        colours = style.canvas_colours()
        f = style.fonts()
        y = self._body_top()
        x = style.PADDING
        lines = self.number_lines()
        if len(lines) != self._lines:
            # new numbers of a card that was out of sight need more (or fewer) lines: the card
            # takes its new height once this paint is over
            scene = self.scene()
            if scene is not None:
                scene.settle_later(self)
        painter.setFont(f.numbers)
        for line, kind in self._shown_lines(lines):
            muted = kind in ("grad", "param_grad") and line.endswith("grad None")
            painter.setPen(colours.muted if muted else colours.text)
            painter.drawText(QPointF(x, y + f.ascent), line)
            y += f.line

    def _shown_lines(self, lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The number lines as painted: in predict mode one "?" line for a hidden block."""
        hidden = self._hidden_kinds()
        shown: list[tuple[str, str]] = []
        painted: set[str] = set()
        for line, kind in lines:
            if kind in hidden:  # predict mode: one "?" line for the whole block
                block = kind
                if kind == "param_grad":  # one "?" line per parameter: "weight.grad ?"
                    block = line.split(" ", 1)[0]
                    if not block.endswith(".grad"):
                        continue  # the rest of a hidden gradient's lines
                if block in painted:
                    continue
                line = f"{block} ?"
                painted.add(block)
            painted.add(kind)
            shown.append((line, kind))
        return shown

    def parameter_at(self, pos: QPointF) -> str | None:
        """The layer's parameter whose value lines are at ``pos`` (item coordinates): "weight"
        on the weight's lines, None elsewhere."""
        row = int((pos.y() - self._body_top()) // style.fonts().line)
        if pos.y() < self._body_top() or not 0 <= pos.x() <= self._width:
            return None
        current = None
        for index, (line, kind) in enumerate(self._shown_lines(self.number_lines())):
            if kind != "param":
                current = None
                continue
            current = next((name for name in self.node.state if line.startswith(f"{name} ")),
                           current)
            if index == row:
                return current
        return None

    def _paint_body(self, painter: QPainter, colours: style.CanvasColours) -> None:
        f = style.fonts()
        x = style.PADDING
        inner_width = self._width - 2 * style.PADDING
        y = self._body_top() + self._lines * f.line + 2
        painter.setFont(f.text)
        numeric_colour = colours.error if "✗" in self._numeric else colours.accents["op"]
        for content, colour, height in ((self._numeric, numeric_colour, self._numeric_height),
                                        (self.warning_text(), colours.warning,
                                         self._warning_height),
                                        (self.error_text(), colours.error, self._error_height)):
            if content:
                painter.setPen(colour)
                painter.drawText(QRectF(x, y, inner_width, height), content, style.wrapped())
                y += height
        self._paint_badges(painter, colours, y + 2)

    def _paint_badges(self, painter: QPainter, colours: style.CanvasColours, y: float) -> None:
        painter.setFont(style.fonts().small)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for rect, badge in self._badges:
            rect = rect.translated(style.PADDING, y)
            painter.setPen(QPen(colours.accents[self.node.spec.kind], 1.2))
            painter.drawRoundedRect(rect, 8, 8)
            painter.setPen(colours.text)
            painter.drawText(rect, badge, style.centred())


def notify_geometry_changed(item: QGraphicsItem) -> None:
    """Tell the item's scene that an item moved or resized (see GraphScene.geometry_changed)."""
    notify = getattr(item.scene(), "geometry_changed", None)
    if notify is not None:
        notify()


def _layout_changed(old: NodeResult | None, new: NodeResult | None) -> bool:
    """True when the card must be laid out and drawn again for ``new``: what its size, badges
    and notes depend on differ. New numbers of the same shapes only repaint the numbers."""
    if old is None or new is None:
        return old is not new
    return (old.shape != new.shape or old.grad_fn != new.grad_fn
            or old.is_leaf != new.is_leaf or old.requires_grad != new.requires_grad
            or old.is_number != new.is_number or old.error != new.error
            or old.warning != new.warning or old.blocked_by != new.blocked_by
            or (old.value is None) != (new.value is None)
            or (None if old.grad is None else old.grad.shape)
            != (None if new.grad is None else new.grad.shape)
            or _state_shapes(old) != _state_shapes(new))


def _state_shapes(result: NodeResult) -> list[tuple[str, Any, Any]]:
    """What a layer's parameter lines take on the card: their names, shapes and grads' shapes."""
    return [(name, tensor.shape, None if tensor.grad is None else tensor.grad.shape)
            for name, tensor in (result.state or {}).items()]


class NumbersItem(QGraphicsItem):
    """The value, grad and grad_fn lines of a card: a child item over the cached card, so an
    evaluation repaints these lines and leaves the rest of the card's picture alone."""

    def __init__(self, card: NodeItem) -> None:
        super().__init__(card)
        self.card = card
        self._rect = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_rect(self, rect: QRectF) -> None:
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if option.levelOfDetailFromTransform(painter.worldTransform()) >= TEXT_MIN_ZOOM:
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            self.card.paint_numbers(painter)
