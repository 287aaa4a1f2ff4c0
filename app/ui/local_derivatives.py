"""View > Show Local Derivatives: each wire's pill also shows d(consumer)/d(input).

Beside the gradient flowing back along a wire (the chain product so far), the local derivative
is the one factor that wire contributes: for y = a * b, the wire a -> y shows "· local 2." (b's
value). It is computed exactly by app.teach.walkthrough.local_derivative, for wires whose input
and result are single numbers; on larger tensors it is a Jacobian, and the pill keeps the
gradient alone.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from app.canvas import text
from app.teach.walkthrough import local_derivative


class LocalDerivatives(QObject):
    """The checkable action and the refresh of the wire pills after every evaluation."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.action = QAction(self.tr("Show &Local Derivatives on Wires"), window)
        self.action.setCheckable(True)
        self.action.setStatusTip(self.tr("Write d(output of the op)/d(input) beside the "
                                         "gradient on each wire"))
        self.action.toggled.connect(self.refresh)
        window.controller.evaluated.connect(self.refresh)

    def refresh(self, *_: object) -> None:
        controller, scene = self.window.controller, self.window.scene
        result = controller.result
        for (dst, port), item in scene.edges.items():
            local = None
            if self.action.isChecked() and result is not None:
                value = local_derivative(controller.document, result, dst, port)
                local = None if value is None else text.tensor_body(value)
            item.set_local_derivative(local)


def install(window: Any) -> LocalDerivatives:
    """Add the toggle to the View menu (the menu holding Fit All)."""
    feature = LocalDerivatives(window)
    window.menu_actions["local_derivatives"] = feature.action
    fit = window.menu_actions["fit"]
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is not None and fit in menu.actions():
            menu.addAction(feature.action)
            break
    return feature
