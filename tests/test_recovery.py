"""The window's autosave and the offer to restore a crashed session's document."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from app import autosave
from app.fileio import load_document
from app.ui import recovery
from app.ui.mainwindow import MainWindow

LESSON = Path(__file__).resolve().parent.parent / "resources" / "examples" / "lesson.cgraph"


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    # closing a modified window at teardown must not wait for an answer
    win._ask_save_changes = lambda: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]
    qtbot.addWidget(win)
    win.adopt_document(load_document(LESSON), str(LESSON))
    return win


def test_edit_is_autosaved_and_saving_clears_it(window: MainWindow, qtbot, tmp_path: Path) -> None:
    saver = recovery.install_autosave(window, delay_ms=20)
    window.controller.set_field("w", "value", [3.0])
    qtbot.waitUntil(lambda: saver.document.node("w").value == [3.0] and not saver.pending)
    swaps = list(autosave.default_directory().glob("*"))
    assert swaps, "the edit was written to the autosave folder"
    target = tmp_path / "saved.cgraph"
    window._get_save_path = lambda: str(target)  # type: ignore[method-assign]
    assert window.save_as()
    assert list(autosave.default_directory().glob("*")) == []  # saved: nothing to recover


def test_offer_recovery_restores_the_autosaved_document(window: MainWindow, monkeypatch,
                                                        tmp_path: Path) -> None:
    crashed = load_document(LESSON)
    crashed.set_field("w", "value", [4.0])
    folder = tmp_path / "autosave"
    saver = autosave.Autosaver(crashed, lambda: str(LESSON), directory=str(folder))
    assert saver.write_now()
    swap = next(p for p in folder.iterdir() if p.suffix == ".cgraph")
    sidecar = next(p for p in folder.iterdir() if p != swap)
    item = autosave.Recoverable(swap, sidecar, str(LESSON), 0.0, 999999)
    monkeypatch.setattr(autosave, "find_recoverable", lambda directory=None: [item])
    monkeypatch.setattr(recovery, "_ask_restore", lambda *args: True)
    assert recovery.offer_recovery(window)
    assert window.controller.document.node("w").value == [4.0]
    assert window.controller.is_modified() and window.isWindowModified()
    assert not swap.exists()  # taken over by the window's own autosave from now on


def test_declined_recovery_discards_the_swap_file(window: MainWindow, monkeypatch,
                                                  tmp_path: Path) -> None:
    folder = tmp_path / "autosave"
    saver = autosave.Autosaver(load_document(LESSON), lambda: None, directory=str(folder))
    assert saver.write_now()
    swap = next(p for p in folder.iterdir() if p.suffix == ".cgraph")
    sidecar = next(p for p in folder.iterdir() if p != swap)
    item = autosave.Recoverable(swap, sidecar, None, 0.0, 999999)
    monkeypatch.setattr(autosave, "find_recoverable", lambda directory=None: [item])
    monkeypatch.setattr(recovery, "_ask_restore", lambda *args: False)
    before = window.controller.document.snapshot()
    assert not recovery.offer_recovery(window)
    assert window.controller.document.snapshot() == before
    assert not swap.exists() and not sidecar.exists()
