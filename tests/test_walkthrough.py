"""The walkthrough steps (app/teach/walkthrough.py): order, formulas and numbers, checked on the
lesson by hand and against torch where a derivative is computed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from graphs import graph

from app.evaluate import evaluate_document
from app.fileio import load_document
from app.model import GraphDocument, Node
from app.teach.walkthrough import backward_steps, format_number, forward_steps, local_derivative
from tests.oracle import torch

LESSON = Path(__file__).resolve().parent.parent / "resources" / "examples" / "lesson.cgraph"


def leaf(node_id: str, value: Any, requires_grad: bool = True) -> Node:
    return Node(node_id, "tensor", node_id, value=value, requires_grad=requires_grad)


@pytest.fixture
def lesson() -> GraphDocument:
    return load_document(LESSON)


def test_lesson_backward_steps_in_engine_order_with_the_chain_rule(lesson) -> None:
    result = evaluate_document(lesson)
    steps = backward_steps(lesson, result)
    assert [s.node_id for s in steps] == ["y", "b", "a", "x", "w"]
    assert [s.formula for s in steps] == [
        "dy/dy = 1.",
        "dy/db = a = 3.",
        "dy/da = b = 2.",
        "dy/dx = dy/da · da/dx = 2. · 1. = 2.",
        "dy/dw = dy/da · da/dw + dy/db · db/dw = 2. · 1. + 3. · 1. = 5.",
    ]
    assert [s.kind for s in steps] == ["seed", "chain", "chain", "chain", "chain"]
    assert [float(s.value[0]) for s in steps] == [1.0, 3.0, 2.0, 2.0, 5.0]
    # the wires delivering each gradient: w's comes along two, one per branch of its fan-out
    assert [s.wires for s in steps] == [(), (("y", 1),), (("y", 0),), (("a", 1),),
                                        (("a", 0), ("b", 0))]
    w_terms = steps[-1].terms
    assert [(t.consumer, float(t.upstream[0]), float(t.local[0]), float(t.grad[0]))
            for t in w_terms] == [("a", 2.0, 1.0, 2.0), ("b", 3.0, 1.0, 3.0)]


def test_lesson_forward_steps(lesson) -> None:
    steps = forward_steps(lesson, evaluate_document(lesson))
    assert [s.node_id for s in steps] == ["a", "b", "y"]
    assert [float(s.value[0]) for s in steps] == [3.0, 2.0, 6.0]
    assert [s.formula for s in steps] == ["a = w + x = 1. + 2. = 3.",
                                          "b = w + 1 = 1. + 1 = 2.",
                                          "y = a · b = 3. · 2. = 6."]
    assert steps[2].wires == (("y", 0), ("y", 1))


def test_labels_name_the_nodes_in_the_formulas(lesson) -> None:
    lesson.set_field("w", "label", "weight")
    lesson.set_field("a", "label", "x + w")
    steps = backward_steps(lesson, evaluate_document(lesson))
    assert steps[-1].formula == ("dy/dweight = dy/d(x + w) · d(x + w)/dweight + dy/db · "
                                 "db/dweight = 2. · 1. + 3. · 1. = 5.")
    assert forward_steps(lesson, evaluate_document(lesson))[0].formula == \
        "x + w = weight + x = 1. + 2. = 3."


def test_local_derivative_of_the_lesson_wires(lesson) -> None:
    result = evaluate_document(lesson)
    assert local_derivative(lesson, result, "y", 0).tolist() == [2.0]  # dy/da = b
    assert local_derivative(lesson, result, "y", 1).tolist() == [3.0]  # dy/db = a
    assert local_derivative(lesson, result, "a", 0).tolist() == [1.0]
    assert local_derivative(lesson, result, "b", 1) is None  # the python number 1
    assert local_derivative(lesson, result, "y", 5) is None  # no such wire


@pytest.mark.parametrize(("op", "value", "other"), [
    ("sin", 0.7, None), ("exp", 1.5, None), ("log", 2.0, None), ("tanh", -0.3, None),
    ("sigmoid", 0.2, None), ("div", 3.0, 4.0), ("pow", 1.5, 3.0), ("sub", 2.0, 5.0),
    ("mul", -2.0, 0.25), ("maximum", 1.0, 1.0),
])
def test_local_derivative_matches_torch(op: str, value: float, other: float | None) -> None:
    nodes = [leaf("p", [value]), Node("f", op)]
    edges = [("p", "f", 0)]
    if other is not None:
        nodes.append(leaf("q", [other]))
        edges.append(("q", "f", 1))
    doc = graph(nodes, edges, output="f")
    result = evaluate_document(doc)
    p = torch.tensor([value], requires_grad=True)
    operands = [p] if other is None else [p, torch.tensor([other])]
    out = getattr(torch, op)(*operands)
    (expected,) = torch.autograd.grad(out, [p])
    np.testing.assert_allclose(local_derivative(doc, result, "f", 0), expected.numpy(),
                               rtol=1e-6)


def test_a_node_wired_twice_into_one_op_sums_both_ports() -> None:
    doc = graph([leaf("x", [3.0]), Node("y", "mul")], [("x", "y", 0), ("x", "y", 1)],
                output="y")
    steps = backward_steps(doc, evaluate_document(doc))
    assert steps[1].formula == "dy/dx = dy/dx[input] + dy/dx[other] = x + x = 3. + 3. = 6."


def test_larger_tensors_show_the_wire_gradient() -> None:
    doc = graph([leaf("w", [1.0, 2.0]), Node("s", "sum"), Node("L", "mul"), leaf("k", [0.5])],
                [("w", "s", 0), ("s", "L", 0), ("k", "L", 1)], output="L")
    steps = backward_steps(doc, evaluate_document(doc))
    assert [s.formula for s in steps] == [
        "dL/dL = 1.",
        "dL/dk = s = 3.",
        "dL/ds = k = 0.5000",
        # d s/d w is a Jacobian, not a number: the step shows what flows along the wire
        "dL/dw = dL/ds · ds/dw = [0.5000, 0.5000]",
    ]


def test_no_backward_means_no_backward_steps(lesson) -> None:
    lesson.set_output(None)
    result = evaluate_document(lesson)
    assert backward_steps(lesson, result) == []
    assert [s.node_id for s in forward_steps(lesson, result)] == ["a", "b", "y"]
    doc = graph([leaf("p", [1.0, 2.0]), Node("e", "exp")], [("p", "e", 0)], output="e")
    assert backward_steps(doc, evaluate_document(doc)) == []  # backward of a vector fails


def test_torch_engine_without_an_order_walks_reverse_topologically(lesson) -> None:
    on_torch = evaluate_document(lesson, engine=torch)
    assert on_torch.backward_order == []
    formulas = [s.formula for s in backward_steps(lesson, on_torch)]
    assert formulas == [s.formula for s in backward_steps(lesson, evaluate_document(lesson))]


def test_forward_step_of_a_failed_operation_names_the_error() -> None:
    doc = graph([leaf("p", [1.0, 2.0]), leaf("q", [1.0, 2.0, 3.0]), Node("bad", "add"),
                 Node("after", "exp")], [("p", "bad", 0), ("q", "bad", 1), ("bad", "after", 0)])
    steps = forward_steps(doc, evaluate_document(doc))
    assert steps[0].formula == "bad = p + q = [1., 2.] + [1., 2., 3.]"
    assert "size" in steps[0].error
    assert steps[1].formula == "after = exp(bad)"
    assert steps[1].error is None and steps[1].blocked_by == "bad"


def test_forward_formulas_spell_params_and_defaults() -> None:
    doc = graph([leaf("p", [1.0]), leaf("q", [2.0]), Node("s", "add", params={"alpha": 3}),
                 Node("sq", "pow"), Node("n", "neg"), Node("t", "sum", params={"dim": 0})],
                [("p", "s", 0), ("q", "s", 1), ("s", "sq", 0), ("sq", "n", 0), ("n", "t", 0)])
    formulas = [s.formula for s in forward_steps(doc, evaluate_document(doc))]
    assert formulas == ["s = p + 3 · q = 1. + 3 · 2. = 7.",
                        "sq = s ** 2. = 7. ** 2. = 49.",
                        "n = -sq = -49.",  # "-49." once: the substituted number is the result
                        "t = sum(n, dim=0) = sum(-49., dim=0) = -49."]


def test_format_number_prints_like_torch() -> None:
    assert format_number(np.array([5.0], dtype=np.float32)) == "5."
    assert format_number(np.array(0.5)) == "0.5000"
    assert format_number(np.array([1.0, 2.0])) == "[1., 2.]"
    assert format_number(np.array([[1.0, 2.0], [3.0, 4.5]])) == \
        "[[1.0000, 2.0000], [3.0000, 4.5000]]"
    assert format_number(np.zeros((4, 3))) == "[shape (4, 3)]"
    assert format_number(2) == "2"
    assert format_number(2.0) == "2."
