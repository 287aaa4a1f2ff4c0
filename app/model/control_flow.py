"""The order a document's graph runs in, as a program: statements and ``if`` blocks (no Qt).

A graph without branch nodes or in-place nodes runs in any topological order: every order gives
the same numbers. Two kinds of node make the order matter, and this module decides it once for
the evaluator and the code exporter, so that the canvas and an exported script always agree:

- **In-place nodes** (``a.add_(b)``, ``a += b``) change the tensor of their first input. A wire
  from ``a`` carries ``a`` as its node made it, so every other reader of ``a`` runs before the
  in-place node (unless it reads the in-place node's result itself): that is what Python does
  when the readers come first in the code, and it is how a saved tensor gets modified before
  backward, torch's classic error.
- **Branch nodes** are Python's ``if``: ``if condition: y = then else: y = else``. The nodes
  that feed only one side of a branch (its *body*) run only when that side is taken, so the
  graph autograd records depends on the data. A node is in a body when every path from it to a
  result (a node nothing reads, or the output) goes through that side's wire. Bodies nest like
  the blocks of a program (each is post-dominated by its wire); leaf tensors and numbers are
  data made up front, in no body; so are in-place nodes and what they read, which always run
  (a change to a tensor made on one side only is not modelled). A body runs where its branch
  node runs, so a reader inside it
  may come after an in-place node that the plain order put after it: the evaluator and the
  exported code then both read the changed tensor. So :func:`execution_program`
  returns the graph as statements and :class:`Branch` blocks, each block in topological order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from app.model.document import GraphDocument

Side = Literal["then", "else"]
#: The input ports of a branch node ("condition" is port 0), by the side each one is.
BRANCH_SIDES: dict[int, Side] = {1: "then", 2: "else"}
SIDE_PORTS: dict[Side, int] = {"then": 1, "else": 2}


@dataclass
class Branch:
    """The ``if`` of branch node ``node_id``: the statements of each side, then the node."""

    node_id: str
    then: list[Item] = field(default_factory=list)
    otherwise: list[Item] = field(default_factory=list)

    def side(self, side: Side) -> list[Item]:
        return self.then if side == "then" else self.otherwise


Item = str | Branch


def is_branch(doc: GraphDocument, node_id: str) -> bool:
    return doc.node(node_id).spec.control == "choose"


def in_place_source(doc: GraphDocument, node_id: str) -> str | None:
    """The node whose tensor the in-place node ``node_id`` changes (its first input)."""
    node = doc.node(node_id)
    if not node.inplace:
        return None
    return doc.inputs_of(node_id)[0] if node.spec.inputs else None


def execution_order(doc: GraphDocument) -> list[str]:
    """Node ids in the order they run: the document's order (for imported code, the order of
    the code) except that every node comes after its inputs, and every other reader of a tensor
    before the in-place node that changes it (where that makes no cycle; two in-place nodes on
    one tensor run in document order)."""
    before: dict[str, list[str]] = {node.id: [src for src in doc.inputs_of(node.id)
                                              if src is not None] for node in doc.nodes}
    writers = [(node.id, source) for node in doc.nodes
               if (source := in_place_source(doc, node.id)) is not None]
    if writers:
        after: dict[str, list[str]] = {node_id: [] for node_id in before}
        for node_id, sources in before.items():
            for source in sources:
                after[source].append(node_id)
        for writer, source in writers:
            for edge in doc.consumers_of(source):
                reader = edge.dst
                if reader != writer and reader not in before[writer] \
                        and not _reaches(after, writer, reader):
                    before[writer].append(reader)
                    after[reader].append(writer)
    order: list[str] = []
    placed: set[str] = set()
    for node in doc.nodes:
        stack = [(node.id, False)]
        while stack:  # depth first, what must come before a node first, without recursion
            node_id, ready = stack.pop()
            if node_id in placed:
                continue
            if ready:
                placed.add(node_id)
                order.append(node_id)
                continue
            stack.append((node_id, True))
            stack.extend((src, False) for src in reversed(before[node_id]) if src not in placed)
    return order


def _reaches(after: dict[str, list[str]], start: str, goal: str) -> bool:
    stack, seen = [start], {start}
    while stack:
        node_id = stack.pop()
        if node_id == goal:
            return True
        for nxt in after[node_id]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


class TensorVersions:
    """Which node holds a tensor as a statement runs, when in-place nodes change tensors.

    ``a2 = a.mul_(2)`` makes ``a`` and ``a2`` one tensor: a statement after it that reads
    either reads the changed tensor, and code names it by the last change (as the code importer
    binds every name of a changed tensor to the change). ``at(node_id, reader)`` is that node:
    the last in-place node that changed ``node_id``'s tensor before ``reader`` runs (following
    changes of changes), or at the end when ``reader`` is None; ``node_id`` itself if none did.
    """

    def __init__(self, doc: GraphDocument) -> None:
        self.position: dict[str, int] = {}
        self.writers: dict[str, list[str]] = {}
        if not any(node.inplace for node in doc.nodes):
            return
        for index, node_id in enumerate(flatten(execution_program(doc))):
            self.position[node_id] = index
            source = in_place_source(doc, node_id)
            if source is not None:
                self.writers.setdefault(source, []).append(node_id)

    def at(self, node_id: str, reader: str | None = None) -> str:
        limit = self.position.get(reader, len(self.position)) if reader else len(self.position)
        seen = {node_id}
        while True:
            earlier = [w for w in self.writers.get(node_id, ()) if self.position[w] < limit]
            if not earlier or earlier[-1] in seen:
                return node_id
            node_id = earlier[-1]
            seen.add(node_id)


def needs_program(doc: GraphDocument) -> bool:
    """Whether the order matters: the graph has an in-place node or a branch node."""
    return any(node.inplace or node.spec.control == "choose" for node in doc.nodes)


def roots(doc: GraphDocument) -> set[str]:
    """The results a graph is run for: nodes nothing reads, and the output."""
    read = {edge.src for edge in doc.edges}
    found = {node.id for node in doc.nodes if node.id not in read}
    if doc.output is not None:
        found.add(doc.output)
    return found


def branch_bodies(doc: GraphDocument) -> dict[tuple[str, Side], set[str]]:
    """(branch id, side) -> the nodes that run only when that side is taken."""
    branches = [node.id for node in doc.nodes if node.spec.control == "choose"]
    if not branches:
        return {}
    inputs = doc.input_table()
    start = roots(doc)
    always = _ancestors(inputs, [node.id for node in doc.nodes if node.inplace])
    bodies: dict[tuple[str, Side], set[str]] = {}
    for branch in branches:
        ports = inputs.get(branch) or []
        for port, side in BRANCH_SIDES.items():
            source = ports[port] if port < len(ports) else None
            if source is None:
                bodies[(branch, side)] = set()
                continue
            needed = _needed(inputs, start, cut=(branch, port))
            # tensors and numbers are data, made before any statement runs: no body holds them
            bodies[(branch, side)] = {node_id for node_id in _ancestors(inputs, [source])
                                      if node_id not in needed and node_id not in always
                                      and doc.node(node_id).spec.is_op}
    return bodies


def _needed(inputs: dict[str, list[str | None]], start: Iterable[str],
            cut: tuple[str, int]) -> set[str]:
    """Every node some node of ``start`` reads, directly or not, without the wire ``cut``."""
    seen = set(start)
    stack = list(seen)
    while stack:
        node_id = stack.pop()
        for port, source in enumerate(inputs.get(node_id) or ()):
            if source is not None and (node_id, port) != cut and source not in seen:
                seen.add(source)
                stack.append(source)
    return seen


def _ancestors(inputs: dict[str, list[str | None]], start: list[str]) -> set[str]:
    seen = set(start)
    stack = list(start)
    while stack:
        for source in inputs.get(stack.pop()) or ():
            if source is not None and source not in seen:
                seen.add(source)
                stack.append(source)
    return seen


def execution_program(doc: GraphDocument) -> list[Item]:
    """The graph as a program: node ids in execution order, each branch node an ``if`` block
    holding its two bodies (themselves programs) at its place."""
    order = execution_order(doc)
    bodies = branch_bodies(doc)
    if not bodies:
        return order
    # each node goes to the smallest body that holds it (bodies nest), else to the top
    block_of: dict[str, tuple[str, Side] | None] = {}
    for key, members in sorted(bodies.items(), key=lambda item: -len(item[1])):
        for node_id in members:
            block_of[node_id] = key
    blocks: dict[tuple[str, Side] | None, list[Item]] = {None: []}
    blocks.update({key: [] for key in bodies})
    for node_id in order:
        block = blocks[block_of.get(node_id)]
        if (node_id, "then") in bodies:
            block.append(Branch(node_id, blocks[(node_id, "then")], blocks[(node_id, "else")]))
        else:
            block.append(node_id)
    return blocks[None]


def flatten(program: list[Item]) -> list[str]:
    """Every node id of a program, in order (a branch node after its bodies)."""
    ids: list[str] = []
    stack: list[Item | tuple[str]] = list(reversed(program))
    while stack:
        item = stack.pop()
        if isinstance(item, Branch):
            stack.append((item.node_id,))
            stack.extend(reversed(item.otherwise))
            stack.extend(reversed(item.then))
        elif isinstance(item, tuple):
            ids.append(item[0])
        else:
            ids.append(item)
    return ids
