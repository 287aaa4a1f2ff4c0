"""The Open Recent list, kept in QSettings: newest first, at most eight, missing files pruned."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

RECENT_KEY = "file/recent"
MAX_RECENT = 8


class RecentFiles:
    """Recently opened or saved documents, stored as absolute paths in ``settings``."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def paths(self) -> list[str]:
        """The stored paths that still exist, newest first (vanished ones are forgotten)."""
        stored = self._settings.value(RECENT_KEY, [])
        # QSettings returns a lone string (not a list) when a single value was stored
        if isinstance(stored, str):
            stored = [stored]
        existing = [p for p in (stored or []) if isinstance(p, str) and Path(p).is_file()]
        if existing != stored:
            self._store(existing)
        return existing

    def add(self, path: str) -> None:
        """Put ``path`` first, dropping an older entry for the same file and the oldest past 8."""
        path = str(Path(path).resolve())
        self._store([path, *(p for p in self.paths() if p != path)][:MAX_RECENT])

    def clear(self) -> None:
        self._store([])

    def _store(self, paths: list[str]) -> None:
        self._settings.setValue(RECENT_KEY, paths)
        self._settings.sync()
