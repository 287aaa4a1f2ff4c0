"""Render the canvas (every item with its numbers) to a PNG or SVG file.

Used by File > Export Image... and by ``cgstudio --export``. PNGs are drawn at twice the scene's
resolution so they stay crisp on slides; SVGs are vector (text stays text, so the numbers can be
searched and copied).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from app.canvas.style import canvas_colours

IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".svg")
_MARGIN = 24.0
_PNG_SCALE = 2.0


def export_rect(scene: QGraphicsScene) -> QRectF:
    """The part of the scene an export shows: all items plus a margin (never empty)."""
    rect = scene.itemsBoundingRect()
    if rect.isEmpty():
        rect = QRectF(0, 0, 200, 120)
    return rect.adjusted(-_MARGIN, -_MARGIN, _MARGIN, _MARGIN)


def render_scene(scene: QGraphicsScene, out: str | Path) -> None:
    """Write the scene to ``out``; its suffix (.png or .svg) picks the format.

    The background is the canvas colour of the current (light or dark) theme. The selection is
    hidden while drawing so the picture shows the graph, not the editing state.
    Raises ValueError for another suffix and OSError when the file cannot be written.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ValueError(f"export to .png or .svg, not {out.suffix or 'a name without suffix'!r}")
    settle = getattr(scene, "settle_all", None)
    if settle is not None:
        settle()  # every card sized for its numbers, as on screen once it has been in sight
    for wire in getattr(scene, "edges", {}).values():
        wire.pill()  # place every pill while the scene's index knows where the cards are
    source = export_rect(scene)
    # the view paints the canvas background, not the scene: use the same colour, so that cards
    # drawn for a dark theme do not end up on white
    background = canvas_colours().background
    selected = scene.selectedItems()
    for item in selected:
        item.setSelected(False)
    # the cards keep a cached picture for the screen; an export draws them afresh (an SVG gets
    # vector shapes and text, a PNG the export's own resolution)
    cached = [(item, item.cacheMode()) for item in scene.items()
              if item.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    for item, _mode in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        if suffix == ".png":
            _render_png(scene, source, out, background)
        else:
            _render_svg(scene, source, out, background)
    finally:
        for item in selected:
            item.setSelected(True)
        for item, mode in cached:
            item.setCacheMode(mode)


def _render_png(scene: QGraphicsScene, source: QRectF, out: Path, background: QColor) -> None:
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
    if not image.save(str(out), "PNG"):
        raise OSError(f"cannot write {out}")


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
