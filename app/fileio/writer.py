"""Saving .cgraph files: a stable, diff-friendly JSON text, written atomically.

The text has one line per node, wire and note, keys in a fixed order, wires sorted by their
target, so saving the same document twice gives the same bytes and a change shows as a one-line
diff. Numbers are written with Python's shortest round-trip repr: a float reads back as exactly
the same float (so also as the same float32), and integers stay integers.
"""

from __future__ import annotations

import glob
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from app.fileio.schema import FORMAT_NAME, FORMAT_VERSION
from app.model import GraphDocument, Node, Note
from app.model.rules import OPTIONAL_FIELDS, node_fields


def _coordinates(point: tuple[float, float]) -> list[int | float]:
    """[x, y] with integral floats written as integers ("[220, 0]" rather than "[220.0, 0.0]")."""
    return [int(c) if float(c).is_integer() else float(c) for c in point]


def node_record(node: Node) -> dict[str, Any]:
    """The JSON object of one node: id, type and the fields of its kind, in the documented order."""
    record: dict[str, Any] = {"id": node.id, "type": node.type}
    for name in node_fields(node.spec):
        value = getattr(node, name)
        if name in OPTIONAL_FIELDS and value == OPTIONAL_FIELDS[name]:
            continue
        if name == "pos":
            value = _coordinates(value)
        elif name == "params":
            value = {key: list(item) if isinstance(item, tuple) else item
                     for key, item in value.items()}
        record[name] = value
    return record


def note_record(note: Note) -> dict[str, Any]:
    return {"id": note.id, "text": note.text, "pos": _coordinates(note.pos),
            "size": _coordinates(note.size)}


def _line(obj: Any) -> str:
    # NaN and Infinity (a student may type nan into a tensor) are written as bare words, which
    # Python's json module reads back.
    return json.dumps(obj, ensure_ascii=False, allow_nan=True, separators=(", ", ": "))


def _block(name: str, items: list[dict[str, Any]]) -> str:
    if not items:
        return f'  "{name}": []'
    body = ",\n".join(f"    {_line(item)}" for item in items)
    return f'  "{name}": [\n{body}\n  ]'


def dumps_document(doc: GraphDocument) -> str:
    """The .cgraph text of the document (UTF-8 JSON, ending with a newline)."""
    order = {node.id: index for index, node in enumerate(doc.nodes)}
    edges = sorted(doc.edges, key=lambda e: (order[e.dst], e.port))
    parts = [
        f'  "format": {_line(FORMAT_NAME)}',
        f'  "version": {FORMAT_VERSION}',
        _block("nodes", [node_record(node) for node in doc.nodes]),
        _block("edges", [{"from": e.src, "to": e.dst, "port": e.port} for e in edges]),
        _block("notes", [note_record(note) for note in doc.notes]),
        f'  "output": {_line(doc.output)}',
    ]
    # how the graph runs, where it differs from one backward() of a dynamic graph
    if not doc.backward.is_default:
        parts.append(f'  "backward": {_line(doc.backward.record())}')
    if doc.mode != "dynamic":
        parts.append(f'  "mode": {_line(doc.mode)}')
    if doc.trace is not None:
        parts.append(f'  "trace": {_line(doc.trace)}')
    if doc.optimizer is not None:
        parts.append(f'  "optimizer": {_line(doc.optimizer)}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def save_document(doc: GraphDocument, path: str | os.PathLike[str]) -> None:
    """Write the document to ``path`` atomically: the old file stays whole until the new one is.

    The text goes to a temporary file in the same folder, is flushed to disk, then replaces the
    target in one rename; an OSError (no such folder, no permission, disk full) leaves the old
    file untouched and propagates.
    """
    target = Path(path)
    data = dumps_document(doc).encode("utf-8")
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates the file private (0600); keep the mode of the file being replaced
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _remove_stale_temps(target)


#: A temporary file older than this was left by a save that was killed (younger ones may belong
#: to a save still running in another process).
STALE_TEMP_SECONDS = 60


def _remove_stale_temps(target: Path) -> None:
    """Delete temporary files of saves to ``target`` that a crash (a kill, a power cut) left."""
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        try:
            if time.time() - stale.stat().st_mtime > STALE_TEMP_SECONDS:
                stale.unlink()
        except OSError:  # gone already, or not ours to delete: the save itself succeeded
            pass
