"""var and std of float32 tensors: accumulated in float64 as torch's CPU kernels do, so their
digits are torch's and squares past float32's range (the course's exploding layers) do not
overflow."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import cgengine

KWARGS: tuple[dict[str, Any], ...] = ({}, {"dim": 0}, {"dim": 1, "keepdim": True},
                                      {"dim": (0, 1)}, {"correction": 0})


def test_squares_past_float32_range_do_not_overflow() -> None:
    x = cgengine.tensor([3e20, 1e20, 1e20, 1e20])
    # recorded from torch 2.13: the variance itself is past float32's range, its root is not
    assert repr(x.std()) == "tensor(1.0000e+20)"
    assert repr(x.var()) == "tensor(inf)"


def test_a_float32_result_is_the_float64_one_rounded_once() -> None:
    x = np.array([1.0, 2.0, 4.0, 8.5, 16.25], dtype=np.float32)
    expected = np.float32(np.std(x.astype(np.float64), ddof=1))
    assert cgengine.from_numpy(x).std().item() == float(expected)
    assert cgengine.from_numpy(x).std().dtype == cgengine.float32


@pytest.mark.parametrize("kwargs", KWARGS, ids=lambda kw: ",".join(map(str, kw)) or "all")
def test_float32_values_match_torch(torch_oracle: Any, kwargs: dict[str, Any]) -> None:
    rng = np.random.default_rng(1)
    for _ in range(40):
        scale, shift = 10 ** rng.uniform(-3, 3), rng.uniform(-5, 5)
        a = (rng.standard_normal((16, 64)) * scale + shift).astype(np.float32)
        theirs, mine = torch_oracle.from_numpy(a), cgengine.from_numpy(a)
        assert np.array_equal(mine.std(**kwargs).numpy(), theirs.std(**kwargs).numpy())
        # var's float64 sums are numpy's pairwise ones, torch's differ in a last bit now and then
        np.testing.assert_array_max_ulp(mine.var(**kwargs).numpy(), theirs.var(**kwargs).numpy(),
                                        maxulp=1)
