"""Code <-> graph: import a PyTorch snippet as a document, export a document as a script.

``import_code(text)`` reads the code's syntax tree (never running it) and returns the graph it
builds, or raises :class:`CodeImportError` naming the line; ``export_code(doc)`` returns a
runnable PyTorch script in the style of the lesson. ``graph_differences(a, b)`` compares two
documents as graphs (up to ids and positions), which is what a round trip preserves.
"""

from app.codeio.compare import graph_differences
from app.codeio.errors import CodeImportError
from app.codeio.exporter import export_code, variable_names
from app.codeio.importer import import_code

__all__ = ["CodeImportError", "export_code", "graph_differences", "import_code",
           "variable_names"]
