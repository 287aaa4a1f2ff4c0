"""View > Show Local Derivatives: each wire of the lesson shows the factor it contributes."""

from __future__ import annotations

from pathlib import Path

import pytest
from windows import open_window, settle

from app.ui.mainwindow import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    return open_window(qtbot, tmp_path)


def pills(window: MainWindow) -> dict[tuple[str, int], str]:
    return {key: item.gradient_text() for key, item in window.scene.edges.items()}


def test_local_derivatives_join_the_wire_gradients(window: MainWindow, qtbot) -> None:
    plain = pills(window)
    assert plain[("y", 0)] == "∂=[2.]"  # dy/da = b = 2
    window.menu_actions["local_derivatives"].setChecked(True)
    shown = pills(window)
    # y = a * b: d(y)/d(a) = b = 2., d(y)/d(b) = a = 3.; a = w + x and b = w + 1: 1. each
    assert shown[("y", 0)] == "∂=[2.] · local [2.]"
    assert shown[("y", 1)] == "∂=[3.] · local [3.]"
    assert shown[("a", 0)] == "∂=[2.] · local [1.]"
    assert shown[("b", 0)] == "∂=[3.] · local [1.]"
    window.controller.set_field("w", "value", [2.0])  # b = 3, a = 4 now
    settle(qtbot, window)
    assert pills(window)[("y", 0)] == "∂=[3.] · local [3.]"
    window.menu_actions["local_derivatives"].setChecked(False)
    assert pills(window)[("y", 0)] == "∂=[3.]"
