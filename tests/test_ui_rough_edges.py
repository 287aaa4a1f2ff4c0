"""The rough edges a class would hit (issue 12, point 13): the empty loss chart's step axis, the
walkthrough panel cutting its formula in a low window, the inspector's captions in Chinese, and
the inspector's numbers below the fold at 1440 x 900."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCharts import QValueAxis
from PySide6.QtCore import QPoint, QSettings
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app.paths import EXAMPLES_DIR, LESSON
from app.ui import i18n
from app.ui.mainwindow import MainWindow
from app.ui.training_dock import LossChart


@pytest.fixture
def make_window(qtbot, tmp_path: Path) -> Iterator:
    def make(width: int, height: int, example: Path = LESSON) -> MainWindow:
        win = MainWindow(settings=QSettings(str(tmp_path / "s.ini"),
                                            QSettings.Format.IniFormat))
        win._ask_save_changes = lambda: QMessageBox.StandardButton.Discard
        qtbot.addWidget(win)
        win.open_example(example)
        win.resize(width, height)
        win.show()
        qtbot.waitExposed(win)
        win.controller.evaluate_now()
        return win

    yield make
    i18n.install_translator(QApplication.instance(), i18n.ENGLISH)


def step_labels(axis: QValueAxis) -> list[str]:
    """The labels the step axis shows: from its anchor, one per tick interval."""
    assert axis.tickType() == QValueAxis.TickType.TicksDynamic
    labels, tick = [], axis.tickAnchor()
    while tick <= axis.max() + 1e-9:
        if tick >= axis.min() - 1e-9:
            labels.append(f"{tick:.0f}")
        tick += axis.tickInterval()
    return labels


def test_the_step_axis_labels_whole_distinct_steps(qtbot) -> None:
    chart = LossChart()
    qtbot.addWidget(chart)
    assert step_labels(chart.x_axis) == ["0", "2", "4", "6", "8", "10"]  # was "0 0 0 0 1"
    chart.add_losses(0, [1.0, 0.5, 0.25])
    assert step_labels(chart.x_axis) == ["0", "2", "4", "6", "8", "10"]
    chart.add_losses(3, [0.1] * 60)
    labels = step_labels(chart.x_axis)
    assert labels[0] == "0" and len(set(labels)) == len(labels) <= 6
    assert all(label == f"{int(label)}" for label in labels)


def test_the_walkthrough_panel_shows_a_long_formula_whole_in_a_low_window(make_window) -> None:
    window = make_window(1024, 800, EXAMPLES_DIR / "linear_regression.cgraph")
    walkthrough = window.walkthrough
    for mode in ("forward", "backward"):
        walkthrough.start(mode)
        for index in range(len(walkthrough.steps)):
            walkthrough.go_to(index)
            QApplication.processEvents()
            for label in (walkthrough.panel.step_label, walkthrough.panel.formula_label,
                          walkthrough.panel.note_label):
                assert label.heightForWidth(label.width()) <= label.height(), label.text()
        walkthrough.stop()


def test_the_inspectors_captions_are_chinese(make_window) -> None:
    assert i18n.install_translator(QApplication.instance(), i18n.CHINESE) == i18n.CHINESE
    window = make_window(1440, 900)
    window.scene.select_ids(["w"])
    inspector = window.inspector
    captions = {label.text() for label in inspector.findChildren(QLabel)}
    assert {"数值（value）", "梯度（grad）"} <= captions
    assert not {"value", "grad"} & captions


@pytest.mark.parametrize(("example", "node"), [(LESSON, "w"), (LESSON, "a"), (LESSON, "y"),
                                               (EXAMPLES_DIR / "mlp.cgraph", "loss")])
def test_the_inspector_shows_value_and_grad_without_scrolling(make_window, example: Path,
                                                             node: str) -> None:
    window = make_window(1440, 900, example)
    window.scene.select_ids([node])
    QApplication.processEvents()
    inspector = window.inspector
    assert not inspector.visibleRegion().isEmpty()
    viewport = inspector._scroll.viewport()
    for view in (inspector.value_view, inspector.grad_view):
        bottom = view.mapTo(viewport, QPoint(0, view.height()))
        assert 0 <= bottom.y() <= viewport.height()
    # the autograd graph is a tab beside it, one click away
    assert window.autograd_dock in window.tabifiedDockWidgets(window.inspector)
