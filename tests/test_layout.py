"""Tidy Up's layout (app/model/layout.py): depths, columns, and the cards' measured sizes."""

from __future__ import annotations

from app.model import GraphDocument, Node
from app.model.layout import TIDY_COLUMN_PITCH, TIDY_ROW_GAP, depths, tidy_positions


def chain() -> GraphDocument:
    """w, x -> a = w + x -> e = exp(a); w -> e2 = exp(w); one more leaf n unwired."""
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", pos=(500.0, 300.0), value=[1.0]))
    doc.add_node(Node("x", "tensor", pos=(100.0, 100.0), value=[2.0]))
    doc.add_node(Node("a", "add", pos=(0.0, 900.0)))
    doc.add_node(Node("e", "exp", pos=(50.0, 50.0)))
    doc.add_node(Node("e2", "exp", pos=(0.0, 0.0)))
    doc.connect_many([("w", "a", 0), ("x", "a", 1), ("a", "e", 0), ("w", "e2", 0)])
    return doc


def test_depth_is_the_longest_path_from_a_source() -> None:
    assert depths(chain()) == {"w": 0, "x": 0, "a": 1, "e": 2, "e2": 1}


def test_columns_by_depth_stacked_by_the_cards_heights() -> None:
    doc = chain()
    heights = {"x": 100.0, "w": 150.0, "e2": 80.0, "a": 60.0, "e": 70.0}
    positions = tidy_positions(doc, lambda node_id: (200.0, heights[node_id]))
    left, top = 0.0, 0.0  # the top-left corner of all the cards before
    assert positions["x"] == (left, top)  # x was above w: it stays above
    assert positions["w"] == (left, top + 100.0 + TIDY_ROW_GAP)
    assert positions["e2"] == (left + TIDY_COLUMN_PITCH, top)
    assert positions["a"] == (left + TIDY_COLUMN_PITCH, top + 80.0 + TIDY_ROW_GAP)
    assert positions["e"] == (left + 2 * TIDY_COLUMN_PITCH, top)
    assert doc.node("w").pos == (500.0, 300.0)  # positions are returned, nothing is moved


def test_an_empty_document_has_no_positions() -> None:
    assert tidy_positions(GraphDocument()) == {}
