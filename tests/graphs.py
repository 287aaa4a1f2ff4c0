"""Building small documents in tests."""

from __future__ import annotations

from app.model import GraphDocument, Node


def graph(nodes: list[Node], edges: list[tuple[str, str, int]],
          output: str | None = None) -> GraphDocument:
    """A document with these nodes, wires (src, dst, port) and output node."""
    doc = GraphDocument()
    for node in nodes:
        doc.add_node(node)
    for src, dst, port in edges:
        doc.connect(src, dst, port)
    doc.set_output(output)
    return doc
