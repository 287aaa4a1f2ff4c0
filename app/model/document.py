"""The graph document: nodes, edges, notes and the output node, as plain Python.

This is the single source of truth of the editor. Every mutation goes through a method here, which
checks the rules (:mod:`app.model.rules`, raising a typed error from :mod:`app.model.errors`) and
then emits a signal; the canvas mirrors the document through those signals and the undo commands
call these methods. The ``check_*`` methods answer, by raising or not, whether a mutation would
be allowed, so the controller can ask before it pushes a command.

Values are stored as JSON-like python data (a number or nested lists) plus a dtype name, exactly as
they are written in a .cgraph file, so the document can be saved, compared and copied trivially.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from app.model import rules
from app.model.backward_plan import BackwardPlan
from app.model.errors import (
    CycleError,
    DuplicateIdError,
    InvalidValueError,
    NodeNotFoundError,
    PortError,
    UnknownNodeTypeError,
)
from app.model.signals import Signal
from app.registry import NODE_TYPES, NodeType


@dataclass
class Node:
    """One node of the graph.

    ``type`` is a registry name: "tensor" (a leaf: ``value``, ``dtype``, ``requires_grad``),
    "scalar" (a python number operand: ``value``) or an engine function ("add", "mul", ...)
    whose keyword arguments are in ``params``; ``inplace`` runs it as the tensor method that
    changes its first input (``a.add_(b)``). A torch.nn module ("Linear", "BCELoss") has its
    constructor's arguments in ``params``, its name in code in ``module_name`` and the values of
    its parameter tensors in ``state`` (name -> nested lists, as ``state_dict()`` names them).
    """

    id: str
    type: str
    label: str = ""
    pos: tuple[float, float] = (0.0, 0.0)
    value: Any = None
    dtype: str = "float32"
    requires_grad: bool = False
    retain_grad: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    inplace: bool = False
    state: dict[str, Any] = field(default_factory=dict)
    module_name: str = ""

    @property
    def spec(self) -> NodeType:
        return NODE_TYPES[self.type]

    @property
    def display_name(self) -> str:
        """The label if there is one, else the id: what the canvas and messages call the node."""
        return self.label or self.id

    def copy(self) -> Node:
        return copy.deepcopy(self)


def _shallow_copy(node: Node) -> Node:
    """A copy of ``node`` sharing its field values, with a params dict of its own."""
    fresh = object.__new__(Node)
    fresh.__dict__.update(node.__dict__)
    fresh.params = dict(node.params)
    return fresh


@dataclass(frozen=True)
class Edge:
    """A wire from the output of node ``src`` to input ``port`` (0-based) of node ``dst``."""

    src: str
    dst: str
    port: int


@dataclass
class Note:
    """A text note (comment box) on the canvas."""

    id: str
    text: str = ""
    pos: tuple[float, float] = (0.0, 0.0)
    size: tuple[float, float] = (220.0, 90.0)

    def copy(self) -> Note:
        return copy.deepcopy(self)


class GraphDocument:
    """A computational-graph document with change signals.

    Signals (all plain :class:`Signal`):
    ``node_added(node)``, ``node_removed(node)``, ``node_changed(node, field_name)``,
    ``edge_added(edge)``, ``edge_removed(edge)``, ``note_added(note)``, ``note_removed(note)``,
    ``note_changed(note, field_name)``, ``output_changed(node_id_or_None)``,
    ``program_changed()`` (how backward is called, the graph mode, the trace, a static run),
    ``optimizer_changed(settings_or_None)`` and ``changed()``, emitted after every mutation (the
    evaluator listens to this one).

    Besides the graph, a document holds how it is run: ``backward`` (the gradient and the
    passes of backward on the output, :mod:`app.model.backward_plan`), ``mode`` ("dynamic": every
    edit runs the graph; "static": only Run does, on ``static_run``, the copy Run took) and
    ``trace`` (branch id -> the side each branch took when the graph was traced, or None).
    ``optimizer`` holds how the Training dock trains the graph (``rules.check_optimizer``: the
    ``torch.optim`` class and its settings), None for the dock's defaults.
    """

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._edges: dict[tuple[str, int], Edge] = {}  # keyed by (dst, port): one wire per input
        self._notes: dict[str, Note] = {}
        self._output: str | None = None
        self._backward = BackwardPlan()
        self._mode = "dynamic"
        self._trace: dict[str, str] | None = None
        self._static_run: GraphDocument | None = None
        self._optimizer: dict[str, Any] | None = None
        #: topological order and input table, kept until nodes or wires change (an evaluation
        #: after a value edit, the common case, reuses them)
        self._order: list[str] | None = None
        self._inputs: dict[str, list[str | None]] | None = None
        #: node id -> (its node, the copy ``evaluation_copy`` hands out while it is unchanged)
        self._copies: dict[str, tuple[Node, Node]] = {}
        #: ids of nodes this document shares with copies of another (``evaluation_copy``):
        #: copied before this document changes them (copy on write)
        self._borrowed: set[str] = set()
        self.node_added = Signal()
        self.node_removed = Signal()
        self.node_changed = Signal()
        self.edge_added = Signal()
        self.edge_removed = Signal()
        self.note_added = Signal()
        self.note_removed = Signal()
        self.note_changed = Signal()
        self.output_changed = Signal()
        self.program_changed = Signal()
        self.optimizer_changed = Signal()
        self.changed = Signal()

    # ------------------------------------------------------------------ queries
    @property
    def nodes(self) -> list[Node]:
        return list(self._nodes.values())

    @property
    def edges(self) -> list[Edge]:
        return list(self._edges.values())

    @property
    def notes(self) -> list[Note]:
        return list(self._notes.values())

    @property
    def output(self) -> str | None:
        """Id of the node backward starts from, or None."""
        return self._output

    @property
    def backward(self) -> BackwardPlan:
        """How backward is called on the output (the gradient, the passes, zero_grad)."""
        return self._backward

    @property
    def mode(self) -> str:
        """ "dynamic" (every edit runs the graph) or "static" (only Run does)."""
        return self._mode

    @property
    def trace(self) -> dict[str, str] | None:
        """Branch id -> the side it took when traced (None: not traced). A copy."""
        return None if self._trace is None else dict(self._trace)

    @property
    def static_run(self) -> GraphDocument | None:
        """In static mode, the copy of the graph the last Run ran (None before a Run)."""
        return self._static_run

    @property
    def optimizer(self) -> dict[str, Any] | None:
        """The Training dock's optimizer and its settings, or None (the dock's defaults)."""
        return copy.deepcopy(self._optimizer)

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise NodeNotFoundError(f"no node with id {node_id!r}") from None

    def note(self, note_id: str) -> Note:
        try:
            return self._notes[note_id]
        except KeyError:
            raise NodeNotFoundError(f"no note with id {note_id!r}") from None

    def has_node(self, node_id: str) -> bool:
        return node_id in self._nodes

    def has_note(self, note_id: str) -> bool:
        return note_id in self._notes

    def edge_into(self, dst: str, port: int) -> Edge | None:
        """The wire into input ``port`` of ``dst``, if any."""
        return self._edges.get((dst, port))

    def edges_of(self, node_id: str) -> list[Edge]:
        """Every wire into or out of the node."""
        return [e for e in self._edges.values() if node_id in (e.src, e.dst)]

    def inputs_of(self, node_id: str) -> list[str | None]:
        """Source node id wired to each input port of the node (None where unwired)."""
        node = self.node(node_id)
        return [
            (edge.src if (edge := self._edges.get((node_id, p))) else None)
            for p in range(len(node.spec.inputs))
        ]

    def consumers_of(self, node_id: str) -> list[Edge]:
        """The wires leaving the node."""
        return [e for e in self._edges.values() if e.src == node_id]

    def topological_order(self) -> list[str]:
        """Node ids with every node after all of its inputs (Kahn's algorithm, stable)."""
        if self._order is None:
            self._order = self._kahn(self._edges.values())
        return list(self._order)

    def input_table(self) -> dict[str, list[str | None]]:
        """Node id -> the source wired to each of its input ports (None where unwired), for
        every node with at least one wire in. Read-only: the table is shared until the next
        change of the wires."""
        if self._inputs is None:
            table: dict[str, list[str | None]] = {}
            for edge in self._edges.values():
                ports = table.get(edge.dst)
                if ports is None:
                    ports = table[edge.dst] = [None] * len(self._nodes[edge.dst].spec.inputs)
                ports[edge.port] = edge.src
            self._inputs = table
        return self._inputs

    def _structure_changed(self) -> None:
        self._order = self._inputs = None

    def _kahn(self, edges: Iterable[Edge]) -> list[str]:
        """Kahn's algorithm over the given wires; fewer ids than nodes means a cycle."""
        edges = list(edges)
        indegree = {nid: 0 for nid in self._nodes}
        for edge in edges:
            indegree[edge.dst] += 1
        ready = [nid for nid, deg in indegree.items() if deg == 0]
        order: list[str] = []
        out_edges: dict[str, list[str]] = {nid: [] for nid in self._nodes}
        for edge in edges:
            out_edges[edge.src].append(edge.dst)
        while ready:
            nid = ready.pop(0) if len(ready) < 64 else ready.pop()
            order.append(nid)
            for dst in out_edges[nid]:
                indegree[dst] -= 1
                if indegree[dst] == 0:
                    ready.append(dst)
        return order

    def ancestors(self, node_id: str) -> set[str]:
        """``node_id`` and every node that feeds it through some path (one walk of the graph:
        ask this, not :meth:`depends_on` node by node, for many nodes)."""
        table = self.input_table()
        found, stack = {node_id}, [node_id]
        while stack:
            for src in table.get(stack.pop(), ()):
                if src is not None and src not in found:
                    found.add(src)
                    stack.append(src)
        return found

    def depends_on(self, node_id: str, ancestor: str) -> bool:
        """True when ``ancestor`` is ``node_id`` or feeds it through some path."""
        stack, seen = [node_id], set()
        while stack:
            nid = stack.pop()
            if nid == ancestor:
                return True
            if nid in seen:
                continue
            seen.add(nid)
            stack.extend(src for src in self.inputs_of(nid) if src is not None)
        return False

    def new_id(self, prefix: str, also_taken: Iterable[str] = ()) -> str:
        """A node/note id starting with ``prefix`` that is not used yet, nor in ``also_taken``
        (ids given to items about to be added)."""
        base = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in prefix) or "n"
        taken = set(also_taken)
        for candidate in itertools.chain([base], (f"{base}{i}" for i in itertools.count(1))):
            if candidate not in self._nodes and candidate not in self._notes \
                    and candidate not in taken:
                return candidate
        raise AssertionError("unreachable")

    def check_connect(self, src: str, dst: str, port: int) -> None:
        """Raise a :class:`GraphError` when the wire src -> dst[port] is not allowed."""
        self._check_port(src, dst, port)
        if self.depends_on(src, dst):
            raise CycleError(
                f"wiring {self.node(src).display_name} into {self.node(dst).display_name} would "
                "make a cycle; a computational graph has none"
            )

    def _check_port(self, src: str, dst: str, port: int) -> None:
        self.node(src)
        target = self.node(dst)
        rules.check_port(target.spec, port, target.display_name)

    def check_add_node(self, node: Node) -> None:
        """Raise a :class:`GraphError` when ``node`` cannot be added (unknown type, id taken,
        no such dtype)."""
        if node.type not in NODE_TYPES:
            raise UnknownNodeTypeError(f"unknown node type {node.type!r}")
        if node.id in self._nodes or node.id in self._notes:
            raise DuplicateIdError(f"a node with id {node.id!r} already exists")
        rules.check_dtype(node.dtype)
        spec = NODE_TYPES[node.type]
        if spec.state:
            rules.check_state(spec, node.params, node.state)
        elif node.state:
            rules.check_node_field(spec, "state")
        if node.module_name:
            rules.check_node_field(spec, "module_name")

    def check_set_field(self, node_id: str, name: str, value: Any) -> None:
        """Raise a :class:`GraphError` when ``set_field(node_id, name, value)`` is not allowed."""
        node = self.node(node_id)
        rules.check_node_field(node.spec, name)
        if name == "dtype":
            rules.check_dtype(value)
        elif name == "inplace":
            rules.check_inplace(node.spec, value)
        elif name == "state":
            rules.check_state(node.spec, node.params, value)
        elif name == "module_name" and not isinstance(value, str):
            raise InvalidValueError(f"module_name: expected a string, got {rules.describe(value)}")

    def check_set_param(self, node_id: str, name: str, value: Any) -> Any:
        """Raise a :class:`GraphError` when the op has no parameter ``name`` or it cannot hold
        ``value``; else return the value as the parameter holds it (a shape as a tuple).
        None unsets the parameter, which then takes the registry's default."""
        node = self.node(node_id)
        node_type = node.spec
        if value is None:
            rules.check_param_name(node_type, name)
        else:
            value = rules.check_param(node_type, name, value)
        if name in node_type.init_params:
            # a module's sizes and its parameter tensors change together (set_module)
            params = {**node.params, name: value} if value is not None else \
                {key: item for key, item in node.params.items() if key != name}
            rules.check_state(node_type, params, node.state, f"{name} (the state)")
        return value

    def check_set_module(self, node_id: str, params: dict[str, Any],
                         state: dict[str, Any]) -> dict[str, Any]:
        """Raise a :class:`GraphError` unless the module node can take all of ``params`` and
        ``state`` at once; else return the params as the node holds them."""
        node_type = self.node(node_id).spec
        checked = {name: rules.check_param(node_type, name, value)
                   for name, value in params.items() if value is not None}
        rules.check_state(node_type, checked, state)
        return checked

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    # ---------------------------------------------------------------- mutations
    def add_node(self, node: Node) -> Node:
        self.check_add_node(node)
        self._nodes[node.id] = node
        self._structure_changed()
        self.node_added.emit(node)
        self.changed.emit()
        return node

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge], bool]:
        """Remove the node and its wires; returns them and whether it was the output (for undo).

        Backward steps zeroing it and its place in a trace go too (an undo puts them back
        with ``restore_program``)."""
        node = self.node(node_id)
        self._forget_in_program(node_id)
        edges = self.edges_of(node_id)
        for edge in edges:
            self._remove_edge(edge)
        was_output = self._output == node_id
        if was_output:
            self._output = None
            self.output_changed.emit(None)
        del self._nodes[node_id]
        self._copies.pop(node_id, None)
        self._borrowed.discard(node_id)
        self._structure_changed()
        self.node_removed.emit(node)
        self.changed.emit()
        return node, edges, was_output

    def connect(self, src: str, dst: str, port: int) -> Edge | None:
        """Wire src into dst[port]; a wire already there is replaced and returned."""
        self.check_connect(src, dst, port)
        old = self._edges.get((dst, port))
        if old is not None:
            if old.src == src:
                return None
            self._remove_edge(old)
        edge = Edge(src, dst, port)
        self._edges[(dst, port)] = edge
        self._structure_changed()
        self.edge_added.emit(edge)
        self.changed.emit()
        return old

    def connect_many(self, wires: Iterable[tuple[str, str, int]]) -> None:
        """Add many wires at once (a file being read, a paste) into unwired ports.

        Each wire is checked as :meth:`connect` checks it, but cycles are looked for once over the
        whole graph: a search per wire would take quadratic time on a large file. On a refusal
        nothing is added.
        """
        new: dict[tuple[str, int], Edge] = {}
        for src, dst, port in wires:
            self._check_port(src, dst, port)
            if (dst, port) in self._edges or (dst, port) in new:
                raise PortError(f"input {port} of {self.node(dst).display_name} is wired twice")
            new[(dst, port)] = Edge(src, dst, port)
        if len(self._kahn([*self._edges.values(), *new.values()])) < len(self._nodes):
            raise CycleError("these wires would make a cycle; a computational graph has none")
        self._structure_changed()
        for key, edge in new.items():
            self._edges[key] = edge
            self.edge_added.emit(edge)
        self.changed.emit()

    def disconnect(self, dst: str, port: int) -> Edge:
        edge = self._edges.get((dst, port))
        if edge is None:
            raise PortError(f"input {port} of {self.node(dst).display_name} is not wired")
        self._remove_edge(edge)
        self.changed.emit()
        return edge

    def _remove_edge(self, edge: Edge) -> None:
        del self._edges[(edge.dst, edge.port)]
        self._structure_changed()
        self.edge_removed.emit(edge)

    def _writable(self, node_id: str) -> Node:
        """The node, about to be changed: its copy for ``evaluation_copy`` is out of date, and a
        node shared with other copies becomes this document's own first."""
        node = self.node(node_id)
        self._copies.pop(node_id, None)
        if node_id in self._borrowed:
            self._borrowed.discard(node_id)
            node = self._nodes[node_id] = _shallow_copy(node)
        return node

    def move_node(self, node_id: str, pos: tuple[float, float]) -> None:
        node = self._writable(node_id)
        node.pos = (float(pos[0]), float(pos[1]))
        self.node_changed.emit(node, "pos")
        self.changed.emit()

    def set_field(self, node_id: str, name: str, value: Any) -> Any:
        """Set one node field (label, value, dtype, requires_grad, retain_grad; a module's
        module_name and state); returns the old."""
        self.check_set_field(node_id, name, value)
        node = self._writable(node_id)
        old = getattr(node, name)
        setattr(node, name, copy.deepcopy(value))
        self.node_changed.emit(node, name)
        self.changed.emit()
        return old

    def set_param(self, node_id: str, name: str, value: Any) -> Any:
        """Set an op parameter (dim, keepdim, ...); returns the old value (None if unset)."""
        value = self.check_set_param(node_id, name, value)
        node = self._writable(node_id)
        old = node.params.get(name)
        if value is None:
            node.params.pop(name, None)
        else:
            node.params[name] = value
        self.node_changed.emit(node, "params")
        self.changed.emit()
        return old

    def set_module(self, node_id: str, params: dict[str, Any],
                   state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Give a module node new params and state together (a Linear's in_features and its
        weight); returns the old ones."""
        checked = self.check_set_module(node_id, params, state)
        node = self._writable(node_id)
        old = (node.params, node.state)
        node.params, node.state = checked, copy.deepcopy(state)
        self.node_changed.emit(node, "params")
        self.node_changed.emit(node, "state")
        self.changed.emit()
        return old

    def set_optimizer(self, settings: dict[str, Any] | None) -> dict[str, Any] | None:
        """Choose how the Training dock trains (None: its defaults); returns the old settings."""
        checked = None if settings is None else rules.check_optimizer(settings)
        old = self._optimizer
        self._optimizer = checked
        self.optimizer_changed.emit(copy.deepcopy(checked))
        self.changed.emit()
        return old

    def set_output(self, node_id: str | None) -> str | None:
        """Choose the node backward starts from (None: no backward); returns the old one."""
        if node_id is not None:
            self.node(node_id)
        old = self._output
        self._output = node_id
        self.output_changed.emit(node_id)
        self.changed.emit()
        return old

    def _forget_in_program(self, node_id: str) -> None:
        plan = self._backward.without_nodes({node_id})
        trace = self._trace
        if trace is not None and node_id in trace:
            trace = {key: side for key, side in trace.items() if key != node_id} or None
        if plan != self._backward or trace != self._trace:
            self._backward, self._trace = plan, trace
            self.program_changed.emit()

    def _node_types(self) -> dict[str, NodeType]:
        return {node_id: node.spec for node_id, node in self._nodes.items()}

    def check_backward(self, plan: BackwardPlan) -> None:
        """Raise a :class:`GraphError` when the plan names nodes it cannot zero."""
        rules.check_backward_plan(plan, self._node_types())

    def set_backward(self, plan: BackwardPlan) -> BackwardPlan:
        """Call backward as ``plan`` says from now on; returns the old plan."""
        self.check_backward(plan)
        old = self._backward
        self._backward = plan
        self.program_changed.emit()
        self.changed.emit()
        return old

    def set_mode(self, mode: str) -> str:
        """Run the graph on every edit ("dynamic") or only on Run ("static"); returns the old
        mode. Entering static mode forgets the last Run: nothing runs until the next."""
        rules.check_mode(mode)
        old = self._mode
        self._mode = mode
        if mode != old:
            self._static_run = None
        self.program_changed.emit()
        self.changed.emit()
        return old

    def set_trace(self, trace: dict[str, str] | None) -> dict[str, str] | None:
        """Freeze the branches' sides (branch id -> "then"/"else"), or None; returns the old."""
        trace = rules.check_trace(trace, self._node_types())
        old = self._trace
        self._trace = trace
        self.program_changed.emit()
        self.changed.emit()
        return old

    def run_static(self) -> None:
        """Run: the static graph runs as it is now (a copy of it), until the next Run. Not an
        edit of the graph: the file does not keep it."""
        run = self.evaluation_copy()
        run._mode, run._static_run = "dynamic", None  # the copy itself simply runs
        self._static_run = run
        self.program_changed.emit()
        self.changed.emit()

    def program_state(self) -> tuple[BackwardPlan, str, dict[str, str] | None]:
        """The backward plan, mode and trace, for an undo command to put back."""
        return self._backward, self._mode, self.trace

    def restore_program(self, state: tuple[BackwardPlan, str, dict[str, str] | None]) -> None:
        plan, mode, trace = state
        if (plan, mode, trace) != self.program_state():
            self._backward, self._mode, self._trace = plan, mode, trace
            self.program_changed.emit()
            self.changed.emit()

    def add_note(self, note: Note) -> Note:
        if note.id in self._notes or note.id in self._nodes:
            raise DuplicateIdError(f"a note with id {note.id!r} already exists")
        self._notes[note.id] = note
        self.note_added.emit(note)
        self.changed.emit()
        return note

    def remove_note(self, note_id: str) -> Note:
        note = self.note(note_id)
        del self._notes[note_id]
        self.note_removed.emit(note)
        self.changed.emit()
        return note

    def set_note_field(self, note_id: str, name: str, value: Any) -> Any:
        """Set a note's text, pos or size; returns the old value."""
        note = self.note(note_id)
        rules.check_note_field(name)
        old = getattr(note, name)
        setattr(note, name, tuple(value) if name != "text" else str(value))
        self.note_changed.emit(note, name)
        self.changed.emit()
        return old

    def clear(self) -> None:
        """Remove everything (signals are emitted for each removal)."""
        for note_id in list(self._notes):
            self.remove_note(note_id)
        for node_id in list(self._nodes):
            self.remove_node(node_id)

    # --------------------------------------------------------------- comparison
    def evaluation_copy(self, *, notes: bool = False) -> GraphDocument:
        """A copy of the nodes, wires and output that later edits of this document cannot reach
        (for an evaluation in another thread, the autosave, the Code dock's script).

        Quick even for thousands of nodes (about 1 ms at 5,000): each node is a shallow copy with
        its own params dict (edits replace a node's value, never change it in place, so values
        are shared), made once and handed to every copy taken until the node changes; wires are
        immutable and shared, and so are the cached topological order and input table
        (replaced, never changed, when the wires change). Copies share their nodes, so a copy's
        own edits (``set_field`` on a copy being trained) copy the node first. Nobody changes a
        copy's node by assignment. Notes take no part in an evaluation and are left out, unless
        ``notes`` asks for them (the autosave writes such a copy in its own thread): each a
        shallow copy too, since a note's fields are replaced, never changed in place.
        """
        clone = GraphDocument()
        nodes = clone._nodes
        copies = self._copies
        for node_id, node in self._nodes.items():
            entry = copies.get(node_id)
            if entry is None or entry[0] is not node:
                entry = copies[node_id] = (node, _shallow_copy(node))
            nodes[node_id] = entry[1]
        clone._borrowed = set(nodes)
        clone._edges = dict(self._edges)
        clone._output = self._output
        clone._backward, clone._mode, clone._trace = self._backward, self._mode, self._trace
        clone._static_run = self._static_run  # itself a copy, never changed
        clone._optimizer = self._optimizer
        clone._order, clone._inputs = self._order, self._inputs
        if notes:
            clone._notes = {note_id: copy.copy(note) for note_id, note in self._notes.items()}
        return clone

    def snapshot(self) -> dict[str, Any]:
        """A plain, comparable picture of the whole document (used by tests and undo checks)."""
        return {
            "nodes": {n.id: copy.deepcopy(n.__dict__) for n in self._nodes.values()},
            "edges": sorted((e.src, e.dst, e.port) for e in self._edges.values()),
            "notes": {n.id: copy.deepcopy(n.__dict__) for n in self._notes.values()},
            "output": self._output,
            "backward": self._backward.record(),
            "mode": self._mode,
            "trace": self.trace,
            "optimizer": copy.deepcopy(self._optimizer),
        }
