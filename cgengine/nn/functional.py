"""``cgengine.nn.functional``: activations and losses, as ``torch.nn.functional`` has them.

``cross_entropy`` is ``nll_loss(log_softmax(x))``, exactly the graph PyTorch records
(NllLossBackward0 over LogSoftmaxBackward0).
"""

from __future__ import annotations

import warnings
from typing import Any

from cgengine.functional import _broadcast_check as broadcast_check
from cgengine.functional import log_softmax, relu, sigmoid, softmax, tanh
from cgengine.ops import OPS
from cgengine.tensor import Tensor, apply

__all__ = ["binary_cross_entropy_with_logits", "cross_entropy", "log_softmax", "mse_loss",
           "nll_loss", "relu", "sigmoid", "softmax", "tanh"]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean (or sum) of the squared differences."""
    _check_reduction(reduction)
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=2)
        broadcast_check(input, target)
    return apply(OPS["mse_loss"], input, target, reduction=reduction)


def nll_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of the target classes, given log-probabilities."""
    _check_reduction(reduction)
    if target.dtype.name != "int64":
        raise RuntimeError(
            f"expected scalar type Long but found {target.dtype.name.capitalize()}"
        )
    classes = input.shape[-1] if input.ndim else 1
    rows = input.shape[0] if input.ndim == 2 else None
    if input.ndim == 2 and target.ndim != 1 or (rows is not None and target.shape[0] != rows):
        raise ValueError(
            f"Expected input batch_size ({rows}) to match target batch_size "
            f"({target.shape[0] if target.ndim else 0})."
        )
    data = target._data
    if data.size and (data.min() < 0 or data.max() >= classes):
        raise IndexError(f"Target {int(data.max() if data.max() >= classes else data.min())} is "
                         f"out of bounds.")
    return apply(OPS["nll_loss"], input, target=data, reduction=reduction)


def cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy with class-index targets (int64), as log_softmax then nll_loss."""
    dim = 1 if input.ndim >= 2 else 0
    if target.dtype.is_floating_point:
        raise NotImplementedError(
            "cgengine's cross_entropy takes class indices (an int64 target), not probabilities"
        )
    return nll_loss(log_softmax(input, dim), target, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any,
                                     reduction: str = "mean") -> Tensor:
    """Sigmoid then binary cross-entropy, computed in one numerically stable step."""
    _check_reduction(reduction)
    if not isinstance(target, Tensor) or input.shape != target.shape:
        shape = repr(target.shape) if isinstance(target, Tensor) else "a number"
        raise ValueError(
            f"Target size ({shape}) must be the same as input size ({input.shape!r})"
        )
    return apply(OPS["binary_cross_entropy_with_logits"], input, target, reduction=reduction)
