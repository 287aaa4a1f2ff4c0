"""The layered layout (app/model/layered.py): on any graph, no two cards overlap, no port lies
under another card and every wire runs left to right; and the lesson comes out as it is drawn."""

from __future__ import annotations

import bisect
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from app.model.layered import (
    COLUMN_GAP,
    INPUT_PORT_PITCH,
    INPUT_PORT_Y0,
    OUTPUT_PORT_Y,
    PILL_MARGIN,
    layered_positions,
)

PORT_RADIUS = 6.0  # a port is drawn as a disc on the card's edge


@st.composite
def graphs(draw, max_nodes: int = 200):
    """An acyclic graph: node i takes up to three inputs from nodes made before it (some left
    unwired); cards at least as tall as their port rows, as the canvas draws them."""
    count = draw(st.integers(1, max_nodes))
    rng = draw(st.randoms(use_true_random=False))
    nodes = [f"n{i}" for i in range(count)]
    edges, sizes, inputs = [], {}, {}
    for i, node in enumerate(nodes):
        inputs[node] = rng.randint(0, 3) if i else 0
        for port in range(inputs[node]):
            if port == 0 or rng.random() < 0.6:
                # mostly recent nodes, sometimes far back: long wires across many layers
                back = rng.randint(1, i) if rng.random() < 0.2 else rng.randint(1, min(i, 4))
                edges.append((nodes[i - back], node, port))
        least = INPUT_PORT_Y0 + inputs[node] * INPUT_PORT_PITCH
        sizes[node] = (rng.uniform(150, 340), least + rng.uniform(20, 250))
    return nodes, edges, sizes, inputs


def rects(positions, sizes):
    return {n: (x, y, x + sizes[n][0], y + sizes[n][1]) for n, (x, y) in positions.items()}


def inside(point, rect) -> bool:
    (px, py), (left, top, right, bottom) = point, rect
    return left - PORT_RADIUS < px < right + PORT_RADIUS and top - PORT_RADIUS < py < bottom \
        + PORT_RADIUS


def check(nodes, edges, sizes, inputs=None):
    positions = layered_positions(nodes, edges, sizes.__getitem__)
    assert set(positions) == set(nodes)
    boxes = rects(positions, sizes)
    ordered = sorted(boxes.items(), key=lambda kv: kv[1][0])
    for i, (a, (_al, at, ar, ab)) in enumerate(ordered):  # no two cards overlap
        for b, (bl, bt, _br, bb) in ordered[i + 1:]:
            if bl >= ar:
                break
            assert ab <= bt or bb <= at, (a, b)
    ports = {}
    for node, (left, top, right, _bottom) in boxes.items():
        ports[(node, "out")] = (right, top + OUTPUT_PORT_Y)
        for port in range((inputs or {}).get(node, 2)):
            ports[(node, port)] = (left, top + INPUT_PORT_Y0 + port * INPUT_PORT_PITCH)
    lefts = [rect[0] for _node, rect in ordered]
    for (node, _port), point in ports.items():  # no port under another card
        # only cards starting left of the port (plus its radius) can cover it
        for other, rect in ordered[:bisect.bisect_right(lefts, point[0] + PORT_RADIUS)]:
            if other != node:
                assert not inside(point, rect), (node, other)
    for src, dst, _port in edges:  # every wire runs left to right, with room for its pill
        assert boxes[dst][0] - boxes[src][2] >= COLUMN_GAP - 1
    return positions


@settings(max_examples=40, deadline=None)
@given(graphs())
def test_no_overlap_no_hidden_port_and_wires_left_to_right(graph) -> None:
    check(*graph)


def test_the_lesson_is_drawn_as_the_lesson_draws_it() -> None:
    nodes = ["w", "x", "one", "a", "b", "y"]
    edges = [("w", "a", 0), ("x", "a", 1), ("w", "b", 0), ("one", "b", 1), ("a", "y", 0),
             ("b", "y", 1)]
    positions = check(nodes, edges, {n: (200.0, 120.0) for n in nodes})
    column = {n: positions[n][0] for n in nodes}
    assert column["w"] == column["x"] == column["one"] < column["a"] == column["b"] < column["y"]
    assert positions["a"][1] < positions["b"][1]  # a's inputs are above b's: no crossing
    assert positions["x"][1] < positions["one"][1]


def test_a_weight_sits_beside_the_layer_it_feeds() -> None:
    nodes = ["x", "h1", "h2", "h3", "W"]
    edges = [("x", "h1", 0), ("h1", "h2", 0), ("h2", "h3", 0), ("W", "h3", 1)]
    positions = check(nodes, edges, {n: (200.0, 100.0) for n in nodes})
    assert positions["W"][0] == positions["h2"][0]  # the column just before h3, not the first


def test_five_thousand_nodes_are_laid_out_in_seconds() -> None:
    nodes = [f"n{i}" for i in range(5000)]
    edges = [(nodes[i - 1], nodes[i], 0) for i in range(1, 5000)]
    edges += [(nodes[i - 7], nodes[i], 1) for i in range(7, 5000, 3)]
    started = time.perf_counter()
    layered_positions(nodes, edges, lambda n: (200.0, 100.0))
    assert time.perf_counter() - started < 20  # a bound against blow-ups, not a benchmark


def test_a_gap_is_as_wide_as_the_pills_of_the_wires_leaving_its_column() -> None:
    nodes = ["x", "h", "y"]
    edges = [("x", "h", 0), ("h", "y", 0)]
    widths = {("x", "h", 0): 300.0, ("h", "y", 0): 40.0}
    positions = layered_positions(nodes, edges, lambda n: (200.0, 100.0),
                                  label_width=widths.__getitem__)
    assert positions["h"][0] - (positions["x"][0] + 200.0) == 300.0 + 2 * PILL_MARGIN
    assert positions["y"][0] - (positions["h"][0] + 200.0) == COLUMN_GAP  # never narrower
