"""Loading .cgraph files: bytes -> text -> JSON -> validated records -> GraphDocument.

Each stage refuses bad input with a :class:`FileFormatError` naming the problem (not UTF-8,
invalid JSON at line/column, a field of the wrong kind, ...). The document is built only from
records that passed every check, so loading either returns a whole document or raises.
"""

from __future__ import annotations

import json
import os
from typing import Any

from app.fileio.errors import FileFormatError
from app.fileio.schema import MAX_FILE_BYTES, GraphRecord, parse_graph
from app.model import GraphDocument


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise FileFormatError(f"the key {key!r} appears twice in one JSON object")
        obj[key] = value
    return obj


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except FileFormatError:
        raise  # a duplicate key, refused by the hook above
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise FileFormatError("invalid file: the JSON is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise FileFormatError(f"invalid JSON: {exc}") from None


def build_document(graph: GraphRecord) -> GraphDocument:
    """A new document holding exactly the (already validated) records, which it takes over."""
    doc = GraphDocument()
    for node in graph.nodes:
        doc.add_node(node)
    doc.connect_many((edge.src, edge.dst, edge.port) for edge in graph.edges)
    for note in graph.notes:
        doc.add_note(note)
    if graph.output is not None:
        doc.set_output(graph.output)
    if not graph.backward.is_default:
        doc.set_backward(graph.backward)
    if graph.mode != "dynamic":
        doc.set_mode(graph.mode)
    if graph.trace is not None:
        doc.set_trace(graph.trace)
    if graph.optimizer is not None:
        doc.set_optimizer(graph.optimizer)
    return doc


def loads_document(text: str | bytes) -> GraphDocument:
    """Parse the text (or the raw bytes) of a .cgraph file into a new document."""
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise FileFormatError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"not a UTF-8 text file (byte 0x{text[exc.start]:02x} at offset {exc.start})"
            ) from None
    elif len(text) > MAX_FILE_BYTES:
        raise FileFormatError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
    return build_document(parse_graph(_parse_json(text)))


def load_document(path: str | os.PathLike[str]) -> GraphDocument:
    """Read a .cgraph file. OSError when it cannot be read, FileFormatError when it is invalid."""
    with open(path, "rb") as stream:
        if os.fstat(stream.fileno()).st_size > MAX_FILE_BYTES:
            raise FileFormatError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
        data = stream.read(MAX_FILE_BYTES + 1)
    return loads_document(data)
