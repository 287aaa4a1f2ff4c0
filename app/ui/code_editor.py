"""The text editor of the Code dock: Python with colours, line numbers and the usual keys.

``CodeEditor`` is a QPlainTextEdit with a line-number gutter, four-space indentation (Tab and
Shift+Tab on the line or on every selected line, Enter keeping the indentation and adding a
level after a colon, never inside a string), Ctrl+/ to comment or uncomment the selected lines,
and a wavy red underline under a line that cannot be imported, whose message is its tooltip.
Undo and redo are not the editor's own: Ctrl+Z / Ctrl+Shift+Z ask the dock
(``undo_requested``/``redo_requested``), whose undo steps hold the text and the graph together.
``PythonHighlighter`` colours keywords, numbers, strings (triple-quoted ones across lines too)
and comments.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from app.runtime import gui_first

INDENT = "    "
#: Block states of the highlighter: inside a triple-quoted string opened on an earlier line.
_IN_SINGLE_TRIPLE, _IN_DOUBLE_TRIPLE = 1, 2
_TRIPLES = {"'''": _IN_SINGLE_TRIPLE, '"""': _IN_DOUBLE_TRIPLE}
_SCAN = re.compile(r"(?P<triple>'''|\"\"\")|(?P<comment>#.*$)"
                   r"|(?P<string>\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')")


class PythonHighlighter(QSyntaxHighlighter):
    """Colours python keywords, numbers, strings and comments."""

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

    @staticmethod
    def long_strings(line: str, state: int) -> tuple[list[tuple[int, int]], int]:
        """The parts of ``line`` inside triple-quoted strings, (start, end) each, and the state
        at its end, given the state at its start (0, or inside a string opened above)."""
        spans: list[tuple[int, int]] = []
        position = 0
        if state:
            closer = next(quote for quote, code in _TRIPLES.items() if code == state)
            end = line.find(closer)
            if end < 0:
                return [(0, len(line))], state
            spans.append((0, end + 3))
            position = end + 3
        while (found := _SCAN.search(line, position)) is not None:
            if found.group("comment") is not None:
                break
            if found.group("triple") is not None:
                quote = found.group("triple")
                end = line.find(quote, found.end())
                if end < 0:
                    spans.append((found.start(), len(line)))
                    return spans, _TRIPLES[quote]
                spans.append((found.start(), end + 3))
                position = end + 3
            else:
                position = found.end()
        return spans, 0

    def highlightBlock(self, text: str) -> None:
        spans, state = self.long_strings(text, max(self.previousBlockState(), 0))
        # -1, Qt's own "no state", outside strings: replacing a line then colours only it
        self.setCurrentBlockState(state or -1)
        # a string or comment is applied after keywords and numbers, so it wins over them;
        # nothing inside a triple-quoted string is a token
        for start, length, kind in self.token_kinds(text):
            if not any(s <= start < e for s, e in spans):
                self.setFormat(start, length, self._formats[kind])
        for start, end in spans:
            self.setFormat(start, end - start, self._formats["string"])


class _Gutter(QWidget):
    """The line numbers left of the text."""

    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    @gui_first.burst
    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """The Code dock's editor (see the module docstring)."""

    @gui_first.burst
    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)  # a burst: the background threads wait for it

    undo_requested = Signal()
    redo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        # undo steps are the dock's: each holds the text and the graph (see the module docstring)
        self.setUndoRedoEnabled(False)
        self.gutter = _Gutter(self)
        self.blockCountChanged.connect(self._fit_gutter)
        self.updateRequest.connect(self._scroll_gutter)
        self._fit_gutter()
        #: the line (1-based) underlined as not importable, and why
        self.error_line: int | None = None
        self.error_message = ""

    # ---------------------------------------------------------------- gutter
    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * max(2, digits)

    def _fit_gutter(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        area = self.contentsRect()
        self.gutter.setGeometry(QRect(area.left(), area.top(), self.gutter_width(),
                                      area.height()))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_gutter()

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self.gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.alternateBase())
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                number = block.blockNumber() + 1
                colour = QColor("#d03030") if number == self.error_line \
                    else palette.placeholderText().color()
                painter.setPen(colour)
                painter.drawText(0, top, self.gutter.width() - 6, height,
                                 Qt.AlignmentFlag.AlignRight, str(number))
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
        painter.end()

    # ----------------------------------------------------------------- error
    def set_error(self, line: int | None, message: str = "") -> None:
        """Underline ``line`` (1-based; None: no line) with ``message`` as its tooltip."""
        self.error_line, self.error_message = line, message
        selections = []
        block = self.document().findBlockByNumber(line - 1) if line is not None else None
        if block is not None and block.isValid():
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor("#d03030"))
            fmt.setToolTip(message)
            selection.format = fmt
            cursor = QTextCursor(block)
            text = block.text()
            start = len(text) - len(text.lstrip())
            cursor.setPosition(block.position() + start)
            # an empty line (the end of an unfinished string) gets its first character's room
            end = block.position() + max(len(text.rstrip()), start + 1)
            cursor.setPosition(min(end, self.document().characterCount() - 1),
                               QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selections.append(selection)
        self.setExtraSelections(selections)
        self.gutter.update()

    def underlined(self) -> tuple[int, int] | None:
        """The underlined range of the text (start, end), for tests and tools."""
        selections = self.extraSelections()
        if not selections:
            return None
        cursor = selections[0].cursor
        return cursor.selectionStart(), cursor.selectionEnd()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.error_line is not None:
            cursor = self.cursorForPosition(self.viewport().mapFromGlobal(event.globalPos()))
            if cursor.blockNumber() + 1 == self.error_line:
                QToolTip.showText(event.globalPos(), self.error_message, self)
            else:
                QToolTip.hideText()
            return True
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and (event.matches(QKeySequence.StandardKey.Undo)
                     or event.matches(QKeySequence.StandardKey.Redo)):
            event.accept()  # the window's Undo would act before the text is committed
            return True
        return super().event(event)

    # ------------------------------------------------------------------ keys
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo_requested.emit()
        elif event.matches(QKeySequence.StandardKey.Redo):
            self.redo_requested.emit()
        elif key == Qt.Key.Key_Backtab:
            self._dedent()
        elif key == Qt.Key.Key_Tab and not modifiers & ~Qt.KeyboardModifier.KeypadModifier:
            self._indent()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not modifiers & Qt.KeyboardModifier.ShiftModifier:
            self._new_line()
        elif key == Qt.Key.Key_Slash and modifiers & Qt.KeyboardModifier.ControlModifier:
            self._toggle_comment()
        else:
            super().keyPressEvent(event)

    def _selected_blocks(self) -> tuple[int, int]:
        cursor = self.textCursor()
        document = self.document()
        first = document.findBlock(cursor.selectionStart()).blockNumber()
        last_position = cursor.selectionEnd()
        last = document.findBlock(last_position).blockNumber()
        if cursor.hasSelection() and last > first \
                and document.findBlock(last_position).position() == last_position:
            last -= 1  # a selection ending at the start of a line does not take that line
        return first, last

    def _edit_lines(self, change: Callable[[str], str]) -> None:
        """Replace each selected line by ``change(text)``, as one edit, keeping them selected
        (or, with no selection, the cursor where it was in its line's text)."""
        first, last = self._selected_blocks()
        document = self.document()
        typing = self.textCursor()
        old_line, old_column = typing.block().text(), typing.positionInBlock()
        cursor = QTextCursor(document.findBlockByNumber(first))
        cursor.beginEditBlock()
        for number in range(first, last + 1):
            block = document.findBlockByNumber(number)
            new = change(block.text())
            if new != block.text():
                line = QTextCursor(block)
                line.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                                  QTextCursor.MoveMode.KeepAnchor)
                line.insertText(new)
        cursor.endEditBlock()
        if not typing.hasSelection():
            block = document.findBlockByNumber(first)
            column = old_column + len(block.text()) - len(old_line)
            typing.setPosition(block.position() + max(0, min(column, len(block.text()))))
            self.setTextCursor(typing)
            return
        selection = QTextCursor(document.findBlockByNumber(first))
        end = document.findBlockByNumber(last)
        selection.setPosition(end.position() + len(end.text()), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(selection)

    def _indent(self) -> None:
        cursor = self.textCursor()
        if cursor.hasSelection() and self._selected_blocks()[1] > self._selected_blocks()[0]:
            self._edit_lines(lambda text: INDENT + text if text.strip() else text)
            return
        column = cursor.positionInBlock()
        cursor.insertText(" " * (len(INDENT) - column % len(INDENT)))

    def _dedent(self) -> None:
        def dedent(text: str) -> str:
            spaces = len(text) - len(text.lstrip(" "))
            return text[min(spaces, len(INDENT)):]

        self._edit_lines(dedent)

    def _new_line(self) -> None:
        cursor = self.textCursor()
        block = cursor.block()
        before = block.text()[:cursor.positionInBlock()]
        if block.userState() > 0:
            cursor.insertText("\n")  # inside a triple-quoted string: the text as typed
        else:
            indent = before[:len(before) - len(before.lstrip())]
            if before.rstrip().endswith(":") and not before.lstrip().startswith("#"):
                indent += INDENT
            cursor.insertText("\n" + indent)
        self.ensureCursorVisible()

    def _toggle_comment(self) -> None:
        first, last = self._selected_blocks()
        document = self.document()
        texts = [document.findBlockByNumber(n).text() for n in range(first, last + 1)]
        written = [text for text in texts if text.strip()]
        if written and all(text.lstrip().startswith("#") for text in written):
            self._edit_lines(lambda text: re.sub(r"^(\s*)# ?", r"\1", text, count=1))
        else:
            column = min((len(t) - len(t.lstrip()) for t in written), default=0)
            self._edit_lines(lambda text: text[:column] + "# " + text[column:]
                             if text.strip() else text)
