"""Start-up functions of app/ui/launch.py: export_image and the window screenshot."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from app.ui import launch

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SVG = "{http://www.w3.org/2000/svg}"


def test_export_png(qapp, tmp_path: Path) -> None:
    out = tmp_path / "lesson.png"
    assert launch.export_image(str(launch.LESSON), str(out)) == 0
    image = QImage(str(out))
    assert not image.isNull()
    assert image.width() > 400 and image.height() > 200
    # not a blank picture: the graph is drawn in more than one colour
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 10


def test_export_svg_holds_the_numbers(qapp, tmp_path: Path) -> None:
    out = tmp_path / "lesson.svg"
    assert launch.export_image(str(launch.LESSON), str(out)) == 0
    root = ET.parse(out).getroot()
    assert root.tag == f"{SVG}svg"
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "5." in texts  # dy/dw
    assert "2." in texts  # dy/dx


@pytest.mark.parametrize(
    ("content", "out", "message"),
    [
        ("not json", "g.png", "bad.cgraph: "),
        (None, "g.gif", "export to a .png, .svg or .pdf file, not "),
    ],
)
def test_export_refusals_are_one_line(qapp, tmp_path, capsys, content, out, message) -> None:
    source = tmp_path / "bad.cgraph"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    target = tmp_path / out
    assert launch.export_image(str(source), str(target)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("cgstudio: ")
    assert message in err
    assert not target.exists()


def test_export_to_a_missing_folder(qapp, tmp_path, capsys) -> None:
    out = tmp_path / "no" / "such" / "dir" / "g.svg"
    assert launch.export_image(str(launch.LESSON), str(out)) == 2
    assert "no folder" in capsys.readouterr().err


def test_screenshot_is_the_window_at_1440x900(qapp, tmp_path: Path) -> None:
    # run_window uses the user's QSettings: point them at the test folder
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    out = tmp_path / "s.png"
    assert launch.run_window(None, screenshot=str(out)) == 0
    image = QImage(str(out))
    ratio = image.devicePixelRatio() or 1.0
    assert (image.width() / ratio, image.height() / ratio) == (1440, 900)


def test_screenshot_of_a_bad_file_fails_cleanly(qapp, tmp_path, capsys) -> None:
    bad = tmp_path / "bad.cgraph"
    bad.write_text("{}", encoding="utf-8")
    assert launch.run_window(str(bad), screenshot=str(tmp_path / "s.png")) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cgstudio: {bad}: ")
    assert not (tmp_path / "s.png").exists()
