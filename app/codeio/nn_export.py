"""Module nodes and the optimizer as PyTorch code: ``net = torch.nn.Linear(2, 1)``, ``y = net(x)``.

A module named in the document (``module_name``), and every layer with weights, gets a line of
its own that builds it, then its call; an unnamed module without weights is called where it is
built (``p = torch.nn.Sigmoid()(z)``). A layer's weights come out as the document holds them:

- a layer with a seed is built right after ``torch.manual_seed(seed)``, as the document drew it;
- a layer without one is built from the stream the script's last ``manual_seed`` left, which
  :class:`ModuleWriter` follows as torch will (the only numbers a script draws are its layers');
- wherever the weights differ from what the script draws (they were edited, trained, or no seed
  fixes the stream), ``net.load_state_dict({...})`` puts in the document's values.

So the script computes the document's numbers on torch and imports back to the same graph. The
optimizer of the Training dock is written as the ``torch.optim`` line a training loop starts with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.evaluate.modules import initial_state
from app.model import GraphDocument, Node
from app.model.rules import OPTIMIZERS
from cgengine.random import Generator

#: The name of the optimizer in an exported script (made unique against the graph's names).
OPTIMIZER_NAME = "optimizer"


def module_variable_names(doc: GraphDocument, taken: dict[str, str],
                          identifier: Callable[[str], str]) -> dict[str, str]:
    """The python name of every module that needs a line of its own (named modules and layers
    with weights): its module_name (else its class in lower case) made a unique identifier
    that hides none of the tensors' names ``taken``."""
    used = set(taken.values())
    names: dict[str, str] = {}
    for node_id in taken:
        node = doc.node(node_id)
        if not node.spec.module or not (node.module_name or node.spec.state):
            continue
        base = identifier(node.module_name or node.spec.name.lower())
        name, suffix = base, 2
        while name in used:
            name, suffix = f"{base}_{suffix}", suffix + 1
        used.add(name)
        names[node_id] = name
    return names


class ModuleWriter:
    """Writes the module nodes of one script in order, following the script's random stream."""

    def __init__(self, names: dict[str, str], number_text: Callable[[Any], str],
                 value_text: Callable[[Any, str], str]) -> None:
        self.names = names
        self.number_text = number_text
        self.value_text = value_text
        #: what torch's global generator holds at this point of the script; None until the
        #: script seeds it (an unseeded torch draws differently on every run)
        self.generator: Generator | None = None

    def constructor(self, node: Node) -> str:
        """``torch.nn.Linear(2, 1)``: the leading sizes by position, the rest by keyword where
        they differ from torch's defaults."""
        spec = node.spec
        params = spec.call_params(node.params)
        arguments = []
        for index, param in enumerate(p for p in spec.params if p.argument):
            value = params.get(param.name)
            if value is None or param.omit_default and value == param.default:
                continue
            text = repr(value) if isinstance(value, (str, bool)) else self.number_text(value)
            by_position = index < spec.positional and param.kind == "int" \
                and not param.omit_default
            arguments.append(text if by_position else f"{param.name}={text}")
        return f"torch.{spec.function}({', '.join(arguments)})"

    def statements(self, node: Node, result: str, arguments: list[str]) -> list[str]:
        """The lines that build the module (when it has a name) and call it on ``arguments``."""
        built = self.constructor(node)
        module = self.names.get(node.id)
        if module is None:
            return [f"{result} = {built}({', '.join(arguments)})"]
        lines = []
        if node.spec.state:
            seed = node.params.get("seed")
            if seed is not None:
                lines.append(f"torch.manual_seed({seed})")
                self.generator = Generator().manual_seed(seed)
            lines.append(f"{module} = {built}")
            drawn = (None if self.generator is None
                     else initial_state(node.spec, node.params, self.generator))
            if drawn != node.state:
                entries = ", ".join(f'"{name}": torch.tensor({self.value_text(value, "float32")})'
                                    for name, value in node.state.items())
                lines.append(f"{module}.load_state_dict({{{entries}}})")
        else:
            lines.append(f"{module} = {built}")
        lines.append(f"{result} = {module}({', '.join(arguments)})")
        return lines

    def parameter_names(self, node: Node) -> list[str]:
        """``net.weight``, ``net.bias``: the leaves a layer holds, as the script names them."""
        module = self.names.get(node.id)
        return [f"{module}.{name}" for name in node.state] if module is not None else []


def optimizer_lines(settings: dict[str, Any] | None, parameters: list[str], name: str,
                    number_text: Callable[[Any], str]) -> list[str]:
    """``optimizer = torch.optim.SGD([w, b], lr=0.01, momentum=0.9)`` for the Training dock's
    optimizer (settings at torch's defaults left out), and what the dock does with it."""
    if settings is None:
        return []
    if not parameters:
        return [f"# the Training dock's optimizer ({settings['name']}) has no leaf to train"]
    defaults = OPTIMIZERS[settings["name"]]
    keywords = [f"lr={number_text(settings['lr'])}"]
    for key in defaults:
        value = settings[key]
        if key == "lr" or value == _TORCH_DEFAULTS.get(key):
            continue
        text = (f"({number_text(value[0])}, {number_text(value[1])})" if key == "betas"
                else number_text(value))
        keywords.append(f"{key}={text}")
    return [f"{name} = torch.optim.{settings['name']}([{', '.join(parameters)}], "
            f"{', '.join(keywords)})",
            "# the Training dock repeats: forward, backward(), "
            f"{name}.step(), {name}.zero_grad()"]


#: torch.optim's defaults of the settings the Training dock has (the learning rate aside).
_TORCH_DEFAULTS: dict[str, Any] = {"momentum": 0.0, "weight_decay": 0.0, "betas": [0.9, 0.999]}
