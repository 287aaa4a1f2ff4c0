"""The one error of the code importer: a refusal that names the line it happened on."""

from __future__ import annotations


class CodeImportError(Exception):
    """The code cannot be imported as a graph; nothing was run and no document was made.

    ``message`` is the text to show the user, starting with the line ("line 3: only torch and
    numpy may be imported"); ``line`` is that line number (1-based), None when no line applies.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.message = f"line {line}: {message}" if line is not None else message
        super().__init__(self.message)
