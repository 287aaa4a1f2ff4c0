"""Nothing is lost when the app is killed: the real window (``run_window``, as ``python main.py
FILE`` opens it, in a child process: tests/window_driver.py), killed with SIGKILL while a user
edits non-stop, while it trains, and right after it restored a crashed session's work. The swap
file the next start offers is never more than 5 s behind the moment of the kill."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.autosave import Recoverable, find_recoverable, recover
from app.fileio import load_document

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "window_driver.py"
EXAMPLES = ROOT / "resources" / "examples"
#: The promise: at most this many seconds of work are lost, however continuous the editing.
MAX_LOSS_S = 5.0

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="SIGKILL and XDG folders: Linux")


class Child:
    """The driver in a child process, with its own settings and autosave folders under ``home``."""

    def __init__(self, scenario: str, document: Path, home: Path) -> None:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(home / "data"),
               "XDG_CONFIG_HOME": str(home / "config")}
        self.process = subprocess.Popen(
            [sys.executable, str(DRIVER), scenario, str(document)], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.folder = Path(self.expect("AUTOSAVE"))
        self.expect("READY")

    def line(self) -> str:
        assert self.process.stdout is not None
        text = self.process.stdout.readline()
        assert text, f"the driver ended (exit code {self.process.poll()})"
        return text.rstrip("\n")

    def expect(self, word: str) -> str:
        """The rest of the next line, which must start with ``word``."""
        head, _, rest = self.line().partition(" ")
        assert head == word, (head, rest)
        return rest

    def kill(self) -> float:
        """SIGKILL, no clean-up of any kind in the child; returns the time of the kill."""
        self.process.kill()
        killed = time.time()
        self.process.wait(timeout=30)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return killed


def only_swap(folder: Path) -> Recoverable:
    found = find_recoverable(folder)
    assert len(found) == 1, found
    return found[0]


def edit_then_kill(home: Path, seconds: float) -> tuple[dict[int, float], float, Recoverable]:
    """Edit w every 200 ms for ``seconds``, then kill: (time of each edit, kill time, swap)."""
    child = Child("edit", EXAMPLES / "lesson.cgraph", home)
    edits: dict[int, float] = {}
    end = time.time() + seconds
    while time.time() < end:
        step, at = child.expect("EDIT").split()
        edits[int(step)] = float(at)
    killed = child.kill()
    return edits, killed, only_swap(child.folder)


def test_continuous_editing_is_autosaved_at_most_5_s_behind(tmp_path: Path) -> None:
    edits, killed, swap = edit_then_kill(tmp_path, 12.0)
    assert len(edits) >= 20  # an edit every 200 ms, never a pause the debounce could use
    saved = recover(swap).node("w").value
    assert saved in ([float(step)] for step in edits), saved
    lost = [at for step, at in edits.items() if step > saved[0]]
    assert all(killed - at <= MAX_LOSS_S for at in lost), (killed, saved, lost)
    assert killed - swap.saved_at <= MAX_LOSS_S


def test_a_training_run_is_autosaved_while_it_runs(tmp_path: Path) -> None:
    document = EXAMPLES / "linear_regression.cgraph"
    child = Child("train", document, tmp_path)
    end = time.time() + 8.0
    while time.time() < end:
        _now, last_change = map(float, child.expect("TRAIN").split())
    killed = child.kill()
    swap = only_swap(child.folder)
    # every change older than 5 s is in the swap file (a run that converged changes nothing)
    assert swap.saved_at >= min(killed - MAX_LOSS_S, last_change), (killed, last_change, swap)
    trained = recover(swap)
    before = load_document(document)
    assert trained.node("w").value != before.node("w").value
    assert trained.node("b").value != before.node("b").value


def test_a_restored_document_survives_a_second_crash_at_once(tmp_path: Path) -> None:
    edits, _killed, swap = edit_then_kill(tmp_path, 6.0)
    crashed = recover(swap).node("w").value
    assert crashed != load_document(EXAMPLES / "lesson.cgraph").node("w").value

    # the next start restores it, and is killed straight away, before any edit
    second = Child("restore", EXAMPLES / "lesson.cgraph", tmp_path)
    assert json.loads(second.expect("RESTORED")) == crashed
    second.kill()

    third = Child("restore", EXAMPLES / "lesson.cgraph", tmp_path)
    assert json.loads(third.expect("RESTORED")) == crashed
    third.kill()
