"""Property tests (hypothesis) for how cgengine reduces gradients back to operand shapes.

For any two broadcastable shapes, an operand's gradient has the operand's own shape and equals the
gradient the broadcast copy would get, summed over the broadcast axes. Reductions spread their
gradient evenly over what they reduced. Example counts stay modest so the suite stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import cgengine as torch

PROPERTY_SETTINGS = settings(max_examples=50, deadline=None)
TOLERANCE = {"float64": {"rtol": 1e-12, "atol": 1e-12}, "float32": {"rtol": 1e-5, "atol": 1e-5}}

BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": lambda a, b: torch.maximum(a, b),
    "minimum": lambda a, b: torch.minimum(a, b),
    "add_alpha": lambda a, b: torch.add(a, b, alpha=-2),
}

shape_pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
dtypes = st.sampled_from(["float64", "float32"])
seeds = st.integers(0, 2**32 - 1)


def sum_to_shape(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo broadcasting the numpy way: sum the leading axes, then the axes that were 1."""
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    ones = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
    return grad.sum(axis=ones, keepdims=True).reshape(shape)


def leaf(data: np.ndarray, dtype: str) -> Any:
    return torch.tensor(data, dtype=getattr(torch, dtype), requires_grad=True)


def draw_operands(seed: int, shapes: tuple[tuple[int, ...], ...]) -> tuple[np.ndarray, ...]:
    """Values away from zero (for div) and without ties (for maximum and minimum)."""
    rng = np.random.default_rng(seed)
    return tuple(rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)
                 for shape in shapes)


@PROPERTY_SETTINGS
@given(op=st.sampled_from(sorted(BINARY)), shapes=shape_pairs, dtype=dtypes, seed=seeds)
def test_broadcast_grad_is_the_summed_grad_of_the_broadcast_copy(
        op: str, shapes: Any, dtype: str, seed: int) -> None:
    a_data, b_data = draw_operands(seed, shapes.input_shapes)
    weights = np.random.default_rng(seed + 1).standard_normal(shapes.result_shape)
    fn = BINARY[op]

    a, b = leaf(a_data, dtype), leaf(b_data, dtype)
    out = fn(a, b)
    assert tuple(out.shape) == shapes.result_shape
    (out * torch.tensor(weights, dtype=out.dtype)).sum().backward()

    # the same computation on operands copied out to the full shape: no broadcasting at all
    a_full = leaf(np.broadcast_to(a_data, shapes.result_shape).copy(), dtype)
    b_full = leaf(np.broadcast_to(b_data, shapes.result_shape).copy(), dtype)
    (fn(a_full, b_full) * torch.tensor(weights, dtype=out.dtype)).sum().backward()

    for operand, full in ((a, a_full), (b, b_full)):
        assert tuple(operand.grad.shape) == tuple(operand.shape)
        assert operand.grad.dtype == operand.dtype
        np.testing.assert_allclose(operand.grad.numpy(),
                                   sum_to_shape(full.grad.numpy(), tuple(operand.shape)),
                                   **TOLERANCE[dtype])


@PROPERTY_SETTINGS
@given(shapes=shape_pairs, dtype=dtypes)
def test_add_grad_counts_the_broadcast_copies(shapes: Any, dtype: str) -> None:
    a = leaf(np.ones(shapes.input_shapes[0]), dtype)
    b = leaf(np.ones(shapes.input_shapes[1]), dtype)
    (a + b).sum().backward()
    for operand in (a, b):
        copies = int(np.prod(shapes.result_shape)) // int(np.prod(tuple(operand.shape)))
        np.testing.assert_array_equal(operand.grad.numpy(), np.full(tuple(operand.shape), copies))


@PROPERTY_SETTINGS
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=4), data=st.data(), dtype=dtypes,
       seed=seeds)
def test_sum_and_mean_over_a_dim_spread_the_grad_evenly(shape: tuple[int, ...], data: Any,
                                                        dtype: str, seed: int) -> None:
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    values = np.random.default_rng(seed).standard_normal(shape)
    for reduce, scale in (("sum", 1.0), ("mean", 1.0 / shape[dim])):
        x = leaf(values, dtype)
        out = getattr(x, reduce)(dim, keepdim=keepdim)
        expected_shape = list(shape)
        if keepdim:
            expected_shape[dim] = 1
        else:
            del expected_shape[dim]
        assert list(out.shape) == expected_shape
        weights = np.random.default_rng(seed + 1).standard_normal(expected_shape)
        (out * torch.tensor(weights, dtype=out.dtype)).sum().backward()
        kept = weights if keepdim else np.expand_dims(weights, dim)
        expected = np.broadcast_to(kept * scale, shape)
        assert tuple(x.grad.shape) == shape
        np.testing.assert_allclose(x.grad.numpy(), expected, **TOLERANCE[dtype])


@PROPERTY_SETTINGS
@given(shape=array_shapes(min_dims=0, max_dims=3, max_side=4), dtype=dtypes, seed=seeds)
def test_whole_sum_and_mean_grads(shape: tuple[int, ...], dtype: str, seed: int) -> None:
    values = np.random.default_rng(seed).standard_normal(shape)
    x = leaf(values, dtype)
    (x.sum() * 3).backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(shape, 3.0))
    y = leaf(values, dtype)
    y.mean().backward()
    np.testing.assert_allclose(y.grad.numpy(), np.full(shape, 1.0 / values.size),
                               **TOLERANCE[dtype])


@PROPERTY_SETTINGS
@given(shapes=shape_pairs, dtype=dtypes, seed=seeds)
def test_backward_is_linear_in_the_incoming_gradient(shapes: Any, dtype: str, seed: int) -> None:
    a_data, b_data = draw_operands(seed, shapes.input_shapes)
    weights = np.random.default_rng(seed + 1).standard_normal(shapes.result_shape)
    grads = []
    for scale in (1.0, -2.5):
        a, b = leaf(a_data, dtype), leaf(b_data, dtype)
        out = torch.sin(a) * b
        out.backward(torch.tensor(weights * scale, dtype=out.dtype))
        grads.append((a.grad.numpy(), b.grad.numpy()))
    for once, scaled in zip(grads[0], grads[1], strict=True):
        np.testing.assert_allclose(scaled, -2.5 * once, **TOLERANCE[dtype])
