"""EvaluationScheduler (app/scheduler.py): which edits re-evaluate, where, and the idle clean-up."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from app import runtime
from app.model import GraphDocument, Node
from app.scheduler import EvaluationScheduler


def lesson() -> GraphDocument:
    """y = (x + w) * (w + 1) with w = 1, x = 2."""
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", "w", value=[1.0], requires_grad=True))
    doc.add_node(Node("x", "tensor", "x", value=[2.0], requires_grad=True))
    doc.add_node(Node("one", "scalar", "1", value=1))
    for node_id, op in (("a", "add"), ("b", "add"), ("y", "mul")):
        doc.add_node(Node(node_id, op, node_id))
    doc.connect_many([("w", "a", 0), ("x", "a", 1), ("w", "b", 0), ("one", "b", 1),
                      ("a", "y", 0), ("b", "y", 1)])
    doc.set_output("y")
    return doc


def chain(n_nodes: int) -> GraphDocument:
    """Leaves w and x, then adds, each of the one before it and w."""
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", "w", value=[1.0], requires_grad=True))
    doc.add_node(Node("x", "tensor", "x", value=[2.0], requires_grad=True))
    previous, wires = "x", []
    for index in range(n_nodes - 2):
        doc.add_node(Node(f"a{index}", "add", f"a{index}"))
        wires += [(previous, f"a{index}", 0), ("w", f"a{index}", 1)]
        previous = f"a{index}"
    doc.connect_many(wires)
    doc.set_output(previous)
    return doc


def background_scheduler(qtbot, monkeypatch) -> EvaluationScheduler:
    """A 1,500-node chain whose every edit goes to the worker, as in the window (the collector
    deferred), its first result shown and what it left freed."""
    monkeypatch.setattr(runtime.collector, "defer", True)
    scheduler = EvaluationScheduler(chain(1500))
    scheduler.sync_budget = 0.0  # every edit to the worker
    with qtbot.waitSignal(scheduler.evaluated, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: not scheduler.leftovers.pending, timeout=5000)
    return scheduler


@pytest.fixture
def scheduler(qtbot) -> Iterator[EvaluationScheduler]:
    scheduler = EvaluationScheduler(lesson())
    with qtbot.waitSignal(scheduler.evaluated, timeout=3000):
        pass  # the first evaluation, scheduled on creation
    # what it leaves is freed in the clean-up thread: a hold of the collector taken before a
    # test sets runtime.collector.defer would keep collection on for that test
    qtbot.waitUntil(lambda: not scheduler.leftovers.pending, timeout=3000)
    yield scheduler
    qtbot.waitUntil(lambda: not scheduler.leftovers.pending, timeout=3000)


def test_the_first_result_is_the_lesson(scheduler) -> None:
    assert scheduler.result.nodes["w"].grad.tolist() == [5.0]
    assert not scheduler.pending


def test_edits_of_numbers_re_evaluate_and_moves_and_renames_do_not(scheduler, qtbot) -> None:
    doc = scheduler.document
    doc.move_node("w", (50.0, 60.0))
    doc.set_field("w", "label", "weight")
    assert not scheduler.pending
    doc.set_field("w", "value", [2.0])
    assert scheduler.pending
    with qtbot.waitSignal(scheduler.evaluated, timeout=3000) as blocker:
        pass
    assert blocker.args[0].nodes["y"].value.tolist() == [12.0]  # (2 + 2) * (2 + 1)
    assert scheduler.result is blocker.args[0] and not scheduler.pending


def test_a_slow_graph_goes_to_the_worker_and_its_result_is_shown(scheduler, qtbot) -> None:
    submitted: list[int] = []
    submit = scheduler.background.submit
    scheduler.background.submit = lambda doc, generation: (submitted.append(generation),
                                                           submit(doc, generation))
    scheduler.seconds_per_node = 1.0  # as if the last evaluation took a second a node
    with qtbot.waitSignal(scheduler.evaluated, timeout=10_000) as blocker:
        scheduler.document.set_field("x", "value", [3.0])
    assert len(submitted) == 1
    assert blocker.args[0].nodes["y"].value.tolist() == [8.0]  # (3 + 1) * (1 + 1)
    qtbot.waitUntil(lambda: not scheduler.background.busy, timeout=3000)


def test_a_new_document_starts_without_a_result(scheduler, qtbot) -> None:
    old = scheduler.document
    other = GraphDocument()
    other.add_node(Node("t", "tensor", "t", value=[4.0]))
    scheduler.set_document(other)
    assert scheduler.result is None and scheduler.pending
    with qtbot.waitSignal(scheduler.evaluated, timeout=3000) as blocker:
        pass
    assert list(blocker.args[0].nodes) == ["t"]
    old.set_field("w", "value", [9.0])
    assert not scheduler.pending  # the old document is no longer watched


def test_an_engine_failure_is_a_message_and_an_empty_result(scheduler, monkeypatch) -> None:
    def broken(_doc, **_options):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr("app.scheduler.evaluate_document", broken)
    failures: list[str] = []
    scheduler.failed.connect(failures.append)
    result = scheduler.evaluate_now()
    assert failures == ["Evaluation failed: engine exploded"]
    assert result.nodes == {} and result.output == "y"


def test_in_the_window_the_collector_waits_for_idle_time(scheduler, qtbot, monkeypatch) -> None:
    monkeypatch.setattr(runtime.collector, "defer", True)
    old = scheduler.result
    scheduler.evaluate_now()
    # between the edit and the repaint: no collection, and the old result still alive
    assert not gc.isenabled()
    assert any(item is old for item in scheduler.leftovers.items)
    qtbot.waitUntil(lambda: not scheduler.leftovers.pending, timeout=3000)
    assert gc.isenabled() and scheduler.leftovers.items == []
    assert not runtime.collector.held


def test_what_an_evaluation_leaves_is_freed_in_the_clean_up_thread_even_without_its_scheduler(
        qtbot, monkeypatch) -> None:
    """Freeing a 5,000-node evaluation takes tens of milliseconds: not on the GUI thread, and
    the collector is released even if the scheduler is deleted meanwhile."""
    monkeypatch.setattr(runtime.collector, "defer", True)
    scheduler = EvaluationScheduler(lesson())
    with qtbot.waitSignal(scheduler.evaluated, timeout=3000):
        pass
    freed_in: list[str] = []

    class Marker:
        def __del__(self) -> None:
            freed_in.append(threading.current_thread().name)

    scheduler.leftovers.keep(Marker())
    scheduler.evaluate_now()
    leftovers = scheduler.leftovers
    scheduler.deleteLater()
    del scheduler
    qtbot.waitUntil(lambda: not leftovers.pending, timeout=3000)
    assert freed_in == ["cgstudio-cleanup_0"]
    assert gc.isenabled() and not runtime.collector.held


def test_without_idle_time_only_the_last_leftovers_are_kept(scheduler) -> None:
    for value in range(10):
        scheduler.document.set_field("w", "value", [float(value)])
        scheduler.evaluate_now()
    assert len(scheduler.leftovers.items) <= scheduler.leftovers.KEEP


def test_in_the_window_a_background_evaluation_leaves_the_collection_to_idle_time(
        qtbot, monkeypatch) -> None:
    """The worker's allocations are not collected in the worker thread when it ends (a walk of
    all that is still alive, 100 ms at 5,000 nodes, the GUI waiting for the interpreter lock),
    but on the GUI thread once the result is shown and the previous one freed (in the clean-up
    thread)."""
    scheduler = background_scheduler(qtbot, monkeypatch)
    collections: list[str] = []

    def record(phase: str, _info: dict) -> None:
        if phase == "start":
            collections.append(threading.current_thread().name)

    gc.callbacks.append(record)
    try:
        for value in (2.0, 3.0):
            scheduler.document.set_field("w", "value", [value])
            with qtbot.waitSignal(scheduler.evaluated, timeout=30_000):
                pass
            qtbot.waitUntil(lambda: not scheduler.leftovers.pending
                            and not scheduler.background.busy, timeout=3000)
    finally:
        gc.callbacks.remove(record)
    assert collections and set(collections) == {threading.main_thread().name}
    assert gc.isenabled() and not runtime.collector.held
    assert scheduler.result.nodes["w"].grad is not None


def test_in_the_window_a_new_documents_canvas_is_frozen_out_of_the_collectors_sight(
        qtbot, monkeypatch) -> None:
    """Once a document's first numbers are shown, what is alive is frozen (gc.freeze), so the
    full collections of later edits walk only what edits make; the next document unfreezes it."""
    monkeypatch.setattr(runtime.collector, "defer", True)
    scheduler = EvaluationScheduler(lesson())
    with qtbot.waitSignal(scheduler.evaluated, timeout=3000):
        pass
    qtbot.waitUntil(lambda: not scheduler.leftovers.pending, timeout=3000)
    scheduler.set_document(chain(300))
    assert gc.get_freeze_count() == 0
    with qtbot.waitSignal(scheduler.evaluated, timeout=3000):
        pass
    qtbot.waitUntil(lambda: not scheduler.leftovers.pending, timeout=3000)
    frozen = gc.get_freeze_count()
    assert frozen > 300
    assert not any(obj is scheduler.document for obj in gc.get_objects())
    scheduler.set_document(lesson())
    assert gc.get_freeze_count() == 0


def test_the_clean_up_frees_a_long_dict_item_by_item_but_never_one_still_held() -> None:
    """One dict of 5,000 results freed at once is one cascade of deallocations the GUI thread
    waits for; item by item, last first (a graph's output end first), the clean-up thread can
    step aside between items. A dict something else still holds is left as it is."""
    from app.scheduler import _let_go_piece_by_piece

    freed: list[int] = []

    class Probe:
        def __init__(self, index: int) -> None:
            self.index = index

        def __del__(self) -> None:
            freed.append(self.index)

    held = {index: [index] for index in range(500)}
    garbage = {index: Probe(index) for index in range(200)}
    items: list = [(garbage, held)]
    del garbage
    _let_go_piece_by_piece(items)
    assert freed == list(range(199, -1, -1))
    assert len(held) == 500 and held[499] == [499]


def test_an_evaluation_leaves_no_reference_cycles() -> None:
    """What the window freezes out of the collector's sight once shown (a background result,
    the engine's graph) must be freed by reference counting alone, or each edit would leave
    garbage nothing collects (runtime.collector.freeze_new)."""
    from app.evaluate import evaluate_document

    doc = chain(300)
    doc.add_node(Node("e", "exp", "e"))
    doc.connect("a297", "e", 0)
    doc.set_field("a10", "retain_grad", True)
    doc.set_output("e")
    gc.collect()
    gc.disable()
    try:
        kept: list = []
        result = evaluate_document(doc, retire=kept.append)
        assert result.nodes["w"].grad is not None and kept
        del result, kept
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_in_the_window_shown_background_results_are_frozen_and_leave_nothing(
        qtbot, monkeypatch) -> None:
    """Each background result is frozen as it is shown; the frozen objects stay as many as one
    result's, edit after edit, cancelled evaluations included."""
    scheduler = background_scheduler(qtbot, monkeypatch)

    def edits(first: float) -> int:
        for step in range(12):
            scheduler.document.set_field("w", "value", [first + step])
            if step % 3 == 2:  # the others are outdated by the next edit before they end
                qtbot.waitUntil(lambda: not scheduler.pending, timeout=30_000)
        qtbot.waitUntil(lambda: not scheduler.pending and not scheduler.leftovers.pending
                        and not scheduler.background.busy, timeout=30_000)
        return gc.get_freeze_count()

    try:
        edits(1.0)
        settled = edits(20.0)
        assert settled > 5000  # one result (and the scheduler) frozen, not walked
        assert abs(edits(40.0) - settled) < 100
        assert scheduler.result.nodes["w"].grad is not None
    finally:
        runtime.collector.unsettle()
