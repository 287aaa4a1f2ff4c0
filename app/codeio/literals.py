"""Tensor values written in code, read from the syntax tree without running anything.

``tensor_literal`` turns the tree of ``[1., 2.]``, ``-3`` or ``float("nan")`` into the JSON-like
value a tensor node stores; the other functions compute what torch.zeros / ones / full / arange
would create (randn draws from the import's own torch generator: app.codeio.nn_import).
"""

from __future__ import annotations

import ast
import math
from typing import Any

from app.codeio.errors import CodeImportError
from app.fileio.errors import FileFormatError
from app.fileio.schema import MAX_TENSOR_DIMS, MAX_TENSOR_ELEMENTS, tensor_value

#: The strings float(...) accepts in a literal: how a script writes nan and infinities.
_SPECIAL_FLOATS = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
#: torch holds a python integer as an int64: a larger one overflows ("Overflow when unpacking
#: long"), so a number that reaches torch (an operand, a parameter, a tensor element) must fit.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: Python arithmetic on numbers alone is folded as python does it (``2 ** 63 - 1`` is fine), but
#: no integer on the way may pass float's range: beyond it nothing reaches torch anyway, and
#: ``9 ** 64 ** 64`` would take minutes and print with more digits than python allows.
FOLD_BITS = 1024


def too_large(value: int | float) -> bool:
    """Whether folding may not go on with ``value`` (an integer past :data:`FOLD_BITS`)."""
    return isinstance(value, int) and value.bit_length() > FOLD_BITS


def checked_number(value: int | float, line: int, written: str = "") -> int | float:
    """``value`` if torch can take it; a CodeImportError naming the line otherwise."""
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        what = written or f"an integer of {value.bit_length()} bits"
        raise CodeImportError(f"{what} is out of torch's range (python integers become int64: "
                              "at most 2**63 - 1)", line)
    return value


def number_of(node: ast.expr) -> int | float | None:
    """The python number ``node`` writes out (``2``, ``-1.5``, ``float("inf")``), else None.

    Integers past :data:`FOLD_BITS` are refused at once (CodeImportError), so no number the
    importer holds can be slow to compute with or impossible to print."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if too_large(value):
                checked_number(value, node.lineno)
            return value
        return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = number_of(node.operand)
        if inner is None:
            return None
        return -inner if isinstance(node.op, ast.USub) else inner
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float"
            and len(node.args) == 1 and not node.keywords
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
            and node.args[0].value.strip().lower() in _SPECIAL_FLOATS):
        return float(node.args[0].value)
    return None


def tensor_literal(node: ast.expr) -> Any:
    """The value of a tensor literal: a number or a rectangular nested list of numbers."""
    value = _nested(node)
    try:
        return tensor_value(value, "the tensor")
    except FileFormatError as exc:
        raise CodeImportError(str(exc), node.lineno) from None


def _nested(node: ast.expr) -> Any:
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_nested(item) for item in node.elts]
    number = number_of(node)
    if number is None:
        raise CodeImportError(
            f"a tensor value must be numbers written out, like [1., 2.]; not {ast.unparse(node)}",
            node.lineno)
    return checked_number(number, node.lineno)


def inferred_dtype(value: Any) -> str:
    """The dtype torch.tensor gives a literal: int64 when every number is an int, else float32."""
    if isinstance(value, list):
        return "int64" if all(inferred_dtype(item) == "int64" for item in value) else "float32"
    return "int64" if isinstance(value, int) else "float32"


def check_shape(shape: tuple[int, ...], line: int) -> None:
    """Refuse shapes a document cannot hold (the limits of the .cgraph format)."""
    if len(shape) > MAX_TENSOR_DIMS:
        raise CodeImportError(f"at most {MAX_TENSOR_DIMS} dimensions, not {len(shape)}", line)
    if math.prod(shape) > MAX_TENSOR_ELEMENTS:
        raise CodeImportError(
            f"a tensor of shape {shape} has more than {MAX_TENSOR_ELEMENTS} elements", line)


def filled(shape: tuple[int, ...], number: int | float) -> Any:
    """A nested list of ``shape`` holding ``number`` everywhere (the number itself for shape ())."""
    value: Any = number
    for size in reversed(shape):
        value = [_copy(value) for _ in range(size)]
    return value


def _copy(item: Any) -> Any:
    return [_copy(x) for x in item] if isinstance(item, list) else item


def arange_values(start: int | float, end: int | float, step: int | float,
                  line: int) -> list[int | float]:
    """The numbers torch.arange(start, end, step) holds."""
    if step == 0:
        raise CodeImportError("torch.arange: step must not be 0", line)
    if not all(math.isfinite(v) for v in (start, end, step)):
        raise CodeImportError("torch.arange needs finite numbers", line)
    if (end - start) * step < 0:
        raise CodeImportError("torch.arange: the step goes away from the end", line)
    span = (end - start) / step
    if not math.isfinite(span):  # a step too small to count with (5e-324)
        raise CodeImportError(f"torch.arange: a step of {step!r} makes too many numbers", line)
    count = math.ceil(span)
    check_shape((count,), line)
    return [start + i * step for i in range(count)]
