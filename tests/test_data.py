"""cgengine.utils.data against torch.utils.data: the same batches in the same order, epoch after
epoch, and the default random stream left where torch leaves it (torch is the oracle)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import cgengine
from cgengine.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)
from tests.oracle import torch


def epochs(engine: Any, seed: int, n: int, epochs: int = 3, **options: Any) -> list[Any]:
    """Every batch of several epochs (as lists), then the next number of the default stream."""
    engine.manual_seed(seed)
    x = engine.arange(float(n * 2)).reshape(n, 2)
    y = engine.arange(n)
    loader = engine.utils.data.DataLoader(engine.utils.data.TensorDataset(x, y), **options)
    seen = [len(loader)]
    for _ in range(epochs):
        seen.append([(bx.tolist(), by.tolist()) for bx, by in loader])
    seen.append(engine.rand(2).tolist())
    return seen


@pytest.mark.parametrize("seed", [0, 1, 42])
@pytest.mark.parametrize("options", [
    {"batch_size": 2, "shuffle": True},
    {"batch_size": 3, "shuffle": True, "drop_last": True},
    {"batch_size": 4},
    {"batch_size": 16, "shuffle": True},
    {"batch_size": 5, "shuffle": True, "drop_last": False},
], ids=str)
def test_shuffled_epochs_are_torch_epochs(seed: int, options: dict[str, Any]) -> None:
    assert epochs(cgengine, seed, 11, **options) == epochs(torch, seed, 11, **options)


def test_a_generator_drives_the_shuffle_and_leaves_the_default_stream_alone() -> None:
    def run(engine: Any) -> list[Any]:
        engine.manual_seed(3)
        gen = engine.Generator().manual_seed(7)
        loader = engine.utils.data.DataLoader(list(range(10)), batch_size=4, shuffle=True,
                                              generator=gen)
        return [[b.tolist() for b in loader] for _ in range(2)] + [engine.rand(1).tolist()]

    assert run(cgengine) == run(torch)


@pytest.mark.parametrize("lengths", [[7, 3], [0.5, 0.3, 0.2], [0.34, 0.33, 0.33], [10, 0]])
def test_random_split_is_torch_split(lengths: list[Any]) -> None:
    def split(engine: Any) -> list[list[int]]:
        gen = engine.Generator().manual_seed(5)
        return [list(part) for part in engine.utils.data.random_split(range(10), lengths,
                                                                       generator=gen)]

    assert split(cgengine) == split(torch)


def test_random_split_checks_lengths() -> None:
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(5), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(range(5), [1.5, -0.5])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(3), [1.0, 0.0])


def test_sampling_with_replacement_matches_torch() -> None:
    def draw(engine: Any) -> list[int]:
        gen = engine.Generator().manual_seed(9)
        sampler = engine.utils.data.RandomSampler(range(5), replacement=True, num_samples=40,
                                                  generator=gen)
        return list(sampler)

    assert draw(cgengine) == draw(torch)


def test_default_collate_builds_torch_batches() -> None:
    assert default_collate([1, 2]).dtype == cgengine.int64
    assert default_collate([1.5, 2.0]).dtype == cgengine.float64
    assert default_collate([True, False]).dtype == cgengine.bool
    assert default_collate([np.float32(1.5), np.float32(2)]).dtype == cgengine.float32
    assert default_collate(["a", "b"]) == ["a", "b"]
    batch = default_collate([(cgengine.ones(2), 0), (cgengine.zeros(2), 1)])
    assert isinstance(batch, list) and batch[0].shape == (2, 2) and batch[1].tolist() == [0, 1]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])


def test_samplers_and_datasets_compose() -> None:
    data = TensorDataset(cgengine.arange(6))
    assert list(SequentialSampler(data)) == [0, 1, 2, 3, 4, 5]
    assert list(BatchSampler(range(5), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    assert len(BatchSampler(range(5), 2, drop_last=True)) == 2
    assert len(RandomSampler(data, num_samples=9)) == 9
    both = ConcatDataset([data, Subset(data, [5, 0])])
    assert len(both) == 8 and both[6][0].item() == 5 and both[-1][0].item() == 0
    assert len(data + data) == 12
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BatchSampler(range(3), 0, drop_last=False)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(data, num_samples=0)


def test_iterable_datasets_are_batched_as_they_stream() -> None:
    class Stream(IterableDataset):
        def __iter__(self) -> Any:
            return iter(range(7))

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5],
                                                                        [6]]
    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=True)] == [
        [0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="expected unspecified shuffle"):
        DataLoader(Stream(), shuffle=True)


def test_loader_options_are_checked() -> None:
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(range(4), batch_size=2, batch_sampler=[[0, 1]])
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(range(4), num_workers=-1)
    assert [b.tolist() for b in DataLoader(range(4), batch_sampler=[[3, 0], [1]])] == [[3, 0],
                                                                                      [1]]
    assert [b.tolist() for b in DataLoader(range(4), batch_size=2, num_workers=2)] == [[0, 1],
                                                                                     [2, 3]]


def test_a_dataset_subclass_must_define_getitem() -> None:
    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        Dataset()[0]
