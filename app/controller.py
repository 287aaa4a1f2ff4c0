"""DocumentController: the document, its undo stack and its latest evaluation.

Every edit of the editor comes here: the canvas and the docks call one method per edit, the
controller asks the document whether the edit is allowed (refusals become a ``message`` for the
status bar, never an exception) and pushes one undo command, or one macro for multi-item edits.
It listens to the document and re-evaluates it after each change; a burst of changes (a macro
emits many) is coalesced into one evaluation by a zero-delay timer.
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.commands import (
    AddNodeCommand,
    AddNoteCommand,
    ConnectCommand,
    DisconnectCommand,
    MoveNodesCommand,
    RemoveNodeCommand,
    RemoveNoteCommand,
    SetFieldCommand,
    SetNoteFieldCommand,
    SetOutputCommand,
    SetParamCommand,
)
from app.evaluate import EvalResult, evaluate_document
from app.evaluate.evaluator import release_retired
from app.evaluate.worker import EVALUATION_LOCK, BackgroundEvaluator, clone_for_evaluation
from app.fileio import FileFormatError, dumps_document, loads_document
from app.model import GraphDocument, GraphError, Node, Note
from app.model.rules import EDITABLE_FIELDS
from app.registry import NODE_TYPES

Point = tuple[float, float]

#: Values a new node starts with, by kind (a tensor like torch.tensor([1.]), the number 1).
_DEFAULT_VALUES: dict[str, Any] = {"tensor": [1.0], "scalar": 1}
#: Tidy-up grid: column pitch, and the vertical gap between stacked nodes.
TIDY_COLUMN_PITCH = 290.0
TIDY_ROW_GAP = 30.0
DEFAULT_NODE_HEIGHT = 120.0
#: How far a duplicate lands from its original.
DUPLICATE_OFFSET = 40.0
#: An edit is evaluated in the event loop, its numbers shown at once, when the last evaluation
#: says this one will take at most this long (seconds); a longer one goes to the worker thread,
#: so that the window keeps responding. About 2,500 nodes on a 2-core laptop.
SYNC_EVALUATION_BUDGET = 0.05
#: Until a document has been evaluated once, graphs of at least this many nodes go to the worker.
BACKGROUND_MIN_NODES = 2500
#: How often the GUI thread looks for a finished background evaluation, in milliseconds.
_POLL_MS = 5


class DocumentController(QObject):
    """Owns ``document``, ``undo_stack`` and ``result`` (the latest :class:`EvalResult`).

    Signals: ``evaluated(result)`` after each evaluation, ``message(text)`` for the status bar,
    ``selection_requested(ids)`` when an edit wants its new items selected (paste, duplicate)
    and ``document_replaced(document)`` after New/Open swapped the document.
    """

    evaluated = Signal(object)
    message = Signal(str)
    selection_requested = Signal(list)
    document_replaced = Signal(object)

    def __init__(self, document: GraphDocument | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document if document is not None else GraphDocument()
        self.undo_stack = QUndoStack(self)
        self.result: EvalResult | None = None
        #: Height of a node on the canvas, for tidy_up; the canvas installs the real measure.
        self.node_height: Callable[[str], float] = lambda _node_id: DEFAULT_NODE_HEIGHT
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._evaluate_scheduled)
        # every edit that changes a number gets the next generation; only the newest
        # generation's result is shown, so a slow old evaluation never hides a newer edit
        self._generation = 0
        self._shown_generation = 0
        self._background = BackgroundEvaluator()
        #: seconds the last evaluation took per node (None until one ran), to predict the next
        self._seconds_per_node: float | None = None
        self.sync_evaluation_budget = SYNC_EVALUATION_BUDGET
        self._poll = QTimer(self)
        self._poll.setInterval(_POLL_MS)
        self._poll.timeout.connect(self._collect_background_result)
        self._listen(self.document)
        self._schedule_evaluation()

    # ------------------------------------------------------------- evaluation
    def _document_signals(self, doc: GraphDocument) -> list[tuple[Any, Callable[..., None]]]:
        return [
            (doc.node_added, self._mark_dirty), (doc.node_removed, self._mark_dirty),
            (doc.edge_added, self._mark_dirty), (doc.edge_removed, self._mark_dirty),
            (doc.output_changed, self._mark_dirty), (doc.node_changed, self._on_node_changed),
            (doc.changed, self._on_changed),
        ]

    def _listen(self, doc: GraphDocument) -> None:
        for signal, slot in self._document_signals(doc):
            signal.connect(slot)

    def _stop_listening(self, doc: GraphDocument) -> None:
        for signal, slot in self._document_signals(doc):
            signal.disconnect(slot)

    def _mark_dirty(self, *_args: Any) -> None:
        self._dirty = True

    def _on_node_changed(self, _node: Node, field: str) -> None:
        # moving or renaming a node changes no number, so it does not re-run the graph
        if field not in ("pos", "label"):
            self._dirty = True

    def _on_changed(self) -> None:
        if self._dirty:
            self._schedule_evaluation()

    def _schedule_evaluation(self) -> None:
        self._dirty = True
        self._generation += 1
        self._timer.start()

    def _evaluate_scheduled(self) -> None:
        """The timer's slot: evaluate a quick graph now, hand a slow one to the worker."""
        if self._evaluates_quickly():
            self.evaluate_now()
            return
        self._dirty = False
        # the worker gets a copy: the live document keeps changing while it computes
        self._background.submit(clone_for_evaluation(self.document), self._generation)
        self._poll.start()

    def _collect_background_result(self) -> None:
        taken = self._background.take_result()
        if not self._background.busy:
            self._poll.stop()
        if taken is None or taken[0] != self._generation:
            return  # still running, or an edit came since: its own evaluation follows
        generation, outcome = taken
        if isinstance(outcome, BaseException):
            self._show_result(generation, self._failed_evaluation(outcome))
        else:
            self._show_result(generation, outcome)

    def _failed_evaluation(self, exc: BaseException) -> EvalResult:
        self.message.emit(f"Evaluation failed: {exc}")
        return EvalResult(output=self.document.output)

    def _evaluates_quickly(self) -> bool:
        """Whether the document should evaluate within ``sync_evaluation_budget``, judged from
        the time the last evaluation took per node (or, before any, from its size)."""
        nodes = len(self.document)
        if self._seconds_per_node is None:
            return nodes < BACKGROUND_MIN_NODES
        return self._seconds_per_node * nodes <= self.sync_evaluation_budget

    def _show_result(self, generation: int, result: EvalResult) -> None:
        self._shown_generation = generation
        if result.seconds > 0 and result.nodes:
            self._seconds_per_node = result.seconds / len(result.nodes)
        tidy_up_when_idle(self.result)  # the old result is freed after the repaint
        self.result = result
        self.evaluated.emit(result)

    def evaluate_now(self) -> EvalResult:
        """Evaluate the document at once (tests, command line) and emit ``evaluated``.

        Runs in the calling thread whatever the graph's size; a background evaluation still
        running is outdated by this one and its result is dropped.
        """
        self._timer.stop()
        self._dirty = False
        self._generation += 1
        self._background.cancel()
        tidy_up_when_idle()
        try:
            with EVALUATION_LOCK:
                result = evaluate_document(self.document)
        except Exception as exc:  # an engine bug must not take the open document down with it
            result = self._failed_evaluation(exc)
        self._show_result(self._generation, result)
        return result

    @property
    def evaluation_pending(self) -> bool:
        """True from an edit that changes a number until its result has been shown."""
        return self._shown_generation != self._generation

    # ------------------------------------------------------------ undo helpers
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
        self._stop_listening(self.document)
        self.document = document
        self._listen(document)
        self.undo_stack.clear()
        self.result = None
        self.document_replaced.emit(document)
        self._schedule_evaluation()

    # ------------------------------------------------------------------ nodes
    def add_node(self, type_name: str, pos: Point, **fields: Any) -> str | None:
        """Add a node of registry type ``type_name`` at ``pos``; returns its id (None if refused).

        ``fields`` may set label, value, dtype, requires_grad, retain_grad and params.
        """
        unknown = sorted(set(fields) - {*EDITABLE_FIELDS, "params"})
        if unknown:
            self._refuse(f"a node has no field {unknown[0]!r}")
            return None
        label = str(fields.pop("label", "") or "")
        node_id = self.document.new_id(label or type_name)
        spec = NODE_TYPES.get(type_name)
        fields.setdefault("value", _DEFAULT_VALUES.get(spec.kind) if spec else None)
        node = Node(id=node_id, type=type_name, label=label or node_id,
                    pos=(float(pos[0]), float(pos[1])), **fields)
        try:
            self.document.check_add_node(node)
        except GraphError as exc:
            self._refuse(str(exc))
            return None
        self._push(AddNodeCommand(self.document, node))
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

    def rename(self, node_id: str, label: str) -> bool:
        label = label.strip()
        if not label:
            return self._refuse("A node needs a name")
        return self.set_field(node_id, "label", label)

    def set_param(self, node_id: str, name: str, value: Any) -> bool:
        """Set an op parameter (None: back to the default); False (with a message) if not."""
        try:
            value = self.document.check_set_param(node_id, name, value)
        except GraphError as exc:
            return self._refuse(str(exc))
        if self.document.node(node_id).params.get(name) == value:
            return True
        self._push(SetParamCommand(self.document, node_id, name, value))
        return True

    def set_output(self, node_id: str | None) -> bool:
        """Make ``node_id`` the node backward starts from (None: no backward)."""
        if node_id is not None and not self.document.has_node(node_id):
            return self._refuse(f"No node {node_id!r}")
        if self.document.output != node_id:
            self._push(SetOutputCommand(self.document, node_id))
        return True

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
        self._push(ConnectCommand(self.document, src, dst, port))
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
        part = GraphDocument()
        for item_id in dict.fromkeys(ids):  # a selection may name an item twice
            if self.document.has_node(item_id):
                part.add_node(self.document.node(item_id).copy())
            elif self.document.has_note(item_id):
                part.add_note(self.document.note(item_id).copy())
        part.connect_many((e.src, e.dst, e.port) for e in self.document.edges
                          if part.has_node(e.src) and part.has_node(e.dst))
        return dumps_document(part)

    def paste(self, text: str, pos: Point) -> list[str]:
        """Add the items of ``copy`` text with fresh ids, their top-left corner at ``pos``.

        Labels are kept but made unique ("w" becomes "w_2" when a w exists). Returns the new ids
        (also sent as ``selection_requested``); text that is not a copied graph is refused with
        a message.
        """
        try:
            part = loads_document(text)
        except (FileFormatError, GraphError) as exc:
            self._refuse(f"Cannot paste: {exc}")
            return []
        positions = [n.pos for n in part.nodes] + [n.pos for n in part.notes]
        if not positions:
            return []
        dx = pos[0] - min(p[0] for p in positions)
        dy = pos[1] - min(p[1] for p in positions)
        count = len(positions)
        self.undo_stack.beginMacro(f"Paste {count} item{'s' if count > 1 else ''}")
        new_ids: dict[str, str] = {}
        labels = {node.label for node in self.document.nodes}
        for node in part.nodes:
            fresh = node.copy()
            fresh.id = self.document.new_id(_id_stem(node.id))
            fresh.label = _unique_label(node.label, labels) if node.label else ""
            labels.add(fresh.label)
            fresh.pos = (node.pos[0] + dx, node.pos[1] + dy)
            self._push(AddNodeCommand(self.document, fresh))
            new_ids[node.id] = fresh.id
        for edge in part.edges:
            self._push(ConnectCommand(self.document, new_ids[edge.src], new_ids[edge.dst],
                                      edge.port))
        pasted = list(new_ids.values())
        for note in part.notes:
            fresh_note = note.copy()
            fresh_note.id = self.document.new_id(_id_stem(note.id))
            fresh_note.pos = (note.pos[0] + dx, note.pos[1] + dy)
            self._push(AddNoteCommand(self.document, fresh_note))
            pasted.append(fresh_note.id)
        self.undo_stack.endMacro()
        self.selection_requested.emit(pasted)
        return pasted

    def duplicate(self, ids: Iterable[str]) -> list[str]:
        """Copy and paste the items next to the originals, as one undo step."""
        ids = list(ids)
        positions = [self.document.node(i).pos for i in ids if self.document.has_node(i)]
        positions += [self.document.note(i).pos for i in ids if self.document.has_note(i)]
        if not positions:
            return []
        corner = (min(p[0] for p in positions) + DUPLICATE_OFFSET,
                  min(p[1] for p in positions) + DUPLICATE_OFFSET)
        self.undo_stack.beginMacro("Duplicate")
        new_ids = self.paste(self.copy(ids), corner)
        self.undo_stack.endMacro()
        return new_ids

    # ----------------------------------------------------------------- layout
    def tidy_up(self) -> None:
        """Lay the graph out left to right by depth (the longest path from a source node).

        Nodes of one depth stack in a column, keeping their current top-to-bottom order; the
        layout starts at the current top-left node corner. One undo step.
        """
        doc = self.document
        if len(doc) == 0:
            return
        depth: dict[str, int] = {}
        for node_id in doc.topological_order():
            sources = [s for s in doc.inputs_of(node_id) if s is not None]
            depth[node_id] = max((depth[s] + 1 for s in sources), default=0)
        columns: dict[int, list[Node]] = {}
        for node in doc.nodes:
            columns.setdefault(depth[node.id], []).append(node)
        left = min(n.pos[0] for n in doc.nodes)
        top = min(n.pos[1] for n in doc.nodes)
        moves: dict[str, tuple[Point, Point]] = {}
        for column, nodes in columns.items():
            y = top
            for node in sorted(nodes, key=lambda n: (n.pos[1], n.pos[0])):
                moves[node.id] = (node.pos, (left + column * TIDY_COLUMN_PITCH, y))
                y += self.node_height(node.id) + TIDY_ROW_GAP
        if all(old == new for old, new in moves.values()):
            return
        self.undo_stack.beginMacro("Tidy up")
        self.move(moves)
        self.undo_stack.endMacro()


_tidy_pending = False
_garbage: list[Any] = []
_KEEP_GARBAGE = 2


def tidy_up_when_idle(garbage: Any = None) -> None:
    """Put off the clean-up an edit leaves until the event loop is idle again.

    An evaluation and the canvas update after it create tens of thousands of objects, and drop
    as many (the previous result, the engine's graph). With the cyclic garbage collector on, the
    first allocation after them sets off a collection of all of them, and freeing the old ones
    takes milliseconds too: both would come between the edit and its repaint. So the collector
    waits, and ``garbage`` is kept, until the event loop reaches its timers, after the paint
    events the user is waiting for. (``evaluate_document`` pauses the collector for its own
    part too, also in the worker thread.)
    """
    global _tidy_pending
    if garbage is not None:
        _garbage.append(garbage)
        del _garbage[:-_KEEP_GARBAGE]  # no idle time yet (edits in a loop): free the oldest
    if _tidy_pending:
        return
    _tidy_pending = True
    enable = gc.isenabled()
    gc.disable()
    QTimer.singleShot(0, functools.partial(_tidy_up, enable))


def _tidy_up(enable_collector: bool) -> None:
    global _tidy_pending
    _tidy_pending = False
    _garbage.clear()
    release_retired()
    if enable_collector:
        gc.enable()
        # the collection the paused allocations have earned, now rather than at the first
        # allocation of the next edit: the generation the collector itself would pick
        counts, thresholds = gc.get_count(), gc.get_threshold()
        gc.collect(next((g for g in (2, 1) if counts[g] >= thresholds[g]), 0))


def _id_stem(node_id: str) -> str:
    """The id without its copy number ("w12" -> "w"), so copies are numbered from the original."""
    return re.sub(r"\d+$", "", node_id) or node_id


def _unique_label(label: str, taken: set[str]) -> str:
    """``label`` itself if free, else ``label_2``, ``label_3``, ... (the first free one).

    A copy of a copy counts on from the original name: "w_2" gives "w_3", not "w_2_2".
    """
    if label not in taken:
        return label
    label = re.sub(r"_\d+$", "", label) or label
    number = 2
    while f"{label}_{number}" in taken:
        number += 1
    return f"{label}_{number}"
