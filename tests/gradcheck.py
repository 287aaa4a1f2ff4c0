"""Our own gradcheck: autograd's Jacobian against central finite differences, in float64.

For a function ``fn`` of tensors, the analytic Jacobian is built one output element at a time with
``engine.autograd.grad(out, inputs, grad_outputs=one_hot, retain_graph=True)`` (so it also exercises
``autograd.grad`` and ``retain_graph``); the numerical one perturbs every input element by ``+-eps``
and evaluates ``fn`` again under ``no_grad``. ``engine`` is cgengine, or torch as a cross-check.
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
        return np.asarray(out.numpy(), dtype=np.float64).ravel()

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
    rows: list[list[np.ndarray]] = [[] for _ in inputs]
    for k in range(size):
        one_hot = np.zeros(size)
        one_hot[k] = 1.0
        grads = engine.autograd.grad(
            out, inputs, grad_outputs=engine.tensor(one_hot.reshape(tuple(out.shape)),
                                                    dtype=engine.float64),
            retain_graph=True)
        for rows_of_input, grad in zip(rows, grads, strict=True):
            rows_of_input.append(grad.numpy().ravel())
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
