"""Tests of resources/examples: each loads, is laid out readably, computes the right numbers."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from app.evaluate import evaluate_document
from app.fileio import load_document

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "resources" / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.cgraph"))
NODE_SIZE = (180.0, 110.0)  # the canvas's node items


def test_the_required_examples_exist() -> None:
    assert {p.stem for p in EXAMPLES} >= {"lesson", "lesson_retain_grad", "linear_regression",
                                           "logistic_neuron", "mlp"}


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_layout_notes_and_a_clean_evaluation(path: Path) -> None:
    doc = load_document(path)
    boxes = {n.id: (*n.pos, *NODE_SIZE) for n in doc.nodes}
    boxes |= {n.id: (*n.pos, *n.size) for n in doc.notes}
    clashes = [(a, b) for a, b in itertools.combinations(boxes, 2) if _overlap(boxes[a], boxes[b])]
    assert clashes == []
    assert 1 <= len(doc.notes) <= 2
    assert all(len(note.text) > 40 for note in doc.notes)  # English, the lesson also in Chinese
    assert all(node.label for node in doc.nodes)
    # every wire runs left to right, so the graph reads like the code
    assert all(doc.node(e.src).pos[0] <= doc.node(e.dst).pos[0] for e in doc.edges)
    result = evaluate_document(doc)
    # (the side of an if that did not run says so: that is no problem but the lesson)
    problems = {k: (r.error, r.blocked_by, r.warning) for k, r in result.nodes.items()
                if (r.error or r.blocked_by or r.warning) and r.skipped_by is None}
    if path.stem == "course_in_place":  # torch's error is the lesson, on the node that caused it
        assert problems and all("inplace operation" in error for error, _, _ in problems.values())
    else:
        assert problems == {}
    assert doc.output is not None
    seed = result.nodes[doc.output].full_grad  # backward starts from d output / d output = 1
    if doc.backward.gradient is None:
        assert seed.size == 1 and seed.item() == 1.0
    else:  # or from the gradient a non-scalar output is given
        assert seed.tolist() == doc.backward.gradient


def test_lesson_layout() -> None:
    doc = load_document(EXAMPLES_DIR / "lesson.cgraph")
    assert [n.label for n in doc.nodes if n.type != "scalar"] == ["w", "x", "a", "b", "y"]
    columns = {n.label: n.pos[0] for n in doc.nodes}
    # Left to right as in the lesson's figure: leaves, then a and b, then y.
    assert columns["w"] == columns["x"] < columns["a"] == columns["b"] < columns["y"]
    assert doc.node("one").value == 1 and doc.node("one").type == "scalar"
    assert doc.node("a").retain_grad is False
    assert load_document(EXAMPLES_DIR / "lesson_retain_grad.cgraph").node("a").retain_grad


def test_linear_regression_numbers() -> None:
    result = evaluate_document(load_document(EXAMPLES_DIR / "linear_regression.cgraph")).nodes
    # y_pred - target = 0.5 x - (2 x + 1) = -(1.5 x + 1) for x = 1..5
    assert result["loss"].value.item() == pytest.approx(34.75)
    assert result["loss"].grad_fn == "MseLossBackward0"
    assert result["w"].grad.tolist() == pytest.approx([-39.0])  # 2/5 * sum(-(1.5x + 1) x)
    assert result["b"].grad.tolist() == pytest.approx([-11.0])  # 2/5 * sum(-(1.5x + 1))
    assert result["x"].grad is None and result["target"].grad is None


def test_logistic_neuron_numbers() -> None:
    result = evaluate_document(load_document(EXAMPLES_DIR / "logistic_neuron.cgraph")).nodes
    z = 0.5 * 1.0 + 0.25 * 2.0 - 0.2 * -1.0 + 0.1
    p = 1 / (1 + math.exp(-z))
    assert result["p"].value.tolist() == pytest.approx([p])
    assert result["loss"].value.item() == pytest.approx(-math.log(p), rel=1e-6)
    assert result["loss"].grad_fn == "BinaryCrossEntropyWithLogitsBackward0"
    assert result["w"].grad.tolist() == pytest.approx([(p - 1) * x for x in (1.0, 2.0, -1.0)],
                                                      rel=1e-5)
    assert result["b"].grad.tolist() == pytest.approx([p - 1], rel=1e-5)


def test_mlp_numbers_against_numpy() -> None:
    doc = load_document(EXAMPLES_DIR / "mlp.cgraph")
    v = {n.id: np.array(n.value, dtype=np.float64) for n in doc.nodes if n.type == "tensor"}
    assert doc.node("targets").dtype == "int64"
    assert v["x"].shape == (4, 3) and v["W1"].shape == (3, 5) and v["W2"].shape == (5, 3)
    z1 = v["x"] @ v["W1"] + v["b1"]
    h = np.maximum(z1, 0)
    logits = h @ v["W2"] + v["b2"]
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    targets = v["targets"].astype(int)
    loss = -log_probs[np.arange(4), targets].mean()
    # backward by hand: d loss / d logits = (softmax - onehot) / batch
    d_logits = (np.exp(log_probs) - np.eye(3)[targets]) / 4
    d_w2 = h.T @ d_logits
    d_w1 = v["x"].T @ ((d_logits @ v["W2"].T) * (z1 > 0))

    result = evaluate_document(doc).nodes
    assert result["loss"].value.item() == pytest.approx(loss, rel=1e-5)
    assert result["loss"].grad_fn == "NllLossBackward0"
    np.testing.assert_allclose(result["W2"].grad, d_w2, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(result["b2"].grad, d_logits.sum(axis=0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(result["W1"].grad, d_w1, rtol=1e-4, atol=1e-6)
    assert 0 < int((h == 0).sum()) < h.size  # relu really cuts some values


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_drawn_as_the_canvas_draws_it_nothing_covers_anything(qapp, path: Path) -> None:
    """With the cards at the size the canvas draws them: no card over another card, a port or a
    note, no gradient pill over a card, and every note tall enough for its text (the MLP was
    cramped: its pills covered its cards)."""
    from app.canvas import GraphScene
    from app.controller import DocumentController
    from tests.test_layout import clashes

    controller = DocumentController(load_document(path))
    scene = GraphScene(controller)
    controller.evaluate_now()
    scene.settle_all()
    assert clashes(scene) == []
    cards = [item.mapRectToScene(item.card_rect()) for item in scene.nodes.values()]
    for note in scene.notes.values():
        box = note.sceneBoundingRect()
        assert not any(box.intersects(card) for card in cards), note.note_id
        assert note.text_item.document().size().height() <= note.boundingRect().height()
