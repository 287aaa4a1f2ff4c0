"""Random numbers as PyTorch's CPU generator makes them: seeded course code prints torch's numbers.

torch's CPU :class:`Generator` is a Mersenne Twister (mt19937) seeded the classic way
(``init_genrand`` with the low 32 bits of the seed); numpy's ``MT19937`` bit generator is the same
engine, so this module only seeds it as torch does and turns its raw 32-bit words into numbers
exactly as torch's kernels do:

- ``random()`` is one 32-bit word, ``random64()`` two of them, the first as the high half;
- uniform floats keep the low 24 bits of a word (53 bits of a ``random64()`` for float64), scaled
  to [0, 1), then ``x * (to - from) + from`` with one rounding (torch's compiler fuses it);
- normal floats use Box-Muller in one of three forms, chosen by size and dtype as torch chooses:
  fewer than 16 values are drawn one at a time in float64 (the second value of each pair is cached
  in the generator); 16 or more float64 values, or float32 values, are drawn as uniforms first and
  transformed 16 at a time (8 cosines, 8 sines), the last 16 redrawn when the size is not a multiple
  of 16. float32 uses the cephes-style polynomial log and sincos of torch's AVX2 kernel
  (``avx_mathfun.h``), with its fused multiply-adds, reproduced here in numpy;
- integers in [low, high) are ``word % (high - low) + low``, with a 64-bit word from a range of
  2**28 up (to keep the modulo's bias small);
- ``randperm`` is a Fisher-Yates shuffle drawing ``random() % (n - i)``.

Matching bit for bit was checked against torch 2.13 on x86-64 with AVX2 (tests/test_random.py); a
torch build without AVX2 (e.g. on ARM) computes float32 normals with its C library instead.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from cgengine._fma import fma32, fma64

#: The seed of a new ``torch.Generator()`` (torch's ``default_rng_seed_val``).
DEFAULT_SEED = 67280421310721
_MASK32 = 0xFFFFFFFF
_U32 = np.uint64(0xFFFFFFFF)


def _mt19937_key(seed: int) -> np.ndarray:
    """The 624-word state ``init_genrand`` makes from the low 32 bits of ``seed``."""
    key = np.empty(624, dtype=np.uint32)
    value = seed & _MASK32
    key[0] = value
    for i in range(1, 624):
        value = (1812433253 * (value ^ (value >> 30)) + i) & _MASK32
        key[i] = value
    return key


class Generator:
    """``torch.Generator`` for the CPU: a seeded mt19937 stream and the normal-sample cache."""

    def __init__(self, device: Any = "cpu") -> None:
        if str(device) != "cpu":
            raise RuntimeError(f"cgengine has only the CPU: no generator for device {device!r}")
        self.device = "cpu"
        self._bits = np.random.MT19937()
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed`` (and forget any cached normal sample)."""
        seed = int(seed)
        if not -(2**63) <= seed < 2**64:
            raise RuntimeError(f"Overflow when unpacking long long: {seed}")
        self._initial_seed = seed % 2**64
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": _mt19937_key(self._initial_seed), "pos": 624}}
        self._next_normal: float | None = None  # torch's next_double_normal_sample
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy, as torch does; return the seed."""
        seed = int.from_bytes(os.urandom(8), "little") & (2**63 - 1)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        return self._initial_seed

    def get_state(self) -> dict[str, Any]:
        """A snapshot for :meth:`set_state` (cgengine's own form, not torch's byte layout)."""
        return {"bits": self._bits.state, "seed": self._initial_seed,
                "next_normal": self._next_normal}

    def set_state(self, state: dict[str, Any]) -> Generator:
        self._bits.state = state["bits"]
        self._initial_seed = state["seed"]
        self._next_normal = state["next_normal"]
        return self

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {id(self):#x}>"

    # ------------------------------------------------------------------ raw words
    def random(self, n: int) -> np.ndarray:
        """``n`` 32-bit words (as uint64), torch's ``generator->random()``."""
        return self._bits.random_raw(n).astype(np.uint64)

    def random64(self, n: int) -> np.ndarray:
        """``n`` 64-bit words: two 32-bit words each, the first as the high half."""
        words = self.random(2 * n)
        return (words[0::2] << np.uint64(32)) | words[1::2]


default_generator = Generator()
default_generator.seed()  # like torch, an unseeded program gets different numbers every run


def _generator(generator: Generator | None) -> Generator:
    return default_generator if generator is None else generator


# ---------------------------------------------------------------------- uniform
def _unit(gen: Generator, n: int, np_dtype: np.dtype) -> np.ndarray:
    """``n`` uniform numbers in [0, 1): 24 random bits for float32, 53 for float64."""
    if np_dtype == np.float64:
        return (gen.random64(n) & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53
    digits = np.finfo(np_dtype).nmant + 1
    return (gen.random(n) & np.uint64(2**digits - 1)).astype(np.float32) * np.float32(2.0**-digits)


def uniform(shape: tuple[int, ...], low: float, high: float, np_dtype: Any,
            generator: Generator | None = None) -> np.ndarray:
    """``torch.empty(shape).uniform_(low, high)``: torch's CPU uniform kernel."""
    np_dtype = np.dtype(np_dtype)
    n = int(np.prod(shape, dtype=np.int64))
    x = _unit(_generator(generator), n, np_dtype)
    if np_dtype == np.float64:
        out = fma64(x, high - low, low)
    else:
        lo, hi = np.float32(low), np.float32(high)
        out = fma32(x, hi - lo, lo)
    return out.astype(np_dtype, copy=False).reshape(shape)


# ---------------------------------------------------------------------- normal
_F = np.float32
_LOG_POLY = tuple(_F(c) for c in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1))
_SIN_POLY = tuple(_F(c) for c in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1))
_COS_POLY = tuple(_F(c) for c in (2.443315711809948e-5, -1.388731625493765e-3,
                                  4.166664568298827e-2))
_PI4_PARTS = tuple(_F(c) for c in (-0.78515625, -2.4187564849853515625e-4,
                                   -3.77489497744594108e-8))


def _log_cephes(x: np.ndarray) -> np.ndarray:
    """Natural log of float32 in (0, 1], as torch's AVX2 kernel computes it: split x into a
    mantissa m in [sqrt(1/2), sqrt(2)) and exponent e, then log(m) by a degree-9 polynomial in
    m - 1 and e * log(2) added in two parts (0.693359375 - 2.12194440e-4) to keep precision."""
    x = np.maximum(x, np.float32(np.finfo(np.float32).tiny))
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(np.float32) + _F(1)
    m = ((bits & ~0x7F800000) | _F(0.5).view(np.int32)).view(np.float32)  # m in [0.5, 1)
    small = m < _F(0.707106781186547524)
    e = e - small.astype(np.float32)
    m = (m - _F(1)) + np.where(small, m, _F(0))  # 2m - 1 below sqrt(1/2), else m - 1
    z = m * m
    y = np.full_like(m, _LOG_POLY[0])
    for c in _LOG_POLY[1:]:
        y = fma32(y, m, c)
    y = fma32(y * m, z, e * _F(-2.12194440e-4))
    y = fma32(z, _F(-0.5), y)
    return fma32(e, _F(0.693359375), m + y)


def _sincos_cephes(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sin and cos of float32 x >= 0, as torch's AVX2 kernel computes them: reduce x by the
    nearest even multiple j of pi/4 (pi/4 in three parts, to keep precision), evaluate a sine
    and a cosine polynomial on the remainder, then pick and sign them by j."""
    j = (x * _F(1.27323954473516)).astype(np.int32)  # x * 4/pi, truncated
    j = (j + 1) & ~1
    y = j.astype(np.float32)
    r = x
    for part in _PI4_PARTS:
        r = fma32(y, part, r)
    z = r * r
    cos_r = fma32(np.full_like(z, _COS_POLY[0]), z, _COS_POLY[1])
    cos_r = fma32(cos_r, z, _COS_POLY[2])
    cos_r = fma32(cos_r * z, z, -(z * _F(0.5))) + _F(1)
    sin_r = fma32(np.full_like(z, _SIN_POLY[0]), z, _SIN_POLY[1])
    sin_r = fma32(sin_r, z, _SIN_POLY[2])
    sin_r = fma32(sin_r * z, r, r)
    first = (j & 2) == 0  # which polynomial gives the sine
    sin_x = np.where(first, sin_r, cos_r)
    cos_x = np.where(first, cos_r, sin_r)
    sin_x = np.where((j & 4) != 0, -sin_x, sin_x)
    cos_x = np.where(((j - 2) & 4) == 0, -cos_x, cos_x)
    return sin_x, cos_x


def _box_muller_16(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Rows of 16 uniforms -> rows of 16 normals: the first 8 give the radii, the last 8 the
    angles; the cosines fill the first half of the row, the sines the second."""
    if u.dtype == np.float32:
        radius = np.sqrt(_F(-2) * _log_cephes(_F(1) - u[:, :8]))
        sin_t, cos_t = _sincos_cephes(_F(2.0 * np.pi) * u[:, 8:])
        mean32, std32 = _F(mean), _F(std)
        return np.concatenate([fma32(radius * cos_t, std32, mean32),
                               fma32(radius * sin_t, std32, mean32)], axis=1)
    radius = np.sqrt(-2 * np.log(1 - u[:, :8]))
    theta = 2.0 * np.pi * u[:, 8:]
    return np.concatenate([fma64(radius * np.cos(theta), std, mean),
                           fma64(radius * np.sin(theta), std, mean)], axis=1)


def _normal_one_by_one(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """torch's path for fewer than 16 values: float64 Box-Muller pairs, the sine cached."""
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        if gen._next_normal is not None:
            value, gen._next_normal = gen._next_normal, None
        else:
            u1, u2 = _unit(gen, 2, np.dtype(np.float64))
            radius = np.sqrt(-2.0 * np.log1p(-u2))
            theta = 2.0 * np.pi * u1
            gen._next_normal = float(radius * np.sin(theta))
            value = radius * np.cos(theta)
        out[i] = fma64(value, std, mean)
    return out


def normal(shape: tuple[int, ...], mean: float, std: float, np_dtype: Any,
           generator: Generator | None = None) -> np.ndarray:
    """``torch.empty(shape).normal_(mean, std)``: torch's CPU normal kernel."""
    np_dtype = np.dtype(np_dtype)
    gen = _generator(generator)
    n = int(np.prod(shape, dtype=np.int64))
    if n < 16:
        return _normal_one_by_one(gen, n, mean, std).astype(np_dtype).reshape(shape)
    work = np.float32 if np_dtype != np.float64 else np.float64
    out = _unit(gen, n, np.dtype(work))
    full = n // 16 * 16
    out[:full] = _box_muller_16(out[:full].reshape(-1, 16), mean, std).ravel()
    if full != n:  # torch redraws the last 16 values rather than transform a partial block
        out[n - 16:] = _box_muller_16(_unit(gen, 16, np.dtype(work)).reshape(1, 16),
                                      mean, std).ravel()
    return out.astype(np_dtype, copy=False).reshape(shape)


# ---------------------------------------------------------------------- integers
def integers(shape: tuple[int, ...], low: int, high: int, np_dtype: Any,
             generator: Generator | None = None) -> np.ndarray:
    """``torch.randint(low, high, shape)``: ``word % (high - low) + low``; a 64-bit word from a
    range of 2**28 up, as torch's open-source builds do."""
    gen = _generator(generator)
    n = int(np.prod(shape, dtype=np.int64))
    span = high - low
    words = gen.random64(n) if span >= 2**28 else gen.random(n)
    values = (words % np.uint64(span)).astype(np.int64) + low
    return values.astype(np_dtype).reshape(shape)


def random_int64(generator: Generator | None = None) -> int:
    """``torch.empty((), dtype=torch.int64).random_()``: 63 random bits (how torch seeds a
    DataLoader's shuffle and its workers)."""
    return int(_generator(generator).random64(1)[0] & np.uint64(2**63 - 1))


def permutation(n: int, generator: Generator | None = None) -> np.ndarray:
    """``torch.randperm(n)``: torch's Fisher-Yates shuffle (above 2**32 / 20 elements torch
    switches to the inside-out form with 64-bit words)."""
    gen = _generator(generator)
    out = list(range(n))
    if n < _MASK32 // 20:
        offsets = (gen.random(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
        for i, offset in enumerate(offsets):
            j = i + offset
            out[i], out[j] = out[j], out[i]
    else:
        picks = (gen.random64(n) % np.arange(1, n + 1, dtype=np.uint64)).tolist()
        for i, z in enumerate(picks):
            out[i] = out[z]
            out[z] = i
    return np.array(out, dtype=np.int64)


# ---------------------------------------------------------------------- torch.random functions
def manual_seed(seed: int) -> Generator:
    """Seed the default generator (``torch.manual_seed``); returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict[str, Any]:
    return default_generator.get_state()


def set_rng_state(new_state: dict[str, Any]) -> None:
    default_generator.set_state(new_state)
