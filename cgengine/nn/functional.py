"""``cgengine.nn.functional``: layers, activations and losses as functions, as
``torch.nn.functional`` has them; the ``cgengine.nn`` layers call these.

Each records the graph torch records, so the grad_fn names are torch's:

- ``linear`` of a 2-D input with a bias is one ``addmm`` (AddmmBackward0 over TBackward0 of the
  weight); other inputs are flattened to 2-D around it (ViewBackward0), or go through ``matmul``
  without a bias;
- activations and losses with a kernel of their own in torch (``leaky_relu``, ``gelu``,
  ``binary_cross_entropy``, ``smooth_l1_loss`` ...) are one op each in :mod:`cgengine.ops`;
- composites are built from primitives as torch builds them: ``cross_entropy`` is
  ``nll_loss(log_softmax(x))`` (NllLossBackward0 over LogSoftmaxBackward0), with label smoothing
  or probability targets the sums and scalings torch's C++ records (MulBackward1 and DivBackward1
  are its multiplications and divisions by a number); ``l1_loss`` is ``abs(input - target)``
  reduced; ``dropout`` multiplies by a scaled random mask (MulBackward0).
"""

from __future__ import annotations

import warnings

import numpy as np

from cgengine import functional as _F
from cgengine import random as _random
from cgengine.functional import _broadcast_check as broadcast_check
from cgengine.functional import log_softmax, sigmoid, softmax, tanh
from cgengine.ops import OPS
from cgengine.tensor import Tensor, apply

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "dropout", "elu", "gelu", "l1_loss", "leaky_relu", "linear", "log_softmax",
           "mse_loss", "nll_loss", "relu", "sigmoid", "smooth_l1_loss", "softmax", "softplus",
           "tanh"]

_REDUCTIONS = ("mean", "sum", "none")
_TYPE_NAMES = {"int64": "Long", "int32": "Int", "bool": "Bool", "float32": "Float",
               "float64": "Double", "float16": "Half"}


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """torch's deprecated ``size_average``/``reduce`` arguments, mapped to a reduction."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", UserWarning, stacklevel=3)
    return reduction


def _float_kernel(input: Tensor, kernel: str) -> None:
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_TYPE_NAMES.get(input.dtype.name, input.dtype.name)}'")


# ---------------------------------------------------------------- linear
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, recorded as torch records it (one AddmmBackward0 for a 2-D
    input with a bias)."""
    if bias is None:
        return _F.matmul(input, _F.t(weight))
    in_features = input.shape[-1] if input.ndim else 1
    if input.ndim == 0 or weight.ndim != 2 or in_features != weight.shape[1]:
        rows = int(np.prod(input.shape[:-1])) if input.ndim > 1 else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{in_features} and "
            f"{weight.shape[1] if weight.ndim == 2 else weight.numel()}x{weight.shape[0]})")
    out_shape = (*input.shape[:-1], weight.shape[0])
    if bias.shape and bias.shape[-1] not in (1, weight.shape[0]) or bias.ndim > 2:
        target = [int(np.prod(input.shape[:-1])) if input.ndim > 1 else 1, weight.shape[0]]
        raise RuntimeError(
            f"The expanded size of the tensor ({weight.shape[0]}) must match the existing size "
            f"({bias.shape[-1]}) at non-singleton dimension 1.  Target sizes: {target}.  "
            f"Tensor sizes: {list(bias.shape)}")
    if input.ndim == 2:
        return apply(OPS["addmm"], bias, input, _F.t(weight))
    if not input._data.flags.c_contiguous:  # torch: matmul, then the bias added
        return _F.matmul(input, _F.t(weight)) + bias
    rows = _F.view(input, -1, in_features)
    return _F.view(apply(OPS["addmm"], bias, rows, _F.t(weight)), out_shape)


# ---------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x); ``inplace=True`` overwrites the input (``relu_``)."""
    return input.relu_() if inplace else _F.relu(input)


def _activation(input: Tensor, name: str, inplace: bool, **params: float) -> Tensor:
    """The op ``name``, or with ``inplace`` its in-place form ``name_``, which overwrites the
    input (torch records it as ...Backward1, its rule reading the result)."""
    if inplace:
        return input._update(lambda t: apply(OPS[name + "_"], t, **params))
    return apply(OPS[name], input, **params)


def leaky_relu(input: Tensor, negative_slope: float = 0.01,
               inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope * x below (LeakyReluBackward0)."""
    _float_kernel(input, "leaky_relu_cpu")
    return _activation(input, "leaky_relu", inplace, negative_slope=negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha * (exp(x) - 1) below (EluBackward0)."""
    _float_kernel(input, "elu_cpu")
    return _activation(input, "elu", inplace, alpha=alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF; ``approximate='tanh'`` uses torch's tanh
    formula (GeluBackward0)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_kernel(input, "GeluKernelImpl")
    return apply(OPS["gelu"], input, approximate=approximate)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold
    (SoftplusBackward0)."""
    _float_kernel(input, "softplus_cpu")
    return apply(OPS["softplus"], input, beta=beta, threshold=threshold)


# ---------------------------------------------------------------- dropout
def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """In training, zero each element with probability ``p`` and scale the others by
    1 / (1 - p); the mask is drawn as torch draws it (``bernoulli_(1 - p)``)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0 or input._data.size == 0:
        return input
    if p == 1.0:
        mask = Tensor._wrap(np.zeros((), dtype=input._data.dtype))
    else:
        keep = _random._unit(_random.default_generator, input._data.size, np.dtype(np.float64))
        scale = input._data.dtype.type(1 - p)
        mask = Tensor._wrap((keep < 1 - p).astype(input._data.dtype).reshape(input.shape) / scale)
    return input.mul_(mask) if inplace else input * mask


# ---------------------------------------------------------------- regression losses
def _warn_target_size(input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=3)
        broadcast_check(input, target)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Mean (or sum) of the absolute differences, recorded as torch records it: abs(input -
    target), then mean or sum."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_target_size(input, target)
    return _reduce(_F.abs(input - target), reduction)


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Mean (or sum) of the squared differences (MseLossBackward0)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_target_size(input, target)
    return apply(OPS["mse_loss"], input, target, reduction=reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 * d**2 / beta where |d| < beta, else |d| - 0.5 * beta, for d = input - target
    (SmoothL1LossBackward0; with beta = 0 it is l1_loss, as in torch)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _warn_target_size(input, target)
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    return apply(OPS["smooth_l1_loss"], input, target, reduction=reduction, beta=beta)


# ---------------------------------------------------------------- binary classification
def _check_probabilities(t: Tensor, what: str) -> None:
    data = t._data
    # min and max: two passes over the data, and nan fails both comparisons, as in torch
    if data.size and not (data.min() >= 0 and data.max() <= 1):
        raise RuntimeError(f"all elements of {what} should be between 0 and 1")


def binary_cross_entropy(input: Tensor, target: Tensor,
                         weight: Tensor | None = None, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """-w * (t * log(p) + (1 - t) * log(1 - p)) for probabilities p, each log clamped at -100
    as torch clamps it (BinaryCrossEntropyBackward0)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape!r}) that is different to the "
                         f"input size ({input.shape!r}) is deprecated. Please ensure they have "
                         "the same size.")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_TYPE_NAMES.get(target.dtype.name)} but expected "
                           f"{_TYPE_NAMES.get(input.dtype.name)}")
    _check_probabilities(input, "input")
    _check_probabilities(target, "target")
    if weight is not None:
        broadcast_check(target, weight)
        weight = weight._data
    return apply(OPS["binary_cross_entropy"], input, target, weight=weight, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """binary_cross_entropy of sigmoid(input) in one numerically stable step; ``pos_weight``
    weighs the positive term (BinaryCrossEntropyWithLogitsBackward0)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not isinstance(target, Tensor) or input.shape != target.shape:
        shape = repr(target.shape) if isinstance(target, Tensor) else "a number"
        raise ValueError(f"Target size ({shape}) must be the same as input size "
                         f"({input.shape!r})")
    for extra in (pos_weight, weight):
        if extra is not None:
            broadcast_check(extra, target)
    return apply(OPS["binary_cross_entropy_with_logits"], input, target,
                 weight=None if weight is None else weight._data,
                 pos_weight=None if pos_weight is None else pos_weight._data,
                 reduction=reduction)


# ---------------------------------------------------------------- classification
def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """-w[t] * input[t] for log-probabilities ``input`` (N, C) or (C,) and class indices ``t``;
    'mean' divides by the sum of the weights of the targets not ignored (NllLossBackward0)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target._data.dtype.kind not in "iu" or target.dtype.name == "int32":
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{_TYPE_NAMES.get(target.dtype.name, target.dtype.name)}")
    if input.ndim not in (1, 2):
        raise NotImplementedError("cgengine's nll_loss takes (N, C) or (C,) inputs")
    classes = input.shape[-1]
    rows = input.shape[0] if input.ndim == 2 else None
    if (input.ndim == 2 and target.ndim != 1) or (rows is not None and target.shape[0] != rows):
        raise ValueError(f"Expected input batch_size ({rows}) to match target batch_size "
                         f"({target.shape[0] if target.ndim else 0}).")
    if weight is not None and weight.shape != (classes,):
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    data = target._data
    valid = data[data != ignore_index]
    if valid.size and (valid.min() < 0 or valid.max() >= classes):
        bad = int(valid.max() if valid.max() >= classes else valid.min())
        raise IndexError(f"Target {bad} is out of bounds.")
    return apply(OPS["nll_loss"], input, target=data,
                 weight=None if weight is None else weight._data, ignore_index=ignore_index,
                 reduction=reduction)


def _scale(t: Tensor, factor: float) -> Tensor:
    """``t * factor`` as torch's C++ records it (mul by a Scalar: MulBackward1)."""
    return apply(OPS["mul_scalar"], t, other=factor)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of raw scores, with class-index targets (log_softmax, then
    nll_loss) or class probabilities; ``label_smoothing`` mixes the targets with the uniform
    distribution, as torch's composite does."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing:g}")
    class_dim = 1 if input.ndim >= 2 else 0
    logp = log_softmax(input, class_dim)
    if target.is_floating_point():
        if target.shape != input.shape:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return _cross_entropy_probabilities(logp, target, weight, reduction, label_smoothing,
                                            class_dim)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return loss
    classes = input.shape[class_dim]
    ignored = _F.eq(target, ignore_index)
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = classes
        smooth = -(logp * Tensor._wrap(weight._data.reshape(shape))).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = _F.masked_fill(smooth, ignored, 0.0)
    if reduction == "mean":
        if weight is not None:
            kept = target._data[~ignored._data]
            denominator = Tensor._wrap(np.asarray(weight._data[kept].sum()))
        else:
            denominator = Tensor._wrap(np.asarray((~ignored._data).sum()))
        smooth = smooth.sum() / denominator
    elif reduction == "sum":
        smooth = smooth.sum()
    return _scale(loss, 1 - label_smoothing) + _scale(smooth, label_smoothing / classes)


def _cross_entropy_probabilities(logp: Tensor, target: Tensor, weight: Tensor | None,
                                 reduction: str, label_smoothing: float,
                                 class_dim: int) -> Tensor:
    classes = logp.shape[class_dim]
    if label_smoothing > 0.0:
        target = Tensor._wrap(target._data * (1 - label_smoothing) + label_smoothing / classes)
    terms = logp * target
    if weight is not None:
        shape = [1] * logp.ndim
        shape[class_dim] = classes
        terms = terms * Tensor._wrap(weight._data.reshape(shape))
    if reduction == "none":
        return -terms.sum(class_dim)
    total = -terms.sum()
    if reduction == "sum":
        return total
    return apply(OPS["div_scalar"], total, other=logp.numel() // classes)
