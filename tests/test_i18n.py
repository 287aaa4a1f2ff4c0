"""The Chinese interface (app/ui/i18n.py, resources/translations, tools/update_translations.py).

With the Chinese translator installed, no menu, action, dock, toolbar, button, label or check box
of the main window may still show its English source text (PyTorch's vocabulary excepted);
View > Language switches live; the committed .ts and .qm are up to date with the code.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QLocale, QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolBar,
)

from app.canvas.menus import canvas_menu, node_menu, note_menu
from app.registry import CATEGORIES
from app.ui import i18n, launch
from app.ui.mainwindow import MainWindow
from app.ui.recovery import install_autosave

ROOT = Path(__file__).resolve().parent.parent
TS_FILE = ROOT / "resources" / "translations" / "cgstudio_zh_CN.ts"

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

#: PyTorch's own words, which the lesson itself uses in English: never translated.
TORCH_VOCABULARY = {
    "None", "True", "False", "is_leaf", "requires_grad", "retain_grad", "grad", "value",
    "grad_fn", "shape", "dtype", "AddBackward0", "MulBackward0", "torch.float32",
    "torch.Size([1])", "add", "mul", "alpha", "input", "other", "input + alpha * other",
}
#: Texts that are the same in both languages: the language names, the app's name, keys.
SAME_IN_BOTH = {"English", "CG Studio"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def app() -> Iterator[QApplication]:
    application = QApplication.instance()
    yield application
    # the translator is application-wide: leave English behind for the next test
    i18n.install_translator(application, i18n.ENGLISH)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def windows() -> Iterator[list[MainWindow]]:
    """Windows to close after the test; a language switch deletes the window it replaces, so
    they are closed here (only those still alive) rather than by qtbot.addWidget."""
    made: list[MainWindow] = []
    yield made
    for window in made:
        if shiboken6.isValid(window):
            window._ask_save_changes = lambda: QMessageBox.StandardButton.Discard
            window.close()
            window.deleteLater()
    QCoreApplication.processEvents()


def make_window(qtbot, settings: QSettings, windows: list[MainWindow]) -> MainWindow:
    window = MainWindow(settings=settings)
    windows.append(window)
    window.open_example(launch.LESSON)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.controller.evaluation_pending, timeout=3000)
    return window


def english_sources() -> set[str]:
    """Every source text of the .ts, without its "&" mnemonic."""
    return {plain(message.findtext("source") or "")
            for message in ET.parse(TS_FILE).getroot().iter("message")}


def plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def menu_texts(menu: QMenu, path: str) -> Iterator[tuple[str, str]]:
    """(where, text) of every entry of ``menu`` and of its submenus, recursively."""
    for action in menu.actions():
        if action.isSeparator():
            continue
        yield path, action.text()
        if action.menu() is not None:
            yield from menu_texts(action.menu(), f"{path} > {plain(action.text())}")


def visible_texts(window: MainWindow) -> Iterator[tuple[str, str]]:
    """(where, text) of every text the window's menus, docks and toolbars show."""
    for action in window.menuBar().actions():
        yield "menu bar", action.text()
        yield from menu_texts(action.menu(), plain(action.text()))
    for dock in window.findChildren(QDockWidget):
        yield "dock title", dock.windowTitle()
    for bar in window.findChildren(QToolBar):
        yield "toolbar title", bar.windowTitle()
        for action in bar.actions():
            if not action.isSeparator():
                yield "toolbar", action.text()
                yield "toolbar tip", action.toolTip()
    for parent in [*window.findChildren(QDockWidget), *window.findChildren(QToolBar)]:
        for button in parent.findChildren(QAbstractButton):
            yield type(button).__name__, button.text()
        for label in parent.findChildren(QLabel):
            yield "QLabel", label.text()
        for box in parent.findChildren(QGroupBox):
            yield "QGroupBox", box.title()
        for edit in parent.findChildren(QLineEdit):
            yield "placeholder", edit.placeholderText()
    tree = window.palette_dock.tree
    for row in range(tree.topLevelItemCount()):
        yield "palette category", tree.topLevelItem(row).text(0)
    view = window.view
    for menu in (node_menu(view, "a"), note_menu(view, window.controller.document.notes[0].id),
                 canvas_menu(view, view.mapToScene(0, 0))):
        yield from menu_texts(menu, "canvas menu")


def test_chinese_window_shows_no_english_source_text(qtbot, app, settings, windows) -> None:
    assert i18n.install_translator(app, i18n.CHINESE) == i18n.CHINESE
    window = make_window(qtbot, settings, windows)
    window.scene.select_ids(["a"])  # the inspector builds its form for one node
    sources = english_sources()
    seen = list(visible_texts(window))
    left = [(where, text) for where, text in seen
            if plain(text) in sources and plain(text) not in TORCH_VOCABULARY | SAME_IN_BOTH]
    assert left == []
    # nor any text that is English words without a translation in the catalogue
    untranslated = [(where, text) for where, text in seen
                    if re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", text) and not CJK.search(text)
                    and text not in TORCH_VOCABULARY]
    assert untranslated == []
    texts = {plain(text) for _where, text in seen}
    assert {"文件(F)", "编辑(E)", "视图(V)", "计算图(G)", "帮助(H)"} <= texts
    assert {"节点库", "属性", "历史记录", "训练", "代码", "反向计算图"} <= texts
    assert "张量" in texts and "损失函数" in texts  # palette categories
    assert window.windowTitle() == "lesson.cgraph[*] — CG Studio"


def test_language_menu_switches_live_and_keeps_the_document(qtbot, app, settings, windows) -> None:
    i18n.install_translator(app, i18n.ENGLISH)
    window = make_window(qtbot, settings, windows)
    controller = window.controller
    controller.set_field("w", "value", [3.0])
    qtbot.waitUntil(lambda: not controller.evaluation_pending, timeout=3000)
    history = controller.undo_stack.count()
    language = window.menu_actions
    assert [a.text() for a in window.language_menu.actions()] == ["English", "简体中文"]
    assert language["language_en"].isChecked()
    assert window.menuBar().actions()[0].text() == "&File"

    language["language_zh_CN"].trigger()
    chinese = next(w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible())
    windows.append(chinese)
    assert chinese is not window and not window.isVisible()
    assert chinese.menuBar().actions()[0].text() == "文件(&F)"
    assert chinese.menu_actions["language_zh_CN"].isChecked()
    assert settings.value(i18n.LANGUAGE_KEY) == "zh_CN"
    # the same document and undo history, in a window showing the same numbers
    assert chinese.controller is controller and controller.undo_stack.count() == history
    assert chinese.windowTitle() == "lesson.cgraph[*] — CG Studio"
    assert chinese.isWindowModified()
    assert chinese.scene.nodes["w"].value_text() == "value [3.]"
    # the old window is gone; editing after the switch reaches only the new one
    qtbot.waitUntil(lambda: not shiboken6.isValid(window), timeout=3000)
    controller.undo_stack.undo()
    qtbot.waitUntil(lambda: not controller.evaluation_pending, timeout=3000)
    assert chinese.scene.nodes["w"].value_text() == "value [1.]"
    assert chinese.scene.nodes["w"].grad_text() == "grad [5.]"

    english = i18n.switch_language(chinese, i18n.ENGLISH)
    windows.append(english)
    assert english.menuBar().actions()[0].text() == "&File"
    assert english.palette_dock.windowTitle() == "Palette"
    assert settings.value(i18n.LANGUAGE_KEY) == "en"
    assert english.controller is controller


def test_untitled_document_is_renamed_in_the_new_language(qtbot, app, settings, windows) -> None:
    i18n.install_translator(app, i18n.ENGLISH)
    window = make_window(qtbot, settings, windows)
    window.new_document()
    assert window.windowTitle() == "Untitled[*] — CG Studio"
    chinese = i18n.switch_language(window, i18n.CHINESE)
    windows.append(chinese)
    assert chinese.windowTitle() == "未命名[*] — CG Studio"


def test_english_is_the_default_for_a_non_chinese_locale(app) -> None:
    assert i18n.system_language(QLocale(QLocale.Language.German, QLocale.Country.Germany)) == "en"
    assert i18n.system_language(QLocale(QLocale.Language.English)) == "en"
    assert i18n.system_language(QLocale("zh_CN")) == "zh_CN"
    assert i18n.system_language(QLocale("zh_TW")) == "zh_CN"
    expected = i18n.system_language()
    assert i18n.install_translator(app, None) == expected
    title = QCoreApplication.translate("MainWindow", "&File")
    assert title == ("文件(&F)" if expected == "zh_CN" else "&File")


def test_install_translator_loads_ours_and_qts_own(app) -> None:
    assert i18n.install_translator(app, "zh_CN") == "zh_CN"
    assert i18n.current_language() == "zh_CN"
    assert QCoreApplication.translate("MainWindow", "&File") == "文件(&F)"
    assert QCoreApplication.translate("registry", "Losses") == "损失函数"
    assert QCoreApplication.translate("examples", "Linear regression") == "线性回归"
    # standard dialog buttons come from Qt's own qtbase_zh_CN.qm
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert i18n.install_translator(app, "en") == "en"
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def test_stored_language_accepts_only_known_languages(settings) -> None:
    assert i18n.stored_language(settings) is None
    settings.setValue(i18n.LANGUAGE_KEY, "fr")
    assert i18n.stored_language(settings) is None
    settings.setValue(i18n.LANGUAGE_KEY, "zh_CN")
    assert i18n.stored_language(settings) == "zh_CN"


def test_every_category_has_a_chinese_name(app) -> None:
    i18n.install_translator(app, "zh_CN")
    names = [QCoreApplication.translate("registry", category) for category in CATEGORIES]
    assert all(CJK.search(name) for name in names), names
    assert names[0] == "张量"


def test_catalogue_is_up_to_date_with_the_code() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "update_translations.py"),
                           "--check"], capture_output=True, text=True, check=False, timeout=120)
    assert done.stdout.strip().splitlines()[-1:] == ["translations are up to date"], done.stdout
    assert done.returncode == 0


def test_catalogue_translates_every_text_and_keeps_placeholders() -> None:
    messages = list(ET.parse(TS_FILE).getroot().iter("message"))
    assert len(messages) > 250
    for message in messages:
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None and translation.get("type") is None, source
        text = translation.text or ""
        assert text.strip(), source
        for placeholder in ("%1", "%2", "%3", "[*]", "\n"):
            assert text.count(placeholder) == source.count(placeholder), (source, text)
        assert ("&" in text) == ("&" in source), (source, text)


def test_autosave_follows_the_document_into_the_new_window(qtbot, app, settings,
                                                          windows) -> None:
    i18n.install_translator(app, i18n.ENGLISH)
    window = make_window(qtbot, settings, windows)
    saver = install_autosave(window, delay_ms=60_000)
    chinese = i18n.switch_language(window, i18n.CHINESE)
    windows.append(chinese)
    qtbot.waitUntil(lambda: not shiboken6.isValid(window), timeout=3000)
    assert saver.parent() is chinese
    chinese.controller.set_field("w", "value", [4.0])
    assert saver.pending
    assert saver.write_now()
    sidecar = json.loads(saver.sidecar_path.read_text(encoding="utf-8"))
    assert sidecar["source"] == chinese.path is None  # the lesson opens as an unsaved copy
    chinese._ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    chinese.new_document()  # the autosave's hooks on the controller still work
    assert not saver.swap_path.exists()


# ------------------------------------------------------------- evaluator messages
def test_every_evaluator_template_keeps_its_fields_in_chinese(app) -> None:
    """A translated template must name the same {fields}, or filling it in would fail."""
    from string import Formatter

    from PySide6.QtCore import QCoreApplication

    from app.evaluate.messages import TEMPLATES

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(text) if name}

    assert i18n.install_translator(app, i18n.CHINESE) == i18n.CHINESE
    for template in TEMPLATES:
        chinese = QCoreApplication.translate("evaluator", template)
        assert CJK.search(chinese), template
        assert fields(chinese) == fields(template), template


def test_a_card_shows_the_evaluators_note_in_the_interface_language(app) -> None:
    from app.canvas import GraphScene
    from app.controller import DocumentController
    from app.display.messages import localised
    from app.model import Node

    controller = DocumentController()
    scene = GraphScene(controller)
    controller.document.add_node(Node("w", "tensor", "w", value=[-1.0]))
    controller.document.add_node(Node("s", "sub", "s"))
    controller.document.add_node(Node("l", "log", "l"))
    controller.document.connect("w", "s", 0)
    controller.document.connect("w", "l", 0)
    controller.evaluate_now()
    english_error = controller.result.nodes["s"].error
    assert english_error == "input 'other' is not connected"
    assert scene.nodes["s"].error_text() == english_error
    assert scene.nodes["l"].warning_text() == "log of a negative number is nan, and log(0) is -inf"
    i18n.install_translator(app, i18n.CHINESE)
    assert scene.nodes["s"].error_text() == "输入 'other' 没有连线"
    assert scene.nodes["l"].warning_text() == "负数的 log 是 nan，log(0) 是 -inf"
    assert controller.result.nodes["s"].error == english_error  # the result itself stays English
    # a text from no template (the engine's own, in torch's words) is shown as it is
    assert localised("The size of tensor a (2) must match") == "The size of tensor a (2) must match"
