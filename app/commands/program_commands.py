"""The undo command for how the graph is run: the backward plan, the graph mode, the trace.

"Backward again", "Zero grad", a weighting gradient, static mode and Trace each replace one part
of the document's program state (:meth:`GraphDocument.program_state`); the command keeps the
state from before, so undo puts the whole of it back.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from app.model import GraphDocument
from app.model.backward_plan import BackwardPlan

ProgramState = tuple[BackwardPlan, str, dict[str, str] | None]


class SetProgramCommand(QUndoCommand):
    """Replace the document's backward plan, mode and trace by ``state`` (checked before)."""

    def __init__(self, doc: GraphDocument, text: str, state: ProgramState,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.doc = doc
        self.state = state
        self.old: ProgramState | None = None

    def _apply(self, state: ProgramState) -> None:
        if state[1] != self.doc.mode:
            self.doc.set_mode(state[1])  # entering static mode forgets the last Run
        self.doc.restore_program(state)

    def redo(self) -> None:
        self.old = self.doc.program_state()
        self._apply(self.state)

    def undo(self) -> None:
        assert self.old is not None, "undo before redo"
        self._apply(self.old)
