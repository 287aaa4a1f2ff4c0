"""Chinese shows as Chinese, not boxes, on a machine without CJK fonts (app/ui/fonts.py).

The bundled font must hold every Chinese character the app shows; on a Linux machine whose
fonts have no CJK glyphs (made here with a fontconfig file that lists only DejaVu) the app loads
it and Qt's fallback draws every character with it; where an installed font writes Chinese, the
app leaves it alone.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtGui import QRawFont

from app.paths import CJK_FONT, EXAMPLES_DIR, TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parent.parent
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def shown_characters() -> set[str]:
    """Every CJK character of the translations, the examples and the app's own texts."""
    texts = [m for ts in TRANSLATIONS_DIR.glob("*.ts")
             for m in re.findall(r"<translation[^>]*>(.*?)</translation>", ts.read_text("utf-8"),
                                 flags=re.S)]
    texts += [path.read_text("utf-8") for path in EXAMPLES_DIR.iterdir()]
    texts += [path.read_text("utf-8") for path in (ROOT / "app").rglob("*.py")]
    return {ch for text in texts for ch in text if "\u2e80" <= ch <= "\uffef"}


def test_the_bundled_font_holds_every_chinese_character_the_app_shows(qapp) -> None:
    font = QRawFont(str(CJK_FONT), 12)
    assert font.isValid() and font.familyName() == "CG Studio Sans SC"
    wanted = shown_characters()
    assert len(wanted) > 300  # the catalogue and the notes: a real sample, not an empty set
    missing = sorted(ch for ch in wanted if not font.supportsCharacter(ord(ch)))
    assert missing == []
    assert CJK_FONT.stat().st_size < 4_000_000
    assert (CJK_FONT.parent / "OFL.txt").read_text("utf-8").count("SIL OPEN FONT LICENSE") == 1


PROBE = textwrap.dedent("""
    import json, sys
    from PySide6.QtGui import QFont, QTextLayout
    from PySide6.QtWidgets import QApplication
    from app.ui.fonts import ensure_cjk_font, installed_cjk_families

    def glyphs(text):
        layout = QTextLayout(text, QFont())
        layout.beginLayout(); layout.createLine(); layout.endLayout()
        return [(run.rawFont().familyName(), list(run.glyphIndexes()))
                for run in layout.glyphRuns()]

    app = QApplication([])
    text = "梯度 反向传播 计算图"
    report = {"installed": installed_cjk_families(), "before": glyphs(text)}
    report["loaded"] = ensure_cjk_font()
    report["after"] = glyphs(text)
    print(json.dumps(report))
""")


def run_probe(env: dict[str, str]) -> dict:
    ran = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env})
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


@pytest.mark.skipif(not (sys.platform.startswith("linux") and DEJAVU.is_dir()),
                    reason="needs fontconfig and DejaVu (a Linux machine)")
def test_without_cjk_fonts_the_bundled_font_draws_chinese(tmp_path: Path) -> None:
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><fontconfig><dir>{DEJAVU}</dir>'
                      f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>", "utf-8")
    report = run_probe({"FONTCONFIG_FILE": str(config)})
    assert report["installed"] == []
    # what a student saw before: the .notdef glyph (0), a box, for every Chinese character
    assert all(0 in indexes for _, indexes in report["before"])
    assert report["loaded"] == "CG Studio Sans SC"
    chinese_runs = [(family, indexes) for family, indexes in report["after"]
                    if family == "CG Studio Sans SC"]
    assert chinese_runs and all(0 not in indexes for _, indexes in report["after"])


def test_an_installed_chinese_font_is_left_alone() -> None:
    report = run_probe({})
    if not report["installed"]:
        pytest.skip("this machine has no installed Chinese font")
    assert report["loaded"] is None
    assert all(0 not in indexes for _, indexes in report["after"])
