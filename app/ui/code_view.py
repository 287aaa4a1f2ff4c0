"""The Code view and the code file actions: the graph as PyTorch code, and code as a graph.

``CodeDock`` shows ``export_code(document)`` read-only in a large monospace font, refreshed after
every edit, with a Copy button: the class sees the code the canvas stands for. It works only while
it can be seen: behind another tab or closed, it just notes that its text is out of date, and
catches up when it is shown (or asked for its ``code()``). The script is written in a worker
thread from a copy of the document (a 5,000-node script takes longer than a frame), and only
the lines that changed are replaced, so the highlighter colours only those. ``CodeActions``
adds File > Import Code..., File > Export Code... and Edit > Paste Code: an imported snippet
replaces the document the way File > Open does (as an untitled, modified document); a refusal of
the importer is shown with its line and the current document stays. ``install(window)`` puts both
into a main window. Every dialog goes through a small method (``_get_import_path``,
``_show_import_error``, ...) so tests can replace it with a canned answer, as the window does.
"""

from __future__ import annotations

import keyword
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QKeySequence,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.codeio import CodeImportError, export_code, import_code
from app.controller import DocumentController
from app.model import GraphDocument

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow

CODE_SUFFIX = ".py"
#: Point size of the code: it is read from the back of a classroom, on a projector.
CODE_POINT_SIZE = 14
#: Edits come in bursts (a drag of the value spin box, a macro); the code follows once per burst.
REFRESH_DELAY_MS = 60
#: How often the GUI thread looks for a script written in the worker thread.
POLL_MS = 20

_executor: ThreadPoolExecutor | None = None


def _code_writer() -> ThreadPoolExecutor:
    """The thread that writes scripts, apart from the evaluation's and the autosave's."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cgstudio-code")
    return _executor


class PythonHighlighter(QSyntaxHighlighter):
    """Colours python keywords, numbers, strings and comments; enough for exported scripts."""

    _RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
        ("keyword", re.compile(r"\b(?:" + "|".join(keyword.kwlist) + r")\b")),
        ("number", re.compile(r"(?<![\w.])(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)(?!\w)")),
        ("string", re.compile(r"'''.*?'''|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'")),
        ("comment", re.compile(r"#.*$")),
    )
    #: (light theme, dark theme) colour of each kind of token
    _COLOURS: dict[str, tuple[str, str]] = {
        "keyword": ("#1f4fb0", "#82aaff"),
        "number": ("#b35300", "#f4a261"),
        "string": ("#2b7a3d", "#8fd694"),
        "comment": ("#6b6b6b", "#9a9a9a"),
    }

    def __init__(self, document: QTextDocument, dark: bool = False) -> None:
        super().__init__(document)
        self._formats: dict[str, QTextCharFormat] = {}
        self.dark = dark
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        """Pick the colours that read on a dark (or light) background, and repaint."""
        self.dark = dark
        self._formats = {}
        for kind, (light, dark_colour) in self._COLOURS.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(dark_colour if dark else light))
            if kind == "keyword":
                fmt.setFontWeight(QFont.Weight.Bold)
            if kind == "comment":
                fmt.setFontItalic(True)
            self._formats[kind] = fmt
        self.rehighlight()

    def token_kinds(self, line: str) -> list[tuple[int, int, str]]:
        """(start, length, kind) of every coloured token of one line, later rules on top."""
        tokens = []
        for kind, pattern in self._RULES:
            tokens.extend((m.start(), m.end() - m.start(), kind) for m in pattern.finditer(line))
        return tokens

    def highlightBlock(self, text: str) -> None:
        # a string or comment is applied after keywords and numbers, so it wins over them
        for start, length, kind in self.token_kinds(text):
            self.setFormat(start, length, self._formats[kind])


class CodeDock(QDockWidget):
    """A dock showing the document as PyTorch code, kept up to date, with a Copy button."""

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
        #: notes left out of the code while they would give a predicted answer away
        self.hidden_notes: set[str] = set()

        self.editor = QPlainTextEdit()
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(CODE_POINT_SIZE)
        self.editor.setFont(font)
        self.highlighter = PythonHighlighter(self.editor.document(), self._is_dark())

        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the code to the clipboard"))
        self.copy_button.clicked.connect(self.copy_code)
        self.hint = QLabel(self.tr("Runs with PyTorch, or with cgengine as torch."))
        self.hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.copy_button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.editor, 1)
        layout.addLayout(row)
        self.setWidget(body)

        # the text's lines (with their line ends), and which change of the document it shows
        self._lines: list[str] = []
        self._version = 0
        self._shown_version = -1
        self._writing: tuple[int, Future[str]] | None = None
        self.editor.setUndoRedoEnabled(False)  # replaced lines would pile up in its undo stack
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._collect)
        self.visibilityChanged.connect(self._on_visibility_changed)
        controller.document_replaced.connect(self._watch)
        self._watch(controller.document)

    # ------------------------------------------------------------------ content
    def code(self) -> str:
        """The code of the current document, as the view shows it (brought up to date first, if
        the view was hidden since the last edit)."""
        if self.stale:
            self._show_code(export_code(self.controller.document, self.hidden_notes),
                            self._version)
        return self.editor.toPlainText()

    @property
    def stale(self) -> bool:
        """True while the text does not show the document's latest change."""
        return self._shown_version != self._version

    def showing(self) -> bool:
        """Whether the user can see the code (not closed, not behind another tab)."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def refresh(self) -> None:
        """Bring the text up to date, if the dock can be seen: the script is written in the
        worker thread from a copy of the document, and shown when it is ready."""
        self._timer.stop()
        if not self.stale or not self.showing() or self._writing is not None:
            return  # a script being written is followed by the next one (see _collect)
        copy = self.controller.document.evaluation_copy(notes=True)
        self._writing = (self._version, _code_writer().submit(export_code, copy,
                                                               set(self.hidden_notes)))
        self._poll.start()

    def _collect(self) -> None:
        assert self._writing is not None, "polling without a script being written"
        version, future = self._writing
        if not future.done():
            return
        self._poll.stop()
        self._writing = None
        if version == self._version and self.stale:
            self._show_code(future.result(), version)
        elif self.stale:
            self.refresh()  # the document changed meanwhile

    def _show_code(self, text: str, version: int) -> None:
        """Show ``text``, replacing only the lines that differ, and keep the scroll position."""
        self._shown_version = version
        lines = text.splitlines(keepends=True)
        old = self._lines
        if lines == old:
            return
        self._lines = lines
        bar = self.editor.verticalScrollBar()
        position = bar.value()
        if not old:
            self.editor.setPlainText(text)
        else:
            start = 0
            end = min(len(old), len(lines))
            while start < end and old[start] == lines[start]:
                start += 1
            same_tail = 0
            while (same_tail < end - start
                   and old[-1 - same_tail] == lines[-1 - same_tail]):
                same_tail += 1
            # each line with its line end is one block of the text document
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(self._block_position(start))
            cursor.setPosition(self._block_position(len(old) - same_tail),
                               QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText("".join(lines[start:len(lines) - same_tail]))
        bar.setValue(position)

    def hide_notes(self, note_ids: set[str]) -> None:
        """Leave these notes out of the code (predict mode), or none."""
        if note_ids != self.hidden_notes:
            self.hidden_notes = set(note_ids)
            self._schedule()

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
        self._schedule()

    def _schedule(self) -> None:
        self._version += 1
        if self.showing():
            self._timer.start()

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self._timer.start()  # at once would be before the dock is laid out and seen

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
        """Import the clipboard's text as code in place of the current document."""
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.window.show_message(self.tr("The clipboard holds no code to paste"))
            return False
        if not self.window.confirm_discard():
            return False
        return self.import_text(text, self.tr("the clipboard"))

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
    # notes that state what the class is predicting stay out of the code until revealed
    window.scene.answers_hidden.connect(lambda: dock.hide_notes(window.scene.hidden_notes))
    return dock, actions
