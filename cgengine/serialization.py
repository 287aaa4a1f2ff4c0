"""``cgengine.save`` and ``cgengine.load``: tensors, state dicts and optimiser state in a file
that cannot carry code.

torch.save pickles, and loading a pickle can run any code the file asks for (hence torch's
``weights_only``). This format has nothing to run: a zip archive (stored, not compressed) holding

- ``cgengine.json``: ``{"format": "cgengine.save", "version": 1, "tensors": [...], "root": ...}``
  where ``root`` is the saved object as JSON: numbers, strings, booleans and null as themselves;
  everything else as an object with a ``"type"``: ``list``, ``tuple``, ``dict`` and
  ``OrderedDict`` (with ``"items"``: values, or [key, value] pairs so keys keep their types),
  ``size`` (torch.Size), ``dtype`` and ``tensor`` (``"index"`` into ``tensors``);
- ``tensors/<index>``: each tensor's bytes, little-endian, C order; its entry in ``tensors``
  gives ``dtype``, ``shape``, ``requires_grad`` and whether it is a ``Parameter``.

A tensor saved twice in one object is stored once and loads as one tensor. :func:`load` checks
everything before building anything and refuses a damaged, hostile or foreign file (a torch
pickle, say) with one exception type, :class:`LoadError`, whose message says what is wrong.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
import zlib
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from cgengine import _dtype
from cgengine.nn.parameter import Parameter
from cgengine.tensor import Size, Tensor

FORMAT = "cgengine.save"
VERSION = 1
MANIFEST = "cgengine.json"
MAX_MANIFEST_BYTES = 64 * 2**20
MAX_DEPTH = 100  # nesting of lists and dicts; far beyond any state dict
MAX_DIMS = 64
DTYPES = {name: np.dtype(code) for name, code in (
    ("float16", "<f2"), ("float32", "<f4"), ("float64", "<f8"), ("int32", "<i4"),
    ("int64", "<i8"), ("bool", "|b1"))}
_CONTAINERS = {"list": list, "tuple": tuple}
_DICTS = {"dict": dict, "OrderedDict": OrderedDict}


class LoadError(RuntimeError):
    """The file is not a cgengine save that can be loaded; the message says why."""


# ---------------------------------------------------------------------- saving
def save(obj: Any, f: str | os.PathLike[str] | IO[bytes], pickle_module: Any = None,
         pickle_protocol: int | None = None, _use_new_zipfile_serialization: bool = True) -> None:
    """Write ``obj`` (tensors, Parameters, numbers, strings, None, torch.Size, dtypes, and
    lists, tuples and dicts of them: state dicts, optimiser state, checkpoints) to ``f``, a
    path or a binary file. The pickle arguments of torch.save are accepted and unused."""
    tensors: list[Tensor] = []
    seen: dict[int, int] = {}

    def encode(value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ValueError(f"cgengine.save: the object is nested more than {MAX_DEPTH} deep")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, np.generic):
            return value
        if isinstance(value, np.generic) and value.dtype.kind in "biuf":
            return value.item()
        if isinstance(value, Tensor):
            if id(value) not in seen:
                seen[id(value)] = len(tensors)
                tensors.append(value)
            return {"type": "tensor", "index": seen[id(value)]}
        if isinstance(value, _dtype.dtype):
            return {"type": "dtype", "name": value.name}
        if isinstance(value, Size):
            return {"type": "size", "items": list(value)}
        if type(value) in (list, tuple):
            return {"type": type(value).__name__,
                    "items": [encode(v, depth + 1) for v in value]}
        if type(value) in (dict, OrderedDict):
            return {"type": type(value).__name__,
                    "items": [[encode(_key(k), depth + 1), encode(v, depth + 1)]
                              for k, v in value.items()]}
        raise TypeError(
            f"cgengine.save stores tensors, numbers, strings, None and lists, tuples and dicts "
            f"of them; it cannot store a {type(value).__name__}"
            + (" (save its state_dict() instead)" if hasattr(value, "state_dict") else ""))

    root = encode(obj, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        entries = []
        for index, t in enumerate(tensors):
            data = t._data
            if data.dtype.name not in DTYPES:
                raise TypeError(f"cgengine.save cannot store a tensor of dtype {data.dtype}")
            archive.writestr(f"tensors/{index}",
                             np.ascontiguousarray(data, dtype=DTYPES[data.dtype.name]).tobytes())
            entries.append({"dtype": data.dtype.name, "shape": list(data.shape),
                            "requires_grad": t.requires_grad,
                            "parameter": isinstance(t, Parameter)})
        manifest = {"format": FORMAT, "version": VERSION, "tensors": entries, "root": root}
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False))
    payload = buffer.getvalue()
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as out:
            out.write(payload)
    else:
        f.write(payload)


def _key(key: Any) -> Any:
    if key is None or isinstance(key, (bool, int, float, str)):
        return key
    raise TypeError(f"cgengine.save stores dict keys that are strings or numbers, not "
                    f"{type(key).__name__}")


# ---------------------------------------------------------------------- loading
def load(f: str | os.PathLike[str] | IO[bytes], map_location: Any = None,
         pickle_module: Any = None, *, weights_only: bool | None = None, mmap: Any = None,
         **pickle_load_args: Any) -> Any:
    """Read back what :func:`save` wrote. The file is checked entirely first; anything wrong
    raises :class:`LoadError`. ``map_location`` may name the CPU (cgengine's only device); the
    other arguments of torch.load are accepted (every cgengine file is weights only)."""
    if map_location is not None and not callable(map_location) \
            and not isinstance(map_location, dict) and str(map_location).split(":")[0] != "cpu":
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
            "False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU.")
    if isinstance(f, (str, os.PathLike)):
        try:
            with open(f, "rb") as stream:
                payload = stream.read()
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise LoadError(f"cannot read {os.fspath(f)!r}: {exc.strerror}") from None
    else:
        payload = f.read()
    return _Reader(payload).read()


class _Reader:
    """Checks one file and builds its object; every refusal is a LoadError."""

    def __init__(self, payload: bytes) -> None:
        if not isinstance(payload, bytes):
            raise LoadError("expected the bytes of a file")
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(payload))
            self.infos = {info.filename: info for info in self.archive.infolist()}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError,
                NotImplementedError, UnicodeDecodeError) as exc:
            raise LoadError(f"not a cgengine save file (not a readable zip archive: {exc})"
                            ) from None

    def _bytes(self, name: str, size: int | None = None) -> bytes:
        info = self.infos.get(name)
        if info is None:
            raise LoadError(f"the archive has no {name!r}")
        if info.compress_type != zipfile.ZIP_STORED:
            raise LoadError(f"{name!r} is compressed; cgengine files store their entries")
        if size is not None and info.file_size != size:
            raise LoadError(f"{name!r} holds {info.file_size} bytes; its shape and dtype need "
                            f"{size}")
        if info.file_size > max(size or 0, MAX_MANIFEST_BYTES):
            raise LoadError(f"{name!r} is too large")
        try:
            return self.archive.read(name)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, RuntimeError,
                NotImplementedError) as exc:
            raise LoadError(f"{name!r} is damaged ({exc})") from None

    def read(self) -> Any:
        if MANIFEST not in self.infos:
            if any(name.endswith("data.pkl") for name in self.infos):
                raise LoadError("this is a file saved by torch.save (a pickle); cgengine never "
                                "loads pickles, because loading one can run code")
            raise LoadError(f"not a cgengine save file (no {MANIFEST})")
        try:
            manifest = json.loads(self._bytes(MANIFEST).decode("utf-8"))
        except UnicodeDecodeError:
            raise LoadError(f"{MANIFEST} is not UTF-8 text") from None
        except RecursionError:
            raise LoadError(f"{MANIFEST} is nested too deeply") from None
        except ValueError as exc:
            raise LoadError(f"{MANIFEST} is not valid JSON ({exc})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise LoadError(f"not a cgengine save file ({MANIFEST} does not say "
                            f"'\"format\": \"{FORMAT}\"')")
        version = manifest.get("version")
        if version != VERSION:
            raise LoadError(f"file format version {version!r} is not supported (this cgengine "
                            f"reads version {VERSION})")
        entries = manifest.get("tensors")
        if not isinstance(entries, list):
            raise LoadError("'tensors' must be a list")
        if "root" not in manifest:
            raise LoadError(f"{MANIFEST} has no 'root'")
        self.entries = entries
        self.tensors: dict[int, Tensor] = {}
        return self._decode(manifest["root"], 0, "root")

    def _decode(self, node: Any, depth: int, where: str) -> Any:
        if depth > MAX_DEPTH:
            raise LoadError(f"{where}: nested more than {MAX_DEPTH} deep")
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            raise LoadError(f"{where}: expected a value or an object with a 'type'")
        kind = node["type"]
        if kind == "tensor":
            return self._tensor(node.get("index"), where)
        if kind == "dtype":
            name = node.get("name")
            if not isinstance(name, str) or name not in DTYPES:
                raise LoadError(f"{where}: unknown dtype {name!r}")
            return _dtype.from_numpy(np.dtype(name))
        items = node.get("items")
        if not isinstance(items, list):
            raise LoadError(f"{where}: a {kind} needs a list of 'items'")
        if kind == "size":
            if not all(type(v) is int and v >= 0 for v in items):
                raise LoadError(f"{where}: a size holds non-negative integers")
            return Size(items)
        if kind in _CONTAINERS:
            return _CONTAINERS[kind](self._decode(v, depth + 1, f"{where}[{i}]")
                                     for i, v in enumerate(items))
        if kind in _DICTS:
            result = _DICTS[kind]()
            for i, pair in enumerate(items):
                if not isinstance(pair, list) or len(pair) != 2:
                    raise LoadError(f"{where}: item {i} is not a [key, value] pair")
                key = pair[0]
                if not (key is None or isinstance(key, (bool, int, float, str))):
                    raise LoadError(f"{where}: key {i} is not a string or a number")
                result[key] = self._decode(pair[1], depth + 1, f"{where}[{key!r}]")
            return result
        raise LoadError(f"{where}: unknown type {kind!r}")

    def _tensor(self, index: Any, where: str) -> Tensor:
        if type(index) is not int or not 0 <= index < len(self.entries):
            raise LoadError(f"{where}: tensor index {index!r} is not in 'tensors'")
        if index in self.tensors:
            return self.tensors[index]
        entry = self.entries[index]
        name = f"tensors/{index}"
        if not isinstance(entry, dict):
            raise LoadError(f"{name}: its description is not an object")
        dtype, shape = entry.get("dtype"), entry.get("shape")
        requires_grad, parameter = entry.get("requires_grad"), entry.get("parameter")
        if not isinstance(dtype, str) or dtype not in DTYPES:
            raise LoadError(f"{name}: unknown dtype {dtype!r}")
        if not isinstance(shape, list) or len(shape) > MAX_DIMS \
                or not all(type(n) is int and n >= 0 for n in shape):
            raise LoadError(f"{name}: shape must be a list of at most {MAX_DIMS} non-negative "
                            "integers")
        if not isinstance(requires_grad, bool) or not isinstance(parameter, bool):
            raise LoadError(f"{name}: 'requires_grad' and 'parameter' must be true or false")
        if requires_grad and DTYPES[dtype].kind != "f":
            raise LoadError(f"{name}: a {dtype} tensor cannot require grad")
        size = math.prod(shape) * DTYPES[dtype].itemsize
        raw = self._bytes(name, size)
        if dtype == "bool":  # any nonzero byte is True: never hand numpy an invalid bool
            array = np.frombuffer(raw, dtype=np.uint8) != 0
        else:
            array = np.frombuffer(raw, dtype=DTYPES[dtype]).astype(dtype)  # a writeable copy
        array = array.reshape(shape)
        if parameter:
            tensor: Tensor = Parameter(Tensor._wrap(array), requires_grad)
        else:
            tensor = Tensor._wrap(array)
            tensor._requires_grad = requires_grad
        self.tensors[index] = tensor
        return tensor
