"""Place the nodes of an imported graph left to right, the way a lesson draws a graph.

A node's column is its depth: the longest path to it from a leaf, so every wire runs to the
right. Within a column nodes are ordered by the mean row of their inputs (fewer crossing wires),
leaves by the order the code made them, and each column is centred on the tallest one. A python
number operand sits in the column just left of the operation that uses it. (Tidy Up lays out a
graph the user built: app/model/layout.py, which also gives the depths used here.)
"""

from __future__ import annotations

from app.model import GraphDocument
from app.model.layout import depths

COLUMN_SPACING = 230.0
ROW_SPACING = 150.0


def layout(doc: GraphDocument) -> None:
    """Move every node of ``doc`` to its place in the layered, left-to-right drawing."""
    creation = {node.id: index for index, node in enumerate(doc.nodes)}
    depth = depths(doc)
    column_of: dict[str, int] = {}
    for node in doc.nodes:
        consumers = [depth[edge.dst] for edge in doc.consumers_of(node.id)]
        if node.type == "scalar" and consumers:
            column_of[node.id] = min(consumers) - 1
        else:
            column_of[node.id] = depth[node.id]

    columns: dict[int, list[str]] = {}
    for node_id in sorted(column_of, key=creation.__getitem__):
        columns.setdefault(column_of[node_id], []).append(node_id)
    row: dict[str, float] = {}
    for column in sorted(columns):
        members = columns[column]
        # inputs always sit in earlier columns, so their rows are known here
        members.sort(key=lambda nid: (_row_wanted(doc, nid, row), creation[nid]))
        row.update((nid, float(index)) for index, nid in enumerate(members))

    tallest = max((len(members) for members in columns.values()), default=0)
    for column, members in columns.items():
        offset = (tallest - len(members)) / 2
        for node_id in members:
            doc.move_node(node_id, (column * COLUMN_SPACING,
                                    (row[node_id] + offset) * ROW_SPACING))


def _row_wanted(doc: GraphDocument, node_id: str, row: dict[str, float]) -> float:
    """The row a node would like: the mean row of its inputs (for a number operand: of the other
    inputs of its consumers that are placed already). Leaves come first, unplaceable numbers last.
    """
    if doc.node(node_id).type == "scalar":
        rows = [row[src] for edge in doc.consumers_of(node_id)
                for src in doc.inputs_of(edge.dst) if src in row]
        return sum(rows) / len(rows) if rows else float("inf")
    rows = [row[src] for src in doc.inputs_of(node_id) if src is not None]
    return sum(rows) / len(rows) if rows else -1.0
