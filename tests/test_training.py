"""Gradient descent on a document (app/teach/training.py), checked by hand and against torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cgengine
from app.fileio import load_document
from app.model import GraphDocument, Node
from app.teach.training import Trainer, TrainingError, leaf_values, trainable_leaves
from tests.oracle import torch

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"


@pytest.fixture
def doc() -> GraphDocument:
    """y_pred = w * x + b, loss = mse_loss(y_pred, target); w = 0.5, b = 0, target = 2x + 1."""
    return load_document(EXAMPLES / "linear_regression.cgraph")


def test_trainable_leaves_are_the_requires_grad_tensors(doc: GraphDocument) -> None:
    assert trainable_leaves(doc) == ["w", "b"]
    assert leaf_values(doc, ["w", "b"]) == {"w": [0.5], "b": [0.0]}


def test_first_step_is_the_update_computed_by_hand(doc: GraphDocument) -> None:
    # residual r = 0.5x - (2x + 1) = [-2.5, -4, -5.5, -7, -8.5]
    # loss = mean(r^2) = 34.75, dloss/dw = 2 mean(r x) = -39, dloss/db = 2 mean(r) = -11
    trainer = Trainer(doc, ["w", "b"], lr=0.05)
    assert trainer.step() == pytest.approx(34.75)
    assert trainer.values["w"] == [pytest.approx(0.5 + 0.05 * 39)]  # 2.45
    assert trainer.values["b"] == [pytest.approx(0.0 + 0.05 * 11)]  # 0.55
    assert trainer.losses == [pytest.approx(34.75)]
    # the trainer learns on its own copy; the document changes only by an undoable edit
    assert leaf_values(doc, ["w", "b"]) == {"w": [0.5], "b": [0.0]}


def test_first_step_matches_torch_bit_for_bit(doc: GraphDocument) -> None:
    w = torch.tensor([0.5], requires_grad=True)
    b = torch.tensor([0.0], requires_grad=True)
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    target = torch.tensor([3.0, 5.0, 7.0, 9.0, 11.0])
    loss = torch.nn.functional.mse_loss(w * x + b, target)
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
        b -= 0.05 * b.grad

    trainer = Trainer(doc, ["w", "b"], lr=0.05)
    assert trainer.step() == loss.item()
    assert trainer.values["w"] == w.tolist()
    assert trainer.values["b"] == b.tolist()


def test_hundred_steps_fit_the_line(doc: GraphDocument) -> None:
    trainer = Trainer(doc, ["w", "b"], lr=0.05)
    losses = trainer.run(100)
    assert len(losses) == 100
    assert losses[0] == pytest.approx(34.75)
    # measured: 34.75 -> 0.00183 (the slow direction is b, which still lags at 0.90)
    assert losses[-1] < losses[0] / 10_000
    assert all(later < earlier for earlier, later in zip(losses, losses[1:], strict=False))
    assert trainer.values["w"][0] == pytest.approx(2.0, abs=0.05)
    assert trainer.values["b"][0] == pytest.approx(1.0, abs=0.15)


def test_cgengine_and_torch_train_alike(doc: GraphDocument) -> None:
    twin = load_document(EXAMPLES / "linear_regression.cgraph")
    ours = Trainer(doc, ["w", "b"], lr=0.05, engine=cgengine)
    theirs = Trainer(twin, ["w", "b"], lr=0.05, engine=torch)
    np.testing.assert_allclose(ours.run(30), theirs.run(30), rtol=1e-5)
    np.testing.assert_allclose(ours.values["w"], theirs.values["w"], rtol=1e-6)
    np.testing.assert_allclose(ours.values["b"], theirs.values["b"], rtol=1e-6)


def test_values_stay_plain_data_in_the_leaf_dtype(doc: GraphDocument) -> None:
    doc.set_field("w", "dtype", "float64")
    doc.set_field("b", "value", 0)  # a 0-dim leaf stays 0-dim
    trainer = Trainer(doc, ["w", "b"], lr=0.05)
    trainer.step()
    w = trainer.values["w"]
    assert isinstance(w, list) and type(w[0]) is float
    # float64 keeps every digit of 0.5 + 0.05 * 39, which float32 rounds to 2.450000047683716
    assert w == [0.5 + 0.05 * 39.0]
    b = trainer.values["b"]
    assert type(b) is float
    assert b == np.float32(0.0) - np.float32(0.05) * np.float32(-11.0)


def test_only_the_chosen_leaves_change(doc: GraphDocument) -> None:
    trainer = Trainer(doc, ["w"], lr=0.05)
    trainer.run(3)
    assert set(trainer.values) == {"w"}
    assert trainer.model.node("b").value == [0.0]
    assert trainer.values["w"] != [0.5]


def test_should_stop_ends_the_run_early(doc: GraphDocument) -> None:
    trainer = Trainer(doc, ["w", "b"], lr=0.05)
    losses = trainer.run(100, should_stop=lambda: len(trainer.losses) >= 7)
    assert len(losses) == 7
    assert trainer.run(2) == trainer.losses[7:]


def test_no_leaves_and_bad_rates_are_refused(doc: GraphDocument) -> None:
    with pytest.raises(TrainingError, match="at least one leaf"):
        Trainer(doc, [], lr=0.05)
    for lr in (0.0, -0.1, float("nan")):
        with pytest.raises(TrainingError, match="learning rate must be a positive number"):
            Trainer(doc, ["w"], lr=lr)


def test_output_must_be_a_scalar_loss(doc: GraphDocument) -> None:
    doc.set_output("y_pred")
    with pytest.raises(TrainingError, match=r"y_pred must be a single number, but its shape "
                                            r"is \(5,\): reduce it with sum or mean"):
        Trainer(doc, ["w"], lr=0.05).step()
    doc.set_output(None)
    trainer = Trainer(doc, ["w"], lr=0.05)
    with pytest.raises(TrainingError, match="Choose the output node"):
        trainer.step()
    assert trainer.values["w"] == [0.5]


def test_diverging_loss_stops_with_advice(doc: GraphDocument) -> None:
    trainer = Trainer(doc, ["w", "b"], lr=5.0)
    with pytest.raises(TrainingError, match="try a smaller one") as caught:
        trainer.run(1000)
    assert "The loss became" in str(caught.value)
    # every step before the bad one was taken and recorded; the bad one changed nothing
    assert 5 < len(trainer.losses) < 1000
    assert np.all(np.isfinite(trainer.losses))


def test_leaves_that_cannot_learn_are_named(doc: GraphDocument) -> None:
    doc.add_node(Node(id="c", type="tensor", label="c", value=[1.0], requires_grad=True))
    trainer = Trainer(doc, ["w", "c"], lr=0.05)
    with pytest.raises(TrainingError, match=r"c.grad is None: the loss does not depend on it"):
        trainer.step()
    assert trainer.values["w"] == [0.5]  # all or nothing
    with pytest.raises(TrainingError, match="x is not a leaf tensor with requires_grad=True"):
        Trainer(doc, ["x"], lr=0.05).step()
    with pytest.raises(TrainingError, match="'gone' is no longer in the graph"):
        Trainer(doc, ["gone"], lr=0.05).step()
    doc.set_field("w", "dtype", "int64")
    with pytest.raises(TrainingError, match="w is int64: only floating-point leaves"):
        Trainer(doc, ["w"], lr=0.05).step()


def test_a_failing_graph_is_a_message(doc: GraphDocument) -> None:
    doc.disconnect("loss", 1)
    with pytest.raises(TrainingError, match="The loss loss cannot be computed: input 'target' "
                                            "is not connected"):
        Trainer(doc, ["w"], lr=0.05).step()
