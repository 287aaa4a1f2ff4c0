"""Reading and writing .cgraph files (UTF-8 JSON, format "cgstudio.graph", version 1).

``load_document(path)`` / ``loads_document(text)`` return a new GraphDocument or raise
:class:`FileFormatError` naming the problem; ``save_document(doc, path)`` writes atomically and
``dumps_document(doc)`` returns the text. docs/FILE_FORMAT.md describes the format.
"""

from app.fileio.errors import FileFormatError
from app.fileio.reader import load_document, loads_document
from app.fileio.schema import FORMAT_NAME, FORMAT_VERSION
from app.fileio.writer import LineCache, dumps_document, save_document

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "FileFormatError",
    "LineCache",
    "dumps_document",
    "load_document",
    "loads_document",
    "save_document",
]
