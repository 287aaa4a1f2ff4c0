"""The rules a document's nodes and wires follow, each written once.

What a dtype may be, which fields a kind of node carries and which of them an edit may change,
which parameters an operation takes and what values they hold, which input ports a node has.
:class:`~app.model.document.GraphDocument` checks every mutation with these functions, the
controller asks the document before it pushes an undo command, and the .cgraph reader
(:mod:`app.fileio.schema`) checks a file's fields with the very same functions. So a value the
editor accepts is one a file may hold, and the other way round.

A refusal is a typed error of :mod:`app.model.errors` whose message says where, what was expected
and what was found ("dtype: expected one of float32, float64, int64, got 'float16'"); ``where``
is the caller's name for the place: a field name in the editor, a path such as
"nodes[0] (id 'w').dtype" in a file.
"""

from __future__ import annotations

import math
from typing import Any

from app.model.backward_plan import MAX_BACKWARD_STEPS, BackwardPlan, BackwardStep
from app.model.errors import InvalidValueError, PortError
from app.registry import NodeType, ParamSpec, StateSpec

DTYPES: tuple[str, ...] = ("float32", "float64", "int64")
#: As many dimensions as a tensor (or a reshape's shape) may have: nested brackets in a file or
#: in the inspector.
MAX_TENSOR_DIMS = 8

#: The fields a node of each kind carries besides its id and type, in the order a file lists them.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "tensor": ("label", "pos", "value", "dtype", "requires_grad", "retain_grad"),
    "scalar": ("label", "pos", "value"),
    "op": ("label", "pos", "retain_grad", "params", "inplace"),
}
#: Fields a file holds only where they differ from this default (format version 2 added them).
OPTIONAL_FIELDS: dict[str, Any] = {"inplace": False}
#: The node fields an edit may set (``GraphDocument.set_field``); a position changes by a move,
#: parameters by ``set_param``.
EDITABLE_FIELDS: tuple[str, ...] = ("label", "value", "dtype", "requires_grad", "retain_grad",
                                    "inplace")
#: The fields of a note.
NOTE_FIELDS: tuple[str, ...] = ("text", "pos", "size")
#: The fields a module node (nn.Linear, nn.BCELoss, ...) carries besides an op's: the name of the
#: module in code (``net`` in ``net = nn.Linear(2, 1)``, "" when unnamed) and, for a module with
#: parameter tensors, their values (its state_dict).
MODULE_FIELDS: tuple[str, ...] = ("module_name", "state")


# ----------------------------------------------------------------------- values
def describe(value: Any) -> str:
    """A value as a message shows it: 'x', 3, true, null, a list, an object (JSON's words)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def refusal(where: str, message: str) -> str:
    """``message`` with its place in front: "where: message" (just the message without one)."""
    return f"{where}: {message}" if where else message


def is_number(value: Any) -> bool:
    """An int or a float, and not a bool (which Python counts as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite(number: int | float) -> bool:
    """math.isfinite that also answers for integers too large for a float (10**400: False)."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


def expect_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidValueError(refusal(where, f"expected true or false, got {describe(value)}"))
    return value


def expect_integer(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidValueError(refusal(where, f"expected an integer, got {describe(value)}"))
    return value


def expect_number(value: Any, where: str) -> int | float:
    if not is_number(value):
        raise InvalidValueError(refusal(where, f"expected a number, got {describe(value)}"))
    return value


def expect_finite(value: Any, where: str) -> int | float:
    number = expect_number(value, where)
    if not is_finite(number):
        raise InvalidValueError(refusal(where, f"expected a finite number, got {describe(value)}"))
    return number


# ----------------------------------------------------------------------- fields
def check_dtype(value: Any, where: str = "dtype") -> str:
    """``value`` if it names a dtype a tensor node may have."""
    if not isinstance(value, str) or value not in DTYPES:
        raise InvalidValueError(refusal(where, f"expected one of {', '.join(DTYPES)}, "
                                               f"got {describe(value)}"))
    return value


def check_editable_field(name: str) -> None:
    """Refuse a node field that ``set_field`` cannot change."""
    if name not in EDITABLE_FIELDS and name not in MODULE_FIELDS:
        raise InvalidValueError(f"a node has no editable field {name!r}")


def node_fields(node_type: NodeType) -> tuple[str, ...]:
    """The fields a node of ``node_type`` carries besides its id and type, in file order."""
    fields = KIND_FIELDS[node_type.kind]
    if node_type.module:
        fields += MODULE_FIELDS if node_type.state else MODULE_FIELDS[:1]
    return fields


def value_field(node_type: NodeType) -> str:
    """The field holding what training changes: a leaf's ``value``, a module's ``state``."""
    return "state" if node_type.state else "value"


def check_node_field(node_type: NodeType, name: str) -> None:
    """Refuse a field the node's type does not carry (a state on an add node)."""
    check_editable_field(name)
    if name in MODULE_FIELDS and name not in node_fields(node_type):
        what = "parameter tensors" if name == "state" else "module name"
        raise InvalidValueError(f"a {node_type.name} node has no {what} ({name!r})")


def check_note_field(name: str) -> None:
    if name not in NOTE_FIELDS:
        raise InvalidValueError(f"a note has no field {name!r}")


# ----------------------------------------------------------------------- params
def param_names(node_type: NodeType) -> list[str]:
    """The parameters an operation takes: its keyword arguments, then the numbers of the input
    ports that have a default (pow's exponent), used while nothing is wired there."""
    return [spec.name for spec in node_type.params] + [
        port.name for port in node_type.inputs if port.default is not None]


def check_param_name(node_type: NodeType, name: str, where: str = "") -> None:
    """Refuse a parameter ``node_type`` does not take, naming those it does."""
    known = param_names(node_type)
    if name not in known:
        raise InvalidValueError(refusal(where, f"{node_type.name} has no parameter {name!r} "
                                               f"(it has: {', '.join(known) or 'none'})"))


def check_param(node_type: NodeType, name: str, value: Any, where: str = "") -> Any:
    """``value`` as parameter ``name`` of ``node_type`` holds it (a shape as a tuple).

    ``where`` names the parameter's place; None is the value of an optional parameter left out.
    """
    check_param_name(node_type, name, where)
    here = f"{where}.{name}" if where else name
    spec = next((p for p in node_type.params if p.name == name), None)
    if spec is None:  # an unwired port's number
        return expect_finite(value, here)
    return _param_value(spec, value, here)


def _param_value(spec: ParamSpec, value: Any, where: str) -> Any:
    if value is None and spec.kind.startswith("optional_"):
        return None
    if spec.kind in ("int", "optional_int"):
        number = expect_integer(value, where)
        if spec.minimum is not None and number < spec.minimum:
            raise InvalidValueError(refusal(where, f"expected an integer >= {spec.minimum}, "
                                                   f"got {number}"))
        return number
    if spec.kind == "choice":
        if not isinstance(value, str) or value not in spec.choices:
            raise InvalidValueError(refusal(where, "expected one of "
                                                   f"{', '.join(map(repr, spec.choices))}, "
                                                   f"got {describe(value)}"))
        return value
    if spec.kind in ("float", "optional_float"):
        return expect_finite(value, where)
    if spec.kind == "bool":
        return expect_bool(value, where)
    # "shape": sizes, one of which may be -1 (inferred), as in reshape(-1, 2)
    if not isinstance(value, (list, tuple)):
        raise InvalidValueError(refusal(where, f"expected a list, got {describe(value)}"))
    if len(value) > MAX_TENSOR_DIMS:
        raise InvalidValueError(refusal(where, f"at most {MAX_TENSOR_DIMS} entries, "
                                               f"not {len(value)}"))
    for i, size in enumerate(value):
        if expect_integer(size, f"{where}[{i}]") < -1:
            raise InvalidValueError(refusal(f"{where}[{i}]",
                                            f"expected a size >= 0 or -1, got {size}"))
    if list(value).count(-1) > 1:
        raise InvalidValueError(refusal(where, "only one size can be -1 (inferred)"))
    return tuple(value)


# ----------------------------------------------------------------------- ports
def check_port(node_type: NodeType, port: int, name: str) -> None:
    """Refuse input ``port`` of a node of ``node_type`` called ``name`` when it has no such
    input: a leaf has none, an operation one per argument of its function."""
    count = len(node_type.inputs)
    if count == 0:
        raise PortError(f"{name} is a {node_type.name} node and has no inputs")
    if not 0 <= port < count:
        raise PortError(f"{name} ({node_type.name}) has inputs 0..{count - 1}, not {port}")


# ------------------------------------------------- in place, backward calls, graph modes
#: How a branch node's taken side is named (a trace freezes these).
SIDES: tuple[str, ...] = ("then", "else")
#: "dynamic": every edit runs the graph (define-by-run, PyTorch); "static": the graph is defined
#: first and runs only on Run (define-then-run).
MODES: tuple[str, ...] = ("dynamic", "static")


def check_inplace(node_type: NodeType, value: Any, where: str = "inplace") -> bool:
    """``value`` if an op of ``node_type`` may be switched to (or from) its in-place form."""
    flag = expect_bool(value, where)
    if flag and not node_type.in_place:
        raise InvalidValueError(refusal(where, f"{node_type.name} has no in-place form"))
    return flag


def check_mode(value: Any, where: str = "mode") -> str:
    if not isinstance(value, str) or value not in MODES:
        raise InvalidValueError(refusal(where, f"expected one of {', '.join(MODES)}, "
                                               f"got {describe(value)}"))
    return value


def check_trace(trace: Any, node_types: dict[str, NodeType], where: str = "trace") -> \
        dict[str, str] | None:
    """A trace as a document holds it: branch node id -> the side it took, or None."""
    if trace is None:
        return None
    if not isinstance(trace, dict):
        raise InvalidValueError(refusal(where, f"expected an object, got {describe(trace)}"))
    for node_id, side in trace.items():
        here = f"{where}.{node_id}"
        node_type = node_types.get(node_id)
        if node_type is None:
            raise InvalidValueError(refusal(here, f"no node with id {node_id!r}"))
        if node_type.control != "choose":
            raise InvalidValueError(refusal(here, f"{node_id!r} is a {node_type.name} node, "
                                                  "not a branch"))
        if not isinstance(side, str) or side not in SIDES:
            raise InvalidValueError(refusal(here, f"expected one of {', '.join(SIDES)}, "
                                                  f"got {describe(side)}"))
    return dict(trace)


def check_backward_plan(plan: BackwardPlan, node_types: dict[str, NodeType],
                        where: str = "backward") -> BackwardPlan:
    """``plan`` if its steps may run on a document with these nodes (id -> type): at most
    ``MAX_BACKWARD_STEPS`` steps, and zero_grad steps naming tensors of the graph and parameter
    tensors its layers hold."""
    if len(plan.steps) > MAX_BACKWARD_STEPS:
        raise InvalidValueError(refusal(f"{where}.steps", f"at most {MAX_BACKWARD_STEPS} steps, "
                                                          f"not {len(plan.steps)}"))
    for index, step in enumerate(plan.steps):
        here = f"{where}.steps[{index}]"
        if not isinstance(step, BackwardStep) or step.kind not in ("backward", "zero_grad"):
            raise InvalidValueError(refusal(here, "expected a backward or zero_grad step"))
        if step.kind == "backward" and (step.nodes or step.parameters):
            raise InvalidValueError(refusal(f"{here}.nodes", "a backward step names no nodes"))
        if step.kind == "zero_grad" and not (step.nodes or step.parameters):
            raise InvalidValueError(refusal(f"{here}.nodes",
                                            "name at least one node or parameter"))
        for node_id in step.nodes:
            node_type = node_types.get(node_id)
            if node_type is None:
                raise InvalidValueError(refusal(f"{here}.nodes", f"no node with id {node_id!r}"))
            if node_type.kind == "scalar":
                raise InvalidValueError(refusal(f"{here}.nodes", f"{node_id!r} is a python "
                                                                 "number, which has no .grad"))
        if len(set(step.nodes)) != len(step.nodes):
            raise InvalidValueError(refusal(f"{here}.nodes", "a node is named twice"))
        _check_parameters(step.parameters, node_types, f"{here}.parameters")
    return plan


def _check_parameters(parameters: Any, node_types: dict[str, NodeType], where: str) -> None:
    """(module node id, parameter name) pairs naming parameter tensors a layer may hold."""
    for parameter in parameters:
        if not (isinstance(parameter, tuple) and len(parameter) == 2
                and all(isinstance(part, str) for part in parameter)):
            raise InvalidValueError(refusal(where, "expected (node id, parameter name) pairs"))
        node_id, name = parameter
        node_type = node_types.get(node_id)
        if node_type is None:
            raise InvalidValueError(refusal(where, f"no node with id {node_id!r}"))
        if not node_type.state:
            raise InvalidValueError(refusal(where, f"{node_id!r} is a {node_type.name} node, "
                                                   "which holds no parameter"))
        if name not in {spec.name for spec in node_type.state}:
            raise InvalidValueError(refusal(where, f"{node_type.function} has no parameter "
                                                   f"{name!r}"))
    if len(set(parameters)) != len(parameters):
        raise InvalidValueError(refusal(where, "a parameter is named twice"))


# ----------------------------------------------------------------------- module state
#: The most numbers one parameter tensor of a module may hold, as one tensor of a file.
MAX_STATE_ELEMENTS = 1_000_000


def value_shape(value: Any, where: str) -> tuple[int, ...]:
    """The shape of a tensor value (a number or rectangular nested lists of numbers)."""
    if is_number(value):
        return ()
    if not isinstance(value, list):
        raise InvalidValueError(refusal(where, "expected a number or a nested list of numbers, "
                                               f"got {describe(value)}"))
    shape: list[int] = []
    level = [value]
    while level and all(isinstance(item, list) for item in level):
        if len(shape) == MAX_TENSOR_DIMS:
            raise InvalidValueError(refusal(where, f"at most {MAX_TENSOR_DIMS} dimensions"))
        width = len(level[0])
        if any(len(item) != width for item in level):
            raise InvalidValueError(refusal(where, "a tensor must be rectangular"))
        shape.append(width)
        level = [child for item in level for child in item]
    if any(isinstance(item, list) for item in level):
        raise InvalidValueError(refusal(where, "mixes numbers and lists at the same depth "
                                               "(a tensor must be rectangular)"))
    for item in level:
        expect_number(item, where)
    return tuple(shape)


def _state_refusal(spec: StateSpec, shape: tuple[int, ...], found: tuple[int, ...],
                   where: str) -> InvalidValueError:
    sizes = ", ".join(spec.shape)
    return InvalidValueError(refusal(where, f"expected shape {list(shape)} ({sizes}), "
                                            f"got {list(found)}"))


def check_state_sizes(node_type: NodeType, params: dict[str, Any],
                      where: str = "state") -> dict[str, tuple[int, ...]]:
    """The shapes of the parameter tensors a ``node_type`` module with ``params`` holds,
    refusing sizes that make one larger than a file may hold (before anything is drawn)."""
    shapes = node_type.state_shapes(params)
    for name, shape in shapes.items():
        if not all(isinstance(size, int) and not isinstance(size, bool) for size in shape):
            raise InvalidValueError(refusal(f"{where}.{name}", f"sizes {list(shape)} are not "
                                                               "integers"))
        if math.prod(shape) > MAX_STATE_ELEMENTS:
            raise InvalidValueError(refusal(f"{where}.{name}",
                                            f"at most {MAX_STATE_ELEMENTS:,} elements, not "
                                            f"{math.prod(shape):,} (shape {list(shape)})"))
    return shapes


def check_state(node_type: NodeType, params: dict[str, Any], state: Any,
                where: str = "state") -> dict[str, Any]:
    """``state`` if it holds exactly the parameter tensors a ``node_type`` module with
    ``params`` has, each of the shape its sizes give (a Linear(2, 1) holds a weight of shape
    [1, 2] and a bias of shape [1])."""
    if not isinstance(state, dict):
        raise InvalidValueError(refusal(where, f"expected an object, got {describe(state)}"))
    expected = check_state_sizes(node_type, params, where)
    for name in state:
        if name not in expected:
            known = ", ".join(expected) or "none"
            raise InvalidValueError(refusal(where, f"a {node_type.name} with these parameters "
                                                   f"holds no {name!r} (it holds: {known})"))
    for name, shape in expected.items():
        if name not in state:
            raise InvalidValueError(refusal(where, f"missing {name!r}"))
        found = value_shape(state[name], f"{where}.{name}")
        if found != shape:
            spec = next(s for s in node_type.state if s.name == name)
            raise _state_refusal(spec, shape, found, f"{where}.{name}")
    return state


# ----------------------------------------------------------------------- optimizer
#: The optimizers the Training dock runs (torch.optim's), each with its settings and their
#: defaults: torch's, but for the learning rate, which starts where the lesson's examples learn.
OPTIMIZERS: dict[str, dict[str, Any]] = {
    "SGD": {"lr": 0.05, "momentum": 0.0, "weight_decay": 0.0},
    "Adam": {"lr": 0.001, "betas": [0.9, 0.999], "weight_decay": 0.0},
}


def check_optimizer(value: Any, where: str = "optimizer") -> dict[str, Any]:
    """``value`` as the optimizer settings of a document hold them: {"name": "SGD", "lr": ...},
    every setting of that optimizer present (missing ones take their defaults)."""
    if not isinstance(value, dict):
        raise InvalidValueError(refusal(where, f"expected an object, got {describe(value)}"))
    name = value.get("name")
    if name not in OPTIMIZERS:
        raise InvalidValueError(refusal(f"{where}.name", "expected one of "
                                                         f"{', '.join(map(repr, OPTIMIZERS))}, "
                                                         f"got {describe(name)}"))
    defaults = OPTIMIZERS[name]
    settings: dict[str, Any] = {"name": name}
    for key in value:
        if key != "name" and key not in defaults:
            raise InvalidValueError(refusal(where, f"{name} has no setting {key!r} (it has: "
                                                   f"{', '.join(defaults)})"))
    for key, default in defaults.items():
        item = value.get(key, default)
        here = f"{where}.{key}"
        if key == "betas":
            if not (isinstance(item, (list, tuple)) and len(item) == 2):
                raise InvalidValueError(refusal(here, "expected two numbers [beta1, beta2], "
                                                      f"got {describe(item)}"))
            for index, beta in enumerate(item):
                if not 0 <= expect_finite(beta, f"{here}[{index}]") < 1:
                    raise InvalidValueError(refusal(f"{here}[{index}]",
                                                    f"expected a number in [0, 1), got {beta}"))
            settings[key] = [float(beta) for beta in item]
            continue
        number = expect_finite(item, here)
        if key == "lr" and number <= 0:
            raise InvalidValueError(refusal(here, f"expected a number > 0, got {number}"))
        if number < 0:
            raise InvalidValueError(refusal(here, f"expected a number >= 0, got {number}"))
        settings[key] = float(number)
    return settings
