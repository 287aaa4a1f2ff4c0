"""Ports are easy to hit: at any zoom a press or a drop counts within PORT_HIT_PX of a port on
the screen, and a wire dropped on a card or on a port's label connects as node editors do."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from app.canvas import style
from tests.test_canvas import drag, item


def test_a_wire_dropped_on_a_port_label_connects_to_that_port(lesson_view) -> None:
    controller, view, ids = lesson_view
    e = controller.add_node("maximum", (580, 420), label="m")
    card = item(view, e)
    label = card.input_port_pos(1) + QPointF(40, 0)  # on the word "other", 40 units in
    drag(view, item(view, ids["a"]).output_port_pos(), label)
    assert controller.document.edge_into(e, 1).src == ids["a"]
    assert controller.document.edge_into(e, 0) is None


def test_a_wire_dropped_on_a_card_connects_to_its_first_free_input(lesson_view) -> None:
    controller, view, ids = lesson_view
    e = controller.add_node("maximum", (580, 420), label="m")
    card = item(view, e)
    body = card.sceneBoundingRect().center() + QPointF(0, 30)  # below the port rows
    drag(view, item(view, ids["a"]).output_port_pos(), body)
    assert controller.document.edge_into(e, 0).src == ids["a"]
    drag(view, item(view, ids["b"]).output_port_pos(), body)
    assert controller.document.edge_into(e, 1).src == ids["b"]
    before = controller.document.snapshot()
    drag(view, item(view, ids["x"]).output_port_pos(), body)  # all wired: nothing replaced
    assert controller.document.snapshot() == before


def test_a_wire_is_not_dropped_on_its_own_card(lesson_view) -> None:
    controller, view, ids = lesson_view
    before = controller.document.snapshot()
    a = item(view, ids["a"])
    drag(view, a.output_port_pos(), a.sceneBoundingRect().center())
    assert controller.document.snapshot() == before


def test_zoomed_out_a_drop_near_a_port_on_screen_still_connects(lesson_view) -> None:
    controller, view, ids = lesson_view
    e = controller.add_node("exp", (580, 420), label="e")
    view.resetTransform()
    view.scale(0.4, 0.4)  # about the fitted zoom of a large example
    port = item(view, e).input_port_pos(0)
    # 12 pixels left of the port on screen: 30 scene units, far past the old 11-unit radius
    near = port - QPointF(12 / 0.4, 0)
    assert (near - port).manhattanLength() > style.PORT_HIT_RADIUS
    assert view.port_hit_radius() == style.PORT_HIT_PX / 0.4
    drag(view, item(view, ids["a"]).output_port_pos(), near)
    assert controller.document.edge_into(e, 0).src == ids["a"]


def test_zoomed_out_a_press_near_an_output_port_starts_a_wire(lesson_view) -> None:
    controller, view, ids = lesson_view
    e = controller.add_node("exp", (580, 420), label="e")
    view.resetTransform()
    view.scale(0.4, 0.4)
    start = item(view, ids["b"]).output_port_pos() + QPointF(10 / 0.4, 0)  # 10 px right of it
    drag(view, start, item(view, e).input_port_pos(0))
    assert controller.document.edge_into(e, 0).src == ids["b"]
