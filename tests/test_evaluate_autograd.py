"""The recorded backward graph and the order backward ran, as the evaluator reports them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.evaluate import evaluate_document
from app.fileio import load_document

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


def test_no_output_means_no_backward_graph() -> None:
    doc = load_document(EXAMPLES[0].parent / "lesson.cgraph")
    doc.set_output(None)
    result = evaluate_document(doc)
    assert result.autograd == [] and result.backward_order == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_backward_graph_matches_torch(path: Path) -> None:
    torch = pytest.importorskip("torch")
    ours = evaluate_document(load_document(path)).autograd
    theirs = evaluate_document(load_document(path), engine=torch).autograd
    assert [(n.name, n.node_id, n.next) for n in ours] == [
        (n.name, n.node_id, n.next) for n in theirs]
    assert ours, "every example has an output"
