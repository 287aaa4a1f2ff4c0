"""``torch.device`` and ``torch.cuda``: cgengine computes on the CPU only, as a course's
``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")`` then finds out."""

from __future__ import annotations

from typing import Any

CUDA_ERROR = "Torch not compiled with CUDA enabled"


class device:
    """A device name: ``device("cpu")``, ``device("cuda:0")`` (which cgengine cannot use)."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index
        kind, _, number = str(type).partition(":")
        self.type = kind
        self.index = int(number) if number else index

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check(target: Any) -> None:
    """Refuse a device other than the CPU, with torch's error for CUDA."""
    if target is not None and device(target).type != "cpu":
        raise AssertionError(CUDA_ERROR)


class cuda:
    """``torch.cuda``: never available."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0
