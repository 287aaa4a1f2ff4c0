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


def _ragged_message(data: Any) -> str:
    """PyTorch's message for a list that is not rectangular."""
    def shape_of(x: Any) -> list[int]:
        shape = []
        while isinstance(x, (list, tuple)):
            shape.append(len(x))
            if not x:
                break
            x = x[0]
        return shape

    expected = shape_of(data)
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        x, depth = stack.pop()
        if depth >= len(expected):
            continue
        if not isinstance(x, (list, tuple)):
            return f"expected sequence of length {expected[depth]} at dim {depth} (got 0)"
        if len(x) != expected[depth]:
            return f"expected sequence of length {expected[depth]} at dim {depth} (got {len(x)})"
        stack.extend((item, depth + 1) for item in x)
    return "expected a rectangular sequence of numbers"


def _holds_numpy_float(data: Any) -> bool:
    """True when numpy float scalars are among the data: PyTorch keeps their precision."""
    if isinstance(data, np.floating):
        return True
    if isinstance(data, (list, tuple)):
        return any(_holds_numpy_float(x) for x in data)
    return False


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """A fresh numpy array for ``torch.tensor(data, dtype=...)``, with PyTorch's default dtypes:
    python floats become float32, python ints int64; numpy arrays and scalars keep their dtype."""
    np_dtype = to_numpy(dtype)
    if isinstance(data, Tensor):
        arr = np.array(data._data, copy=True)
    elif isinstance(data, np.ndarray):
        arr = np.array(data, copy=True)
    else:
        try:
            arr = np.array(_unwrap_nested(data))
        except ValueError:
            raise ValueError(_ragged_message(data)) from None
        if arr.dtype.kind == "f" and np_dtype is None and not _holds_numpy_float(data):
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


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _like(input, 0, dtype, requires_grad)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _like(input, 1, dtype, requires_grad)


def full_like(input: Tensor, fill_value: float, dtype: Any = None,
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
    """``steps`` evenly spaced values, computed as PyTorch's kernel computes them (the first half
    counted up from ``start``, the second half down from ``end``, in the result's dtype), so the
    printed values match to the last bit."""
    np_dtype = to_numpy(dtype) or DEFAULT_FLOAT.np
    steps = int(steps)
    if steps == 1:
        values = np.array([start], dtype=np_dtype)
    else:
        ftype = np_dtype.type if np_dtype.kind == "f" else np.float64
        first, last = ftype(start), ftype(end)
        step = (last - first) / ftype(steps - 1)
        # PyTorch's vectorised kernel uses fused multiply-adds (one rounding): a wider type,
        # then one rounding to the result's type, gives the same bits.
        wide = np.longdouble
        index = np.arange(steps, dtype=wide)
        values = np.where(index < steps // 2, wide(first) + wide(step) * index,
                          wide(last) - wide(step) * (wide(steps - 1) - index)).astype(np_dtype)
    t = Tensor._wrap(values)
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
