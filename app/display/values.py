"""Tensor values as text: the inspector's safe parser and torch-like printing.

Students type values the way they write them in PyTorch code ("3", "[1, 2.]", "[[1, 2], [3, 4]]"),
so the parser accepts Python/torch number syntax inside nested brackets. It is a small hand-written
recursive-descent parser, never ``eval``: the text comes from a classroom keyboard.

Printing follows ``torch._tensor_str``: integral floats print as "2.", otherwise four decimals or
scientific notation when magnitudes differ by more than 1000, and float64 tensors carry a dtype
suffix, so the inspector reads exactly like ``print(t)`` in a PyTorch session.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from app.model.rules import MAX_TENSOR_DIMS

#: One number in Python/torch syntax: "3", "-2.", ".5", "1e-3", "inf", "nan".
_NUMBER = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|nan)", re.IGNORECASE)
_MAX_ELEMENTS = 100_000
_SUMMARY_THRESHOLD = 1000  # torch prints '...' beyond this many elements
#: An elided run of elements inside a row (not the "...," line that elides whole rows).
_ELIDED_ELEMENT = re.compile(r"(?<=\S )\.\.\.|\.\.\.(?=, \S)")

INIT_KINDS: tuple[str, ...] = ("zeros", "ones", "arange", "randn")


class _Parser:
    """Recursive descent over ``value := number | "[" value ("," value)* ","? "]"``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> ValueError:
        return ValueError(f"{what} at character {self.pos + 1}")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def value(self, depth: int = 0) -> Any:
        self.skip_space()
        if self.pos < len(self.text) and self.text[self.pos] == "[":
            return self.list(depth)
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            raise self.fail("expected a number or '['")
        self.pos = match.end()
        token = match.group()
        if re.fullmatch(r"[+-]?\d+", token):
            return int(token)
        return float(token)

    def list(self, depth: int) -> list[Any]:
        if depth >= MAX_TENSOR_DIMS:
            raise self.fail(f"at most {MAX_TENSOR_DIMS} dimensions (nested brackets)")
        self.pos += 1  # the "["
        items: list[Any] = []
        while True:
            self.skip_space()
            if self.pos < len(self.text) and self.text[self.pos] == "]":
                self.pos += 1
                return items
            items.append(self.value(depth + 1))
            self.skip_space()
            if self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
            elif not (self.pos < len(self.text) and self.text[self.pos] == "]"):
                raise self.fail("expected ',' or ']'")


def _shape_of(value: Any) -> tuple[int, ...]:
    """The shape of a nested list, raising ValueError when rows have different lengths."""
    if not isinstance(value, list):
        return ()
    if not value:
        return (0,)
    shapes = {_shape_of(item) for item in value}
    if len(shapes) != 1:
        raise ValueError("every row must have the same length (the tensor must be rectangular)")
    return (len(value), *shapes.pop())


def parse_value_text(text: str) -> int | float | list[Any]:
    """Parse a number or nested list typed by the user; ValueError says what is wrong and where."""
    if not text.strip():
        raise ValueError("type a number such as 3 or a list such as [1, 2]")
    parser = _Parser(text)
    value = parser.value()
    parser.skip_space()
    if parser.pos != len(text):
        raise parser.fail("unexpected text after the value")
    shape = _shape_of(value)
    if math.prod(shape) > _MAX_ELEMENTS:
        raise ValueError(f"at most {_MAX_ELEMENTS} elements, not {math.prod(shape)}")
    return value


def parse_shape_text(text: str, *, allow_infer: bool = False) -> tuple[int, ...]:
    """Parse "2, 3" (or "(2, 3)", "[2, 3]", "" for a 0-d tensor) into a shape tuple.

    With ``allow_infer`` one size may be -1, as in ``reshape(-1, 2)``.
    """
    body = text.strip().strip("()[]").strip()
    if not body:
        return ()
    sizes: list[int] = []
    for part in body.split(","):
        part = part.strip()
        if not part and sizes:
            continue  # a trailing comma, as in "(3,)"
        if not re.fullmatch(r"-1|\d+" if allow_infer else r"\d+", part):
            raise ValueError(f"a shape is sizes separated by commas, e.g. 2, 3; not {part!r}")
        sizes.append(int(part))
    if sizes.count(-1) > 1:
        raise ValueError("only one size can be -1 (inferred)")
    if math.prod(abs(n) for n in sizes) > _MAX_ELEMENTS:
        raise ValueError(f"at most {_MAX_ELEMENTS} elements, not {math.prod(sizes)}")
    return tuple(sizes)


def initial_value(kind: str, shape: tuple[int, ...], seed: int = 0) -> int | float | list[Any]:
    """A fresh value like torch.zeros/ones/arange/randn(shape), as nested python lists.

    ``arange`` fills the shape with 0, 1, 2, ... (torch.arange(n).reshape(shape)); ``randn`` uses a
    seeded numpy generator, rounded to four decimals so the numbers stay readable on the canvas.
    """
    size = math.prod(shape)
    if kind == "zeros":
        array = np.zeros(shape)
    elif kind == "ones":
        array = np.ones(shape)
    elif kind == "arange":
        array = np.arange(size, dtype=np.float64).reshape(shape)
    elif kind == "randn":
        array = np.round(np.random.default_rng(seed).standard_normal(shape), 4)
    else:
        raise ValueError(f"initialise with one of {', '.join(INIT_KINDS)}, not {kind!r}")
    return array.tolist()


def value_to_text(value: Any) -> str:
    """The document value as the user would type it back ("[1.0, 2.0]" prints as "[1., 2.]")."""
    if isinstance(value, list):
        return "[" + ", ".join(value_to_text(item) for item in value) + "]"
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}."
    return repr(value)


def _summarized(array: np.ndarray, edgeitems: int = 3) -> np.ndarray:
    """The elements torch shows of a large tensor: the first and last ``edgeitems`` per axis."""
    for axis, size in enumerate(array.shape):
        if size > 2 * edgeitems:
            keep = [*range(edgeitems), *range(size - edgeitems, size)]
            array = np.take(array, keep, axis=axis)
    return array


def _float_mode(values: np.ndarray) -> str:
    """How torch prints these floats: "int" (2.), "fixed" (0.5000) or "sci" (1.0000e-05)."""
    finite = np.abs(values[np.isfinite(values)])
    nonzero = finite[finite != 0]
    if nonzero.size == 0:
        return "int"
    big, small = float(nonzero.max()), float(nonzero.min())
    integral = bool(np.all(nonzero == np.ceil(nonzero)))
    if big / small > 1000.0 or big > 1.0e8 or (not integral and small < 1.0e-4):
        return "sci"
    return "int" if integral else "fixed"


def _format_float(x: float, mode: str) -> str:
    if not math.isfinite(x):
        return str(x)
    if mode == "int":
        return f"{x:.0f}."
    if mode == "fixed":
        return f"{x:.4f}"
    return f"{x:.4e}"


def format_tensor(array: np.ndarray | None, *, dtype: str | None = None,
                  grad_fn: str | None = None, requires_grad: bool = False,
                  linewidth: int = 80) -> str:
    """Print an array as ``repr(torch_tensor)`` would, e.g. "tensor([12.], grad_fn=<MulBackward0>)".

    ``None`` prints as "None" (a gradient torch did not compute). ``dtype`` is the torch dtype
    name; float32 and int64 are torch's defaults and get no suffix. ``linewidth`` is torch's print
    option of that name (a narrow inspector wraps rows as ``torch.set_printoptions`` would; only
    the line breaks of summarised tensors, over 1000 elements, can differ from torch's there).
    """
    if array is None:
        return "None"
    array = np.asarray(array)
    prefix = "tensor("
    options: dict[str, Any] = {"separator": ", ", "prefix": prefix, "max_line_width": linewidth,
                               "threshold": _SUMMARY_THRESHOLD, "edgeitems": 3}
    if array.dtype.kind == "f":
        shown = _summarized(array) if array.size > _SUMMARY_THRESHOLD else array
        mode = _float_mode(shown.astype(np.float64))
        # torch aligns on the widest finite non-zero number: zeros, nan and inf are not counted
        width = max((len(_format_float(float(x), mode)) for x in shown.flat
                     if math.isfinite(x) and x != 0), default=0)
        options["formatter"] = {"float_kind": lambda x: _format_float(float(x), mode).rjust(width)}
    body = np.array2string(array, **options)
    # torch writes the elided middle of a row as the element " ..."; numpy as "..."
    body = _ELIDED_ELEMENT.sub(" ...", body)
    suffixes = []
    if array.size == 0 and array.ndim != 1:
        suffixes.append(f"size={array.shape}")
    if dtype and dtype not in ("float32", "int64"):
        suffixes.append(f"dtype=torch.{dtype}")
    if grad_fn:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    text = prefix + body
    # torch's _add_suffixes: a suffix that would pass the line width goes on its own line
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > linewidth:
            text += ",\n" + " " * len(prefix) + suffix
            line_length = len(prefix) + len(suffix)
        else:
            text += ", " + suffix
            line_length += len(suffix) + 2
    return text + ")"
