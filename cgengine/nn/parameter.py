"""``nn.Parameter``: a tensor that a Module registers as one of its learnable weights.

A Parameter is a leaf Tensor that requires grad by default; assigning one to a Module attribute
(``self.weight = nn.Parameter(...)``) is what makes ``module.parameters()`` find it. It shares the
data of the tensor it wraps, as torch's does, and results computed from it are plain Tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cgengine.tensor import FLOAT_ONLY_GRAD_ERROR, Tensor


class Parameter(Tensor):
    """A learnable weight: ``Parameter(data, requires_grad=True)``."""

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        array = np.empty(0, dtype=np.float32) if data is None else data._data
        if requires_grad and array.dtype.kind != "f":
            raise RuntimeError(FLOAT_ONLY_GRAD_ERROR)
        self._data = array  # shared with ``data``, as torch's Parameter shares its storage
        self._requires_grad = bool(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        """A new leaf with copied data (and a copied ``.grad``), as ``copy.deepcopy(model)``
        gives in torch; the default deepcopy would keep feeding the original's gradient node."""
        result = Parameter(Tensor._wrap(self._data.copy()), self._requires_grad)
        if self._grad is not None:
            result._grad = Tensor._wrap(self._grad._data.copy())
        memo[id(self)] = result
        return result
