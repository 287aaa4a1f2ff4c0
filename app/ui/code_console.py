"""The console under the code: what the code's ``print(...)`` calls would print under PyTorch.

``ConsoleView`` shows the entries of :func:`app.codeio.console.console_entries`: the printed
text as it is, torch's warnings and an error that would stop the script in colour with their
line, and a print it cannot work out (or one showing a number the class is predicting) in grey.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.codeio.console import ConsoleEntry

# (light theme, dark theme) colour of each kind of entry that is not printed text
_COLOURS = {"warning": ("#a04a00", "#f4a261"), "error": ("#c02020", "#ff7b7b"),
            "unsupported": ("#6b6b6b", "#9a9a9a"), "hidden": ("#6b6b6b", "#9a9a9a")}


class ConsoleView(QPlainTextEdit):
    """A read-only text of the console's entries."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setObjectName("codeConsole")
        self.entries: list[ConsoleEntry] = []

    def show_entries(self, entries: list[ConsoleEntry]) -> None:
        if entries == self.entries:
            return
        self.entries = list(entries)
        self.clear()
        cursor = QTextCursor(self.document())
        dark = self.palette().base().color().lightness() < 128
        plain = QTextCharFormat()
        for entry in entries:
            if entry.kind == "out":
                cursor.insertText(entry.text, plain)
                continue
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(_COLOURS[entry.kind][1 if dark else 0]))
            fmt.setFontItalic(entry.kind in ("unsupported", "hidden"))
            if cursor.positionInBlock():
                cursor.insertText("\n", plain)
            cursor.insertText(self.describe(entry) + "\n", fmt)

    def describe(self, entry: ConsoleEntry) -> str:
        """An entry that is not printed text, as the console words it."""
        if entry.kind == "unsupported":
            text = self.tr("cannot show this print without running the code: %1") \
                .replace("%1", entry.text)
        elif entry.kind == "hidden":
            text = self.tr("hidden while the class predicts")
        else:
            text = entry.text  # torch's own words
        return self.tr("line %1: %2").replace("%1", str(entry.line)).replace("%2", text)
