"""Refresh the Chinese translation: extract the texts of app/ into the .ts, compile the .qm.

    python tools/update_translations.py           # lupdate app/**/*.py -> .ts, lrelease -> .qm
    python tools/update_translations.py --check   # report what is out of date; writes nothing

The update merges new source texts into resources/translations/cgstudio_zh_CN.ts (existing
translations are kept, texts no longer in the code are dropped) and compiles the .qm next to it.
Texts kept in data are extracted too, as if the code listed them with QT_TRANSLATE_NOOP: the
registry's category names and type descriptions (context "registry"), the evaluator's message
templates (context "evaluator") and the titles and descriptions of resources/examples/index.json
(context "examples").
New texts arrive marked "unfinished": translate them in the .ts (Qt Linguist or any editor) and
run the update again. ``--check`` exits 1 and names every text the .ts lacks, every unfinished or
empty translation, and a .qm that is not the compiled .ts; it is run by tests/test_i18n.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6 import QtCore

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.evaluate.messages import TEMPLATES as EVALUATOR_TEMPLATES  # noqa: E402
from app.registry import CATEGORIES, NODE_TYPES  # noqa: E402  (needs ROOT on the path)
from app.ui.gallery import read_index  # noqa: E402

SOURCES = ROOT / "app"
EXAMPLES = ROOT / "resources" / "examples"
TRANSLATIONS = ROOT / "resources" / "translations"
TS_FILE = TRANSLATIONS / "cgstudio_zh_CN.ts"
QM_FILE = TS_FILE.with_suffix(".qm")

Message = tuple[str, str]  # (context, source text)


def qt_tool(name: str) -> str:
    """Path of PySide6's ``lupdate`` or ``lrelease``.

    The binaries ship inside the PySide6 package; the ``pyside6-*`` wrappers on PATH are the
    fallback (they need an importable PySide6/__init__.py, which some installs lack).
    """
    folder = Path(QtCore.__file__).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.is_file():
            return str(candidate)
    wrapper = shutil.which(f"pyside6-{name}")
    if wrapper is None:
        raise SystemExit(f"update_translations: cannot find {name} (install PySide6)")
    return wrapper


def _run(*args: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"update_translations: {Path(args[0]).name} failed:\n"
                         f"{done.stdout}{done.stderr}")


def source_files() -> list[str]:
    """Every Python module of the app, in a stable order."""
    return [str(path) for path in sorted(SOURCES.rglob("*.py"))]


def data_texts() -> list[Message]:
    """(context, text) of every text the interface shows from data rather than from code."""
    texts = [("registry", category) for category in CATEGORIES]
    texts += [("evaluator", template) for template in EVALUATOR_TEMPLATES]
    texts += [("registry", spec.doc) for spec in NODE_TYPES.values() if spec.doc]
    try:
        examples = read_index(EXAMPLES)
    except ValueError as exc:
        raise SystemExit(f"update_translations: {exc}") from exc
    for example in examples:
        texts += [("examples", example.title), ("examples", example.description)]
    return texts


def lupdate(ts_file: Path) -> None:
    """Merge the texts of the app's sources and data into ``ts_file`` (created if missing)."""
    with tempfile.TemporaryDirectory() as tmp:
        # lupdate reads Python source: the data texts become calls it recognises
        listing = Path(tmp) / "data_texts.py"
        listing.write_text("".join(
            f"QT_TRANSLATE_NOOP({json.dumps(context)}, {json.dumps(text, ensure_ascii=False)})\n"
            for context, text in data_texts()), encoding="utf-8")
        _run(qt_tool("lupdate"), "-silent", "-no-obsolete", "-locations", "none",
             "-source-language", "en", "-target-language", "zh_CN", *source_files(),
             str(listing), "-ts", str(ts_file))


def lrelease(ts_file: Path, qm_file: Path) -> None:
    _run(qt_tool("lrelease"), "-silent", str(ts_file), "-qm", str(qm_file))


def messages(ts_file: Path) -> dict[Message, ET.Element]:
    """Each (context, source) of a .ts with its <translation> element."""
    found: dict[Message, ET.Element] = {}
    for context in ET.parse(ts_file).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None:
                translation = ET.SubElement(message, "translation")
            found[(name, message.findtext("source") or "")] = translation
    return found


def problems() -> list[str]:
    """What makes the committed .ts and .qm out of date (empty when all is well)."""
    if not TS_FILE.is_file():
        return [f"{TS_FILE.relative_to(ROOT)} is missing"]
    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        extracted = Path(tmp) / "extracted.ts"
        lupdate(extracted)
        wanted = messages(extracted)
        committed = messages(TS_FILE)
        for context, source in sorted(set(wanted) - set(committed)):
            found.append(f"missing from the .ts: [{context}] {source!r}")
        for (context, source), translation in sorted(committed.items()):
            if (context, source) not in wanted:
                found.append(f"no longer in the code: [{context}] {source!r}")
            elif translation.get("type") in ("unfinished", "vanished", "obsolete") \
                    or not (translation.text or "").strip():
                found.append(f"not translated: [{context}] {source!r}")
        compiled = Path(tmp) / "compiled.qm"
        lrelease(TS_FILE, compiled)
        if not QM_FILE.is_file() or QM_FILE.read_bytes() != compiled.read_bytes():
            found.append(f"{QM_FILE.relative_to(ROOT)} is not the compiled .ts")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="report missing or untranslated texts without writing any file")
    options = parser.parse_args(argv)
    if options.check:
        found = problems()
        for line in found:
            print(line)
        print(f"{len(found)} problem(s)" if found else "translations are up to date")
        return 1 if found else 0
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    lupdate(TS_FILE)
    lrelease(TS_FILE, QM_FILE)
    untranslated = [m for m, t in messages(TS_FILE).items()
                    if t.get("type") == "unfinished" or not (t.text or "").strip()]
    print(f"{TS_FILE.relative_to(ROOT)}: {len(messages(TS_FILE))} texts, "
          f"{len(untranslated)} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
