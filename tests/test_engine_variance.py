"""var and std as torch's CPU kernels compute them: squares summed in float64 and rounded once,
so float32 results have torch's digits and the course's exploding layers overflow where torch's
do (a reduction to one number takes its mean in the tensor's dtype, as torch's std_var_all_cpu)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import cgengine

KWARGS: tuple[dict[str, Any], ...] = ({}, {"dim": 0}, {"dim": 1, "keepdim": True},
                                      {"dim": (0, 1)}, {"dim": (0, 1), "keepdim": True},
                                      {"correction": 0})


def test_squares_past_float32_range_do_not_overflow() -> None:
    x = cgengine.tensor([3e20, 1e20, 1e20, 1e20])
    # recorded from torch 2.13: the variance itself is past float32's range, its root is not
    assert repr(x.std()) == "tensor(1.0000e+20)"
    assert repr(x.var()) == "tensor(inf)"


def test_a_mean_past_float32_range_overflows_as_in_torch() -> None:
    x = cgengine.full((4096,), 1e37)
    x[0] = 3e37
    # recorded from torch 2.13: one number's mean is a float32 sum, a row's is not
    assert repr(x.std()) == "tensor(inf)"
    assert repr(x.std(0)) == "tensor(inf)"
    assert repr(x.view(64, 64).std(1)[:2]) == "tensor([2.5000e+36, 0.0000e+00])"


def test_a_float32_result_is_the_float64_one_rounded_once() -> None:
    x = np.array([1.0, 2.0, 4.0, 8.5, 16.25], dtype=np.float32)
    expected = np.float32(np.std(x.astype(np.float64), ddof=1))
    assert cgengine.from_numpy(x).std().item() == float(expected)
    assert cgengine.from_numpy(x).std().dtype == cgengine.float32


def _arrays(dtype: Any) -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    return [(rng.standard_normal((16, 64)) * 10 ** rng.uniform(-3, 3)
             + rng.uniform(-5, 5)).astype(dtype) for _ in range(40)]


@pytest.mark.parametrize("kwargs", KWARGS, ids=lambda kw: ",".join(map(str, kw)) or "all")
def test_float32_values_match_torch(torch_oracle: Any, kwargs: dict[str, Any]) -> None:
    for a in _arrays(np.float32):
        theirs, mine = torch_oracle.from_numpy(a), cgengine.from_numpy(a)
        assert np.array_equal(mine.std(**kwargs).numpy(), theirs.std(**kwargs).numpy())
        # var's float64 sums are numpy's pairwise ones, torch's differ in a last bit now and then
        np.testing.assert_array_max_ulp(mine.var(**kwargs).numpy(), theirs.var(**kwargs).numpy(),
                                        maxulp=1)


@pytest.mark.parametrize("kwargs", KWARGS, ids=lambda kw: ",".join(map(str, kw)) or "all")
def test_float64_values_match_torch_closely(torch_oracle: Any, kwargs: dict[str, Any]) -> None:
    # torch sums float64 otherwise (its mean's cascade; Welford's updates along a dim, which lose
    # a few digits when the mean is large against the spread): equal to 1e-12, not to the bit
    for a in _arrays(np.float64):
        theirs, mine = torch_oracle.from_numpy(a), cgengine.from_numpy(a)
        for name in ("std", "var"):
            np.testing.assert_allclose(getattr(mine, name)(**kwargs).numpy(),
                                       getattr(theirs, name)(**kwargs).numpy(), rtol=1e-12)
