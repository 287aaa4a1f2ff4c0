"""Benchmark large graphs in the real window: opening a 5,000-node file, evaluating, and how long
the event loop stalls per edit.

Run ``python benchmarks/scale.py [--nodes N]`` (offscreen, about a minute; 5,000 nodes unless
``--nodes`` says otherwise). The window is the app's own, built
by ``app.ui.launch`` as ``python main.py FILE`` builds it (every dock, autosave, the walkthrough
bar...), with its settings and swap files in a temporary folder. The graphs are the chains of
``benchmarks/edit_latency.py`` (two leaf tensors, then sub/mul operations each wired to the two
nodes before it). It prints:

- open: the time to open a 5,000-node .cgraph file until its first evaluation is shown;
- evaluate: the median time of ``evaluate_document`` for 500, 2,000 and 5,000 nodes, with the
  garbage collector held as the window's worker thread holds it;
- per edit of a leaf value at 5,000 nodes, with the Inspector in front of the Code tab (as the
  window opens) and then with the Code tab in front: the longest the event loop went without
  running (a 5 ms timer ticks meanwhile; the longest gap between ticks, from the edit until 0.3 s
  after its numbers are shown, is the worst stall a user could notice), median and worst, and
  the time until the new numbers are shown, and the CPU time the GUI thread spent (on a loaded
  machine the stalls vary from run to run; the CPU time much less);
- continuous edits, one every 100 ms without waiting for the numbers (a student dragging a
  value): the longest event-loop gap within each 100 ms, median and worst, in both dock layouts;
- the same two, zoomed in to the smallest zoom that paints numbers (35 %: the most cards whose
  numbers change on screen), the view on the edited leaf;
- autosave at 5,000 nodes: the GUI thread's part of a write (a copy of the document) and the
  writing thread's (the text and the atomic write, the last write's lines kept).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app import runtime
from app.canvas.node_item import TEXT_MIN_ZOOM, NodeItem
from app.evaluate import evaluate_document
from app.fileio import LineCache, save_document
from app.ui import launch
from app.ui.mainwindow import MainWindow
from benchmarks.edit_latency import chain_document, keep_none_alive

SIZES = (500, 2000, 5000)
RUNS = 3
EDITS = 12
TICK_MS = 5
SETTLE_S = 0.3
CONTINUOUS_EDITS = 30
CONTINUOUS_MS = 100


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:6.1f} ms"


def run_until(done: Callable[[], bool], seconds: float = 600.0) -> None:
    """Run the event loop as the window runs it (waiting for events, not polling) until
    ``done()`` holds, looked at every 5 ms, or ``seconds`` have passed."""
    loop = QEventLoop()
    end = time.perf_counter() + seconds
    check = QTimer()
    check.setInterval(5)
    check.timeout.connect(lambda: (done() or time.perf_counter() >= end) and loop.quit())
    check.start()
    if not done():
        loop.exec()
    check.stop()


def run_events(seconds: float) -> None:
    run_until(lambda: False, seconds)


def wait_for_result(window: MainWindow) -> None:
    run_until(lambda: not window.controller.evaluation_pending)


def bench_open(path: Path) -> MainWindow:
    """Open the file as ``python main.py FILE`` does; print the time to its first numbers."""
    start = time.perf_counter()
    window = launch.create_window(str(path))
    launch.start_window(window, opened_file=True)
    wait_for_result(window)
    shown = time.perf_counter()
    print(f"open a {len(window.controller.document)}-node file in the window: "
          f"{(shown - start) * 1000:.0f} ms to its first numbers")
    return window


def bench_evaluate() -> None:
    for size in SIZES:
        doc = chain_document(size)
        samples = []
        for _ in range(RUNS):
            start = time.perf_counter()
            with runtime.collector.paused():
                evaluate_document(doc)
            samples.append(time.perf_counter() - start)
        print(f"evaluate {size:5d} nodes: {median_ms(samples)}")


def bench_edits(window: MainWindow, title: str, first_value: float) -> None:
    """Edit a leaf value EDITS times, each shown before the next; the longest event-loop gap,
    the GUI thread's CPU time and the time to the numbers, per edit."""
    stalls, shown_ms, gui_cpu = [], [], []
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(TICK_MS)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ticker.start()
    for step in range(EDITS):
        run_events(SETTLE_S)
        ticks.clear()
        start, cpu = time.perf_counter(), time.thread_time()
        window.controller.set_field("w", "value", [first_value + step / 8])
        wait_for_result(window)
        shown_ms.append(time.perf_counter() - start)
        run_events(SETTLE_S)  # what the edit leaves for idle time counts too
        gui_cpu.append(time.thread_time() - cpu)
        marks = [start, *ticks, time.perf_counter()]
        stalls.append(max(b - a for a, b in zip(marks, marks[1:])))
    ticker.stop()
    print(f"per edit at {len(window.controller.document)} nodes, {title}:")
    print(f"  longest event-loop stall: {median_ms(stalls)} median, "
          f"{max(stalls) * 1000:.0f} ms worst; all: "
          + ", ".join(f"{s * 1000:.0f}" for s in stalls))
    print(f"  GUI thread's CPU time: {median_ms(gui_cpu)} median")
    print(f"  edit to new numbers shown: {median_ms(shown_ms)}")


def bench_continuous(window: MainWindow, title: str, first_value: float) -> None:
    """Edit a leaf value every CONTINUOUS_MS for CONTINUOUS_EDITS edits without waiting for the
    numbers (a student dragging a value); the longest event-loop gap within each interval."""
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(TICK_MS)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ticker.start()
    run_events(SETTLE_S)
    stalls = []
    for step in range(CONTINUOUS_EDITS):
        ticks.clear()
        start = time.perf_counter()
        window.controller.set_field("w", "value", [first_value + step / 8])
        run_events(CONTINUOUS_MS / 1000)
        marks = [start, *ticks, time.perf_counter()]
        stalls.append(max(b - a for a, b in zip(marks, marks[1:])))
    wait_for_result(window)
    ticker.stop()
    print(f"continuous edits at {len(window.controller.document)} nodes, one every "
          f"{CONTINUOUS_MS} ms, {title}:")
    print(f"  longest event-loop stall per interval: {median_ms(stalls)} median, "
          f"{max(stalls) * 1000:.0f} ms worst")


def bench_autosave(window: MainWindow, folder: Path) -> None:
    """As the window's Autosaver writes: a copy on the GUI thread, then the text and the atomic
    write in its thread, the lines of the last write kept (a LineCache); a value edit between
    writes, and once without the cache (the first write of a session)."""
    doc = window.controller.document
    cache = LineCache()
    copies, writes = [], []
    for step in range(RUNS + 1):
        window.controller.set_field("w", "value", [8.0 + step])
        start = time.perf_counter()
        copy = doc.evaluation_copy(notes=True)
        copied = time.perf_counter()
        save_document(copy, folder / "swap.cgraph", cache)
        if step == 0:
            first = time.perf_counter() - copied
            continue
        copies.append(copied - start)
        writes.append(time.perf_counter() - copied)
    wait_for_result(window)
    print(f"autosave at {len(doc)} nodes: GUI thread (copy) {median_ms(copies)}, "
          f"writing thread (text and atomic write) {median_ms(writes)} "
          f"({first * 1000:.0f} ms for the first write of a session)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000,
                        help="the size of the graph the window edits (default 5000)")
    nodes = parser.parse_args().nodes
    keep_none_alive()
    with tempfile.TemporaryDirectory() as home:
        # the window's settings and swap files go to this folder, not the user's
        os.environ["XDG_CONFIG_HOME"] = str(Path(home) / "config")
        os.environ["XDG_DATA_HOME"] = str(Path(home) / "data")
        app = QApplication.instance() or QApplication(sys.argv[:1])
        path = Path(home) / f"chain{nodes}.cgraph"
        save_document(chain_document(nodes), path)
        window = bench_open(path)
        bench_evaluate()
        bench_edits(window, "the Inspector in front of the Code tab", 1.0)
        bench_continuous(window, "the Inspector in front of the Code tab", 2.0)
        window.code_dock.raise_()
        run_events(1.0)
        wait_for_result(window)
        run_until(lambda: not window.code_dock.stale)
        bench_edits(window, "the Code tab in front", 4.0)
        bench_continuous(window, "the Code tab in front", 6.0)
        window.inspector.raise_()
        view = window.view
        view.set_zoom(TEXT_MIN_ZOOM)  # the most cards with their numbers painted
        view.centerOn(view.graph_scene.nodes["w"])
        run_events(1.0)
        cards = sum(type(item) is NodeItem for item in view.graph_scene._items_in_sight())
        bench_edits(window, f"zoomed in to {TEXT_MIN_ZOOM:.0%}, numbers on {cards} cards in "
                    "sight (Inspector in front)", 9.0)
        bench_continuous(window, f"zoomed in to {TEXT_MIN_ZOOM:.0%}", 11.0)
        bench_autosave(window, Path(home))
        window.controller.undo_stack.setClean()  # closing asks nothing
        window.close()
        app.processEvents()


if __name__ == "__main__":
    main()
