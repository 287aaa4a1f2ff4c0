"""Fused multiply-add, ``a * b + c`` rounded once, as torch's compiled CPU kernels compute it.

torch's kernels are compiled with FMA instructions (``x * (to - from) + from`` in its uniform
sampler, ``param.add_(grad, alpha=-lr)`` in SGD, ...); numpy rounds the product and the sum
separately, which differs in the last bit about a third of the time. These reproduce the single
rounding:

- float32: the product of two float32 is exact in float64; the float64 sum is rounded to float64
  and then to float32, which differs from one rounding only in cases rarer than one in 2**28;
- float64: the product's exact rounding error (Dekker's algorithm) and the sum's (Knuth's two-sum)
  are added back before the final rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def fma32(a: Any, b: Any, c: Any) -> np.ndarray:
    """float32 ``a * b + c`` with one rounding; python numbers are cast to float32 first, as a
    kernel casts its scalar arguments to the tensor's dtype."""
    a, b, c = (np.asarray(v, np.float32).astype(np.float64) for v in (a, b, c))
    return (a * b + c).astype(np.float32)


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a * b`` as the float64 product and its exact rounding error."""
    p = a * b
    split = 134217729.0  # 2**27 + 1: splits a float64 into two 26-bit halves
    ah = a * split - (a * split - a)
    bh = b * split - (b * split - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def fma64(a: Any, b: Any, c: Any) -> np.ndarray:
    """float64 ``a * b + c`` with one rounding (double-double arithmetic)."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    with np.errstate(all="ignore"):  # inf and nan pass through silently, as in torch
        p, p_err = _two_product(a, b)
        s = p + c
        bb = s - p
        s_err = (p - (s - bb)) + (c - bb)  # the exact error of p + c
        result = s + (p_err + s_err)
    # the error terms of an infinite product are nan: there the plain sum is the answer
    return np.where(np.isfinite(s), result, s)


def fma(a: np.ndarray, b: float | np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a * b + c`` rounded once, in the dtype of the array ``c`` (``a`` an array of that
    dtype, ``b`` an array or a python number, cast to that dtype first as a kernel casts it).
    The float32 case is written out: optimisers call it on every parameter at every step."""
    dtype = c.dtype
    if dtype == np.float32:
        if type(b) is float or type(b) is int:
            b = float(np.float32(b))
        return (a.astype(np.float64) * b + c).astype(np.float32)
    if dtype == np.float64:
        return fma64(a, b, c)
    return (a * b + c).astype(dtype)
