"""Undo and redo never lose anything: random sequences of every controller edit, then undo all.

A hypothesis state machine drives the controller with every edit it offers (nodes of every
registry type, removals, legal and illegal wires, moves, field and parameter edits, renames, the
output, notes, paste, duplicate, tidy up), interleaved with undo and redo. It records the
document snapshot and the evaluation after each step, keyed by the undo stack's index; walking
the stack back to the start and forward to the end must meet every recorded state again, with
the very same numbers (nan in the same places). The machine starts from the lesson graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from app.controller import DocumentController
from app.evaluate import EvalResult
from app.model import DTYPES
from app.registry import NODE_TYPES
from tests.test_controller import build_lesson

TYPE_NAMES = sorted(NODE_TYPES)
numbers = st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0])
positions = st.tuples(st.integers(-400, 400), st.integers(-400, 400)).map(
    lambda p: (float(p[0]), float(p[1])))
tensor_values = st.one_of(
    st.lists(numbers, min_size=1, max_size=3),
    st.lists(st.lists(numbers, min_size=2, max_size=2), min_size=2, max_size=2),
    numbers,
    st.just([[1.0], [2.0, 3.0]]),  # ragged: the node reports an error, the rest computes
)
labels = st.sampled_from(["w", "x", "y", "loss", "a b", "w_2"])


def _array_fields(node: Any) -> tuple[Any, ...]:
    return node.value, node.grad, node.full_grad


def assert_same_evaluation(got: EvalResult, expected: EvalResult, where: str) -> None:
    """The two evaluations show the same numbers and texts on every node and wire."""
    assert got.output == expected.output, where
    assert got.nodes.keys() == expected.nodes.keys(), where
    for node_id, node in got.nodes.items():
        other = expected.nodes[node_id]
        for mine, theirs in zip(_array_fields(node), _array_fields(other), strict=True):
            assert (mine is None) == (theirs is None), (where, node_id)
            if mine is not None:
                assert mine.dtype == theirs.dtype, (where, node_id)
                assert np.array_equal(mine, theirs, equal_nan=mine.dtype.kind == "f"), (
                    where, node_id, mine, theirs)
        for name in ("grad_fn", "is_leaf", "requires_grad", "shape", "dtype", "error",
                     "is_number", "blocked_by", "warning"):
            assert getattr(node, name) == getattr(other, name), (where, node_id, name)
    assert got.edges.keys() == expected.edges.keys(), where
    for key, edge in got.edges.items():
        theirs = expected.edges[key].grad
        assert (edge.grad is None) == (theirs is None), (where, key)
        if edge.grad is not None:
            assert np.array_equal(edge.grad, theirs, equal_nan=True), (where, key)


class UndoMachine(RuleBasedStateMachine):
    """Random edits, undos and redos on one controller; ``states[i]`` is the state at index i."""

    def __init__(self) -> None:
        super().__init__()
        self.controller = DocumentController()
        # start from the lesson graph, so that gradients flow from the first step on
        build_lesson(self.controller)
        self.controller.undo_stack.clear()
        self.states: dict[int, tuple[dict[str, Any], EvalResult]] = {}
        self.record()

    # -------------------------------------------------------------- helpers
    @property
    def doc(self):
        return self.controller.document

    def record(self) -> None:
        """Keep the state after the command at the stack's index (a merged move replaces it)."""
        stack = self.controller.undo_stack
        index = stack.index()
        # a push drops the commands that could be redone; an edit refused pushes nothing
        self.states = {i: s for i, s in self.states.items() if i <= stack.count()}
        self.states[index] = (self.doc.snapshot(), self.controller.evaluate_now())

    def check(self, where: str) -> None:
        snapshot, result = self.states[self.controller.undo_stack.index()]
        assert self.doc.snapshot() == snapshot, where
        assert_same_evaluation(self.controller.evaluate_now(), result, where)

    def node_ids(self) -> list[str]:
        return sorted(node.id for node in self.doc.nodes)

    def note_ids(self) -> list[str]:
        return sorted(note.id for note in self.doc.notes)

    def some(self, data: st.DataObject, ids: list[str], extra: list[str] = ()) -> str | None:
        choices = [*ids, *extra]
        return data.draw(st.sampled_from(choices)) if choices else None

    # ---------------------------------------------------------------- edits
    @rule(type_name=st.sampled_from(TYPE_NAMES), pos=positions, value=tensor_values,
          dtype=st.sampled_from(DTYPES), requires_grad=st.booleans())
    def add_node(self, type_name, pos, value, dtype, requires_grad) -> None:
        kind = NODE_TYPES[type_name].kind
        if kind == "tensor":
            self.controller.add_node(type_name, pos, value=value, dtype=dtype,
                                     requires_grad=requires_grad and dtype != "int64")
        elif kind == "scalar":
            self.controller.add_node(type_name, pos, value=value if isinstance(value, float)
                                     else 2)
        else:
            self.controller.add_node(type_name, pos)
        self.record()

    @rule(data=st.data())
    def remove(self, data) -> None:
        nodes = data.draw(st.lists(st.sampled_from(self.node_ids()), max_size=3)
                          if self.doc.nodes else st.just([]))
        notes = data.draw(st.lists(st.sampled_from(self.note_ids()), max_size=2)
                          if self.doc.notes else st.just([]))
        self.controller.remove(nodes, notes)
        self.record()

    @rule(data=st.data())
    def connect_legal(self, data) -> None:
        ops = [node for node in self.doc.nodes if node.spec.inputs]
        if ops:
            dst = data.draw(st.sampled_from(sorted(ops, key=lambda n: n.id)))
            port = data.draw(st.integers(0, len(dst.spec.inputs) - 1))
            src = self.some(data, [n for n in self.node_ids()
                                   if not self.doc.depends_on(n, dst.id)])
            if src is not None:
                assert self.controller.connect(src, dst.id, port)
        self.record()

    @rule(data=st.data(), port=st.integers(-1, 2))
    def connect(self, data, port) -> None:
        src, dst = self.some(data, self.node_ids()), self.some(data, self.node_ids())
        if src is not None:
            # illegal wires (cycles, missing ports, into leaves) are refused without a change
            self.controller.connect(src, dst, port)
        self.record()

    @rule(data=st.data(), port=st.integers(0, 1))
    def disconnect(self, data, port) -> None:
        dst = self.some(data, self.node_ids())
        if dst is not None:
            self.controller.disconnect(dst, port)
        self.record()

    @rule(data=st.data(), pos=positions)
    def move(self, data, pos) -> None:
        item = self.some(data, self.node_ids(), self.note_ids())
        if item is not None:
            old = (self.doc.node(item) if self.doc.has_node(item) else self.doc.note(item)).pos
            self.controller.move({item: (old, pos)})
        self.record()

    @rule(data=st.data(), value=tensor_values, dtype=st.sampled_from(DTYPES),
          flag=st.booleans(), which=st.sampled_from(["value", "dtype", "requires_grad",
                                                     "retain_grad"]))
    def set_field(self, data, value, dtype, flag, which) -> None:
        node_id = self.some(data, self.node_ids())
        if node_id is not None:
            new = {"value": value, "dtype": dtype}.get(which, flag)
            self.controller.set_field(node_id, which, new)
        self.record()

    @rule(data=st.data(), number=st.integers(-2, 2), flag=st.booleans())
    def set_param(self, data, number, flag) -> None:
        node_id = self.some(data, [n.id for n in self.doc.nodes if n.spec.params
                                   or any(p.default is not None for p in n.spec.inputs)])
        if node_id is not None:
            spec = self.doc.node(node_id).spec
            names = [p.name for p in spec.params] + [
                p.name for p in spec.inputs if p.default is not None]
            name = data.draw(st.sampled_from(names))
            kind = next((p.kind for p in spec.params if p.name == name), "float")
            value = {"bool": flag, "shape": (number if number else -1,),
                     "float": float(number), "optional_float": float(number)}.get(kind, number)
            self.controller.set_param(node_id, name, value)
        self.record()

    @rule(data=st.data(), label=labels)
    def rename(self, data, label) -> None:
        node_id = self.some(data, self.node_ids())
        if node_id is not None:
            self.controller.rename(node_id, label)
        self.record()

    @rule(data=st.data())
    def set_output(self, data) -> None:
        self.controller.set_output(data.draw(st.sampled_from([None, *self.node_ids()])))
        self.record()

    @rule(pos=positions, text=st.sampled_from(["", "chain rule", "∂y/∂w = 5"]))
    def add_note(self, pos, text) -> None:
        self.controller.add_note(pos, text)
        self.record()

    @rule(data=st.data(), text=st.sampled_from(["", "note", "grad flows back"]),
          size=st.tuples(st.integers(50, 300), st.integers(40, 200)))
    def edit_note(self, data, text, size) -> None:
        note_id = self.some(data, self.note_ids())
        if note_id is not None:
            self.controller.set_note_text(note_id, text)
            self.record()
            self.controller.set_note_field(note_id, "size", (float(size[0]), float(size[1])))
        self.record()

    @rule(data=st.data(), pos=positions)
    def paste(self, data, pos) -> None:
        items = [*self.node_ids(), *self.note_ids()]
        ids = data.draw(st.lists(st.sampled_from(items), max_size=4, unique=True)) if items else []
        self.controller.paste(self.controller.copy(ids), pos)
        self.record()

    @rule(data=st.data())
    def duplicate(self, data) -> None:
        ids = data.draw(st.lists(st.sampled_from(self.node_ids()), max_size=3, unique=True)
                        if self.doc.nodes else st.just([]))
        self.controller.duplicate(ids)
        self.record()

    @rule()
    def tidy_up(self) -> None:
        self.controller.tidy_up()
        self.record()

    @rule()
    def undo(self) -> None:
        self.controller.undo_stack.undo()
        self.check("after an undo")

    @rule()
    def redo(self) -> None:
        self.controller.undo_stack.redo()
        self.check("after a redo")

    # -------------------------------------------------------------- checks
    @invariant()
    def stack_index_has_a_recorded_state(self) -> None:
        assert self.controller.undo_stack.index() in self.states

    def teardown(self) -> None:
        stack = self.controller.undo_stack
        end = stack.index()
        while stack.canUndo():
            stack.undo()
            self.check(f"undoing back to step {stack.index()}")
        assert stack.index() == 0
        while stack.index() < end:
            stack.redo()
            self.check(f"redoing forward to step {stack.index()}")
        self.controller.deleteLater()


def test_undo_all_and_redo_all_meet_every_state_again(qapp):
    run_state_machine_as_test(
        UndoMachine,
        settings=settings(max_examples=30, stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.filter_too_much]))
