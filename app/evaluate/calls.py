"""How one operation node becomes one engine call.

A node type names a function below the engine module ("add", "nn.functional.mse_loss"); the node's
inputs are passed positionally in port order and its params as keywords, with the few adaptations
below so that the call is exactly the PyTorch code a student would write. The function path comes
from the registry, never from a file, so content cannot make this call anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from app.registry import NodeType

#: torch.cat and torch.stack take one sequence of tensors, not one argument per tensor.
_SEQUENCE_INPUT = frozenset({"cat", "stack"})
#: Reductions whose keepdim only means something along a dim (torch.sum(x, keepdim=True) is a
#: TypeError in torch), so keepdim is dropped when dim is absent.
_DIM_REDUCTIONS = frozenset({"sum", "mean", "max"})


_FUNCTIONS: dict[tuple[str, str], Callable[..., Any]] = {}


def engine_function(engine: ModuleType, node_type: NodeType) -> Callable[..., Any]:
    """The engine function a node type calls, e.g. ``engine.nn.functional.mse_loss``."""
    key = (engine.__name__, node_type.function)
    function = _FUNCTIONS.get(key)
    if function is None:
        target: Any = engine
        for part in node_type.function.split("."):
            target = getattr(target, part)
        function = _FUNCTIONS[key] = target
    return function


def call_op(engine: ModuleType, node_type: NodeType, inputs: list[Any],
            params: dict[str, Any]) -> Any:
    """Run the node's function on ``inputs`` (one per port) and return the resulting tensor.

    Params missing from ``params`` take the registry default; a param that is None is absent
    (sum's dim=None means torch.sum(x)). Whatever the engine raises propagates to the caller.
    """
    keywords: dict[str, Any] = {}
    for spec in node_type.params:
        value = params.get(spec.name, spec.default)
        if value is None:
            continue
        keywords[spec.name] = tuple(value) if spec.kind == "shape" else value
    if node_type.name in _DIM_REDUCTIONS and "dim" not in keywords:
        keywords.pop("keepdim", None)

    args: list[Any] = [list(inputs)] if node_type.name in _SEQUENCE_INPUT else list(inputs)
    if "shape" in keywords:
        # torch.reshape(x, shape) but cgengine.reshape(x, *shape): positional suits both
        args.append(keywords.pop("shape"))
    result = engine_function(engine, node_type)(*args, **keywords)
    if node_type.name == "max" and "dim" in keywords:
        return result[0]  # max along a dim returns (values, indices)
    return result
