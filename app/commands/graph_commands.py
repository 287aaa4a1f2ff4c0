"""Undo commands for nodes and wires: add, remove, connect, disconnect, move, set a field.

Each command stores what it needs to put the document back exactly as it was; ``redo`` and
``undo`` only call :class:`GraphDocument` methods, so the canvas follows through the document's
signals. The command text is what the History dock lists ("Connect w -> a").
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from app.commands.program_commands import ProgramState
from app.model import Edge, GraphDocument, Node
from app.model.rules import value_field

Point = tuple[float, float]

#: QUndoCommand.id() of the commands that merge with their successor.
MOVE_COMMAND_ID = 1
SET_VALUES_COMMAND_ID = 2
_MAX_VALUE_TEXT = 40


def describe_value(value: Any) -> str:
    """A value as the History dock shows it: its repr, shortened when long."""
    text = repr(value)
    return text if len(text) <= _MAX_VALUE_TEXT else text[: _MAX_VALUE_TEXT - 1] + "…"


class AddNodeCommand(QUndoCommand):
    """Add one node (a copy of ``node``, so later edits never change what redo adds)."""

    def __init__(self, doc: GraphDocument, node: Node, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Add {node.type} {node.display_name}", parent)
        self.doc = doc
        self.node = node.copy()

    def redo(self) -> None:
        self.doc.add_node(self.node.copy())

    def undo(self) -> None:
        self.doc.remove_node(self.node.id)


class RemoveNodeCommand(QUndoCommand):
    """Remove a node; undo restores it with its wires, its output flag and the backward steps
    that zeroed it (or its layer's weights) and its place in a trace."""

    def __init__(self, doc: GraphDocument, node_id: str,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Delete {doc.node(node_id).display_name}", parent)
        self.doc = doc
        self.node_id = node_id
        self.removed: tuple[Node, list[Edge], bool] | None = None
        self.program: ProgramState | None = None

    def redo(self) -> None:
        self.program = self.doc.program_state()
        self.removed = self.doc.remove_node(self.node_id)

    def undo(self) -> None:
        assert self.removed is not None, "undo before redo"
        node, edges, was_output = self.removed
        self.doc.add_node(node)
        for edge in edges:
            self.doc.connect(edge.src, edge.dst, edge.port)
        if was_output:
            self.doc.set_output(node.id)
        assert self.program is not None
        self.doc.restore_program(self.program)


class ConnectCommand(QUndoCommand):
    """Wire ``src`` into input ``port`` of ``dst``; undo puts back the wire it replaced, if any."""

    def __init__(self, doc: GraphDocument, src: str, dst: str, port: int,
                 parent: QUndoCommand | None = None) -> None:
        port_name = doc.node(dst).spec.inputs[port].name
        super().__init__(
            f"Connect {doc.node(src).display_name} -> {doc.node(dst).display_name}.{port_name}",
            parent)
        self.doc = doc
        self.src, self.dst, self.port = src, dst, port
        self.replaced: Edge | None = None

    def redo(self) -> None:
        self.replaced = self.doc.connect(self.src, self.dst, self.port)

    def undo(self) -> None:
        if self.replaced is None:
            self.doc.disconnect(self.dst, self.port)
        else:
            self.doc.connect(self.replaced.src, self.dst, self.port)


class DisconnectCommand(QUndoCommand):
    """Remove the wire into input ``port`` of ``dst``."""

    def __init__(self, doc: GraphDocument, dst: str, port: int,
                 parent: QUndoCommand | None = None) -> None:
        edge = doc.edge_into(dst, port)
        src_name = doc.node(edge.src).display_name if edge is not None else "?"
        super().__init__(f"Disconnect {src_name} -> {doc.node(dst).display_name}", parent)
        self.doc = doc
        self.dst, self.port = dst, port
        self.removed: Edge | None = None

    def redo(self) -> None:
        self.removed = self.doc.disconnect(self.dst, self.port)

    def undo(self) -> None:
        assert self.removed is not None, "undo before redo"
        self.doc.connect(self.removed.src, self.dst, self.port)


class MoveNodesCommand(QUndoCommand):
    """Move nodes and notes (ids are unique across both) from their old to their new positions.

    One drag of a selection is one command. Consecutive moves of the same set of items (arrow-key
    nudges) merge into one, keeping the first old positions.
    """

    def __init__(self, doc: GraphDocument, moves: dict[str, tuple[Point, Point]],
                 parent: QUndoCommand | None = None) -> None:
        if len(moves) == 1:
            (item_id,) = moves
            name = doc.node(item_id).display_name if doc.has_node(item_id) else "note"
            text = f"Move {name}"
        else:
            text = f"Move {len(moves)} items"
        super().__init__(text, parent)
        self.doc = doc
        self.moves = {key: (tuple(old), tuple(new)) for key, (old, new) in moves.items()}

    def id(self) -> int:
        return MOVE_COMMAND_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, MoveNodesCommand) or other.moves.keys() != self.moves.keys():
            return False
        self.moves = {key: (old, other.moves[key][1]) for key, (old, _new) in self.moves.items()}
        return True

    def _apply(self, which: int) -> None:
        for item_id, positions in self.moves.items():
            if self.doc.has_node(item_id):
                self.doc.move_node(item_id, positions[which])
            else:
                self.doc.set_note_field(item_id, "pos", positions[which])

    def redo(self) -> None:
        self._apply(1)

    def undo(self) -> None:
        self._apply(0)


class SetFieldCommand(QUndoCommand):
    """Set one node field: label (a rename), value, dtype, requires_grad or retain_grad."""

    def __init__(self, doc: GraphDocument, node_id: str, name: str, value: Any,
                 parent: QUndoCommand | None = None) -> None:
        node = doc.node(node_id)
        node_name = node.display_name
        changed = [key for key in value if node.state.get(key) != value[key]] \
            if name == "state" else []
        if name == "label":
            text = f"Rename {node_name} to {value}"
        elif len(changed) == 1:  # one of a layer's parameters: "Set net.weight to [[1, -1]]"
            text = (f"Set {node.module_name or node_name}.{changed[0]} to "
                    f"{describe_value(value[changed[0]])}")
        else:
            text = f"Set {node_name} {name} to {describe_value(value)}"
        super().__init__(text, parent)
        self.doc = doc
        self.node_id, self.name, self.value = node_id, name, value
        self.old: Any = None

    def redo(self) -> None:
        self.old = self.doc.set_field(self.node_id, self.name, self.value)
        # keep the document's own copy rather than a second one (a value can be a million
        # numbers): the document never changes a stored value in place
        self.value = getattr(self.doc.node(self.node_id), self.name)

    def undo(self) -> None:
        self.doc.set_field(self.node_id, self.name, self.old)
        self.old = getattr(self.doc.node(self.node_id), self.name)


class SetValuesCommand(QUndoCommand):
    """Set the values of several nodes at once (a training run, its reset); undo restores them.

    A node's value is its ``value`` (a tensor leaf) or, for a module with parameter tensors,
    its ``state`` (``rules.value_field``). Commands with the same ``merge_key`` (not None) merge
    into the first: a training run pushes one per batch of steps and stays one undo step, whose
    undo restores the values from before the run and whose redo the values the run reached.
    """

    def __init__(self, doc: GraphDocument, text: str, values: dict[str, Any],
                 merge_key: object = None, parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.doc = doc
        self.merge_key = merge_key
        # the document never changes a stored value in place: its current ones need no copy,
        # and after redo ``after`` holds the document's own copies too
        self.before = {node_id: self._stored(node_id) for node_id in values}
        self.after = dict(values)

    def _stored(self, node_id: str) -> Any:
        """The node's value, or a module's state (what training changes)."""
        node = self.doc.node(node_id)
        return getattr(node, value_field(node.spec))

    def id(self) -> int:
        return SET_VALUES_COMMAND_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if (not isinstance(other, SetValuesCommand) or self.merge_key is None
                or other.merge_key is not self.merge_key):
            return False
        for node_id, value in other.before.items():
            self.before.setdefault(node_id, value)
        self.after.update(other.after)
        self.setText(other.text())
        return True

    def _apply(self, values: dict[str, Any]) -> None:
        for node_id, value in values.items():
            name = value_field(self.doc.node(node_id).spec)
            if getattr(self.doc.node(node_id), name) != value:
                self.doc.set_field(node_id, name, value)

    def redo(self) -> None:
        self._apply(self.after)
        self.after = {node_id: self._stored(node_id) for node_id in self.after}

    def undo(self) -> None:
        self._apply(self.before)


class SetParamCommand(QUndoCommand):
    """Set an operation parameter (dim, keepdim, alpha, an unwired port's number, ...)."""

    def __init__(self, doc: GraphDocument, node_id: str, name: str, value: Any,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(
            f"Set {doc.node(node_id).display_name} {name} to {describe_value(value)}", parent)
        self.doc = doc
        self.node_id, self.name, self.value = node_id, name, value
        self.old: Any = None

    def redo(self) -> None:
        self.old = self.doc.set_param(self.node_id, self.name, self.value)

    def undo(self) -> None:
        self.doc.set_param(self.node_id, self.name, self.old)


class SetOutputCommand(QUndoCommand):
    """Choose the node backward starts from (None: no backward)."""

    def __init__(self, doc: GraphDocument, node_id: str | None,
                 parent: QUndoCommand | None = None) -> None:
        text = ("Clear output" if node_id is None
                else f"Set output to {doc.node(node_id).display_name}")
        super().__init__(text, parent)
        self.doc = doc
        self.node_id = node_id
        self.old: str | None = None

    def redo(self) -> None:
        self.old = self.doc.set_output(self.node_id)

    def undo(self) -> None:
        self.doc.set_output(self.old)
