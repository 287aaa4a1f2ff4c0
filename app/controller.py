"""DocumentController: turns each edit the user asks for into undo commands on the document.

Every edit of the editor comes here: the canvas and the docks call one method per edit, the
controller asks the document whether the edit is allowed (refusals become a ``message`` for the
status bar, never an exception) and pushes one undo command, or one macro for multi-item edits.
The work around the edits lives beside it: the :class:`~app.scheduler.EvaluationScheduler`
re-evaluates the document after its numbers change, :mod:`app.clipboard` turns selections into
text and text into items, and :mod:`app.model.layout` computes the layered layout of Tidy Up
and of imported code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app import clipboard
from app.codeio.layout import estimated_card_size, estimated_pill_width
from app.codeio.live import CodeState, LiveCode
from app.codeio.live_plan import GraphEdit
from app.commands import (
    AddNodeCommand,
    AddNoteCommand,
    CodeEditCommand,
    ConnectCommand,
    DisconnectCommand,
    MoveNodesCommand,
    RemoveNodeCommand,
    RemoveNoteCommand,
    SetFieldCommand,
    SetModuleCommand,
    SetNoteFieldCommand,
    SetOptimizerCommand,
    SetOutputCommand,
    SetParamCommand,
    SetProgramCommand,
    SetValuesCommand,
)
from app.evaluate import EvalResult
from app.evaluate.modules import DEFAULT_SEED, initial_state
from app.fileio import FileFormatError
from app.model import GraphDocument, GraphError, Node, Note, rules
from app.model.expand import can_expand, expansion
from app.model.layout import CardSize, PillWidth, layered_layout
from app.model.rules import EDITABLE_FIELDS, MODULE_FIELDS, value_field
from app.program_editor import ProgramEditor
from app.registry import NODE_TYPES
from app.runtime import gui_first
from app.scheduler import EvaluationScheduler

Point = tuple[float, float]

#: How many steps Undo can go back. Each step keeps what it needs to undo (a node, a wire, the
#: old value) and is a row of the History dock: without a limit a long lesson's history grew
#: without end (about 0.4 KiB an edit, and each edit a little slower). 200 steps cover a
#: lesson's worth of undoing; a training run is one step.
UNDO_LIMIT = 200
#: Values a new node starts with, by kind (a tensor like torch.tensor([1.]), the number 1).
_DEFAULT_VALUES: dict[str, Any] = {"tensor": [1.0], "scalar": 1}


class DocumentController(QObject):
    """Owns ``document``, ``undo_stack`` and the ``scheduler`` that evaluates the document.

    Signals: ``evaluated(result)`` after each evaluation, ``message(text)`` for the status bar,
    ``selection_requested(ids)`` when an edit wants its new items selected (paste, duplicate)
    and ``document_replaced(document)`` after New/Open swapped the document.

    A graph without an output gets one as it is built: an operation added when there is none
    becomes the output, and while the user has chosen none (``automatic_output``) the output
    moves on to the result it is wired into, so the gradients show at once.
    """

    evaluated = Signal(object)
    message = Signal(str)
    selection_requested = Signal(list)
    document_replaced = Signal(object)

    def __init__(self, document: GraphDocument | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document if document is not None else GraphDocument()
        #: the output the editor chose itself (a graph being built has no Set Output yet):
        #: it follows the chain as the graph grows, until the user chooses one
        self.automatic_output: str | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        #: the code the user typed in the Code dock for this document (None: the exporter's)
        self.code = LiveCode()
        self.scheduler = EvaluationScheduler(self.document, self)
        self.scheduler.evaluated.connect(self.evaluated.emit)
        self.scheduler.failed.connect(self.message.emit)
        #: backward's gradient and passes, zero_grad, static mode and trace (one undo step each)
        self.program = ProgramEditor(self)

    # ------------------------------------------------------------- evaluation
    @property
    def result(self) -> EvalResult | None:
        """The latest evaluation shown (None until the document's first one)."""
        return self.scheduler.result

    @property
    def evaluation_pending(self) -> bool:
        """True from an edit that changes a number until its result has been shown."""
        return self.scheduler.pending

    def evaluate_now(self) -> EvalResult:
        """Evaluate the document at once (tests, command line) and emit ``evaluated``."""
        return self.scheduler.evaluate_now()

    # ------------------------------------------------------------ undo helpers
    @gui_first.burst
    def _push(self, command: QUndoCommand) -> None:
        self.undo_stack.push(command)

    def _refuse(self, text: str) -> bool:
        self.message.emit(text)
        return False

    def is_modified(self) -> bool:
        """True when the document differs from the last saved (or opened) state."""
        return not self.undo_stack.isClean()

    def mark_saved(self) -> None:
        self.undo_stack.setClean()

    def replace_document(self, document: GraphDocument) -> None:
        """Show another document (File > New / Open): the undo history starts afresh."""
        self.document = document
        self.automatic_output = None
        self.undo_stack.clear()
        self.code.set(None)
        self.scheduler.set_document(document)
        self.document_replaced.emit(document)

    # ------------------------------------------------------------------ nodes
    def add_node(self, type_name: str, pos: Point, **fields: Any) -> str | None:
        """Add a node of registry type ``type_name`` at ``pos``; returns its id (None if refused).

        ``fields`` may set label, value, dtype, requires_grad, retain_grad and params, and a
        module's module_name and state. A layer without a state given starts with the weights
        torch draws after ``torch.manual_seed(seed)`` (its seed param, 0 unless set).
        """
        unknown = sorted(set(fields) - {*EDITABLE_FIELDS, *MODULE_FIELDS, "params"})
        if unknown:
            self._refuse(f"a node has no field {unknown[0]!r}")
            return None
        label = str(fields.pop("label", "") or "")
        node_id = self.document.new_id(label or type_name)
        spec = NODE_TYPES.get(type_name)
        fields.setdefault("value", _DEFAULT_VALUES.get(spec.kind) if spec else None)
        if spec is not None and spec.state and "state" not in fields:
            params = fields["params"] = {"seed": DEFAULT_SEED, **fields.get("params", {})}
            try:
                for key, item in params.items():
                    rules.check_param(spec, key, item)
                rules.check_state_sizes(spec, params)
            except GraphError as exc:
                self._refuse(str(exc))
                return None
            fields["state"] = initial_state(spec, params)
        node = Node(id=node_id, type=type_name, label=label or node_id,
                    pos=(float(pos[0]), float(pos[1])), **fields)
        try:
            self.document.check_add_node(node)
        except GraphError as exc:
            self._refuse(str(exc))
            return None
        command = AddNodeCommand(self.document, node)
        if self.document.output is None and spec is not None and spec.is_op:
            # a graph being built shows its gradients at once: backward starts at the newest
            # result until the user sets an output (the canvas's hint says so)
            self.undo_stack.beginMacro(command.text())
            self._push(command)
            self._choose_output(node_id)
            self.undo_stack.endMacro()
        else:
            self._push(command)
        return node_id

    def remove(self, node_ids: Iterable[str], note_ids: Iterable[str] = ()) -> None:
        """Delete nodes (with their wires) and notes, as one undo step."""
        nodes = [n for n in dict.fromkeys(node_ids) if self.document.has_node(n)]
        notes = [n for n in dict.fromkeys(note_ids) if self.document.has_note(n)]
        count = len(nodes) + len(notes)
        if count == 0:
            return
        self.undo_stack.beginMacro(
            f"Delete {self.document.node(nodes[0]).display_name}" if (count == 1 and nodes)
            else "Delete note" if count == 1 else f"Delete {count} items")
        for node_id in nodes:
            self._push(RemoveNodeCommand(self.document, node_id))
        for note_id in notes:
            self._push(RemoveNoteCommand(self.document, note_id))
        self.undo_stack.endMacro()

    def move(self, moves: dict[str, tuple[Point, Point]]) -> None:
        """Move nodes and notes: ``{id: (old_pos, new_pos)}``, one undo step."""
        moves = {key: (old, new) for key, (old, new) in moves.items()
                 if (self.document.has_node(key) or self.document.has_note(key))
                 and tuple(old) != tuple(new)}
        if moves:
            self._push(MoveNodesCommand(self.document, moves))

    def set_field(self, node_id: str, name: str, value: Any) -> bool:
        """Set label, value, dtype, requires_grad or retain_grad; False (with a message) if not."""
        try:
            self.document.check_set_field(node_id, name, value)
        except GraphError as exc:
            return self._refuse(str(exc))
        if getattr(self.document.node(node_id), name) == value:
            return True
        self._push(SetFieldCommand(self.document, node_id, name, value))
        return True

    def set_values(self, values: dict[str, Any], text: str, merge_key: object = None) -> bool:
        """Set the values of several nodes as one undo step called ``text`` (a training run).

        Edits with the same ``merge_key`` (not None) that follow each other stay one undo step.
        False, with a message, when a value cannot be set.
        """
        doc = self.document
        try:
            for node_id, value in values.items():
                doc.check_set_field(node_id, value_field(doc.node(node_id).spec), value)
        except GraphError as exc:
            return self._refuse(str(exc))
        changed = {node_id: value for node_id, value in values.items()
                   if getattr(doc.node(node_id), value_field(doc.node(node_id).spec)) != value}
        if changed:
            self._push(SetValuesCommand(self.document, text, changed, merge_key))
        return True

    def rename(self, node_id: str, label: str) -> bool:
        label = label.strip()
        if not label:
            return self._refuse("A node needs a name")
        return self.set_field(node_id, "label", label)

    def set_param(self, node_id: str, name: str, value: Any) -> bool:
        """Set an op parameter (None: back to the default); False (with a message) if not.

        A layer's sizes and seed make a fresh layer: its parameter tensors are drawn again, as
        ``torch.manual_seed(seed); nn.Linear(...)`` draws them, in the same undo step.
        """
        node = self.document.node(node_id) if self.document.has_node(node_id) else None
        if node is not None and name in node.spec.init_params and not (
                value is None and not node.spec.param(name).argument):
            # (no seed: the weights stay, they are only no longer said to come from one)
            return self._reinitialise(node, name, value)
        try:
            value = self.document.check_set_param(node_id, name, value)
        except GraphError as exc:
            return self._refuse(str(exc))
        if self.document.node(node_id).params.get(name) == value:
            return True
        self._push(SetParamCommand(self.document, node_id, name, value))
        return True

    def _reinitialise(self, node: Node, name: str, value: Any) -> bool:
        params = {key: item for key, item in node.params.items() if key != name}
        if value is not None:
            params[name] = value
        seed = next(spec.name for spec in node.spec.params if not spec.argument)
        params.setdefault(seed, DEFAULT_SEED)  # the new weights come from a seed: say which
        try:
            params = {key: rules.check_param(node.spec, key, item) for key, item in params.items()}
            rules.check_state_sizes(node.spec, params)
            state = initial_state(node.spec, params)
            params = self.document.check_set_module(node.id, params, state)
        except GraphError as exc:
            return self._refuse(str(exc))
        if (params, state) == (node.params, node.state):
            return True
        text = f"Set {node.display_name} {name} to {value!r}: new {' and '.join(state)}"
        self._push(SetModuleCommand(self.document, node.id, params, state, text))
        return True

    def expand(self, node_id: str) -> bool:
        """Show a layer as the operations it computes (a Linear as x @ W.t() + b), one undo
        step; False (with a message) for a node that cannot be expanded."""
        if not self.document.has_node(node_id) or not can_expand(self.document.node(node_id)):
            return self._refuse("Only a layer such as Linear can be expanded")
        doc = self.document
        node = doc.node(node_id)
        plan = expansion(doc, node_id)
        backward = doc.backward.parameters_as_nodes(node_id, plan.leaves)
        self.undo_stack.beginMacro(f"Expand {node.display_name}")
        self._push(RemoveNodeCommand(doc, node_id))
        for new in plan.nodes:
            self._push(AddNodeCommand(doc, new))
        for src, dst, port in plan.wires:
            self._push(ConnectCommand(doc, src, dst, port))
        if plan.output is not None:
            self._push(SetOutputCommand(doc, plan.output))
            if self.automatic_output == node_id:
                self.automatic_output = plan.output
        if backward != doc.backward:  # the zeroing of the layer's weights, now on W and b
            self._push(SetProgramCommand(doc, "Zero grad of the expanded layer",
                                         (backward, doc.mode, doc.trace)))
        self.undo_stack.endMacro()
        self.selection_requested.emit([new.id for new in plan.nodes])
        return True

    def set_optimizer(self, settings: dict[str, Any] | None, text: str = "Set optimizer") -> bool:
        """Choose how the Training dock trains (None: its defaults), an undo step that merges
        with the next change of the settings; False (with a message) for invalid settings."""
        try:
            checked = None if settings is None else rules.check_optimizer(settings)
        except GraphError as exc:
            return self._refuse(str(exc))
        if checked != self.document.optimizer:
            self._push(SetOptimizerCommand(self.document, checked, text))
        return True

    def set_output(self, node_id: str | None) -> bool:
        """Make ``node_id`` the node backward starts from (None: no backward)."""
        if node_id is not None and not self.document.has_node(node_id):
            return self._refuse(f"No node {node_id!r}")
        self.automatic_output = None  # the user's choice stays where it is put
        if self.document.output != node_id:
            self._push(SetOutputCommand(self.document, node_id))
        return True

    def _choose_output(self, node_id: str) -> None:
        self.automatic_output = node_id
        self._push(SetOutputCommand(self.document, node_id))

    # ------------------------------------------------------------------ wires
    def connect(self, src: str, dst: str, port: int) -> bool:
        """Wire src into dst[port] (replacing a wire there); refusals go to ``message``."""
        try:
            self.document.check_connect(src, dst, port)
        except GraphError as exc:
            return self._refuse(str(exc))
        existing = self.document.edge_into(dst, port)
        if existing is not None and existing.src == src:
            return True
        command = ConnectCommand(self.document, src, dst, port)
        if src == self.document.output == self.automatic_output \
                and not self.document.consumers_of(dst):
            # the chosen output now feeds a new result: backward starts at the end of the chain
            self.undo_stack.beginMacro(command.text())
            self._push(command)
            self._choose_output(dst)
            self.undo_stack.endMacro()
        else:
            self._push(command)
        return True

    def disconnect(self, dst: str, port: int) -> bool:
        if not self.document.has_node(dst) or self.document.edge_into(dst, port) is None:
            return self._refuse("There is no wire there to remove")
        self._push(DisconnectCommand(self.document, dst, port))
        return True

    def reconnect(self, dst: str, port: int, new_dst: str, new_port: int) -> bool:
        """Move the wire into dst[port] to new_dst[new_port], as one undo step."""
        edge = self.document.edge_into(dst, port)
        if edge is None:
            return self._refuse("There is no wire there to move")
        if (dst, port) == (new_dst, new_port):
            return True
        try:
            self.document.check_connect(edge.src, new_dst, new_port)
        except GraphError as exc:
            return self._refuse(str(exc))
        self.undo_stack.beginMacro(f"Reconnect {self.document.node(edge.src).display_name}")
        self._push(DisconnectCommand(self.document, dst, port))
        self._push(ConnectCommand(self.document, edge.src, new_dst, new_port))
        self.undo_stack.endMacro()
        return True

    # ------------------------------------------------------------------- code
    def edit_code(self, before: CodeState | None, after: CodeState, edit: GraphEdit) -> None:
        """An edit of the code in the Code dock: the text goes from ``before`` to ``after`` and
        the graph by ``edit`` (app/codeio/live_plan.py), as one undo step."""
        first = _first_changed_line(before.text if before is not None else "", after.text)
        command = CodeEditCommand(self.document, self.code, before, after, edit,
                                  f"Edit code at line {first}")
        if edit.sets_output:
            self.automatic_output = None  # the code says where backward starts
        self._push(command)

    # ------------------------------------------------------------------ notes
    def add_note(self, pos: Point, text: str = "") -> str:
        note = Note(id=self.document.new_id("note"), text=text,
                    pos=(float(pos[0]), float(pos[1])))
        self._push(AddNoteCommand(self.document, note))
        return note.id

    def set_note_text(self, note_id: str, text: str) -> bool:
        return self.set_note_field(note_id, "text", text)

    def set_note_field(self, note_id: str, name: str, value: Any) -> bool:
        """Set a note's text or size (positions go through ``move``)."""
        if not self.document.has_note(note_id):
            return self._refuse(f"No note {note_id!r}")
        if name not in ("text", "size"):
            return self._refuse(f"A note has no editable field {name!r}")
        current = getattr(self.document.note(note_id), name)
        if (value if name == "text" else tuple(value)) == current:
            return True
        self._push(SetNoteFieldCommand(self.document, note_id, name, value))
        return True

    # -------------------------------------------------------------- clipboard
    def copy(self, ids: Iterable[str]) -> str:
        """The selected nodes, notes and the wires among them, as .cgraph JSON text."""
        return clipboard.copy_text(self.document, ids)

    def paste(self, text: str, pos: Point) -> list[str]:
        """Add the items of ``copy`` text with fresh ids, their top-left corner at ``pos``.

        Labels are kept but made unique ("w" becomes "w_2" when a w exists); a copy of the output
        node becomes the output when the document has none (a cut and paste). Returns the new ids
        (also sent as ``selection_requested``); text that is not a copied graph is refused with
        a message.
        """
        try:
            items = clipboard.paste_items(self.document, text, pos)
        except (FileFormatError, GraphError) as exc:
            self._refuse(f"Cannot paste: {exc}")
            return []
        pasted = items.ids
        if not pasted:
            return []
        self.undo_stack.beginMacro(f"Paste {len(pasted)} item{'s' if len(pasted) > 1 else ''}")
        for node in items.nodes:
            self._push(AddNodeCommand(self.document, node))
        for edge in items.edges:
            self._push(ConnectCommand(self.document, edge.src, edge.dst, edge.port))
        for note in items.notes:
            self._push(AddNoteCommand(self.document, note))
        if items.output is not None and self.document.output is None:
            # the output was cut and is pasted back: backward starts from it again
            self._push(SetOutputCommand(self.document, items.output))
        self.undo_stack.endMacro()
        self.selection_requested.emit(pasted)
        return pasted

    def duplicate(self, ids: Iterable[str]) -> list[str]:
        """Copy and paste the items next to the originals, as one undo step."""
        ids = list(ids)
        corner = clipboard.duplicate_position(self.document, ids)
        if corner is None:
            return []
        self.undo_stack.beginMacro("Duplicate")
        new_ids = self.paste(self.copy(ids), corner)
        self.undo_stack.endMacro()
        return new_ids

    # ----------------------------------------------------------------- layout
    def tidy_up(self, card_size: CardSize | None = None,
                pill_width: PillWidth | None = None) -> None:
        """Lay the graph out in layers, left to right (app/model/layout.py), as one undo step.

        ``card_size(node_id)`` is how large the node's card is drawn and ``pill_width(edge)``
        how wide a wire's gradient pill is (the canvas's measures); without them both are
        estimated, as for a graph imported without a window.
        """
        positions = layered_layout(self.document, *self._measures(card_size, pill_width))
        moves = {item_id: (self._position(item_id), pos) for item_id, pos in positions.items()}
        if all(tuple(old) == tuple(new) for old, new in moves.values()):
            return
        self.undo_stack.beginMacro("Tidy up")
        self.move(moves)
        self.undo_stack.endMacro()

    def lay_out_new_document(self, card_size: CardSize, pill_width: PillWidth) -> None:
        """Place the nodes of a document just adopted (an imported graph) by the same layout,
        measured on the canvas: the positions are part of the document as it arrives, so no
        undo step is made (the import itself is not one either)."""
        for node_id, pos in layered_layout(self.document, card_size, pill_width,
                                           origin=(0.0, 0.0)).items():
            if self.document.has_node(node_id):
                self.document.move_node(node_id, pos)

    def _measures(self, card_size: CardSize | None,
                  pill_width: PillWidth | None) -> tuple[CardSize, PillWidth]:
        if card_size is not None and pill_width is not None:
            return card_size, pill_width
        result = self.result if self.result is not None and not self.evaluation_pending \
            else self.evaluate_now()
        return (card_size or estimated_card_size(self.document, result),
                pill_width or estimated_pill_width(result))

    def _position(self, item_id: str) -> Point:
        doc = self.document
        return doc.node(item_id).pos if doc.has_node(item_id) else doc.note(item_id).pos


def _first_changed_line(old: str, new: str) -> int:
    """The first line (1-based) where ``new`` differs from ``old``."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    for number, (a, b) in enumerate(zip(old_lines, new_lines), start=1):
        if a != b:
            return number
    return min(len(old_lines), len(new_lines)) + 1
