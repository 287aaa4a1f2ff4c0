"""cgengine.random draws torch's numbers: after the same seed, the same bits (torch is the oracle).

torch picks its algorithm by size and dtype (normals one by one under 16 values, in blocks of 16
above, with its own float32 log and sincos; 64-bit words for integer ranges past 2**32), so each
test sweeps seeds, dtypes and sizes on both sides of those switches, and checks that the streams
stay in step afterwards (the next draw matches too).
"""

from __future__ import annotations

import numpy as np
import pytest

import cgengine
from cgengine import random as R
from tests.oracle import torch

SEEDS = (0, 1, 10, 12345, 2**32 + 7, 2**63 - 1)
SIZES = ((1,), (2,), (7,), (15,), (16,), (17,), (31,), (3, 5), (200,), (1000, 3), (100_003,))
FLOATS = ("float32", "float64")


def same(got: cgengine.Tensor, expected: object) -> None:
    """Bit for bit: the same dtype, shape and values."""
    assert str(got.dtype) == str(expected.dtype)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def both(seed: int) -> None:
    torch.manual_seed(seed)
    cgengine.manual_seed(seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_rand_and_randn_match_torch_for_every_size(seed: int, dtype: str) -> None:
    both(seed)
    for size in SIZES:
        same(cgengine.rand(*size, dtype=getattr(cgengine, dtype)),
             torch.rand(*size, dtype=getattr(torch, dtype)))
        same(cgengine.randn(*size, dtype=getattr(cgengine, dtype)),
             torch.randn(*size, dtype=getattr(torch, dtype)))
    same(cgengine.rand(4), torch.rand(4))  # still in step


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_a_million_normals_match_torch(seed: int) -> None:
    both(seed)
    same(cgengine.randn(1000, 1000), torch.randn(1000, 1000))


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_small_normals_share_torch_cached_second_value(seed: int) -> None:
    both(seed)
    for size in (3, 1, 1, 5, 2, 16, 1):  # an odd count leaves a cached sine for the next call
        same(cgengine.randn(size), torch.randn(size))
    cgengine.manual_seed(seed)  # reseeding forgets the cached value
    torch.manual_seed(seed)
    same(cgengine.randn(1), torch.randn(1))


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_with_numbers_and_tensors_matches_torch(seed: int, dtype: str) -> None:
    both(seed)
    for size in ((5,), (16,), (20, 3)):
        for mean, std in ((0.0, 1.0), (1.7, 1.0), (-0.3, 2.5)):
            same(cgengine.normal(mean, std, size, dtype=getattr(cgengine, dtype)),
                 torch.normal(mean, std, size, dtype=getattr(torch, dtype)))
    means = np.arange(40, dtype=dtype).reshape(20, 2) * 0.37
    stds = np.linspace(0.1, 3, 40, dtype=dtype).reshape(20, 2)
    for mean, std in ((means, 1.0), (means, 0.5), (0.7, stds), (means, stds)):
        mine = [cgengine.tensor(v) if isinstance(v, np.ndarray) else v for v in (mean, std)]
        theirs = [torch.tensor(v) if isinstance(v, np.ndarray) else v for v in (mean, std)]
        same(cgengine.normal(*mine), torch.normal(*theirs))


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_randint_matches_torch_on_both_sides_of_its_64_bit_switch(seed: int) -> None:
    both(seed)
    for low, high in ((0, 2), (0, 10), (-5, 3), (0, 2**28 - 1), (0, 2**28), (0, 2**31),
                      (0, 2**32), (-2**40, 2**40)):
        same(cgengine.randint(low, high, (50,)), torch.randint(low, high, (50,)))
    same(cgengine.randint(7, (3, 4)), torch.randint(7, (3, 4)))
    same(cgengine.randint(0, 9, (6,), dtype=cgengine.float32),
         torch.randint(0, 9, (6,), dtype=torch.float32))


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_randperm_matches_torch(seed: int) -> None:
    both(seed)
    for n in (0, 1, 2, 5, 100, 1000, 100_000):
        same(cgengine.randperm(n), torch.randperm(n))
    same(cgengine.randperm(5, dtype=cgengine.float32), torch.randperm(5, dtype=torch.float32))


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("dtype", FLOATS)
def test_bernoulli_matches_torch(seed: int, dtype: str) -> None:
    both(seed)
    probabilities = np.linspace(0, 1, 101, dtype=dtype)
    same(cgengine.bernoulli(cgengine.tensor(probabilities)),
         torch.bernoulli(torch.tensor(probabilities)))
    same(cgengine.bernoulli(cgengine.zeros(30, dtype=getattr(cgengine, dtype)), 0.3),
         torch.bernoulli(torch.zeros(30, dtype=getattr(torch, dtype)), 0.3))


def test_generators_are_separate_streams_like_torch() -> None:
    mine, theirs = cgengine.Generator(), torch.Generator()
    assert mine.initial_seed() == theirs.initial_seed() == R.DEFAULT_SEED
    same(cgengine.rand(3, generator=mine), torch.rand(3, generator=theirs))
    mine.manual_seed(42)
    theirs.manual_seed(42)
    both(0)
    same(cgengine.randn(20, generator=mine), torch.randn(20, generator=theirs))
    same(cgengine.randperm(8, generator=mine), torch.randperm(8, generator=theirs))
    same(cgengine.rand(2), torch.rand(2))  # the default stream did not move


def test_random_int64_is_torch_random_() -> None:
    for seed in SEEDS:
        both(seed)
        expected = torch.empty((), dtype=torch.int64).random_().item()
        assert R.random_int64() == expected


def test_state_round_trip_repeats_the_stream() -> None:
    cgengine.manual_seed(3)
    cgengine.randn(3)  # leaves a cached normal
    state = cgengine.get_rng_state()
    first = cgengine.randn(5).tolist()
    cgengine.set_rng_state(state)
    assert cgengine.randn(5).tolist() == first


def test_unseeded_programs_differ_and_seeds_are_remembered() -> None:
    cgengine.seed()
    first = cgengine.rand(4).tolist()
    cgengine.seed()
    assert cgengine.rand(4).tolist() != first
    cgengine.manual_seed(77)
    assert cgengine.initial_seed() == 77
