"""cgengine.save / cgengine.load: what a course saves comes back equal, and the format carries no
code: a torch pickle, a hostile archive or a damaged file is refused with LoadError and nothing
in it runs."""

from __future__ import annotations

import io
import json
import math
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import cgengine as torch
from cgengine import nn, optim
from cgengine.serialization import MANIFEST, LoadError
from tests.oracle import import_torch


def round_trip(obj: Any) -> Any:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer)


def archive(entries: dict[str, bytes]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, blob in entries.items():
            z.writestr(name, blob)
    out.seek(0)
    return out


def manifest_file(root: Any, tensors: list[Any] | None = None,
                  extra: dict[str, bytes] | None = None) -> io.BytesIO:
    text = json.dumps({"format": "cgengine.save", "version": 1, "tensors": tensors or [],
                       "root": root})
    return archive({MANIFEST: text.encode(), **(extra or {})})


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "int64", "bool"])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0), (2, 3, 4)])
def test_every_dtype_and_shape_comes_back_bit_for_bit(dtype: str, shape: tuple[int, ...]) -> None:
    data = np.asarray(np.random.default_rng(0).standard_normal(shape) * 5).astype(dtype)
    loaded = round_trip(torch.tensor(data))
    assert loaded.dtype == getattr(torch, dtype) and tuple(loaded.shape) == shape
    np.testing.assert_array_equal(loaded.numpy(), data)
    assert loaded.numpy().flags.writeable  # a loaded tensor can be trained in place


def test_parameters_flags_and_containers_keep_their_types() -> None:
    weight = nn.Parameter(torch.tensor([1.0, 2.0]))
    obj = {"w": weight, "again": [weight], "grad": torch.tensor([0.5], requires_grad=True),
           "frozen": nn.Parameter(torch.ones(1), requires_grad=False),
           "od": OrderedDict(b=1, a=2), 3: (None, True, 2**70, -0.0, "文字"), 2.5: "float key",
           "size": torch.Size([2, 3]), "dtype": torch.float64,
           "specials": [math.inf, -math.inf]}
    loaded = round_trip(obj)
    assert type(loaded["w"]) is nn.Parameter and loaded["w"].requires_grad
    assert loaded["again"][0] is loaded["w"]  # saved once, loaded as one tensor
    assert type(loaded["grad"]) is torch.Tensor and loaded["grad"].requires_grad
    assert loaded["grad"].is_leaf
    assert type(loaded["frozen"]) is nn.Parameter and not loaded["frozen"].requires_grad
    assert type(loaded["od"]) is OrderedDict and list(loaded["od"]) == ["b", "a"]
    assert loaded[3] == (None, True, 2**70, -0.0, "文字") and math.copysign(1, loaded[3][3]) < 0
    assert loaded[2.5] == "float key"
    assert loaded["size"] == torch.Size([2, 3]) and repr(loaded["size"]) == "torch.Size([2, 3])"
    assert loaded["dtype"] is torch.float64
    assert loaded["specials"] == [math.inf, -math.inf]
    assert math.isnan(round_trip(math.nan))


def test_paths_and_file_objects(tmp_path: Path) -> None:
    torch.save(torch.arange(3), tmp_path / "a.pt")
    torch.save(torch.arange(3), str(tmp_path / "b.pt"))
    with open(tmp_path / "c.pt", "wb") as f:
        torch.save(torch.arange(3), f)
    for name in ("a.pt", "b.pt", "c.pt"):
        assert torch.load(tmp_path / name).tolist() == [0, 1, 2]
    with open(tmp_path / "a.pt", "rb") as f:
        assert torch.load(f, map_location="cpu", weights_only=True).tolist() == [0, 1, 2]
    with pytest.raises(FileNotFoundError):
        torch.load(tmp_path / "missing.pt")


def test_a_gpu_map_location_is_refused_as_torch_refuses_it_without_cuda(tmp_path: Path) -> None:
    torch.save(torch.ones(1), tmp_path / "a.pt")
    with pytest.raises(RuntimeError, match="torch.cuda.is_available\\(\\) is False"):
        torch.load(tmp_path / "a.pt", map_location="cuda:0")


def test_only_data_can_be_saved() -> None:
    with pytest.raises(TypeError, match="cannot store a Linear \\(save its state_dict"):
        torch.save(nn.Linear(2, 1), io.BytesIO())
    with pytest.raises(TypeError, match="cannot store a function"):
        torch.save({"f": lambda: None}, io.BytesIO())
    with pytest.raises(TypeError, match="dict keys that are strings or numbers"):
        torch.save({(1, 2): 3}, io.BytesIO())


def test_training_resumes_from_a_checkpoint_exactly(tmp_path: Path) -> None:
    """Save model and optimiser mid-run, restore into fresh objects: the rest of the run is
    the same, number for number, as if it had never stopped."""
    torch.manual_seed(0)
    x, y = torch.randn(16, 3), torch.randn(16, 1)

    def train(model: nn.Module, opt: optim.Optimizer, steps: int) -> list[float]:
        losses = []
        for _ in range(steps):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses

    for make in (lambda p: optim.SGD(p, lr=0.05, momentum=0.9), lambda p: optim.Adam(p)):
        torch.manual_seed(1)
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
        opt = make(model.parameters())
        train(model, opt, 5)
        torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "c.pt")
        expected = train(model, opt, 5)
        fresh = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
        fresh_opt = make(fresh.parameters())
        checkpoint = torch.load(tmp_path / "c.pt")
        fresh.load_state_dict(checkpoint["model"])
        fresh_opt.load_state_dict(checkpoint["opt"])
        assert train(fresh, fresh_opt, 5) == expected


def test_a_torch_pickle_is_refused_and_never_run(tmp_path: Path) -> None:
    """A file laid out as torch.save lays it out, whose pickle would run code when unpickled:
    load refuses it by name, and the code does not run."""
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple[Any, ...]:
            return (Path.touch, (marker,))

    hostile = archive({"archive/data.pkl": pickle.dumps(Exploit()), "archive/version": b"3"})
    with pytest.raises(LoadError, match="saved by torch.save \\(a pickle\\)"):
        torch.load(hostile)
    assert not marker.exists()


def test_a_real_torch_file_is_refused_by_name(tmp_path: Path) -> None:
    real_torch = import_torch()
    real_torch.save({"w": real_torch.ones(2)}, tmp_path / "torch.pt")
    with pytest.raises(LoadError, match="saved by torch.save"):
        torch.load(tmp_path / "torch.pt")


@pytest.mark.parametrize(("make", "message"), [
    (lambda: io.BytesIO(b""), "not a readable zip archive"),
    (lambda: io.BytesIO(b"PK\x03\x04 not really"), "not a readable zip archive"),
    (lambda: archive({"other.json": b"{}"}), "no cgengine.json"),
    (lambda: archive({MANIFEST: b"\xff\xfe"}), "not UTF-8"),
    (lambda: archive({MANIFEST: b"{"}), "not valid JSON"),
    (lambda: archive({MANIFEST: b"[" * 100_000 + b"]" * 100_000}), "nested too deeply"),
    (lambda: archive({MANIFEST: b'{"format": "pickle"}'}), "does not say"),
    (lambda: archive({MANIFEST: b'{"format": "cgengine.save", "version": 99}'}),
     "version 99 is not supported"),
    (lambda: manifest_file({"type": "exec", "items": []}), "unknown type 'exec'"),
    (lambda: manifest_file({"type": "tensor", "index": 0}), "tensor index 0 is not in"),
    (lambda: manifest_file({"type": "list", "items": [{"type": "list", "items": 3}]}),
     "root\\[0\\]: a list needs a list of 'items'"),
    (lambda: manifest_file({"type": "dict", "items": [[[1], 2]]}), "key 0 is not a string"),
    (lambda: manifest_file({"type": "tensor", "index": 0},
                           [{"dtype": "object", "shape": [1], "requires_grad": False,
                             "parameter": False}]), "unknown dtype 'object'"),
    (lambda: manifest_file({"type": "tensor", "index": 0},
                           [{"dtype": "float32", "shape": [2**40, 2**40],
                             "requires_grad": False, "parameter": False}],
                           {"tensors/0": bytes(8)}), "holds 8 bytes"),
    (lambda: manifest_file({"type": "tensor", "index": 0},
                           [{"dtype": "int64", "shape": [1], "requires_grad": True,
                             "parameter": False}], {"tensors/0": bytes(8)}),
     "cannot require grad"),
    (lambda: manifest_file({"type": "tensor", "index": 0},
                           [{"dtype": "float32", "shape": [2], "requires_grad": False,
                             "parameter": False}]), "no 'tensors/0'"),
])
def test_hostile_and_damaged_files_raise_one_clear_error(make: Any, message: str) -> None:
    with pytest.raises(LoadError, match=message):
        torch.load(make())


def test_compressed_entries_are_refused_so_no_zip_bomb_is_inflated() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST, json.dumps({"format": "cgengine.save", "version": 1,
                                         "tensors": [], "root": 1}))
    out.seek(0)
    with pytest.raises(LoadError, match="is compressed"):
        torch.load(out)


def test_a_bool_tensor_with_odd_bytes_loads_as_proper_booleans() -> None:
    loaded = torch.load(manifest_file({"type": "tensor", "index": 0},
                                      [{"dtype": "bool", "shape": [3], "requires_grad": False,
                                        "parameter": False}], {"tensors/0": b"\x00\x07\xff"}))
    assert loaded.tolist() == [False, True, True]
    assert loaded.numpy().view(np.uint8).tolist() == [0, 1, 1]
