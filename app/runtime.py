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
  thread waits less for the interpreter while the worker evaluates.

numpy's error state is left as numpy sets it: the engine computes inf and nan silently by itself,
as torch does, and the app's own numpy code says ``np.errstate`` where it may meet them.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from cgengine._alloc import tune_allocator


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

    def unsettle(self) -> None:
        """Give the frozen objects back to the collector: the document they belong to is being
        replaced, and its cyclic garbage must be collectable again."""
        if gc.get_freeze_count():
            gc.unfreeze()

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


#: How long a thread may keep the interpreter while another waits for it, in the window
#: (seconds; Python's default is 5 ms). While the worker evaluates, each timer, paint and
#: callback of the GUI thread waits up to this long for the interpreter.
WINDOW_SWITCH_INTERVAL = 0.001


def configure(*, interactive: bool) -> None:
    """Tune the process for CG Studio: the allocator always; for the window, the collector and
    the interpreter's switch interval."""
    tune_allocator()
    collector.defer = interactive
    if interactive:
        sys.setswitchinterval(WINDOW_SWITCH_INTERVAL)
