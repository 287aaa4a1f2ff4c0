"""View > Show Local Derivatives: each wire's pill also shows d(consumer)/d(input).

Beside the gradient flowing back along a wire (the chain product so far), the local derivative
is the one factor that wire contributes: for y = a * b, the wire a -> y shows "· local 2." (b's
value). It is computed exactly by app.teach.walkthrough.local_derivative, for wires whose input
and result are single numbers; on larger tensors it is a Jacobian, and the pill keeps the
gradient alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from app.display import card_text as text
from app.teach.walkthrough import local_derivative

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow


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
        self._shown = False  # whether some pill may show a local derivative

    def refresh(self, *_: object) -> None:
        if not self.action.isChecked() and not self._shown:
            return  # off, and nothing to take away: no work per wire (10,000 of them at most)
        self._shown = self.action.isChecked()
        controller, scene = self.window.controller, self.window.scene
        result = controller.result
        for (dst, port), item in scene.edges.items():
            local = None
            if self.action.isChecked() and result is not None:
                value = local_derivative(controller.document, result, dst, port)
                local = None if value is None else text.tensor_body(value)
            item.set_local_derivative(local)


def install(window: MainWindow) -> LocalDerivatives:
    """Add the toggle to the View menu, with the other teaching aids."""
    feature = LocalDerivatives(window)
    window.register_action("local_derivatives", feature.action)
    window.add_to_menu("view", "teaching", feature.action)
    return feature
