"""Colour themes: follow the system colour scheme, or force light or dark.

The app always uses the Fusion style, which draws every widget from the QPalette, so one palette
per theme is the whole theme. The choice is stored in QSettings under ``THEME_KEY``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES: tuple[str, ...] = ("system", "light", "dark")
THEME_KEY = "ui/theme"

_DARK_COLOURS: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.Window: "#2b2d31",
    QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#1f2023",
    QPalette.ColorRole.AlternateBase: "#2f3136",
    QPalette.ColorRole.ToolTipBase: "#3a3d43",
    QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.PlaceholderText: "#8a8d93",
    QPalette.ColorRole.Text: "#e8e8e8",
    QPalette.ColorRole.Button: "#34373c",
    QPalette.ColorRole.ButtonText: "#e8e8e8",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#4a4d53",
    QPalette.ColorRole.Midlight: "#3d4046",
    QPalette.ColorRole.Mid: "#2a2c30",
    QPalette.ColorRole.Dark: "#18191b",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Highlight: "#3d7fd9",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6ea8fe",
    QPalette.ColorRole.LinkVisited: "#b197fc",
}


def palette_from(colours: dict[QPalette.ColorRole, str]) -> QPalette:
    """A palette with these colours (hex names) for these roles, Qt's defaults elsewhere."""
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    return palette


def dark_palette() -> QPalette:
    """A dark palette with enough contrast for a classroom projector."""
    palette = palette_from(_DARK_COLOURS)
    disabled = QColor("#7a7d83")
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def light_palette() -> QPalette:
    """Fusion's own light palette."""
    style = QStyleFactory.create("Fusion")
    return style.standardPalette()


def system_prefers_dark() -> bool:
    """True when the desktop asks for a dark colour scheme (Qt 6.5+ style hints)."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def effective_theme(theme: str) -> str:
    """"light" or "dark": what ``theme`` means on this desktop right now."""
    if theme == "system":
        return "dark" if system_prefers_dark() else "light"
    return theme


_FUSION_SET = "cgstudio_fusion_style"


def apply_theme(app: QApplication, theme: str) -> str:
    """Give the application the Fusion style and the palette of ``theme``; returns "light"/"dark".

    An unknown theme name (say, from a hand-edited settings file) falls back to "system".
    """
    if theme not in THEMES:
        theme = "system"
    # set once: with the style sheet applied, app.style() is Qt's style-sheet proxy (whose name
    # is ""), and setting Fusion again would rebuild the style and re-polish every widget
    if not app.property(_FUSION_SET):
        app.setStyle("Fusion")
        app.setProperty(_FUSION_SET, True)
    resolved = effective_theme(theme)
    app.setPalette(dark_palette() if resolved == "dark" else light_palette())
    return resolved
