"""Process-wide tuning (app/runtime.py): nothing on import, set explicitly, one collector policy."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app import runtime
from app.runtime import CollectorPolicy

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def policy() -> CollectorPolicy:
    policy = CollectorPolicy()
    yield policy
    assert not policy.held, "a test left the collector held"
    assert gc.isenabled()


def test_importing_the_app_tunes_nothing() -> None:
    # a fresh interpreter: the window's modules import, and the collector is as Python set it
    code = ("import gc, app.runtime, app.ui.mainwindow, app.cli; "
            "assert gc.isenabled() and not app.runtime.collector.defer; print('untouched')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert done.stdout.strip() == "untouched", done.stderr


def test_configure_defers_collection_only_for_the_window() -> None:
    runtime.configure(interactive=False)
    assert not runtime.collector.defer
    runtime.configure(interactive=True)
    assert runtime.collector.defer  # conftest puts it back after the test


def test_the_window_switches_threads_every_millisecond() -> None:
    """While the worker evaluates, a GUI callback waits up to one switch interval for the
    interpreter: Python's 5 ms made the Code tab's stalls at 5,000 nodes twice as long."""
    before = sys.getswitchinterval()
    runtime.configure(interactive=False)
    assert sys.getswitchinterval() == before
    runtime.configure(interactive=True)
    assert sys.getswitchinterval() == pytest.approx(runtime.WINDOW_SWITCH_INTERVAL) == 0.001


def test_without_deferral_a_hold_changes_nothing(policy) -> None:
    policy.hold()
    assert gc.isenabled() and policy.held
    policy.release()
    assert not policy.held


def test_holds_nest_and_the_last_release_collects(policy, monkeypatch) -> None:
    policy.defer = True
    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation) or 0)
    policy.hold()
    policy.hold()
    assert not gc.isenabled()
    policy.release()
    assert not gc.isenabled() and collected == []
    policy.release()
    assert gc.isenabled()
    assert len(collected) == 1 and collected[0] in (0, 1, 2)
    with pytest.raises(RuntimeError, match="release"):
        policy.release()


def test_a_hold_from_another_thread_keeps_collection_off(policy) -> None:
    policy.defer = True
    inside, leave = threading.Event(), threading.Event()

    def worker() -> None:
        with policy.paused():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    policy.hold()
    leave.set()
    thread.join(5)
    assert not gc.isenabled()  # the GUI's hold outlives the worker's
    policy.release()
    assert gc.isenabled()


def test_a_collector_paused_by_someone_else_is_left_alone(policy) -> None:
    policy.defer = True
    gc.disable()
    try:
        policy.hold()
        policy.release()
        assert not gc.isenabled()
    finally:
        gc.enable()


# ---------------------------------------------------------------- the GUI thread goes first
@contextmanager
def _stepping(gate: runtime.GuiFirst) -> Iterator[list[float]]:
    """A background thread, for the ``with`` block, that steps aside between steps; yields the
    times its steps ran."""
    steps: list[float] = []
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            gate.step_aside()
            steps.append(time.perf_counter())
            time.sleep(0.0005)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield steps
    finally:
        stop.set()
        thread.join()


def test_background_threads_step_aside_while_the_gui_thread_is_busy() -> None:
    """PySide lets go of the interpreter around every Qt call, and a busy Python thread takes
    it each time: the window's bursts (an edit, a result shown, a repaint) must not share it."""
    gate = runtime.GuiFirst()
    gate.enabled = True
    with _stepping(gate) as steps:
        time.sleep(0.02)
        with gate.busy():
            time.sleep(0.01)  # the step that was under way when the burst began ends
            start = time.perf_counter()
            time.sleep(0.05)
            end = time.perf_counter()
        time.sleep(0.02)
    assert not [t for t in steps if start <= t <= end], "a step ran during the burst"
    assert [t for t in steps if t > end], "the background did not go on after the burst"


def test_a_long_burst_holds_the_background_up_for_max_wait_at_most(monkeypatch) -> None:
    gate = runtime.GuiFirst()
    gate.enabled = True
    monkeypatch.setattr(gate, "MAX_WAIT", 0.03)
    with _stepping(gate) as steps, gate.busy():
        start = time.perf_counter()
        time.sleep(0.15)
    during = [t - start for t in steps if t >= start]
    assert during and during[0] < 0.12  # went on beside the burst after waiting once


def test_while_the_gui_thread_waits_for_the_background_it_runs() -> None:
    gate = runtime.GuiFirst()
    gate.enabled = True
    with _stepping(gate) as steps, gate.busy():
        time.sleep(0.01)
        with gate.waiting():
            start = time.perf_counter()
            time.sleep(0.03)
            end = time.perf_counter()
        time.sleep(0.005)
        after = time.perf_counter()
        time.sleep(0.03)
        closed = time.perf_counter()
    assert [t for t in steps if start <= t <= end]
    assert not [t for t in steps if after <= t <= closed]


def test_off_and_in_the_gui_thread_stepping_aside_never_waits() -> None:
    gate = runtime.GuiFirst()  # off, as for the command line and tests without a window
    with _stepping(gate) as steps, gate.busy():
        start = time.perf_counter()
        time.sleep(0.03)
        end = time.perf_counter()
    assert [t for t in steps if start <= t <= end]
    gate.enabled = True
    with gate.busy():
        began = time.perf_counter()
        gate.step_aside()  # the GUI thread itself
        assert time.perf_counter() - began < 0.01


def test_background_jobs_take_turns() -> None:
    """Beside two busy Python threads a 5 ms timer waited up to twice as long as beside one:
    the window's background jobs run one at a time."""
    gate = runtime.GuiFirst()
    gate.enabled = True
    spans: list[tuple[float, float]] = []

    def job() -> None:
        with gate.turn():
            start = time.perf_counter()
            time.sleep(0.02)
            spans.append((start, time.perf_counter()))

    threads = [threading.Thread(target=job) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spans.sort()
    assert len(spans) == 3
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), spans


def test_the_window_turns_the_gate_on() -> None:
    runtime.configure(interactive=False)
    assert not runtime.gui_first.enabled
    runtime.configure(interactive=True)
    assert runtime.gui_first.enabled  # conftest puts it back after the test


def test_a_background_evaluation_steps_aside_at_each_node(monkeypatch) -> None:
    """BackgroundEvaluator asks its outdated() callback before each node; in the window that
    callback waits while the GUI thread is busy."""
    from app.evaluate.worker import BackgroundEvaluator

    monkeypatch.setattr(runtime.gui_first, "enabled", True)
    asked: list[float] = []

    def evaluate(_doc: object, outdated) -> str:
        end = time.perf_counter() + 0.15
        while time.perf_counter() < end:
            outdated()
            asked.append(time.perf_counter())
            time.sleep(0.0005)
        return "done"

    evaluator = BackgroundEvaluator(evaluate)
    evaluator.submit(object(), 1)
    time.sleep(0.02)
    with runtime.gui_first.busy():
        time.sleep(0.01)
        start = time.perf_counter()
        time.sleep(0.04)
        end = time.perf_counter()
    while evaluator.take_result() is None:
        time.sleep(0.005)
    assert not [t for t in asked if start <= t <= end]
    assert [t for t in asked if t > end]


def test_freezing_a_shown_result_takes_it_out_of_the_collectors_sight(policy) -> None:
    """A large result lives until the next one; once shown it is frozen (no walk at all), and
    the next evaluation's collection of young objects walks only what came after it."""
    policy.freeze_new()  # not settled: nothing happens
    assert gc.get_freeze_count() == 0
    policy.defer = True
    policy.settle()
    try:
        before = gc.get_freeze_count()
        result = [[index] for index in range(5000)]  # tracked objects, like a result's
        policy.freeze_new()
        assert gc.get_freeze_count() >= before + 5000
        walked: list[int] = []

        def record(phase: str, info: dict) -> None:
            if phase == "stop":
                walked.append(info["collected"])

        garbage = [[]]
        garbage[0].append(garbage)  # a cycle made by an edit after the result was shown
        del garbage
        gc.callbacks.append(record)
        try:
            policy.collect_young()
        finally:
            gc.callbacks.remove(record)
        assert walked and walked[0] >= 2  # the edit's cycle is collected
        assert result[4999] == [4999]
    finally:
        policy.unsettle()
        policy.defer = False


def test_an_urgent_job_takes_the_turn_at_the_next_step_of_the_others() -> None:
    """The evaluation (the user waits for its numbers) does not wait behind the Code dock's
    script or a clean-up: they hand it the turn at their next step and go on after it."""
    gate = runtime.GuiFirst()
    gate.enabled = True
    events: list[str] = []
    started = threading.Event()

    def slow_job() -> None:
        with gate.turn():
            started.set()
            for _ in range(40):
                gate.step_aside()
                events.append("slow")
                time.sleep(0.002)

    def urgent_job() -> None:
        with gate.turn(urgent=True):
            events.append("urgent begins")
            time.sleep(0.01)
            events.append("urgent ends")

    slow = threading.Thread(target=slow_job)
    slow.start()
    started.wait(1.0)
    time.sleep(0.01)
    urgent = threading.Thread(target=urgent_job)
    urgent.start()
    slow.join()
    urgent.join()
    begins, ends = events.index("urgent begins"), events.index("urgent ends")
    assert ends == begins + 1  # nothing of the slow job ran inside the urgent one
    assert 0 < begins < len(events) - 2  # it came while the slow job was under way
    assert events.count("slow") == 40


def test_a_job_within_a_job_keeps_its_turn() -> None:
    gate = runtime.GuiFirst()
    gate.enabled = True
    done = threading.Event()

    def job() -> None:
        with gate.turn(), gate.turn(urgent=True):
            done.set()

    thread = threading.Thread(target=job)
    thread.start()
    thread.join(2.0)
    assert done.is_set() and not thread.is_alive()
    with gate.turn():  # and the turn was given back
        pass
