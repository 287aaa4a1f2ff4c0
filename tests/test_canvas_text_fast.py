"""The canvas prints small numbers in pure python, character for character as array2string does.

``app.canvas.text.tensor_body`` formats small float/int arrays itself (the cards print hundreds per
repaint) and everything else through ``app.display.values.format_tensor``; both must print the same.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.display.card_text import _tensor_body_fast, _tensor_body_slow, tensor_body

NAN, INF = float("nan"), float("inf")

SHAPES = [(), (1,), (2,), (3,), (1, 3), (3, 1), (2, 2), (3, 3),
          # also taken by the fast path (not by shows_in_full), and long enough to wrap
          (9,), (2, 3), (3, 2), (1, 9), (9, 1)]
FLOAT_DTYPES = [np.float16, np.float32, np.float64]
INT_DTYPES = [np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint64]

# each pool pushes torch's mode choice one way: int ("2."), fixed ("0.5000"), sci ("1.0000e-05")
_SMALL_INTS = st.integers(-20, 20).map(float)
_FRACTIONS = st.integers(-4000, 4000).map(lambda n: n / 8)
_HUGE = st.sampled_from([1e9, -1e9, 1.5e8, 1e8, 100000001.0, 99999999.0, -12345678.0, 1000.0,
                         1001.0, 3e38, 1e300, 65504.0])
_TINY = st.sampled_from([1e-6, -1e-6, 2.5e-5, 1e-4, 9.99e-5, 1e-8, 5e-324, 6e-8])
_SPECIAL = st.sampled_from([NAN, INF, -INF, -0.0, 0.0])
_ANY = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)
_POOLS = {
    "ints": _SMALL_INTS,
    "fractions": _FRACTIONS,
    "huge": st.one_of(_HUGE, _SMALL_INTS),
    "tiny": st.one_of(_TINY, _FRACTIONS),
    "special": st.one_of(_SPECIAL, _SMALL_INTS, _FRACTIONS),
    "mixed": st.one_of(_SMALL_INTS, _FRACTIONS, _HUGE, _TINY, _SPECIAL, _ANY),
}


def _as_array(values: list[float], shape: tuple[int, ...], dtype: type) -> np.ndarray:
    with np.errstate(over="ignore"):  # 1e300 as float16 is inf, as torch would make it too
        return np.array(values, dtype=dtype).reshape(shape)


@st.composite
def float_arrays(draw: st.DrawFn) -> np.ndarray:
    shape = draw(st.sampled_from(SHAPES))
    dtype = draw(st.sampled_from(FLOAT_DTYPES))
    pool = _POOLS[draw(st.sampled_from(sorted(_POOLS)))]
    size = int(np.prod(shape))
    values = draw(st.lists(pool, min_size=size, max_size=size))
    return _as_array(values, shape, dtype)


@st.composite
def int_arrays(draw: st.DrawFn) -> np.ndarray:
    shape = draw(st.sampled_from(SHAPES))
    dtype = draw(st.sampled_from(INT_DTYPES))
    info = np.iinfo(dtype)
    small = st.integers(max(int(info.min), -20), min(int(info.max), 20))
    anything = st.integers(int(info.min), int(info.max))
    size = int(np.prod(shape))
    values = draw(st.lists(st.one_of(small, anything), min_size=size, max_size=size))
    return np.array(values, dtype=dtype).reshape(shape)


def _check(array: np.ndarray) -> None:
    fast = _tensor_body_fast(array)
    slow = _tensor_body_slow(array)
    if fast is not None:
        assert fast == slow, (array.dtype, array.shape, array.tolist())
    assert tensor_body(array) == slow


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(float_arrays())
def test_fast_float_printing_is_the_slow_printing(array: np.ndarray) -> None:
    _check(array)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(int_arrays())
def test_fast_int_printing_is_the_slow_printing(array: np.ndarray) -> None:
    _check(array)


@pytest.mark.parametrize(("values", "dtype", "expected"), [
    (5.0, np.float32, "5."),
    ([1.0, 2.0], np.float32, "[1., 2.]"),
    (0.5, np.float32, "0.5000"),
    ([[1.0, 2.0], [3.0, 4.0]], np.float32, "[[1., 2.],\n [3., 4.]]"),
    ([[1.0, 0.5], [3.0, 4.0]], np.float32, "[[1.0000, 0.5000],\n [3.0000, 4.0000]]"),
    (1e-5, np.float32, "1.0000e-05"),
    ([NAN, 1.0], np.float32, "[nan, 1.]"),
    ([NAN, 1.5], np.float32, "[   nan, 1.5000]"),
    ([-INF, 2.0], np.float32, "[-inf, 2.]"),
    (NAN, np.float64, "nan"),
    ([1e9, 1.0], np.float32, "[1.0000e+09, 1.0000e+00]"),
    ([1e-6, 0.5], np.float64, "[1.0000e-06, 5.0000e-01]"),
    ([[1.5, NAN], [INF, -2.25]], np.float32, "[[ 1.5000,     nan],\n [    inf, -2.2500]]"),
    ([0.1, 0.2, 0.3], np.float16, "[0.1000, 0.2000, 0.3000]"),
    ([1, -20, 3], np.int64, "[  1, -20,   3]"),
    ([[7]], np.int32, "[[7]]"),
    (-0.0, np.float32, "-0."),
    # the edges of torch's mode choice
    ([1000.0, 1.0], np.float64, "[1000.,    1.]"),
    ([1001.0, 1.0], np.float64, "[1.0010e+03, 1.0000e+00]"),
    ([1e8], np.float64, "[100000000.]"),
    ([100000001.0], np.float64, "[1.0000e+08]"),
    ([0.5, 500.0], np.float64, "[  0.5000, 500.0000]"),
    ([1.0, 0.00025], np.float64, "[1.0000e+00, 2.5000e-04]"),
    # torch leaves zeros out of the width: "[-0., 1.]" but "[ 0., -1.]"
    ([-0.0, 1.0], np.float32, "[-0., 1.]"),
    ([0.0, -1.0], np.float32, "[ 0., -1.]"),
])
def test_known_texts(values: object, dtype: type, expected: str) -> None:
    array = np.array(values, dtype=dtype)
    assert _tensor_body_slow(array) == expected
    assert _tensor_body_fast(array) == expected
    assert tensor_body(array) == expected


def test_python_numbers_and_scalars() -> None:
    assert tensor_body(3.0) == "3."
    assert tensor_body(np.float32(0.25)) == "0.2500"
    assert tensor_body(7) == "7"


@pytest.mark.parametrize("array", [
    np.array([True, False]),
    np.array([1 + 2j]),
    np.zeros((0,)),
    np.zeros((2, 0)),
    np.arange(10.0),
    np.zeros((2, 2, 2)),
    np.array([1.5], dtype=np.longdouble),
    np.array(["a"]),
], ids=["bool", "complex", "empty", "empty-2d", "ten", "3d", "longdouble", "str"])
def test_everything_else_takes_the_slow_path(array: np.ndarray) -> None:
    assert _tensor_body_fast(array) is None
    assert tensor_body(array) == _tensor_body_slow(array)


def test_rows_at_numpy_wrapping_width() -> None:
    """Every small shape with elements 1 to 20 characters wide, around numpy's 80-column wrap."""
    shapes = [(n,) for n in range(1, 10)] + [(r, c) for r in range(1, 10) for c in range(1, 10)
                                             if r * c <= 9]
    taken = wrapped = 0
    for shape in shapes:
        size = int(np.prod(shape))
        for width in range(1, 20):
            ints = np.full(size, 10 ** (width - 1), dtype=np.int64)
            ints[-1] = -(10 ** (width - 1)) if width > 1 else 0
            fixed = np.full(size, 10.0 ** min(max(width - 6, 0), 7) + 0.5)  # "1.5000" and wider
            for array in (ints.reshape(shape), fixed.reshape(shape)):
                fast, slow = _tensor_body_fast(array), _tensor_body_slow(array)
                assert tensor_body(array) == slow
                if fast is None:  # declined exactly when numpy wraps a row
                    wrapped += 1
                    assert slow.count("\n") >= (shape[0] if len(shape) == 2 else 1)
                else:
                    taken += 1
                    assert fast == slow
    assert taken and wrapped
