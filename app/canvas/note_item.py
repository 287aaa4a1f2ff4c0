"""NoteItem: a yellow comment box on the canvas, movable, resizable, edited by double-click.

Editing happens in a child text item; when it loses focus the new text goes to the controller
(one undoable "Edit note"). Dragging the corner grip resizes the note, pushed on release. A note
that states an answer the class is predicting is covered until the answers are revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneMouseEvent,
    QGraphicsTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from app.canvas import style
from app.model import Note

_GRIP = 14.0
_MIN_SIZE = (80.0, 40.0)


class _NoteText(QGraphicsTextItem):
    """The note's text; reports the edited text when editing ends (focus out or Escape)."""

    def __init__(self, parent: QGraphicsItem, on_finished: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.on_finished = on_finished

    def start_editing(self) -> None:
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setFocus(Qt.FocusReason.MouseFocusReason)

    def stop_editing(self) -> None:
        if self.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction:
            return
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)
        self.on_finished(self.toPlainText())

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.stop_editing()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.clearFocus()
            return
        super().keyPressEvent(event)


class NoteItem(QGraphicsItem):
    """The note ``note_id`` of the document."""

    def __init__(self, note: Note) -> None:
        super().__init__()
        self.note_id = note.id
        self._size = note.size
        self._resize_from: tuple[QPointF, tuple[float, float]] | None = None
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setZValue(-1.0)
        self.text_item = _NoteText(self, self._commit_text)
        self.text_item.setFont(style.font(style.TEXT_POINT_SIZE))
        self.text_item.setPos(6, 4)
        self.hidden = False
        self.set_note(note)

    def set_note(self, note: Note) -> None:
        self.setPos(QPointF(*note.pos))
        if note.size != self._size:
            self.prepareGeometryChange()
            self._size = note.size
        if self.text_item.toPlainText() != note.text:
            self.text_item.setPlainText(note.text)
        self.text_item.setTextWidth(max(20.0, self._size[0] - 12))
        self.text_item.setDefaultTextColor(style.canvas_colours().note_text)
        self.update()

    def text(self) -> str:
        return self.text_item.toPlainText()

    def shown_text(self) -> str:
        """What the note shows: its text, or while it would give an answer away, a line that
        says it is hidden."""
        return self._hidden_text() if self.hidden else self.text()

    @staticmethod
    def _hidden_text() -> str:
        return QCoreApplication.translate("NoteItem", "This note gives answers away: it shows "
                                          "again when they are revealed.")

    def set_hidden(self, hidden: bool) -> None:
        """Cover the note (predict mode: it states an answer) or show it again."""
        if hidden != self.hidden:
            self.hidden = hidden
            if hidden:
                self.text_item.clearFocus()  # an edit under way ends, its text kept
            self.text_item.setVisible(not hidden)
            self.update()

    def start_editing(self) -> None:
        if not self.hidden:
            self.text_item.start_editing()

    def _commit_text(self, text: str) -> None:
        scene = self.scene()
        if scene is not None:
            scene.controller.set_note_text(self.note_id, text)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, *self._size).adjusted(-3, -3, 3, 3)

    def _grip_rect(self) -> QRectF:
        width, height = self._size
        return QRectF(width - _GRIP, height - _GRIP, _GRIP, _GRIP)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        colours = style.canvas_colours()
        self.text_item.setDefaultTextColor(colours.note_text)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(0, 0, *self._size)
        painter.setPen(QPen(colours.selection if self.isSelected() else colours.note.darker(130),
                            2.0 if self.isSelected() else 1.0))
        painter.setBrush(colours.note)
        painter.drawRoundedRect(rect, 4, 4)
        if self.hidden:
            painter.setFont(self.text_item.font())
            painter.setPen(colours.note_text)
            painter.drawText(rect.adjusted(10, 8, -10, -8), self._hidden_text(), style.wrapped())
        grip = self._grip_rect()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colours.note.darker(140))
        painter.drawPolygon(QPolygonF([grip.topRight(), grip.bottomRight(), grip.bottomLeft()]))

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.start_editing()
        event.accept()

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if (event.button() == Qt.MouseButton.LeftButton
                and self._grip_rect().contains(event.pos())):
            self._resize_from = (event.scenePos(), self._size)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._resize_from is None:
            super().mouseMoveEvent(event)
            return
        start, (width, height) = self._resize_from
        delta = event.scenePos() - start
        self.prepareGeometryChange()
        self._size = (max(_MIN_SIZE[0], width + delta.x()), max(_MIN_SIZE[1], height + delta.y()))
        self.text_item.setTextWidth(self._size[0] - 12)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._resize_from is None:
            super().mouseReleaseEvent(event)
            return
        old_size = self._resize_from[1]
        self._resize_from = None
        scene = self.scene()
        if scene is not None and self._size != old_size:
            scene.controller.set_note_field(self.note_id, "size", self._size)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        scene = self.scene()
        if (change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and scene is not None
                and getattr(scene, "snapping", False)):
            return style.snap_to_grid(value)
        return super().itemChange(change, value)
