"""cgengine.optim against torch.optim: the same steps from the same start give torch's numbers
(SGD bit for bit, Adam/AdamW to float32 rounding), and the bookkeeping (param_groups,
zero_grad, state_dict, schedulers) behaves as torch's."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import cgengine
from cgengine import nn, optim
from tests.oracle import torch

SGD_SETTINGS = [
    {"lr": 0.1},
    {"lr": 0.0137, "momentum": 0.9},
    {"lr": 0.01, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    {"lr": 0.01, "momentum": 0.5, "dampening": 0.3, "maximize": True, "weight_decay": 0.2},
]
ADAM_SETTINGS = [
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adam", {"lr": 0.003, "betas": (0.8, 0.95), "eps": 1e-6, "maximize": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.5, "amsgrad": True}),
]


def run_with_gradients(engine: Any, make: Callable[[list[Any]], Any], start: np.ndarray,
                       grads: list[np.ndarray]) -> np.ndarray:
    """Step an optimiser through the given gradients; the parameter it ends at."""
    param = engine.nn.Parameter(engine.tensor(start.copy()))
    opt = make([param])
    for g in grads:
        param.grad = engine.tensor(g)
        opt.step()
    return param.detach().numpy().copy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("size", [1, 3, 8, 17, 1000])
@pytest.mark.parametrize("settings", SGD_SETTINGS, ids=str)
def test_sgd_gives_torch_bits_from_the_same_gradients(dtype: str, size: int,
                                                      settings: dict[str, Any]) -> None:
    rng = np.random.default_rng(size)
    start = rng.standard_normal(size).astype(dtype)
    grads = [rng.standard_normal(size).astype(dtype) for _ in range(30)]
    ours = run_with_gradients(cgengine, lambda p: optim.SGD(p, **settings), start, grads)
    theirs = run_with_gradients(torch, lambda p: torch.optim.SGD(p, **settings), start, grads)
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("size", [1, 3, 100])
@pytest.mark.parametrize(("name", "settings"), ADAM_SETTINGS, ids=str)
def test_adam_matches_torch_to_float32_rounding(size: int, name: str,
                                                settings: dict[str, Any]) -> None:
    rng = np.random.default_rng(size)
    start = rng.standard_normal(size).astype(np.float32)
    grads = [rng.standard_normal(size).astype(np.float32) for _ in range(100)]
    ours = run_with_gradients(cgengine, lambda p: getattr(optim, name)(p, **settings), start,
                              grads)
    theirs = run_with_gradients(torch, lambda p: getattr(torch.optim, name)(p, **settings),
                                start, grads)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def fit(engine: Any, make: Callable[[list[Any]], Any], steps: int = 100) -> list[np.ndarray]:
    """100 steps on a least-squares problem built from elementwise ops (same data both sides)."""
    rng = np.random.default_rng(0)
    x = engine.tensor(rng.standard_normal((50, 3)).astype(np.float32))
    y = engine.tensor(rng.standard_normal(50).astype(np.float32))
    w = engine.nn.Parameter(engine.tensor(rng.standard_normal(3).astype(np.float32)))
    b = engine.nn.Parameter(engine.tensor([0.3]))
    opt = make([w, b])
    for _ in range(steps):
        opt.zero_grad()
        loss = (((x * w).sum(1) + b - y) ** 2).mean()
        loss.backward()
        opt.step()
    return [w.detach().numpy().copy(), b.detach().numpy().copy()]


@pytest.mark.parametrize(("name", "settings"),
                         [("SGD", s) for s in SGD_SETTINGS] + ADAM_SETTINGS, ids=str)
def test_a_hundred_training_steps_reach_torch_numbers(name: str, settings: dict[str, Any]) -> None:
    ours = fit(cgengine, lambda p: getattr(optim, name)(p, **settings))
    theirs = fit(torch, lambda p: getattr(torch.optim, name)(p, **settings))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)


def test_parameters_without_gradients_are_left_alone() -> None:
    a, b = nn.Parameter(cgengine.ones(2)), nn.Parameter(cgengine.ones(2))
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    a.grad = cgengine.ones(2)
    opt.step()
    assert a.tolist() == [0.5, 0.5] and b.tolist() == [1.0, 1.0]
    assert list(opt.state) == [a]


def test_steps_update_the_parameter_arrays_in_place() -> None:
    """Like torch's ``add_``: a state_dict taken earlier shares the parameters' memory."""
    model = nn.Linear(2, 1)
    snapshot = model.state_dict()
    opt = optim.SGD(model.parameters(), lr=1.0)
    for p in model.parameters():
        p.grad = cgengine.ones_like(p)
    opt.step()
    assert cgengine.equal(snapshot["weight"], model.weight.detach())


def test_zero_grad_sets_none_by_default_and_zeros_in_place_on_request() -> None:
    w = nn.Parameter(cgengine.ones(2))
    opt = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


def test_add_param_group_fills_defaults_and_refuses_sharing() -> None:
    a, b = nn.Parameter(cgengine.ones(1)), nn.Parameter(cgengine.ones(1))
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["params"] == [b]
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {nn.Parameter(cgengine.ones(1))}})
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got "
                                        "torch.FloatTensor"):
        optim.SGD(a, lr=0.1)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([a, a], lr=0.1)


def test_named_parameters_give_param_names() -> None:
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]


def test_load_state_dict_checks_the_groups() -> None:
    a, b = nn.Parameter(cgengine.ones(1)), nn.Parameter(cgengine.ones(1))
    saved = optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.SGD([a], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(saved)


def test_loaded_state_takes_the_parameters_dtype() -> None:
    w32 = nn.Parameter(cgengine.ones(2))
    opt = optim.SGD([w32], lr=0.1, momentum=0.9)
    w32.grad = cgengine.ones(2)
    opt.step()
    w64 = nn.Parameter(cgengine.ones(2, dtype=cgengine.float64))
    opt64 = optim.SGD([w64], lr=0.1, momentum=0.9)
    opt64.load_state_dict(opt.state_dict())
    assert opt64.state[w64]["momentum_buffer"].dtype == cgengine.float64


@pytest.mark.parametrize("make", [
    lambda e, o: e.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    lambda e, o: e.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5, 5], gamma=0.3),
    lambda e, o: e.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
    lambda e, o: e.optim.lr_scheduler.LambdaLR(o, lambda epoch: 0.95 ** epoch),
    lambda e, o: e.optim.lr_scheduler.LambdaLR(o, [lambda epoch: 1 / (epoch + 1),
                                                    lambda epoch: 0.5]),
])
def test_schedulers_follow_torch_epoch_by_epoch(make: Callable[..., Any]) -> None:
    def schedule(engine: Any) -> list[Any]:
        params = [engine.nn.Parameter(engine.ones(1))]
        opt = engine.optim.SGD([{"params": params}, {"params": [engine.nn.Parameter(
            engine.ones(1))], "lr": 0.5}], lr=0.1)
        scheduler = make(engine, opt)
        lrs = [scheduler.get_last_lr()]
        for epoch in range(9):
            opt.step()
            if epoch == 6:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the epoch argument is deprecated
                    scheduler.step(2)
            else:
                scheduler.step()
            lrs.append(scheduler.get_last_lr())
        return [lrs, {k: v for k, v in scheduler.state_dict().items()
                      if k not in ("milestones", "lr_lambdas")}]

    assert schedule(cgengine) == schedule(torch)


def test_scheduler_warns_when_stepped_before_the_optimizer() -> None:
    opt = optim.SGD([nn.Parameter(cgengine.ones(1))], lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(opt, 1)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
        scheduler.step()
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step()  # only the first step is checked, as in torch


@pytest.mark.parametrize("settings", [
    {}, {"mode": "max", "factor": 0.5, "patience": 1}, {"threshold_mode": "abs", "cooldown": 2,
                                                        "patience": 0, "min_lr": 0.02},
    {"patience": 2, "min_lr": [0.05, 0.001], "threshold": 0.1},
], ids=str)
def test_reduce_lr_on_plateau_follows_torch(settings: dict[str, Any]) -> None:
    metrics = [1.0, 0.9, 0.95, 0.95, 0.97, 0.5, 0.6, 0.6, 0.6, 0.6, 0.61, 0.4, 0.4] * 2

    def schedule(engine: Any) -> list[Any]:
        opt = engine.optim.SGD([{"params": [engine.nn.Parameter(engine.ones(1))]},
                                {"params": [engine.nn.Parameter(engine.ones(1))], "lr": 0.01}],
                               lr=0.1)
        scheduler = engine.optim.lr_scheduler.ReduceLROnPlateau(opt, **settings)
        lrs = []
        for metric in metrics:
            scheduler.step(engine.tensor(metric))
            lrs.append((scheduler.get_last_lr(), scheduler.num_bad_epochs, scheduler.best))
        return lrs

    assert schedule(cgengine) == schedule(torch)
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        optim.lr_scheduler.ReduceLROnPlateau(optim.SGD([nn.Parameter(cgengine.ones(1))]),
                                             factor=2.0)
