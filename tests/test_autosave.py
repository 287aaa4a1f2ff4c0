"""Tests of app.autosave: debounced swap files, clearing them, and recovery after a real crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.autosave import (
    Autosaver,
    Recoverable,
    default_directory,
    discard,
    find_recoverable,
    pid_alive,
    recover,
)
from app.fileio import FileFormatError, dumps_document, load_document, save_document

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "resources" / "examples" / "lesson.cgraph"
DELAY_MS = 100


@pytest.fixture
def saver(qtbot: QtBot, tmp_path: Path) -> Iterator[Autosaver]:
    autosaver = Autosaver(load_document(LESSON), lambda: str(LESSON), tmp_path / "swap",
                          delay_ms=DELAY_MS)
    yield autosaver
    autosaver.clear()


def dead_pid() -> int:
    """The pid of a process that has just ended (and been reaped)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    return int(child.stdout)


def write_swap(folder: Path, name: str, pid: int, saved_at: float, source: str | None,
               session: str = "old") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    save_document(load_document(LESSON), folder / f"{name}.cgraph")
    (folder / f"{name}.json").write_text(json.dumps({
        "swap": f"{name}.cgraph", "source": source, "saved_at": saved_at, "pid": pid,
        "session": session}))


# ------------------------------------------------------------------ writing
def test_a_burst_of_edits_is_written_once_after_the_delay(qtbot: QtBot, saver: Autosaver) -> None:
    writes: list[str] = []
    saver.saved.connect(writes.append)
    with qtbot.waitSignal(saver.saved, timeout=3000):
        for value in ([2.0], [3.0], [4.0]):
            saver.document.set_field("w", "value", value)
            assert not saver.swap_path.exists()
        last_edit = time.monotonic()
    # counted from the last edit; Qt's coarse timers may fire up to 5 % early
    assert time.monotonic() - last_edit >= 0.9 * DELAY_MS / 1000
    qtbot.wait(3 * DELAY_MS)
    assert writes == [str(saver.swap_path)]

    assert load_document(saver.swap_path).node("w").value == [4.0]
    assert saver.swap_path.read_text("utf-8") == dumps_document(saver.document)
    sidecar = json.loads(saver.sidecar_path.read_text("utf-8"))
    assert sidecar["source"] == str(LESSON)
    assert sidecar["pid"] == os.getpid()
    assert sidecar["swap"] == saver.swap_path.name
    assert abs(sidecar["saved_at"] - time.time()) < 10
    assert saver.swap_path.name == f"autosave-{os.getpid()}-{saver.session}.cgraph"


def test_continuous_edits_are_written_by_the_deadline(qtbot: QtBot, tmp_path: Path) -> None:
    """An edit every 20 ms never pauses for the 100 ms debounce; the 300 ms deadline writes."""
    saver = Autosaver(load_document(LESSON), lambda: None, tmp_path / "swap", delay_ms=100,
                      max_wait_ms=300)
    writes: list[float] = []
    saver.saved.connect(lambda _path: writes.append(time.monotonic()))
    start = time.monotonic()
    step = 0
    while time.monotonic() - start < 1.5:
        step += 1
        saver.document.set_field("w", "value", [float(step)])
        qtbot.wait(20)
    assert len(writes) >= 3
    assert writes[0] - start < 1.0  # a generous bound: Qt timers on a busy machine run late
    written = load_document(saver.swap_path).node("w").value[0]
    assert 1 <= written <= step
    saver.clear()


def test_the_file_is_written_in_another_thread_and_clear_waits_for_it(
        qtbot: QtBot, saver: Autosaver, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    write = Autosaver._write

    def slow_write(self: Autosaver, document: object, sidecar: dict) -> None:
        threads.append(threading.current_thread().name)
        time.sleep(0.3)
        write(self, document, sidecar)

    monkeypatch.setattr(Autosaver, "_write", slow_write)
    saver.document.set_field("w", "value", [2.0])
    saver.write_soon()
    assert saver.pending
    saver.document.set_field("w", "value", [3.0])  # while the write runs: the next one follows
    qtbot.waitUntil(lambda: not saver.pending, timeout=5000)
    assert load_document(saver.swap_path).node("w").value == [3.0]
    assert threads and threading.main_thread().name not in threads

    saver.document.set_field("w", "value", [4.0])
    saver.write_soon()
    saver.clear()  # a write finishing after the deletion would leave a stale swap file
    qtbot.wait(400)
    assert not saver.swap_path.exists() and not saver.sidecar_path.exists()


def test_no_change_no_swap_file(qtbot: QtBot, saver: Autosaver) -> None:
    qtbot.wait(3 * DELAY_MS)
    assert not saver.pending
    assert not saver.directory.exists()


def test_clear_deletes_the_files_and_cancels_a_pending_write(qtbot: QtBot,
                                                             saver: Autosaver) -> None:
    saver.document.set_field("x", "value", [5.0])
    assert saver.write_now()
    assert saver.swap_path.exists() and saver.sidecar_path.exists()
    saver.document.set_field("x", "value", [6.0])
    assert saver.pending
    saver.clear()
    assert not saver.pending
    qtbot.wait(3 * DELAY_MS)
    assert list(saver.directory.iterdir()) == []


def test_a_failing_write_is_a_message_not_a_crash(qtbot: QtBot, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the autosave folder should be")
    saver = Autosaver(load_document(LESSON), lambda: None, blocker / "swap", delay_ms=DELAY_MS)
    with qtbot.waitSignal(saver.failed, timeout=3000) as failed:
        saver.document.set_field("w", "value", [9.0])
    assert failed.args[0].startswith("Autosave failed: ")
    assert "\n" not in failed.args[0]
    assert blocker.read_text() == "a file where the autosave folder should be"


def test_another_document_is_watched_after_new_or_open(qtbot: QtBot, saver: Autosaver) -> None:
    old = saver.document
    old.set_field("w", "value", [7.0])
    assert saver.write_now()
    new = load_document(LESSON)
    saver.set_document(new)
    assert not saver.swap_path.exists()
    old.set_field("w", "value", [8.0])
    assert not saver.pending
    with qtbot.waitSignal(saver.saved, timeout=3000):
        new.set_field("x", "value", [-1.0])
    assert load_document(saver.swap_path).node("x").value == [-1.0]


# ------------------------------------------------------------------ finding and recovering
def test_the_swap_file_of_a_running_writer_is_not_offered(saver: Autosaver) -> None:
    saver.document.set_field("w", "value", [2.0])
    assert saver.write_now()
    assert find_recoverable(saver.directory) == []


def test_swap_files_of_dead_writers_are_offered_newest_first(tmp_path: Path) -> None:
    pid = dead_pid()
    assert not pid_alive(pid)
    write_swap(tmp_path, "autosave-1-older", pid, 1000.0, "/lessons/a.cgraph")
    write_swap(tmp_path, "autosave-2-newer", pid, 2000.0, None)
    # an earlier process with our own pid (pids repeat in containers) left this one
    write_swap(tmp_path, "autosave-3-samepid", os.getpid(), 1500.0, "/b.cgraph")

    (tmp_path / ".autosave-2-newer.cgraph.x1y2z3.tmp").write_text('{"form')  # a killed write
    (tmp_path / ".autosave-2-newer.json.tmp").write_text("{")

    found = find_recoverable(tmp_path)

    assert found == [
        Recoverable(tmp_path / "autosave-2-newer.cgraph", tmp_path / "autosave-2-newer.json",
                    None, 2000.0, pid),
        Recoverable(tmp_path / "autosave-3-samepid.cgraph",
                    tmp_path / "autosave-3-samepid.json", "/b.cgraph", 1500.0, os.getpid()),
        Recoverable(tmp_path / "autosave-1-older.cgraph", tmp_path / "autosave-1-older.json",
                    "/lessons/a.cgraph", 1000.0, pid),
    ]
    assert recover(found[0]).snapshot() == load_document(LESSON).snapshot()
    discard(found[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "autosave-1-older.cgraph", "autosave-1-older.json",
        "autosave-3-samepid.cgraph", "autosave-3-samepid.json"]


def test_broken_sidecars_are_skipped_and_a_broken_swap_is_refused(tmp_path: Path) -> None:
    pid = dead_pid()
    write_swap(tmp_path, "autosave-1-noswap", pid, 1.0, None)
    (tmp_path / "autosave-1-noswap.cgraph").unlink()
    write_swap(tmp_path, "autosave-2-badjson", pid, 1.0, None)
    (tmp_path / "autosave-2-badjson.json").write_bytes(b"{\xff")
    write_swap(tmp_path, "autosave-3-nopid", pid, 1.0, None)
    (tmp_path / "autosave-3-nopid.json").write_text('{"saved_at": 1.0, "source": null}')
    write_swap(tmp_path, "autosave-4-truncated", pid, 1.0, None)
    (tmp_path / "autosave-4-truncated.cgraph").write_text('{"format": "cgstudio.gr')

    found = find_recoverable(tmp_path)

    assert [item.swap_path.name for item in found] == ["autosave-4-truncated.cgraph"]
    with pytest.raises(FileFormatError, match="invalid JSON at line 1"):
        recover(found[0])


def test_no_folder_nothing_to_recover(tmp_path: Path) -> None:
    assert find_recoverable(tmp_path / "never-created") == []


def test_pid_alive_knows_this_process_and_refuses_nonsense() -> None:
    assert pid_alive(os.getpid())
    assert not pid_alive(0)
    assert not pid_alive(-5)


def test_default_directory_is_autosave_under_app_data() -> None:
    folder = default_directory()
    assert folder.name == "autosave"
    assert folder.is_absolute()


# ------------------------------------------------------------------ a real crash
#: The child: load the lesson, autosave it with a short delay, edit w, wait for the swap file.
CRASHER = """
import sys
from PySide6.QtCore import QCoreApplication
from app.autosave import Autosaver
from app.fileio import load_document

app = QCoreApplication([])
lesson, folder = sys.argv[1:]
document = load_document(lesson)
saver = Autosaver(document, lambda: lesson, folder, delay_ms=200)
saver.saved.connect(lambda path: print("READY", flush=True))
saver.failed.connect(lambda message: print(message, flush=True))
document.set_field("w", "value", [3.0])
app.exec()
"""


def test_a_killed_app_leaves_a_swap_file_that_recovers_the_edit(tmp_path: Path) -> None:
    folder = tmp_path / "autosave"
    child = subprocess.Popen([sys.executable, "-c", CRASHER, str(LESSON), str(folder)],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "READY\n"
        assert find_recoverable(folder) == []  # the app is still running
    finally:
        child.kill()  # SIGKILL: no Python code, no clean-up runs in the child
        child.wait(timeout=30)
        assert child.stdout is not None
        child.stdout.close()

    found = find_recoverable(folder)

    assert len(found) == 1
    item = found[0]
    assert (item.source_path, item.pid) == (str(LESSON), child.pid)
    assert abs(item.saved_at - time.time()) < 60
    expected = load_document(LESSON)
    expected.set_field("w", "value", [3.0])
    assert recover(item).snapshot() == expected.snapshot()
    assert recover(item).snapshot()["nodes"]["w"]["value"] == [3.0]
    discard(item)
    assert list(folder.iterdir()) == []
