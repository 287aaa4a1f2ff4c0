"""Process-wide tuning: everything CG Studio sets for the whole process, in one place, on request.

Nothing here happens on import. The app calls :func:`configure` once at start-up: the window
(``app.ui.launch``) with ``interactive=True``, the command line's headless verbs (``app.cli``)
with ``interactive=False``; benchmarks call it to measure the app as it runs. What it sets:

- the allocator: glibc keeps freed tensor memory for reuse instead of returning it to the
  kernel and faulting it in again (``cgengine._alloc.tune_allocator``; nothing elsewhere);
- the cyclic garbage collector, in the window only: an edit allocates and drops tens of
  thousands of objects (the engine's graph, the results, the canvas update), and a collection set
  off among them would walk every object of the application, canvas items included, between the
  edit and its repaint. So :data:`collector` holds automatic collection off while an edit is
  computed and shown, and runs the collection those allocations earned once the event loop is
  idle (the evaluation scheduler asks for both); and once a document is open and shown, the
  objects alive then (its canvas, the window) are frozen out of the collector's sight
  (``settle``), until the next document replaces it (``unsettle``);
- the interpreter's switch interval, in the window only: 1 ms instead of 5 ms, so that the GUI
  thread waits less for the interpreter while the worker evaluates;
- who goes first, the GUI thread or the background threads (evaluation, clean-up, autosave,
  the Code dock's script): :data:`gui_first`. PySide lets go of the interpreter around each call
  into Qt, and a busy Python thread takes it at once: 2,000 cheap Qt calls take 1.4 ms alone,
  60 ms beside one busy Python thread and 280 ms beside two (measured on the 2-core machine).
  So in the window the background threads wait at their next step (``step_aside()``: each node
  evaluated, each piece freed, each record written) while the GUI thread is in a burst of work
  (``with gui_first.busy():`` an edit, a result shown, a repaint), and they take turns
  (``with gui_first.turn():``): one runs at a time, the evaluation first.

numpy's error state is left as numpy sets it: the engine computes inf and nan silently by itself,
as torch does, and the app's own numpy code says ``np.errstate`` where it may meet them.
"""

from __future__ import annotations

import functools
import gc
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from cgengine._alloc import tune_allocator

T = TypeVar("T")


class CollectorPolicy:
    """When the cyclic garbage collector may run: the one owner of ``gc.disable``/``gc.enable``.

    ``hold()`` pauses automatic collection until the matching ``release()``; holds nest and may
    come from several threads (an evaluation in the worker thread holds while the GUI thread
    waits for idle time), and only the last release turns collection back on. Holding does
    nothing until ``defer`` is set (``configure(interactive=True)``), so the command line and the
    tests run with Python's own policy.
    """

    def __init__(self) -> None:
        #: hold collection while edits are computed and shown (the window sets it)
        self.defer = False
        self._lock = threading.Lock()
        self._holds = 0
        self._paused_by_us = False
        #: what ``settle`` froze is frozen still (``gc.get_freeze_count`` walks the frozen list)
        self._settled = False

    @property
    def held(self) -> bool:
        """True while some hold is not released yet."""
        return self._holds > 0

    def hold(self) -> None:
        """Pause automatic collection (when ``defer`` is set) until the matching release."""
        with self._lock:
            if self._holds == 0 and self.defer and gc.isenabled():
                gc.disable()
                self._paused_by_us = True
            self._holds += 1

    def release(self, *, collect: bool = True) -> None:
        """End one hold. The last one turns collection back on and, with ``collect``, runs the
        collection the paused allocations have earned, now rather than at the first allocation
        of the next edit (the generation the collector itself would pick)."""
        with self._lock:
            if self._holds == 0:
                raise RuntimeError("release() without hold()")
            self._holds -= 1
            if self._holds or not self._paused_by_us:
                return
            self._paused_by_us = False
            gc.enable()
        if collect:
            counts, thresholds = gc.get_count(), gc.get_threshold()
            gc.collect(next((g for g in (2, 1) if counts[g] >= thresholds[g]), 0))

    def settle(self) -> None:
        """Take what lives now out of the collector's sight (when ``defer`` is set).

        Called once a document is open and shown: what is alive then is the window, the document
        and its canvas, hundreds of thousands of objects that live as long as the document. A
        full collection walks every tracked object, 140-250 ms at 5,000 nodes, and edits set
        one off every few edits. After one collection here, ``gc.freeze`` moves the survivors to
        the permanent generation, so later collections walk only what edits make.
        """
        if self.defer:
            gc.collect()
            gc.freeze()
            self._settled = True

    def unsettle(self) -> None:
        """Give the frozen objects back to the collector: the document they belong to is being
        replaced, and its cyclic garbage must be collectable again."""
        self._settled = False
        gc.unfreeze()

    @property
    def settled(self) -> bool:
        """True while a shown document's objects are frozen (``settle`` ran, not ``unsettle``)."""
        return self.defer and self._settled

    def collect_young(self) -> None:
        """Collect what was made since the last freeze (when settled): before an evaluation, so
        that the cyclic garbage of the edit is gone before :meth:`freeze_new` keeps what is
        young for good. Walks only the objects made since the last result: about 1 ms."""
        if self.settled:
            gc.collect()

    def freeze_new(self) -> None:
        """Take what was made since the last freeze out of the collector's sight (when settled).

        Called as a large evaluation's result is shown: its tens of thousands of objects (30,000
        at 5,000 nodes) live until the next result replaces them, and a collection walked them
        all once more after every edit (10-20 ms on the GUI thread). An evaluation makes no
        reference cycles (its result and the engine's graph are freed by reference counting,
        frozen or not: tested), and the edit's own cyclic garbage was collected before the
        evaluation started (:meth:`collect_young`); ``gc.freeze`` costs no walk at all.
        """
        if self.settled:
            gc.freeze()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Hold collection for the ``with`` block; the collection waits for a later release."""
        self.hold()
        try:
            yield
        finally:
            self.release(collect=False)


#: The process has one garbage collector, so it has one policy.
collector = CollectorPolicy()


class GuiFirst:
    """Background threads step aside while the GUI thread does a burst of work.

    The window marks the GUI thread's bursts ``with busy():`` (an edit and what mirrors it, a
    result handed to the cards, a repaint of the canvas or the code, a slice of the sweep; they
    nest). A background thread calls :meth:`step_aside` between small steps of its work and waits
    there while a burst lasts, at most ``MAX_WAIT`` per burst (a long one, a file opening, does
    not stop the background for good). Background jobs also take turns (:meth:`turn`), and the
    GUI thread says when it waits for one of them (:meth:`waiting`). Off (``enabled`` False: the
    command line, tests that start no window), in the GUI thread and between bursts,
    ``step_aside`` costs one flag check.
    """

    #: the longest a background thread waits for one burst of the GUI thread (seconds)
    MAX_WAIT = 0.1

    def __init__(self) -> None:
        self.enabled = False
        self._open = threading.Event()
        self._open.set()
        self._depth = 0
        self._bursts = 0
        self._gui = threading.main_thread().ident
        self._local = threading.local()
        self._turns = threading.Condition()
        self._holder: int | None = None  # the thread whose turn it is
        self._urgent = 0  # urgent jobs waiting for their turn

    @contextmanager
    def turn(self, *, urgent: bool = False) -> Iterator[None]:
        """A background job runs in its turn: one at a time (when ``enabled``).

        Two busy Python threads beside the GUI thread hold it up far longer than one: a 5 ms
        timer's longest gap was 9.8 ms beside one and 18.7 ms beside two (2-core machine). So
        the evaluation, the clean-up, the autosave's write and the Code dock's script take
        turns. An ``urgent`` job (the evaluation: the user waits for its numbers) does not wait
        for the others to end: they hand it the turn at their next ``step_aside`` and take it
        back after. Never taken by the GUI thread."""
        if not self.enabled or self._holder == threading.get_ident():
            yield  # off, or already this thread's turn (a job within a job)
            return
        self._take_turn(urgent)
        previous = getattr(self._local, "urgent", False)
        self._local.urgent = urgent
        try:
            yield
        finally:
            self._local.urgent = previous
            with self._turns:
                self._holder = None
                self._turns.notify_all()

    def _take_turn(self, urgent: bool) -> None:
        with self._turns:
            if urgent:
                self._urgent += 1
            try:
                while self._holder is not None or (not urgent and self._urgent):
                    self._turns.wait()
            finally:
                if urgent:
                    self._urgent -= 1
            self._holder = threading.get_ident()

    def _hand_over(self) -> None:
        """An urgent job waits: give it the turn, take it back once it is done."""
        with self._turns:
            self._holder = None
            self._turns.notify_all()
        self._take_turn(urgent=False)

    @contextmanager
    def busy(self) -> Iterator[None]:
        """A burst of the GUI thread's work: the background threads wait at their next step."""
        if self._depth == 0 and self.enabled:
            self._bursts += 1
            self._open.clear()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._open.set()

    def burst(self, function: Callable[..., T]) -> Callable[..., T]:
        """Decorate a method of the GUI thread whose every call is a burst (``busy``)."""

        @functools.wraps(function)
        def in_a_burst(*args: Any, **kwargs: Any) -> T:
            with self.busy():
                return function(*args, **kwargs)

        return in_a_burst

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """The GUI thread waits for a background thread (a lock, a future) in this block: the
        background runs meanwhile, whatever burst it is in."""
        closed = not self._open.is_set()
        self._open.set()
        try:
            yield
        finally:
            if closed and self._depth:
                self._open.clear()

    def step_aside(self) -> None:
        """In a background thread: hand the turn to an urgent job that waits for it, and wait
        while the GUI thread is in a burst (at most ``MAX_WAIT`` for one burst). In the GUI
        thread, or between bursts with no urgent job waiting: return at once."""
        if self._urgent and self._holder == threading.get_ident() \
                and not getattr(self._local, "urgent", False):
            self._hand_over()
        if self._open.is_set() or threading.get_ident() == self._gui:
            return
        burst = self._bursts
        if getattr(self._local, "waited_out", None) == burst:
            return  # this burst outlasted MAX_WAIT once: go on beside it
        if not self._open.wait(self.MAX_WAIT):
            self._local.waited_out = burst


#: The process has one GUI thread (the main thread, where QApplication lives).
gui_first = GuiFirst()


def step_aside() -> None:
    """``gui_first.step_aside()``: what background work calls between its small steps."""
    gui_first.step_aside()


#: How long a thread may keep the interpreter while another waits for it, in the window
#: (seconds; Python's default is 5 ms). While the worker evaluates, each timer, paint and
#: callback of the GUI thread waits up to this long for the interpreter.
WINDOW_SWITCH_INTERVAL = 0.001


def configure(*, interactive: bool) -> None:
    """Tune the process for CG Studio: the allocator always; for the window, the collector and
    the interpreter's switch interval."""
    tune_allocator()
    collector.defer = interactive
    gui_first.enabled = interactive
    if interactive:
        sys.setswitchinterval(WINDOW_SWITCH_INTERVAL)
