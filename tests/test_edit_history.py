"""A long lesson in the shipped window: edits keep only what undo needs, and the history is
bounded, so memory stays flat however many edits a class makes (no limit set by the test)."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from windows import open_window

from app.controller import UNDO_LIMIT
from app.ui.mainwindow import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    return open_window(qtbot, tmp_path)


def test_a_value_edit_keeps_the_documents_copy_of_the_value_not_another(
        window: MainWindow) -> None:
    controller = window.controller
    before = controller.document.node("w").value
    big = [float(i) for i in range(10_000)]
    controller.set_field("w", "value", big)
    stack = controller.undo_stack
    command = stack.command(stack.index() - 1)
    stored = controller.document.node("w").value
    assert stored == big and stored is not big  # the document keeps its own copy...
    assert command.value is stored  # ...which the command shares
    assert command.old is before
    stack.undo()
    assert controller.document.node("w").value == before
    assert command.old is controller.document.node("w").value
    stack.redo()
    assert controller.document.node("w").value == big
    assert command.value is controller.document.node("w").value


def test_memory_stays_flat_over_600_edits_in_the_shipped_window(window: MainWindow) -> None:
    """600 value edits, each evaluated and shown on the canvas, the History dock listing them.

    Beyond UNDO_LIMIT steps the oldest ones go; anything still growing between edit 260 and edit
    600 is kept for good (the history, old results, card texts)."""
    controller = window.controller
    assert controller.undo_stack.undoLimit() == UNDO_LIMIT
    app = QApplication.instance()

    def edit(step: int) -> None:
        controller.set_field("w", "value", [float(step % 7)])
        controller.evaluate_now()
        app.processEvents()

    tracemalloc.start()
    try:
        for step in range(1, UNDO_LIMIT + 61):
            edit(step)
        gc.collect()
        after_260 = tracemalloc.get_traced_memory()[0]
        for step in range(UNDO_LIMIT + 61, 601):
            edit(step)
        gc.collect()
        after_600 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert controller.undo_stack.count() == UNDO_LIMIT
    # 340 more edits: 0.4 KiB kept an edit (a history step) would be 136 KiB
    assert after_600 - after_260 < 40 * 1024, (after_260, after_600)
    w = 600 % 7
    assert window.scene.nodes["y"].value_text() == f"value [{(2.0 + w) * (w + 1.0):.0f}.]"
