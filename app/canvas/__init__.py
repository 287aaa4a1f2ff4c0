"""The canvas: QGraphicsScene items that mirror the document, and the view that edits it.

``GraphScene(controller)`` mirrors ``controller.document`` and ``controller.result``;
``GraphView(controller)`` is the widget (zoom, pan, fit all, rubber band, palette drops).
"""

from app.canvas.edge_item import EdgeItem
from app.canvas.node_item import NodeItem
from app.canvas.note_item import NoteItem
from app.canvas.scene import GraphScene
from app.canvas.view import NODE_TYPE_MIME, GraphView

__all__ = ["NODE_TYPE_MIME", "EdgeItem", "GraphScene", "GraphView", "NodeItem", "NoteItem"]
