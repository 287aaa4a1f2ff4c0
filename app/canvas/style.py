"""Colours, fonts and sizes of the canvas, derived from the application's QPalette.

The canvas reads the palette each time it paints (through :func:`canvas_colours`, cached per
palette), so switching the app to a dark theme turns the cards dark without rebuilding any item.
Font sizes are in points at 100% zoom; numbers are 11 pt or larger so that they stay legible from
the back of a classroom.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPalette, QTextOption

NODE_MIN_WIDTH = 190.0
NODE_MAX_WIDTH = 320.0
HEADER_HEIGHT = 32.0
PORT_ROW_HEIGHT = 20.0
PORT_RADIUS = 6.0
#: How far from a port's centre a press or a drop still counts as on the port.
PORT_HIT_RADIUS = 11.0
#: On screen, a port takes presses and drops this far from its centre, at any zoom.
PORT_HIT_PX = 14.0
PADDING = 10.0
CORNER_RADIUS = 9.0
GRID_SIZE = 20.0

LABEL_POINT_SIZE = 14.0
TEXT_POINT_SIZE = 11.0
SMALL_POINT_SIZE = 9.5


@dataclass(frozen=True)
class CanvasColours:
    """Every colour the canvas paints with, for one (light or dark) palette."""

    dark: bool
    background: QColor
    grid: QColor
    card: QColor
    text: QColor
    muted: QColor
    outline: QColor
    selection: QColor
    output: QColor
    error: QColor
    warning: QColor
    wire: QColor
    wire_hover: QColor
    pill: QColor
    pill_text: QColor
    note: QColor
    note_text: QColor
    #: Header fill and accent per node kind: "tensor", "scalar", "op".
    headers: dict[str, QColor]
    accents: dict[str, QColor]


def centred() -> QTextOption:
    """Text option for ``QPainter.drawText(rect, text, option)``, centred in the rect.

    The canvas uses this overload rather than ``drawText(rect, int flags, text)``, whose
    binding corrupts the reference count of None when called thousands of times.
    """
    return QTextOption(Qt.AlignmentFlag.AlignCenter)


def wrapped() -> QTextOption:
    """Text option for left-aligned text wrapped at word boundaries."""
    option = QTextOption(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    return option


def snap_to_grid(point: QPointF) -> QPointF:
    """The grid point nearest to ``point``."""
    return QPointF(round(point.x() / GRID_SIZE) * GRID_SIZE,
                   round(point.y() / GRID_SIZE) * GRID_SIZE)


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


@lru_cache(maxsize=4)
def _colours(dark: bool, highlight: str) -> CanvasColours:
    if dark:
        return CanvasColours(
            dark=True, background=QColor("#1b1c1f"), grid=QColor("#26282c"),
            card=QColor("#2a2c31"), text=QColor("#f2f2f2"), muted=QColor("#9ba0a8"),
            outline=QColor("#4a4e56"), selection=QColor(highlight), output=QColor("#ff9f43"),
            error=QColor("#ff6b6b"), warning=QColor("#ffc857"), wire=QColor("#8d939c"),
            wire_hover=QColor(highlight), pill=QColor("#3a2f52"), pill_text=QColor("#e3d4ff"),
            note=QColor("#4a4424"), note_text=QColor("#f5ecc2"),
            headers={"tensor": QColor("#1f3b66"), "scalar": QColor("#4f4220"),
                     "op": QColor("#1f4733")},
            accents={"tensor": QColor("#6ea8fe"), "scalar": QColor("#f2c14e"),
                     "op": QColor("#5fd08a")},
        )
    return CanvasColours(
        dark=False, background=QColor("#f7f7f5"), grid=QColor("#e6e6e2"),
        card=QColor("#ffffff"), text=QColor("#111111"), muted=QColor("#5c6068"),
        outline=QColor("#b9bcc2"), selection=QColor(highlight), output=QColor("#e8590c"),
        error=QColor("#c92a2a"), warning=QColor("#a35f00"), wire=QColor("#6b7078"),
        wire_hover=QColor(highlight), pill=QColor("#efe6ff"), pill_text=QColor("#4b2a8a"),
        note=QColor("#fff4b8"), note_text=QColor("#3b3000"),
        headers={"tensor": QColor("#dce8fc"), "scalar": QColor("#fbefcf"),
                 "op": QColor("#daf2e1")},
        accents={"tensor": QColor("#2f6fd6"), "scalar": QColor("#c58f00"),
                 "op": QColor("#2b9a52")},
    )


_current: tuple[int, CanvasColours] | None = None


def canvas_colours() -> CanvasColours:
    """The colours for the application's current palette (light or dark).

    Every card and wire asks for them when painted, so they are kept while the palette (its
    cache key) stays the same.
    """
    global _current
    palette = QGuiApplication.palette()
    key = palette.cacheKey()
    if _current is None or _current[0] != key:
        _current = (key, _colours(_is_dark(palette),
                                  palette.color(QPalette.ColorRole.Highlight).name()))
    return _current[1]


def font(point_size: float, *, bold: bool = False, mono: bool = False) -> QFont:
    """A canvas font: the application's family (or the fixed-pitch one) at ``point_size``."""
    result = QFont(QGuiApplication.font())
    if mono:
        result.setFamilies(["DejaVu Sans Mono", "Menlo", "Consolas", "monospace"])
        result.setStyleHint(QFont.StyleHint.Monospace)
    result.setPointSizeF(point_size)
    result.setBold(bold)
    return result


class Fonts:
    """The canvas fonts and their metrics, made once (QFontMetricsF is not free)."""

    def __init__(self) -> None:
        self.label = font(LABEL_POINT_SIZE, bold=True)
        self.label_metrics = QFontMetricsF(self.label)
        self.type = font(SMALL_POINT_SIZE)
        self.type_metrics = QFontMetricsF(self.type)
        self.numbers = font(TEXT_POINT_SIZE, mono=True)
        self.numbers_metrics = QFontMetricsF(self.numbers)
        self.text = font(TEXT_POINT_SIZE)
        self.text_metrics = QFontMetricsF(self.text)
        self.small = font(SMALL_POINT_SIZE, bold=True)
        self.small_metrics = QFontMetricsF(self.small)
        self.line = float(self.numbers_metrics.lineSpacing())
        self.char_width = float(self.numbers_metrics.horizontalAdvance("0"))
        self.ascent = float(self.numbers_metrics.ascent())


@lru_cache(maxsize=1)
def fonts() -> Fonts:
    """The shared canvas fonts (made on first use, once a QGuiApplication exists)."""
    return Fonts()
