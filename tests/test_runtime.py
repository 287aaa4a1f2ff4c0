"""Process-wide tuning (app/runtime.py): nothing on import, set explicitly, one collector policy."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
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
