"""Rich-text tooltips for ports and wires: the tensor's value, grad, shape and dtype.

Matrices are shown as small HTML tables (at most 8 x 8 cells, then an ellipsis), so hovering a
port answers "what exactly flows here?" without opening the inspector. While the class predicts,
the hidden answers read "?" here too.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QCoreApplication

from app.display.card_text import tensor_body
from app.display.messages import localised
from app.evaluate import NodeResult

_MAX_CELLS = 8


def _format_cell(x: float | int) -> str:
    return tensor_body(np.asarray(x))


def array_html(array: np.ndarray) -> str:
    """A vector or matrix as an HTML table; other shapes as torch prints them."""
    array = np.asarray(array)
    if array.ndim not in (1, 2):
        return f"<pre>{html.escape(tensor_body(array))}</pre>" if array.size <= 64 else ""
    rows = array.reshape(1, -1) if array.ndim == 1 else array
    body = []
    for row in rows[:_MAX_CELLS]:
        cells = "".join(f"<td align='right'>{html.escape(_format_cell(x))}</td>"
                        for x in row[:_MAX_CELLS])
        more = "<td>…</td>" if len(row) > _MAX_CELLS else ""
        body.append(f"<tr>{cells}{more}</tr>")
    if len(rows) > _MAX_CELLS:
        body.append("<tr><td>⋮</td></tr>")
    return "<table cellspacing='0' cellpadding='2' border='1'>" + "".join(body) + "</table>"


def _array_part(label: str, array: np.ndarray) -> str:
    return label + array_html(array) if array.ndim else f"{label} {tensor_body(array)}"


def _value_parts(title: str, result: NodeResult | None, hide_value: bool) -> list[str]:
    """Title, shape and dtype, and value of a node's tensor (or why there is none)."""
    parts = [f"<b>{html.escape(title)}</b>"]
    if result is None or result.value is None:
        if result is not None and result.error:
            parts.append(
                f"<span style='color:#c92a2a'>{html.escape(localised(result.error))}</span>")
        else:
            parts.append(QCoreApplication.translate("tooltips", "no value"))
        return parts
    value = np.asarray(result.value)
    kind = (QCoreApplication.translate("tooltips", "python number") if result.is_number
            else f"shape {tuple(value.shape)}")
    parts.append(f"{kind} · {result.dtype or value.dtype.name}")
    parts.append("value ?" if hide_value else _array_part("value", value))
    return parts


def tensor_tooltip(title: str, result: NodeResult | None, hide_value: bool = False,
                   hide_grad: bool = False) -> str:
    """Tooltip of a node's tensor: value, shape, dtype and .grad as torch reports it (the
    value or the grad as "?" while the class predicts it)."""
    parts = _value_parts(title, result, hide_value)
    if result is not None and result.value is not None and not result.is_number:
        parts.append("grad ?" if hide_grad else "grad None" if result.grad is None
                     else _array_part("grad", np.asarray(result.grad)))
    return "<br>".join(parts)


def wire_tooltip(title: str, source: NodeResult | None, grad: np.ndarray | None,
                 hide_value: bool = False, hide_grad: bool = False) -> str:
    """Tooltip of a wire: the tensor flowing forward and the gradient flowing back (either as
    "?" while the class predicts it)."""
    parts = _value_parts(title, source, hide_value)
    flowing = QCoreApplication.translate("tooltips", "∂ flowing back")
    if grad is None:
        parts.append(QCoreApplication.translate("tooltips", "no gradient flows back here"))
    else:
        parts.append(f"{flowing} ?" if hide_grad else _array_part(flowing, np.asarray(grad)))
    return "<br>".join(parts)
