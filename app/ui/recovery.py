"""Autosave for the window, and the offer to restore what a crash lost.

The window's document is written to a swap file in the user data folder shortly after every edit,
and at most 3 s after any change however continuous the editing (app.autosave.Autosaver). A
document that becomes modified without an edit (restored from a swap file, imported from code) is
written at once. A clean state (just saved, or just opened) and a clean exit delete the swap file;
a swap file left by a process that died is offered back at the next start.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from app import autosave
from app.fileio import FileFormatError

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow


def install_autosave(window: MainWindow, delay_ms: int = autosave.DEFAULT_DELAY_MS,
                     max_wait_ms: int = autosave.DEFAULT_MAX_WAIT_MS) -> autosave.Autosaver:
    """Autosave the window's document; returns the Autosaver (it lives as long as the window)."""
    controller = window.controller
    saver = autosave.Autosaver(controller.document, lambda: window.path, delay_ms=delay_ms,
                               max_wait_ms=max_wait_ms, parent=window)

    def on_replaced(document: object) -> None:
        saver.set_document(document)  # type: ignore[arg-type]
        saver.clear()  # a freshly opened document is on disk already

    def on_clean_changed(clean: bool) -> None:
        if clean:  # saved (or undone back to the saved state): nothing to recover
            saver.clear()
        else:  # modified, maybe with no edit to come (restored, imported): protect it now
            saver.write_soon()

    controller.document_replaced.connect(on_replaced)
    controller.undo_stack.cleanChanged.connect(on_clean_changed)
    saver.failed.connect(window.show_message)
    app = QCoreApplication.instance()
    if app is not None:  # the user answered the save question before the window closed
        app.aboutToQuit.connect(saver.clear)
    return saver


def offer_recovery(window: MainWindow, directory: str | None = None,
                   saver: autosave.Autosaver | None = None) -> bool:
    """Ask to restore each document a crashed session left; True if one was restored.

    With the window's ``saver``, a restored document is in this session's swap file before the
    crashed session's one is deleted: a second crash right after the restore loses nothing.
    """
    restored = False
    for item in autosave.find_recoverable(directory):
        name = item.source_path or QCoreApplication.translate("MainWindow", "an untitled graph")
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(item.saved_at))
        if restored or not _ask_restore(window, name, when):
            autosave.discard(item)
            continue
        try:
            document = autosave.recover(item)
        except (FileFormatError, OSError) as exc:
            window.show_error(QCoreApplication.translate("MainWindow", "Cannot restore %1:\n%2")
                               .replace("%1", name).replace("%2", str(exc)))
            autosave.discard(item)
            continue
        window.controller.replace_document(document)
        window.set_document_path(item.source_path)
        # restored edits are not on disk yet: keep the document marked modified (the title
        # follows the stack's clean state)
        window.controller.undo_stack.resetClean()
        if saver is not None:
            saver.write_now()
        autosave.discard(item)
        window.show_message(QCoreApplication.translate(
            "MainWindow", "Restored the autosaved copy of %1").replace("%1", name))
        restored = True
    return restored


def _ask_restore(window: MainWindow, name: str, when: str) -> bool:
    answer = QMessageBox.question(
        window, QCoreApplication.translate("MainWindow", "Restore unsaved work?"),
        QCoreApplication.translate(
            "MainWindow", "CG Studio closed without saving %1 (autosaved %2). Restore it?")
        .replace("%1", name).replace("%2", when))
    return answer == QMessageBox.StandardButton.Yes
