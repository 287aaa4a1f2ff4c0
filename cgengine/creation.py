"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``arange``, random tensors and the seed.

Python floats become float32 and python ints int64, as in PyTorch; numpy arrays keep their dtype.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cgengine._dtype import DEFAULT_FLOAT, to_numpy
from cgengine.tensor import Tensor

_rng = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the generator behind ``rand`` and ``randn`` (numbers differ from PyTorch's)."""
    global _rng
    _rng = np.random.default_rng(int(seed))
    return _rng


def _unwrap_nested(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_unwrap_nested(x) for x in data]
    return data


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """A fresh numpy array for ``torch.tensor(data, dtype=...)``, with PyTorch's default dtypes."""
    np_dtype = to_numpy(dtype)
    if isinstance(data, Tensor):
        arr = np.array(data._data, copy=True)
    elif isinstance(data, np.ndarray):
        arr = np.array(data, copy=True)
    else:
        try:
            arr = np.array(_unwrap_nested(data))
        except ValueError as exc:
            raise ValueError(f"expected a rectangular sequence of numbers ({exc})") from None
        if arr.dtype.kind == "f" and np_dtype is None:
            arr = arr.astype(DEFAULT_FLOAT.np)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64)
        elif arr.dtype.kind not in "bf":
            raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if np_dtype is not None and arr.dtype != np_dtype:
        arr = arr.astype(np_dtype)
    return arr


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """A new leaf tensor holding a copy of ``data``."""
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or to_numpy(dtype) == data._data.dtype):
        return data
    return Tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing the numpy array's memory."""
    return Tensor._wrap(array)


def _shape(size: Sequence[Any]) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = size[0]
    return tuple(int(s) for s in size)


def _filled(fill: Any, size: Sequence[Any], dtype: Any, requires_grad: bool) -> Tensor:
    np_dtype = to_numpy(dtype) or DEFAULT_FLOAT.np
    t = Tensor._wrap(np.full(_shape(size), fill, dtype=np_dtype))
    return t.requires_grad_(requires_grad) if requires_grad else t


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(0, size, dtype, requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(1, size, dtype, requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(0, size, dtype, requires_grad)


def full(size: Sequence[int], fill_value: float, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = (np.bool_ if isinstance(fill_value, bool) else
                 np.int64 if isinstance(fill_value, int) else DEFAULT_FLOAT.np)
    return _filled(fill_value, (tuple(size),), dtype, requires_grad)


def _like(t: Tensor, fill: float, dtype: Any, requires_grad: bool) -> Tensor:
    return _filled(fill, (t._data.shape,), dtype or t._data.dtype, requires_grad)


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    return _like(input, 0, dtype, requires_grad)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    return _like(input, 1, dtype, requires_grad)


def full_like(input: Tensor, fill_value: float, dtype: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    return _like(input, fill_value, dtype, requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    t = Tensor._wrap(np.eye(n, m, dtype=to_numpy(dtype) or DEFAULT_FLOAT.np))
    return t.requires_grad_(requires_grad) if requires_grad else t


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Like PyTorch: integers give int64, any float argument gives float32."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        floaty = any(isinstance(v, float) for v in (start, end, step))
        dtype = DEFAULT_FLOAT.np if floaty else np.int64
    t = Tensor._wrap(np.arange(start, end, step).astype(to_numpy(dtype)))
    return t.requires_grad_(requires_grad) if requires_grad else t


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    values = np.linspace(start, end, int(steps))
    t = Tensor._wrap(values.astype(to_numpy(dtype) or DEFAULT_FLOAT.np))
    return t.requires_grad_(requires_grad) if requires_grad else t


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform numbers in [0, 1) from the generator seeded by :func:`manual_seed`."""
    data = _rng.random(_shape(size)).astype(to_numpy(dtype) or DEFAULT_FLOAT.np)
    t = Tensor._wrap(data)
    return t.requires_grad_(requires_grad) if requires_grad else t


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal numbers from the generator seeded by :func:`manual_seed`."""
    data = _rng.standard_normal(_shape(size)).astype(to_numpy(dtype) or DEFAULT_FLOAT.np)
    t = Tensor._wrap(data)
    return t.requires_grad_(requires_grad) if requires_grad else t


def randint(low: int, high: int | None = None, size: Sequence[int] = (),
            dtype: Any = None) -> Tensor:
    if high is None:
        low, high = 0, low
    return Tensor._wrap(_rng.integers(low, high, tuple(size)).astype(to_numpy(dtype) or np.int64))
