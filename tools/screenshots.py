"""Render the screenshots under docs/ (the README shows them): one per teaching mode.

    python tools/screenshots.py

Each picture is the real window, driven through its own actions, offscreen: the window at
1920 x 1080 (the lesson, a backward walkthrough, a training run, logistic regression trained
with nn.Linear + BCELoss + SGD, a grad node with the graph its derivative recorded, a traced
branch beside the dynamic run, the Chinese interface), and
presentation mode full screen on a 1024 x 768 projector, in the middle of the MLP's backward
walkthrough. Qt's offscreen platform takes its screen's size only at start-up, so each screen
size is rendered by a process of its own (``--screen WIDTHxHEIGHT``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

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


def render(size: tuple[int, int]) -> None:
    """Render the pictures of one screen size (in this process, whose screen has that size)."""
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
        if size == DESKTOP:
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


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--screen":
        render(tuple(int(n) for n in sys.argv[2].split("x")))  # type: ignore[arg-type]
        return
    for width, height in (DESKTOP, PROJECTOR):
        env = dict(os.environ,
                   QT_QPA_PLATFORM=f"offscreen:configfile={screen_config(width, height)}")
        subprocess.run([sys.executable, __file__, "--screen", f"{width}x{height}"], env=env,
                       check=True)


if __name__ == "__main__":
    main()
