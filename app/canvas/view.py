"""GraphView: the canvas widget (zoom, pan, fit, selection, keys, drops, context menus).

The view owns its :class:`GraphScene` and routes the mouse to one interaction at a time
(wiring, moving, panning; see ``interactions``). Keyboard shortcuts here make the canvas usable
on its own; inside the main window, the window's actions with the same keys take precedence.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmapCache,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QLabel, QWidget
from shiboken6 import isValid

from app import clipboard
from app.canvas import menus, style
from app.canvas.interactions import MoveInteraction, PanInteraction, WireDragInteraction
from app.canvas.node_item import NodeItem
from app.canvas.note_item import NoteItem
from app.canvas.parameter_dialog import edit_parameter
from app.canvas.scene import GraphScene
from app.canvas.search_popup import NodeSearchPopup
from app.controller import DocumentController
from app.registry import NODE_TYPES
from app.runtime import gui_first

#: MIME type of a palette entry being dragged; the payload is the registry type name (UTF-8).
NODE_TYPE_MIME = "application/x-cgstudio-node-type"
MIN_ZOOM, MAX_ZOOM = 0.2, 4.0
#: Fit all never magnifies beyond this (a three-node graph would fill the screen).
MAX_FIT_ZOOM = 1.5
_PICTURE_CACHE_KB = 128 * 1024
_ZOOM_STEP = 1.25
_FIT_MARGIN = 40.0
#: The canvas hint's widest width and its distance from the corner (pixels).
_HINT_WIDTH, _HINT_MARGIN = 460, 12
#: The size a pasted or added card is reckoned with before it is drawn.
_CARD_GUESS = (style.NODE_MIN_WIDTH, 140.0)


class GraphView(QGraphicsView):
    """The canvas showing ``controller.document``."""

    #: Space pressed and released without panning: a presenter clicker's "next" (the
    #: walkthrough listens); Space held while dragging pans, as before.
    space_tapped = Signal()

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        self.controller = controller
        self.graph_scene = GraphScene(controller)
        super().__init__(self.graph_scene, parent)
        self.graph_scene.setParent(self)
        # the scene dies with the view, clearing its selection on the way: its selectionChanged
        # would then reach docks that outlive the view (a window's docks die in layout order)
        scene = self.graph_scene
        self.destroyed.connect(lambda: isValid(scene) and scene.blockSignals(True))
        self.snap_to_grid = False
        self._interaction: WireDragInteraction | PanInteraction | None = None
        self._move: MoveInteraction | None = None
        self._space_down = False
        self._space_panned = False
        self.popup: NodeSearchPopup | None = None
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        # the cards' cached pictures live in QPixmapCache, 10 MB by default: a projector-sized
        # view of large cards (or a high-DPI screen) needs more, or the pictures would be drawn
        # again on every paint
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), _PICTURE_CACHE_KB))
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        # how to start, and where backward starts: a node editor answers at once
        self.hint = QLabel(self.viewport())
        self.hint.setObjectName("canvasHint")
        self.hint.setWordWrap(True)
        self.hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        controller.undo_stack.indexChanged.connect(self.update_hint)
        controller.document_replaced.connect(self.update_hint)
        self.update_hint()

    # ------------------------------------------------------------------ hint
    def hint_text(self) -> str:
        """The canvas's hint: how to start an empty graph, how backward is chosen while the
        user has not set an output, and what a static graph waits for ("" when there is nothing
        to say)."""
        doc, controller = self.controller.document, self.controller
        if len(doc) == 0 and not doc.notes:
            return QCoreApplication.translate(
                "GraphView", "Add nodes from the palette, or double-click the canvas and type. "
                "Drag from an output port (right) to an input port (left) to wire them.")
        if doc.mode == "static":
            return QCoreApplication.translate(
                "GraphView", "Static graph: define it first, then run it. Edits wait for "
                "Graph > Run (F5); the numbers are those of the last Run.")
        if doc.output is None and len(doc) and not any(n.type == "grad" for n in doc.nodes):
            # (a grad node differentiates without backward: autograd.grad needs no output)
            return QCoreApplication.translate(
                "GraphView", "No output yet: backward starts from the node marked output. "
                "Right-click a result and choose Set as output.")
        if doc.output is not None and doc.output == controller.automatic_output:
            return QCoreApplication.translate(
                "GraphView", "Backward starts at %1, the newest result. Right-click another "
                "node and choose Set as output to start there.").replace(
                "%1", doc.node(doc.output).display_name)
        return ""

    def update_hint(self, *_: object) -> None:
        text = self.hint_text()
        self.hint.setText(text)
        self.hint.setVisible(bool(text))
        self._place_hint()

    def _place_hint(self) -> None:
        width = min(_HINT_WIDTH, self.viewport().width() - 2 * _HINT_MARGIN)
        self.hint.setFixedWidth(max(120, width))
        self.hint.adjustSize()
        self.hint.move(_HINT_MARGIN, _HINT_MARGIN)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_hint()

    # ------------------------------------------------------------------ zoom
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        """Scale to ``factor`` (clamped to 0.2x..4x) around the transformation anchor."""
        factor = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        relative = factor / self.zoom()
        self.scale(relative, relative)

    def zoom_in(self) -> None:
        self._zoom_about_centre(self.zoom() * _ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_about_centre(self.zoom() / _ZOOM_STEP)

    def reset_zoom(self) -> None:
        self._zoom_about_centre(1.0)

    def _zoom_about_centre(self, factor: float) -> None:
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.set_zoom(factor)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom() * 1.15 ** steps)
        event.accept()

    def fit_all(self) -> None:
        """Show every item (zoom between 0.2x and 1.5x); centre on them."""
        rect = self.graph_scene.itemsBoundingRect()
        if rect.isEmpty():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        rect = rect.adjusted(-_FIT_MARGIN, -_FIT_MARGIN, _FIT_MARGIN, _FIT_MARGIN)
        viewport = self.viewport().rect()
        factor = min(viewport.width() / rect.width(), viewport.height() / rect.height())
        self.resetTransform()
        self._zoom_about_centre(min(MAX_FIT_ZOOM, factor))
        self.centerOn(rect.center())

    # ---------------------------------------------------------------- layout
    def tidy_up(self) -> None:
        """Graph > Tidy Up: the layered layout, with the cards and pills measured as drawn."""
        if self.controller.result is None or self.controller.evaluation_pending:
            self.controller.evaluate_now()  # the cards take their size from the numbers
        scene = self.graph_scene
        scene.settle_all()
        self.controller.tidy_up(scene.card_size, scene.pill_width)
        scene.settle_all()  # the cards take the width their new room allows

    def lay_out_new_document(self) -> None:
        """Place the nodes of a document just opened from code by the same layout, measured
        on this canvas once evaluated (not an undo step: see DocumentController)."""
        self.controller.evaluate_now()
        scene = self.graph_scene
        scene.settle_all()
        self.controller.lay_out_new_document(scene.card_size, scene.pill_width)
        scene.settle_all()

    def set_snap_to_grid(self, on: bool) -> None:
        self.snap_to_grid = on
        self.graph_scene.snap_to_grid = on

    # ------------------------------------------------------------ background
    @gui_first.burst
    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)  # a burst: the background threads wait for it

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        """The grid, then the scene's background layer (the wires); the view caches both."""
        colours = style.canvas_colours()
        painter.fillRect(rect, colours.background)
        grid = style.GRID_SIZE if self.zoom() >= 0.5 else style.GRID_SIZE * 5
        pen = QPen(colours.grid, 1.0)
        pen.setCosmetic(True)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # crisp 1-pixel lines
        painter.setPen(pen)
        left = int(rect.left() // grid) * grid
        top = int(rect.top() // grid) * grid
        lines = []
        x = left
        while x < rect.right():
            lines.append((QPointF(x, rect.top()), QPointF(x, rect.bottom())))
            x += grid
        y = top
        while y < rect.bottom():
            lines.append((QPointF(rect.left(), y), QPointF(rect.right(), y)))
            y += grid
        for start, end in lines:
            painter.drawLine(start, end)
        painter.restore()
        super().drawBackground(painter, rect)

    def restyle(self) -> None:
        """Repaint everything in the current palette and fonts (theme or presentation change):
        the cached background and every card's cached picture are drawn again."""
        self.resetCachedContent()
        for item in self.graph_scene.items():
            item.update()
        self.viewport().update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.restyle()
        super().changeEvent(event)

    # ----------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.popup is not None and self.popup.isVisible():
            self.popup.close()
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (
                button == Qt.MouseButton.LeftButton and self._space_down):
            self._space_panned = self._space_down
            self._interaction = PanInteraction(self, event.position().toPoint())
            event.accept()
            return
        scene_pos = self.mapToScene(event.position().toPoint())
        if button == Qt.MouseButton.LeftButton and self._start_wire_drag(scene_pos):
            event.accept()
            return
        super().mousePressEvent(event)
        grabber = self.graph_scene.mouseGrabberItem()
        if button == Qt.MouseButton.LeftButton and isinstance(grabber, (NodeItem, NoteItem)):
            self._move = MoveInteraction(self)

    def port_hit_radius(self) -> float:
        """How near a port (in scene units) a press or a drop counts as on it: at least
        ``PORT_HIT_PX`` on the screen, however far the view is zoomed out."""
        return max(style.PORT_HIT_RADIUS, style.PORT_HIT_PX / max(self.transform().m11(), 1e-6))

    def _start_wire_drag(self, scene_pos: QPointF) -> bool:
        found = self.graph_scene.port_near(scene_pos, self.port_hit_radius())
        if found is None:
            return False
        item, port = found
        if port[0] == "out":
            self._interaction = WireDragInteraction(self, item.node_id)
            return True
        edge = self.controller.document.edge_into(item.node_id, port[1])
        if edge is None:
            return False
        self._interaction = WireDragInteraction(self, edge.src, detached=(item.node_id, port[1]))
        return True

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if isinstance(self._interaction, PanInteraction):
            self._interaction.move(event.position().toPoint())
        elif isinstance(self._interaction, WireDragInteraction):
            self._interaction.move(self.mapToScene(event.position().toPoint()))
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        interaction, self._interaction = self._interaction, None
        if isinstance(interaction, PanInteraction):
            interaction.release()
        elif isinstance(interaction, WireDragInteraction):
            interaction.release(self.mapToScene(event.position().toPoint()))
        else:
            super().mouseReleaseEvent(event)
            move, self._move = self._move, None
            if move is not None:
                move.release()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.itemAt(event.position().toPoint()) is None:
            self.open_search(self.mapToScene(event.position().toPoint()))
            return
        scene_pos = self.mapToScene(event.position().toPoint())
        node = self.graph_scene.node_item_at(scene_pos)
        name = None if node is None else node.parameter_at(node.mapFromScene(scene_pos))
        if node is not None and name is not None:  # a layer's weight or bias: edit its numbers
            edit_parameter(self, node.node_id, name)
            return
        super().mouseDoubleClickEvent(event)

    # -------------------------------------------------------------- keyboard
    def is_editing_text(self) -> bool:
        """True while a note is being typed into (keys then belong to the note)."""
        return self.graph_scene.focusItem() is not None

    def event(self, event: QEvent) -> bool:
        # Tab would move the keyboard focus to the next widget; on the canvas it adds a node
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Tab and not self.is_editing_text()):
            self.open_search(self.mapToScene(self.mapFromGlobal(self.cursor().pos())))
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.is_editing_text():
            super().keyPressEvent(event)
            return
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self._space_panned = False
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_items(*self.graph_scene.selected_ids())
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste_clipboard()
        elif event.key() == Qt.Key.Key_D and ctrl:
            nodes, notes = self.graph_scene.selected_ids()
            self.controller.duplicate(nodes + notes)
        elif event.key() == Qt.Key.Key_F and not event.modifiers():
            self.fit_all()
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            tapped = self._space_down and not self._space_panned
            self._space_down = False
            if tapped and not self.is_editing_text():
                self.space_tapped.emit()
        super().keyReleaseEvent(event)

    # --------------------------------------------------------- edit commands
    def delete_items(self, node_ids: list[str], note_ids: list[str]) -> None:
        self.controller.remove(node_ids, note_ids)

    def copy_selection(self) -> str:
        """Put the selection on the clipboard (as .cgraph JSON text); returns the text."""
        nodes, notes = self.graph_scene.selected_ids()
        if not nodes and not notes:
            return ""
        text = self.controller.copy(nodes + notes)
        QGuiApplication.clipboard().setText(text)
        return text

    def paste_clipboard(self) -> list[str]:
        """Paste the clipboard's copied graph centred in the view, and keep it all in sight."""
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            return []
        width, height = clipboard.spread(text)
        centre = self.mapToScene(self.viewport().rect().center())
        pasted = self.controller.paste(text, (centre.x() - (width + _CARD_GUESS[0]) / 2,
                                              centre.y() - (height + _CARD_GUESS[1]) / 2))
        if pasted:
            self.bring_into_view(pasted)
        return pasted

    def bring_into_view(self, ids: list[str]) -> None:
        """Scroll to the nodes and notes ``ids`` when some are out of sight, zooming out as
        far as they need to fit."""
        scene = self.graph_scene
        rect = QRectF()
        for item_id in ids:
            item = scene.nodes.get(item_id) or scene.notes.get(item_id)
            if item is not None:
                rect = rect.united(item.sceneBoundingRect())
        if rect.isEmpty() or self.mapToScene(self.viewport().rect()).boundingRect().contains(rect):
            return
        rect = rect.adjusted(-_FIT_MARGIN, -_FIT_MARGIN, _FIT_MARGIN, _FIT_MARGIN)
        viewport = self.viewport().rect()
        factor = min(viewport.width() / rect.width(), viewport.height() / rect.height())
        if factor < self.zoom():
            self._zoom_about_centre(factor)
        self.centerOn(rect.center())

    def open_search(self, scene_pos: QPointF) -> NodeSearchPopup:
        """Open the quick-add popup; the chosen node type is added at ``scene_pos``."""
        if self.popup is None:
            self.popup = NodeSearchPopup(self)
        else:
            self.popup.chosen.disconnect()
        position = (scene_pos.x(), scene_pos.y())
        self.popup.chosen.connect(lambda name: self.controller.add_node(name, position))
        self.popup.open_at(self.viewport().mapTo(self, self.mapFromScene(scene_pos)))
        return self.popup

    # ----------------------------------------------------------------- drops
    @staticmethod
    def _dropped_type(event: QDropEvent | QDragMoveEvent | QDragEnterEvent) -> str | None:
        mime = event.mimeData()
        if not mime.hasFormat(NODE_TYPE_MIME):
            return None
        name = bytes(mime.data(NODE_TYPE_MIME).data()).decode("utf-8", errors="replace")
        return name if name in NODE_TYPES else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_type(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._dropped_type(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        name = self._dropped_type(event)
        if name is None:
            event.ignore()
            return
        pos = self.mapToScene(event.position().toPoint())
        self.controller.add_node(name, (pos.x(), pos.y()))
        event.acceptProposedAction()

    # ---------------------------------------------------------- context menu
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        scene_pos = self.mapToScene(event.pos())
        node = self.graph_scene.node_item_at(scene_pos)
        note = next((i for i in self.graph_scene.items(scene_pos) if isinstance(i, NoteItem)),
                    None)
        if node is not None:
            menu = menus.node_menu(self, node.node_id, self)
        elif note is not None:
            menu = menus.note_menu(self, note.note_id, self)
        else:
            menu = menus.canvas_menu(self, scene_pos, self)
        menu.exec(event.globalPos())
        menu.deleteLater()
