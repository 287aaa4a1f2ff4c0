"""Editing a layer's parameter tensor from its card: double-click the ``weight`` line (or the
node menu's "Edit weight..."), type the numbers, and they are set as one undo step.

The dialog shows every digit the document holds, as the inspector's field does; a text that is
no value, or a tensor of another shape, is refused in the dialog, which asks again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QInputDialog, QLineEdit

from app.display.values import parse_value_text, value_to_text
from app.model import GraphError

if TYPE_CHECKING:
    from app.canvas.view import GraphView


def edit_parameter(view: GraphView, node_id: str, name: str) -> bool:
    """Ask for new values of the layer's parameter ``name``; True once they are set."""
    controller = view.controller
    node = controller.document.node(node_id)
    title = f"{node.module_name or node.display_name}.{name}"
    prompt = QCoreApplication.translate("CanvasMenu", "New values (the shape stays):")
    text = value_to_text(node.state[name])
    while True:
        text, ok = QInputDialog.getText(view, title, prompt, QLineEdit.EchoMode.Normal, text)
        if not ok:
            return False
        try:
            value = parse_value_text(text)
            if value == node.state[name]:
                return False
            state = {**node.state, name: value}
            controller.document.check_set_field(node_id, "state", state)
        except (ValueError, GraphError) as exc:
            prompt = QCoreApplication.translate(
                "CanvasMenu", "Not accepted: %1\nNew values (the shape stays):").replace(
                    "%1", str(exc))
            continue
        controller.set_field(node_id, "state", state)
        return True
