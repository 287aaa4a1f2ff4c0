"""A minimal signal (observer) for the plain-Python document model.

The model must be usable without Qt (the evaluator, the file loader and the command line use it),
so it carries its own tiny signal type; the canvas connects Qt slots to it like any callable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Signal:
    """A list of callbacks called in connection order with the emitted arguments."""

    def __init__(self) -> None:
        self._slots: list[Callable[..., Any]] = []

    def connect(self, slot: Callable[..., Any]) -> None:
        self._slots.append(slot)

    def disconnect(self, slot: Callable[..., Any]) -> None:
        self._slots.remove(slot)

    def slots(self) -> list[Callable[..., Any]]:
        """The connected callbacks, in connection order (a copy)."""
        return list(self._slots)

    def emit(self, *args: Any) -> None:
        for slot in list(self._slots):
            slot(*args)
