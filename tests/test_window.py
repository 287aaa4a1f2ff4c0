"""The main window (app/ui/mainwindow.py) driven through its real widgets, actions, controller."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QTableWidget
from windows import open_window, settle

from app.canvas import NodeItem
from app.fileio import FileFormatError, load_document
from app.ui.mainwindow import MainWindow
from app.ui.palette import PaletteDock
from app.ui.recent import MAX_RECENT

# Qt's offscreen platform warns that it cannot pass a shown window's size hints on; harmless.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, tmp_path: Path, settings: QSettings) -> MainWindow:
    return open_window(qtbot, tmp_path, settings=settings)


def node_item(window: MainWindow, node_id: str) -> NodeItem:
    """The canvas card showing ``node_id``."""
    return window.scene.nodes[node_id]


def select(window: MainWindow, node_id: str) -> None:
    window.scene.select_ids([node_id])


def answer(window: MainWindow, monkeypatch, name: str, value) -> list:
    """Replace the dialog method ``name`` by a canned answer; returns the calls' arguments."""
    calls: list = []

    def fake(*args):
        calls.append(args)
        return value

    monkeypatch.setattr(window, name, fake)
    return calls


def flat(text: str) -> str:
    """A tensor's text with the line breaks a narrow inspector adds taken out."""
    return " ".join(text.split())


def commit_text(qtbot, edit, text: str) -> None:
    """Type into a line edit as a user does: select all, type, press Enter."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


# ------------------------------------------------------------------ opening
def test_opens_on_the_lesson_example(window: MainWindow) -> None:
    assert "lesson" in window.windowTitle()
    assert window.windowTitle().endswith("— CG Studio")
    assert not window.isWindowModified()
    assert window.path is None  # an example is opened as a copy, never overwritten
    assert {n.id for n in window.controller.document.nodes} >= {"w", "x", "a", "b", "y"}
    assert "5" in node_item(window, "w").grad_text()
    assert "6" in node_item(window, "y").value_text()
    assert re.fullmatch(r"6 nodes evaluated  ·  in \d+ ms", window.eval_label.text())


def test_docks_are_where_a_teacher_expects(window: MainWindow) -> None:
    area = window.dockWidgetArea
    assert area(window.palette_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert area(window.inspector) == Qt.DockWidgetArea.RightDockWidgetArea
    assert {window.history_dock, window.code_dock, window.training_dock} <= set(
        window.tabifiedDockWidgets(window.inspector))
    # the inspector is the front tab; the history waits behind it
    assert not window.inspector.visibleRegion().isEmpty()
    assert window.history_dock.visibleRegion().isEmpty()
    assert window.undo_view.stack() is window.controller.undo_stack


# ------------------------------------------------------------------ palette
def test_palette_lists_every_type(window: MainWindow) -> None:
    from app.registry import CATEGORIES, NODE_TYPES

    entries = window.palette_dock.entries()
    assert list(entries) == list(CATEGORIES)
    assert sorted(n for names in entries.values() for n in names) == sorted(NODE_TYPES)


def test_palette_double_click_adds_an_undoable_node(qtbot, window: MainWindow) -> None:
    document = window.controller.document
    before = document.snapshot()
    palette: PaletteDock = window.palette_dock
    item = palette.item_for("sigmoid")
    palette.tree.scrollToItem(item)
    centre = palette.tree.visualItemRect(item).center()
    qtbot.mousePress(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    added = [n for n in document.nodes if n.id not in before["nodes"]]
    assert [n.type for n in added] == ["sigmoid"]
    # it lands in the middle of what the view shows
    view_centre = window.view.mapToScene(window.view.viewport().rect().center())
    assert abs(added[0].pos[0] - view_centre.x()) < 200
    assert abs(added[0].pos[1] - view_centre.y()) < 200
    assert window.isWindowModified()
    window.menu_actions["undo"].trigger()
    assert document.snapshot() == before
    assert not window.isWindowModified()


# ---------------------------------------------------------------- inspector
def test_inspector_shows_the_selected_node(qtbot, window: MainWindow) -> None:
    select(window, "y")
    inspector = window.inspector
    assert inspector.node_id == "y"
    assert inspector.info_labels["grad_fn"].text() == "MulBackward0"
    assert inspector.info_labels["is_leaf"].text() == "False"
    assert inspector.info_labels["shape"].text() == "torch.Size([1])"
    assert flat(inspector.value_view.toPlainText()) == "tensor([6.], grad_fn=<MulBackward0>)"
    assert inspector.grad_view.toPlainText() == "None"  # not a leaf, no retain_grad
    assert inspector.grad_hint.text() == ("torch keeps .grad only on leaves; tick retain_grad "
                                          "to keep this node's gradient, tensor([1.]).")
    inspector.retain_grad_check.setChecked(True)
    settle(qtbot, window)
    assert inspector.grad_view.toPlainText() == "tensor([1.])"
    assert not inspector.grad_hint.isVisibleTo(inspector)
    window.scene.clearSelection()
    assert inspector.node_id is None


def test_inspector_value_edit_recomputes_the_canvas(qtbot, window: MainWindow) -> None:
    select(window, "w")
    inspector = window.inspector
    assert inspector.value_edit.text() == "[1.]"
    assert inspector.grad_view.toPlainText() == "tensor([5.])"
    depth = window.controller.undo_stack.count()
    commit_text(qtbot, inspector.value_edit, "[2.]")
    settle(qtbot, window)
    assert window.controller.document.node("w").value == [2.0]
    assert window.controller.undo_stack.count() == depth + 1
    assert "12" in node_item(window, "y").value_text()  # (2 + 2) * (2 + 1)
    assert inspector.grad_view.toPlainText() == "tensor([7.])"  # (w + 1) + (x + w)
    assert re.fullmatch(r"6 nodes evaluated  ·  in \d+ ms", window.eval_label.text())
    assert flat(inspector.value_view.toPlainText()) == "tensor([2.], requires_grad=True)"


def test_invalid_value_text_shows_an_error_and_changes_nothing(qtbot, window) -> None:
    select(window, "w")
    inspector = window.inspector
    before = window.controller.document.snapshot()
    depth = window.controller.undo_stack.count()
    commit_text(qtbot, inspector.value_edit, "[2, oops]")
    assert inspector.value_error.isVisibleTo(inspector)
    assert inspector.value_error.text() == \
        "Not a value: expected a number or '[' at character 5"
    assert window.controller.document.snapshot() == before
    assert window.controller.undo_stack.count() == depth
    assert inspector.grad_view.toPlainText() == "tensor([5.])"
    commit_text(qtbot, inspector.value_edit, "[3.]")
    assert not inspector.value_error.isVisibleTo(inspector)


def test_inspector_flags_and_dtype_are_one_undo_step_each(qtbot, window: MainWindow) -> None:
    select(window, "x")
    inspector = window.inspector
    stack = window.controller.undo_stack
    depth = stack.count()
    inspector.requires_grad_check.setChecked(False)
    settle(qtbot, window)
    assert window.controller.document.node("x").requires_grad is False
    assert inspector.grad_view.toPlainText() == "None"
    inspector.dtype_combo.setCurrentText("float64")
    assert window.controller.document.node("x").dtype == "float64"
    assert stack.count() == depth + 2
    settle(qtbot, window)
    assert "dtype=torch.float64" in inspector.value_view.toPlainText()
    stack.undo()
    stack.undo()
    settle(qtbot, window)
    assert inspector.requires_grad_check.isChecked()
    assert inspector.dtype_combo.currentText() == "float32"


def test_inspector_initialise_fills_a_shape(qtbot, window: MainWindow) -> None:
    select(window, "x")
    inspector = window.inspector
    inspector.init_kind_combo.setCurrentText("arange")
    inspector.init_shape_edit.setText("1")
    qtbot.mouseClick(inspector.init_button, Qt.MouseButton.LeftButton)
    assert window.controller.document.node("x").value == [0.0]
    inspector.init_shape_edit.setText("2 x 3")
    qtbot.mouseClick(inspector.init_button, Qt.MouseButton.LeftButton)
    assert inspector.init_error.isVisibleTo(inspector)
    assert "2 x 3" in inspector.init_error.text()
    assert window.controller.document.node("x").value == [0.0]


def test_rename_goes_to_the_inspector_label(qtbot, window: MainWindow) -> None:
    select(window, "a")
    window.menu_actions["rename"].trigger()
    label_edit = window.inspector.label_edit
    assert label_edit.hasFocus()
    qtbot.keyClicks(label_edit, "sum_xw")
    qtbot.keyClick(label_edit, Qt.Key.Key_Return)
    assert window.controller.document.node("a").label == "sum_xw"
    assert window.inspector.header.text().startswith("sum_xw")


# --------------------------------------------------------------- edit menu
def test_delete_and_undo(window: MainWindow) -> None:
    document = window.controller.document
    before = document.snapshot()
    select(window, "b")
    window.menu_actions["delete"].trigger()
    assert not document.has_node("b")
    assert window.inspector.node_id is None
    window.menu_actions["undo"].trigger()
    assert document.snapshot() == before


def test_copy_paste_adds_a_copy(window: MainWindow) -> None:
    document = window.controller.document
    select(window, "w")
    window.menu_actions["copy"].trigger()
    count = len(document)
    window.menu_actions["paste"].trigger()
    assert len(document) == count + 1
    window.menu_actions["undo"].trigger()
    assert len(document) == count


def test_set_output(qtbot, window: MainWindow) -> None:
    select(window, "a")
    window.menu_actions["set_output"].trigger()
    settle(qtbot, window)
    assert window.controller.document.output == "a"
    assert window.controller.result.output == "a"
    select(window, "w")
    assert window.inspector.grad_view.toPlainText() == "tensor([1.])"  # d(x + w)/dw


# ---------------------------------------------------------------- file menu
def test_save_as_then_open_round_trip(tmp_path: Path, monkeypatch, window) -> None:
    target = tmp_path / "graph"  # the suffix is added
    answer(window, monkeypatch, "_get_save_path", str(target))
    select(window, "w")
    window.inspector.value_edit.setText("[4.]")
    window.inspector.value_edit.editingFinished.emit()
    saved = window.controller.document.snapshot()
    assert window.isWindowModified()
    window.menu_actions["save_as"].trigger()
    saved_path = tmp_path / "graph.cgraph"
    assert saved_path.is_file()
    assert not window.isWindowModified()
    assert "graph.cgraph" in window.windowTitle()
    assert load_document(str(saved_path)).snapshot() == saved

    window.menu_actions["new"].trigger()
    assert len(window.controller.document) == 0
    answer(window, monkeypatch, "_get_open_path", str(saved_path))
    window.menu_actions["open"].trigger()
    assert window.controller.document.snapshot() == saved
    assert window.path == str(saved_path.resolve())
    assert not window.isWindowModified()


def test_modified_mark_follows_the_clean_state(tmp_path, monkeypatch, window) -> None:
    answer(window, monkeypatch, "_get_save_path", str(tmp_path / "m.cgraph"))
    assert not window.isWindowModified()
    window.controller.rename("w", "weight")
    assert window.isWindowModified()
    assert window.save()
    assert not window.isWindowModified()
    window.controller.rename("w", "w2")
    window.menu_actions["save"].trigger()  # has a path now: no dialog
    assert not window.isWindowModified()
    assert load_document(str(tmp_path / "m.cgraph")).node("w").label == "w2"


def test_open_of_a_bad_file_keeps_the_document(tmp_path, monkeypatch, window) -> None:
    bad = tmp_path / "bad.cgraph"
    bad.write_text('{"format": "cgstudio.graph", "version": 99, "nodes": []}', encoding="utf-8")
    with pytest.raises(FileFormatError) as refused:
        load_document(str(bad))
    before = window.controller.document.snapshot()
    title = window.windowTitle()
    errors = answer(window, monkeypatch, "show_error", None)
    answer(window, monkeypatch, "_get_open_path", str(bad))
    window.menu_actions["open"].trigger()
    assert len(errors) == 1
    assert errors[0][0] == f"Cannot open bad.cgraph:\n{refused.value}"
    assert window.controller.document.snapshot() == before
    assert window.windowTitle() == title
    assert window.recent.paths() == []


def test_open_of_a_missing_file_reports_it(tmp_path, monkeypatch, window) -> None:
    errors = answer(window, monkeypatch, "show_error", None)
    assert not window.open_path(str(tmp_path / "nowhere.cgraph"))
    assert errors[0][0] == "Cannot open nowhere.cgraph:\nNo such file or directory"


def test_recent_files(tmp_path, monkeypatch, window) -> None:
    paths = []
    for i in range(MAX_RECENT + 2):
        path = tmp_path / f"g{i}.cgraph"
        answer(window, monkeypatch, "_get_save_path", str(path))
        assert window.save_as()
        paths.append(str(path.resolve()))
    expected = paths[::-1][:MAX_RECENT]
    assert window.recent.paths() == expected
    window.recent_menu.aboutToShow.emit()
    texts = [a.text() for a in window.recent_menu.actions() if not a.isSeparator()]
    assert texts[0] == f"&1  g{MAX_RECENT + 1}.cgraph"
    assert texts[-1] == "Clear List"
    Path(paths[-1]).unlink()  # a vanished file is pruned
    assert window.recent.paths() == expected[1:]
    window.open_path(paths[3])  # reopening moves it to the top
    assert window.recent.paths()[0] == paths[3]


def test_close_with_unsaved_changes_asks(qtbot, monkeypatch, window) -> None:
    window.controller.rename("w", "changed")
    asked = answer(window, monkeypatch, "_ask_save_changes", QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert window.isVisible()
    assert len(asked) == 1
    answer(window, monkeypatch, "_ask_save_changes", QMessageBox.StandardButton.Discard)
    assert window.close()


def test_new_with_unsaved_changes_can_be_cancelled(monkeypatch, window) -> None:
    window.controller.rename("w", "changed")
    before = window.controller.document.snapshot()
    answer(window, monkeypatch, "_ask_save_changes", QMessageBox.StandardButton.Cancel)
    window.menu_actions["new"].trigger()
    assert window.controller.document.snapshot() == before


def test_dropping_a_graph_file_opens_it(tmp_path, monkeypatch, window) -> None:
    path = tmp_path / "dropped.cgraph"
    answer(window, monkeypatch, "_get_save_path", str(path))
    window.controller.rename("w", "dropped_w")
    assert window.save_as()
    window.menu_actions["new"].trigger()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert event.isAccepted()
    assert window.controller.document.node("w").label == "dropped_w"
    assert "dropped.cgraph" in window.windowTitle()


def test_export_menu_writes_an_svg(tmp_path, monkeypatch, window) -> None:
    out = tmp_path / "shown.svg"
    answer(window, monkeypatch, "_get_export_path", str(out))
    select(window, "w")
    assert window.export_dialog()
    assert "5." in out.read_text(encoding="utf-8")
    assert node_item(window, "w").isSelected()  # selection hidden only while drawing


# ---------------------------------------------------------------- view menu
def test_theme_choice_is_applied_and_remembered(window: MainWindow, settings) -> None:
    window.menu_actions["theme_dark"].trigger()
    assert settings.value("ui/theme") == "dark"
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 80
    window.menu_actions["theme_light"].trigger()
    assert settings.value("ui/theme") == "light"
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 180


def test_shortcuts_are_listed(window: MainWindow) -> None:
    rows = dict(window.shortcut_rows())
    assert rows["Redo"] == "Ctrl+Shift+Z, Ctrl+Y"
    assert rows["Duplicate"] == "Ctrl+D"
    assert rows["Fit All"] == "F"
    assert rows["Rename"] == "F2"
    assert rows["Undo"].startswith("Ctrl+Z")


def test_dock_layout_is_remembered(qtbot, settings: QSettings, window: MainWindow) -> None:
    window.history_dock.raise_()
    window.palette_dock.hide()
    assert window.close()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    again.restore_layout()
    again.show()
    qtbot.waitExposed(again)
    assert not again.palette_dock.isVisible()
    assert again.inspector.visibleRegion().isEmpty()


def test_canvas_keys_act_only_on_the_canvas(qtbot, window: MainWindow) -> None:
    document = window.controller.document
    select(window, "b")
    window.palette_dock.tree.setFocus()
    qtbot.keyClick(window.palette_dock.tree, Qt.Key.Key_Backspace)
    assert document.has_node("b")
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert not document.has_node("b")
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.has_node("b")


def drag_and_drop(widget, mime: QMimeData, x: int, y: int) -> QDropEvent:
    """Deliver a drag entering ``widget`` and its drop at (x, y), as a real drag does."""
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(int(x), int(y)), Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(x, y), Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(widget, drop)
    return drop


def test_palette_drag_payload_drops_onto_the_canvas(window: MainWindow) -> None:
    mime = window.palette_dock.tree.mime_for(window.palette_dock.item_for("relu"))
    drag_and_drop(window.view.viewport(), mime, 100, 100)
    added = [n for n in window.controller.document.nodes if n.type == "relu"]
    assert len(added) == 1
    dropped_at = window.view.mapToScene(100, 100)
    assert (added[0].pos[0], added[0].pos[1]) == pytest.approx(
        (dropped_at.x(), dropped_at.y()), abs=40)


def test_dropping_a_file_on_the_canvas_opens_it(tmp_path, monkeypatch, window) -> None:
    path = tmp_path / "on_canvas.cgraph"
    answer(window, monkeypatch, "_get_save_path", str(path))
    assert window.save_as()
    window.menu_actions["new"].trigger()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    assert drag_and_drop(window.view.viewport(), mime, 80, 80).isAccepted()
    assert window.controller.document.has_node("w")
    assert "on_canvas.cgraph" in window.windowTitle()


def test_graph_menu_tidy_and_note_are_undoable(window: MainWindow) -> None:
    document = window.controller.document
    document.move_node("w", (900.0, 700.0))  # out of its column, so Tidy up has work to do
    before = document.snapshot()
    window.menu_actions["tidy"].trigger()
    assert document.snapshot()["nodes"] != before["nodes"]
    window.menu_actions["add_note"].trigger()
    assert len(document.notes) == len(before["notes"]) + 1
    window.menu_actions["undo"].trigger()
    window.menu_actions["undo"].trigger()
    assert document.snapshot() == before


def test_view_menu_zoom_and_snap(window: MainWindow, settings: QSettings) -> None:
    window.menu_actions["zoom_reset"].trigger()
    assert window.view.zoom() == pytest.approx(1.0)
    window.menu_actions["zoom_in"].trigger()
    assert window.view.zoom() > 1.0
    window.menu_actions["zoom_out"].trigger()
    assert window.view.zoom() == pytest.approx(1.0)
    snap = window.menu_actions["snap"]
    assert snap.isChecked() and window.scene.snap_to_grid
    snap.trigger()
    assert not window.scene.snap_to_grid
    assert settings.value("view/snap_to_grid", type=bool) is False


def test_shortcuts_dialog_lists_the_actions(monkeypatch, window: MainWindow) -> None:
    shown = []
    monkeypatch.setattr(QDialog, "exec", lambda dialog: shown.append(dialog) or 0)
    window.menu_actions["shortcuts"].trigger()
    table = shown[0].findChild(QTableWidget)
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows == dict(window.shortcut_rows())
    assert rows["Tidy Up"] == "Ctrl+L"


def test_status_bar_counts_errors(qtbot, window: MainWindow) -> None:
    messages = []
    window.controller.message.connect(messages.append)
    window.controller.connect("x", "one", 0)  # a scalar has no inputs: refused
    assert messages == ["1 is a scalar node and has no inputs"]
    assert window.statusBar().currentMessage() == messages[0]
    window.controller.set_field("x", "value", [1.0, 2.0, 3.0])  # (x + w) now has shape [3]
    window.controller.set_field("w", "value", [1.0, 2.0])  # [3] + [2] cannot broadcast
    settle(qtbot, window)
    errors = sum(1 for r in window.controller.result.nodes.values() if r.error)
    assert errors >= 1
    expected = "1 error" if errors == 1 else f"{errors} errors"
    assert window.eval_label.text().endswith(expected)


def test_a_second_window_does_not_rebuild_the_style_of_the_first(qtbot, tmp_path,
                                                                  window: MainWindow) -> None:
    """The Fusion style is set once: setting it again re-polishes every widget of every window
    (and the style sheet's proxy style made the check for it always fail)."""
    from PySide6.QtCore import QEvent, QObject

    class StyleChanges(QObject):
        count = 0

        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.StyleChange:
                StyleChanges.count += 1
            return False

    spy = StyleChanges()
    window.view.installEventFilter(spy)
    style = QApplication.style()
    second = open_window(qtbot, tmp_path / "second")
    assert second.isVisible()
    assert StyleChanges.count == 0
    assert QApplication.style() is style
