"""The autograd graph dock (app/ui/autograd_view.py) inside the real main window."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from windows import open_window, settle

from app.canvas.style import canvas_colours
from app.evaluate import EvalResult
from app.evaluate.results import AutogradNode
from app.paths import EXAMPLES_DIR
from app.ui.autograd_view import MAX_BOXES, AutogradDock, GradFnBox, graph_layers
from app.ui.mainwindow import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

LESSON_GRAPH = [
    AutogradNode(0, "MulBackward0", "y", [1, 2]),
    AutogradNode(1, "AddBackward0", "a", [3, 4]),
    AutogradNode(2, "AddBackward0", "b", [3, None]),
    AutogradNode(3, "AccumulateGrad", "w", []),
    AutogradNode(4, "AccumulateGrad", "x", []),
]


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    return open_window(qtbot, tmp_path)



def dock(window: MainWindow) -> AutogradDock:
    return window.autograd_dock


def names(window: MainWindow) -> Counter:
    return Counter(box.name for box in dock(window).boxes)


def box_of(window: MainWindow, node_id: str) -> GradFnBox:
    (box,) = dock(window).boxes_of(node_id)
    return box


def click_box(qtbot, window: MainWindow, box: GradFnBox) -> None:
    view = dock(window).view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.mapFromScene(box.scenePos()))


# --------------------------------------------------------------------- layout
def test_rows_are_the_longest_path_from_the_output() -> None:
    rows = graph_layers(LESSON_GRAPH)
    assert rows[0] == [0]
    assert sorted(rows[1]) == [1, 2]
    # w (3) is reached from a and from b, x (4) only from a, the python number only from b
    assert set(rows[2]) == {3, 4, (2, 1)}
    # barycentric order: x under a, w between a and b, None under b, so no arrows cross
    assert rows[1] == [1, 2] and rows[2] == [4, 3, (2, 1)]


def test_a_node_reached_by_a_long_and_a_short_path_sits_below_the_long_one() -> None:
    # y = mul(exp(w), w): w is one step from y and two steps through exp
    records = [AutogradNode(0, "MulBackward0", "y", [1, 2]),
               AutogradNode(1, "ExpBackward0", "e", [2]),
               AutogradNode(2, "AccumulateGrad", "w", [])]
    assert graph_layers(records) == [[0], [1], [2]]


def test_an_empty_graph_has_no_rows() -> None:
    assert graph_layers([]) == []


# --------------------------------------------------------------- the lesson
def test_lesson_draws_the_torchviz_graph(window: MainWindow) -> None:
    view = dock(window)
    assert view.objectName() == "autogradDock"
    assert view.windowTitle() == "Autograd graph"
    assert view.message() == ""
    assert names(window) == Counter({"MulBackward0": 1, "AddBackward0": 2,
                                     "AccumulateGrad": 2, "None": 1})
    assert box_of(window, "w").text() == "AccumulateGrad\nw"
    assert box_of(window, "x").text() == "AccumulateGrad\nx"
    assert box_of(window, "a").text() == "AddBackward0"
    assert box_of(window, "y").is_output
    assert [box.kind for box in view.boxes if box.name == "None"] == ["none"]


def test_lesson_arrows_follow_next_functions(window: MainWindow) -> None:
    arrows = dock(window).arrows
    pairs = sorted((a.source.node_id, a.target.node_id) for a in arrows if not a.to_none)
    assert pairs == [("a", "w"), ("a", "x"), ("b", "w"), ("y", "a"), ("y", "b")]
    (none_arrow,) = [a for a in arrows if a.to_none]
    assert none_arrow.source is box_of(window, "b")
    assert none_arrow.target.text() == "None"


def test_gradients_flow_downwards_from_the_output(window: MainWindow) -> None:
    y = box_of(window, "y").y()
    assert box_of(window, "a").y() == box_of(window, "b").y() > y
    assert box_of(window, "w").y() == box_of(window, "x").y() > box_of(window, "a").y()
    for arrow in dock(window).arrows:
        assert arrow.target.y() > arrow.source.y()


def test_the_drawing_fits_the_dock(qtbot, window: MainWindow) -> None:
    dock(window).raise_()  # a tab beside the inspector
    view = dock(window).view
    qtbot.waitUntil(view.isVisible, timeout=3000)
    drawn = view.mapFromScene(dock(window).graph_scene.itemsBoundingRect()).boundingRect()
    assert view.viewport().rect().contains(drawn)
    assert 0.3 < view.transform().m11() <= 1.4


def test_toggle_in_the_view_menu(window: MainWindow) -> None:
    toggle = dock(window).toggleViewAction()
    view_menu = next(a.menu() for a in window.menuBar().actions()
                     if a.menu() is not None and toggle in a.menu().actions())
    assert view_menu.title() == "&View"
    toggle.trigger()
    assert not dock(window).isVisible()
    toggle.trigger()
    assert dock(window).isVisible()


# ---------------------------------------------------------------- selection
def test_selecting_a_canvas_node_highlights_its_box(window: MainWindow) -> None:
    window.scene.select_ids(["a"])
    assert box_of(window, "a").highlighted
    assert [box.node_id for box in dock(window).boxes if box.highlighted] == ["a"]
    window.scene.select_ids(["w", "y"])
    assert sorted(box.node_id for box in dock(window).boxes if box.highlighted) == ["w", "y"]
    window.scene.clearSelection()
    assert not any(box.highlighted for box in dock(window).boxes)


def test_clicking_a_box_selects_its_node_on_the_canvas(qtbot, window: MainWindow) -> None:
    click_box(qtbot, window, box_of(window, "w"))
    assert window.scene.selected_ids() == (["w"], [])
    assert window.scene.nodes["w"].isSelected()
    assert window.inspector.node_id == "w"
    click_box(qtbot, window, box_of(window, "b"))
    assert window.scene.selected_ids() == (["b"], [])
    assert [box.node_id for box in dock(window).boxes if box.highlighted] == ["b"]


def test_the_none_box_selects_nothing(qtbot, window: MainWindow) -> None:
    window.scene.select_ids(["a"])
    none_box = next(box for box in dock(window).boxes if box.kind == "none")
    click_box(qtbot, window, none_box)
    assert window.scene.selected_ids() == ([], [])
    assert not none_box.isSelected()


# ---------------------------------------------------------------- rebuilding
def test_changing_the_output_rebuilds_the_graph(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.controller.evaluated, timeout=3000):
        window.controller.set_output("a")
    assert names(window) == Counter({"AddBackward0": 1, "AccumulateGrad": 2})
    assert box_of(window, "a").is_output
    assert len(dock(window).arrows) == 2


def test_removing_a_wire_rebuilds_the_graph(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.controller.evaluated, timeout=3000):
        window.controller.disconnect("y", 1)
    # y = mul(a, <nothing>) cannot run, so there is no backward to draw
    assert dock(window).message() == "The output y has an error, so backward did not run."
    assert dock(window).boxes == []
    with qtbot.waitSignal(window.controller.evaluated, timeout=3000):
        window.menu_actions["undo"].trigger()
    assert names(window)["AddBackward0"] == 2


def test_selection_survives_a_rebuild(qtbot, window: MainWindow) -> None:
    window.scene.select_ids(["x"])
    with qtbot.waitSignal(window.controller.evaluated, timeout=3000):
        window.controller.set_field("w", "value", [3.0])
    assert box_of(window, "x").highlighted
    assert window.scene.selected_ids() == (["x"], [])


def test_a_rename_relabels_the_leaf_box(window: MainWindow) -> None:
    window.controller.rename("w", "weight")
    assert box_of(window, "w").text() == "AccumulateGrad\nweight"


def test_no_output_shows_the_empty_state(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.controller.evaluated, timeout=3000):
        window.controller.set_output(None)
    assert dock(window).message() == "Set an output node to see the backward graph"
    assert dock(window).message_label.isVisible()
    assert not dock(window).view.isVisible()
    assert dock(window).boxes == [] and dock(window).arrows == []


def test_a_leaf_output_has_no_backward_graph(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.controller.evaluated, timeout=3000):
        window.controller.set_output("w")
    assert dock(window).message().startswith("The output w has no grad_fn")
    with qtbot.waitSignal(window.controller.evaluated, timeout=3000):
        window.controller.set_output("y")
    assert dock(window).message() == ""
    assert dock(window).view.isVisible()


def test_too_large_a_graph_is_not_drawn(window: MainWindow) -> None:
    chain = [AutogradNode(k, "ExpBackward0", None, [k + 1]) for k in range(MAX_BOXES)]
    chain.append(AutogradNode(MAX_BOXES, "AccumulateGrad", "w", []))
    dock(window).show_result(EvalResult(output="y", autograd=chain, autograd_size=len(chain)))
    assert dock(window).message() == (
        f"Graph too large to draw: {MAX_BOXES + 1} grad_fn nodes (at most {MAX_BOXES} are drawn).")
    assert dock(window).boxes == []
    dock(window).show_result(EvalResult(output="y", autograd=chain[-MAX_BOXES:],
                                        autograd_size=MAX_BOXES))
    assert len(dock(window).boxes) == MAX_BOXES


# -------------------------------------------------------------- mlp, themes
def test_mlp_shows_the_inner_log_softmax(qtbot, window: MainWindow) -> None:
    window.open_example(EXAMPLES_DIR / "mlp.cgraph")
    settle(qtbot, window)
    view = dock(window)
    (inner,) = [box for box in view.boxes if box.name == "LogSoftmaxBackward0"]
    assert inner.node_id is None
    assert box_of(window, "loss").name == "NllLossBackward0"
    assert box_of(window, "loss").is_output
    assert names(window)["AccumulateGrad"] == 4
    # x does not require grad: mm's first operand is a None slot
    assert names(window)["None"] == 1
    window.scene.select_ids(["h"])
    assert [box.name for box in view.boxes if box.highlighted] == ["ReluBackward0"]
    click_box(qtbot, window, inner)
    assert window.scene.selected_ids() == ([], [])
    assert not inner.isSelected()


def test_boxes_follow_the_theme(window: MainWindow) -> None:
    window.apply_theme("dark")
    leaf = box_of(window, "w").fill_colour()
    assert leaf == canvas_colours().headers["tensor"]
    assert leaf.lightness() < 128
    window.apply_theme("light")
    assert box_of(window, "w").fill_colour().lightness() > 128
    assert box_of(window, "a").fill_colour() == canvas_colours().card
    window.apply_theme("system")


def test_behind_the_inspector_the_dock_draws_nothing_until_shown_or_asked(
        qtbot, window: MainWindow, monkeypatch) -> None:
    """A dock the user cannot see does no work: at 300 grad_fn nodes a drawing took 180 ms of
    every edit (the layout was quadratic; 4 ms now, and none while hidden)."""
    drawn: list[int] = []
    draw = AutogradDock._draw
    monkeypatch.setattr(AutogradDock, "_draw",
                        lambda self, records: drawn.append(len(records)) or draw(self, records))
    assert not dock(window).showing()  # as the window opens, the Inspector is in front
    for value in (2.0, 3.0):
        window.controller.set_field("w", "value", [value])
        window.controller.evaluate_now()
    settle(qtbot, window)
    assert drawn == []
    assert names(window)["AccumulateGrad"] == 2 and drawn == [5]  # asked: drawn once
    window.controller.set_field("w", "value", [4.0])
    window.controller.evaluate_now()
    assert drawn == [5]
    dock(window).raise_()
    qtbot.waitUntil(lambda: drawn == [5, 5], timeout=3000)
    window.controller.set_field("w", "value", [5.0])
    window.controller.evaluate_now()
    assert drawn == [5, 5, 5]  # in front: drawn with each result


def test_the_layout_of_a_long_chain_is_not_quadratic(monkeypatch) -> None:
    """graph_layers placed each row from the positions of all rows, recomputed per row (180 ms
    at 300 grad_fn nodes): each row is placed once per sweep now."""
    import app.ui.autograd_view as view_module

    chain = [AutogradNode(i, "AddBackward0", f"n{i}", [i + 1, None]) for i in range(299)]
    chain.append(AutogradNode(299, "AccumulateGrad", "w", []))
    placed: list[int] = []
    positions = view_module._positions

    def counting(rows: list) -> dict:
        placed.append(sum(len(row) for row in rows))
        return positions(rows)

    monkeypatch.setattr(view_module, "_positions", counting)
    rows = graph_layers(chain)
    assert len(rows) == 300 and rows[0] == [0] and rows[-1] == [299, (298, 1)]
    assert sum(placed) <= 5 * 600  # 599 vertices: once at first, then a row at a time
