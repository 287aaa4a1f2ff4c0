"""Evaluation off the GUI thread: a copy of the document, one worker thread, results by number.

A large graph takes longer to evaluate than a frame lasts (a 5,000-node chain about 0.3 s), so
the evaluation scheduler hands it to :class:`BackgroundEvaluator` instead of evaluating it in the
event loop. The worker thread never sees the live document, which the GUI keeps editing: the
scheduler passes :func:`clone_for_evaluation`, a copy made on the GUI thread. Each request
carries a generation number; a result is only handed back for the newest request, so a slow
evaluation of an old edit can never overwrite the numbers of a newer one, and an evaluation made
useless by a newer request (or by ``cancel``) stops at its next node instead of running to its end.

Nothing here touches Qt: the evaluation scheduler (app/scheduler.py) polls
:meth:`BackgroundEvaluator.take_result` from a timer in the GUI thread, so no Qt object is ever
used, or destroyed, from the worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from app.evaluate.evaluator import evaluate_document
from app.evaluate.results import EvalResult
from app.model import GraphDocument
from app.runtime import gui_first, step_aside

#: Held while any evaluation runs, in the worker or the GUI thread. The evaluator silences
#: warnings with ``warnings.catch_warnings``, which saves and restores one process-wide filter
#: list: two evaluations overlapping could leave warnings silenced for good.
EVALUATION_LOCK = threading.Lock()

_executor: ThreadPoolExecutor | None = None


def _shared_executor() -> ThreadPoolExecutor:
    """One worker thread for the whole application (two cores are shared with the GUI)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cgstudio-evaluate")
    return _executor


def clone_for_evaluation(doc: GraphDocument) -> GraphDocument:
    """A copy of the nodes, wires and output of ``doc`` that the GUI's edits cannot reach.

    ``GraphDocument.evaluation_copy``: node values are shared, not copied (the document never
    changes a stored value in place: ``set_field`` stores a deep copy of the new one), and
    ``params`` is copied because ``set_param`` edits that dict in place. A 5,000-node graph is
    copied in a few milliseconds. Notes do not take part in an evaluation.
    """
    return doc.evaluation_copy()


def evaluate_serialised(doc: GraphDocument, cancelled: Callable[[], bool] | None = None, *,
                        retire: Callable[[Any], None] | None = None) -> EvalResult:
    """``evaluate_document(doc, retire=retire, cancelled=cancelled)``, never at the same time as
    another evaluation."""
    with EVALUATION_LOCK:
        return evaluate_document(doc, retire=retire, cancelled=cancelled)


class BackgroundEvaluator:
    """Runs one evaluation at a time in the worker thread; the newest request wins.

    ``evaluate(doc, cancelled)`` is what runs in the worker thread (by default
    :func:`evaluate_serialised`); ``cancelled()`` turns True once a newer request (or
    ``cancel``) makes it useless; before answering, it waits while the GUI thread is busy
    (``app.runtime.step_aside``). ``submit(doc, generation)`` starts evaluating a cloned
    document, or, while an evaluation runs, cancels it and keeps the request as the next one
    (replacing any request waiting before it).
    ``take_result()`` is polled from the GUI thread: it returns ``(generation, result)`` once
    the evaluation of the newest request is done, and starts the waiting request when the one
    that finished is outdated. ``generation`` tells the caller which edit the result belongs to.
    """

    def __init__(self, evaluate: Callable[[GraphDocument, Callable[[], bool]], EvalResult]
                 = evaluate_serialised) -> None:
        self._evaluate = evaluate
        self._running: Future[EvalResult] | None = None
        self._running_generation = -1
        self._running_cancelled = threading.Event()
        self._waiting: tuple[GraphDocument, int] | None = None

    @property
    def busy(self) -> bool:
        """True while an evaluation runs or waits to run."""
        return self._running is not None or self._waiting is not None

    def submit(self, doc: GraphDocument, generation: int) -> None:
        """Evaluate ``doc`` (a clone nobody edits) for the edit numbered ``generation``."""
        if self._running is None:
            self._start(doc, generation)
        else:
            self._running_cancelled.set()  # outdated: it stops at its next node
            self._waiting = (doc, generation)

    def cancel(self) -> None:
        """Forget every request: a running evaluation stops at its next node, its result (or
        its EvaluationCancelled) is dropped."""
        self._waiting = None
        self._running_generation = -1
        self._running_cancelled.set()

    def take_result(self) -> tuple[int, EvalResult | BaseException] | None:
        """The finished evaluation of the newest request (or the exception it raised), else None.

        An evaluation that finished while a newer request waited is dropped, and the newer one
        starts.
        """
        if self._running is None or not self._running.done():
            return None
        future, generation = self._running, self._running_generation
        self._running = None
        if self._waiting is not None:
            self._start(*self._waiting)
            self._waiting = None
            return None
        if generation < 0:
            return None
        error = future.exception()
        return generation, error if error is not None else future.result()

    def _start(self, doc: GraphDocument, generation: int) -> None:
        cancelled = self._running_cancelled = threading.Event()

        def outdated() -> bool:
            # asked before each node: the GUI thread's bursts (a repaint, an edit) go first
            step_aside()
            return cancelled.is_set()

        def evaluate() -> EvalResult:
            with gui_first.turn(urgent=True):  # one background job at a time, this first
                return self._evaluate(doc, outdated)

        self._running = _shared_executor().submit(evaluate)
        self._running_generation = generation
