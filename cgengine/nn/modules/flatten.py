"""``nn.Flatten``: merge the dims from ``start_dim`` to ``end_dim`` (by default all but the
batch dim) into one."""

from __future__ import annotations

from cgengine.functional import flatten
from cgengine.nn.modules.module import Module
from cgengine.tensor import Tensor


class Flatten(Module):
    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
