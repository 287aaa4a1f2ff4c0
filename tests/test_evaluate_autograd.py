"""The recorded backward graph and the order backward ran, as the evaluator reports them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.evaluate import evaluate_document
from app.evaluate.evaluator import AUTOGRAD_RECORD_LIMIT
from app.fileio import load_document
from app.model import GraphDocument, Node
from tests.oracle import import_torch

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "resources" / "examples").glob(
    "*.cgraph"))


def test_lesson_backward_graph_and_order() -> None:
    result = evaluate_document(load_document(EXAMPLES[0].parent / "lesson.cgraph"))
    graph = [(n.name, n.node_id, n.next) for n in result.autograd]
    assert graph == [
        ("MulBackward0", "y", [1, 2]),
        ("AddBackward0", "a", [3, 4]),
        ("AddBackward0", "b", [3, None]),  # None: the python number 1 has no graph node
        ("AccumulateGrad", "w", []),
        ("AccumulateGrad", "x", []),
    ]
    # torch's ready queue runs the newest node first: b was made after a
    assert result.backward_order == ["y", "b", "a", "x", "w"]
    assert result.autograd_size == 5


def test_no_output_means_no_backward_graph() -> None:
    doc = load_document(EXAMPLES[0].parent / "lesson.cgraph")
    doc.set_output(None)
    result = evaluate_document(doc)
    assert result.autograd == [] and result.backward_order == []
    assert result.autograd_size == 0


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_backward_graph_matches_torch(path: Path) -> None:
    torch = import_torch()
    ours = evaluate_document(load_document(path))
    theirs = evaluate_document(load_document(path), engine=torch)
    assert [(n.name, n.node_id, n.next) for n in ours.autograd] == [
        (n.name, n.node_id, n.next) for n in theirs.autograd]
    # the derivatives' graphs of grad nodes (create_graph=True), which the autograd view draws
    assert {node_id: [(n.name, n.node_id, n.next) for n in graph]
            for node_id, graph in ours.derivatives.items()} == {
        node_id: [(n.name, n.node_id, n.next) for n in graph]
        for node_id, graph in theirs.derivatives.items()}
    # every example shows a graph: its output's, or (second derivative) a grad node's
    assert ours.autograd or ours.derivatives


def exp_chain(length: int) -> GraphDocument:
    """w -> neg -> neg -> ... : ``length`` operations, so length + 1 backward graph nodes."""
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", "w", value=[0.5], requires_grad=True))
    previous = "w"
    for index in range(length):
        doc.add_node(Node(f"n{index}", "neg", f"n{index}"))
        doc.connect(previous, f"n{index}", 0)
        previous = f"n{index}"
    doc.set_output(previous)
    return doc


def test_a_backward_graph_too_large_to_draw_is_counted_not_listed() -> None:
    small = evaluate_document(exp_chain(AUTOGRAD_RECORD_LIMIT - 1))
    assert small.autograd_size == len(small.autograd) == AUTOGRAD_RECORD_LIMIT
    large = evaluate_document(exp_chain(AUTOGRAD_RECORD_LIMIT))
    assert large.autograd == [] and large.autograd_size == AUTOGRAD_RECORD_LIMIT + 1
    # the rest of the evaluation is whole: order, gradients, wires
    assert len(large.backward_order) == AUTOGRAD_RECORD_LIMIT + 1
    assert large.nodes["w"].grad.tolist() == [1.0]  # (-1) ** 1000
    assert large.edges[("n0", 0)].grad.tolist() == [1.0]
