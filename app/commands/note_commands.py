"""Undo commands for the text notes on the canvas: add, remove, and set text or size."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from app.model import GraphDocument, Note

_FIELD_VERBS = {"text": "Edit note", "pos": "Move note", "size": "Resize note"}


class AddNoteCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, note: Note, parent: QUndoCommand | None = None) -> None:
        super().__init__("Add note", parent)
        self.doc = doc
        self.note = note.copy()

    def redo(self) -> None:
        self.doc.add_note(self.note.copy())

    def undo(self) -> None:
        self.doc.remove_note(self.note.id)


class RemoveNoteCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, note_id: str,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__("Delete note", parent)
        self.doc = doc
        self.note_id = note_id
        self.removed: Note | None = None

    def redo(self) -> None:
        self.removed = self.doc.remove_note(self.note_id)

    def undo(self) -> None:
        assert self.removed is not None, "undo before redo"
        self.doc.add_note(self.removed)


class SetNoteFieldCommand(QUndoCommand):
    """Set a note's text, pos or size."""

    def __init__(self, doc: GraphDocument, note_id: str, name: str, value: Any,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(_FIELD_VERBS.get(name, f"Set note {name}"), parent)
        self.doc = doc
        self.note_id, self.name, self.value = note_id, name, value
        self.old: Any = None

    def redo(self) -> None:
        self.old = self.doc.set_note_field(self.note_id, self.name, self.value)

    def undo(self) -> None:
        self.doc.set_note_field(self.note_id, self.name, self.old)
