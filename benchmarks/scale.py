"""Benchmark large graphs: opening a 5,000-node file, evaluating, and the GUI thread during edits.

Run ``python benchmarks/scale.py`` (offscreen, about half a minute). The graphs are the chains of
``benchmarks/edit_latency.py`` (two leaf tensors, then sub/mul operations each wired to the two
nodes before it). It prints:

- open: the time to open a 5,000-node .cgraph file, split into reading it (parse and validate),
  mirroring it on the canvas (5,000 cards and 9,996 wires) and its first evaluation;
- evaluate: the median time of ``evaluate_document`` for 500, 2,000 and 5,000 nodes, with the
  garbage collector held as the window's worker thread holds it;
- GUI thread per edit, with the worker: for a leaf value edit of the 5,000-node graph, the time
  the GUI thread spends on the edit itself and on copying the document for the worker, the time
  until the new numbers are shown, and the longest the event loop went without running (a 5 ms
  timer ticks meanwhile; the longest gap between ticks is the worst stall a user could notice).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app import runtime
from app.canvas import GraphScene
from app.controller import DocumentController
from app.evaluate import evaluate_document
from app.evaluate.worker import clone_for_evaluation
from app.fileio import load_document, save_document
from benchmarks.edit_latency import chain_document

SIZES = (500, 2000, 5000)
RUNS = 3
EDITS = 8
TICK_MS = 5


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.1f} ms"


def bench_open(path: Path) -> DocumentController:
    """Open the file as the window does; print the three parts. Returns the controller."""
    start = time.perf_counter()
    doc = load_document(path)
    read = time.perf_counter()
    controller = DocumentController()
    controller.scene = GraphScene(controller)  # keep the scene alive with the controller
    controller.replace_document(doc)
    mirrored = time.perf_counter()
    wait_for_result(controller)
    shown = time.perf_counter()
    print(f"open a {len(doc)}-node file: {(shown - start) * 1000:.0f} ms "
          f"(read {(read - start) * 1000:.0f} ms, canvas {(mirrored - read) * 1000:.0f} ms, "
          f"first evaluation shown {(shown - mirrored) * 1000:.0f} ms)")
    return controller


def wait_for_result(controller: DocumentController) -> None:
    loop = QEventLoop()
    controller.evaluated.connect(loop.quit)
    if controller.evaluation_pending:
        loop.exec()
    controller.evaluated.disconnect(loop.quit)


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


def bench_edits(controller: DocumentController) -> None:
    """Edit a leaf value EDITS times; time the GUI thread's share and the event loop's stalls."""
    doc = controller.document
    edit_ms, clone_ms, shown_ms, stalls = [], [], [], []
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(TICK_MS)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ticker.start()
    for step in range(EDITS):
        ticks.clear()
        start = time.perf_counter()
        controller.set_field("w", "value", [1.0 + (step + 1) / 8])
        edited = time.perf_counter()
        wait_for_result(controller)
        done = time.perf_counter()
        edit_ms.append(edited - start)
        shown_ms.append(done - start)
        marks = [edited, *ticks, done]
        stalls.append(max(b - a for a, b in zip(marks, marks[1:])))
    ticker.stop()
    for _ in range(EDITS):
        start = time.perf_counter()
        clone_for_evaluation(doc)  # what the timer's slot copies before handing it over
        clone_ms.append(time.perf_counter() - start)
    print(f"GUI thread per edit of the {len(doc)}-node graph, with the worker:")
    print(f"  the edit itself (undo command, signals): {median_ms(edit_ms)}")
    print(f"  copying the document for the worker:      {median_ms(clone_ms)}")
    print(f"  longest event-loop stall per edit:        {median_ms(stalls)} (median), "
          f"{max(stalls) * 1000:.1f} ms (worst); all: "
          + ", ".join(f"{s * 1000:.0f}" for s in stalls))
    print(f"  edit to new numbers shown:                {median_ms(shown_ms)}")


def main() -> None:
    runtime.configure(interactive=True)  # as the window does at start-up
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chain5000.cgraph"
        save_document(chain_document(5000), path)
        controller = bench_open(path)
    bench_evaluate()
    bench_edits(controller)
    app.processEvents()


if __name__ == "__main__":
    main()
