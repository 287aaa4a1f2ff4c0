"""The Code dock and the code file actions: the graph as PyTorch code to edit, and its prints.

``CodeDock`` shows the document as PyTorch code in an editor (app/ui/code_editor.py: colours,
line numbers, the usual keys) in a large monospace font, with a console under it
(app/ui/code_console.py) showing what the code's ``print(...)`` calls would print under torch,
and a Copy button. Code and graph are two views of one lesson:

- **The graph as code.** Until the user types, the dock shows the exporter's script of the
  document, refreshed after every edit. It works only while it can be seen: behind another tab
  or closed, it just notes that its text is out of date, and catches up when it is shown (or
  asked for its ``code()``). The script is written in a worker thread from a copy of the
  document (a 5,000-node script takes longer than a frame), and only the lines that changed are
  replaced, so the highlighter colours only those.
- **Code as the graph.** After a pause in typing (``TYPING_PAUSE_MS``) the text is read, never
  run (app/codeio/live.py), and the controller applies the edit as one undo step holding the
  text and the graph (app/codeio/live_plan.py): lines that did not change keep their nodes, new
  lines add nodes placed by the layered layout, deleted lines remove theirs. A line that cannot
  be imported is underlined with the importer's message (tooltip and the status line under the
  editor); the graph stays as the code last imported, and the text stays as typed. The reading
  runs in the worker thread once a reading has taken longer than ``READ_BUDGET_S``.
- **Graph edits after typing** rewrite only the changed lines of the user's code
  (app/codeio/live_merge.py, in the worker thread), keeping names, comments and order.
- **The console** follows each evaluation (app/codeio/console.py); numbers the class is
  predicting stay hidden there too.

Ctrl+Z in the editor commits what was typed and undoes one step of the window's history, so the
text and the graph go back together.

``CodeActions`` adds File > Import Code..., File > Export Code... and Edit > Paste Code: an
imported file replaces the document the way File > Open does (as an untitled, modified
document), pasted code is added to the current graph at the mouse cursor as one undo step; a
refusal of the importer is shown with its line and the document stays. ``install(window)`` puts
both into a main window. Every dialog goes through a small method (``_get_import_path``,
``_show_import_error``, ...) so tests can replace it with a canned answer, as the window does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCursor, QFontDatabase, QGuiApplication, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import clipboard
from app.codeio import CodeImportError, export_code, import_code, variable_names
from app.codeio.console import autograd_grads, console_entries
from app.codeio.live import CodeState, LiveParse, bind_by_names, parse_live
from app.codeio.live_merge import merge_code
from app.codeio.live_plan import GraphEdit, place_new_nodes, plan_code_edit
from app.controller import DocumentController
from app.model import GraphDocument
from app.model.layout import CardSize, PillWidth
from app.runtime import gui_first
from app.ui.code_console import ConsoleView
from app.ui.code_editor import CodeEditor, PythonHighlighter

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow

CODE_SUFFIX = ".py"
#: Point size of the code: it is read from the back of a classroom, on a projector.
CODE_POINT_SIZE = 14
#: Edits come in bursts (a drag of the value spin box, a macro); the code follows once per burst.
REFRESH_DELAY_MS = 60
#: How often the GUI thread looks for work done in the worker thread.
POLL_MS = 20
#: A pause in typing this long reads the code and updates the graph.
TYPING_PAUSE_MS = 250
#: A reading of the code that took longer than this moves the next ones to the worker thread.
READ_BUDGET_S = 0.012
#: Above this many nodes the exporter's script is not read for the console until edited: its
#: prints (one is_leaf per node) are no longer read by a class, and formatting them on the GUI
#: thread takes 20 ms at 500 nodes, 30-40 ms at 1,500 (and reading the script is one
#: ``ast.parse``, which keeps the interpreter from the GUI thread).
CONSOLE_NODE_LIMIT = 200

_executor: ThreadPoolExecutor | None = None


def _code_writer() -> ThreadPoolExecutor:
    """The thread that writes and reads scripts, apart from the evaluation's and the autosave's."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cgstudio-code")
    return _executor


def _read(text: str, base_text: str | None) -> tuple[Any, Any, float]:
    """The reading of ``text`` (a LiveParse, or the CodeImportError refusing it), of
    ``base_text`` when given (the script the user started typing in), and the seconds taken."""
    start = time.perf_counter()
    results = []
    for code in (text, base_text):
        if code is None:
            results.append(None)
            continue
        try:
            results.append(parse_live(code))
        except CodeImportError as exc:
            results.append(exc)
    return results[0], results[1], time.perf_counter() - start


def _export(doc: GraphDocument, left_out_notes: set[str], read: bool) -> tuple[str, Any]:
    """The exporter's script of ``doc`` and, when ``read``, its reading (for the console)."""
    text = export_code(doc, left_out_notes)
    if not read:
        return text, None
    try:
        return text, parse_live(text)
    except CodeImportError:
        return text, None


def _in_turn(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` in the background threads' turn (``app.runtime.gui_first``)."""
    with gui_first.turn():
        return function(*args)


class CodeDock(QDockWidget):
    """The Code dock (see the module docstring)."""

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Code"))
        self._theme_timer = QTimer(self)
        self._theme_timer.setSingleShot(True)
        self._theme_timer.setInterval(0)
        self._theme_timer.timeout.connect(self._follow_theme)
        self.setObjectName("codeDock")
        self.controller = controller
        self._document: GraphDocument | None = None
        # notes left out of the code while they would give a predicted answer away
        self.hidden_notes: set[str] = set()
        # numbers the class is predicting: node id -> "all" or "grad" (the scene's)
        self.hidden_nodes: dict[str, str] = {}
        # how the canvas measures a card and a gradient pill (None: estimated)
        self.measures: tuple[CardSize, PillWidth] | None = None

        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(CODE_POINT_SIZE)
        self.editor = CodeEditor()
        self.editor.setFont(font)
        self.highlighter = PythonHighlighter(self.editor.document(), self._is_dark())
        self.status = QLabel()
        self.status.setObjectName("codeStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #d03030;")
        self.status.hide()
        self.console = ConsoleView()
        console_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        console_font.setPointSize(CODE_POINT_SIZE - 2)
        self.console.setFont(console_font)
        self.console_title = QLabel(self.tr("Console: what print() shows under PyTorch"))

        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the code to the clipboard"))
        self.copy_button.clicked.connect(self.copy_code)
        self.hint = QLabel(self.tr("Type PyTorch code: the graph follows. Runs with PyTorch, or "
                                   "with cgengine as torch."))
        self.hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.copy_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.editor, 1)
        top_layout.addWidget(self.status)
        top_layout.addLayout(row)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.console_title)
        bottom_layout.addWidget(self.console, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)
        self.setWidget(body)

        # which change of the document the text shows (the exporter's script), or follows
        # (the user's code; -1: not known yet)
        self._version = 0
        self._shown_version = -1
        self._synced_version = -1
        # the exporter's script as shown (what typing starts from), and its reading
        self._exported = ""
        self._export_state: CodeState | None = None
        # work in the worker thread: what to do with its result, and its future
        self._job: tuple[Callable[[Any], None], Future[Any]] | None = None
        self._typing = False  # the text has edits not read yet
        self._commit_waiting = False
        self._setting = False  # the text is being replaced by the dock itself
        self._read_seconds = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._collect)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(TYPING_PAUSE_MS)
        self._pause.timeout.connect(self.commit)
        self.editor.textChanged.connect(self._on_text_edited)
        self.editor.undo_requested.connect(lambda: self._step(undo=True))
        self.editor.redo_requested.connect(lambda: self._step(undo=False))
        self.editor.installEventFilter(self)
        self.visibilityChanged.connect(self._on_visibility_changed)
        controller.document_replaced.connect(self._watch)
        controller.evaluated.connect(self._update_console)
        controller.code.changed.connect(self._on_code_changed)
        self._watch(controller.document)
        if controller.code.state is not None:  # a window rebuilt around the controller
            self._on_code_changed(controller.code.state)

    # ------------------------------------------------------------------ content
    def code(self) -> str:
        """The code of the current document, as the view shows it (brought up to date first, if
        the view was hidden since the last edit)."""
        state = self.controller.code.state
        if state is None and self.stale:
            self._finish_job()
            doc = self.controller.document
            self._show_exported(self._version, _export(doc, self.hidden_notes, False))
        elif state is not None and self.stale and not self._typing:
            self._finish_job()
            self.controller.code.set(merge_code(state, self.controller.document,
                                                self.hidden_notes))
        return self.editor.toPlainText()

    @property
    def stale(self) -> bool:
        """True while the text does not show the document's latest change."""
        state = self.controller.code.state
        if state is None:
            return self._shown_version != self._version
        return self._synced_version != self._version and state.error is None

    @property
    def in_sync(self) -> bool:
        """True when the text is read, the graph follows it and the text follows the graph."""
        return not (self._typing or self._job is not None or self.stale
                    or self._commit_waiting)

    def showing(self) -> bool:
        """Whether the user can see the code (not closed, not behind another tab)."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    @gui_first.burst
    def refresh(self) -> None:
        """Bring the text up to date with the document, if the dock can be seen: the
        exporter's script, or the user's code with the changed lines rewritten, made in the
        worker thread from a copy of the document."""
        self._timer.stop()
        if not self.stale or not self.showing() or self._job is not None or self._typing:
            return  # a job running is followed by the next one (see _collect)
        state = self.controller.code.state
        copy = self.controller.document.evaluation_copy(notes=True)
        version = self._version
        if state is None:
            self._run(_export, (copy, set(self.hidden_notes), len(copy) <= CONSOLE_NODE_LIMIT),
                      lambda result: self._show_exported(version, result))
        else:
            self._run(merge_code, (state, copy, set(self.hidden_notes)),
                      lambda merged: self._merged(version, state, merged))

    def _show_exported(self, version: int, result: tuple[str, LiveParse | None]) -> None:
        text, parse = result
        if version != self._version or self.controller.code.state is not None:
            return
        self._show_code(text, version)
        doc = self.controller.document
        self._export_state = None if parse is None else CodeState(
            text, parse, bind_by_names(parse, doc, variable_names(doc)))
        self._update_console()

    def _merged(self, version: int, state: CodeState, merged: CodeState) -> None:
        if version == self._version and self.controller.code.state is state \
                and not self._typing:
            self.controller.code.set(merged)

    def _show_code(self, text: str, version: int) -> None:
        """Show the exporter's ``text`` for the document's change ``version``."""
        self._shown_version = version
        self._exported = text
        self._show_text(text)

    @gui_first.burst
    def _show_text(self, text: str) -> None:
        """Show ``text``, replacing only the lines that differ, and keep the scroll position."""
        old = self.editor.toPlainText()
        if text == old:
            return
        self._setting = True
        try:
            bar = self.editor.verticalScrollBar()
            position = bar.value()
            if not old:
                self.editor.setPlainText(text)
            else:
                old_lines = old.splitlines(keepends=True)
                lines = text.splitlines(keepends=True)
                start = 0
                end = min(len(old_lines), len(lines))
                while start < end and old_lines[start] == lines[start]:
                    start += 1
                same_tail = 0
                while (same_tail < end - start
                       and old_lines[-1 - same_tail] == lines[-1 - same_tail]):
                    same_tail += 1
                # each line with its line end is one block of the text document
                cursor = QTextCursor(self.editor.document())
                cursor.setPosition(self._block_position(start))
                cursor.setPosition(self._block_position(len(old_lines) - same_tail),
                                   QTextCursor.MoveMode.KeepAnchor)
                cursor.insertText("".join(lines[start:len(lines) - same_tail]))
            bar.setValue(position)
        finally:
            self._setting = False

    def hide_notes(self, note_ids: set[str]) -> None:
        """Leave these notes out of the code (predict mode), or none."""
        if note_ids != self.hidden_notes:
            self.hidden_notes = set(note_ids)
            self._schedule()

    def hide_answers(self, nodes: dict[str, str]) -> None:
        """Hide the printed numbers the class is predicting (the scene's ``hidden_nodes``)."""
        if nodes != self.hidden_nodes:
            self.hidden_nodes = dict(nodes)
            self._update_console()

    def _block_position(self, block: int) -> int:
        """Where line ``block`` starts in the editor's text (its end, past the last line)."""
        document = self.editor.document()
        if block < document.blockCount():
            return document.findBlockByNumber(block).position()
        return document.characterCount() - 1

    def copy_code(self) -> None:
        QGuiApplication.clipboard().setText(self.code())
        self.controller.message.emit(self.tr("Code copied to the clipboard"))

    def _watch(self, document: GraphDocument) -> None:
        # every change, renames included: a label is a variable name in the code
        if self._document is not None:
            self._document.changed.disconnect(self._schedule)
        self._document = document
        document.changed.connect(self._schedule)
        self._export_state = None
        self._schedule()

    def _schedule(self) -> None:
        self._version += 1
        if self.showing():
            self._timer.start()

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self._timer.start()  # at once would be before the dock is laid out and seen

    # --------------------------------------------------------------- typing
    def _on_text_edited(self) -> None:
        if self._setting:
            return
        self._typing = True
        self._pause.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.FocusOut and self._typing:
            self.commit()  # leaving the editor ends a burst of typing
        return super().eventFilter(watched, event)

    def commit(self, wait: bool = False) -> None:
        """Read what was typed and have the graph follow (one undo step). The reading runs in
        the worker thread when the last one was slow, unless ``wait``."""
        self._pause.stop()
        if not self._typing:
            return
        if self._job is not None:
            if not wait:
                self._commit_waiting = True
                return
            self._finish_job()
        self._commit_waiting = False
        text = self.editor.toPlainText()
        state = self.controller.code.state
        if state is not None and text == state.text:
            self._typing = False
            return
        base_text = None
        if state is None and (self._export_state is None
                              or self._export_state.text != self._exported):
            base_text = self._exported
        if wait or self._read_seconds <= READ_BUDGET_S:
            self._apply_read(text, _read(text, base_text))
        else:
            self._run(_read, (text, base_text), lambda result: self._apply_read(text, result))

    def _apply_read(self, text: str, result: tuple[Any, Any, float]) -> None:
        parsed, base_parse, seconds = result
        self._read_seconds = seconds
        if self.editor.toPlainText() != text:
            return  # typed on meanwhile: the next pause reads again
        self._typing = False
        doc = self.controller.document
        before = self.controller.code.state
        base = before
        if base is None:
            base = self._export_state if base_parse is None else (
                None if isinstance(base_parse, CodeImportError) else
                CodeState(base_parse.text, base_parse,
                          bind_by_names(base_parse, doc, variable_names(doc))))
        edit = GraphEdit()
        if isinstance(parsed, CodeImportError):
            after = self._refused(text, base, parsed)
        else:
            try:
                edit, binding = plan_code_edit(doc, base, parsed)
            except CodeImportError as exc:
                after = self._refused(text, base, exc)
            else:
                if self.measures is not None:
                    place_new_nodes(doc, edit, *self.measures)
                else:
                    place_new_nodes(doc, edit, lambda _node: (220.0, 150.0))
                after = CodeState(text, parsed, binding)
        self.controller.edit_code(before, after, edit)

    @staticmethod
    def _refused(text: str, base: CodeState | None, error: CodeImportError) -> CodeState:
        """The state of ``text`` that does not import: the graph stays as ``base`` built it."""
        if base is None:
            return CodeState(text, None, {}, error)
        return CodeState(text, base.parse, base.binding, error)

    def _step(self, undo: bool) -> None:
        """Ctrl+Z / Ctrl+Shift+Z in the editor: what was typed becomes a step first."""
        self.commit(wait=True)
        stack = self.controller.undo_stack
        if undo:
            stack.undo()
        else:
            stack.redo()

    def _on_code_changed(self, state: CodeState | None) -> None:
        """The code state changed (an edit, its undo or redo, a merge): show it."""
        self._synced_version = self._version
        if state is None:
            self._shown_version = -1  # back to the exporter's script
            self.editor.set_error(None)
            self.status.hide()
            self._schedule()
            return
        if not self._typing and state.text != self.editor.toPlainText():
            self._show_text(state.text)
        if state.error is not None:
            self.editor.set_error(state.error.line, state.error.message)
            self.status.setText(self.tr("%1 (the graph shows the code as it last imported)")
                                .replace("%1", state.error.message))
            self.status.show()
        else:
            self.editor.set_error(None)
            self.status.hide()
        self._update_console()

    # -------------------------------------------------------------- worker
    def _run(self, function: Callable[..., Any], args: tuple[Any, ...],
             done: Callable[[Any], None]) -> None:
        self._job = (done, _code_writer().submit(_in_turn, function, *args))
        self._poll.start()

    @gui_first.burst
    def _collect(self) -> None:
        assert self._job is not None, "polling without a job"
        if not self._job[1].done():
            return
        self._finish_job()
        if self._commit_waiting:
            self.commit()
        elif self.stale:
            self.refresh()  # the document changed meanwhile

    def _finish_job(self) -> None:
        """Wait for the job in the worker thread, if any, and use its result."""
        if self._job is None:
            return
        done, future = self._job
        self._poll.stop()
        self._job = None
        with gui_first.waiting():
            outcome = future.result()
        done(outcome)

    # ------------------------------------------------------------- console
    def _update_console(self, *_result: object) -> None:
        """Show what the prints show, once the document's numbers are in."""
        controller = self.controller
        result = controller.result
        if not self.showing() or result is None or controller.evaluation_pending:
            return
        state = controller.code.state
        if state is None:
            if self._export_state is None or self._shown_version != self._version:
                return
            state = self._export_state
        elif state.error is not None or self._synced_version != self._version:
            return  # the console keeps what the code printed when it last imported
        assert state.parse is not None
        binding, nodes, hidden_nodes = state.binding, result.nodes, self.hidden_nodes

        def result_of(parse_id: str) -> Any:
            return nodes.get(binding.get(parse_id, ""))

        def hidden(parse_id: str, what: str) -> bool:
            how = hidden_nodes.get(binding.get(parse_id, ""))
            return how is not None and (how == "all" or what == "grad")

        def grads_of(output: str, inputs: tuple[str, ...]) -> list[Any] | None:
            if len(controller.document) > CONSOLE_NODE_LIMIT:
                return None  # a second evaluation of a large graph would hold up the window
            return autograd_grads(controller.document, binding.get(output, ""),
                                  tuple(binding.get(node, "") for node in inputs))

        self.console.show_entries(console_entries(state.parse, result_of, hidden, grads_of))

    # -------------------------------------------------------------------- theme
    def _is_dark(self) -> bool:
        return self.editor.palette().base().color().lightness() < 128

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            # the editor takes the new palette after its dock does: look once it has
            self._theme_timer.start()

    def _follow_theme(self) -> None:
        dark = self._is_dark()
        if dark != self.highlighter.dark:
            self.highlighter.set_dark(dark)
            self.console.entries = []  # drawn again in the new colours
            self._update_console()


class CodeActions(QObject):
    """File > Import Code..., File > Export Code... and Edit > Paste Code of one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        # registered with the window's own actions, so the shortcuts dialog lists them too
        self.import_action = window.add_action("import_code", self.tr("&Import Code…"),
                                            self.import_dialog)
        self.export_action = window.add_action("export_code", self.tr("Export &Code…"),
                                            self.export_dialog)
        self.paste_action = window.add_action("paste_code", self.tr("Paste Co&de"), self.paste_code,
                                           QKeySequence(self.tr("Ctrl+Shift+V")))

    # ----------------------------------------------------------------- import
    def import_dialog(self) -> bool:
        """Ask for a .py file and import it in place of the current document."""
        if not self.window.confirm_discard():
            return False
        path = self._get_import_path()
        if not path:
            return False
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._show_import_error(self.tr("Cannot read %1:\n%2")
                                    .replace("%1", Path(path).name).replace("%2", reason))
            return False
        return self.import_text(text, Path(path).name)

    def paste_code(self) -> bool:
        """Add the graph of the clipboard's code to the document at the mouse cursor (the
        middle of the canvas when the cursor is elsewhere), as one undo step. The code is
        checked first: a refusal changes nothing."""
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.window.show_message(self.tr("The clipboard holds no code to paste"))
            return False
        try:
            part = import_code(text)
        except CodeImportError as exc:
            self._show_import_error(self.tr("Cannot import the code of %1:\n%2")
                                    .replace("%1", self.tr("the clipboard"))
                                    .replace("%2", exc.message))
            return False
        if len(part) == 0:
            self.window.show_message(self.tr("The code on the clipboard makes no nodes"))
            return False
        copied = clipboard.copy_text(part, [node.id for node in part.nodes])
        pasted = self.window.controller.paste(copied, self._paste_position(copied))
        if pasted:
            self.window.view.bring_into_view(pasted)
            self.window.show_message(self.tr("Pasted the code of the clipboard: nodes %1")
                                     .replace("%1", str(len(pasted))))
        return bool(pasted)

    def _paste_position(self, copied: str) -> tuple[float, float]:
        """Where the pasted graph's top-left corner goes: at the mouse cursor when it is over
        the canvas, else so that the graph is centred in it."""
        view = self.window.view
        viewport = view.viewport()
        cursor = viewport.mapFromGlobal(QCursor.pos())
        if viewport.rect().contains(cursor):
            point = view.mapToScene(cursor)
            return (point.x(), point.y())
        width, height = clipboard.spread(copied)
        centre = view.mapToScene(viewport.rect().center())
        return (centre.x() - width / 2, centre.y() - height / 2)

    def import_text(self, text: str, source: str) -> bool:
        """Make ``text`` the window's document: untitled and modified, never saved over a file.

        A refusal of the importer is shown naming ``source`` and the line; the document stays.
        """
        try:
            document = import_code(text)
        except CodeImportError as exc:
            self._show_import_error(self.tr("Cannot import the code of %1:\n%2")
                                    .replace("%1", source).replace("%2", exc.message))
            return False
        # the window's own "Untitled": Save As then asks for a name, as for File > New
        untitled = QCoreApplication.translate("MainWindow", "Untitled")
        self.window.adopt_document(document, untitled, as_copy=True, lay_out=True)
        # nothing on disk holds this graph yet, so closing must offer to save it
        self.window.controller.undo_stack.resetClean()
        self.window.show_message(self.tr("Imported the code of %1").replace("%1", source))
        return True

    # ----------------------------------------------------------------- export
    def export_dialog(self) -> bool:
        """Write the document as a PyTorch script to a .py file the user names."""
        path = self._get_export_code_path()
        if not path:
            return False
        if Path(path).suffix.lower() != CODE_SUFFIX:
            path += CODE_SUFFIX
        try:
            Path(path).write_text(export_code(self.window.controller.document), encoding="utf-8")
        except OSError as exc:
            self.window.show_error(self.tr("Cannot export %1:\n%2").replace("%1", Path(path).name)
                                    .replace("%2", exc.strerror or str(exc)))
            return False
        self.window.show_message(self.tr("Exported %1").replace("%1", Path(path).name))
        return True

    # ---------------------------------------------------------------- dialogs
    def _show_import_error(self, text: str) -> None:
        QMessageBox.warning(self.window, self.tr("Import Code"), text)

    def _get_import_path(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(
            self.window, self.tr("Import Code"), self.window.dialog_folder(),
            self.tr("Python code (*.py);;All files (*)"))
        return path

    def _get_export_code_path(self) -> str:
        stem = Path(self.window.display_name).stem
        start = str(Path(self.window.dialog_folder()) / (stem + CODE_SUFFIX))
        path, _filter = QFileDialog.getSaveFileName(
            self.window, self.tr("Export Code"), start, self.tr("Python code (*.py)"))
        return path


def install(window: MainWindow) -> tuple[CodeDock, CodeActions]:
    """Add the Code dock (tabbed behind the inspector) and the code actions to ``window``."""
    dock = CodeDock(window.controller, window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.tabifyDockWidget(window.history_dock, dock)
    window.inspector.raise_()
    actions = CodeActions(window)
    window.add_to_menu("file", "export", actions.import_action, actions.export_action)
    window.add_to_menu("edit", "clipboard", actions.paste_action)
    window.add_to_menu("view", "docks", dock.toggleViewAction())
    # notes and numbers that state what the class is predicting stay out of the code and the
    # console until revealed
    window.scene.answers_hidden.connect(lambda: dock.hide_notes(window.scene.hidden_notes))
    window.scene.answers_hidden.connect(lambda: dock.hide_answers(window.scene.hidden_nodes))
    # new nodes are placed with the cards as the canvas draws them
    dock.measures = (window.scene.card_size, window.scene.pill_width)
    return dock, actions
