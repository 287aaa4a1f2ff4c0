"""Benchmark a long session: does an edit cost the same at the 2,000th as at the first?

Run ``python benchmarks/edit_history.py`` (offscreen, a few minutes). The window is the app's own,
as ``python main.py FILE`` builds it (``app.ui.launch``), on a 500-node chain of
``benchmarks/edit_latency.py``, its settings and swap files in a temporary folder. It makes 2,000
value edits of a leaf, each one shown before the next (the event loop runs until the numbers are
on the canvas and the clean-up after them is done), twice:

- timed: the median time of an edit (``set_field`` until its numbers are shown and the event loop
  is idle again) over edits 1-50 and over edits 1,951-2,000;
- traced (``tracemalloc``, which slows everything down): the memory held by Python objects after
  edit 100, 1,000 and 2,000, and the growth per edit between the 100th and the 2,000th;

and prints how many steps the undo stack (the History dock) keeps.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from app.fileio import save_document
from app.ui import launch
from app.ui.mainwindow import MainWindow
from benchmarks.edit_latency import chain_document, keep_none_alive

NODES = 500
EDITS = 2000
WINDOW = 50


def settle(window: MainWindow) -> None:
    """Run the event loop until the edit's numbers are shown and its clean-up is done."""
    scheduler = window.controller.scheduler
    while window.controller.evaluation_pending or scheduler.leftovers.pending:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    QApplication.processEvents()


def edit(window: MainWindow, step: int) -> float:
    start = time.perf_counter()
    window.controller.set_field("w", "value", [1.0 + (step % 7) / 8])
    settle(window)
    return time.perf_counter() - start


def open_window(path: Path) -> MainWindow:
    window = launch.create_window(str(path))
    launch.start_window(window, opened_file=True)
    settle(window)
    return window


def timed_run(path: Path) -> None:
    window = open_window(path)
    times = [edit(window, step) for step in range(1, EDITS + 1)]
    first = statistics.median(times[:WINDOW]) * 1000
    last = statistics.median(times[-WINDOW:]) * 1000
    print(f"per edit at {NODES} nodes: {first:.1f} ms (edits 1-{WINDOW}), {last:.1f} ms "
          f"(edits {EDITS - WINDOW + 1}-{EDITS}); the undo stack keeps "
          f"{window.controller.undo_stack.count()} steps")
    close(window)


def traced_run(path: Path) -> None:
    window = open_window(path)
    held: dict[int, int] = {}
    tracemalloc.start()
    try:
        for step in range(1, EDITS + 1):
            edit(window, step)
            if step in (100, 1000, EDITS):
                gc.collect()
                held[step] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    growth = (held[EDITS] - held[100]) / (EDITS - 100)
    print(f"memory held after edit 100 / 1,000 / {EDITS:,}: "
          + " / ".join(f"{held[step] / 1024:.0f} KiB" for step in (100, 1000, EDITS))
          + f"; growth {growth:.0f} bytes per edit")
    close(window)


def close(window: MainWindow) -> None:
    window.controller.undo_stack.setClean()  # closing asks nothing
    window.close()
    window.deleteLater()
    QApplication.processEvents()


def main() -> None:
    keep_none_alive()
    with tempfile.TemporaryDirectory() as home:
        # the window's settings and swap files go to this folder, not the user's
        os.environ["XDG_CONFIG_HOME"] = str(Path(home) / "config")
        os.environ["XDG_DATA_HOME"] = str(Path(home) / "data")
        app = QApplication.instance() or QApplication(sys.argv[:1])
        path = Path(home) / f"chain{NODES}.cgraph"
        save_document(chain_document(NODES), path)
        timed_run(path)
        traced_run(path)
        app.processEvents()


if __name__ == "__main__":
    main()
