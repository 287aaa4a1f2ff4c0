"""Undo commands for torch.nn module nodes and for how the graph is trained.

A layer's sizes and its parameter tensors change together (a Linear with in_features 3 holds a
weight with 3 columns), so one command sets both; the optimizer settings of the Training dock
belong to the document too (they are saved with it), and changing them is an undo step.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from app.model import GraphDocument

#: QUndoCommand.id() of optimizer edits: consecutive ones merge (typing a learning rate).
SET_OPTIMIZER_COMMAND_ID = 3


class SetModuleCommand(QUndoCommand):
    """Give a module node new params and parameter tensors at once (new sizes, a new seed)."""

    def __init__(self, doc: GraphDocument, node_id: str, params: dict[str, Any],
                 state: dict[str, Any], text: str, parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.doc = doc
        self.node_id = node_id
        self.params, self.state = copy.deepcopy(params), copy.deepcopy(state)
        self.old: tuple[dict[str, Any], dict[str, Any]] | None = None

    def redo(self) -> None:
        self.old = self.doc.set_module(self.node_id, self.params, self.state)

    def undo(self) -> None:
        assert self.old is not None, "undo before redo"
        self.doc.set_module(self.node_id, *self.old)


class SetOptimizerCommand(QUndoCommand):
    """Choose the Training dock's optimizer and its settings (None: the dock's defaults).

    Consecutive changes merge into one step, so stepping a spin box through ten values is one
    undo; a change back to where the step began leaves nothing to undo.
    """

    def __init__(self, doc: GraphDocument, settings: dict[str, Any] | None, text: str,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.doc = doc
        self.before = doc.optimizer
        self.after = copy.deepcopy(settings)

    def id(self) -> int:
        return SET_OPTIMIZER_COMMAND_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetOptimizerCommand):
            return False
        self.after = other.after
        self.setText(other.text())
        if self.after == self.before:
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        self.doc.set_optimizer(self.after)

    def undo(self) -> None:
        self.doc.set_optimizer(self.before)
