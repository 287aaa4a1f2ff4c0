"""Render the screenshots under docs/ (the README shows them): one per teaching mode.

    python tools/screenshots.py

Runs offscreen (QT_QPA_PLATFORM=offscreen); each picture is the real window, driven through its
own actions, grabbed at 1440x900.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, QStandardPaths, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from app.fileio import load_document  # noqa: E402
from app.ui.mainwindow import MainWindow  # noqa: E402

EXAMPLES = ROOT / "resources" / "examples"
DOCS = ROOT / "docs"
SIZE = (1440, 900)


def window_on(app: QApplication, example: str, settings: QSettings) -> MainWindow:
    window = MainWindow(settings=settings)
    window._ask_save_changes = lambda: QMessageBox.StandardButton.Discard  # never block
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.resize(*SIZE)
    window.adopt_document(load_document(EXAMPLES / example), str(EXAMPLES / example),
                          as_copy=True)
    window.show()
    window.controller.evaluate_now()
    app.processEvents()
    window.fit_all()
    app.processEvents()
    return window


def grab(app: QApplication, window: MainWindow, name: str) -> None:
    app.processEvents()
    window.grab().save(str(DOCS / name), "PNG")
    print("wrote", DOCS / name)
    window.hide()
    window.deleteLater()
    app.processEvents()


def main() -> None:
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication(sys.argv[:1])
    settings = QSettings(str(DOCS / ".screenshots.ini"), QSettings.Format.IniFormat)
    try:
        window = window_on(app, "lesson.cgraph", settings)
        grab(app, window, "screenshot.png")

        window = window_on(app, "lesson.cgraph", settings)
        window.walkthrough.start("backward")
        for _ in range(4):  # y, b, a, x: the next step is w, where the two branches add up
            window.walkthrough.next()
        grab(app, window, "screenshot-walkthrough.png")

        window = window_on(app, "linear_regression.cgraph", settings)
        window.training_dock.raise_()
        window.training_dock.run_steps(60)
        while window.training_dock.running:
            app.processEvents()
        window.controller.evaluate_now()
        grab(app, window, "screenshot-training.png")

        window = window_on(app, "lesson.cgraph", settings)
        window.numeric_check.action.setChecked(True)
        window.presentation.action.setChecked(True)
        window.resize(*SIZE)
        window.fit_all()
        grab(app, window, "screenshot-presentation.png")
    finally:
        Path(DOCS / ".screenshots.ini").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
