"""The order a document's graph runs in, as a program: statements and ``if`` blocks (no Qt).

A graph without branch nodes or in-place nodes runs in any topological order: every order gives
the same numbers. Two kinds of node make the order matter, and this module decides it once for
the evaluator and the code exporter, so that the canvas and an exported script always agree:

- **In-place nodes** (``a.add_(b)``, ``a += b``) change the tensor of their first input, and
  give it back: ``a``, ``a2 = a.mul_(2)`` and ``a3 = a2.neg_()`` are one tensor, changed twice.
  A wire from any of them carries the tensor as that node left it, so every reader of one of
  its versions runs before the next in-place node that changes the tensor (unless it reads
  that node's result itself): that is what Python does when the readers come first in the
  code, and it is how a saved tensor gets modified before backward, torch's classic error.
  Where no order can keep every version (``a.neg_()`` and ``a.abs_()`` both read ``a`` as it
  was made), in-place nodes on one tensor run in document order and a reader the order puts
  after a change reads the changed tensor: :class:`TensorVersions` says which version each
  reader gets, and the evaluator and the exported code follow the same order.
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

import heapq
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
    the code) except that every node comes after its inputs, and every reader of a tensor's
    version before the in-place node that changes that tensor next (where that makes no cycle;
    in-place nodes on one tensor run in document order where their inputs allow)."""
    table = doc.input_table()  # cached by the document: not a search of the wires per node
    before: dict[str, list[str]] = {node.id: [src for src in table.get(node.id, ())
                                              if src is not None] for node in doc.nodes}
    tensors = shared_tensors(doc)
    if tensors:
        after: dict[str, list[str]] = {node_id: [] for node_id in before}
        for node_id, sources in before.items():
            for source in sources:
                after[source].append(node_id)

        def must_run_first(first: str, then: str) -> None:
            if first != then and first not in before[then] and not _reaches(after, then, first):
                before[then].append(first)
                after[first].append(then)

        for root, members in tensors.items():
            # the changes run one after another: as their inputs say, else in document order
            versions = [root, *_writer_order(after, members[1:])]
            for earlier, later in zip(versions[1:], versions[2:]):
                must_run_first(earlier, later)
            # every node holding the tensor is a version of it, read before the next change
            for version, change in zip(versions, versions[1:]):
                for edge in doc.consumers_of(version):
                    must_run_first(edge.dst, change)
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


def shared_tensors(doc: GraphDocument) -> dict[str, list[str]]:
    """The tensors that in-place nodes change: the node that made each (a root that is no
    in-place node) -> that node, then every in-place node that changes its tensor (directly or
    through another in-place node), in document order."""
    root_of: dict[str, str] = {}

    def root(node_id: str) -> str:
        path = []
        while node_id not in root_of:
            source = in_place_source(doc, node_id)
            if source is None:
                root_of[node_id] = node_id
                break
            path.append(node_id)
            node_id = source
        for step in path:
            root_of[step] = root_of[node_id]
        return root_of[node_id]

    tensors: dict[str, list[str]] = {}
    for node in doc.nodes:
        if node.inplace and in_place_source(doc, node.id) is not None:
            tensors.setdefault(root(node.id), []).append(node.id)
    return {tensor: [tensor, *writers] for tensor, writers in tensors.items()}


def _writer_order(after: dict[str, list[str]], writers: list[str]) -> list[str]:
    """``writers`` (in document order) so that none comes before one it follows from: the
    first in document order of those that no other one left leads to, each time."""
    rank = {writer: index for index, writer in enumerate(writers)}
    later: dict[str, list[str]] = {}
    waiting = dict.fromkeys(writers, 0)
    for writer in writers:
        later[writer] = [other for other in _descendants(after, writer)
                         if other in rank and other != writer]
        for other in later[writer]:
            waiting[other] += 1
    ready = [rank[writer] for writer in writers if waiting[writer] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        writer = writers[heapq.heappop(ready)]
        order.append(writer)
        for other in later[writer]:
            waiting[other] -= 1
            if waiting[other] == 0:
                heapq.heappush(ready, rank[other])
    return order


def _descendants(after: dict[str, list[str]], start: str) -> set[str]:
    stack, seen = [start], {start}
    while stack:
        for nxt in after[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


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
    the last in-place node that changed ``node_id``'s tensor before ``reader`` runs (any in-place
    node on that tensor, whichever of its names it was called on), or at the end when
    ``reader`` is None; ``node_id`` itself if none did since ``node_id`` ran.
    """

    def __init__(self, doc: GraphDocument, program: list[Item] | None = None) -> None:
        """``program`` is ``execution_program(doc)`` where the caller has it already."""
        self.position: dict[str, int] = {}
        self.tensor: dict[str, str] = {}  # node id -> the tensor's root, for shared tensors
        self.writers: dict[str, list[str]] = {}  # root -> its in-place nodes, in program order
        tensors = shared_tensors(doc)
        if not tensors:
            return
        for root, members in tensors.items():
            for member in members:
                self.tensor[member] = root
        program = execution_program(doc) if program is None else program
        for index, node_id in enumerate(flatten(program)):
            self.position[node_id] = index
            root = self.tensor.get(node_id)
            if root is not None and root != node_id:
                self.writers.setdefault(root, []).append(node_id)

    def at(self, node_id: str, reader: str | None = None) -> str:
        root = self.tensor.get(node_id)
        if root is None:
            return node_id
        end = len(self.position)
        limit = self.position.get(reader, end) if reader else end
        start = self.position.get(node_id, -1)
        earlier = [w for w in self.writers.get(root, ())
                   if start <= self.position[w] < limit]
        return earlier[-1] if earlier else node_id


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
