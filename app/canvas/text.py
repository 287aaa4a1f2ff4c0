"""The texts a node card shows, computed from an evaluation result (no Qt).

Numbers print as PyTorch prints them (``app.ui.values.format_tensor``: "5.", "0.5000",
"[1., 2.]"), without the ``tensor(...)`` wrapper. Small tensors are shown in full; larger ones
are summarised by shape, minimum and maximum. Which of the two a tensor gets depends only on its
shape, so a card's size is known without formatting a single number: formatting happens only
when the card is painted, which keeps a 2,000-node graph fast to update.
"""

from __future__ import annotations

import numpy as np

from app.evaluate import NodeResult
from app.ui.values import format_tensor

#: Shown instead of a value that does not exist (an error upstream, not evaluated yet).
NO_VALUE = "—"
_WRAPPER = "tensor("
#: Characters one element takes at most in fixed notation ("-0.5000, ").
_ELEMENT_CHARS = 9
_SUMMARY_CHARS = 24


def shows_in_full(shape: tuple[int, ...]) -> bool:
    """True for tensors small enough to print every element on the card."""
    if len(shape) <= 1:
        return int(np.prod(shape)) <= 3
    return len(shape) == 2 and shape[0] <= 3 and shape[1] <= 3


def tensor_body(array: np.ndarray) -> str:
    """What ``print(t)`` shows inside ``tensor(...)``: "5.", "[1., 2.]", "[[1.],\\n [3.]]"."""
    text = format_tensor(np.asarray(array))
    lines = text[len(_WRAPPER):-1].split("\n")
    # continuation rows are indented by the width of "tensor(" in torch's output
    return "\n".join([lines[0], *(line[len(_WRAPPER):] for line in lines[1:])])


def _number(x: float) -> str:
    return f"{x:.4g}"


def summary(array: np.ndarray) -> tuple[str, str]:
    """("shape (100, 100)", "min -2.1 · max 2.3") for a tensor too large to print in full."""
    shape = f"shape {tuple(array.shape)}"
    if array.size == 0:
        return shape, "no elements"
    finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array
    if finite.size == 0:
        return shape, "no finite elements"
    return shape, f"min {_number(float(finite.min()))} · max {_number(float(finite.max()))}"


def value_text(result: NodeResult | None) -> str:
    """The value lines of a card: "value [3.]", or "value shape (9, 9)\\nmin 0 · max 1"."""
    if result is None or result.value is None:
        return f"value {NO_VALUE}"
    value = np.asarray(result.value)
    if shows_in_full(value.shape):
        return "value " + tensor_body(value)
    shape, extremes = summary(value)
    return f"value {shape}\n{extremes}"


def grad_text(result: NodeResult | None) -> str:
    """The .grad line, exactly as torch reports it: "grad [5.]" or "grad None".

    A python-number operand has no .grad at all, and a failed operation made no tensor, so
    their cards have no grad line ("").
    """
    if result is None or result.is_number or result.value is None:
        return ""
    if result.grad is None:
        return "grad None"
    grad = np.asarray(result.grad)
    if shows_in_full(grad.shape):
        return "grad " + tensor_body(grad)
    return "grad " + summary(grad)[1]


def grad_fn_text(result: NodeResult | None, is_op: bool) -> str:
    """ "grad_fn AddBackward0" on results of operations; "" on leaves the user created.

    An operation on tensors that do not require grad records no graph: torch gives it
    ``grad_fn=None`` (and it is a leaf), which the card says too.
    """
    if result is None or not is_op or result.is_number:
        return ""
    if result.value is None:
        return ""
    return f"grad_fn {result.grad_fn}"


def value_line_count(result: NodeResult | None) -> int:
    if result is None or result.value is None:
        return 1
    shape = np.shape(result.value)
    if not shows_in_full(shape):
        return 2
    return shape[0] if len(shape) == 2 else 1


def grad_line_count(result: NodeResult | None) -> int:
    if result is None or result.is_number or result.value is None:
        return 0
    if result.grad is None:
        return 1
    shape = np.shape(result.grad)
    return shape[0] if len(shape) == 2 and shows_in_full(shape) else 1


def widest_line_chars(result: NodeResult | None) -> int:
    """An upper bound of the characters in the widest number line (sizes the card)."""
    if result is None or result.value is None:
        return 0
    grad_fn = len(f"grad_fn {result.grad_fn}")
    shape = np.shape(result.value)
    if not shows_in_full(shape):
        return max(grad_fn, _SUMMARY_CHARS)
    columns = shape[-1] if shape else 1
    return max(grad_fn, len("value [[") + columns * _ELEMENT_CHARS)
