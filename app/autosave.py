"""Autosave and crash recovery: a swap file of the open document, and finding it after a crash.

:class:`Autosaver` watches a :class:`GraphDocument`; a moment after the last change (debounced
by a QTimer, 2 s by default) it writes the document to a swap file with ``save_document``
(atomic) and then a small JSON sidecar (the original path, the time, the pid of the writer).
``clear()`` deletes both, after a successful save or a clean close, so a swap file that outlives
its process means the app died with unsaved changes.

At start-up :func:`find_recoverable` lists the swap files whose writing process is gone, newest
first; :func:`recover` loads one, :func:`discard` deletes one. A swap file of a process that is
still running (a second window of the app) is never offered.

Files in the directory, for one Autosaver: ``autosave-PID-SESSION.cgraph`` and the sidecar
``autosave-PID-SESSION.json``.
"""

from __future__ import annotations

import glob
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from app.fileio import load_document, save_document
from app.model import GraphDocument

DEFAULT_DELAY_MS = 2000
SWAP_SUFFIX = ".cgraph"
SIDECAR_SUFFIX = ".json"
_PREFIX = "autosave-"

#: Sessions of the Autosavers made in this process: a swap file carrying our own pid but another
#: session was left by an earlier process that had the same pid (common in containers).
_LIVE_SESSIONS: set[str] = set()


def default_directory() -> Path:
    """The per-user folder for swap files: <AppDataLocation>/autosave."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "autosave"


class Autosaver(QObject):
    """Keeps a swap file of ``document`` up to date while it has unsaved changes.

    ``source_path`` is called at each write and returns the file the document came from (None
    for a new document); it goes into the sidecar so recovery can say what was lost. Signals:
    ``saved(str)`` with the swap path after each write, ``failed(str)`` with a one-line message
    when a write fails (a full disk must not interrupt the lesson; the next change tries again).
    """

    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, document: GraphDocument, source_path: Callable[[], str | None],
                 directory: str | os.PathLike[str] | None = None,
                 delay_ms: int = DEFAULT_DELAY_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source_path = source_path
        self.directory = Path(directory) if directory is not None else default_directory()
        self.session = uuid.uuid4().hex[:12]
        name = f"{_PREFIX}{os.getpid()}-{self.session}"
        self.swap_path = self.directory / (name + SWAP_SUFFIX)
        self.sidecar_path = self.directory / (name + SIDECAR_SUFFIX)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.write_now)
        self._document = document
        document.changed.connect(self._on_changed)
        _LIVE_SESSIONS.add(self.session)

    @property
    def document(self) -> GraphDocument:
        return self._document

    @property
    def pending(self) -> bool:
        """True while a change waits for the timer to be written."""
        return self._timer.isActive()

    def set_document(self, document: GraphDocument) -> None:
        """Watch another document (File > New / Open); the old one's swap file is deleted."""
        self._document.changed.disconnect(self._on_changed)
        self._document = document
        document.changed.connect(self._on_changed)
        self.clear()

    def _on_changed(self) -> None:
        self._timer.start()  # restarting it is the debounce: write once the edits pause

    def set_source_path(self, source_path: Callable[[], str | None]) -> None:
        """Ask ``source_path`` from now on for the file the document came from."""
        self._source_path = source_path

    def write_now(self) -> bool:
        """Write the swap file and its sidecar at once; returns whether it worked."""
        self._timer.stop()
        sidecar = {"swap": self.swap_path.name, "source": self._source_path(),
                   "saved_at": time.time(), "pid": os.getpid(), "session": self.session}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            save_document(self._document, self.swap_path)
            _write_atomically(self.sidecar_path, json.dumps(sidecar, ensure_ascii=False))
        except (OSError, ValueError) as exc:  # ValueError: text UTF-8 cannot store
            self.failed.emit(f"Autosave failed: {getattr(exc, 'strerror', None) or exc}")
            return False
        self.saved.emit(str(self.swap_path))
        return True

    def clear(self) -> None:
        """Forget the unsaved state: stop a pending write and delete the swap file and sidecar."""
        self._timer.stop()
        for path in (self.sidecar_path, self.swap_path):  # sidecar first: no orphan is offered
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                self.failed.emit(f"Could not delete {path.name}: {exc.strerror or exc}")


def _write_atomically(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    try:
        with open(temp, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- recovery
@dataclass(frozen=True)
class Recoverable:
    """A swap file left by a process that ended without saving or closing cleanly."""

    swap_path: Path
    sidecar_path: Path
    source_path: str | None  # the file the document came from; None for a new document
    saved_at: float  # seconds since the epoch, when the swap file was written
    pid: int


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid is running; False when that cannot be told."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: only the existence and permission checks
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by another user
    except OSError:
        return False
    return True


def _windows_pid_alive(pid: int) -> bool:
    import ctypes

    query_limited_information, still_active, access_denied = 0x1000, 259, 5
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return kernel32.GetLastError() == access_denied  # exists, but not ours to query
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return False
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def _writer_alive(sidecar: dict[str, Any]) -> bool:
    pid = sidecar["pid"]
    if pid == os.getpid():
        return sidecar.get("session") in _LIVE_SESSIONS
    return pid_alive(pid)


def _read_sidecar(path: Path) -> Recoverable | None:
    """The sidecar as a Recoverable, or None when it is unreadable or its swap file is gone."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(data, dict) and isinstance(data.get("pid"), int)
            and isinstance(data.get("saved_at"), (int, float))
            and isinstance(data.get("source"), (str, type(None)))):
        return None
    swap = path.with_suffix(SWAP_SUFFIX)
    if not swap.is_file() or _writer_alive(data):
        return None
    return Recoverable(swap, path, data["source"], float(data["saved_at"]), data["pid"])


def find_recoverable(directory: str | os.PathLike[str] | None = None) -> list[Recoverable]:
    """Swap files in ``directory`` (default: the per-user one) whose writer died, newest first."""
    folder = Path(directory) if directory is not None else default_directory()
    if not folder.is_dir():
        return []
    found = [item for sidecar in folder.glob(f"{_PREFIX}*{SIDECAR_SUFFIX}")
             if (item := _read_sidecar(sidecar)) is not None]
    return sorted(found, key=lambda item: item.saved_at, reverse=True)


def recover(item: Recoverable) -> GraphDocument:
    """The document of a swap file; raises FileFormatError or OSError like ``load_document``."""
    return load_document(item.swap_path)


def discard(item: Recoverable) -> None:
    """Delete a swap file and its sidecar (after restoring it, or when the user declines),
    with any temporary file the crash left half-written next to them."""
    item.sidecar_path.unlink(missing_ok=True)
    item.swap_path.unlink(missing_ok=True)
    folder = item.swap_path.parent
    for name in (item.swap_path.name, item.sidecar_path.name):
        for temp in folder.glob(f".{glob.escape(name)}*.tmp"):
            temp.unlink(missing_ok=True)
