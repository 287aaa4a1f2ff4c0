"""Presentation mode on a screen of a given size, measured as the class sees it (run by
tests/test_ui_presentation.py in a process of its own: Qt's offscreen platform takes the size of
its screen only at start-up).

    python -m tests.presentation_probe WIDTHxHEIGHT

prints one JSON object: for the lesson, then the MLP opened while presenting, the smallest
number on a card in screen pixels, whether the whole graph is on the screen, and for each step
of the backward walkthrough (whose formula panel takes the bottom of the screen) whether the
current node's card is on the screen.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def screen_config(width: int, height: int) -> str:
    """A configuration file for Qt's offscreen platform with one screen of that size."""
    config = {"synchronousWindowSystemEvents": True, "windowFrameMargins": False,
              "screens": [{"name": "projector", "x": 0, "y": 0, "width": width,
                           "height": height, "logicalDpi": 96, "logicalBaseDpi": 96,
                           "dpr": 1}]}
    handle, path = tempfile.mkstemp(suffix=".json")
    with os.fdopen(handle, "w") as file:
        json.dump(config, file)
    return path


def measure(window) -> dict:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from app.canvas import style

    app = QApplication.instance()
    view, scene = window.view, window.scene
    app.processEvents()

    def shown():  # type: ignore[no-untyped-def]
        return view.mapToScene(view.viewport().rect()).boundingRect()

    fonts = style.fonts()
    smallest = min(
        (font.pointSizeF() * view.logicalDpiY() / 72.0) * view.zoom()
        for item in scene.nodes.values()
        for font in ([fonts.numbers] + ([fonts.type] if any("=" in label for label in
                                                            item.port_texts()) else [])))
    whole = shown().contains(scene.itemsBoundingRect())
    steps = []
    walkthrough = window.walkthrough
    walkthrough.start("backward")
    for index in range(len(walkthrough.steps)):
        walkthrough.go_to(index)
        app.processEvents()
        card = scene.nodes[walkthrough.current_step().node_id]
        steps.append(shown().contains(card.sceneBoundingRect()))
    walkthrough.stop()
    app.processEvents()
    return {"smallest_number_px": smallest, "whole_graph": whole,
            "current_node_in_sight": steps}


def main(size: str) -> None:
    width, height = (int(n) for n in size.split("x"))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen_config(width, height)}"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from PySide6.QtCore import QSettings, QStandardPaths
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.paths import EXAMPLES_DIR, LESSON
    from app.ui.mainwindow import MainWindow

    QStandardPaths.setTestModeEnabled(True)
    app = QApplication(sys.argv[:1])
    folder = tempfile.mkdtemp()
    window = MainWindow(settings=QSettings(f"{folder}/s.ini", QSettings.Format.IniFormat))
    window._ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    window.open_example(LESSON)
    window.show()
    window.presentation.set_active(True)
    app.processEvents()
    report = {"screen": [window.width(), window.height()], "lesson": measure(window)}
    window.open_example(EXAMPLES_DIR / "mlp.cgraph")  # opened while presenting
    app.processEvents()
    report["mlp"] = measure(window)
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
