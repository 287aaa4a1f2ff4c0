"""The installed Qt binding must not corrupt Python's reference counts.

PySide6 6.12.0 on Python 3.11 loses one reference to None on every Qt call that returns nothing,
and the interpreter aborts after a few thousand of them: requirements.txt excludes it there. This
test fails if such a build is installed, before it can crash a lesson.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget


def test_void_qt_calls_keep_none_alive(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(200):
        widget.update()
        widget.setObjectName("probe")
    assert sys.getrefcount(None) - before >= 0
