"""Render the screenshots under docs/ (the README shows them): one per teaching mode.

    python tools/screenshots.py          # all of them
    python tools/screenshots.py live     # only docs/live-code-*.png

Each picture is the real window, driven through its own actions, offscreen: the window at
1920 x 1080 (the lesson, a backward walkthrough, a training run, logistic regression trained
with nn.Linear + BCELoss + SGD, a grad node with the graph its derivative recorded, a traced
branch beside the dynamic run, the Chinese interface), and
presentation mode full screen on a 1024 x 768 projector, in the middle of the MLP's backward
walkthrough; and docs/live-code-1.png ... -4.png, the lesson's first listing typed into the
Code dock by key presses, the graph growing beside it. Qt's offscreen platform takes its
screen's size only at start-up, so each screen size is rendered by a process of its own
(``--screen WIDTHxHEIGHT``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"
DOCS = ROOT / "docs"
DESKTOP, PROJECTOR = (1920, 1080), (1024, 768)


def screen_config(width: int, height: int) -> str:
    """A configuration file for Qt's offscreen platform with one screen of that size."""
    config = {"synchronousWindowSystemEvents": True, "windowFrameMargins": False,
              "screens": [{"name": "screen", "x": 0, "y": 0, "width": width, "height": height,
                           "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}
    handle, path = tempfile.mkstemp(suffix=".json")
    with os.fdopen(handle, "w") as file:
        json.dump(config, file)
    return path


def render(size: tuple[int, int], only_live: bool = False) -> None:
    """Render the pictures of one screen size (in this process, whose screen has that size);
    ``only_live``: only the live-code sequence."""
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QSettings, QStandardPaths, Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.fileio import load_document
    from app.ui import i18n
    from app.ui.mainwindow import MainWindow

    QStandardPaths.setTestModeEnabled(True)
    app = QApplication(sys.argv[:1])
    settings = QSettings(str(DOCS / ".screenshots.ini"), QSettings.Format.IniFormat)

    def window_on(example: str, window_size: tuple[int, int] = size) -> MainWindow:
        window = MainWindow(settings=settings)
        window._ask_save_changes = lambda: QMessageBox.StandardButton.Discard  # never block
        window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        window.resize(*window_size)
        window.adopt_document(load_document(EXAMPLES / example), str(EXAMPLES / example),
                              as_copy=True)
        window.show()
        window.controller.evaluate_now()
        app.processEvents()
        window.fit_all()
        app.processEvents()
        return window

    def grab(window: MainWindow, name: str) -> None:
        for _ in range(10):  # docks that change size ask for a new layout more than once
            app.processEvents()
        window.grab().save(str(DOCS / name), "PNG")
        print("wrote", DOCS / name)
        window.hide()
        window.deleteLater()
        app.processEvents()

    try:
        if only_live:
            live_code(app, window_on("lesson.cgraph"), grab)
        elif size == DESKTOP:
            grab(window_on("lesson.cgraph"), "screenshot.png")

            window = window_on("lesson.cgraph")
            window.walkthrough.start("backward")
            for _ in range(4):  # y, b, a, x: the next step is w, where the two branches add up
                window.walkthrough.next()
            grab(window, "screenshot-walkthrough.png")

            window = window_on("linear_regression.cgraph")
            window.training_dock.raise_()
            window.training_dock.run_steps(60)
            while window.training_dock.running:
                app.processEvents()
            window.controller.evaluate_now()
            window.fit_all()
            grab(window, "screenshot-training.png")

            window = window_on("course_second_derivative.cgraph")
            window.scene.select_ids(["grad_1"])  # the autograd dock draws its derivative graph
            window.autograd_dock.raise_()
            grab(window, "screenshot-grad-node.png")

            window = window_on("course_dynamic_static.cgraph")
            grab(window, "screenshot-dynamic-static.png")

            window = window_on("logistic_regression.cgraph")
            window.training_dock.raise_()
            window.training_dock.run_steps(40)  # SGD with momentum: the last step's update
            while window.training_dock.running:  # shows in the walkthrough panel
                app.processEvents()
            window.controller.evaluate_now()
            window.fit_all()
            grab(window, "screenshot-logistic-regression.png")

            i18n.install_translator(app, i18n.CHINESE)
            window = window_on("lesson.cgraph")
            window.scene.select_ids(["w"])
            grab(window, "screenshot-zh.png")
            i18n.install_translator(app, i18n.ENGLISH)

            live_code(app, window_on("lesson.cgraph"), grab)
        else:
            window = window_on("mlp.cgraph")
            window.presentation.action.setChecked(True)
            app.processEvents()
            window.walkthrough.start("backward")
            for _ in range(3):  # loss, logits, b2: the gradient reaches h @ W2
                window.walkthrough.next()
            grab(window, "screenshot-presentation.png")
    finally:
        Path(DOCS / ".screenshots.ini").unlink(missing_ok=True)


def live_code(app: Any, window: Any, grab: Callable[[Any, str], None]) -> None:
    """The lesson's first listing typed into an empty Code dock, key by key: a picture after
    the leaves, after y, at a line typed wrong (underlined; the graph stays) and at the end."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtTest import QTest

    window.new_document()
    dock = window.code_dock
    dock.raise_()
    window.resizeDocks([dock], [760], Qt.Orientation.Horizontal)
    editor = dock.editor
    editor.setFocus()

    def settle() -> None:
        app.processEvents()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (
                dock.in_sync and not window.controller.evaluation_pending):
            app.processEvents()
            time.sleep(0.01)
        window.fit_all()
        app.processEvents()

    def type_line(line: str) -> None:
        for run in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]", line):
            if run.isascii():
                QTest.keyClicks(editor, run)
            else:  # the lesson's Chinese comments: a character as an input method sends it
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    app.sendEvent(editor, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                    run))
        QTest.keyClick(editor, Qt.Key.Key_Return)
        settle()

    settle()
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(editor, Qt.Key.Key_Delete)
    def picture(name: str) -> None:  # grab() closes the window: this one types on after
        for _ in range(10):
            app.processEvents()
        window.grab().save(str(DOCS / name), "PNG")
        print("wrote", DOCS / name)

    lines = (EXAMPLES / "lesson_listing1.py").read_text(encoding="utf-8").splitlines()
    pictures = {3: 1, 7: 2}  # after line 3 (x): the leaves; after line 7 (y): the forward graph
    for number, line in enumerate(lines, 1):
        if number == 9:  # y.backward(), typed wrong first, then mended
            type_line("y.backward(")
            picture("live-code-3.png")
            QTest.keyClick(editor, Qt.Key.Key_Backspace)  # back to the end of line 9
            type_line(")")
            continue
        type_line(line)
        if number in pictures:
            picture(f"live-code-{pictures[number]}.png")
    grab(window, "live-code-4.png")


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--screen":
        size = tuple(int(n) for n in sys.argv[2].split("x"))
        render(size, only_live=sys.argv[3:] == ["live"])  # type: ignore[arg-type]
        return
    only_live = sys.argv[1:] == ["live"]
    for width, height in ((DESKTOP,) if only_live else (DESKTOP, PROJECTOR)):
        env = dict(os.environ,
                   QT_QPA_PLATFORM=f"offscreen:configfile={screen_config(width, height)}")
        subprocess.run([sys.executable, __file__, "--screen", f"{width}x{height}",
                        *(["live"] if only_live else [])], env=env, check=True)


if __name__ == "__main__":
    main()
