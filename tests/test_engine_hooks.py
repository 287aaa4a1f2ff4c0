"""grad_fn.register_hook and Tensor.numpy(force=True), compared live with PyTorch.

A post-hook on a graph node sees the gradient that arrived at the node and the gradients it passes
to each of its next_functions: exactly the gradient flowing along each wire of the canvas, which is
what the editor's evaluator reads with it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import cgengine
from tests.oracle import torch


def lesson(engine: Any) -> tuple[Any, ...]:
    w = engine.tensor([1.0], requires_grad=True)
    x = engine.tensor([2.0], requires_grad=True)
    a = engine.add(w, x)
    b = engine.add(w, 1)
    return w, x, a, b, engine.mul(a, b)


def arrays(grads: tuple[Any, ...]) -> list[Any]:
    return [None if g is None else g.detach().numpy().tolist() for g in grads]


@pytest.mark.parametrize("engine", [cgengine, torch], ids=["cgengine", "torch"])
def test_post_hooks_see_the_gradient_on_every_wire(engine: Any) -> None:
    w, x, a, b, y = lesson(engine)
    seen: dict[str, tuple[list[Any], list[Any]]] = {}
    for name, t in (("a", a), ("b", b), ("y", y)):
        t.grad_fn.register_hook(
            lambda gi, go, name=name: seen.__setitem__(name, (arrays(gi), arrays(go))))
    y.backward()
    # y = a * b: dy/da = b = 2, dy/db = a = 3; a = w + x passes 2 to both; b = w + 1 passes 3 to w
    assert seen == {"y": ([[2.0], [3.0]], [[1.0]]),
                    "a": ([[2.0], [2.0]], [[2.0]]),
                    "b": ([[3.0], None], [[3.0]])}
    assert w.grad.tolist() == [5.0]


def test_hooks_match_torch_with_broadcasting_and_fan_out() -> None:
    """grad_inputs already have the input's shape (the engine reduces before the hooks run)."""
    def run(engine: Any) -> list[Any]:
        m = engine.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
        v = engine.tensor([2.0, -1.0], requires_grad=True)
        p = engine.mul(m, v)  # broadcasts v over the rows
        q = engine.tanh(p)
        out = engine.sum(engine.mul(q, p))  # p feeds two ops
        found: list[Any] = []
        for t in (p, q, out):
            t.grad_fn.register_hook(lambda gi, go: found.append((arrays(gi), arrays(go))))
        out.backward()
        return found

    mine, theirs = run(cgengine), run(torch)
    assert len(mine) == len(theirs) == 3
    for (gi_m, go_m), (gi_t, go_t) in zip(mine, theirs, strict=True):
        for a, b in zip(gi_m + go_m, gi_t + go_t, strict=True):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)  # float32


@pytest.mark.parametrize("engine", [cgengine, torch], ids=["cgengine", "torch"])
def test_a_hook_can_replace_the_gradients_and_can_be_removed(engine: Any) -> None:
    w, x, a, b, y = lesson(engine)
    handle = a.grad_fn.register_hook(lambda gi, go: tuple(g * 10 for g in gi))
    y.backward(retain_graph=True)
    assert w.grad.tolist() == [23.0] and x.grad.tolist() == [20.0]  # 2*10 + 3, 2*10
    handle.remove()
    w.grad = None
    y.backward()
    assert w.grad.tolist() == [5.0]


@pytest.mark.parametrize("engine", [cgengine, torch], ids=["cgengine", "torch"])
def test_a_hook_on_accumulate_grad_sees_the_leaf_gradient(engine: Any) -> None:
    w, x, a, b, y = lesson(engine)
    leaf_node = y.grad_fn.next_functions[1][0].next_functions[0][0]  # b's input: w's AccumulateGrad
    seen: list[Any] = []
    leaf_node.register_hook(lambda gi, go: seen.append((len(gi), arrays(go))))
    y.backward()
    assert seen == [(0, [[5.0]])]


@pytest.mark.parametrize("engine", [cgengine, torch], ids=["cgengine", "torch"])
def test_numpy_force_reads_a_tensor_that_requires_grad(engine: Any) -> None:
    w = engine.tensor([1.5, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        w.numpy()
    assert w.numpy(force=True).tolist() == [1.5, 2.0]
