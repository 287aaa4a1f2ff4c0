"""Chinese text without boxes: load the bundled CJK font where no installed font has the glyphs.

Windows and macOS always have a Simplified Chinese font; many Linux machines do not, and there
the Chinese interface and the examples' bilingual notes would show boxes. ``ensure_cjk_font()``,
called once when the application starts, asks Qt's font database whether any installed family
writes Simplified Chinese; only if none does it loads resources/fonts/CGStudioSansSC-Regular.otf
(a 2 MB subset of Noto Sans CJK SC, OFL; tools/subset_cjk_font.py), which Qt's font fallback
then uses for every CJK character, in every family the app draws with.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase

from app.paths import CJK_FONT

_loaded: list[str] = []  # the bundled family, once loaded (a font is registered once a process)


def installed_cjk_families() -> list[str]:
    """The installed families that can write Simplified Chinese (not counting ours)."""
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    return [family for family in families if family not in _loaded]


def ensure_cjk_font() -> str | None:
    """Load the bundled CJK font if no installed font writes Simplified Chinese.

    Returns the family now used for Chinese that was not there before (the bundled one), or
    None when an installed font already covers it (or the bundled file cannot be read)."""
    if _loaded:
        return _loaded[0]
    if installed_cjk_families():
        return None
    font_id = QFontDatabase.addApplicationFont(str(CJK_FONT))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    _loaded.append(families[0])
    return families[0]
