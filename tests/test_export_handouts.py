"""Handouts and slides: PDF export (File > Export Image, ``--export FILE OUT.pdf``), exports that
show exactly what the canvas shows (local derivatives included), PNG at twice the scene's
resolution, and Edit > Copy Image for pasting the canvas into slides."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication, QImage, QPageSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QMessageBox

from app import cli
from app.paths import LESSON
from app.ui.export import export_rect
from app.ui.mainwindow import MainWindow

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    win = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win._ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(win)
    win.open_example(LESSON)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    win.controller.evaluate_now()
    return win


def pdf_text(path: Path) -> tuple[QPdfDocument, str]:
    document = QPdfDocument(None)
    assert document.load(str(path)) == QPdfDocument.Error.None_
    text = "\n".join(document.getAllText(page).text() for page in range(document.pageCount()))
    return document, text


def pills(window: MainWindow) -> list[str]:
    return [wire.gradient_text() for wire in window.scene.edges.values() if wire.gradient_text()]


def test_the_command_line_writes_a_pdf_handout_with_every_number(qapp, tmp_path: Path) -> None:
    out = tmp_path / "lesson.pdf"
    assert cli.run(["--export", str(LESSON), str(out)]) == 0
    document, text = pdf_text(out)
    assert document.pageCount() == 1
    a4 = QPageSize(QPageSize.PageSizeId.A4).size(QPageSize.Unit.Point)
    page = document.pagePointSize(0)
    assert sorted((round(page.width()), round(page.height()))) == sorted(
        (round(a4.width()), round(a4.height())))
    assert page.width() > page.height()  # the lesson is wider than tall: landscape
    for shown in ("value [3.]", "grad [5.]", "grad_fn MulBackward0", "∂=[2.]", "∂=[3.]"):
        assert shown in text


def test_file_export_writes_what_the_canvas_shows_local_derivatives_included(
        window, tmp_path: Path) -> None:
    window.menu_actions["local_derivatives"].setChecked(True)
    shown = pills(window)
    assert any(" · local " in pill for pill in shown)
    for name in ("slide.svg", "handout.pdf"):
        out = tmp_path / name
        window._get_export_path = lambda o=out: str(o)
        assert window.export_dialog()
        if out.suffix == ".svg":
            root = ET.parse(out).getroot()
            texts = "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
        else:
            texts = pdf_text(out)[1]
        for pill in shown:
            assert pill in texts, (name, pill)


def test_a_png_export_is_drawn_at_twice_the_scene_resolution(window, tmp_path: Path) -> None:
    out = tmp_path / "slide.png"
    window._get_export_path = lambda: str(out)
    assert window.export_dialog()
    frame = export_rect(window.scene)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (round(frame.width() * 2),
                                               round(frame.height() * 2))


def test_copy_image_puts_the_canvas_on_the_clipboard(window) -> None:
    QGuiApplication.clipboard().clear()
    window.scene.select_ids(["w"])
    window.menu_actions["copy_image"].trigger()
    image = QGuiApplication.clipboard().image()
    frame = export_rect(window.scene)
    assert (image.width(), image.height()) == (round(frame.width() * 2),
                                               round(frame.height() * 2))
    assert window.scene.selected_ids() == (["w"], [])  # the picture leaves the selection as it was
