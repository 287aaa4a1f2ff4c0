"""Where the nodes of a document go: the one layout of Tidy Up and of code import and paste.

It is the layered drawing of :mod:`app.model.layered` (inputs left, outputs right, layers by
longest path, few crossings) applied to a document. The model knows nothing of how large a
node's card is drawn, so the caller passes ``card_size(node_id) -> (width, height)`` (the canvas
measures its cards; a headless import estimates them, see :mod:`app.codeio.layout`) and may pass
``pill_width((src, dst, port))``, the width of a wire's gradient pill, so that the gap after a
column fits the pills of the wires leaving it. Notes that a card would cover go below the graph.
Nothing here moves a node: the function returns positions, and the controller turns them into
one undoable move (or an import into the positions of its new document).
"""

from __future__ import annotations

from collections.abc import Callable

from app.model.document import GraphDocument
from app.model.layered import layered_positions

Point = tuple[float, float]
CardSize = Callable[[str], tuple[float, float]]
PillWidth = Callable[[tuple[str, str, int]], float]

#: Room between the graph and the notes moved below it, and between two such notes.
NOTE_GAP = 40.0


def layered_layout(doc: GraphDocument, card_size: CardSize, pill_width: PillWidth | None = None,
                   origin: Point | None = None) -> dict[str, Point]:
    """The new position of every node (and of every note a card would cover).

    The drawing starts at ``origin``, by default the top-left corner of the nodes as they are
    (Tidy Up keeps the graph where the user left it). Notes that no card covers stay put; the
    others are stacked below the graph, in their top-to-bottom order.
    """
    if len(doc) == 0:
        return {}
    if origin is None:
        origin = (min(node.pos[0] for node in doc.nodes), min(node.pos[1] for node in doc.nodes))
    positions: dict[str, Point] = dict(layered_positions(
        [node.id for node in doc.nodes], [(e.src, e.dst, e.port) for e in doc.edges],
        card_size, origin, pill_width))
    cards = [(x, y, x + card_size(node_id)[0], y + card_size(node_id)[1])
             for node_id, (x, y) in positions.items()]
    covered, staying = [], []
    for note in sorted(doc.notes, key=lambda n: (n.pos[1], n.pos[0])):
        box = (note.pos[0], note.pos[1], note.pos[0] + note.size[0], note.pos[1] + note.size[1])
        if any(_overlap(box, card) for card in cards):
            covered.append(note)
        else:
            staying.append(box)
    bottom = max(box[3] for box in cards + staying)
    for note in covered:
        positions[note.id] = (origin[0], bottom + NOTE_GAP)
        bottom += NOTE_GAP + note.size[1]
    return positions


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
