"""The texts a node card and a wire's gradient pill show, computed from a result (no Qt).

Numbers print as PyTorch prints them (``app.display.values.format_tensor``: "5.", "0.5000",
"[1., 2.]"), without the ``tensor(...)`` wrapper. Small tensors are shown in full; larger ones
are summarised by shape, minimum and maximum. Which of the two a tensor gets depends only on its
shape, so a card's size is known without formatting a single number: formatting happens only
when the card is painted, which keeps a 2,000-node graph fast to update.
"""

from __future__ import annotations

import math
import re

import numpy as np

from app.display.values import format_tensor, value_to_text
from app.evaluate import NodeResult
from app.model import GraphDocument

#: Shown instead of a value that does not exist (an error upstream, not evaluated yet).
NO_VALUE = "—"
_WRAPPER = "tensor("
#: Characters one element takes at most in fixed notation ("-0.5000, ").
_ELEMENT_CHARS = 9
_SUMMARY_CHARS = 24


def shows_in_full(shape: tuple[int, ...]) -> bool:
    """True for tensors small enough to print every element on the card."""
    if len(shape) <= 1:
        return math.prod(shape) <= 3
    return len(shape) == 2 and shape[0] <= 3 and shape[1] <= 3


def tensor_body(array: np.ndarray) -> str:
    """What ``print(t)`` shows inside ``tensor(...)``: "5.", "[1., 2.]", "[[1.],\\n [3.]]"."""
    array = np.asarray(array)
    body = _tensor_body_fast(array)
    return _tensor_body_slow(array) if body is None else body


def _tensor_body_slow(array: np.ndarray) -> str:
    """``tensor_body`` through ``format_tensor`` (numpy.array2string): any array, ~80 µs."""
    text = format_tensor(np.asarray(array))
    lines = text[len(_WRAPPER):-1].split("\n")
    # continuation rows are indented by the width of "tensor(" in torch's output
    return "\n".join([lines[0], *(line[len(_WRAPPER):] for line in lines[1:])])


#: The fast path takes what cards show most: small (<= 9 elements, <= 2-d) float16/32/64 and
#: integer arrays. It must print exactly what ``_tensor_body_slow`` prints (a property test checks).
_FAST_MAX_SIZE = 9
_FAST_FLOAT_CHARS = frozenset("efd")  # dtype.char of float16, float32, float64
#: numpy's wrapping limit for a row's elements (line width 80 minus the closing "]" or ","),
#: and where the first element starts: after "tensor([" in 1-d, after "tensor([[" in 2-d.
_ROW_LIMIT = {1: 79 - 8, 2: 78 - 9}
_FLOAT_FORMATS = {"int": "{:.0f}.".format, "fixed": "{:.4f}".format, "sci": "{:.4e}".format}


def _fast_float_mode(values: list[float]) -> str:
    """``app.display.values._float_mode`` on python floats."""
    nonzero = [abs(x) for x in values if x != 0.0 and math.isfinite(x)]
    if not nonzero:
        return "int"
    big, small = max(nonzero), min(nonzero)
    integral = all(x.is_integer() for x in nonzero)
    if big / small > 1000.0 or big > 1.0e8 or (not integral and small < 1.0e-4):
        return "sci"
    return "int" if integral else "fixed"


def _tensor_body_fast(array: np.ndarray) -> str | None:
    """``tensor_body`` in pure python for small float/int arrays; None for anything else."""
    ndim = array.ndim
    if ndim > 2 or not 1 <= array.size <= _FAST_MAX_SIZE:
        return None
    dtype = array.dtype
    is_float = dtype.kind == "f" and dtype.char in _FAST_FLOAT_CHARS
    if not is_float and dtype.kind not in ("i", "u"):
        return None  # bool, complex, longdouble, object, ...: array2string
    listed = array.tolist()
    flat = listed if ndim == 1 else [listed] if ndim == 0 else [x for row in listed for x in row]
    if is_float:
        fmt = _FLOAT_FORMATS[_fast_float_mode(flat)]
        texts = [fmt(x) if math.isfinite(x) else str(x) for x in flat]
        # torch aligns on the widest finite non-zero number; zeros, nan and inf are padded to
        # that width but not counted ("[-0., 1.]", "[ 0., -1.]")
        width = max((len(t) for t, x in zip(texts, flat) if math.isfinite(x) and x != 0),
                    default=0)
    else:
        texts = [str(x) for x in flat]
        width = max(len(t) for t in texts)  # numpy pads integers to the widest one
    cells = [t.rjust(width) for t in texts]
    if ndim == 0:
        return cells[0]
    columns = array.shape[-1]
    rows = [", ".join(cells[i:i + columns]) for i in range(0, len(cells), columns)]
    if max(len(row) for row in rows) > _ROW_LIMIT[ndim]:
        return None  # numpy would wrap the row
    if ndim == 1:
        return f"[{rows[0]}]"
    return "[[" + "],\n [".join(rows) + "]]"


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
    return max(1, shape[0]) if len(shape) == 2 else 1  # an empty (0, n) tensor prints "[]"


def grad_line_count(result: NodeResult | None) -> int:
    if result is None or result.is_number or result.value is None:
        return 0
    if result.grad is None:
        return 1
    shape = np.shape(result.grad)
    return max(1, shape[0]) if len(shape) == 2 and shows_in_full(shape) else 1


def widest_line_chars(result: NodeResult | None) -> int:
    """An upper bound of the characters in the widest number line (sizes the card)."""
    if result is None or result.value is None:
        return 0
    grad_fn = len(f"grad_fn {result.grad_fn}")
    widest = max(grad_fn, _widest_tensor_chars("value", np.shape(result.value)))
    for name, tensor in (result.state or {}).items():
        widest = max(widest, _widest_tensor_chars(f"{name}.grad", np.shape(tensor.value)))
    return widest


def _widest_tensor_chars(label: str, shape: tuple[int, ...]) -> int:
    if not shows_in_full(shape):
        return len(label) + _SUMMARY_CHARS - len("value")
    columns = shape[-1] if shape else 1
    return len(label) + len(" [[") + columns * _ELEMENT_CHARS


def _labelled(label: str, array: np.ndarray) -> str:
    """ "weight [[0.1, 0.2]]", or "weight shape (9, 9)\nmin 0 · max 1" for a large tensor."""
    array = np.asarray(array)
    if shows_in_full(array.shape):
        return f"{label} {tensor_body(array)}"
    shape, extremes = summary(array)
    return f"{label} {shape}\n{extremes}"


def state_texts(result: NodeResult | None) -> list[tuple[str, str]]:
    """The lines of a layer's parameter tensors, each tensor then its .grad:
    ("weight [[0.1, 0.2]]", "param"), ("weight.grad [[...]]", "param_grad"), ... (a text may
    hold two lines: a large tensor's summary)."""
    if result is None or result.value is None or not result.state:
        return []
    lines = []
    for name, tensor in result.state.items():
        lines.append((_labelled(name, tensor.value), "param"))
        grad = f"{name}.grad None" if tensor.grad is None else (
            f"{name}.grad {tensor_body(tensor.grad)}" if shows_in_full(np.shape(tensor.grad))
            else f"{name}.grad {summary(np.asarray(tensor.grad))[1]}")
        lines.append((grad, "param_grad"))
    return lines


def state_line_count(result: NodeResult | None) -> int:
    """How many lines ``state_texts`` takes, from the shapes alone."""
    if result is None or result.value is None or not result.state:
        return 0
    return sum(value_line_count(tensor) + grad_line_count(tensor)
               for tensor in result.state.values())


def wrap_number_line(line: str, columns: int) -> list[str]:
    """``line`` (one line of a card's numbers) as lines of at most ``columns`` characters.

    A line too long breaks after an element's ", " (or a summary's " · "), and goes on under the
    first element: "value [ 1.2346e+04,  2.0000e+00," / "       -1.0000e-05]". A name too long
    for the card breaks between its words ("grad_fn BinaryCrossEntropy" / "  WithLogitsBackward0");
    a number longer than ``columns`` by itself stays whole.
    """
    if len(line) <= columns:
        return [line]
    if not any(separator in line for separator in (", ", " · ")) and re.search("[a-z][A-Z]",
                                                                               line):
        return _wrap_name(line, columns)
    bracket = line.find("[")
    indent = bracket + 1 if 0 <= bracket < columns // 2 else 2
    while indent < len(line) and line[indent] == "[" and indent < columns // 2:
        indent += 1
    pieces: list[str] = []
    start = 0
    for index in range(len(line)):
        for separator in (", ", " · "):
            if line.startswith(separator, index):
                pieces.append(line[start:index + len(separator)])
                start = index + len(separator)
    pieces.append(line[start:])
    lines: list[str] = []
    current = ""
    for piece in pieces:
        if current and len((current + piece).rstrip()) > columns:
            lines.append(current.rstrip())
            current = " " * indent + piece  # an element keeps torch's padding: columns align
        else:
            current += piece
    lines.append(current.rstrip())
    return lines


def gradient_label(grad: np.ndarray | None) -> str:
    """The pill text of a wire: "∂=[2.]", or for a large gradient its extremes and how many of
    its elements are exactly zero ("∂ min -0.024 · max 0.13 · 6 zeros": where relu cut, no
    gradient flows); "" without a gradient."""
    if grad is None:
        return ""
    grad = np.asarray(grad)
    if grad.ndim <= 1 and shows_in_full(grad.shape):
        return "∂=" + tensor_body(grad)
    label = "∂ " + summary(grad)[1]
    zeros = grad.size - int(np.count_nonzero(grad))
    if zeros and grad.size:
        label += " · 1 zero" if zeros == 1 else f" · {zeros} zeros"
    return label


def _wrap_name(line: str, columns: int) -> list[str]:
    """A line such as "grad_fn BinaryCrossEntropyWithLogitsBackward0" broken before a capital
    letter (or at a space) where it reaches ``columns``; continued lines are indented by 2."""
    words = re.split(r"(?<=[a-z0-9])(?=[A-Z])|(?<= )", line)
    lines, current = [], ""
    for word in words:
        if current.strip() and len(current + word) > columns:
            lines.append(current.rstrip())
            current = "  " + word.lstrip()
        else:
            current += word
    lines.append(current.rstrip())
    return lines


def backward_call(doc: GraphDocument) -> str | None:
    """How backward is called on the output, for its tag, when not one plain backward():
    "backward(gradient=[1., 2.])", "backward() × 3 · zero_grad"."""
    plan = doc.backward
    if plan.is_default:
        return None
    call = ("backward()" if plan.gradient is None
            else f"backward(gradient={value_to_text(plan.gradient)})")
    if plan.passes > 1:
        call += f" × {plan.passes}"
    if any(step.kind == "zero_grad" for step in plan.steps):
        call += " · zero_grad"
    return call
