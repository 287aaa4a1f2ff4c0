"""The graph document model: plain Python, its rules, typed errors, change signals (no Qt)."""

from app.model.document import Edge, GraphDocument, Node, Note
from app.model.errors import (
    CycleError,
    DuplicateIdError,
    GraphError,
    InvalidValueError,
    NodeNotFoundError,
    PortError,
    UnknownNodeTypeError,
)
from app.model.rules import DTYPES
from app.model.signals import Signal

__all__ = [
    "DTYPES",
    "CycleError",
    "DuplicateIdError",
    "Edge",
    "GraphDocument",
    "GraphError",
    "InvalidValueError",
    "Node",
    "NodeNotFoundError",
    "Note",
    "PortError",
    "Signal",
    "UnknownNodeTypeError",
]
