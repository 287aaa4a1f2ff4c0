"""``nn.Dropout``: in training, zero each element with probability ``p`` and scale the rest by
1 / (1 - p), so the expected value is unchanged; in ``eval()`` mode, pass the input through."""

from __future__ import annotations

from cgengine.nn import functional as F
from cgengine.nn.modules.module import Module
from cgengine.tensor import Tensor


class Dropout(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
