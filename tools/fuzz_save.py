"""Fuzz ``cgengine.load``: throw damaged, hostile and random files at it and count what happens.

    python tools/fuzz_save.py [CASES] [--seed N]

Every case is one file made by one of the generators below (seeded, so a run can be repeated):

- ``mutate``: a valid save (a model's state dict, an optimiser's state, a checkpoint dict) with
  its manifest changed in one to four places (fields deleted or retyped, tensor indices, shapes,
  dtypes and flags changed, values nested deeply) or its archive changed (entries compressed,
  dropped, resized or added, a pickle added);
- ``random_manifest``: a valid archive whose manifest is any JSON value, sometimes under a valid
  header;
- ``random_bytes``: random bytes, or a valid file with bytes flipped, cut or inserted.

:func:`check` is the property: loading either returns an object that saves and loads back to an
equal one, or raises ``cgengine.serialization.LoadError`` with a non-empty message. Anything else
is a crash: the script prints the first one (the input and the traceback) and exits 1, or prints
the counts and exits 0. tests/test_serialization_fuzz.py runs the same generators under
hypothesis.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import random
import sys
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

import cgengine  # noqa: E402
from cgengine.serialization import MANIFEST, LoadError  # noqa: E402

ACCEPTED, REFUSED = "accepted", "refused"
DEEP = "<deeply nested>"
ODD_VALUES: tuple[Any, ...] = (None, True, -1, 0, 2**70, 1.5, float("nan"), "x", "tensor", [],
                               {}, [1, 2], {"type": "tensor"}, {"type": "list"},
                               {"type": "tensor", "index": 10**9})


def _odd(rng: random.Random, among: int = len(ODD_VALUES)) -> Any:
    """A fresh copy of an odd value (never the shared one: mutations must not leak)."""
    return copy.deepcopy(ODD_VALUES[rng.randrange(among)])


def valid_save(rng: random.Random) -> bytes:
    """The bytes of a real save: a state dict, optimiser state or a checkpoint with both."""
    cgengine.manual_seed(rng.randrange(1000))
    model = cgengine.nn.Sequential(cgengine.nn.Linear(2, 3), cgengine.nn.ReLU(),
                                   cgengine.nn.Linear(3, 1))
    model.register_buffer("steps", cgengine.tensor([3, 4]))
    optimizer = cgengine.optim.Adam(model.parameters(), lr=0.01)
    for param in model.parameters():
        param.grad = cgengine.ones_like(param)
    optimizer.step()
    obj = rng.choice([model.state_dict(), optimizer.state_dict(),
                      {"epoch": 3, "model": model.state_dict(), "optimizer":
                       optimizer.state_dict(), "flags": cgengine.tensor([True, False]),
                       "size": cgengine.Size([2, 3]), "dtype": cgengine.float64}])
    out = io.BytesIO()
    cgengine.save(obj, out)
    return out.getvalue()


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(entries: dict[str, bytes], compress: frozenset[str] = frozenset()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, blob in entries.items():
            method = zipfile.ZIP_DEFLATED if name in compress else zipfile.ZIP_STORED
            archive.writestr(zipfile.ZipInfo(name), blob, compress_type=method)
    return out.getvalue()


def _nodes(value: Any, found: list[Any]) -> list[Any]:
    """Every dict and list inside a JSON value (the places a mutation can land)."""
    if isinstance(value, (dict, list)):
        found.append(value)
        for child in value.values() if isinstance(value, dict) else value:
            _nodes(child, found)
    return found


def _mutate_json(rng: random.Random, manifest: Any) -> None:
    target = rng.choice(_nodes(manifest, []))
    if isinstance(target, dict) and target:
        key = rng.choice(list(target))
        action = rng.randrange(4)
        if action == 0:
            del target[key]
        elif action == 1:
            target[key] = _odd(rng)
        elif action == 2:
            target[key] = DEEP  # replaced in the text: json.dumps cannot nest that deep
        else:
            target[rng.choice(["shape", "dtype", "index", "items", "extra"])] = rng.choice(
                [[-1], [2**40, 2**40], list(range(70)), "float128", "object", 0, 10**6, [[1]]])
    elif isinstance(target, list):
        if target and rng.random() < 0.5:
            target[rng.randrange(len(target))] = _odd(rng)
        else:
            target.append(_odd(rng))


def mutate(rng: random.Random) -> bytes:
    """A valid save, changed in one to four places."""
    entries = _entries(valid_save(rng))
    manifest = json.loads(entries[MANIFEST])
    compress: set[str] = set()
    for _ in range(rng.randint(1, 4)):
        action = rng.randrange(6)
        if action <= 2:
            _mutate_json(rng, manifest)
        elif action == 3:
            name = rng.choice(list(entries))
            if name != MANIFEST and rng.random() < 0.5:
                entries[name] = entries[name][: rng.randrange(len(entries[name]) + 1)] + bytes(
                    rng.randrange(3))
            else:
                compress.add(name)
        elif action == 4:
            entries.pop(rng.choice([n for n in entries if n != MANIFEST] or [MANIFEST]), None)
        else:
            entries[rng.choice(["archive/data.pkl", "tensors/99", "evil.py"])] = b"\x80\x04."
    depth = rng.choice([5, 150, 100_000])
    text = json.dumps(manifest).replace(
        json.dumps(DEEP), '{"type": "list", "items": [' * depth + "1" + "]}" * depth)
    entries[MANIFEST] = text.encode()
    return _zip(entries, frozenset(compress))


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind < 5:
        return _odd(rng, 10)
    if kind == 5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = ["type", "items", "index", "name", "format", "version", "tensors", "root", "x"]
    return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def random_manifest(rng: random.Random) -> bytes:
    """A valid archive around any JSON value, sometimes under a valid header."""
    value = _random_json(rng)
    if rng.random() < 0.6:
        value = {"format": "cgengine.save", "version": 1,
                 "tensors": rng.choice([[], [{"dtype": "float32", "shape": [2],
                                              "requires_grad": False, "parameter": False}]]),
                 "root": value}
    entries = {MANIFEST: json.dumps(value).encode(), "tensors/0": bytes(8)}
    return _zip(entries)


def random_bytes(rng: random.Random) -> bytes:
    """Random bytes, or a valid file with bytes flipped, cut or inserted."""
    if rng.random() < 0.3:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
    data = bytearray(valid_save(rng))
    for _ in range(rng.randint(1, 6)):
        action = rng.randrange(3)
        position = rng.randrange(len(data) + 1)
        if action == 0 and data:
            data[min(position, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif action == 1:
            del data[position:position + rng.randrange(1, 64)]
        else:
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randrange(8)))
    return bytes(data)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, cgengine.Tensor):
        return (type(a) is type(b) and a.dtype == b.dtype and a.requires_grad == b.requires_grad
                and np.array_equal(a._data, b._data, equal_nan=True))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return (type(a) is type(b) and list(a) == list(b)
                and all(_same(a[k], b[k]) for k in a))
    return a == b or (a != a and b != b)  # nan == nan here


def check(data: bytes) -> str:
    """Load ``data``: ACCEPTED if it loads and saves back to an equal object, REFUSED if it
    raises LoadError with a message; any other exception propagates (a bug)."""
    try:
        obj = cgengine.load(io.BytesIO(data))
    except LoadError as exc:
        assert str(exc).strip(), "a LoadError without a message"
        return REFUSED
    again = io.BytesIO()
    cgengine.save(obj, again)
    assert _same(obj, cgengine.load(io.BytesIO(again.getvalue()))), "save(load(f)) changed"
    return ACCEPTED


GENERATORS: dict[str, Callable[[random.Random], bytes]] = {
    "mutate": mutate, "random_manifest": random_manifest, "random_bytes": random_bytes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    counts: Counter[str] = Counter()
    for case in range(args.cases):
        name = list(GENERATORS)[case % len(GENERATORS)]
        data = GENERATORS[name](random.Random(args.seed * 1_000_003 + case))
        try:
            counts[f"{name} {check(data)}"] += 1
        except Exception:
            print(f"case {case} ({name}) crashed; the input ({len(data)} bytes): {data[:200]!r}")
            traceback.print_exc()
            return 1
    for key in sorted(counts):
        print(f"{key:28} {counts[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
