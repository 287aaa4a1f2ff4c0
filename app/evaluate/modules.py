"""torch.nn modules as nodes: how a layer's weights are first drawn.

A module node (``NodeType.module``: "Linear", "Sigmoid", "BCELoss", ...) is the module of
torch.nn the registry names, built with the node's params as its constructor's arguments and
called on the node's inputs, as ``net = nn.Linear(2, 1); y = net(x)`` does
(``app.evaluate.calls.build_module``). A module with parameter tensors takes the values the node
stores (``Node.state``), so its weight and bias are the leaves the student edits and trains.

``initial_state`` draws a fresh state exactly as torch's constructor does after
``torch.manual_seed(seed)``, from a generator of its own: the engine's global one (which the
evaluation may be using on its worker thread) is never touched. ``generator`` lets the code
importer continue one stream across several layers, as a script does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import cgengine
from app.registry import NodeType
from cgengine.random import Generator

#: The seed a layer is drawn from when nothing says otherwise (a new node, or imported code
#: that never calls torch.manual_seed).
DEFAULT_SEED = 0


def _linear(sizes: dict[str, tuple[int, ...]], generator: Generator) -> dict[str, Any]:
    """nn.Linear.reset_parameters: kaiming_uniform_(weight, a=sqrt(5)), then the bias uniform
    in +-1/sqrt(in_features), both drawn from ``generator`` in that order."""
    weight = cgengine.empty(*sizes["weight"])
    cgengine.nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    state = {"weight": weight}
    if "bias" in sizes:
        fan_in = sizes["weight"][1]
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        bias = cgengine.empty(*sizes["bias"])
        cgengine.nn.init.uniform_(bias, -bound, bound, generator=generator)
        state["bias"] = bias
    return state


#: How each module class with parameter tensors initialises them (its reset_parameters).
_INITIALISERS: dict[str, Callable[[dict[str, tuple[int, ...]], Generator], dict[str, Any]]] = {
    "nn.Linear": _linear,
}


def initial_state(node_type: NodeType, params: dict[str, Any],
                  generator: Generator | None = None) -> dict[str, Any]:
    """The state a fresh module with ``params`` starts with, as nested lists of float32 values.

    Drawn from ``generator`` where it continues a stream (imported code), else from a generator
    seeded with the node's ``seed`` param (``DEFAULT_SEED`` when it has none): the numbers of
    ``torch.manual_seed(seed); nn.Linear(...)``.
    """
    if not node_type.state:
        return {}
    if generator is None:
        seed = params.get("seed")
        generator = Generator().manual_seed(DEFAULT_SEED if seed is None else seed)
    tensors = _INITIALISERS[node_type.function](node_type.state_shapes(params), generator)
    return {name: tensor.tolist() for name, tensor in tensors.items()}
