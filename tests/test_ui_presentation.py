"""The numeric gradient check on the canvas and presentation mode (app/ui/presentation.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox

from app.canvas import style
from app.canvas.node_item import NodeItem
from app.model import GraphDocument, Node
from app.teach.gradcheck import NumericCheck
from app.ui import launch
from app.ui.mainwindow import MainWindow
from app.ui.presentation import FONT_SCALE, MIN_NUMBER_PX, numeric_check_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    app = QApplication.instance()
    palette, font = app.palette(), app.font()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    win._ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(win)
    win.open_example(launch.LESSON)
    win.resize(1200, 760)
    win.show()
    qtbot.waitExposed(win)
    settle(qtbot, win)
    yield win
    # never leave presentation mode, or a theme a test chose, to the tests that follow
    win.presentation.set_active(False)
    app.setPalette(palette)
    app.setFont(font)


def settle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.controller.evaluation_pending, timeout=3000)


def wait_full_screen(qtbot, window: MainWindow) -> None:
    """Wait until the window fills the screen (the window system answers asynchronously)."""
    size = window.screen().geometry().size()
    qtbot.waitUntil(lambda: window.isFullScreen() and window.size() == size, timeout=3000)


def numeric_texts(window: MainWindow) -> dict[str, str]:
    return {node_id: item.numeric_text() for node_id, item in window.scene.nodes.items()}


def docks(window: MainWindow) -> list[QDockWidget]:
    return window.findChildren(QDockWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)


def kink_document() -> GraphDocument:
    """s = sum(relu(w)) with w = [0., 2.]: relu has a kink at exactly 0."""
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", value=[0.0, 2.0], requires_grad=True))
    doc.add_node(Node("r", "relu", pos=(250, 0)))
    doc.add_node(Node("s", "sum", pos=(500, 0)))
    doc.connect("w", "r", 0)
    doc.connect("r", "s", 0)
    doc.set_output("s")
    return doc


# ------------------------------------------------------------------- numeric check
def test_numeric_check_is_off_by_default(window):
    assert not window.menu_actions["numeric_check"].isChecked()
    assert set(numeric_texts(window).values()) == {""}


def test_numeric_check_shows_agreement_on_the_lesson_leaves(window):
    w_card = window.scene.nodes["w"]
    plain_height = w_card.card_rect().height()
    window.menu_actions["numeric_check"].trigger()
    assert numeric_texts(window) == {"w": "numeric [5.] ✓", "x": "numeric [2.] ✓", "one": "",
                                     "a": "", "b": "", "y": ""}
    assert w_card.grad_text() == "grad [5.]"
    # the card grows to make room for the extra line
    assert w_card.card_rect().height() > plain_height
    window.menu_actions["numeric_check"].trigger()
    assert set(numeric_texts(window).values()) == {""}
    assert w_card.card_rect().height() == plain_height


def test_numeric_check_follows_each_evaluation(window, qtbot):
    window.menu_actions["numeric_check"].trigger()
    with qtbot.waitSignal(window.controller.evaluated, timeout=3000):
        window.controller.set_field("w", "value", [2.0])
    # dy/dw = 2w + x + 1 = 7 at w = 2
    assert window.scene.nodes["w"].grad_text() == "grad [7.]"
    assert window.scene.nodes["w"].numeric_text() == "numeric [7.] ✓"
    assert window.scene.nodes["x"].numeric_text() == "numeric [3.] ✓"


def test_with_the_check_off_an_evaluation_touches_no_card(window, qtbot, monkeypatch):
    """At 5,000 nodes a loop over every card after each edit cost milliseconds for nothing."""
    window.menu_actions["numeric_check"].trigger()
    window.menu_actions["numeric_check"].trigger()  # on, then off: every line taken away
    assert set(numeric_texts(window).values()) == {""}
    touched: list[str] = []
    monkeypatch.setattr(NodeItem, "set_numeric_text",
                        lambda item, content: touched.append(item.node_id))
    with qtbot.waitSignal(window.controller.evaluated, timeout=3000):
        window.controller.set_field("w", "value", [2.0])
    assert touched == []


def test_relu_kink_is_reported_honestly_on_the_card(window, qtbot):
    window.menu_actions["numeric_check"].trigger()
    with qtbot.waitSignal(window.controller.evaluated, timeout=3000):
        window.controller.replace_document(kink_document())
    card = window.scene.nodes["w"]
    assert card.grad_text() == "grad [0., 1.]"
    assert card.numeric_text() == "numeric [0.5000, 1.0000] ✗ differs by 0.5"
    assert window.numeric_check.checks["w"].ok is False


def test_numeric_card_is_painted(window):
    window.menu_actions["numeric_check"].trigger()
    card = window.scene.nodes["w"]
    rect = card.sceneBoundingRect()
    window.view.centerOn(card)
    window.view.reset_zoom()
    image = window.view.grab(window.view.mapFromScene(rect).boundingRect()).toImage()
    # the "✓" line is painted in the green accent of operations
    green = QColor("#2b9a52")
    assert any(_close(image.pixelColor(x, y), green)
               for x in range(image.width()) for y in range(image.height()))


def _close(colour: QColor, target: QColor) -> bool:
    return (abs(colour.red() - target.red()) + abs(colour.green() - target.green())
            + abs(colour.blue() - target.blue())) < 30


def test_skipped_and_unchecked_texts():
    assert numeric_check_text(None) == ""
    skipped = NumericCheck("w", note="121 elements, more than 100")
    assert numeric_check_text(skipped) == "no numeric check: 121 elements, more than 100"


# --------------------------------------------------------------- presentation mode
def test_presentation_mode_goes_full_screen_and_hides_the_docks(window, qtbot):
    shown = {dock.objectName() for dock in docks(window) if not dock.isHidden()}
    assert {"PaletteDock", "InspectorDock"} <= shown
    font_size = QGuiApplication.font().pointSizeF()
    window.menu_actions["presentation"].trigger()
    qtbot.waitUntil(lambda: window.isFullScreen(), timeout=3000)
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    assert all(dock.isHidden() for dock in docks(window))
    assert window.menu_actions["presentation"].isChecked()
    assert QGuiApplication.font().pointSizeF() == pytest.approx(font_size * FONT_SCALE)
    assert window.menuBar().font().pointSizeF() == pytest.approx(font_size * FONT_SCALE)
    palette = QGuiApplication.palette()
    assert palette.color(QPalette.ColorRole.Window).name() == "#ffffff"
    assert palette.color(QPalette.ColorRole.WindowText).name() == "#000000"


def smallest_number_px(window: MainWindow) -> float:
    """The smallest number on a card, in screen pixels: the value and grad lines, and the port
    labels that show a number ("exponent = 2")."""
    view, fonts = window.view, style.fonts()
    return min(font.pointSizeF() * view.logicalDpiY() / 72.0 * view.zoom()
               for item in window.scene.nodes.values()
               for font in [fonts.numbers] + ([fonts.type] if any(
                   "=" in label for label in item.port_texts()) else []))


def in_sight(window: MainWindow, rect) -> bool:
    view = window.view
    return view.mapToScene(view.viewport().rect()).boundingRect().contains(rect)


def test_presenting_makes_every_number_readable_and_follows_the_walkthrough(window, qtbot):
    window.view.reset_zoom()
    window.view.centerOn(5000, 5000)  # far from the graph
    window.menu_actions["presentation"].trigger()
    wait_full_screen(qtbot, window)
    assert smallest_number_px(window) >= MIN_NUMBER_PX
    image = window.grab().toImage()
    screen = window.screen().geometry()
    assert (image.width(), image.height()) == (screen.width(), screen.height())
    # this screen is too small for the whole lesson at that size: it starts on the inputs
    scene = window.scene
    assert not in_sight(window, scene.itemsBoundingRect())
    assert in_sight(window, scene.nodes["w"].sceneBoundingRect())
    walkthrough = window.walkthrough
    walkthrough.start("backward")
    for _ in walkthrough.steps:
        qtbot.wait(1)  # the formula panel takes its room at the bottom
        node = walkthrough.current_step().node_id
        assert in_sight(window, scene.nodes[node].sceneBoundingRect()), node
        assert smallest_number_px(window) >= MIN_NUMBER_PX
        qtbot.keyClick(window.view, Qt.Key.Key_PageDown)


@pytest.mark.parametrize("size", ["1024x768", "3840x2160"])
def test_presentation_on_a_projector_and_on_a_4k_screen(size: str) -> None:
    """The whole window on a screen of that size, in a process of its own (tests/
    presentation_probe.py): the lesson, then the MLP opened while presenting."""
    run = subprocess.run([sys.executable, "-m", "tests.presentation_probe", size],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["screen"] == [int(n) for n in size.split("x")]
    for example in ("lesson", "mlp"):
        assert report[example]["smallest_number_px"] >= MIN_NUMBER_PX - 1e-9, example
        assert all(report[example]["current_node_in_sight"]), example
    # a 4K screen shows the lesson whole, a projector's 1024 x 768 does not; the MLP's seven
    # layers are too wide for either at that size, so both follow its walkthrough
    assert report["lesson"]["whole_graph"] is (size == "3840x2160")
    assert report["mlp"]["whole_graph"] is False


def test_leaving_restores_docks_state_font_palette_and_view(window, qtbot):
    window.inspector.hide()  # a dock the teacher had closed stays closed
    shown = {dock.objectName(): not dock.isHidden() for dock in docks(window)}
    font = app_font()
    window_colour = QGuiApplication.palette().color(QPalette.ColorRole.Window).name()
    transform = window.view.transform()
    window.menu_actions["presentation"].trigger()
    qtbot.waitUntil(lambda: window.isFullScreen(), timeout=3000)
    window.menu_actions["presentation"].trigger()
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=3000)
    assert window.windowState() == Qt.WindowState.WindowNoState
    assert {dock.objectName(): not dock.isHidden() for dock in docks(window)} == shown
    assert shown["InspectorDock"] is False and shown["PaletteDock"] is True
    assert app_font() == font
    assert QGuiApplication.palette().color(QPalette.ColorRole.Window).name() == window_colour
    assert window.view.transform() == transform
    assert not window.presentation.active
    assert not window.menu_actions["presentation"].isChecked()


def app_font() -> tuple[str, float]:
    font = QApplication.font()
    return (font.family(), font.pointSizeF())


def test_a_maximized_window_is_maximized_again(window, qtbot):
    window.showMaximized()
    qtbot.waitUntil(lambda: window.isMaximized(), timeout=3000)
    window.presentation.set_active(True)
    qtbot.waitUntil(lambda: window.isFullScreen(), timeout=3000)
    window.presentation.set_active(False)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=3000)
    assert window.windowState() == Qt.WindowState.WindowMaximized


def test_escape_leaves_presentation_mode(window, qtbot):
    window.menu_actions["presentation"].trigger()
    qtbot.waitUntil(lambda: window.isFullScreen(), timeout=3000)
    window.activateWindow()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=3000)
    assert not window.presentation.active
    assert not window.palette_dock.isHidden()


def test_escape_outside_presentation_mode_does_nothing(window):
    assert not window.presentation.escape.isEnabled()


def test_f11_is_the_presentation_shortcut(window):
    assert ("Presentation Mode", "F11") in window.shortcut_rows()
    view_menu = next(a.menu() for a in window.menuBar().actions()
                     if a.menu() is not None and window.menu_actions["fit"] in a.menu().actions())
    assert window.menu_actions["presentation"] in view_menu.actions()
    assert window.menu_actions["numeric_check"] in view_menu.actions()


def test_closing_while_presenting_saves_the_normal_layout(window, qtbot):
    window.presentation.set_active(True)
    qtbot.waitUntil(lambda: window.isFullScreen(), timeout=3000)
    window.close()
    assert not window.presentation.active
    assert not window.palette_dock.isHidden()


def test_presentation_is_light_and_high_contrast_even_from_the_dark_theme(window, qtbot,
                                                                         tmp_path):
    window.apply_theme("dark")
    window.menu_actions["numeric_check"].trigger()
    window.presentation.set_active(True)
    wait_full_screen(qtbot, window)
    path = tmp_path / "presentation.png"
    assert window.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() == window.screen().geometry().width()
    # the canvas background (a corner of the view, away from the cards) is near white
    corner = window.view.mapTo(window, window.view.viewport().rect().bottomLeft())
    assert image.pixelColor(corner.x() + 3, corner.y() - 3).lightness() > 235
    window.presentation.set_active(False)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=3000)
    assert QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
