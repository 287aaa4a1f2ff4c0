"""Cards keep their numbers inside and their neighbours' ports free when the values change
(issue: x = [12345.678, 2.0, -0.00001] on the lesson ran x's and a's numbers past the cards'
edges, and the grown cards covered b's and y's input ports)."""

from __future__ import annotations

import pytest

from app.canvas import GraphView, style
from app.controller import DocumentController
from app.fileio import load_document
from app.paths import EXAMPLES_DIR, LESSON

WIDE = [12345.678, 2.0, -0.00001]


@pytest.fixture
def lesson(qtbot) -> tuple[DocumentController, GraphView]:
    controller = DocumentController(load_document(LESSON))
    view = GraphView(controller)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    controller.evaluate_now()
    view.fit_all()
    return controller, view


def overflowing(view: GraphView) -> list[str]:
    """Number lines painted past the right edge of their card, or below its room for them."""
    fonts = style.fonts()
    found = []
    for item in view.graph_scene.nodes.values():
        lines = item.number_lines()
        found += [line for line, _kind in lines if style.PADDING + fonts.numbers_metrics
                  .horizontalAdvance(line) > item.card_rect().width()]
        if item.numbers.boundingRect().height() < len(lines) * fonts.line:
            found.append(f"{item.node_id}: {len(lines)} lines")
    return found


def covered_ports(view: GraphView) -> list[str]:
    scene = view.graph_scene
    found = []
    for node_id, item in scene.nodes.items():
        ports = [item.output_port_pos()] + [item.input_port_pos(p) for p in
                                            range(len(item.node.spec.inputs))]
        for other_id, other in scene.nodes.items():
            rect = other.mapRectToScene(other.card_rect()).adjusted(
                -style.PORT_RADIUS, -style.PORT_RADIUS, style.PORT_RADIUS, style.PORT_RADIUS)
            if other_id != node_id and any(rect.contains(port) for port in ports):
                found.append(f"{node_id} under {other_id}")
    return found


def test_wide_numbers_wrap_inside_the_card_and_leave_the_ports_of_the_next_cards_free(lesson):
    controller, view = lesson
    assert controller.set_field("x", "value", WIDE)
    controller.evaluate_now()
    x_card = view.graph_scene.nodes["x"]
    assert [line for line, kind in x_card.number_lines() if kind == "value"] == [
        "value [ 1.2346e+04,", "        2.0000e+00,", "       -1.0000e-05]"]
    assert overflowing(view) == []
    assert covered_ports(view) == []


def test_a_card_out_of_sight_takes_its_size_when_it_comes_into_sight(lesson, qtbot):
    controller, view = lesson
    view.centerOn(5000, 5000)  # the graph out of sight: its cards are not repainted
    qtbot.wait(1)
    controller.set_field("x", "value", WIDE)
    controller.evaluate_now()
    view.fit_all()
    qtbot.waitUntil(lambda: overflowing(view) == [] and len(
        view.graph_scene.nodes["x"].number_lines()) == 4, timeout=3000)
    assert covered_ports(view) == []


def test_numbers_that_fit_leave_the_card_as_it_was(lesson):
    controller, view = lesson
    before = view.graph_scene.nodes["x"].card_rect()
    controller.set_field("x", "value", [3.0])
    controller.evaluate_now()
    assert view.graph_scene.nodes["x"].card_rect() == before
    assert view.graph_scene.nodes["x"].number_lines()[0] == ("value [3.]", "value")


@pytest.mark.parametrize("example", sorted(EXAMPLES_DIR.glob("*.cgraph")), ids=lambda p: p.stem)
def test_no_example_writes_past_the_edge_of_a_card(qtbot, example) -> None:
    """grad_fn BinaryCrossEntropyWithLogitsBackward0 breaks between its words on its card."""
    controller = DocumentController(load_document(example))
    view = GraphView(controller)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    controller.evaluate_now()
    view.graph_scene.settle_all()
    assert overflowing(view) == []
