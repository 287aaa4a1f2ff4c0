"""Languages of the interface: English (the source texts) and Simplified Chinese.

Every visible string goes through Qt's translation system (``self.tr`` or
``QCoreApplication.translate``); the Chinese catalogue is resources/translations/
cgstudio_zh_CN.qm, built from the .ts by tools/update_translations.py. PyTorch's own vocabulary
(AddBackward0, is_leaf, requires_grad, grad, None, op names, code) stays in English, as the
lesson uses it. Texts kept in data rather than code are translated where they are shown: the
registry's category names and type descriptions in the context "registry", the example index's
titles and descriptions in "examples" (tools/update_translations.py extracts them).

``install_translator`` loads a language into the application before any window is built;
``install(window)`` adds View > Language, and choosing a language there stores it in QSettings
and rebuilds the window around the same controller (document, undo history and file name kept),
since widgets take their texts once, when they are built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QObject,
    QSettings,
    QTranslator,
)
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from app.autosave import Autosaver
from app.model.signals import Signal
from app.paths import TRANSLATIONS_DIR

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow

LANGUAGE_KEY = "ui/language"
ENGLISH = "en"
CHINESE = "zh_CN"
# each language named in itself, as language menus do: a user who cannot read the current
# language still finds their own.
LANGUAGE_NAMES = {ENGLISH: "English", CHINESE: "简体中文"}
CATALOGUE = "cgstudio"

# the translators in use, so that switching language removes exactly these
_installed: list[QTranslator] = []
_current = ENGLISH


def system_language(locale: QLocale | None = None) -> str:
    """CHINESE for a Chinese locale (any region or script), else ENGLISH.

    ``locale`` defaults to the system's.
    """
    locale = locale if locale is not None else QLocale.system()
    return CHINESE if locale.language() == QLocale.Language.Chinese else ENGLISH


def stored_language(settings: QSettings) -> str | None:
    """The language chosen in View > Language, or None to follow the system."""
    value = settings.value(LANGUAGE_KEY)
    return value if value in LANGUAGE_NAMES else None


def current_language() -> str:
    """The language installed last (ENGLISH until ``install_translator`` is called)."""
    return _current


def install_translator(app: QCoreApplication, language: str | None) -> str:
    """Translate the application into ``language`` (None: follow the system locale).

    Replaces any translation installed before. Loads our catalogue and Qt's own (the buttons
    of standard dialogs) when present; a missing catalogue leaves the English texts. Returns the
    language actually in use.
    """
    global _current
    wanted = language if language in LANGUAGE_NAMES else system_language()
    while _installed:
        app.removeTranslator(_installed.pop())
    _current = ENGLISH
    if wanted == ENGLISH:
        return _current
    ours = QTranslator(app)
    if not ours.load(f"{CATALOGUE}_{wanted}", str(TRANSLATIONS_DIR)):
        return _current
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for translator in (ours, QTranslator(app)):
        if translator is ours or translator.load(f"qtbase_{wanted}", qt_dir):
            app.installTranslator(translator)
            _installed.append(translator)
    _current = wanted
    return _current


def install(window: MainWindow) -> QMenu:
    """Add View > Language (English / 简体中文) to ``window``; returns the submenu."""
    submenu = QMenu(QCoreApplication.translate("MainWindow", "&Language"), window)
    group = QActionGroup(submenu)
    for language, name in LANGUAGE_NAMES.items():
        action = QAction(name, submenu)
        action.setCheckable(True)
        action.setChecked(language == _current)
        action.triggered.connect(lambda _on=False, lang=language: switch_language(window, lang))
        group.addAction(action)
        submenu.addAction(action)
        window.register_action(f"language_{language}", action)
    window.add_to_menu("view", "language", submenu)
    return submenu


def switch_language(window: MainWindow, language: str) -> MainWindow:
    """Remember ``language``, install it and rebuild the window; returns the window now shown."""
    if language == _current or language not in LANGUAGE_NAMES:
        return window
    # an untitled document's name is a translated text: let the new window translate it anew
    default_name = window.path is None and window.display_name == QCoreApplication.translate(
        "MainWindow", "Untitled")
    window.settings.setValue(LANGUAGE_KEY, language)
    app = QCoreApplication.instance()
    if app is not None:
        install_translator(app, language)
    return rebuild_window(window, None if default_name else window.display_name)


def rebuild_window(old: MainWindow, display_name: str | None) -> MainWindow:
    """A new window around ``old``'s controller, in the current language, in ``old``'s place.

    The document, its undo history, file name and autosave carry over, and so do the window's
    geometry and dock layout; ``old`` is hidden and deleted without asking to save (nothing is
    lost: the document lives on in the new window).
    """
    controller = old.controller
    geometry, state = old.saveGeometry(), old.saveState()
    if old.presentation.active:
        old.presentation.set_active(False)  # it changes the application's palette
    new = type(old)(controller=controller, settings=old.settings)
    if controller.parent() is old:
        controller.setParent(new)
    saver = old.findChild(Autosaver)
    if saver is not None:
        # keeps its swap file and its connections to the controller; it now names new's file
        saver.setParent(new)
        saver.set_source_path(lambda: new.path)
    _release_document(old)
    new.set_document_path(old.path, display_name)
    new.restoreGeometry(geometry)
    new.restoreState(state)
    if old.isVisible():
        new.show()
    old.hide()
    old.deleteLater()
    return new


def _release_document(old: MainWindow) -> None:
    """Disconnect ``old``'s widgets from the document's (and its code's) plain-Python signals.

    Qt drops a deleted object's Qt connections by itself; the model's own Signal does not, and
    would go on calling into the deleted widgets at the next edit.
    """
    owned = {id(child) for child in old.findChildren(QObject)}
    owned |= {id(old), id(old.scene)}
    # the document's signals, and those of the code typed for it (the Code dock listens)
    for owner in (old.controller.document, old.controller.code):
        for signal in vars(owner).values():
            if not isinstance(signal, Signal):
                continue
            for slot in signal.slots():
                if id(getattr(slot, "__self__", None)) in owned:
                    signal.disconnect(slot)
    # the scene has no parent widget; without its connections it has no more work to do
    old.scene.deleteLater()
