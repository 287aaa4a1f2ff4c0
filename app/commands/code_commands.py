"""The undo command of an edit in the Code dock: the text and the graph change as one step.

``CodeEditCommand`` holds the code before and after (two :class:`~app.codeio.live.CodeState`)
and the :class:`~app.codeio.live_plan.GraphEdit` between the two graphs. Redo applies the graph
edit, then shows the new code; undo reverts the graph edit step by step in reverse, then shows
the old code, so undo restores the text and the graph together. An edit that leaves the code
unable to import (a line being typed) changes only the text.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from app.codeio.live import CodeState, LiveCode
from app.codeio.live_plan import GraphEdit
from app.model import Edge, GraphDocument, Node


class CodeEditCommand(QUndoCommand):
    """One edit of the code: ``before`` and ``after`` states, and the graph edit between."""

    def __init__(self, doc: GraphDocument, code: LiveCode, before: CodeState | None,
                 after: CodeState, edit: GraphEdit, text: str,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.doc, self.code = doc, code
        self.before, self.after = before, after
        self.edit = edit
        self._removed: list[tuple[Node, list[Edge], bool]] = []
        self._fields: list[Any] = []
        self._params: list[Any] = []
        self._unwired: list[Edge] = []
        self._output: str | None = None
        self._program = doc.program_state()

    def redo(self) -> None:
        doc, edit = self.doc, self.edit
        self._program = doc.program_state()
        self._removed = [doc.remove_node(node_id) for node_id in edit.removed]
        for node in edit.added:
            doc.add_node(node.copy())
        self._fields = [doc.set_field(node_id, name, value)
                        for node_id, name, value in edit.fields]
        self._params = [doc.set_param(node_id, name, value)
                        for node_id, name, value in edit.params]
        self._unwired = [doc.disconnect(dst, port) for dst, port in edit.unwired]
        if edit.wired:
            # one search for cycles for all the wires: one per wire is quadratic in a long script
            doc.connect_many(edit.wired)
        if edit.sets_output:
            self._output = doc.set_output(edit.output)
        if edit.backward is not None:
            doc.set_backward(edit.backward)
        self.code.set(self.after)

    def undo(self) -> None:
        doc, edit = self.doc, self.edit
        if edit.sets_output:
            doc.set_output(self._output)
        for _src, dst, port in reversed(edit.wired):
            doc.disconnect(dst, port)
        if self._unwired:
            doc.connect_many((e.src, e.dst, e.port) for e in self._unwired)
        for (node_id, name, _value), old in reversed(list(zip(edit.params, self._params))):
            doc.set_param(node_id, name, old)
        for (node_id, name, _value), old in reversed(list(zip(edit.fields, self._fields))):
            doc.set_field(node_id, name, old)
        for node in reversed(edit.added):
            doc.remove_node(node.id)
        for node, edges, was_output in reversed(self._removed):
            doc.add_node(node)
            if edges:
                doc.connect_many((e.src, e.dst, e.port) for e in edges)
            if was_output:
                doc.set_output(node.id)
        doc.restore_program(self._program)  # removing a node dropped its zero_grad steps
        self.code.set(self.before)
