"""Make resources/fonts/CGStudioSansSC-Regular.otf: the Chinese glyphs CG Studio shows, and no more.

    pip install fonttools && python tools/subset_cjk_font.py NotoSansCJK-Regular.ttc

A Linux machine without a CJK font shows the Chinese interface and the bilingual notes as boxes.
The app then loads this font (app/ui/fonts.py). It is a subset of Noto Sans CJK SC (SIL Open Font
License 1.1, resources/fonts/OFL.txt), taken from Debian's fonts-noto-cjk package
(``apt-get download fonts-noto-cjk``, then ``dpkg-deb -x``), holding:

- every character of the translation catalogue, the examples and the app's own texts;
- the 3,755 common characters of GB 2312 level 1 and its punctuation and full-width forms, so
  that what a teacher types into a note shows too;
- ASCII, so that a line of mixed text keeps one look.

A modified version may not use the original's reserved font name, so the subset is renamed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "fonts" / "CGStudioSansSC-Regular.otf"
FAMILY = "CG Studio Sans SC"
SOURCE_FACE = "Noto Sans CJK SC"  # the face inside the collection


def gb2312(first_row: int, last_row: int) -> set[str]:
    """The characters of GB 2312 rows ``first_row``..``last_row`` (row 16-55: level 1 hanzi)."""
    found: set[str] = set()
    for row in range(first_row, last_row + 1):
        for cell in range(1, 95):
            try:
                found.add(bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def texts_in_project() -> set[str]:
    """Every non-ASCII character in the catalogue, the examples and the app's sources."""
    files = [*(ROOT / "resources" / "translations").glob("*.ts"),
             *(ROOT / "resources" / "examples").iterdir(), *(ROOT / "app").rglob("*.py")]
    return {ch for path in files for ch in path.read_text("utf-8") if ord(ch) > 127}


def characters() -> str:
    wanted = texts_in_project() | gb2312(1, 9) | gb2312(16, 55)
    wanted |= {chr(c) for c in range(0x20, 0x7F)}
    return "".join(sorted(wanted))


def source_font(path: Path) -> TTFont:
    if path.suffix.lower() == ".ttc":
        for font in TTCollection(str(path)).fonts:
            if font["name"].getDebugName(1) == SOURCE_FACE:
                return font
        raise SystemExit(f"{path} has no face named {SOURCE_FACE!r}")
    return TTFont(str(path))


def rename(font: TTFont) -> None:
    """Give the subset a name of its own (OFL: modified versions drop the original's name)."""
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 4:
            record.string = f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "") + "-Regular"
        elif record.nameID == 3:
            record.string = f"{FAMILY.replace(' ', '')}-Regular;subset of {SOURCE_FACE}"
    if "CFF " in font:  # the PostScript name inside the CFF table, too
        cff = font["CFF "].cff
        cff.fontNames = [FAMILY.replace(" ", "") + "-Regular"]
        top = cff.topDictIndex[0]
        top.FamilyName = FAMILY
        top.FullName = f"{FAMILY} Regular"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoSansCJK-Regular.ttc (or an SC .otf)")
    args = parser.parse_args(argv)
    font = source_font(args.source)
    text = characters()
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    rename(font)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    print(f"{OUT.relative_to(ROOT)}: {len(text)} characters, {OUT.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
