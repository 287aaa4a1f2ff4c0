"""Large graphs stay responsive: 5,000 nodes open and evaluate off the GUI thread, the newest edit
wins, evaluate_now stays synchronous, and memory stays flat over 1,000 edits."""

from __future__ import annotations

import gc
import time
import tracemalloc

import pytest
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from app.canvas import GraphScene
from app.controller import DocumentController
from app.evaluate import EvalResult, evaluate_document
from app.evaluate.worker import clone_for_evaluation
from app.fileio import load_document, save_document
from app.fileio.schema import MAX_NODES
from app.model import GraphDocument, Node
from app.scheduler import BACKGROUND_MIN_NODES
from tests.test_controller import build_lesson

COLUMNS = 50


def add_chain(n_nodes: int, w: float = 1.0, x: float = 2.0) -> GraphDocument:
    """Leaves w and x, then ``n_nodes - 2`` adds: a0 = x + w, a(i) = a(i-1) + w.

    The last node is x + (n_nodes - 2) * w: exact in float32 for these sizes, so the tests can
    assert the numbers; d(last)/dw = n_nodes - 2 and d(last)/dx = 1.
    """
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", "w", (0.0, 0.0), [w], requires_grad=True))
    doc.add_node(Node("x", "tensor", "x", (0.0, 220.0), [x], requires_grad=True))
    wires, previous = [], "x"
    for index in range(n_nodes - 2):
        row, column = divmod(index, COLUMNS)
        node_id = f"a{index}"
        doc.add_node(Node(node_id, "add", node_id, ((column + 1) * 290.0, row * 220.0)))
        wires += [(previous, node_id, 0), ("w", node_id, 1)]
        previous = node_id
    doc.connect_many(wires)
    doc.set_output(previous)
    return doc


LAST = f"a{MAX_NODES - 3}"


def wait_until(condition, timeout: float = 30.0) -> None:
    """Run the event loop until ``condition()`` holds (module fixtures cannot use qtbot)."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)


@pytest.fixture(scope="module")
def big(qapp, tmp_path_factory):
    """A controller and scene showing a 5,000-node file, and the result first shown.

    Loading and mirroring 5,000 nodes takes a few seconds, so the tests of this module share
    one; each test sets the leaf values it asserts on.
    """
    path = tmp_path_factory.mktemp("scale") / "chain.cgraph"
    save_document(add_chain(MAX_NODES), path)
    controller = DocumentController()
    # these tests are about the worker thread: every edit goes there, however fast the machine
    controller.scheduler.sync_budget = 0.0
    scene = GraphScene(controller)
    shown: list[EvalResult] = []
    controller.evaluated.connect(shown.append)
    controller.replace_document(load_document(path))
    wait_until(lambda: bool(shown))
    controller.evaluated.disconnect(shown.append)
    yield controller, scene, shown[0]
    # a background evaluation still running must not outlive the module
    wait_until(lambda: not controller.scheduler.background.busy)


def test_a_5000_node_file_opens_and_shows_its_numbers(big):
    controller, scene, first = big
    assert len(controller.document) == MAX_NODES == 5000
    assert len(scene.nodes) == 5000 and len(scene.edges) == 2 * (MAX_NODES - 2)
    assert first.nodes[LAST].value.tolist() == [2.0 + 4998.0]
    assert first.nodes["w"].grad.tolist() == [4998.0]
    assert first.nodes["x"].grad.tolist() == [1.0]
    assert first.nodes["a0"].grad is None and first.nodes["a0"].grad_fn == "AddBackward0"


def test_the_event_loop_keeps_running_while_a_large_graph_evaluates(big, qtbot):
    controller, scene, _first = big
    controller.set_field("x", "value", [2.0])
    controller.evaluate_now()
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(10)
    # count only the ticks that came while the evaluation was still running
    ticker.timeout.connect(
        lambda: controller.evaluation_pending and ticks.append(time.perf_counter()))
    ticker.start()
    controller.set_field("w", "value", [2.0])
    with qtbot.waitSignal(controller.evaluated, timeout=30_000):
        assert controller.evaluation_pending
    ticker.stop()
    # an evaluation in the GUI thread would have let no tick through while it ran (the worker
    # holds the interpreter lock much of the time, so a few ticks is all a busy machine gives)
    assert len(ticks) >= 2
    assert controller.result.nodes[LAST].value.tolist() == [2.0 + 4998.0 * 2.0]
    assert scene.nodes[LAST].value_text() == "value [9998.]"


def test_the_newest_edit_wins_and_stale_results_are_never_shown(big, qtbot):
    controller, _scene, _first = big
    controller.set_field("x", "value", [2.0])
    controller.evaluate_now()
    shown = []
    controller.evaluated.connect(shown.append)
    controller.set_field("w", "value", [2.5])
    # w = 2.5 is computing
    qtbot.waitUntil(lambda: controller.scheduler.background.busy, timeout=5000)
    controller.set_field("w", "value", [3.0])
    controller.set_field("x", "value", [4.0])
    with qtbot.waitSignal(controller.evaluated, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: not controller.scheduler.background.busy, timeout=30_000)
    qtbot.wait(50)
    controller.evaluated.disconnect(shown.append)
    assert [r.nodes[LAST].value.tolist() for r in shown] == [[4.0 + 4998.0 * 3.0]]
    assert not controller.evaluation_pending


def test_evaluate_now_is_synchronous_and_outdates_a_running_evaluation(big, qtbot):
    controller, _scene, _first = big
    controller.set_field("x", "value", [2.0])
    controller.evaluate_now()
    shown = []
    controller.evaluated.connect(shown.append)
    controller.set_field("w", "value", [5.0])
    qtbot.waitUntil(lambda: controller.scheduler.background.busy, timeout=5000)
    controller.set_field("w", "value", [6.0])
    result = controller.evaluate_now()
    assert result.nodes[LAST].value.tolist() == [2.0 + 4998.0 * 6.0]
    assert controller.result is result and not controller.evaluation_pending
    qtbot.waitUntil(lambda: not controller.scheduler.background.busy, timeout=30_000)
    qtbot.wait(50)
    controller.evaluated.disconnect(shown.append)
    assert shown == [result]  # the background run for w = 5 finished, and was dropped


def test_small_graphs_are_evaluated_in_the_event_loop_without_the_worker(qtbot):
    controller = DocumentController()
    controller.replace_document(add_chain(BACKGROUND_MIN_NODES - 1))
    with qtbot.waitSignal(controller.evaluated, timeout=5000):
        pass
    assert not controller.scheduler.background.busy
    assert controller.result.nodes["w"].grad.tolist() == [BACKGROUND_MIN_NODES - 3.0]


def test_where_an_edit_is_evaluated_follows_how_long_the_last_evaluation_took(qtbot):
    controller = DocumentController()
    ids = build_lesson(controller)
    controller.evaluate_now()
    assert controller.result.seconds > 0
    submitted = []
    background = controller.scheduler.background
    submit = background.submit
    background.submit = lambda doc, generation: (submitted.append(generation),
                                                 submit(doc, generation))
    # six nodes take well under the budget: the edit is evaluated in the event loop
    with qtbot.waitSignal(controller.evaluated, timeout=5000):
        controller.set_field(ids["w"], "value", [2.0])
    assert submitted == []
    # had the last evaluation taken a second a node, the edit would go to the worker thread
    controller.scheduler.seconds_per_node = 1.0
    with qtbot.waitSignal(controller.evaluated, timeout=5000):
        controller.set_field(ids["w"], "value", [3.0])
    assert len(submitted) == 1
    assert controller.result.nodes[ids["y"]].value.tolist() == [(3.0 + 2.0) * (3.0 + 1.0)]


def test_the_worker_sees_a_copy_that_later_edits_do_not_reach(qtbot):
    controller = DocumentController()
    ids = build_lesson(controller)
    clone = clone_for_evaluation(controller.document)
    before = clone.snapshot()
    controller.set_field(ids["w"], "value", [7.0])
    controller.set_param(ids["a"], "alpha", 3.0)
    controller.disconnect(ids["y"], 1)
    controller.set_output(None)
    new_id = controller.add_node("exp", (900, 0))
    controller.connect(ids["y"], new_id, 0)
    after = clone.snapshot()
    assert after == before
    assert clone.topological_order() == [n for n in before["nodes"]]
    assert clone.input_table()[ids["y"]] == [ids["a"], ids["b"]]
    assert evaluate_document(clone).nodes[ids["w"]].grad.tolist() == [5.0]
    assert after["nodes"][ids["w"]]["value"] == [1.0]
    assert after["nodes"][ids["a"]]["params"] == {}
    assert after["output"] == ids["y"]
    assert len(after["edges"]) == 6
    assert after["notes"] == {}


def test_memory_stays_flat_over_1000_value_edits(qtbot):
    """1,000 edits of w on the lesson graph, each evaluated and shown on the canvas.

    The undo stack keeps every command by design, so it is capped at 50 commands here: from the
    50th edit on, each new command pushes the oldest out, and anything still growing between the
    100th and the 1,000th edit is a leak (old autograd graphs, results, card texts).
    """
    controller = DocumentController()
    controller.undo_stack.setUndoLimit(50)
    scene = GraphScene(controller)
    ids = build_lesson(controller)
    controller.evaluate_now()

    def edit(step: int) -> None:
        controller.set_field(ids["w"], "value", [float(step % 7)])
        controller.evaluate_now()
        scene.nodes[ids["y"]].value_text()  # format the card texts, as painting does

    tracemalloc.start()
    try:
        for step in range(1, 101):
            edit(step)
        gc.collect()
        after_100 = tracemalloc.get_traced_memory()[0]
        for step in range(101, 1001):
            edit(step)
        gc.collect()
        after_1000 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert controller.undo_stack.count() == 50
    # 900 more edits: a leak of even one small object per edit would exceed this
    assert after_1000 - after_100 < 32 * 1024, (after_100, after_1000)
    y = controller.result.nodes[ids["y"]]
    assert y.value.tolist() == [(2.0 + 1000 % 7) * (1000 % 7 + 1.0)]
