"""Where the nodes of a document go: plain functions of the document and of the cards' sizes.

The model knows nothing of how large a node's card is drawn, so the caller passes a
``card_size(node_id) -> (width, height)`` function (the canvas has the real measure). Nothing here
moves a node: the functions return positions, and the controller turns them into one undoable
move.
"""

from __future__ import annotations

from collections.abc import Callable

from app.model.document import GraphDocument

Point = tuple[float, float]
CardSize = Callable[[str], tuple[float, float]]

#: Tidy-up grid: column pitch, and the vertical gap between stacked cards.
TIDY_COLUMN_PITCH = 290.0
TIDY_ROW_GAP = 30.0
#: A card's size when the caller has no canvas to measure.
DEFAULT_CARD_SIZE = (220.0, 120.0)


def default_card_size(_node_id: str) -> tuple[float, float]:
    return DEFAULT_CARD_SIZE


def depths(doc: GraphDocument) -> dict[str, int]:
    """Each node's depth: the length of the longest path to it from a node with no input wired."""
    depth: dict[str, int] = {}
    for node_id in doc.topological_order():
        sources = [src for src in doc.inputs_of(node_id) if src is not None]
        depth[node_id] = max((depth[src] + 1 for src in sources), default=0)
    return depth


def tidy_positions(doc: GraphDocument, card_size: CardSize = default_card_size
                   ) -> dict[str, Point]:
    """The graph laid out left to right by depth: the new position of every node.

    Nodes of one depth stack in a column, keeping their current top-to-bottom order, each
    ``card_size`` high plus a gap; the layout starts at the current top-left node corner.
    """
    if len(doc) == 0:
        return {}
    depth = depths(doc)
    columns: dict[int, list[str]] = {}
    for node in doc.nodes:
        columns.setdefault(depth[node.id], []).append(node.id)
    left = min(node.pos[0] for node in doc.nodes)
    top = min(node.pos[1] for node in doc.nodes)
    positions: dict[str, Point] = {}
    for column, members in columns.items():
        y = top
        for node_id in sorted(members, key=lambda n: (doc.node(n).pos[1], doc.node(n).pos[0])):
            positions[node_id] = (left + column * TIDY_COLUMN_PITCH, y)
            y += card_size(node_id)[1] + TIDY_ROW_GAP
    return positions
