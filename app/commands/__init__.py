"""Undo commands: one small QUndoCommand per kind of edit, whose redo/undo call GraphDocument.

The controller pushes these on its QUndoStack after asking the document whether the edit is
allowed; several edits made at once (delete a selection, paste, tidy up) are grouped in a macro.
"""

from app.commands.code_commands import CodeEditCommand
from app.commands.graph_commands import (
    AddNodeCommand,
    ConnectCommand,
    DisconnectCommand,
    MoveNodesCommand,
    RemoveNodeCommand,
    SetFieldCommand,
    SetOutputCommand,
    SetParamCommand,
    SetValuesCommand,
)
from app.commands.module_commands import SetModuleCommand, SetOptimizerCommand
from app.commands.note_commands import AddNoteCommand, RemoveNoteCommand, SetNoteFieldCommand
from app.commands.program_commands import SetProgramCommand

__all__ = [
    "AddNodeCommand",
    "AddNoteCommand",
    "CodeEditCommand",
    "ConnectCommand",
    "DisconnectCommand",
    "MoveNodesCommand",
    "RemoveNodeCommand",
    "RemoveNoteCommand",
    "SetFieldCommand",
    "SetModuleCommand",
    "SetNoteFieldCommand",
    "SetOptimizerCommand",
    "SetOutputCommand",
    "SetParamCommand",
    "SetProgramCommand",
    "SetValuesCommand",
]
