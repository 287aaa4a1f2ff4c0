"""Classroom display aids of the main window: the numeric gradient check and presentation mode.

``install(window)`` adds two checkable actions to the View menu:

* "Check Gradients Numerically": every leaf card that requires grad shows, under its grad, the
  finite-difference estimate of the same gradient (``app.teach.gradcheck``) and whether the two
  agree, e.g. "numeric [5.] ✓" or "numeric [0.5000] ✗ differs by 0.5". It is recomputed after
  each evaluation of the document.
* "Presentation Mode" (F11; Esc leaves it too): full screen, docks and toolbars hidden, a
  high-contrast palette, a larger font for the menus, and the canvas zoomed so that the smallest
  number on a card is at least ``MIN_NUMBER_PX`` tall on the screen in use, as large as the
  whole graph allows when it fits (on every open and every walkthrough step); a graph too large
  for that follows the walkthrough's current node instead. Leaving puts everything back.
* "Black Screen" (B or ".", the keys a presenter clicker's blank button sends): the window
  turns black until any key or click, as slide software does while the class looks elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, Qt
from PySide6.QtGui import (
    QAction,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPalette,
    QShortcut,
    QTransform,
)
from PySide6.QtWidgets import QApplication, QDockWidget, QToolBar, QWidget

from app.display import card_text as text
from app.teach.gradcheck import NumericCheck, numeric_gradients
from app.ui.themes import palette_from

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow

#: The application font is this much larger while presenting (menus, status bar).
FONT_SCALE = 1.5
#: Fitting the graph to the screen magnifies up to this much (the canvas fonts grow with it).
MAX_PRESENTATION_ZOOM = 3.0
#: The smallest number on a card is at least this tall on the screen while presenting (logical
#: pixels: the font's size in pixels, times the zoom), readable from the back of a room.
MIN_NUMBER_PX = 24.0
_FIT_MARGIN = 30.0
#: The estimate is rounded to this many decimals for display: central differences with
#: eps = 1e-3 are accurate to about 1e-6, so further digits are noise.
_SHOWN_DECIMALS = 6

#: Black on white with saturated accents: what stays readable on a washed-out projector.
_HIGH_CONTRAST: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.Window: "#ffffff",
    QPalette.ColorRole.WindowText: "#000000",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f0f0f0",
    QPalette.ColorRole.Text: "#000000",
    QPalette.ColorRole.PlaceholderText: "#404040",
    QPalette.ColorRole.Button: "#ffffff",
    QPalette.ColorRole.ButtonText: "#000000",
    QPalette.ColorRole.BrightText: "#c00000",
    QPalette.ColorRole.ToolTipBase: "#ffffe0",
    QPalette.ColorRole.ToolTipText: "#000000",
    QPalette.ColorRole.Highlight: "#0040c0",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#0000d0",
    QPalette.ColorRole.Light: "#ffffff",
    QPalette.ColorRole.Midlight: "#e0e0e0",
    QPalette.ColorRole.Mid: "#808080",
    QPalette.ColorRole.Dark: "#404040",
    QPalette.ColorRole.Shadow: "#000000",
}


def high_contrast_palette() -> QPalette:
    """The palette of presentation mode (the canvas draws its light colours from it)."""
    return palette_from(_HIGH_CONTRAST)


def numeric_check_text(check: NumericCheck | None) -> str:
    """The line a leaf card shows for its numeric check ("" when there is none)."""
    if check is None:
        return ""
    if not check.checked:
        return QCoreApplication.translate("NumericCheck", "no numeric check: %1").replace(
            "%1", check.note)
    # float32 prints as torch prints a .grad; adding 0.0 turns a rounded -0. into 0.
    estimate = np.round(np.asarray(check.estimate), _SHOWN_DECIMALS).astype(np.float32) + 0.0
    shown = (text.tensor_body(estimate) + " " if text.shows_in_full(estimate.shape)
             and estimate.size else "")
    if check.ok:
        if shown:
            return QCoreApplication.translate("NumericCheck", "numeric %1✓").replace("%1", shown)
        return QCoreApplication.translate("NumericCheck", "numeric ✓ · max diff %1").replace(
            "%1", f"{check.max_abs_diff:.1g}")
    return (QCoreApplication.translate("NumericCheck", "numeric %1✗ differs by %2")
            .replace("%1", shown)
            .replace("%2", f"{check.max_abs_diff:.2g}"))


class NumericCheckDisplay(QObject):
    """Shows the numeric gradient check on the leaf cards while its action is checked."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.checks: dict[str, NumericCheck] = {}
        self.action = QAction(self.tr("Check Gradients &Numerically"), window)
        self.action.setCheckable(True)
        self.action.setStatusTip(self.tr("Show beside each leaf's grad a finite-difference "
                                         "estimate of it and whether the two agree"))
        self.action.toggled.connect(self.refresh)
        window.controller.evaluated.connect(self.refresh)

    @property
    def enabled(self) -> bool:
        return self.action.isChecked()

    def refresh(self) -> None:
        """Recompute the check for the latest evaluation and give the cards their lines: those
        checked now and those checked before (with the check off, an edit of a 5,000-node graph
        touches no card here)."""
        controller = self.window.controller
        previous, self.checks = self.checks, {}
        if self.enabled and controller.result is not None:
            try:
                self.checks = numeric_gradients(controller.document, result=controller.result)
            except Exception as exc:  # an engine bug must not take the lesson down with it
                controller.message.emit(self.tr("Numeric gradient check failed: %1")
                                        .replace("%1", str(exc)))
        cards = self.window.scene.nodes
        for node_id in previous.keys() | self.checks.keys():
            if (item := cards.get(node_id)) is not None:
                item.set_numeric_text(numeric_check_text(self.checks.get(node_id)))


class BlackScreen(QWidget):
    """A black cover over the whole window; any key or click takes it away."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
        self.setPalette(palette)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.hide()
        self.action = QAction(self.tr("&Black Screen"), window)
        self.action.setCheckable(True)
        self.action.setShortcuts([QKeySequence(Qt.Key.Key_B), QKeySequence(Qt.Key.Key_Period)])
        self.action.toggled.connect(self.set_shown)
        window.installEventFilter(self)

    def set_shown(self, on: bool) -> None:
        self.action.setChecked(on)
        if on:
            self.setGeometry(self.window.rect())
            self.show()
            self.raise_()
            self.setFocus()
        else:
            self.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.set_shown(False)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.set_shown(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.window.rect())
        return super().eventFilter(watched, event)


class PresentationMode(QObject):
    """Full screen, high contrast, large: the window as a class sees it on the projector."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.active = False
        self.action = QAction(self.tr("&Presentation Mode"), window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.action.setIconText(self.tr("Presentation Mode"))
        self.action.toggled.connect(self.set_active)
        self.escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self.escape.setEnabled(False)
        self.escape.activated.connect(lambda: self.set_active(False))
        self._hidden: list[QWidget] = []
        self._front: list[QWidget] = []
        self._state = Qt.WindowState.WindowNoState
        self._font: QFont | None = None
        self._view: tuple[QTransform, QPointF] | None = None
        #: whether the whole graph is on the screen at a readable size (else it follows the
        #: walkthrough); a new document is fitted once it has been evaluated
        self.fits = True
        self._refit = False
        window.controller.document_replaced.connect(self._document_replaced)
        window.controller.evaluated.connect(self._evaluated)
        # a window closed while presenting saves its normal layout, not the presentation one
        window.installEventFilter(self)
        # the canvas reaches its full-screen size only after the window system has answered and
        # the hidden docks have given up their room: fit again on each resize while presenting
        window.view.viewport().installEventFilter(self)

    def set_active(self, on: bool) -> None:
        if on == self.active:
            return
        self.active = on
        self.action.setChecked(on)
        self.escape.setEnabled(on)
        if on:
            self._enter()
        else:
            self._leave()

    def _enter(self) -> None:
        window, view = self.window, self.window.view
        self._state = window.windowState()
        self._view = (view.transform(), view.mapToScene(view.viewport().rect().center()))
        self._hidden = [bar for bar in self._bars() if bar.toggleViewAction().isChecked()]
        # of docks sharing a tab group only the front one is on screen; it is brought back there
        self._front = [bar for bar in self._hidden if not bar.visibleRegion().isEmpty()]
        for bar in self._hidden:
            bar.hide()
        app = QApplication.instance()
        self._font = QFont(QGuiApplication.font())
        bigger = QFont(self._font)
        bigger.setPointSizeF(self._font.pointSizeF() * FONT_SCALE)
        app.setFont(bigger)
        app.setPalette(high_contrast_palette())
        # widgets styled by the application's style sheet take a new font and palette only
        # when the sheet is set again
        app.setStyleSheet(app.styleSheet())
        window.showFullScreen()
        self.fit()

    def _leave(self) -> None:
        window, view = self.window, self.window.view
        window.setWindowState(self._state)
        app = QApplication.instance()
        if self._font is not None:
            app.setFont(self._font)
        app.setStyleSheet(app.styleSheet())
        window.apply_theme(window.theme)
        for bar in self._hidden:
            bar.show()
        for bar in self._front:
            bar.raise_()
        self._hidden, self._front = [], []
        if self._view is not None:
            transform, centre = self._view
            view.setTransform(transform)
            view.centerOn(centre)

    def _bars(self) -> list[QWidget]:
        """The window's docks and toolbars."""
        direct = Qt.FindChildOption.FindDirectChildrenOnly
        return [*self.window.findChildren(QDockWidget, options=direct),
                *self.window.findChildren(QToolBar, options=direct)]

    def number_zoom(self) -> float:
        """The zoom at which the smallest number on any card is ``MIN_NUMBER_PX`` tall."""
        view = self.window.view
        fonts = {font.key(): font for item in view.graph_scene.nodes.values()
                 for font in item.number_fonts()}
        smallest = min((font.pointSizeF() * view.logicalDpiY() / 72.0
                        for font in fonts.values()), default=0.0)
        return MIN_NUMBER_PX / smallest if smallest > 0 else 1.0

    def fit(self) -> None:
        """Zoom the canvas so that its numbers read from the back of the room: the whole graph,
        as large as the screen allows, when it fits at that size; else the part around the
        walkthrough's current node (the inputs' side of the graph when there is none)."""
        if not self.active:
            return
        view = self.window.view
        rect = view.graph_scene.itemsBoundingRect()
        if rect.isEmpty():
            return
        rect = rect.adjusted(-_FIT_MARGIN, -_FIT_MARGIN, _FIT_MARGIN, _FIT_MARGIN)
        viewport = view.viewport().rect()
        factor = min(viewport.width() / rect.width(), viewport.height() / rect.height())
        readable = self.number_zoom()
        self.fits = factor >= readable
        view.resetTransform()
        view.set_zoom(min(factor, max(MAX_PRESENTATION_ZOOM, readable)) if self.fits
                      else readable)
        if self.fits:
            view.centerOn(rect.center())
        elif not self.follow():
            # the inputs first: a graph is read, and a forward pass runs, from the top left
            width, height = viewport.width() / view.zoom(), viewport.height() / view.zoom()
            view.centerOn(rect.left() + width / 2 if rect.width() > width else rect.center().x(),
                          rect.top() + height / 2 if rect.height() > height
                          else rect.center().y())

    def follow(self) -> bool:
        """Keep the walkthrough's current node, and the wires of its step, in sight (when the
        graph is too large to show whole); False when no node is current."""
        if not self.active:
            return False
        view = self.window.view
        scene = view.graph_scene
        cards = [item for item in scene.nodes.values() if item.highlight == "current"]
        if not cards:
            return False
        if self.fits:
            return True
        card = cards[0].sceneBoundingRect()
        step = card
        for wire in scene.edges.values():
            if wire.highlight == "current":
                step = step.united(wire.sceneBoundingRect())
                if wire.grad is not None:
                    step = step.united(wire.pill_box())
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        room = shown.adjusted(_FIT_MARGIN, _FIT_MARGIN, -_FIT_MARGIN, -_FIT_MARGIN)
        if step.width() <= room.width() and step.height() <= room.height():
            view.centerOn(step.center())
            return True
        # the card at the right, with as much as fits of the wires into it on its left: its
        # inputs, where the gradient goes next (and where its values came from)
        x = card.right() + _FIT_MARGIN - shown.width() / 2 \
            if card.width() <= room.width() else card.center().x()
        y = step.center().y() if step.height() <= room.height() else card.center().y()
        view.centerOn(x, y)
        return True

    def _document_replaced(self, _document: object) -> None:
        self._refit = self.active  # once the new graph's cards have their numbers

    def _evaluated(self, _result: object) -> None:
        if self._refit:
            self._refit = False
            self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.active:
            if watched is self.window and event.type() == QEvent.Type.Close:
                self.set_active(False)
            elif event.type() == QEvent.Type.Resize:
                self.fit()
        return super().eventFilter(watched, event)


def install(window: MainWindow) -> tuple[NumericCheckDisplay, PresentationMode]:
    """Add the numeric check, presentation mode and the black screen to ``window``, their
    actions to the View menu's teaching aids."""
    numeric = NumericCheckDisplay(window)
    presentation = PresentationMode(window)
    presentation.black = BlackScreen(window)
    window.register_action("numeric_check", numeric.action)
    window.register_action("presentation", presentation.action)
    window.register_action("black_screen", presentation.black.action)
    window.add_to_menu("view", "teaching", numeric.action, presentation.action,
                       presentation.black.action)
    # the canvas shortcuts must work while a dock has the focus, so the window holds the actions
    window.addActions([presentation.action, presentation.black.action])
    return numeric, presentation
