"""The Code dock and File > Import Code / Export Code, Edit > Paste Code (app/ui/code_view.py).

Driven through the real main window: the dock's text, the canvas cards, the window title, and
the dialogs replaced by canned answers the way tests/test_window.py does.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF, QGuiApplication
from PySide6.QtWidgets import QMessageBox
from windows import open_window

from app.codeio import export_code
from app.fileio import dumps_document
from app.ui import code_view
from app.ui.code_view import CODE_POINT_SIZE
from app.ui.mainwindow import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"
LISTING_1 = EXAMPLES / "lesson_listing1.py"
LISTING_2 = EXAMPLES / "lesson_listing2.py"
UNSAFE = "import torch\nimport os\nos.system('rm -rf /')\n"


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    return open_window(qtbot, tmp_path)


def settle(qtbot, window: MainWindow) -> None:
    """Wait for the re-evaluation and the code refresh that follow an edit."""
    qtbot.waitUntil(lambda: not window.controller.evaluation_pending
                    and not window.code_dock._timer.isActive(), timeout=3000)


def answer(window: MainWindow, monkeypatch, target, name: str, value) -> list:
    """Replace the dialog method ``name`` of ``target`` by a canned answer; returns the calls."""
    calls: list = []

    def fake(*args):
        calls.append(args)
        return value

    monkeypatch.setattr(target, name, fake)
    return calls


def node_ids(window: MainWindow) -> list[str]:
    return [node.id for node in window.controller.document.nodes]


# ------------------------------------------------------------------ the dock
def test_code_dock_shows_the_lesson_as_code(window: MainWindow) -> None:
    dock = window.code_dock
    assert dock.objectName() == "codeDock"
    assert dock.windowTitle() == "Code"
    code = dock.code()
    assert code == export_code(window.controller.document)
    for line in ("import torch", "w = torch.tensor([1.], requires_grad=True)",
                 "a = torch.add(w, x)", "b = torch.add(w, 1)", "y = torch.mul(a, b)",
                 "y.backward()"):
        assert line in code.splitlines()
    assert not dock.editor.isReadOnly()  # an editor: the graph follows what is typed
    # monospaced as the reader sees it (Qt's fixedPitch flag is False for some monospace
    # fonts, Noto Sans Mono among them)
    metrics = QFontMetricsF(dock.editor.font())
    assert metrics.horizontalAdvance("i" * 10) == metrics.horizontalAdvance("m" * 10)
    assert dock.editor.font().pointSize() == CODE_POINT_SIZE >= 14


def test_code_dock_is_a_tab_beside_the_inspector(window: MainWindow) -> None:
    assert window.dockWidgetArea(window.code_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.code_dock in window.tabifiedDockWidgets(window.inspector)
    # the inspector stays the front tab; the code waits behind it
    assert not window.inspector.visibleRegion().isEmpty()
    assert window.code_dock.visibleRegion().isEmpty()


def test_view_menu_toggles_the_code_dock(qtbot, window: MainWindow) -> None:
    toggle = window.code_dock.toggleViewAction()
    view_menu = window.menu("view")
    entries = view_menu.actions()
    assert entries.index(toggle) == entries.index(window.history_dock.toggleViewAction()) + 1
    assert toggle.text() == "Code"
    toggle.trigger()
    assert not window.code_dock.isVisible()
    toggle.trigger()
    assert window.code_dock.isVisible()


def test_code_follows_a_rename(qtbot, window: MainWindow) -> None:
    window.controller.rename("y", "z")
    settle(qtbot, window)
    lines = window.code_dock.code().splitlines()
    assert "z = torch.mul(a, b)" in lines
    assert "z.backward()" in lines
    assert "y = torch.mul(a, b)" not in lines
    window.controller.undo_stack.undo()
    settle(qtbot, window)
    assert "y = torch.mul(a, b)" in window.code_dock.code().splitlines()


def test_code_follows_a_value_edit_and_a_new_document(qtbot, window: MainWindow) -> None:
    window.controller.set_field("w", "value", [3.0])
    settle(qtbot, window)
    assert "w = torch.tensor([3.], requires_grad=True)" in window.code_dock.code().splitlines()
    window.new_document()
    settle(qtbot, window)
    assert "torch.mul" not in window.code_dock.code()
    assert "# no output node is chosen, so nothing calls backward()" in window.code_dock.code()


def test_copy_button_puts_the_code_on_the_clipboard(qtbot, window: MainWindow) -> None:
    QGuiApplication.clipboard().setText("something else")
    qtbot.mouseClick(window.code_dock.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == export_code(window.controller.document)
    assert window.statusBar().currentMessage() == "Code copied to the clipboard"


def test_highlighter_colours_keywords_numbers_strings_comments(window: MainWindow) -> None:
    highlighter = window.code_dock.highlighter

    def coloured(line: str) -> list[tuple[str, str]]:
        return [(kind, line[start:start + length])
                for start, length, kind in highlighter.token_kinds(line)]

    assert coloured("w = torch.tensor([1.], requires_grad=True)  # w") == [
        ("keyword", "True"), ("number", "1."), ("comment", "# w")]
    assert coloured('print("x.grad =", x.grad)') == [("string", '"x.grad ="')]
    assert coloured("x2 = torch.add(x1, 2.5e-3)") == [("number", "2.5e-3")]


def test_highlighter_follows_the_theme(qtbot, window: MainWindow) -> None:
    highlighter = window.code_dock.highlighter
    window.apply_theme("dark")
    qtbot.waitUntil(lambda: highlighter.dark, timeout=3000)
    window.apply_theme("light")
    qtbot.waitUntil(lambda: not highlighter.dark, timeout=3000)


# ------------------------------------------------------------ work it does
def test_a_hidden_code_dock_does_no_work_and_catches_up_when_shown(
        qtbot, window: MainWindow, monkeypatch) -> None:
    """Behind the inspector's tab, an edit writes no script; raising the tab shows the code."""
    calls: list[str] = []
    monkeypatch.setattr(code_view, "export_code",
                        lambda doc, *hidden: calls.append("export") or export_code(doc, *hidden))
    dock = window.code_dock
    assert not dock.showing()
    before = dock.editor.toPlainText()
    for value in ([2.0], [3.0], [4.0]):
        window.controller.set_field("w", "value", value)
        settle(qtbot, window)
    qtbot.wait(3 * code_view.REFRESH_DELAY_MS)
    assert calls == []
    assert dock.editor.toPlainText() == before and dock.stale

    dock.raise_()
    qtbot.waitUntil(lambda: not dock.stale, timeout=3000)
    assert calls == ["export"]
    assert "w = torch.tensor([4.], requires_grad=True)" in dock.editor.toPlainText().splitlines()


def test_a_shown_code_dock_writes_the_script_in_a_worker_and_replaces_only_changed_lines(
        qtbot, window: MainWindow, monkeypatch) -> None:
    dock = window.code_dock
    dock.raise_()
    qtbot.waitUntil(lambda: dock.showing() and not dock.stale, timeout=3000)
    threads: list[str] = []
    monkeypatch.setattr(code_view, "export_code", lambda doc, *hidden: threads.append(
        threading.current_thread().name) or export_code(doc, *hidden))
    highlighted: list[str] = []
    highlight = dock.highlighter.highlightBlock
    monkeypatch.setattr(dock.highlighter, "highlightBlock",
                        lambda text: highlighted.append(text) or highlight(text))
    window.controller.set_field("w", "value", [3.0])
    qtbot.waitUntil(lambda: not dock.stale, timeout=3000)
    assert threads and threading.main_thread().name not in threads
    assert dock.editor.toPlainText() == export_code(window.controller.document)
    # the changed line, and the line after it (Qt's highlighter looks one block further)
    assert highlighted[0] == "w = torch.tensor([3.], requires_grad=True)"
    assert len(highlighted) <= 2


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["", "a\n", "b\n", "\n", "w = 1\n", "😀 é\n", "c"]),
                max_size=8),
       st.lists(st.sampled_from(["", "a\n", "b\n", "\n", "w = 2\n", "😀 é\n", "d"]),
                max_size=8))
def test_replacing_the_changed_lines_gives_the_new_text(window: MainWindow, old: list[str],
                                                        new: list[str]) -> None:
    dock = window.code_dock
    dock._show_code("".join(old), dock._version)
    dock._show_code("".join(new), dock._version)
    assert dock.editor.toPlainText() == "".join(new)


# -------------------------------------------------------------- import code
def test_import_code_of_listing_2_shows_a_grad_on_the_canvas(qtbot, monkeypatch,
                                                              window: MainWindow) -> None:
    answer(window, monkeypatch, window.code_actions, "_get_import_path", str(LISTING_2))
    window.menu_actions["import_code"].trigger()
    settle(qtbot, window)
    assert node_ids(window) == ["w", "x", "a", "c1", "b", "y"]
    assert window.scene.nodes["a"].grad_text() == "grad [2.]"
    assert window.scene.nodes["w"].grad_text() == "grad [5.]"
    assert window.scene.nodes["b"].grad_text() == "grad None"
    assert window.controller.document.node("a").retain_grad
    # a document made from code is untitled and not saved anywhere yet
    assert window.path is None
    assert window.windowTitle() == "Untitled[*] — CG Studio"
    assert window.isWindowModified()
    assert window.statusBar().currentMessage() == "Imported the code of lesson_listing2.py"
    assert "a.retain_grad()" in window.code_dock.code().splitlines()


def test_import_code_refusal_names_the_line_and_keeps_the_document(
        qtbot, monkeypatch, tmp_path: Path, window: MainWindow) -> None:
    script = tmp_path / "unsafe.py"
    script.write_text(UNSAFE, encoding="utf-8")
    before = dumps_document(window.controller.document)
    title = window.windowTitle()
    errors = answer(window, monkeypatch, window.code_actions, "_show_import_error", None)
    answer(window, monkeypatch, window.code_actions, "_get_import_path", str(script))
    assert window.code_actions.import_dialog() is False
    assert len(errors) == 1
    message = errors[0][0]
    assert message.startswith("Cannot import the code of unsafe.py:\nline 2: ")
    assert dumps_document(window.controller.document) == before
    assert window.windowTitle() == title and not window.isWindowModified()


def test_import_code_of_a_file_that_is_not_utf8(monkeypatch, tmp_path: Path,
                                                window: MainWindow) -> None:
    script = tmp_path / "latin.py"
    script.write_bytes(b"w = 'caf\xe9'\n")
    errors = answer(window, monkeypatch, window.code_actions, "_show_import_error", None)
    answer(window, monkeypatch, window.code_actions, "_get_import_path", str(script))
    assert window.code_actions.import_dialog() is False
    assert errors[0][0].startswith("Cannot read latin.py:\n")
    assert "w" in node_ids(window) and "y" in node_ids(window)


def test_import_code_cancelled_changes_nothing(monkeypatch, window: MainWindow) -> None:
    before = dumps_document(window.controller.document)
    answer(window, monkeypatch, window.code_actions, "_get_import_path", "")
    assert window.code_actions.import_dialog() is False
    assert dumps_document(window.controller.document) == before


def test_import_code_asks_before_dropping_unsaved_changes(monkeypatch, tmp_path: Path,
                                                          window: MainWindow) -> None:
    window.controller.rename("y", "z")
    asked = answer(window, monkeypatch, window, "_ask_save_changes",
                   QMessageBox.StandardButton.Cancel)
    paths = answer(window, monkeypatch, window.code_actions, "_get_import_path", str(LISTING_1))
    assert window.code_actions.import_dialog() is False
    assert len(asked) == 1 and paths == []
    assert window.controller.document.node("y").label == "z"


# --------------------------------------------------------------- paste code
def test_paste_code_adds_the_clipboard_code_to_the_graph_as_one_step(qtbot,
                                                                     window: MainWindow) -> None:
    QGuiApplication.clipboard().setText("import torch\nv = torch.tensor([4.], requires_grad=True)"
                                        "\nu = torch.exp(v)\n")
    action = window.menu_actions["paste_code"]
    assert action.shortcut().toString() == "Ctrl+Shift+V"
    before = node_ids(window)
    steps = window.controller.undo_stack.count()
    action.trigger()
    settle(qtbot, window)
    # added beside the lesson, not in its place: no question about unsaved changes either
    assert node_ids(window) == [*before, "v", "u"]
    assert window.controller.undo_stack.count() == steps + 1
    assert window.scene.nodes["u"].value_text() == "value [54.5981]"
    assert set(window.scene.selected_ids()[0]) == {"v", "u"}
    assert window.statusBar().currentMessage() == "Pasted the code of the clipboard: nodes 2"
    window.controller.undo_stack.undo()
    assert node_ids(window) == before


def test_paste_code_again_takes_fresh_names(qtbot, window: MainWindow) -> None:
    QGuiApplication.clipboard().setText(LISTING_1.read_text(encoding="utf-8"))
    window.code_actions.paste_code()
    settle(qtbot, window)
    labels = [node.label for node in window.controller.document.nodes]
    assert labels.count("w") == 1 and "w_2" in labels and "y_2" in labels
    # the lesson keeps its output; the pasted graph is a second one beside it
    assert window.controller.document.output == "y"


def test_paste_code_refusal_keeps_the_document(monkeypatch, window: MainWindow) -> None:
    before = dumps_document(window.controller.document)
    QGuiApplication.clipboard().setText(UNSAFE)
    errors = answer(window, monkeypatch, window.code_actions, "_show_import_error", None)
    window.menu_actions["paste_code"].trigger()
    assert [e[0].split("\n")[1][:7] for e in errors] == ["line 2:"]
    assert errors[0][0].startswith("Cannot import the code of the clipboard:")
    assert dumps_document(window.controller.document) == before


def test_paste_code_with_an_empty_clipboard_says_so(monkeypatch, window: MainWindow) -> None:
    QGuiApplication.clipboard().setText("   \n")
    errors = answer(window, monkeypatch, window.code_actions, "_show_import_error", None)
    assert window.code_actions.paste_code() is False
    assert errors == []
    assert window.statusBar().currentMessage() == "The clipboard holds no code to paste"


# --------------------------------------------------------------- export code
def test_export_code_writes_the_script(monkeypatch, tmp_path: Path, window: MainWindow) -> None:
    target = tmp_path / "lesson_code"
    calls = answer(window, monkeypatch, window.code_actions, "_get_export_code_path",
                   str(target))
    window.menu_actions["export_code"].trigger()
    assert len(calls) == 1
    written = (tmp_path / "lesson_code.py").read_text(encoding="utf-8")
    assert written == export_code(window.controller.document)
    assert "y = torch.mul(a, b)\n" in written
    assert window.statusBar().currentMessage() == "Exported lesson_code.py"
    assert not window.isWindowModified()  # exporting is not saving: the document is untouched


def test_export_code_to_an_unwritable_place_reports_it(monkeypatch, tmp_path: Path,
                                                        window: MainWindow) -> None:
    errors = answer(window, monkeypatch, window, "show_error", None)
    answer(window, monkeypatch, window.code_actions, "_get_export_code_path",
           str(tmp_path / "missing" / "out.py"))
    assert window.code_actions.export_dialog() is False
    assert errors[0][0].startswith("Cannot export out.py:\n")


def test_file_and_edit_menus_list_the_code_actions(window: MainWindow) -> None:
    bar = {a.text(): a.menu() for a in window.menuBar().actions()}
    file_texts = [a.text() for a in bar["&File"].actions()]
    export = file_texts.index("&Export Image…")
    assert file_texts[export + 1:export + 3] == ["&Import Code…", "Export &Code…"]
    edit_texts = [a.text() for a in bar["&Edit"].actions()]
    assert edit_texts[edit_texts.index("&Paste") + 1] == "Paste Co&de"
    assert ("Paste Code", "Ctrl+Shift+V") in window.shortcut_rows()
