"""Fuzz tests of cgengine.load: damaged, hostile and random files are refused cleanly.

The property (``tools.fuzz_save.check``): loading returns an object that saves and loads back
equal, or raises ``LoadError`` with a message; any other exception is a bug. The generators are
those of tools/fuzz_save.py, driven by hypothesis, plus hypothesis' own byte strings.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.fuzz_save import (
    ACCEPTED,
    REFUSED,
    check,
    mutate,
    random_bytes,
    random_manifest,
    valid_save,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDED = st.randoms(use_true_random=False)


@FUZZ
@given(SEEDED)
def test_mutated_saves_load_or_refuse_cleanly(rng: random.Random) -> None:
    assert check(mutate(rng)) in (ACCEPTED, REFUSED)


@FUZZ
@given(SEEDED)
def test_random_manifests_load_or_refuse_cleanly(rng: random.Random) -> None:
    assert check(random_manifest(rng)) in (ACCEPTED, REFUSED)


@FUZZ
@given(SEEDED)
def test_damaged_and_random_bytes_load_or_refuse_cleanly(rng: random.Random) -> None:
    assert check(random_bytes(rng)) in (ACCEPTED, REFUSED)


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_load_or_refuse_cleanly(data: bytes) -> None:
    assert check(data) in (ACCEPTED, REFUSED)


@FUZZ
@given(st.binary(min_size=1, max_size=200))
def test_bytes_after_a_zip_header_load_or_refuse_cleanly(tail: bytes) -> None:
    assert check(b"PK\x03\x04" + tail) in (ACCEPTED, REFUSED)


def test_the_valid_saves_the_generators_start_from_are_accepted() -> None:
    for seed in range(6):
        assert check(valid_save(random.Random(seed))) == ACCEPTED
