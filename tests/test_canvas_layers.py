"""The canvas's paint layers: wires in the cached background, cached card pictures with the numbers
drawn over them, and repaint requests only for the items in sight."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

from app.canvas import GraphView, style
from app.canvas.node_item import NumbersItem
from app.ui.export import render_scene


@pytest.fixture
def canvas(lesson_view):
    """The lesson on a shown canvas (conftest.lesson_view): (controller, view, ids)."""
    return lesson_view


def test_cards_are_cached_pictures_with_their_numbers_on_a_child(canvas) -> None:
    controller, view, ids = canvas
    card = view.graph_scene.nodes[ids["a"]]
    assert card.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert isinstance(card.numbers, NumbersItem) and card.numbers.parentItem() is card
    # the numbers item covers the value, grad and grad_fn lines of the card
    assert card.numbers.boundingRect().height() == 3 * style.fonts().line + 2
    assert view.cacheMode() & QGraphicsView.CacheModeFlag.CacheBackground


def test_the_background_layer_draws_the_wires(canvas) -> None:
    """Rendering only the scene's background (no items) still shows each wire's curve."""
    controller, view, ids = canvas
    scene = view.graph_scene
    wire = scene.edges[(ids["y"], 0)]
    rect = wire.path().boundingRect()
    image = QImage(int(rect.width()) + 20, int(rect.height()) + 20,
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.translate(-rect.left() + 10, -rect.top() + 10)
    scene.drawBackground(painter, rect.adjusted(-10, -10, 10, 10))
    painter.end()
    middle = wire.path().pointAtPercent(0.5) - rect.topLeft() + QPointF(10, 10)
    colour = image.pixelColor(int(middle.x()), int(middle.y()))
    assert colour != QColor("white")  # the curve passes through its own middle


def test_repaint_requests_go_to_the_items_in_sight_which_follow_pans_and_moves(canvas) -> None:
    controller, view, ids = canvas
    scene = view.graph_scene
    in_sight = scene._items_in_sight()
    assert scene.nodes[ids["y"]] in in_sight
    assert scene._items_in_sight() is in_sight  # nothing moved: the same answer, not asked again
    view.centerOn(20_000, 20_000)  # a pan far away: nothing is in sight
    assert scene.nodes[ids["y"]] not in scene._items_in_sight()
    controller.move({ids["y"]: ((580, 100), (20_000, 20_000))})  # bring y into sight there
    assert scene.nodes[ids["y"]] in scene._items_in_sight()
    assert scene.nodes[ids["a"]] not in scene._items_in_sight()


def test_an_out_of_sight_card_still_takes_its_new_size(canvas, qtbot) -> None:
    """Out of sight, a card takes its result after the repaint (the scene's sweep), or at once
    when asked for it; in sight, at once."""
    controller, view, ids = canvas
    scene = view.graph_scene
    view.centerOn(20_000, 20_000)
    card = scene.nodes[ids["w"]]
    height = card.card_rect().height()
    controller.set_field(ids["w"], "value", [[1.0, 2.0], [3.0, 4.0]])
    controller.evaluate_now()
    assert scene.sweeping and card.card_rect().height() == height  # not taken yet
    qtbot.waitUntil(lambda: not scene.sweeping, timeout=3000)
    assert card.card_rect().height() > height  # two value rows (and an error downstream)
    controller.set_field(ids["w"], "value", [1.0])
    controller.evaluate_now()
    assert card.value_text() == "value [1.]"  # asked for: taken now
    assert card.card_rect().height() == height


def test_svg_export_draws_vector_cards_and_restores_the_caches(canvas, tmp_path) -> None:
    controller, view, ids = canvas
    out = tmp_path / "graph.svg"
    render_scene(view.graph_scene, out)
    svg = out.read_text(encoding="utf-8")
    assert "value [3.]" in svg and "<image" not in svg  # text, not pictures of the cards
    card = view.graph_scene.nodes[ids["a"]]
    assert card.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache


def test_the_output_tag_fits_in_the_cached_picture_of_its_card(canvas) -> None:
    controller, view, ids = canvas
    card = view.graph_scene.nodes[ids["y"]]
    assert card.is_output
    tag = style.fonts().small_metrics.horizontalAdvance("output · backward starts here")
    assert card.boundingRect().right() >= tag + 2  # drawn from x = 2: not cut at the card's edge
    controller.set_output(ids["a"])
    assert card.boundingRect().right() < tag  # the tag went with the output


def test_the_pill_layer_draws_every_pill_in_sight_and_the_scene_frame_ignores_it(canvas) -> None:
    controller, view, ids = canvas
    scene = view.graph_scene
    pills = [wire for wire in scene.edges.values() if wire.pill() is not None]
    assert len(pills) == 5  # every wire into a, b and y but the python number's
    near = scene.wires_near(scene.itemsBoundingRect())
    assert set(pills) <= set(near)
    assert scene.itemsBoundingRect().width() < 5000  # the layer spans the scene, the frame not


def _grab(view: GraphView) -> QImage:
    return view.viewport().grab().toImage()


def _fresh_grab(view: GraphView) -> QImage:
    """What the view shows with every cache thrown away and drawn again."""
    view.restyle()
    return _grab(view)


@pytest.mark.parametrize("edit", ["move", "connect", "disconnect", "remove", "undo", "value",
                                  "select", "unselect", "highlight", "output"])
def test_what_the_caches_show_equals_a_fresh_drawing_after_each_edit(canvas, qtbot, edit) -> None:
    """The cached background (wires) and cached cards are redrawn wherever an edit changes them:
    after each kind of edit the view, caches in use, shows exactly what a fresh drawing shows."""
    controller, view, ids = canvas
    _grab(view)  # fill the caches
    if edit == "move":
        controller.move({ids["a"]: ((290, 0), (330, 60))})
    elif edit == "connect":
        controller.connect(ids["x"], ids["b"], 1)  # replaces the python number's wire
    elif edit == "disconnect":
        controller.disconnect(ids["y"], 1)
    elif edit == "remove":
        controller.remove([ids["b"]])
    elif edit == "undo":
        controller.move({ids["a"]: ((290, 0), (330, 60))})
        _grab(view)
        controller.undo_stack.undo()
    elif edit in ("select", "unselect"):
        view.graph_scene.edges[(ids["y"], 0)].setSelected(True)
        if edit == "unselect":
            _grab(view)
            view.graph_scene.clearSelection()
    elif edit == "highlight":
        view.graph_scene.edges[(ids["a"], 0)].set_highlight("current")
        view.graph_scene.nodes[ids["a"]].set_highlight("visited")
    elif edit == "output":
        controller.set_output(ids["a"])
    else:
        controller.set_field(ids["w"], "value", [[1.0, 2.0], [3.0, 4.0]])  # cards grow
    controller.evaluate_now()
    qtbot.wait(10)
    assert _grab(view) == _fresh_grab(view)


def test_a_theme_switch_redraws_the_cached_wires_and_cards(qtbot, tmp_path) -> None:
    from tests.windows import open_window

    window = open_window(qtbot, tmp_path)
    view = window.view
    _grab(view)
    window.apply_theme("dark")
    qtbot.wait(20)
    dark = _grab(view)
    assert dark == _fresh_grab(view)
    # the dark canvas (its background or grid), not the light one kept in a cache
    assert style.canvas_colours().background.lightness() < 128
    assert dark.pixelColor(5, 5).lightness() < 128
    window.apply_theme("light")


def test_hovering_a_wire_makes_it_stand_out_and_shows_its_tooltip(canvas, qtbot) -> None:
    """A wire item has no contents of its own until it stands out; the mouse still finds it."""
    from PySide6.QtTest import QTest

    controller, view, ids = canvas
    wire = view.graph_scene.edges[(ids["y"], 1)]
    assert wire.flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
    middle = view.mapFromScene(wire.path().pointAtPercent(0.3))
    QTest.mouseMove(view.viewport(), middle)
    qtbot.waitUntil(lambda: wire.stands_out(), timeout=2000)
    assert not wire.flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
    assert "b" in wire.toolTip() and "y" in wire.toolTip()
    QTest.mouseMove(view.viewport(), view.mapFromScene(QPointF(-5000, -5000)))
    qtbot.waitUntil(lambda: not wire.stands_out(), timeout=2000)
    assert wire.flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


def test_zoomed_out_past_the_numbers_a_new_result_repaints_nothing(canvas, qtbot,
                                                                   monkeypatch) -> None:
    """Below the zoom that paints numbers and pills (a large graph fitted in view) new numbers
    change no pixel: the cards in sight take them first in the sweep, without a repaint
    request (at 5,000 nodes 350 cards and 840 wires asked to repaint for nothing). Zoomed in,
    the cards in sight take them at once and repaint their numbers."""
    controller, view, ids = canvas
    scene = view.graph_scene
    card = scene.nodes[ids["y"]]
    requests: list[object] = []
    monkeypatch.setattr(NumbersItem, "update", lambda item, *args: requests.append(item))
    view.set_zoom(0.2)
    view.centerOn(card)
    controller.set_field(ids["w"], "value", [2.0])
    controller.evaluate_now()
    assert requests == [] and card._generation != scene.latest.generation
    qtbot.waitUntil(lambda: not scene.sweeping, timeout=3000)
    assert card._generation == scene.latest.generation
    assert card.value_text() == "value [12.]"  # (2 + 2) * (2 + 1)
    view.set_zoom(1.0)
    view.centerOn(card)
    controller.set_field(ids["w"], "value", [1.0])
    controller.evaluate_now()
    assert card.numbers in requests and card._generation == scene.latest.generation
    assert card.value_text() == "value [6.]"
