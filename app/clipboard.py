"""The clipboard's part of editing: a selection as .cgraph text, and such text as new items.

``copy_text(doc, ids)`` is the selected nodes and notes with the wires among them, as the text of a
.cgraph file (so a copy pastes into another window, or saves as a file); when the selection holds
the output node, the copy says so. ``paste_items(doc, text, pos)`` reads such text back as items
that fit into ``doc``: fresh ids, labels made unique ("w" becomes "w_2" when a w exists), the
top-left corner at ``pos``, and which of them was the output. Nothing here changes a document:
the controller adds the items with undoable commands. (The system clipboard itself is the
canvas's business.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.fileio import FileFormatError, dumps_document, loads_document
from app.model import Edge, GraphDocument, GraphError, Node, Note

Point = tuple[float, float]

#: How far a duplicate lands from its original.
DUPLICATE_OFFSET = 40.0


@dataclass
class PastedItems:
    """New nodes, the wires among them and new notes, ready to be added to a document."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    #: the new id of the node that was the output where it was copied (None: not copied)
    output: str | None = None

    @property
    def ids(self) -> list[str]:
        """The new nodes' ids, then the new notes'."""
        return [node.id for node in self.nodes] + [note.id for note in self.notes]


def copy_text(doc: GraphDocument, ids: Iterable[str]) -> str:
    """The nodes and notes named in ``ids`` and the wires among them, as .cgraph text."""
    part = GraphDocument()
    for item_id in dict.fromkeys(ids):  # a selection may name an item twice
        if doc.has_node(item_id):
            part.add_node(doc.node(item_id).copy())
        elif doc.has_note(item_id):
            part.add_note(doc.note(item_id).copy())
    part.connect_many((e.src, e.dst, e.port) for e in doc.edges
                      if part.has_node(e.src) and part.has_node(e.dst))
    if doc.output is not None and part.has_node(doc.output):
        part.set_output(doc.output)  # a cut and paste keeps where backward starts
    return dumps_document(part)


def spread(text: str) -> Point:
    """How far apart the copied items' top-left corners lie: (width, height); (0, 0) for text
    that is not a copied graph (paste refuses it with the reason)."""
    try:
        part = loads_document(text)
    except (FileFormatError, GraphError):
        return (0.0, 0.0)
    positions = [n.pos for n in part.nodes] + [n.pos for n in part.notes]
    if not positions:
        return (0.0, 0.0)
    return (max(p[0] for p in positions) - min(p[0] for p in positions),
            max(p[1] for p in positions) - min(p[1] for p in positions))


def paste_items(doc: GraphDocument, text: str, pos: Point) -> PastedItems:
    """The items of ``copy_text`` text made fit for ``doc``, their top-left corner at ``pos``.

    Raises FileFormatError (or a GraphError) for text that is not a copied graph.
    """
    part = loads_document(text)
    positions = [n.pos for n in part.nodes] + [n.pos for n in part.notes]
    items = PastedItems()
    if not positions:
        return items
    dx = pos[0] - min(p[0] for p in positions)
    dy = pos[1] - min(p[1] for p in positions)
    fresh_ids: dict[str, str] = {}
    labels = {node.label for node in doc.nodes}
    for node in part.nodes:
        fresh = node.copy()
        fresh.id = doc.new_id(_id_stem(node.id), also_taken=fresh_ids.values())
        fresh.label = _unique_label(node.label, labels) if node.label else ""
        labels.add(fresh.label)
        fresh.pos = (node.pos[0] + dx, node.pos[1] + dy)
        fresh_ids[node.id] = fresh.id
        items.nodes.append(fresh)
    items.edges = [Edge(fresh_ids[e.src], fresh_ids[e.dst], e.port) for e in part.edges]
    items.output = fresh_ids.get(part.output) if part.output is not None else None
    for note in part.notes:
        fresh_note = note.copy()
        fresh_note.id = doc.new_id(_id_stem(note.id), also_taken=items.ids)
        fresh_note.pos = (note.pos[0] + dx, note.pos[1] + dy)
        items.notes.append(fresh_note)
    return items


def duplicate_position(doc: GraphDocument, ids: Iterable[str]) -> Point | None:
    """Where a duplicate of the items goes: a little below and right of their top-left corner."""
    ids = list(ids)
    positions = [doc.node(i).pos for i in ids if doc.has_node(i)]
    positions += [doc.note(i).pos for i in ids if doc.has_note(i)]
    if not positions:
        return None
    return (min(p[0] for p in positions) + DUPLICATE_OFFSET,
            min(p[1] for p in positions) + DUPLICATE_OFFSET)


def _id_stem(item_id: str) -> str:
    """The id without its copy number ("w12" -> "w"), so copies are numbered from the original."""
    return re.sub(r"\d+$", "", item_id) or item_id


def _unique_label(label: str, taken: set[str]) -> str:
    """``label`` itself if free, else ``label_2``, ``label_3``, ... (the first free one).

    A copy of a copy counts on from the original name: "w_2" gives "w_3", not "w_2_2".
    """
    if label not in taken:
        return label
    label = re.sub(r"_\d+$", "", label) or label
    number = 2
    while f"{label}_{number}" in taken:
        number += 1
    return f"{label}_{number}"
