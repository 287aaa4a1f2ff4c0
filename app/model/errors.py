"""Typed errors raised by the document model for illegal edits.

The editor asks the document (``check_connect``, ``check_set_field``, ...) before pushing a
command; the model still raises one of these when an edit would break a rule, and the message is
fit to show in the status bar as it is.
"""

from __future__ import annotations


class GraphError(Exception):
    """Base class of every illegal-edit error of the document model."""


class CycleError(GraphError):
    """The edge would close a cycle: a computational graph is acyclic."""


class PortError(GraphError):
    """The port does not exist on the node (out of range, or the node has no inputs)."""


class UnknownNodeTypeError(GraphError):
    """The node type is not in the registry."""


class DuplicateIdError(GraphError):
    """A node or note with that id is already in the document."""


class NodeNotFoundError(GraphError):
    """No node (or note) with that id is in the document."""


class InvalidValueError(GraphError):
    """A value, dtype or parameter that the node cannot hold."""
