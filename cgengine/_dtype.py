"""Data types, named and promoted as PyTorch names and promotes them.

A dtype is a thin wrapper around a numpy dtype that prints as ``torch.float32`` does. Type promotion
follows torch's rule, which differs from numpy's: tensors with dimensions outrank 0-d tensors,
which outrank python numbers, and a python float meeting an integer tensor gives the *default*
float type (float32), not float64.
"""

from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type (``cgengine.float32`` ...)."""

    __slots__ = ("name", "np", "is_floating_point", "itemsize")

    def __init__(self, name: str, np_type: type) -> None:
        self.name = name
        self.np = np.dtype(np_type)
        self.is_floating_point = self.np.kind == "f"
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
int64 = dtype("int64", np.int64)
bool_ = dtype("bool", np.bool_)
float16 = dtype("float16", np.float16)
int32 = dtype("int32", np.int32)
int16 = dtype("int16", np.int16)
int8 = dtype("int8", np.int8)
uint8 = dtype("uint8", np.uint8)

_BY_NUMPY = {d.np: d for d in (float32, float64, int64, bool_, float16, int32, int16, int8, uint8)}
DEFAULT_FLOAT = float32


def from_numpy(np_dtype: np.dtype) -> dtype:
    """The cgengine dtype of a numpy array's dtype."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(f"cgengine does not support numpy dtype {np_dtype}") from None


def to_numpy(d: dtype | type | np.dtype | str | None) -> np.dtype | None:
    """Accept a cgengine dtype (or a numpy one / a name) and return the numpy dtype."""
    if d is None:
        return None
    if isinstance(d, dtype):
        return d.np
    if d is float:
        return DEFAULT_FLOAT.np
    if d is int:
        return int64.np
    if d is bool:
        return bool_.np
    return np.dtype(d)


_SCALAR_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                      "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                      "bool": "Bool"}


def scalar_type_name(np_dtype: np.dtype) -> str:
    """torch's ScalarType name, as its error messages print it ("Float", "Long")."""
    return _SCALAR_TYPE_NAMES.get(np.dtype(np_dtype).name, np.dtype(np_dtype).name)


def legacy_type_name(np_dtype: np.dtype) -> str:
    """torch's legacy tensor type name ("torch.FloatTensor"), as ``Tensor.type()`` gives it."""
    return f"torch.{scalar_type_name(np_dtype)}Tensor"


def can_cast(source: np.dtype, target: np.dtype) -> bool:
    """torch's rule for writing a result into a tensor in place: never float into an integer
    or bool, never an integer into bool."""
    return _category(np.dtype(source)) <= _category(np.dtype(target))


def _category(np_dtype: np.dtype) -> int:
    """0 bool, 1 integer, 2 floating: torch promotes by category first."""
    return 0 if np_dtype.kind == "b" else (2 if np_dtype.kind == "f" else 1)


def promote_types(types: list[np.dtype]) -> np.dtype:
    """torch.promote_types over a list: a higher category wins outright (int64 + float32 is
    float32, where numpy says float64); within a category the wider type wins."""
    best = types[0]
    for t in types[1:]:
        if _category(t) > _category(best):
            best = t
        elif _category(t) == _category(best):
            best = np.promote_types(best, t)
    return best


def result_type(arrays: list[np.ndarray], numbers: list[object]) -> np.dtype:
    """torch's result dtype for an elementwise op on these tensor data and python numbers."""
    dim_types = [a.dtype for a in arrays if a.ndim > 0]
    zero_d_types = [a.dtype for a in arrays if a.ndim == 0]
    result: np.dtype | None = promote_types(dim_types) if dim_types else None
    if zero_d_types:
        zd = promote_types(zero_d_types)
        if result is None or _category(zd) > _category(result):
            result = zd
    if numbers:
        cat = max(2 if isinstance(n, float) else (0 if isinstance(n, bool) else 1) for n in numbers)
        if result is None or cat > _category(result):
            result = (DEFAULT_FLOAT.np if cat == 2 else
                      int64.np if cat == 1 else np.dtype(np.bool_))
    assert result is not None
    return result
