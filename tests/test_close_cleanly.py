"""Closing the window while something runs on a timer or a thread prints nothing: the real window
(``run_window`` in a child process, tests/window_driver.py) is closed during a training run, the
walkthrough's Play, and an evaluation in the worker thread with an autosave being written; its
stderr must stay empty and it must exit with code 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.fileio import save_document
from benchmarks.edit_latency import chain_document

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "window_driver.py"
EXAMPLES = ROOT / "resources" / "examples"
#: Qt's offscreen platform says this whenever a window is shown (pyproject's qt_log_ignore).
QT_OFFSCREEN_NOTE = "This plugin does not support propagateSizeHints()"


def close_in_child(scenario: str, document: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config")}
    return subprocess.run([sys.executable, str(DRIVER), scenario, str(document)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def own_stderr(ran: subprocess.CompletedProcess) -> list[str]:
    return [line for line in ran.stderr.splitlines() if line.strip() != QT_OFFSCREEN_NOTE]


@pytest.mark.parametrize(("scenario", "document"), [
    ("close-training", "linear_regression.cgraph"),
    ("quit-training", "linear_regression.cgraph"),
    ("close-walkthrough", "lesson.cgraph"),
])
def test_closing_while_a_timer_runs_prints_nothing(scenario: str, document: str,
                                                   tmp_path: Path) -> None:
    ran = close_in_child(scenario, EXAMPLES / document, tmp_path)
    assert own_stderr(ran) == []
    assert ran.returncode == 0
    assert "READY" in ran.stdout.split()


def test_closing_during_a_background_evaluation_and_autosave_prints_nothing(
        tmp_path: Path) -> None:
    document = tmp_path / "chain.cgraph"
    save_document(chain_document(3000), document)
    ran = close_in_child("close-evaluating", document, tmp_path)
    assert own_stderr(ran) == []
    assert ran.returncode == 0
    # a clean close leaves no swap file to offer
    assert list((tmp_path / "data").rglob("autosave-*")) == []
