"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``arange`` and random tensors.

Python floats become float32 and python ints int64, as in PyTorch; numpy arrays keep their dtype.
Random tensors come from :mod:`cgengine.random`, which draws the numbers torch draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cgengine import random as _random
from cgengine._dtype import DEFAULT_FLOAT, to_numpy
from cgengine.tensor import Tensor


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


def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``base`` to the powers of ``linspace(start, end, steps)``, as torch computes them: the
    exponents counted up from ``start`` for the first half and down from ``end`` for the second,
    each raised in the result's dtype."""
    np_dtype = to_numpy(dtype) or DEFAULT_FLOAT.np
    steps = int(steps)
    ftype = np_dtype.type if np_dtype.kind == "f" else np.float64
    if steps == 1:
        exponents = np.array([start], dtype=ftype)
    else:
        first, last = ftype(start), ftype(end)
        step = (last - first) / ftype(steps - 1)
        index = np.arange(steps, dtype=ftype)
        exponents = np.where(index < steps // 2, first + step * index,
                             last - step * (ftype(steps - 1) - index)).astype(ftype)
    values = np.power(ftype(base), exponents).astype(np_dtype)
    t = Tensor._wrap(values)
    return t.requires_grad_(requires_grad) if requires_grad else t


def _random_tensor(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(data)
    return t.requires_grad_(requires_grad) if requires_grad else t


def _float_dtype(dtype: Any) -> np.dtype:
    return to_numpy(dtype) or DEFAULT_FLOAT.np


def rand(*size: Any, generator: _random.Generator | None = None, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform numbers in [0, 1), the same numbers as torch's after the same ``manual_seed``."""
    data = _random.uniform(_shape(size), 0.0, 1.0, _float_dtype(dtype), generator)
    return _random_tensor(data, requires_grad)


def randn(*size: Any, generator: _random.Generator | None = None, dtype: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal numbers, the same numbers as torch's after the same ``manual_seed``."""
    data = _random.normal(_shape(size), 0.0, 1.0, _float_dtype(dtype), generator)
    return _random_tensor(data, requires_grad)


def rand_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


_RANDINT_FORMS = (
    " * (int high, tuple of ints size, *, torch.Generator generator, Tensor out = None, "
    "torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
    "bool pin_memory = False, bool requires_grad = False)\n"
    " * (int low, int high, tuple of ints size, *, torch.Generator generator, Tensor out = None, "
    "torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
    "bool pin_memory = False, bool requires_grad = False)\n")


def randint(*args: Any, low: int | None = None, high: int | None = None, size: Any = None,
            generator: _random.Generator | None = None, dtype: Any = None,
            requires_grad: bool = False) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    values = [*args, *(v for v in (low, high, size) if v is not None)]
    if len(values) == 2:
        values.insert(0, 0)
    if len(values) != 3 or not isinstance(values[2], (tuple, list)):
        got = ", ".join(type(v).__name__ for v in args)
        raise TypeError(f"randint() received an invalid combination of arguments - got ({got}), "
                        f"but expected one of:\n{_RANDINT_FORMS}")
    lo, hi, shape = int(values[0]), int(values[1]), _shape(values[2])
    if lo >= hi:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={lo} >= to={hi}")
    data = _random.integers(shape, lo, hi, to_numpy(dtype) or np.int64, generator)
    return _random_tensor(data, requires_grad)


def randperm(n: int, *, generator: _random.Generator | None = None, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1 (int64), torch's for the same seed."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    data = _random.permutation(int(n), generator).astype(to_numpy(dtype) or np.int64)
    return _random_tensor(data, requires_grad)


_NORMAL_FORMS = (
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, "
    "Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
    "torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n")


def normal(mean: Any, std: Any = 1.0, size: Any = None, *,
           generator: _random.Generator | None = None, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Normal numbers with the given mean and std (numbers or tensors, broadcast together),
    computed as torch does: standard normals, times std, plus mean."""
    if std is not None and not isinstance(std, Tensor) and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            f"({type(mean).__name__}, {type(std).__name__}), but expected one "
                            f"of:\n{_NORMAL_FORMS}")
        data = _random.normal(_shape((size,)), float(mean), float(std), _float_dtype(dtype),
                              generator)
        return _random_tensor(data, requires_grad)
    if isinstance(std, Tensor) and bool((std._data < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    ref = mean if isinstance(mean, Tensor) else std
    m = mean._data if isinstance(mean, Tensor) else ref._data.dtype.type(mean)
    shape = np.broadcast_shapes(np.shape(m), np.shape(std._data) if isinstance(std, Tensor) else ())
    if isinstance(std, Tensor):
        noise = _random.normal(shape, 0.0, 1.0, ref._data.dtype, generator) * std._data
    else:  # torch draws with the std directly when it is a number
        noise = _random.normal(shape, 0.0, float(std), ref._data.dtype, generator)
    return Tensor._wrap((noise + m).astype(ref._data.dtype, copy=False))


def bernoulli(input: Tensor, p: float | None = None, *,
              generator: _random.Generator | None = None) -> Tensor:
    """1 with probability ``input`` (or ``p``) element by element, else 0; input's dtype."""
    gen = _random._generator(generator)
    if p is not None:
        unit = _random._unit(gen, input._data.size, np.dtype(np.float64))
        return Tensor._wrap((unit < p).astype(input._data.dtype).reshape(input._data.shape))
    unit = _random._unit(gen, input._data.size, input._data.dtype)
    return Tensor._wrap((unit.reshape(input._data.shape) < input._data).astype(input._data.dtype))
