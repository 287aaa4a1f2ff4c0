"""EvaluationScheduler: when and where the document is evaluated, and which result is shown.

It watches the document: an edit that changes a number (not a move or a rename) asks for an
evaluation, and a burst of them (a macro emits many) is evaluated once, from a zero-delay timer.
A graph the last evaluation says is quick is evaluated right there in the event loop; a slower one
goes to the worker thread (app/evaluate/worker.py) on a copy of the document, and the GUI polls
for its result. Every edit gets the next generation number and only the newest generation's
result is shown, so a slow old evaluation never hides a newer edit.

What an evaluation leaves behind (the previous result, the engine's graph, the garbage
collector's work) is put off until the event loop is idle again, after the repaint the user waits
for: see :class:`_Leftovers` and ``app.runtime.collector``. This holds for the worker thread's
allocations too (the collector stays held while it computes), and once a new document's first
result is shown, what is alive (its canvas, the window) is frozen out of the collector's sight
(``runtime.collector.settle``).
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app import runtime
from app.evaluate import EvalResult, evaluate_document
from app.evaluate.worker import (
    EVALUATION_LOCK,
    BackgroundEvaluator,
    clone_for_evaluation,
    evaluate_serialised,
)
from app.model import GraphDocument, Node
from app.runtime import gui_first, step_aside

#: An edit is evaluated in the event loop, its numbers shown at once, when the last evaluation
#: says this one will take at most this long (seconds); a longer one goes to the worker thread,
#: so that the window keeps responding: with the result handed to the cards and painted, an
#: edit stays well within one frame (16.7 ms at 60 Hz). About 200 nodes on a 2-core laptop.
SYNC_EVALUATION_BUDGET = 0.006
#: Until a document has been evaluated once, graphs of at least this many nodes go to the worker.
BACKGROUND_MIN_NODES = 200
#: How often the GUI thread looks for a finished background evaluation, in milliseconds.
POLL_MS = 5
#: How long after an evaluation is shown what it replaced is freed, in milliseconds: a frame,
#: so that the repaint of the new numbers comes first.
CLEANUP_DELAY_MS = 16
#: Node fields whose change leaves every number as it was.
_LAYOUT_FIELDS = frozenset({"pos", "label"})


class _Leftovers:
    """What evaluations leave behind, kept until the event loop is idle again, then freed in a
    thread of their own.

    Freeing a large evaluation (its result, the engine's tensors and graph nodes) takes tens of
    milliseconds at 5,000 nodes, and a garbage collection set off among its allocations walks
    every object of the application: both would come between an edit and its repaint. So they
    wait a frame (the repaint comes first), and then the items are freed in the clean-up thread,
    piece by piece, so that the interpreter can switch back to the GUI thread between pieces
    (a cascade of deallocations keeps it) instead of holding the window for the whole of it;
    the collector is released in the GUI thread when the clean-up thread says it is done.
    The items hold no Qt object (results, numpy arrays, the engine's objects). A plain object
    rather than a QObject: the calls are made even if its scheduler is deleted first, so the
    collector is never left held.
    """

    #: No idle time yet (edits in a loop, a test): keep this many (two edits' engine objects
    #: and the results they replaced), free older ones at once.
    KEEP = 4

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.pending = False
        #: freeze what is alive once the items are freed (a new document's first result)
        self.settle = False

    def keep(self, item: Any) -> None:
        """Keep ``item`` alive until the next idle time (callable from the worker thread)."""
        self.items.append(item)
        del self.items[:-self.KEEP]

    def free_when_idle(self) -> None:
        """Hold the collector now; free the items and release it when the event loop is idle."""
        if self.pending:
            return
        self.pending = True
        runtime.collector.hold()
        _cleanup_relay().free_soon(self)

    def start_freeing(self) -> None:
        """Hand the items to the clean-up thread (the relay calls it, a frame after the ask)."""
        items, self.items = self.items, []
        relay = _cleanup_relay()

        def free() -> None:
            with gui_first.turn():  # one background job at a time
                _let_go_piece_by_piece(items)
            relay.freed.emit(self)  # delivered in the GUI thread, where the relay lives

        _cleanup_thread().submit(free)

    def freed(self) -> None:
        """The clean-up thread is done (called in the GUI thread)."""
        if self.items:  # kept while the clean-up thread worked: the next round frees them
            _cleanup_relay().free_soon(self)
            return
        self.pending = False
        runtime.collector.release()
        if self.settle:
            self.settle = False
            runtime.collector.settle()


def _let_go_piece_by_piece(items: list[Any]) -> None:
    """Drop the references in ``items`` one piece at a time (in the clean-up thread).

    Freeing a large object is one cascade of deallocations during which no other thread gets the
    interpreter (20-40 ms for a 5,000-node evaluation's leftovers); between two pieces it can
    switch to the GUI thread. So an evaluation's leftovers (a tuple of dicts and lists) and a
    result (whose dicts of node and wire results are its large part) are split into their parts
    first, and a long dict or list that nothing else holds is emptied item by item. Nothing anyone
    can still see is changed: only the order in which the references go. Between two pieces the
    thread steps aside while the GUI thread is busy (``app.runtime.step_aside``).
    """
    while items:
        step_aside()  # the GUI thread's bursts (a repaint, an edit) go first
        item = items.pop()
        kind = type(item)
        if kind is tuple:
            items.extend(item)
        elif kind in (dict, list) and len(item) > _PIECE and sys.getrefcount(item) <= 2:
            # a long dict or list nothing else holds: its items one by one (popped last first:
            # the output's end of a graph first, whose cascade stops at the next node's inputs)
            items.extend(item.values() if kind is dict else item)
            item.clear()
        elif isinstance(item, EvalResult):
            items.extend((item.nodes, item.edges, item.autograd))
        del item


#: A dict or list longer than this is freed item by item (see _let_go_piece_by_piece).
_PIECE = 64


class _CleanupRelay(QObject):
    """Starts the clean-ups, a frame after they are asked for (the repaint of the new numbers
    comes first: a clean-up meanwhile would slow it, each card painted waiting for the
    interpreter), and brings their end back to the GUI thread: ``freed`` is emitted in the
    clean-up thread and delivered in the thread this object lives in. One for the process, never
    deleted, so that the collector is released even when the scheduler is gone (and its own
    timer: PySide6 keeps a few bytes for good of each delayed ``QTimer.singleShot``)."""

    freed = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.freed.connect(self._on_freed)
        self._waiting: list[_Leftovers] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CLEANUP_DELAY_MS)
        self._timer.timeout.connect(self._start)

    def free_soon(self, leftovers: _Leftovers) -> None:
        self._waiting.append(leftovers)
        if not self._timer.isActive():
            self._timer.start()

    def _start(self) -> None:
        waiting, self._waiting = self._waiting, []
        for leftovers in waiting:
            leftovers.start_freeing()

    @gui_first.burst
    def _on_freed(self, leftovers: _Leftovers) -> None:
        leftovers.freed()


_cleanup: ThreadPoolExecutor | None = None
_relay: _CleanupRelay | None = None


def _cleanup_thread() -> ThreadPoolExecutor:
    """The one thread that frees what evaluations leave behind (see :class:`_Leftovers`)."""
    global _cleanup
    if _cleanup is None:
        _cleanup = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cgstudio-cleanup")
    return _cleanup


def _cleanup_relay() -> _CleanupRelay:
    """The relay of :func:`_cleanup_thread`, made in the GUI thread on first use."""
    global _relay
    if _relay is None:
        _relay = _CleanupRelay()
    return _relay


class _Hold:
    """One hold of the collector, released once (a plain object, so that it can be released
    when its scheduler is gone)."""

    def __init__(self) -> None:
        self.held = False

    def hold(self) -> None:
        if not self.held:
            self.held = True
            runtime.collector.hold()

    def release(self, *_args: Any) -> None:
        if self.held:
            self.held = False
            runtime.collector.release(collect=False)


class EvaluationScheduler(QObject):
    """Evaluates ``document`` after the edits that change its numbers; holds the latest result.

    Signals: ``evaluated(result)`` when a new result is shown, ``failed(text)`` when the engine
    raised (the result is then empty).
    """

    evaluated = Signal(object)
    failed = Signal(str)

    def __init__(self, document: GraphDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.result: EvalResult | None = None
        #: seconds the last evaluation took per node (None until one ran), to predict the next
        self.seconds_per_node: float | None = None
        self.sync_budget = SYNC_EVALUATION_BUDGET
        self.leftovers = _Leftovers()
        self.background = BackgroundEvaluator(self._evaluate_in_worker)
        self._dirty = False
        self._generation = 0
        self._shown_generation = 0
        #: from this generation on, a result shown is a new document's first (0: none waited for)
        self._settle_generation = 1
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._evaluate_scheduled)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._collect_background_result)
        self._background_hold = _Hold()
        # a scheduler dropped while its worker runs must not leave the collector held
        weakref.finalize(self, self._background_hold.release)
        self._listen(document)
        self.schedule()

    # ------------------------------------------------------------------ document
    def _document_signals(self, doc: GraphDocument) -> list[tuple[Any, Callable[..., None]]]:
        return [
            (doc.node_added, self._mark_dirty), (doc.node_removed, self._mark_dirty),
            (doc.edge_added, self._mark_dirty), (doc.edge_removed, self._mark_dirty),
            (doc.output_changed, self._mark_dirty), (doc.program_changed, self._mark_dirty),
            (doc.node_changed, self._on_node_changed),
            (doc.changed, self._on_changed),
        ]

    def _listen(self, doc: GraphDocument) -> None:
        for signal, slot in self._document_signals(doc):
            signal.connect(slot)

    def set_document(self, document: GraphDocument) -> None:
        """Watch ``document`` instead (New, Open): no result until its first evaluation."""
        for signal, slot in self._document_signals(self.document):
            signal.disconnect(slot)
        self.document = document
        self._listen(document)
        self._retire(self.result)
        self.result = None
        # the old document's canvas may be garbage now; the new one's is frozen once shown
        runtime.collector.unsettle()
        self._settle_generation = self._generation + 1
        self.schedule()

    def _mark_dirty(self, *_args: Any) -> None:
        self._dirty = True

    def _on_node_changed(self, _node: Node, field: str) -> None:
        if field not in _LAYOUT_FIELDS:
            self._dirty = True

    def _on_changed(self) -> None:
        if self._dirty:
            self.schedule()

    # ---------------------------------------------------------------- scheduling
    @property
    def pending(self) -> bool:
        """True from an edit that changes a number until its result has been shown."""
        return self._shown_generation != self._generation

    def schedule(self) -> None:
        """Evaluate once the event loop gets back to its timers (a burst of edits: once)."""
        self._dirty = True
        self._generation += 1
        self._timer.start()

    @gui_first.burst
    def _evaluate_scheduled(self) -> None:
        """The timer's slot: evaluate a quick graph now, hand a slow one to the worker."""
        if self._evaluates_quickly():
            self.evaluate_now()
            return
        self._dirty = False
        if not self._background_hold.held:
            # the collection the worker's allocations earn waits for the GUI thread's idle
            # time, after the result is shown and the previous one freed: when the worker's
            # own hold ended it, it walked all that was still alive (100 ms at 5,000 nodes)
            self._background_hold.hold()
        if not self.background.busy:
            # the edit's cyclic garbage goes now, what the worker makes is frozen once shown
            # (while it computes, what it made so far is young too: not walked then)
            runtime.collector.collect_young()
        # the worker gets a copy: the live document keeps changing while it computes
        self.background.submit(clone_for_evaluation(self.document), self._generation)
        self._poll.start()

    def _evaluates_quickly(self) -> bool:
        """Whether the document should evaluate within ``sync_budget``, judged from the time the
        last evaluation took per node (or, before any, from its size)."""
        nodes = len(self.document)
        if self.seconds_per_node is None:
            return nodes < BACKGROUND_MIN_NODES
        return self.seconds_per_node * nodes <= self.sync_budget

    @gui_first.burst
    def evaluate_now(self) -> EvalResult:
        """Evaluate the document at once (tests, command line) and emit ``evaluated``.

        Runs in the calling thread whatever the graph's size; a background evaluation still
        running is outdated by this one and its result is dropped.
        """
        self._timer.stop()
        self._dirty = False
        self._generation += 1
        self.background.cancel()
        self.leftovers.free_when_idle()  # holds the collector from here to the repaint
        with gui_first.waiting():  # a cancelled worker stops at its next node
            EVALUATION_LOCK.acquire()
        try:
            try:
                result = evaluate_document(self.document, retire=self.leftovers.keep)
            finally:
                EVALUATION_LOCK.release()
        except Exception as exc:  # an engine bug must not take the open document down with it
            result = self._failed_evaluation(exc)
        self._show(self._generation, result)
        return result

    def _evaluate_in_worker(self, doc: GraphDocument, cancelled: Callable[[], bool]
                            ) -> EvalResult:
        """What the worker thread runs: one evaluation (stopped when a newer edit outdates it),
        the collector held meanwhile."""
        with runtime.collector.paused():
            return evaluate_serialised(doc, cancelled, retire=self.leftovers.keep)

    @gui_first.burst
    def _collect_background_result(self) -> None:
        taken = self.background.take_result()
        if taken is not None and taken[0] == self._generation:
            generation, outcome = taken
            if isinstance(outcome, BaseException):
                self._show(generation, self._failed_evaluation(outcome))
            else:
                # the result lives until the next one: no collection walks it (nor the
                # engine's graph, freed by reference counting a frame from now)
                runtime.collector.freeze_new()
                self._show(generation, outcome)
        # else still running, or an edit came since: its own evaluation follows
        if not self.background.busy:
            self._poll.stop()
            self._background_hold.release()  # after _show's own hold, which lasts until idle

    def _failed_evaluation(self, exc: BaseException) -> EvalResult:
        self.failed.emit(f"Evaluation failed: {exc}")
        return EvalResult(output=self.document.output)

    def _show(self, generation: int, result: EvalResult) -> None:
        self._shown_generation = generation
        if result.seconds > 0 and result.nodes:
            self.seconds_per_node = result.seconds / len(result.nodes)
        self._retire(self.result)  # the old result is freed after the repaint
        self.result = result
        self.evaluated.emit(result)
        if generation >= self._settle_generation > 0:
            self._settle_generation = 0
            self.leftovers.settle = True  # the new document's first numbers are on screen

    def _retire(self, garbage: Any) -> None:
        if garbage is not None:
            self.leftovers.keep(garbage)
        self.leftovers.free_when_idle()
