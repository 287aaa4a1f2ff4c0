"""Render the canvas (every item with its numbers) to a PNG, SVG or PDF file, or to an image.

Used by File > Export Image..., Edit > Copy Image and ``cgstudio --export``. The picture is what
the canvas shows (gradient pills, local derivatives, numeric checks, hidden answers alike),
without the selection. PNGs and copied images are drawn at twice the scene's resolution so they
stay crisp on slides; SVGs and PDFs are vector (text stays text, so the numbers can be searched
and copied); a PDF is an A4 page, the graph fitted on it, for handouts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from app.canvas.style import canvas_colours

IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".svg", ".pdf")
_MARGIN = 24.0
_PNG_SCALE = 2.0
#: A handout's page margin (millimetres) and resolution (dots per inch).
_PDF_MARGIN_MM = 12.0
_PDF_DPI = 300


def export_rect(scene: QGraphicsScene) -> QRectF:
    """The part of the scene an export shows: all items plus a margin (never empty)."""
    rect = scene.itemsBoundingRect()
    if rect.isEmpty():
        rect = QRectF(0, 0, 200, 120)
    return rect.adjusted(-_MARGIN, -_MARGIN, _MARGIN, _MARGIN)


def render_scene(scene: QGraphicsScene, out: str | Path) -> None:
    """Write the scene to ``out``; its suffix (.png, .svg or .pdf) picks the format.

    The background is the canvas colour of the current (light or dark) theme.
    Raises ValueError for another suffix and OSError when the file cannot be written.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ValueError("export to .png, .svg or .pdf, not "
                         f"{out.suffix or 'a name without suffix'!r}")
    with _drawn_for_export(scene) as source:
        background = canvas_colours().background
        if suffix == ".png":
            if not _render_image(scene, source, background).save(str(out), "PNG"):
                raise OSError(f"cannot write {out}")
        elif suffix == ".svg":
            _render_svg(scene, source, out, background)
        else:
            _render_pdf(scene, source, out, background)


def scene_image(scene: QGraphicsScene) -> QImage:
    """The scene as an image at twice its resolution (Edit > Copy Image, for slides)."""
    with _drawn_for_export(scene) as source:
        return _render_image(scene, source, canvas_colours().background)


@contextmanager
def _drawn_for_export(scene: QGraphicsScene) -> Iterator[QRectF]:
    """The scene ready to be drawn into a file: cards sized for their numbers, pills placed,
    no selection, no cached pictures; yields the part to draw and puts everything back."""
    settle = getattr(scene, "settle_all", None)
    if settle is not None:
        settle()  # every card sized for its numbers, as on screen once it has been in sight
    for wire in getattr(scene, "edges", {}).values():
        wire.pill()  # place every pill while the scene's index knows where the cards are
    source = export_rect(scene)
    selected = scene.selectedItems()
    for item in selected:
        item.setSelected(False)
    # the cards keep a cached picture for the screen; an export draws them afresh (an SVG or a
    # PDF gets vector shapes and text, a PNG the export's own resolution)
    cached = [(item, item.cacheMode()) for item in scene.items()
              if item.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    for item, _mode in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        yield source
    finally:
        for item in selected:
            item.setSelected(True)
        for item, mode in cached:
            item.setCacheMode(mode)


def _render_image(scene: QGraphicsScene, source: QRectF, background: QColor) -> QImage:
    # the view paints the canvas background, not the scene: use the same colour, so that cards
    # drawn for a dark theme do not end up on white
    size = QSize(round(source.width() * _PNG_SCALE), round(source.height() * _PNG_SCALE))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(1.0)
    image.fill(background)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing
                           | QPainter.RenderHint.TextAntialiasing
                           | QPainter.RenderHint.SmoothPixmapTransform)
    scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
    painter.end()
    return image


def _render_svg(scene: QGraphicsScene, source: QRectF, out: Path, background: QColor) -> None:
    if not out.parent.is_dir():
        raise OSError(f"cannot write {out}: no folder {out.parent}")
    generator = QSvgGenerator()
    generator.setFileName(str(out))
    generator.setSize(QSize(round(source.width()), round(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle("CG Studio graph")
    generator.setDescription("Computational graph exported from CG Studio")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"cannot write {out}")
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(QRectF(0, 0, source.width(), source.height()), background)
    scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    painter.end()


def _render_pdf(scene: QGraphicsScene, source: QRectF, out: Path, background: QColor) -> None:
    if not out.parent.is_dir():
        raise OSError(f"cannot write {out}: no folder {out.parent}")
    writer = QPdfWriter(str(out))
    writer.setTitle("CG Studio graph")
    writer.setCreator("CG Studio")
    writer.setResolution(_PDF_DPI)
    orientation = (QPageLayout.Orientation.Landscape if source.width() >= source.height()
                   else QPageLayout.Orientation.Portrait)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation,
                                     QMarginsF(*[_PDF_MARGIN_MM] * 4),
                                     QPageLayout.Unit.Millimeter))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {out}")
    page = QRectF(painter.viewport())
    scale = min(page.width() / source.width(), page.height() / source.height())
    target = QRectF(0, 0, source.width() * scale, source.height() * scale)
    target.moveCenter(page.center())
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(target, background)
    scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
