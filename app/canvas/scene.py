"""GraphScene: the QGraphicsScene that mirrors the controller's document and its evaluation.

It connects to the document's signals and keeps one item per model object (``nodes``: id ->
NodeItem, ``edges``: (dst, port) -> EdgeItem, ``notes``: id -> NoteItem). An evaluation only
hands each item its new result; no item is rebuilt. Items never change the model: gestures end
in a controller call, and the document's signals bring the change back here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from app.canvas import style
from app.canvas.edge_item import EdgeItem, PillLayer, paint_wires
from app.canvas.node_item import TEXT_MIN_ZOOM, LatestResult, NodeItem
from app.canvas.note_item import NoteItem
from app.canvas.tooltips import tensor_tooltip, wire_tooltip
from app.controller import DocumentController
from app.display.card_text import backward_call, tensor_body
from app.evaluate import EvalResult
from app.model import Edge, GraphDocument, Node, Note
from app.runtime import gui_first
from app.teach.predict import notes_stating_answers

#: The scene reaches this far around the items, so the view can pan freely.
SCENE_EXTENT = 100_000.0
#: How far around a view the items counted as in sight reach (scene units).
_SIGHT_MARGIN = 240.0
#: A new card's spot is looked for this many grid steps around the view's centre, this far
#: from any other card or note.
_SPOT_RINGS, _SPOT_MARGIN = 12, 24.0
#: A card growing to the right stops this far short of the next card's input ports.
_PORT_CLEARANCE = style.PORT_RADIUS + 14.0
#: How long the sweep of the items out of sight may hold the event loop per turn (seconds).
_SWEEP_S = 0.004
#: How long after a result is handed out the sweep begins, in milliseconds (a frame).
_SWEEP_DELAY_MS = 16
#: The cell of the cards' index, and how far above a card the top of a card beside it may lie.
_CELL, _TALLEST = 400.0, 1200.0


class GraphScene(QGraphicsScene):
    """The items of ``controller.document``, showing ``controller.result``.

    While the class predicts (the walkthrough's "Predict, then Reveal"), some answers are
    hidden: ``hidden_nodes`` (node id -> "all" or "grad"), ``hidden_wires`` ((dst, port) keys)
    and ``hidden_notes``, the notes that state them. The cards, wires, notes and tooltips show
    "?" for them, and ``answers_hidden`` tells the docks to do the same.
    """

    answers_hidden = Signal()

    def __init__(self, controller: DocumentController) -> None:
        super().__init__()
        self.controller = controller
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple[str, int], EdgeItem] = {}
        self.notes: dict[str, NoteItem] = {}
        #: Snap dragged items to the grid (the view sets both flags).
        self.snap_to_grid = False
        self.dragging = False
        self.setSceneRect(-SCENE_EXTENT, -SCENE_EXTENT, 2 * SCENE_EXTENT, 2 * SCENE_EXTENT)
        self._document: GraphDocument | None = None
        self._sight: tuple[tuple[Any, ...], set[QGraphicsItem], list[QRectF]] | None = None
        #: the gradient pills of all wires, drawn in one pass
        self.pills = PillLayer(self.sceneRect())
        self.addItem(self.pills)
        self._building = False
        #: cards to settle (numbers formatted, height taken) once the current paint is over,
        #: and where cards moved to (the cards on their left may have to give way)
        self._unsettled: set[NodeItem] = set()
        self._moved: list[QRectF] = []
        self._cells: dict[tuple[int, int], list[tuple[float, float, NodeItem]]] | None = None
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(0)
        self._settle_timer.timeout.connect(self._settle_pending)
        #: the items out of sight still to take the latest result (see apply_result)
        self._behind: list[NodeItem | EdgeItem] = []
        self.latest = LatestResult()
        self._sized = False  # whether the cards have taken their document's first result
        # 1 ms, not 0: input and paint events get their turn between two parts of the sweep
        self._sweep_timer = QTimer(self)
        self._sweep_timer.setSingleShot(True)
        self._sweep_timer.setInterval(1)
        self._sweep_timer.timeout.connect(self._sweep)
        self._selected_wires: set[EdgeItem] = set()
        self.hidden_nodes: dict[str, str] = {}
        self.hidden_wires: set[tuple[str, int]] = set()
        self.hidden_notes: set[str] = set()
        self.selectionChanged.connect(self._restyle_selected_wires)
        controller.evaluated.connect(self.apply_result)
        controller.document_replaced.connect(self.set_document)
        controller.selection_requested.connect(self.select_ids)
        self.set_document(controller.document)

    @property
    def snapping(self) -> bool:
        return self.snap_to_grid and self.dragging

    # -------------------------------------------------------------- building
    def _handlers(self, doc: GraphDocument) -> list[tuple[Any, Callable[..., None]]]:
        return [
            (doc.node_added, self._on_node_added), (doc.node_removed, self._on_node_removed),
            (doc.node_changed, self._on_node_changed), (doc.edge_added, self._on_edge_added),
            (doc.edge_removed, self._on_edge_removed), (doc.note_added, self._on_note_added),
            (doc.note_removed, self._on_note_removed), (doc.note_changed, self._on_note_changed),
            (doc.output_changed, self._on_output_changed),
            (doc.program_changed, self._on_program_changed),
        ]

    def set_document(self, doc: GraphDocument) -> None:
        """Mirror ``doc`` from scratch (a new or opened document)."""
        if self._document is not None:
            for signal, slot in self._handlers(self._document):
                signal.disconnect(slot)
        for item in [*self.edges.values(), *self.nodes.values(), *self.notes.values()]:
            self.removeItem(item)
        self.nodes.clear()
        self.edges.clear()
        self.notes.clear()
        self.card_moved()
        self._document = doc
        self._sized = False
        self._behind = []  # the old document's items: nothing to sweep
        for signal, slot in self._handlers(doc):
            signal.connect(slot)
        self._building = True  # one redraw of the background below, not one per wire
        try:
            for node in doc.nodes:
                self._on_node_added(node)
            for edge in doc.edges:
                self._on_edge_added(edge)
        finally:
            self._building = False
        self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)
        for note in doc.notes:
            self._on_note_added(note)
        self._on_output_changed(doc.output)
        if self.controller.result is not None:
            self.apply_result(self.controller.result)

    def _on_node_added(self, node: Node) -> None:
        self.geometry_changed()
        self.card_moved()
        item = NodeItem(node, self.latest)
        self.nodes[node.id] = item
        self.addItem(item)
        if self._document is not None and self._document.output == node.id:
            item.set_output(True, backward_call(self._document))

    def _on_node_removed(self, node: Node) -> None:
        self.geometry_changed()
        self.card_moved()
        item = self.nodes.pop(node.id, None)
        if item is not None:
            self.removeItem(item)

    def _on_node_changed(self, node: Node, field: str) -> None:
        item = self.nodes.get(node.id)
        if item is None:
            return
        if field == "pos":
            item.setPos(QPointF(*node.pos))
            self._moved.append(item.sceneBoundingRect())
            self._settle_timer.start()
        else:
            item.set_node(node)

    def _on_edge_added(self, edge: Edge) -> None:
        self.geometry_changed()
        src, dst = self.nodes[edge.src], self.nodes[edge.dst]
        item = EdgeItem(edge, src, dst, self.latest)
        self.edges[(edge.dst, edge.port)] = item
        self.addItem(item)
        if not self._building:
            item.invalidate_wire()
        dst.set_port_wired(edge.port, True)

    def _on_edge_removed(self, edge: Edge) -> None:
        self.geometry_changed()
        item = self.edges.pop((edge.dst, edge.port), None)
        if item is None:
            return
        item.invalidate_wire()
        item.detach()
        self.removeItem(item)
        if (dst := self.nodes.get(edge.dst)) is not None:
            dst.set_port_wired(edge.port, False)

    def _on_note_added(self, note: Note) -> None:
        item = NoteItem(note)
        self.notes[note.id] = item
        self.addItem(item)
        if self.hidden_nodes or self.hidden_wires:
            self._hide_notes()

    def _on_note_removed(self, note: Note) -> None:
        item = self.notes.pop(note.id, None)
        if item is not None:
            self.removeItem(item)

    def _on_note_changed(self, note: Note, field: str) -> None:
        if (item := self.notes.get(note.id)) is not None:
            item.set_note(note)
        if field == "text" and (self.hidden_nodes or self.hidden_wires):
            self._hide_notes()

    def _on_output_changed(self, node_id: str | None) -> None:
        call = backward_call(self._document) if self._document is not None else None
        for item_id, item in self.nodes.items():
            item.set_output(item_id == node_id, call)

    def _on_program_changed(self) -> None:
        if self._document is not None:
            self._on_output_changed(self._document.output)

    # ------------------------------------------------------------ painting
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        """The wires' curves: a layer the view caches (an edit repaints only cards and pills)."""
        super().drawBackground(painter, rect)
        wires = [item for item in self.items(rect, Qt.ItemSelectionMode.IntersectsItemBoundingRect,
                                             Qt.SortOrder.AscendingOrder)
                 if type(item) is EdgeItem and item.isVisible()]
        paint_wires(painter, wires)

    # ------------------------------------------------------- predict, then reveal
    def hide_answers(self, nodes: dict[str, str], wires: set[tuple[str, int]]) -> None:
        """Hide the answers the class is to predict: per node "all" (value, grad, grad_fn) or
        "grad", the gradients on ``wires``, and the notes that state any of them (nothing
        hidden: every answer shows again)."""
        changed = (nodes, wires) != (self.hidden_nodes, self.hidden_wires)
        self.hidden_nodes, self.hidden_wires = dict(nodes), set(wires)
        for node_id, item in self.nodes.items():
            item.set_hidden_numbers(nodes.get(node_id))
        for key, edge_item in self.edges.items():
            edge_item.set_hidden_numbers(key in wires)
        changed = self._hide_notes() or changed
        if changed:
            self.answers_hidden.emit()

    def _hide_notes(self) -> bool:
        """Hide the notes stating a hidden answer; True when that changed which ones."""
        result = self.controller.result
        notes = set() if result is None or not (self.hidden_nodes or self.hidden_wires) else \
            notes_stating_answers(self.controller.document, result, self.hidden_nodes,
                                  self.hidden_wires)
        for note_id, item in self.notes.items():
            item.set_hidden(note_id in notes)
        changed, self.hidden_notes = notes != self.hidden_notes, notes
        return changed

    # ------------------------------------------------------------ evaluation
    @gui_first.burst
    def apply_result(self, result: EvalResult) -> None:
        """Show a new evaluation: the items in sight of a view take their part and repaint now.

        The others (at 5,000 nodes, most of them) take theirs when asked (their ``result`` or
        ``grad``) or when the sweep reaches them, a few milliseconds of them per turn of the
        event loop, after the repaint (see :class:`LatestResult`). A new document's first result
        is taken by every card at once: it sizes them.
        """
        latest = self.latest
        latest.result = result
        latest.generation += 1
        behind: list[NodeItem | EdgeItem] = [*self.nodes.values(), *self.edges.values()]
        shown = self._items_in_sight()
        # below this zoom no view paints numbers or pills (a large graph fitted in view): the
        # new numbers change no pixel, so the items in sight take theirs first in the sweep,
        # without a repaint (a card whose badges or size change still repaints)
        if any(view.transform().m11() >= TEXT_MIN_ZOOM for view in self.views()):
            for item in shown:
                kind = type(item)
                if kind is NodeItem:
                    item.set_result(result.nodes.get(item.node_id))
                    item.settle()  # its numbers are painted next: wrap them now, not mid-paint
                elif kind is EdgeItem:
                    edge_result = result.edges.get(item.key)
                    item.set_gradient(None if edge_result is None else edge_result.grad,
                                      repaint=False)
            # the pills in sight repaint as one area, not one request per wire (Qt maps each
            # request to the views when it processes the scene's changes)
            for area in self._sight[2] if self._sight is not None else ():
                self.pills.update(area)
        else:
            behind.extend(item for item in shown if type(item) in (NodeItem, EdgeItem))
        if not self._sized:
            self._sized = True
            for card in self.nodes.values():
                card.take_latest()
        self._behind = behind
        # the sweep begins a frame later: the repaint of the new numbers comes first, in a
        # turn of the event loop of its own
        self._sweep_timer.start(_SWEEP_DELAY_MS)

    @gui_first.burst
    def _sweep(self) -> None:
        """Have the items out of sight take the latest result, ``_SWEEP_S`` at most a turn."""
        behind, end = self._behind, time.perf_counter() + _SWEEP_S
        while behind:
            behind.pop().take_latest()
            if time.perf_counter() > end:
                self._sweep_timer.start(1)
                return

    @property
    def sweeping(self) -> bool:
        """True while items out of sight have not taken the latest result yet."""
        return bool(self._behind)

    def _items_in_sight(self) -> set[QGraphicsItem]:
        """The items some view shows now (with a margin).

        Kept until a view scrolls or zooms or an item moves, resizes, comes or goes
        (:meth:`geometry_changed`): a value edit, the common case, asks the index nothing.
        """
        areas = []
        for view in self.views():
            area = view.mapToScene(view.viewport().rect()).boundingRect()
            # the margin reaches the pills of wires just out of sight (a pill is up to 420 wide)
            areas.append(area.adjusted(-_SIGHT_MARGIN, -_SIGHT_MARGIN, _SIGHT_MARGIN,
                                       _SIGHT_MARGIN))
        key = tuple(area.getRect() for area in areas)
        if self._sight is not None and self._sight[0] == key:
            return self._sight[1]
        shown: set[QGraphicsItem] = set()
        for area in areas:
            shown.update(self.items(area, Qt.ItemSelectionMode.IntersectsItemBoundingRect))
        self._sight = (key, shown, areas)
        return shown

    def wires_near(self, rect: QRectF) -> list[EdgeItem]:
        """The shown wires whose curve's bounds meet ``rect``, in a fixed order (for the pills).

        Answered from the items in sight when they cover ``rect`` (a repaint of the view),
        else from all the wires (an export). Not from the scene's index: an export turns the
        items' caches off, which leaves the index without them until the event loop runs, so
        exported slides lost every gradient label.
        """
        sight = self._sight
        if sight is not None and any(area.contains(rect) for area in sight[2]):
            candidates: Iterable[QGraphicsItem] = sight[1]
        else:
            candidates = self.edges.values()
        wires = [item for item in candidates if type(item) is EdgeItem and item.isVisible()
                 and item.boundingRect().intersects(rect)]
        wires.sort(key=lambda wire: wire.key)
        return wires

    def card_covers(self, rect: QRectF) -> bool:
        """Whether a node card overlaps ``rect`` (where a wire's pill would be hard to read)."""
        return any(type(item) is NodeItem for item in
                   self.items(rect, Qt.ItemSelectionMode.IntersectsItemBoundingRect))

    def itemsBoundingRect(self) -> QRectF:
        """The cards, notes, wires and pills (not the pill layer, which spans the whole scene);
        what fitting the view and exports frame."""
        rect = QRectF()
        for item in (*self.nodes.values(), *self.notes.values(), *self.edges.values()):
            rect = rect.united(item.sceneBoundingRect())
        for wire in self.edges.values():
            if wire.grad is not None:
                rect = rect.united(wire.pill_box())
        return rect

    def _restyle_selected_wires(self) -> None:
        """Wires draw their curve themselves while selected (see EdgeItem.stands_out)."""
        selected = {item for item in self.selectedItems() if type(item) is EdgeItem}
        for wire in selected ^ self._selected_wires:
            if wire.scene() is self:
                wire.restyle()
        self._selected_wires = selected

    def room_right_of(self, card: NodeItem) -> float:
        """How wide ``card`` may grow before it covers an input port of a card on its right."""
        left, top = card.pos().x(), card.pos().y()
        bottom = top + card.card_rect().height() + 3 * style.fonts().line
        reach = style.NODE_MAX_WIDTH + _PORT_CLEARANCE
        room = style.NODE_MAX_WIDTH
        cells = self._card_cells()
        for column in range(int(left // _CELL), int((left + reach) // _CELL) + 1):
            for row in range(int((top - _TALLEST) // _CELL), int(bottom // _CELL) + 1):
                for x, y, item in cells.get((column, row), ()):
                    if (left < x <= left + reach and y < bottom and item is not card
                            and y + item.card_rect().height() > top):
                        room = min(room, x - left - _PORT_CLEARANCE)
        return room

    def _card_cells(self) -> dict[tuple[int, int], list[tuple[float, float, NodeItem]]]:
        """The cards by the cell of a coarse grid their top-left corner lies in: the index of
        ``room_right_of`` (the scene's own index is rebuilt whenever an item changes size, as
        thousands do at once when a graph is opened)."""
        if self._cells is None:
            self._cells = {}
            for item in self.nodes.values():
                x, y = item.pos().x(), item.pos().y()
                self._cells.setdefault((int(x // _CELL), int(y // _CELL)), []).append((x, y, item))
        return self._cells

    def card_moved(self) -> None:
        """A card moved, came or went: ``room_right_of``'s index must be built again."""
        self._cells = None

    def settle_later(self, card: NodeItem) -> None:
        """Have ``card`` take the height its numbers need once the paint under way is over."""
        self._unsettled.add(card)
        self._settle_timer.start()

    def settle_all(self) -> None:
        """Every card formatted and sized for its numbers now (an export, a layout)."""
        self._settle_pending()
        for item in self.nodes.values():
            item.settle()

    def _settle_pending(self) -> None:
        self._settle_timer.stop()
        cards, self._unsettled = self._unsettled, set()
        moved, self._moved = self._moved, []
        if moved:
            # a card that moved may free the room of a card it held back, or take the room of
            # a card on its left
            crowded = {item for item in self.nodes.values() if item.held_back}
            reach = style.NODE_MAX_WIDTH + _PORT_CLEARANCE
            for rect in moved:
                band = QRectF(rect.left() - reach, rect.top() - 3 * style.fonts().line, reach,
                              rect.height() + 3 * style.fonts().line)
                crowded.update(item for item in self.items(
                    band, Qt.ItemSelectionMode.IntersectsItemBoundingRect)
                    if type(item) is NodeItem)
            for item in crowded:
                item.room_changed()
        for item in cards:
            if item.scene() is self:
                item.settle()

    def geometry_changed(self) -> None:
        """An item moved, resized, came or went: which items are in sight must be looked up."""
        self._sight = None

    # --------------------------------------------------------------- queries
    def card_size(self, node_id: str) -> tuple[float, float]:
        """(width, height) of the node's card with all the room its numbers ask for: the
        measure the layered layout (Tidy Up, code import) leaves it."""
        item = self.nodes.get(node_id)
        if item is None:
            return (0.0, 0.0)
        return item.natural_size()

    def free_spot_near(self, centre: QPointF, size: tuple[float, float]) -> QPointF:
        """The top-left corner, nearest to having its centre at ``centre``, of a card of
        ``size`` that would cover no card or note (a node added from the palette lands there,
        not on the one added before it)."""
        width, height = size
        step = style.GRID_SIZE * 2
        offsets = sorted(((dx * step, dy * step) for dx in range(-_SPOT_RINGS, _SPOT_RINGS + 1)
                          for dy in range(-_SPOT_RINGS, _SPOT_RINGS + 1)),
                         key=lambda d: (d[0] ** 2 + d[1] ** 2, d[1], d[0]))
        corner = QPointF(centre.x() - width / 2, centre.y() - height / 2)
        for dx, dy in offsets:
            spot = corner + QPointF(dx, dy)
            room = QRectF(spot, QSizeF(width, height)).adjusted(
                -_SPOT_MARGIN, -_SPOT_MARGIN, _SPOT_MARGIN, _SPOT_MARGIN)
            if not any(type(item) in (NodeItem, NoteItem) for item in
                       self.items(room, Qt.ItemSelectionMode.IntersectsItemBoundingRect)):
                return spot
        return corner

    def pill_width(self, edge: tuple[str, str, int]) -> float:
        """How wide the gradient pill of the wire ``(src, dst, port)`` is drawn (0: none)."""
        item = self.edges.get((edge[1], edge[2]))
        return 0.0 if item is None else item.pill_width()

    def node_item_at(self, scene_pos: QPointF) -> NodeItem | None:
        """The topmost node card under ``scene_pos`` (ports reach a little outside the card)."""
        for item in self.items(scene_pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def port_near(self, scene_pos: QPointF, radius: float = style.PORT_HIT_RADIUS,
                  ) -> tuple[NodeItem, tuple[str, int]] | None:
        """The card and its port ("in", i) or ("out", 0) within ``radius`` of ``scene_pos``."""
        for item in self._cards_near(scene_pos, radius):
            port = item.port_at(scene_pos, radius)
            if port is not None:
                return item, port
        return None

    def input_port_at(self, scene_pos: QPointF,
                      radius: float = style.PORT_HIT_RADIUS) -> tuple[str, int] | None:
        """(node id, port) of the input port within ``radius`` of ``scene_pos``, if any."""
        for item in self._cards_near(scene_pos, radius):
            port = item.port_at(scene_pos, radius)
            if port is not None and port[0] == "in":
                return (item.node_id, port[1])
        return None

    def drop_target(self, scene_pos: QPointF, src: str,
                    radius: float = style.PORT_HIT_RADIUS) -> tuple[str, int] | None:
        """Where a wire dragged from ``src`` connects when dropped at ``scene_pos``.

        On (or within ``radius`` of) an input port: that port. On a port's row (its label): that
        port. Elsewhere on a card: its first input that has no wire yet, as node editors do;
        none when every input is wired (dropping on the port itself replaces a wire).
        """
        near = self.input_port_at(scene_pos, radius)
        if near is not None:
            return near if near[0] != src else None
        item = self.node_item_at(scene_pos)
        if item is None or item.node_id == src or not item.node.spec.inputs:
            return None
        row = item.input_row_at(scene_pos)
        if row is not None:
            return (item.node_id, row)
        document = self.controller.document
        for port in range(len(item.node.spec.inputs)):
            if document.edge_into(item.node_id, port) is None:
                return (item.node_id, port)
        return None

    def _cards_near(self, scene_pos: QPointF, radius: float) -> list[NodeItem]:
        """The cards within ``radius`` of ``scene_pos``, topmost first."""
        area = QRectF(scene_pos.x() - radius, scene_pos.y() - radius, 2 * radius, 2 * radius)
        return [item for item in self.items(area, Qt.ItemSelectionMode.IntersectsItemShape,
                                            Qt.SortOrder.DescendingOrder)
                if type(item) is NodeItem]

    def select_ids(self, ids: list[str]) -> None:
        """Select exactly the nodes and notes named in ``ids``."""
        self.clearSelection()
        for item_id in ids:
            item = self.nodes.get(item_id) or self.notes.get(item_id)
            if item is not None:
                item.setSelected(True)

    def selected_ids(self) -> tuple[list[str], list[str]]:
        """Ids of the selected nodes and of the selected notes."""
        items = self.selectedItems()
        return ([i.node_id for i in items if isinstance(i, NodeItem)],
                [i.note_id for i in items if isinstance(i, NoteItem)])

    # -------------------------------------------------------------- tooltips
    def _result(self, node_id: str) -> Any:
        result = self.controller.result
        return result.nodes.get(node_id) if result is not None else None

    def port_tooltip(self, node_id: str, port: tuple[str, int]) -> str:
        doc = self.controller.document
        node = doc.node(node_id)
        if port[0] == "out":
            title = QCoreApplication.translate("GraphScene", "%1 (output of %2)")
            hidden = self.hidden_nodes.get(node_id)
            return tensor_tooltip(title.replace("%1", node.display_name).replace("%2", node.type),
                                  self._result(node_id), hide_value=hidden == "all",
                                  hide_grad=hidden is not None)
        spec = node.spec.inputs[port[1]]
        edge = doc.edge_into(node_id, port[1])
        if edge is None:
            if spec.default is None:
                return f"<b>{spec.name}</b><br>" + QCoreApplication.translate(
                    "GraphScene", "not connected: wire a tensor here")
            number = node.params.get(spec.name, spec.default)
            return f"<b>{spec.name}</b><br>" + QCoreApplication.translate(
                "GraphScene", "unwired: the number %1").replace("%1", tensor_body(number))
        return self.wire_tooltip((node_id, port[1]))

    def wire_tooltip(self, key: tuple[str, int]) -> str:
        doc = self.controller.document
        edge = doc.edge_into(*key)
        if edge is None:
            return ""
        dst = doc.node(edge.dst)
        title = (f"{doc.node(edge.src).display_name} → {dst.display_name}."
                 f"{dst.spec.inputs[edge.port].name}")
        item = self.edges.get(key)
        return wire_tooltip(title, self._result(edge.src),
                            item.grad if item is not None else None,
                            hide_value=self.hidden_nodes.get(edge.src) == "all",
                            hide_grad=key in self.hidden_wires)
