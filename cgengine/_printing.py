"""``repr`` of tensors, following PyTorch's printing rules (precision 4, line width 80).

All-integer float tensors print as ``tensor([1., 2.])``, others with four decimals
(``tensor([0.5000, 1.2500])``), in scientific notation when the values span more than a factor of
1000 or leave [1e-4, 1e8]; columns are right-aligned to one width; more than 1000 elements are
summarised with ``...``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from cgengine.tensor import Tensor

PRECISION = 4
LINEWIDTH = 80
THRESHOLD = 1000
EDGEITEMS = 3
_PLAIN_DTYPES = ("float32", "int64", "bool")


class _Formatter:
    """Chooses one format (integer, fixed or scientific) and one width for all the values."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(f"{v}"))
            return
        nonzero = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero.size == 0:
            return
        absval = np.abs(nonzero).astype(np.float64)
        lo, hi = float(absval.min()), float(absval.max())
        self.int_mode = bool(np.all(nonzero == np.ceil(nonzero)))
        wide = hi / lo > 1000.0 or hi > 1.0e8
        if self.int_mode:
            if wide:
                self.sci_mode = True
                texts = [f"{v:.{PRECISION}e}" for v in nonzero.tolist()]
            else:
                texts = [f"{v:.0f}" + " " for v in nonzero.tolist()]
        else:
            if wide or lo < 1.0e-4:
                self.sci_mode = True
                texts = [f"{v:.{PRECISION}e}" for v in nonzero.tolist()]
            else:
                texts = [f"{v:.{PRECISION}f}" for v in nonzero.tolist()]
        self.max_width = max([self.max_width] + [len(t) for t in texts])

    def format(self, value: float | int | bool) -> str:
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{PRECISION}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{PRECISION}f}"
        else:
            text = f"{value}"
        return " " * (self.max_width - len(text)) + text


def _summarized(data: np.ndarray) -> np.ndarray:
    """The edge items PyTorch keeps when it prints a large tensor with '...'."""
    if data.ndim == 0:
        return data
    if data.shape[0] > 2 * EDGEITEMS:
        parts = [_summarized(x) for x in data[:EDGEITEMS]] + [
            _summarized(x) for x in data[-EDGEITEMS:]]
    else:
        parts = [_summarized(x) for x in data]
    if data.ndim == 1:
        return np.asarray(parts, dtype=data.dtype).reshape(-1)
    return np.stack(parts) if parts else data


def _vector(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, int(math.floor((LINEWIDTH - indent) / (fmt.max_width + 2))))
    if summarize and data.shape[0] > 2 * EDGEITEMS:
        items = ([fmt.format(v) for v in data[:EDGEITEMS].tolist()] + [" ..."] +
                 [fmt.format(v) for v in data[-EDGEITEMS:].tolist()])
    else:
        items = [fmt.format(v) for v in data.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _body(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector(data, indent, summarize, fmt)
    if summarize and data.shape[0] > 2 * EDGEITEMS:
        rows = ([_body(data[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)] + ["..."] +
                [_body(data[i], indent + 1, summarize, fmt)
                 for i in range(data.shape[0] - EDGEITEMS, data.shape[0])])
    else:
        rows = [_body(data[i], indent + 1, summarize, fmt) for i in range(data.shape[0])]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def array_str(data: np.ndarray, indent: int = 0) -> str:
    """The body PyTorch prints for these values (without ``tensor(`` and the suffixes)."""
    if data.size == 0:
        return "[]"
    summarize = data.size > THRESHOLD
    fmt = _Formatter(_summarized(data) if summarize else data)
    return _body(data, indent, summarize, fmt)


def tensor_repr(t: Tensor) -> str:
    prefix = "tensor("
    data = t._data
    suffixes = []
    body = array_str(data, len(prefix))
    if data.size == 0 and data.shape != (0,):
        suffixes.append(f"size={tuple(data.shape)}")
    # an empty tensor has no values to tell an integer dtype by: torch names any but float32
    if data.dtype.name not in _PLAIN_DTYPES or (data.size == 0 and data.dtype.name != "float32"):
        suffixes.append(f"dtype=torch.{data.dtype.name}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")  # torch: the class name
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, len(prefix))


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, dtype=...`` and the like, on a new line when the last one would pass 80."""
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)
