"""Context menus of the canvas: on a node, on a note, and on empty canvas.

Each function builds the menu (so tests can inspect and trigger its actions) and the view runs
it with ``exec``. Every action ends in one controller call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QPointF
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from app.canvas.parameter_dialog import edit_parameter
from app.model.expand import can_expand
from app.registry import CATEGORIES, types_in

if TYPE_CHECKING:
    from app.canvas.view import GraphView


def node_menu(view: GraphView, node_id: str, parent: QWidget | None = None) -> QMenu:
    """Set as output, toggles of retain_grad / in place / requires_grad, Expand and Edit
    weight... (a layer), Rename..., Delete."""
    controller = view.controller
    node = controller.document.node(node_id)
    menu = QMenu(parent)
    menu.addAction(QCoreApplication.translate("CanvasMenu", "Set as output (backward from here)"),
                   lambda: controller.set_output(node_id))
    if node.spec.kind != "scalar":
        menu.addAction(QCoreApplication.translate("CanvasMenu", "Toggle retain_grad"),
                       lambda: controller.set_field(node_id, "retain_grad", not node.retain_grad))
    if node.spec.kind == "op" and node.spec.in_place:
        menu.addAction(QCoreApplication.translate("CanvasMenu", "Toggle in place (%1_)")
                       .replace("%1", node.spec.function),
                       lambda: controller.set_field(node_id, "inplace", not node.inplace))
    if node.spec.kind == "tensor":
        menu.addAction(QCoreApplication.translate("CanvasMenu", "Toggle requires_grad"),
                       lambda: controller.set_field(node_id, "requires_grad",
                                                    not node.requires_grad))
    if can_expand(node):
        action = menu.addAction(QCoreApplication.translate("CanvasMenu", "Expand"),
                                lambda: controller.expand(node_id))
        action.setToolTip(QCoreApplication.translate(
            "CanvasMenu", "Show the layer as the operations it computes: x @ W.t() + b"))
    for name in node.state:  # a layer's weight and bias, also a double-click on the card
        menu.addAction(QCoreApplication.translate("CanvasMenu", "Edit %1...").replace("%1", name),
                       lambda name=name: edit_parameter(view, node_id, name))
    menu.addSeparator()
    menu.addAction(QCoreApplication.translate("CanvasMenu", "Rename..."),
                   lambda: rename_dialog(view, node_id))
    menu.addAction(QCoreApplication.translate("CanvasMenu", "Delete"),
                   lambda: view.delete_items([node_id], []))
    return menu


def note_menu(view: GraphView, note_id: str, parent: QWidget | None = None) -> QMenu:
    menu = QMenu(parent)
    menu.addAction(QCoreApplication.translate("CanvasMenu", "Edit text"),
                   lambda: view.graph_scene.notes[note_id].start_editing())
    menu.addAction(QCoreApplication.translate("CanvasMenu", "Delete"),
                   lambda: view.delete_items([], [note_id]))
    return menu


def canvas_menu(view: GraphView, scene_pos: QPointF, parent: QWidget | None = None) -> QMenu:
    """Add node (by category), Add note, Tidy up, Fit all."""
    controller = view.controller
    pos = (scene_pos.x(), scene_pos.y())
    menu = QMenu(parent)
    add_menu = menu.addMenu(QCoreApplication.translate("CanvasMenu", "Add node"))
    for category in CATEGORIES:
        sub = add_menu.addMenu(QCoreApplication.translate("registry", category))
        for node_type in types_in(category):
            action = sub.addAction(node_type.name,
                                   lambda name=node_type.name: controller.add_node(name, pos))
            action.setToolTip(QCoreApplication.translate("registry", node_type.doc))
    note_text = QCoreApplication.translate("CanvasMenu", "Note")
    menu.addAction(QCoreApplication.translate("CanvasMenu", "Add note"),
                   lambda: controller.add_note(pos, note_text))
    menu.addSeparator()
    menu.addAction(QCoreApplication.translate("CanvasMenu", "Tidy up"),
                   view.tidy_up)
    menu.addAction(QCoreApplication.translate("CanvasMenu", "Fit all"), view.fit_all)
    return menu


def rename_dialog(view: GraphView, node_id: str) -> None:
    """Ask for a new name of the node and rename it (an empty name is refused)."""
    node = view.controller.document.node(node_id)
    label, ok = QInputDialog.getText(view, QCoreApplication.translate("CanvasMenu", "Rename"),
                                     QCoreApplication.translate("CanvasMenu", "New name:"),
                                     text=node.display_name)
    if ok:
        view.controller.rename(node_id, label)
