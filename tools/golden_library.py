"""Golden snippets for cgengine's library layer (random numbers, nn, optim, utils.data, save/load).

Each snippet is a short piece of course-style code. :func:`record` runs it under torch 2.13 and
keeps what a student would see: everything it printed, the exception it raised (type and text),
and, where a snippet sets ``values``, those numbers (tensors as nested lists with their dtype).
tests/test_library_golden.py runs the same code with ``torch = cgengine`` and compares: printed
text and errors exactly, ``values`` to the dtype's tolerance (100 optimiser steps may differ from
torch's in the last bits where torch fuses a multiply and an add).

The names in scope are ``torch``, ``nn`` (torch.nn), ``F`` (torch.nn.functional), ``optim``,
``data`` (torch.utils.data), ``np`` and ``path`` (a fresh temporary folder, for save/load).
Recorded into ``tests/golden/<group>.json`` by ``python tools/record_golden.py``.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

#: Object addresses change from run to run: ``<... object at 0x7f...>`` is compared without them.
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

RANDOM = {
    "rand_seed0": """
torch.manual_seed(0)
print(torch.rand(3))
print(torch.rand(2, 2))
""",
    "randn_small_caches_the_sine": """
torch.manual_seed(3)
print(torch.randn(3))
print(torch.randn(1))
print(torch.randn(5))
""",
    "randn_blocks_of_16": """
torch.manual_seed(1)
x = torch.randn(40)
print(x[:5], x[-5:])
values = [x, torch.randn(16), torch.randn(100, 3)]
""",
    "randn_float64": """
torch.manual_seed(2)
values = [torch.randn(5, dtype=torch.float64), torch.randn(33, dtype=torch.float64)]
""",
    "normal_course_clouds": """
torch.manual_seed(10)
n_data = torch.ones(100, 2)
x0 = torch.normal(1.7 * n_data, 1) + 1
x1 = torch.normal(-1.7 * n_data, 1) + 1
print(x0[:3])
print(x1[-2:])
values = [x0, x1]
""",
    "normal_forms": """
torch.manual_seed(4)
print(torch.normal(2, 3, size=(2, 3)))
print(torch.normal(torch.arange(4.), 0.5))
print(torch.normal(0.5, torch.tensor([1., 2., 3.])))
print(torch.normal(torch.zeros(2), torch.ones(2)))
""",
    "randint_forms": """
torch.manual_seed(5)
print(torch.randint(10, (5,)))
print(torch.randint(-3, 3, (2, 4)))
print(torch.randint(0, 2**40, (2,)))
print(torch.randint(0, 10, (3,), dtype=torch.float32))
""",
    "randperm": """
torch.manual_seed(6)
print(torch.randperm(10))
values = [torch.randperm(1000)]
""",
    "bernoulli": """
torch.manual_seed(7)
print(torch.bernoulli(torch.full((8,), 0.3)))
print(torch.bernoulli(torch.rand(2, 3)))
""",
    "generator_objects": """
g = torch.Generator().manual_seed(42)
print(torch.rand(2, generator=g))
print(torch.Generator().initial_seed())
print(g.initial_seed())
print(torch.randperm(6, generator=g))
""",
    "uniform_large": """
torch.manual_seed(8)
values = [torch.rand(5000), torch.rand(7, dtype=torch.float64)]
""",
    "randint_errors": "torch.randint(5, 5, (2,))",
    "normal_needs_size": "torch.normal(2.0, 3.0)",
}

#: The snippet groups, each recorded to tests/golden/<name>.json.
GROUPS: dict[str, dict[str, str]] = {"random": RANDOM}


def _plain(value: Any, torch: ModuleType) -> Any:
    """A recorded value: tensors as {"dtype", "data"}, containers element by element."""
    if isinstance(value, torch.Tensor):
        return {"dtype": str(value.dtype).removeprefix("torch."),
                "data": value.detach().tolist()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, torch) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, torch) for k, v in value.items()}
    return value


def namespace(torch: ModuleType, folder: Path) -> dict[str, Any]:
    """The names a snippet runs with, for ``torch`` or for cgengine."""
    import importlib

    return {"torch": torch, "nn": importlib.import_module(f"{torch.__name__}.nn"),
            "F": importlib.import_module(f"{torch.__name__}.nn.functional"),
            "optim": importlib.import_module(f"{torch.__name__}.optim"),
            "data": importlib.import_module(f"{torch.__name__}.utils.data"),
            "np": np, "path": folder}


def run(code: str, torch: ModuleType) -> dict[str, Any]:
    """Run one snippet; return what it printed, raised and left in ``values``."""
    out = io.StringIO()
    result: dict[str, Any] = {"stdout": "", "error": None, "values": None}
    with tempfile.TemporaryDirectory() as folder:
        scope = namespace(torch, Path(folder))
        try:
            with contextlib.redirect_stdout(out):
                exec(code, scope)
        except Exception as exc:  # noqa: BLE001 - recording whatever is raised is the point
            result["error"] = {"type": type(exc).__name__, "message": str(exc)}
        result["values"] = _plain(scope.get("values"), torch)
    result["stdout"] = out.getvalue()
    return result


def record(torch: ModuleType) -> dict[str, list[dict[str, Any]]]:
    """Every group's snippets run under ``torch``: {group: [{name, code, stdout, error, ...}]}."""
    return {group: [{"name": name, "code": code, **run(code, torch)}
                    for name, code in snippets.items()]
            for group, snippets in GROUPS.items()}
