"""The teaching controls answer a presenter clicker: PageDown / PageUp step the walkthrough (and
PageDown starts it), Space taps step it on the canvas, B or "." black the screen; also while
presenting, when the toolbar is hidden."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from tests.windows import open_window


def key(win, key: Qt.Key) -> None:
    QTest.keyClick(win.view.viewport(), key)


def test_page_down_starts_the_backward_walkthrough_and_pages_step(qtbot, tmp_path) -> None:
    win = open_window(qtbot, tmp_path)
    bar = win.walkthrough
    assert bar.mode is None
    key(win, Qt.Key.Key_PageDown)
    assert (bar.mode, bar.index) == ("backward", 0)
    key(win, Qt.Key.Key_PageDown)
    key(win, Qt.Key.Key_PageDown)
    assert bar.index == 2
    key(win, Qt.Key.Key_PageUp)
    assert bar.index == 1
    key(win, Qt.Key.Key_Right)
    assert bar.index == 2


def test_the_keys_step_while_presenting(qtbot, tmp_path) -> None:
    win = open_window(qtbot, tmp_path)
    win.presentation.set_active(True)
    assert not win.walkthrough.isVisible()  # the toolbar is hidden while presenting
    key(win, Qt.Key.Key_PageDown)
    key(win, Qt.Key.Key_Right)
    assert (win.walkthrough.mode, win.walkthrough.index) == ("backward", 1)
    key(win, Qt.Key.Key_Left)
    assert win.walkthrough.index == 0
    win.presentation.set_active(False)


def test_a_space_tap_steps_but_space_dragging_pans(qtbot, tmp_path) -> None:
    win = open_window(qtbot, tmp_path)
    bar = win.walkthrough
    viewport = win.view.viewport()
    key(win, Qt.Key.Key_Space)
    assert bar.mode is None  # outside a walkthrough a tap does nothing
    bar.start("backward")
    key(win, Qt.Key.Key_Space)
    assert bar.index == 1
    QTest.keyPress(viewport, Qt.Key.Key_Space)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=QPoint(300, 300))
    QTest.mouseMove(viewport, QPoint(340, 320))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(340, 320))
    QTest.keyRelease(viewport, Qt.Key.Key_Space)
    assert bar.index == 1


def test_b_or_period_blacks_the_screen_until_any_key(qtbot, tmp_path) -> None:
    win = open_window(qtbot, tmp_path)
    black = win.presentation.black
    key(win, Qt.Key.Key_B)
    assert black.isVisible() and black.geometry() == win.rect()
    QTest.keyClick(black, Qt.Key.Key_Escape)
    assert not black.isVisible()
    key(win, Qt.Key.Key_Period)
    assert black.isVisible()
    QTest.mouseClick(black, Qt.MouseButton.LeftButton)
    assert not black.isVisible()
