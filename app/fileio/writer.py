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
from app.runtime import step_aside


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


def _block(name: str, lines: list[str]) -> str:
    if not lines:
        return f'  "{name}": []'
    body = ",\n".join(f"    {line}" for line in lines)
    return f'  "{name}": [\n{body}\n  ]'


class LineCache:
    """What one save wrote, for the next save of the same document (the autosave's): the line
    of each node, kept while the node is the same object (``GraphDocument.evaluation_copy``
    hands out the same copy of a node until it changes), and each node id as a JSON string.
    At 5,000 nodes a save after a value edit then writes one node line instead of 5,000, and
    the wires from the ids: 10-15 ms instead of about 100. Used by one thread at a time."""

    def __init__(self) -> None:
        self.nodes: dict[str, tuple[Node, str]] = {}
        self.names: dict[str, str] = {}


#: How many lines are written between two chances for the GUI thread to go first.
_STEP = 100


def _node_lines(doc: GraphDocument, cache: LineCache | None) -> list[str]:
    old = {} if cache is None else cache.nodes
    kept: dict[str, tuple[Node, str]] = {}
    lines = []
    for index, node in enumerate(doc.nodes):
        if index % _STEP == 0:
            step_aside()  # in the autosave's thread: the GUI thread goes first
        entry = old.get(node.id)
        if entry is None or entry[0] is not node:
            entry = (node, _line(node_record(node)))
        kept[node.id] = entry
        lines.append(entry[1])
    if cache is not None:
        cache.nodes = kept
    return lines


def _edge_lines(doc: GraphDocument, cache: LineCache | None) -> list[str]:
    # each wire as _line({"from": ..., "to": ..., "port": ...}) writes it, from the quoted ids
    names = {} if cache is None else cache.names
    order = {node.id: index for index, node in enumerate(doc.nodes)}
    lines = []
    for index, edge in enumerate(sorted(doc.edges, key=lambda e: (order[e.dst], e.port))):
        if index % _STEP == 0:
            step_aside()
        src = names.get(edge.src) or names.setdefault(edge.src, _line(edge.src))
        dst = names.get(edge.dst) or names.setdefault(edge.dst, _line(edge.dst))
        lines.append(f'{{"from": {src}, "to": {dst}, "port": {edge.port}}}')
    if cache is not None and len(names) > 2 * len(order):  # ids of removed nodes pile up
        cache.names = {}
    return lines


def dumps_document(doc: GraphDocument, cache: LineCache | None = None) -> str:
    """The .cgraph text of the document (UTF-8 JSON, ending with a newline). ``cache`` keeps
    the lines for the next call on a later copy of the same document (see :class:`LineCache`)."""
    parts = [
        f'  "format": {_line(FORMAT_NAME)}',
        f'  "version": {FORMAT_VERSION}',
        _block("nodes", _node_lines(doc, cache)),
        _block("edges", _edge_lines(doc, cache)),
        _block("notes", [_line(note_record(note)) for note in doc.notes]),
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


def save_document(doc: GraphDocument, path: str | os.PathLike[str],
                  cache: LineCache | None = None) -> None:
    """Write the document to ``path`` atomically: the old file stays whole until the new one is.

    ``cache`` reuses the lines of the last save of the same document (:class:`LineCache`).
    The text goes to a temporary file in the same folder, is flushed to disk, then replaces the
    target in one rename; an OSError (no such folder, no permission, disk full) leaves the old
    file untouched and propagates.
    """
    target = Path(path)
    data = dumps_document(doc, cache).encode("utf-8")
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
