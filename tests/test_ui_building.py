"""Building a graph in class: cut and paste keeps the output and lands in view, palette entries
land in free space and are selected, and a new graph shows its gradients without Set Output,
with a hint on the canvas saying where backward starts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from app.paths import LESSON
from app.ui.mainwindow import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    win = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win._ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(win)
    win.resize(1440, 900)
    win.show()
    qtbot.waitExposed(win)
    return win


def grads(window: MainWindow) -> dict[str, str]:
    window.controller.evaluate_now()
    return {window.controller.document.node(node_id).display_name: item.grad_text()
            for node_id, item in window.scene.nodes.items()}


def in_view(window: MainWindow, node_id: str) -> bool:
    view = window.view
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    return shown.contains(window.scene.nodes[node_id].sceneBoundingRect())


# --------------------------------------------------------------------- cut and paste
def test_cut_and_paste_keeps_the_output_and_lands_in_view(window) -> None:
    window.open_example(LESSON)
    before = grads(window)
    assert before["w"] == "grad [5.]"
    window.view.centerOn(3000, -2000)  # the class scrolled away meanwhile
    window.menu_actions["select_all"].trigger()
    window.menu_actions["cut"].trigger()
    assert len(window.controller.document) == 0
    window.menu_actions["paste"].trigger()
    doc = window.controller.document
    assert doc.output is not None and doc.node(doc.output).label == "y"
    assert grads(window) == before  # w.grad = 5 again, not None everywhere
    assert all(in_view(window, node.id) for node in doc.nodes)
    window.controller.undo_stack.undo()  # the paste, output included, is one step
    assert len(doc) == 0 and doc.output is None


def test_a_copy_pasted_beside_its_original_leaves_the_output_where_it_is(window) -> None:
    window.open_example(LESSON)
    window.menu_actions["select_all"].trigger()
    window.menu_actions["copy"].trigger()
    window.menu_actions["paste"].trigger()
    assert window.controller.document.output == "y"


# ------------------------------------------------------------------------- the palette
def test_palette_entries_land_in_free_space_in_view_and_are_selected(window, qtbot) -> None:
    window.new_document()
    added = []
    tree = window.palette_dock.tree
    for number, name in enumerate(("tensor", "tensor", "add", "mul")):
        item = window.palette_dock.item_for(name)
        tree.setCurrentItem(item)
        if number % 2:  # Enter on the entry
            qtbot.keyClick(tree, Qt.Key.Key_Return)
        else:  # a double-click on it
            tree.scrollToItem(item)
            where = tree.visualItemRect(item).center()
            qtbot.mousePress(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
            qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
        node_id = window.scene.selected_ids()[0][0]
        assert window.controller.document.node(node_id).type == name
        added.append(node_id)
        assert in_view(window, node_id)
    assert len(set(added)) == 4
    cards = {n: window.scene.nodes[n].sceneBoundingRect() for n in added}
    assert not any(cards[a].intersects(cards[b]) for a, b in itertools.combinations(added, 2))


# ---------------------------------------------------------------- output and the hint
def test_a_new_graph_shows_gradients_without_set_output(window) -> None:
    window.new_document()
    assert "double-click the canvas" in window.view.hint.text()
    controller = window.controller
    w = window.add_node_at_centre("tensor")
    controller.set_field(w, "requires_grad", True)
    controller.set_field(w, "value", [3.0])
    two = window.add_node_at_centre("scalar")
    controller.set_field(two, "value", 2)
    y = window.add_node_at_centre("mul")
    assert controller.connect(w, y, 0) and controller.connect(two, y, 1)
    assert controller.document.output == y
    assert grads(window)["tensor"] == "grad [2.]"
    assert window.view.hint.isVisible()
    assert "Backward starts at mul" in window.view.hint.text()
    # the output follows the chain while the user has chosen none
    e = window.add_node_at_centre("exp")
    assert controller.document.output == y
    controller.connect(y, e, 0)
    assert controller.document.output == e
    # the user's choice stays: no hint, no more moving
    window.scene.select_ids([y])
    window.menu_actions["set_output"].trigger()
    assert controller.document.output == y and not window.view.hint.isVisible()
    s = window.add_node_at_centre("sum")
    controller.connect(y, s, 0)
    assert controller.document.output == y


def test_without_an_output_the_hint_says_how_to_choose_one(window) -> None:
    window.open_example(LESSON)
    assert not window.view.hint.isVisible()
    window.controller.set_output(None)
    assert window.view.hint.isVisible() and "Set as output" in window.view.hint.text()
