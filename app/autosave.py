"""Autosave and crash recovery: a swap file of the open document, and finding it after a crash.

:class:`Autosaver` watches a :class:`GraphDocument` and writes it to a swap file with
``save_document`` (atomic), then a small JSON sidecar (the original path, the time, the pid of
the writer). A write follows a pause in the editing (``delay_ms``, 1 s by default), but never
later than ``max_wait_ms`` (3 s) after the first change it has not written, however continuous
the editing (a training run, a student typing non-stop): a crash loses at most the last
``max_wait_ms`` plus one write's time. The GUI thread only copies the document (a few
milliseconds at 5,000 nodes, see ``GraphDocument.evaluation_copy``); the text is made and written
in a worker thread, which touches no Qt object (the GUI thread polls for its end).
``clear()`` deletes both files, after a successful save or a clean close, so a swap file that
outlives its process means the app died with unsaved changes.

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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from app.fileio import LineCache, load_document, save_document
from app.model import GraphDocument
from app.runtime import gui_first

DEFAULT_DELAY_MS = 1000
#: However continuous the editing, a change is written at most this long after it was made.
DEFAULT_MAX_WAIT_MS = 3000
#: How often the GUI thread looks for the end of a write in the worker thread.
POLL_MS = 20
SWAP_SUFFIX = ".cgraph"
SIDECAR_SUFFIX = ".json"
_PREFIX = "autosave-"

#: Sessions of the Autosavers made in this process: a swap file carrying our own pid but another
#: session was left by an earlier process that had the same pid (common in containers).
_LIVE_SESSIONS: set[str] = set()

_executor: ThreadPoolExecutor | None = None


def _writer_thread() -> ThreadPoolExecutor:
    """One thread writes swap files for the whole process (apart from the evaluation's, so that
    a long evaluation never delays a write)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cgstudio-autosave")
    return _executor


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
                 delay_ms: int = DEFAULT_DELAY_MS, max_wait_ms: int = DEFAULT_MAX_WAIT_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source_path = source_path
        self.directory = Path(directory) if directory is not None else default_directory()
        self.session = uuid.uuid4().hex[:12]
        name = f"{_PREFIX}{os.getpid()}-{self.session}"
        self.swap_path = self.directory / (name + SWAP_SUFFIX)
        self.sidecar_path = self.directory / (name + SIDECAR_SUFFIX)
        # two timers: a pause in the editing (restarted by every change) and the deadline of
        # the oldest change not written yet (never restarted, so continuous edits cannot
        # postpone it, as they would a restarted timer, even one of 0 ms)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.write_soon)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(max_wait_ms)
        self._deadline.timeout.connect(self.write_soon)
        self._writing: Future[None] | None = None
        self._again = False  # changes came while a write ran: the next write follows it
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._collect_write)
        self._document = document
        #: the lines of the last write, for the next (touched by one write at a time)
        self._lines = LineCache()
        document.changed.connect(self._on_changed)
        _LIVE_SESSIONS.add(self.session)

    @property
    def document(self) -> GraphDocument:
        return self._document

    @property
    def pending(self) -> bool:
        """True while a change waits to be written, or is being written."""
        return self._deadline.isActive() or self._writing is not None or self._again

    def set_document(self, document: GraphDocument) -> None:
        """Watch another document (File > New / Open); the old one's swap file is deleted."""
        self._document.changed.disconnect(self._on_changed)
        self._document = document
        document.changed.connect(self._on_changed)
        self.clear()

    def _on_changed(self) -> None:
        self._timer.start()  # restarting it is the debounce: write once the edits pause...
        if not self._deadline.isActive():
            self._deadline.start()  # ...or when the oldest unwritten change is due, whichever first

    def _stop_timers(self) -> None:
        self._timer.stop()
        self._deadline.stop()
        self._again = False

    def set_source_path(self, source_path: Callable[[], str | None]) -> None:
        """Ask ``source_path`` from now on for the file the document came from."""
        self._source_path = source_path

    def _take_changes(self) -> tuple[GraphDocument, dict[str, Any]]:
        """A copy of the document that later edits cannot reach, and its sidecar; from here on
        the changes made so far count as written."""
        self._stop_timers()
        sidecar = {"swap": self.swap_path.name, "source": self._source_path(),
                   "saved_at": time.time(), "pid": os.getpid(), "session": self.session}
        return self._document.evaluation_copy(notes=True), sidecar

    @gui_first.burst
    def write_soon(self) -> None:
        """Start writing the swap file in the worker thread now (after a write still running)."""
        if self._writing is not None:
            self._stop_timers()
            self._again = True  # one write at a time: this one starts when that one ends
            return
        document, sidecar = self._take_changes()
        self._writing = _writer_thread().submit(self._write_in_turn, document, sidecar)
        self._poll.start()

    def _collect_write(self) -> None:
        if self._writing is None or not self._writing.done():
            return
        self._poll.stop()
        error = self._writing.exception()
        self._writing = None
        self._report(error)
        if self._again:
            self.write_soon()

    def _finish_running_write(self) -> None:
        """Wait for a write in the worker thread (it takes milliseconds) and report it."""
        if self._writing is not None:
            self._poll.stop()
            with gui_first.waiting():
                error = self._writing.exception()  # waits for the end
            self._writing = None
            self._report(error)

    def write_now(self) -> bool:
        """Write the swap file and its sidecar at once, in this thread; whether it worked."""
        self._finish_running_write()
        document, sidecar = self._take_changes()
        try:
            self._write(document, sidecar)
        except (OSError, ValueError) as exc:
            self._report(exc)
            return False
        self._report(None)
        return True

    def _write_in_turn(self, document: GraphDocument, sidecar: dict[str, Any]) -> None:
        with gui_first.turn():  # the background threads' turn (see app.runtime.gui_first)
            self._write(document, sidecar)

    def _write(self, document: GraphDocument, sidecar: dict[str, Any]) -> None:
        """Write ``document`` and then its sidecar (runs in the worker thread; no Qt here)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        save_document(document, self.swap_path, self._lines)
        _write_atomically(self.sidecar_path, json.dumps(sidecar, ensure_ascii=False))

    def _report(self, error: BaseException | None) -> None:
        if error is None:
            self.saved.emit(str(self.swap_path))
        elif isinstance(error, (OSError, ValueError)):  # ValueError: text UTF-8 cannot store
            self.failed.emit(f"Autosave failed: {getattr(error, 'strerror', None) or error}")
        else:
            raise error

    def clear(self) -> None:
        """Forget the unsaved state: stop a pending write, let a running one end, and delete the
        swap file and sidecar."""
        self._stop_timers()
        if self._writing is not None:
            self._poll.stop()
            with gui_first.waiting():
                self._writing.exception()  # a write that ends after the deletion would undo it
            self._writing = None
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
