"""Shared set-up for the tests that drive the real main window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from app.ui import launch
from app.ui.mainwindow import MainWindow


def open_window(qtbot, tmp_path: Path, example: Path = launch.LESSON,
                settings: QSettings | None = None) -> MainWindow:
    """A shown window on a copy of ``example``, with its own settings file, evaluated."""
    if settings is None:
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    # qtbot closes the window after the test: never block on a real "save changes?" dialog
    win._ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(win)
    win.open_example(example)
    win.show()
    qtbot.waitExposed(win)
    settle(qtbot, win)
    return win


def settle(qtbot, window: MainWindow) -> None:
    """Wait for the controller's deferred re-evaluation after an edit."""
    qtbot.waitUntil(lambda: not window.controller.evaluation_pending, timeout=3000)
