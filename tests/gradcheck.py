"""Our own gradcheck and gradgradcheck: autograd against central finite differences, in float64.

For a function ``fn`` of tensors, the analytic Jacobian is built one output element at a time with
``engine.autograd.grad(out, inputs, grad_outputs=one_hot, retain_graph=True)`` (so it also exercises
``autograd.grad`` and ``retain_graph``); the numerical one perturbs every input element by ``+-eps``
and evaluates ``fn`` again under ``no_grad``. ``engine`` is cgengine, or torch as a cross-check.

``gradgradcheck`` checks second derivatives the way torch's does: it runs gradcheck on the first
derivative, ``x -> autograd.grad(fn(x), x, v, create_graph=True)`` for a fixed random ``v``, so the
derivative of the backward pass itself is compared with finite differences of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np


def numerical_jacobians(engine: ModuleType, fn: Callable[..., Any], arrays: Sequence[np.ndarray],
                        eps: float) -> list[np.ndarray]:
    """d(fn)/d(input) per input, shaped (output size, input size), by central differences."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]

    def evaluate() -> np.ndarray:
        with engine.no_grad():
            out = fn(*(engine.tensor(a, dtype=engine.float64) for a in arrays))
        return np.asarray(out.detach().numpy(), dtype=np.float64).ravel()

    jacobians = []
    for array in arrays:
        columns = []
        for index in np.ndindex(array.shape):  # row-major, as ravel() orders the analytic side
            original = array[index]
            array[index] = original + eps
            plus = evaluate()
            array[index] = original - eps
            minus = evaluate()
            array[index] = original
            columns.append((plus - minus) / (2 * eps))
        jacobians.append(np.stack(columns, axis=1))
    return jacobians


def analytic_jacobians(engine: ModuleType, fn: Callable[..., Any],
                       arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """d(fn)/d(input) per input, shaped (output size, input size), from the engine's autograd."""
    inputs = [engine.tensor(np.asarray(a, dtype=np.float64), dtype=engine.float64,
                            requires_grad=True) for a in arrays]
    out = fn(*inputs)
    assert out.dtype == engine.float64, f"float64 inputs gave a {out.dtype} result"
    size = int(np.prod(out.shape))
    if not out.requires_grad:  # a function that does not depend on its inputs (a constant)
        return [np.zeros((size, int(np.size(a)))) for a in arrays]
    rows: list[list[np.ndarray]] = [[] for _ in inputs]
    for k in range(size):
        one_hot = np.zeros(size)
        one_hot[k] = 1.0
        grads = engine.autograd.grad(
            out, inputs, grad_outputs=engine.tensor(one_hot.reshape(tuple(out.shape)),
                                                    dtype=engine.float64),
            retain_graph=True, allow_unused=True)
        for rows_of_input, grad, x in zip(rows, grads, inputs, strict=True):
            rows_of_input.append(np.zeros(int(np.prod(x.shape))) if grad is None
                                 else grad.detach().numpy().ravel())
    return [np.stack(r) for r in rows]


def gradcheck(engine: ModuleType, fn: Callable[..., Any], arrays: Sequence[np.ndarray],
              eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """Raise AssertionError, naming the input, if autograd and finite differences disagree.

    ``arrays`` are the float64 input values; ``fn`` takes one engine tensor per array. Inputs must
    sit away from kinks (relu at 0, ties of max): there the two derivatives legitimately differ.
    """
    numerical = numerical_jacobians(engine, fn, arrays, eps)
    analytic = analytic_jacobians(engine, fn, arrays)
    for index, (num, ana) in enumerate(zip(numerical, analytic, strict=True)):
        np.testing.assert_allclose(ana, num, rtol=rtol, atol=atol,
                                   err_msg=f"Jacobian with respect to input {index}")


def first_derivative(engine: ModuleType, fn: Callable[..., Any], out_weights: np.ndarray
                     ) -> Callable[..., Any]:
    """``x -> d(fn(x) * out_weights)/dx``, flattened and joined, with the graph kept (so it can be
    differentiated again); it takes the inputs as gradcheck gives them."""

    def derivative(*xs: Any) -> Any:
        with engine.enable_grad():
            leaves = [x if x.requires_grad else x.detach().requires_grad_(True) for x in xs]
            out = fn(*leaves)
            grads = engine.autograd.grad(out, leaves,
                                         grad_outputs=engine.tensor(out_weights, dtype=out.dtype),
                                         create_graph=True, allow_unused=True)
            return engine.cat([(engine.zeros_like(x) if g is None else g).reshape(-1)
                               for g, x in zip(grads, leaves, strict=True)])

    return derivative


def gradgradcheck(engine: ModuleType, fn: Callable[..., Any], arrays: Sequence[np.ndarray],
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-4, seed: int = 0) -> None:
    """Raise AssertionError, naming the input, if second derivatives and finite differences of
    the first derivative disagree."""
    with engine.no_grad():
        shape = tuple(fn(*(engine.tensor(np.asarray(a, dtype=np.float64), dtype=engine.float64)
                           for a in arrays)).shape)
    weights = np.round(np.random.default_rng(seed).standard_normal(shape), 3)
    gradcheck(engine, first_derivative(engine, fn, weights), arrays, eps=eps, atol=atol, rtol=rtol)
