"""Start-up entry points used by app.cli: open the window, take a screenshot, export an image.

``run_window`` is the normal start of the app (and, with ``screenshot``, renders the window to a
PNG without entering the event loop, for documentation and checks); ``export_image`` draws a
document's canvas to a PNG, SVG or PDF without showing any window. Both return a process exit code:
0 on success, 2 with one line on stderr when the input or output is refused.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app import runtime
from app.autosave import Autosaver
from app.canvas import GraphScene
from app.controller import DocumentController
from app.fileio import FileFormatError, load_document
from app.paths import LESSON
from app.ui.export import IMAGE_SUFFIXES, render_scene
from app.ui.fonts import ensure_cjk_font
from app.ui.i18n import install_translator, stored_language
from app.ui.mainwindow import MainWindow
from app.ui.recovery import install_autosave, offer_recovery

APP_NAME = "CG Studio"
SCREENSHOT_SIZE = (1440, 900)


def _application(headless: bool = False) -> QApplication:
    """The running QApplication, created (with the names QSettings uses) if there is none."""
    app = QApplication.instance()
    if app is None:
        if headless:
            # rendering to a file needs no display; this also works over ssh and in CI
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    ensure_cjk_font()  # Chinese notes and menus without boxes on a Linux without CJK fonts
    return app


def _fail(message: str) -> int:
    # one line, as app.cli reports every refusal
    sys.stderr.write(f"cgstudio: {' '.join(message.split())}\n")
    return 2


def run_window(path: str | None, screenshot: str | None = None) -> int:
    """Open the main window on ``path`` (default: the lesson example) and run the app.

    With ``screenshot`` the window is laid out offscreen at 1440x900, evaluated, painted and
    saved to that PNG, and the function returns without entering the event loop.
    """
    if screenshot is not None and Path(screenshot).suffix.lower() != ".png":
        return _fail(f"the screenshot must be a .png file, not {screenshot!r}")
    try:
        window = create_window(path, headless=screenshot is not None)
    except WindowRefused as exc:
        return _fail(str(exc))
    app = QApplication.instance()
    if screenshot is not None:
        return _take_screenshot(app, window, screenshot)
    start_window(window, opened_file=path is not None)
    return app.exec()


class WindowRefused(Exception):
    """The file named on the command line cannot be opened (its message is one line)."""


def create_window(path: str | None, *, headless: bool = False) -> MainWindow:
    """The app's window on ``path`` (default: the lesson, as a copy), not shown yet: the process
    tuned, the application and its translator set up, the document loaded and adopted."""
    runtime.configure(interactive=True)
    app = _application(headless=headless)
    # a bad file named on the command line is one line on stderr, before any window appears
    target = Path(path) if path else LESSON
    try:
        document = load_document(str(target))
    except FileFormatError as exc:
        raise WindowRefused(f"{target}: {exc}") from None
    except OSError as exc:
        raise WindowRefused(f"{target}: {exc.strerror or exc}") from None
    settings = QSettings()
    install_translator(app, stored_language(settings))
    window = MainWindow(settings=settings)
    window.adopt_document(document, str(target), as_copy=path is None)
    return window


def start_window(window: MainWindow, *, opened_file: bool) -> Autosaver:
    """Start ``window`` as the app does: autosave, the user's layout, shown, the offer to restore
    a crashed session's work, and (with no file named, on a first start) the gallery. Returns
    the window's Autosaver."""
    saver = install_autosave(window)
    window.restore_layout()
    window.show()
    if not offer_recovery(window, saver=saver) and not opened_file:
        window.gallery.show_at_start()  # the start page, on a first start
    window.fit_all()
    return saver


def _take_screenshot(app: QApplication, window: MainWindow, out: str) -> int:
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    window.controller.evaluate_now()
    app.processEvents()
    window.fit_all()
    app.processEvents()
    ok = window.grab().save(out, "PNG")
    # hidden rather than closed: closing would store this window's layout as the user's own
    window.hide()
    window.deleteLater()
    return 0 if ok else _fail(f"cannot write {out}")


def export_image(path: str, out: str) -> int:
    """Render the canvas of the document at ``path`` to ``out`` (.png at 2x, .svg or .pdf)."""
    if Path(out).suffix.lower() not in IMAGE_SUFFIXES:
        return _fail(f"export to a .png, .svg or .pdf file, not {out!r}")
    runtime.configure(interactive=False)
    _application(headless=True)
    try:
        document = load_document(path)
    except FileFormatError as exc:
        return _fail(f"{path}: {exc}")
    except OSError as exc:
        return _fail(f"{path}: {exc.strerror or exc}")
    controller = DocumentController(document)
    scene = GraphScene(controller)
    controller.evaluate_now()
    try:
        render_scene(scene, out)
    except (OSError, ValueError) as exc:
        return _fail(str(exc))
    return 0
