"""Slides show what the canvas shows: every wire's gradient pill in PNG and SVG exports, never
cut off by a card (issue: exported slides had no "∂=" labels; labels sat under the cards)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF

from app.canvas import GraphScene
from app.canvas.edge_item import PillLayer
from app.controller import DocumentController
from app.fileio import load_document
from app.paths import EXAMPLES_DIR
from app.ui import launch

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.cgraph"))


def scene_of(path: Path) -> GraphScene:
    controller = DocumentController(load_document(path))
    scene = GraphScene(controller)
    controller.evaluate_now()
    scene._keep = controller  # the scene mirrors the controller: keep it alive with the scene
    return scene


def svg_texts(path: Path) -> str:
    root = ET.parse(path).getroot()
    return "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_an_svg_export_holds_every_gradient_pill(qapp, tmp_path: Path, example: Path) -> None:
    out = tmp_path / "slide.svg"
    assert launch.export_image(str(example), str(out)) == 0
    texts = svg_texts(out)
    pills = [w.pill()[2] for w in scene_of(example).edges.values() if w.pill() is not None]
    # every example with an output has gradients on its wires (the second derivative's grad
    # nodes call no backward)
    assert pills or load_document(example).output is None
    for shown in pills:
        assert shown in texts


def test_the_lessons_slide_shows_its_gradients(qapp, tmp_path: Path) -> None:
    out = tmp_path / "lesson.svg"
    assert launch.export_image(str(launch.LESSON), str(out)) == 0
    texts = svg_texts(out).splitlines()
    # a = w + x passes dy/da = b = 2 to both inputs; b = w + 1 passes dy/db = a = 3 to w
    assert texts.count("∂=[2.]") == 3 and texts.count("∂=[3.]") == 2


def test_a_png_export_paints_the_pills(qapp, tmp_path: Path) -> None:
    scene = scene_of(launch.LESSON)
    out = tmp_path / "lesson.png"
    assert launch.export_image(str(launch.LESSON), str(out)) == 0
    from PySide6.QtGui import QImage

    from app.canvas import style
    from app.ui.export import export_rect
    image = QImage(str(out))
    frame = export_rect(scene)
    pill_colour = style.canvas_colours().pill.rgb() & 0xFFFFFF
    for wire in scene.edges.values():
        if wire.pill() is None:
            continue
        rect = wire.pill()[1]
        # a point inside the rounded pill, left of its text, at the PNG's 2x scale
        x = round((rect.left() + 4 - frame.left()) * 2)
        y = round((rect.center().y() - frame.top()) * 2)
        assert image.pixel(x, y) & 0xFFFFFF == pill_colour, wire


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_pills_are_drawn_above_the_cards_and_placed_clear_of_them_where_the_wire_allows(
        qapp, example: Path) -> None:
    scene = scene_of(example)
    layer = next(item for item in scene.items() if isinstance(item, PillLayer))
    assert all(layer.zValue() > card.zValue() for card in scene.nodes.values())
    for wire in scene.edges.values():
        if wire.pill() is None:
            continue
        rect: QRectF = wire.pill()[1]
        free = [t for t in (0.62, 0.5, 0.75, 0.38, 0.85, 0.25, 0.92, 0.15)
                if not scene.card_covers(rect.translated(
                    _point(wire, t) - rect.center()))]
        if free:  # a place along the wire that no card covers exists: the pill is there
            assert not scene.card_covers(rect), wire


def _point(wire, t: float):
    from app.canvas.edge_item import bezier_point

    return bezier_point(*wire._ends, t)


def test_a_summarised_gradient_says_how_many_elements_are_zero(qapp, tmp_path: Path) -> None:
    """The MLP's note says "look for the zeros in the gradient on the wire z1 -> h": where relu
    cut a value, the gradient flowing back to z1 is exactly zero, and the slide says how often."""
    from app.evaluate import evaluate_document

    example = EXAMPLES_DIR / "mlp.cgraph"
    doc = load_document(example)
    relu = next(node.id for node in doc.nodes if node.type == "relu")
    z1 = doc.inputs_of(relu)[0]
    zeros = int((evaluate_document(doc).nodes[z1].value <= 0).sum())
    assert zeros > 1
    pill = scene_of(example).edges[(relu, 0)].gradient_text()
    assert pill.startswith("∂ min ") and pill.endswith(f" · {zeros} zeros")
    out = tmp_path / "mlp.svg"
    assert launch.export_image(str(example), str(out)) == 0
    assert pill in svg_texts(out).splitlines()
