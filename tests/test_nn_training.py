"""Optimizers on module graphs (app/teach/training.py, app/teach/optimizer_steps.py), checked
against torch's own training loop, and the logistic-regression example as the course trains it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cgengine
from app.fileio import load_document
from app.teach.optimizer_steps import settings_text, update_formulas
from app.teach.training import Trainer, TrainingError, accuracy, trainable_leaves
from tests.oracle import torch

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "resources" / "examples" / "logistic_regression.cgraph"
COURSE_SGD = {"name": "SGD", "lr": 0.01, "momentum": 0.9, "weight_decay": 0.0}


def course_data(module):
    """The course's two Gaussian clouds, 20 points each, made by ``module`` (torch or cgengine)
    exactly as tests/course/logistic_regression.py makes its 100, then its LR model's layer."""
    module.manual_seed(10)
    n_data = module.ones(20, 2)
    x0 = module.normal(1.7 * n_data, 1) + 1
    x1 = module.normal(-1.7 * n_data, 1) + 1
    x = module.cat((x0, x1), 0)
    y = module.cat((module.zeros(20), module.ones(20)), 0)
    return x, y, module.nn.Linear(2, 1)


def torch_training(steps: int, settings: dict) -> tuple[list[float], list[float], object]:
    """The course's loop in torch: losses and accuracies (each before its step), and the net."""
    x, y, net = course_data(torch)
    kind = getattr(torch.optim, settings["name"])
    options = {key: tuple(value) if key == "betas" else value
               for key, value in settings.items() if key != "name"}
    optimizer = kind(net.parameters(), **options)
    losses, shares = [], []
    for _ in range(steps):
        y_pred = torch.sigmoid(net(x))
        loss = torch.nn.BCELoss()(y_pred.squeeze(), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        shares.append(((y_pred.ge(0.5).float().squeeze() == y).sum() / len(y)).item())
    return losses, shares, net


def test_the_example_holds_the_courses_data_and_layer() -> None:
    doc = load_document(EXAMPLE)
    x, y, net = course_data(torch)
    assert doc.node("train_x").value == x.tolist()
    assert doc.node("train_y").value == y.tolist()
    assert doc.node("features").state == {"weight": net.weight.tolist(),
                                          "bias": net.bias.tolist()}
    assert "seed" not in doc.node("features").params  # drawn after the data, not right after
    assert doc.optimizer == COURSE_SGD
    # cgengine draws the same numbers (the example was made with it)
    ours = course_data(cgengine)
    assert ours[0].tolist() == x.tolist() and ours[2].weight.tolist() == net.weight.tolist()


def test_the_example_trains_as_torch_trains_it() -> None:
    doc = load_document(EXAMPLE)
    assert trainable_leaves(doc) == ["features"]
    trainer = Trainer(doc, ["features"], settings=doc.optimizer)
    ours = trainer.run(60)
    losses, shares, net = torch_training(60, COURSE_SGD)
    np.testing.assert_allclose(ours, losses, rtol=2e-5)
    assert trainer.accuracies == pytest.approx(shares)
    assert trainer.accuracies[0] == 0.45 and max(trainer.accuracies[:40]) == 1.0
    assert trainer.accuracies[-1] == 1.0 > 0.95
    np.testing.assert_allclose(trainer.values["features"]["weight"], net.weight.tolist(),
                               rtol=1e-4)
    np.testing.assert_allclose(trainer.values["features"]["bias"], net.bias.tolist(), rtol=1e-4)
    assert doc.node("features").state["bias"] != trainer.values["features"]["bias"]  # a copy


@pytest.mark.parametrize("settings", [
    {"name": "SGD", "lr": 0.1, "momentum": 0.0, "weight_decay": 0.01},
    {"name": "Adam", "lr": 0.05, "betas": [0.8, 0.99], "weight_decay": 0.0},
])
def test_other_optimizers_follow_torch_too(settings: dict) -> None:
    doc = load_document(EXAMPLE)
    trainer = Trainer(doc, ["features"], settings=settings)
    losses, shares, _net = torch_training(15, settings)
    np.testing.assert_allclose(trainer.run(15), losses, rtol=5e-5)
    assert trainer.accuracies == pytest.approx(shares)


def test_the_step_formulas_show_the_optimizers_numbers() -> None:
    doc = load_document(EXAMPLE)
    trainer = Trainer(doc, ["features"], settings=doc.optimizer)
    trainer.step()
    first = update_formulas(trainer.settings, trainer.last_update)
    assert settings_text(trainer.settings) == "SGD, lr=0.01, momentum=0.9"
    assert first[0].startswith("buf = features.weight.grad = [[1.2200, 0.9162]]  (the first")
    assert first[1] == ("features.weight ← features.weight − lr · buf = [[ 0.4697, -0.4241]] "
                        "− 0.01 · [[1.2200, 0.9162]] = [[ 0.4575, -0.4333]]")
    trainer.step()
    second = update_formulas(trainer.settings, trainer.last_update)
    assert second[0].startswith("buf = μ · buf + features.weight.grad = 0.9 · [[1.2200, 0.9162]]"
                                " + [[")
    assert second[3].startswith("features.bias ← features.bias − lr · buf = 0.4")
    # the buffer shown is torch's momentum buffer after the same two steps
    x, y, net = course_data(torch)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    for _ in range(2):
        torch.nn.BCELoss()(torch.sigmoid(net(x)).squeeze(), y).backward()
        optimizer.step()
        optimizer.zero_grad()
    buffer = optimizer.state[net.weight]["momentum_buffer"].numpy()
    np.testing.assert_allclose(trainer.last_update[0].state["momentum_buffer"], buffer,
                               rtol=1e-5)


def test_adam_formulas_name_its_moments() -> None:
    doc = load_document(EXAMPLE)
    trainer = Trainer(doc, ["features"], settings={"name": "Adam", "lr": 0.1})
    trainer.step()
    lines = update_formulas(trainer.settings, trainer.last_update)
    assert lines[0].startswith("m = β1 · m + (1 − β1) · features.weight.grad = 0.9 · [[0., 0.]]")
    assert lines[2].startswith("m̂ = m / (1 − β1^1) = [[1.2200, 0.9162]]")
    assert lines[3].startswith("features.weight ← features.weight − lr · m̂ / (√v̂ + ε) = ")


def test_accuracy_needs_a_classification_loss() -> None:
    doc = load_document(EXAMPLE)
    from app.evaluate import evaluate_document

    assert accuracy(doc, evaluate_document(doc)) == 0.45
    doc.set_output("prob")
    assert accuracy(doc, evaluate_document(doc)) is None
    linear = load_document(ROOT / "resources" / "examples" / "linear_regression.cgraph")
    assert accuracy(linear, evaluate_document(linear)) is None


def test_a_layer_the_loss_ignores_is_named() -> None:
    doc = load_document(EXAMPLE)
    doc.set_output("train_x")
    with pytest.raises(TrainingError, match=r"must be a single number"):
        Trainer(doc, ["features"], settings=doc.optimizer).step()


def test_the_command_line_trains_with_the_files_optimizer() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--eval", str(EXAMPLE),
                           "--train", "40", "--json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    losses, shares, net = torch_training(40, COURSE_SGD)
    assert report["training"]["optimizer"] == COURSE_SGD
    np.testing.assert_allclose(report["training"]["losses"], losses, rtol=2e-5)
    assert report["training"]["accuracies"] == pytest.approx(shares)
    weight = report["nodes"]["features"]["state"]["weight"]["value"]
    np.testing.assert_allclose(weight, net.weight.tolist(), rtol=1e-4)
    table = subprocess.run([sys.executable, str(ROOT / "main.py"), "--eval", str(EXAMPLE),
                            "--train", "40"], capture_output=True, text=True, cwd=ROOT,
                           timeout=120, check=False).stdout
    assert "features.weight" in table
    assert table.rstrip().endswith("accuracy 45.00% -> 100.00% (each read before its step)")
