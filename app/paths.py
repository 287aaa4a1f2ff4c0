"""Where CG Studio's data files are: examples, icons, styles, translations (no Qt).

In a checkout they live in ``resources/`` beside ``app/``; an installed wheel carries the same
folder inside the package, as ``app/resources/`` (pyproject.toml maps one to the other). Paths
never depend on the current folder, so ``cgstudio`` works from anywhere.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _resources() -> Path:
    installed = _PACKAGE / "resources"
    return installed if installed.is_dir() else _PACKAGE.parent / "resources"


RESOURCES = _resources()
EXAMPLES_DIR = RESOURCES / "examples"
LESSON = EXAMPLES_DIR / "lesson.cgraph"
APP_ICON = RESOURCES / "icons" / "cgstudio.svg"
STYLESHEET = RESOURCES / "styles" / "app.qss"
TRANSLATIONS_DIR = RESOURCES / "translations"
CJK_FONT = RESOURCES / "fonts" / "CGStudioSansSC-Regular.otf"
