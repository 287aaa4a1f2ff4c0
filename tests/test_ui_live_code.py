"""Typing PyTorch into the Code dock: the graph follows (app/ui/code_view.py, code_editor.py).

Driven by key presses (QTest.keyClicks) into the real main window's Code dock, the way a teacher
types the lesson's listing in class; what is checked is what the class sees: the cards on the
canvas, the underline under a line that cannot be imported, the console under the editor.
"""

from __future__ import annotations

import random
import re
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QHelpEvent, QKeyEvent, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip, QWidget
from test_cli_print import under_torch, without_addresses
from windows import open_window

from app.codeio import export_code, import_code
from app.fileio import load_document
from app.ui import code_view
from app.ui.code_view import CodeDock
from app.ui.mainwindow import MainWindow

# the offscreen platform cannot size or raise windows (a tooltip is one)
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints",
                                        "This plugin does not support raise")

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"
LISTING_1 = EXAMPLES / "lesson_listing1.py"


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    """A window on a new, empty document, its Code dock raised and emptied by key presses."""
    win = open_window(qtbot, tmp_path)
    win.new_document()
    dock = win.code_dock
    dock.raise_()
    qtbot.waitUntil(lambda: dock.showing() and dock.in_sync, timeout=3000)
    dock.editor.setFocus()
    QTest.keyClick(dock.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(dock.editor, Qt.Key.Key_Delete)
    wait_for_graph(qtbot, win)
    assert dock.editor.toPlainText() == ""
    return win


def wait_for_graph(qtbot, window: MainWindow) -> None:
    """Wait for the pause in typing to be read, the graph to follow and its numbers to come."""
    dock = window.code_dock
    qtbot.waitUntil(lambda: dock.in_sync and not window.controller.evaluation_pending,
                    timeout=5000)


def type_text(editor: QWidget, text: str) -> None:
    """Key presses for ``text``: QTest's for ASCII, and for other characters (the lesson's
    Chinese comments) the key event an input method sends, holding the character."""
    for run in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]", text):
        if run.isascii():
            QTest.keyClicks(editor, run)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(editor, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                     run))


def type_line(qtbot, window: MainWindow, line: str) -> None:
    """Type ``line`` and Return, then pause."""
    editor = window.code_dock.editor
    type_text(editor, line)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    wait_for_graph(qtbot, window)


def node_of(window: MainWindow, label: str) -> str:
    return next(node.id for node in window.controller.document.nodes if node.label == label)


def labels(window: MainWindow) -> list[str]:
    return [node.label for node in window.controller.document.nodes]


def lesson_output(listing: Path) -> str:
    """The output the lesson prints under a listing (its closing ''' block)."""
    block = re.search(r"'''\n(.*?)'''\s*$", listing.read_text(encoding="utf-8"), re.S)
    assert block is not None
    return block.group(1)


def printed(dock: CodeDock) -> str:
    return "".join(entry.text for entry in dock.console.entries if entry.kind == "out")


# ------------------------------------------------------------- the lesson, typed
def test_typing_the_lessons_first_listing_builds_its_graph_line_by_line(
        qtbot, window: MainWindow) -> None:
    dock = window.code_dock
    lines = LISTING_1.read_text(encoding="utf-8").splitlines()
    seen: dict[str, list[str]] = {}
    for line in lines:
        type_line(qtbot, window, line)
        seen[line] = labels(window)
    assert dock.editor.toPlainText() == "\n".join(lines) + "\n"
    # the graph grew as the lines came
    assert seen["w = torch.tensor([1.], requires_grad=True)"] == ["w"]
    assert seen["a = torch.add(w, x)"] == ["w", "x", "a"]
    assert set(seen["y = torch.mul(a, b)"]) >= {"w", "x", "a", "b", "y"}
    # the lesson's numbers on the canvas, as the class sees them
    assert window.scene.nodes[node_of(window, "w")].grad_text() == "grad [5.]"
    assert window.scene.nodes[node_of(window, "x")].grad_text() == "grad [2.]"
    assert window.controller.document.output == node_of(window, "y")
    # and the console prints what the lesson says the listing prints
    assert printed(dock) == lesson_output(LISTING_1)
    console = dock.console.toPlainText()
    assert console.startswith("tensor([5.])\nis_leaf:\n True True False False False\n")
    assert "line 16: UserWarning: The .grad attribute of a Tensor that is not a leaf" in console
    assert dock.editor.underlined() is None and not dock.status.isVisibleTo(dock)


def test_an_edited_line_keeps_its_node_place_and_selection(qtbot, window: MainWindow) -> None:
    for line in LISTING_1.read_text(encoding="utf-8").splitlines()[:9]:
        type_line(qtbot, window, line)
    w = node_of(window, "w")
    window.controller.move({w: (window.controller.document.node(w).pos, (321.0, 123.0))})
    window.scene.select_ids([w])
    wait_for_graph(qtbot, window)
    editor = window.code_dock.editor
    # select "1." of w's value on line 2 and type "3."
    block = editor.document().findBlockByNumber(1)
    cursor = editor.textCursor()
    start = block.position() + block.text().index("[1.]") + 1
    cursor.setPosition(start)
    cursor.setPosition(start + 2, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    QTest.keyClicks(editor, "3.")
    wait_for_graph(qtbot, window)
    assert node_of(window, "w") == w  # the same node, edited
    assert window.controller.document.node(w).pos == (321.0, 123.0)
    assert window.scene.selected_ids()[0] == [w]
    # d(y)/dw = b + a = (w + 1) + (w + x) = 2w + x + 1 = 9
    assert window.scene.nodes[w].grad_text() == "grad [9.]"


# ------------------------------------------------------ a line that cannot import
def test_a_line_that_cannot_be_imported_is_underlined_and_the_graph_stays(
        qtbot, window: MainWindow) -> None:
    for line in ("import torch", "w = torch.tensor([1.], requires_grad=True)",
                 "x = torch.tensor([2.], requires_grad=True)"):
        type_line(qtbot, window, line)
    dock = window.code_dock
    before = labels(window)
    type_line(qtbot, window, "a = torch.add(w, q)")
    # underlined from the first character to the last of line 4, the importer's words its tip
    block = dock.editor.document().findBlockByNumber(3)
    assert dock.editor.underlined() == (block.position(), block.position() + len(block.text()))
    assert dock.editor.error_line == 4 and "q" in dock.editor.error_message
    # hovering the line shows the importer's message
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + 2)
    at = dock.editor.cursorRect(cursor).center()
    viewport = dock.editor.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, at,
                                                 viewport.mapToGlobal(at)))
    assert QToolTip.text() == dock.editor.error_message
    QToolTip.hideText()
    assert dock.status.isVisibleTo(dock) and "line 4" in dock.status.text()
    assert labels(window) == before  # the graph as the code last imported
    assert dock.editor.toPlainText().endswith("a = torch.add(w, q)\n")  # nothing lost
    # mending the line: the underline goes and the node comes
    QTest.keyClick(dock.editor, Qt.Key.Key_Up)
    QTest.keyClick(dock.editor, Qt.Key.Key_End)
    QTest.keyClick(dock.editor, Qt.Key.Key_Backspace)
    QTest.keyClick(dock.editor, Qt.Key.Key_Backspace)
    QTest.keyClicks(dock.editor, "x)")
    wait_for_graph(qtbot, window)
    assert dock.editor.underlined() is None and not dock.status.isVisibleTo(dock)
    assert labels(window) == [*before, "a"]


def test_hostile_code_typed_is_refused_with_its_line_and_never_run(
        qtbot, window: MainWindow, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    type_line(qtbot, window, "import torch")
    type_line(qtbot, window, "import os")
    type_line(qtbot, window, f"os.system('touch {marker}')")
    dock = window.code_dock
    assert dock.editor.error_line == 2
    assert not marker.exists() and len(window.controller.document) == 0


# ------------------------------------------------------------------ undo
def test_ctrl_z_in_the_editor_takes_back_the_text_and_the_graph_together(
        qtbot, window: MainWindow) -> None:
    for line in ("import torch", "w = torch.tensor([1.], requires_grad=True)"):
        type_line(qtbot, window, line)
    dock = window.code_dock
    text, graph = dock.editor.toPlainText(), labels(window)
    QTest.keyClicks(dock.editor, "v = torch.exp(w)")  # no pause: Ctrl+Z makes it a step first
    QTest.keyClick(dock.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_for_graph(qtbot, window)
    assert dock.editor.toPlainText() == text and labels(window) == graph
    QTest.keyClick(dock.editor, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_for_graph(qtbot, window)
    assert dock.editor.toPlainText() == text + "v = torch.exp(w)"
    assert labels(window) == [*graph, "v"]


# ------------------------------------------------------------------ editing keys
def test_editing_keys_indent_comment_and_number_the_lines(qtbot, window: MainWindow) -> None:
    editor = window.code_dock.editor
    QTest.keyClicks(editor, "import torch")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QTest.keyClicks(editor, "for i in range(2):")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QTest.keyClicks(editor, "pass")
    assert editor.toPlainText() == "import torch\nfor i in range(2):\n    pass"
    QTest.keyClick(editor, Qt.Key.Key_Backtab)
    assert editor.toPlainText().endswith("\npass") and editor.textCursor().positionInBlock() == 4
    QTest.keyClick(editor, Qt.Key.Key_Home)
    QTest.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText().endswith("\n    pass")
    QTest.keyClick(editor, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText().endswith("\n    # pass")
    QTest.keyClick(editor, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText().endswith("\n    pass")
    assert editor.blockCount() == 3 and editor.gutter.width() >= editor.gutter_width()
    wait_for_graph(qtbot, window)


# ------------------------------------------------------------------ fuzz
MARKER = "cgstudio-fuzz-ran"
SNIPPET = LISTING_1.read_text(encoding="utf-8")
PIECES = ["import torch\n", "import os\n", f"os.system('touch {MARKER}')\n",
          f"__import__('os').system('touch {MARKER}')\n", f"open('{MARKER}', 'w')\n",
          f"exec(\"open('{MARKER}', 'w')\")\n", f"eval(\"open('{MARKER}', 'w')\")\n",
          "w = torch.tensor([1.], requires_grad=True)\n", "y = (w * 2).sum()\n",
          "y.backward()\n", "print(w.grad)\n", "w.grad.zero_()\n", "'\'\'\n", "def f(:\n",
          "x = w @ w\n", "getattr(torch, 'add')(w, w)\n", "print(f'{w.grad}')\n", "(", "\n",
          "g = torch.autograd.grad(y, [w])\n", "print(g, g[0])\n", "z = torch.mul(g, 2)\n"]


def mutated(seed: int) -> str:
    """The lesson's listing with a few characters deleted, doubled, swapped or put in."""
    rng = random.Random(seed)
    text = list(SNIPPET)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(text))
        how = rng.choice(("drop", "double", "swap", "insert"))
        if how == "drop":
            del text[at]
        elif how == "double":
            text.insert(at, text[at])
        elif how == "swap" and at + 1 < len(text):
            text[at], text[at + 1] = text[at + 1], text[at]
        else:
            text.insert(at, rng.choice("()[]:.,=+*'\"#\\ \nxy0"))
    return "".join(text)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
                 st.integers(0, 10_000).map(mutated)))
def test_typing_random_and_mutated_snippets_never_crashes_or_runs_them(
        qtbot, window: MainWindow, monkeypatch, tmp_path: Path, snippet: str) -> None:
    monkeypatch.chdir(tmp_path)  # where a snippet that ran would leave its marker
    dock = window.code_dock
    dock.editor.selectAll()
    for line in snippet.split("\n"):
        type_text(dock.editor, line)
        QTest.keyClick(dock.editor, Qt.Key.Key_Return)
        QTest.keyClick(dock.editor, Qt.Key.Key_Home)  # no indent carried over
        wait_for_graph(qtbot, window)
    assert not (tmp_path / MARKER).exists()
    # what was typed is all there, and the graph is the last reading that imported
    state = window.controller.code.state
    assert state is not None and state.text == dock.editor.toPlainText()
    assert (dock.editor.error_line is None) == (state.error is None)


# ------------------------------------------------------------- graph edits after typing
def test_a_graph_edit_rewrites_only_its_line_of_the_typed_code(qtbot, window: MainWindow) -> None:
    lines = LISTING_1.read_text(encoding="utf-8").splitlines()
    for line in lines:
        type_line(qtbot, window, line)
    dock = window.code_dock
    window.controller.set_field(node_of(window, "w"), "value", [3.0])
    qtbot.waitUntil(lambda: dock.in_sync and not window.controller.evaluation_pending,
                    timeout=5000)
    expected = list(lines)
    expected[1] = "w = torch.tensor([3.], requires_grad=True)"
    # the comments in Chinese, the blank lines and the lesson's output block all kept
    assert dock.editor.toPlainText().splitlines() == expected
    assert printed(dock).startswith("tensor([9.])\n")
    window.controller.undo_stack.undo()
    qtbot.waitUntil(lambda: dock.in_sync and dock.editor.toPlainText().splitlines() == lines,
                    timeout=5000)


def test_a_hidden_dock_with_typed_code_does_no_work_until_shown(
        qtbot, window: MainWindow, monkeypatch) -> None:
    for line in ("import torch", "w = torch.tensor([1.], requires_grad=True)",
                 "# the weight", "v = torch.exp(w)"):
        type_line(qtbot, window, line)
    dock = window.code_dock
    calls: list[str] = []
    merge = code_view.merge_code
    monkeypatch.setattr(code_view, "merge_code",
                        lambda *args: calls.append("merge") or merge(*args))
    window.inspector.raise_()
    qtbot.waitUntil(lambda: not dock.showing(), timeout=3000)
    for value in ([2.0], [3.0]):
        window.controller.set_field(node_of(window, "w"), "value", value)
        qtbot.waitUntil(lambda: not window.controller.evaluation_pending, timeout=3000)
    qtbot.wait(3 * code_view.REFRESH_DELAY_MS)
    assert calls == [] and dock.stale
    dock.raise_()
    qtbot.waitUntil(lambda: dock.in_sync, timeout=3000)
    assert calls == ["merge"]
    assert dock.editor.toPlainText().splitlines() == [
        "import torch", "w = torch.tensor([3.], requires_grad=True)", "# the weight",
        "v = torch.exp(w)"]


def test_after_a_slow_reading_the_code_is_read_in_the_worker_thread(
        qtbot, window: MainWindow, monkeypatch) -> None:
    dock = window.code_dock
    threads: list[str] = []
    parse = code_view.parse_live
    monkeypatch.setattr(code_view, "parse_live", lambda text: threads.append(
        threading.current_thread().name) or parse(text))
    type_line(qtbot, window, "import torch")
    assert threads == [threading.main_thread().name]  # quick: read at once
    dock._read_seconds = 1.0  # as if that reading had taken a second
    type_line(qtbot, window, "w = torch.tensor([1.], requires_grad=True)")
    assert threads[1].startswith("cgstudio-code")
    assert labels(window) == ["w"]


def test_paste_code_adds_to_the_typed_code_too(qtbot, window: MainWindow) -> None:
    for line in ("import torch", "# my leaf", "w = torch.tensor([1.], requires_grad=True)"):
        type_line(qtbot, window, line)
    QGuiApplication.clipboard().setText("import torch\nv = torch.tensor([4.], requires_grad=True)"
                                        "\nu = torch.exp(v)\n")
    window.code_actions.paste_code()
    dock = window.code_dock
    qtbot.waitUntil(lambda: dock.in_sync and not window.controller.evaluation_pending,
                    timeout=5000)
    assert labels(window) == ["w", "v", "u"]
    lines = dock.editor.toPlainText().splitlines()
    assert lines[:3] == ["import torch", "# my leaf", "w = torch.tensor([1.], requires_grad=True)"]
    assert "u = torch.exp(v)" in lines


def test_the_console_shows_autograd_grad_and_a_graph_edit_keeps_its_line(
        qtbot, window: MainWindow) -> None:
    lines = ["import torch", "w = torch.tensor([1.], requires_grad=True)",
             "x = torch.tensor([2.], requires_grad=True)", "y = torch.mul(w, x)",
             "g = torch.autograd.grad(y, [w, x])", "print(g)"]
    for line in lines:
        type_line(qtbot, window, line)
    dock = window.code_dock
    assert printed(dock) == "(tensor([2.]), tensor([1.]))\n"
    window.controller.set_field(node_of(window, "x"), "value", [7.0])
    qtbot.waitUntil(lambda: dock.in_sync and not window.controller.evaluation_pending,
                    timeout=5000)
    assert dock.editor.toPlainText().splitlines()[4:] == lines[4:]
    assert printed(dock) == "(tensor([7.]), tensor([1.]))\n"


@pytest.mark.parametrize("graph", sorted(EXAMPLES.glob("*.cgraph")), ids=lambda p: p.stem)
def test_an_examples_exported_script_put_in_the_editor_builds_its_graph_and_prints_as_torch(
        torch_oracle, qtbot, window: MainWindow, graph: Path, tmp_path: Path) -> None:
    script = tmp_path / (graph.stem + ".py")
    text = export_code(load_document(graph))
    script.write_text(text, encoding="utf-8")
    dock = window.code_dock
    dock.editor.insertPlainText(text)
    dock.commit(wait=True)
    wait_for_graph(qtbot, window)
    assert dock.controller.code.state.error is None
    assert sorted(labels(window)) == sorted(node.label for node in import_code(text).nodes)
    theirs = under_torch(script)
    assert [e for e in dock.console.entries if e.kind == "unsupported"] == []
    errors = [e.text for e in dock.console.entries if e.kind == "error"]
    assert len(errors) == (theirs.returncode != 0)  # course_in_place: torch's error on backward
    assert all(error in theirs.stderr for error in errors)
    assert without_addresses(printed(dock)) == without_addresses(theirs.stdout)
