"""How one operation node becomes one engine call.

A node type names a function below the engine module ("add", "nn.functional.mse_loss") or a
module class ("nn.Linear", built from the node's params and called); an op node's
inputs are passed positionally in port order and its params as keywords, adapted as its registry
entry declares (inputs as one list, a shape passed positionally, keepdim only with a dim, the
values of a (values, indices) result) so that the call is exactly the PyTorch code a student would
write. The function path comes from the registry, never from a file, so content cannot make this
call anything else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType
from typing import Any

from app.registry import NodeType


def engine_function(engine: ModuleType, node_type: NodeType) -> Callable[..., Any]:
    """The engine function a node type calls, e.g. ``engine.nn.functional.mse_loss``."""
    return _resolve(engine, node_type.function)


@functools.cache  # looked up once per engine and path: an evaluation calls thousands of ops
def _resolve(engine: ModuleType, path: str) -> Callable[..., Any]:
    target: Any = engine
    for part in path.split("."):
        target = getattr(target, part)
    return target


def build_module(engine: ModuleType, node_type: NodeType, params: dict[str, Any],
                 state: dict[str, Any]) -> Any:
    """The torch.nn module a module node stands for (``net = nn.Linear(2, 1)``), built with
    the node's params and holding the node's ``state`` in its parameter tensors.

    The constructor draws throwaway initial weights from the engine's global generator, as it
    always does; ``load_state_dict`` then puts in the node's values.
    """
    module = engine_function(engine, node_type)(**node_type.call_params(params))
    if node_type.state:
        module.load_state_dict({name: engine.tensor(value, dtype=engine.float32)
                                for name, value in state.items()})
    return module


def call_op(engine: ModuleType, node_type: NodeType, inputs: list[Any],
            params: dict[str, Any], state: dict[str, Any] | None = None) -> Any:
    """Run the node's function on ``inputs`` (one per port) and return the resulting tensor.

    Params missing from ``params`` take the registry default; a param that is None is absent
    (sum's dim=None means torch.sum(x)). A module node builds its module (with ``state``, its
    parameter tensors) and calls it. Whatever the engine raises propagates to the caller.
    """
    if node_type.module:
        return build_module(engine, node_type, params, state or {})(*inputs)
    keywords = node_type.call_params(params)
    args: list[Any] = [list(inputs)] if node_type.sequence_input else list(inputs)
    shape = node_type.shape_param
    if shape is not None and shape.name in keywords:
        # torch.reshape(x, shape) but cgengine.reshape(x, *shape): positional suits both
        args.append(keywords.pop(shape.name))
    result = engine_function(engine, node_type)(*args, **keywords)
    if node_type.values_along_dim and "dim" in keywords:
        return result[0]  # along a dim: (values, indices)
    return result


def call_in_place(node_type: NodeType, inputs: list[Any], params: dict[str, Any]) -> Any:
    """The op as the in-place method of its first input, ``inputs[0].add_(inputs[1])``: it
    changes that tensor and returns it (torch refuses a leaf that requires grad)."""
    keywords = node_type.call_params(params)
    return getattr(inputs[0], f"{node_type.function}_")(*inputs[1:], **keywords)
