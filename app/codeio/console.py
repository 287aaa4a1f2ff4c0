"""What the code's ``print(...)`` calls would print under PyTorch, read from the evaluated graph.

The code is never run: each print is a :class:`~app.codeio.live.PrintProbe` (its call and the
names bound where it stands), and its arguments are worked out by the small reader below from
the evaluation of the graph the code builds (values, ``.grad``, ``is_leaf``, ``grad_fn``, ...),
as the script would see them at that place: before ``backward()`` every ``.grad`` is None.
Tensors print as torch prints them (:func:`app.display.values.format_tensor`), a grad_fn as
``<AddBackward0 object at 0x...>`` (the address made up, the same for one node), tuples and
lists with their items' reprs, f-strings and ``sep``/``end`` as Python does. The tuple of
``g = torch.autograd.grad(y, [w, x])`` comes from a backward of a copy of the graph from ``y``
(:func:`autograd_grads`); after a backward or a call without ``retain_graph=True`` has freed the
graph, torch would fail, and the console does not guess. ``g = torch.autograd.grad(y, x)`` of one
input is a grad node, and ``g`` prints as its 1-tuple. A layer's parameters (``net.weight``,
``model.features.bias``, their ``.grad``) come from its module node; after ``optimizer.step()``
or ``zero_grad()``, which the Training dock does instead, weights and gradients are not shown.

What torch writes to stderr comes too, as a warning entry: reading ``.grad`` of a tensor that is
not a leaf and keeps no gradient gives torch's UserWarning (once per line, as Python's warning
filter shows it). An operation or a backward that fails stops the script there, as it would.
A print the reader cannot work out without running code (``x.sum()``, arithmetic on tensors)
gives an "unsupported" entry naming it, and the prints after it go on.
"""

from __future__ import annotations

import ast
import math
import operator
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.codeio.live import AutogradGrad, LiveParse, PrintProbe
from app.codeio.nn_import import Layer, Model
from app.codeio.operands import Tuple
from app.display.values import format_tensor
from app.evaluate import NodeResult, evaluate_document
from app.model import GraphDocument

#: torch's warning on reading .grad of a non-leaf tensor, as torch 2.13 words it.
NON_LEAF_GRAD_WARNING = (
    "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
    "Its .grad attribute won't be populated during autograd.backward(). If you indeed want the "
    ".grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf "
    "Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf "
    "Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.")
#: torch's warning on float(t) / int(t) of a tensor that requires grad.
SCALAR_WARNING = ("UserWarning: Converting a tensor with requires_grad=True to a scalar may "
                  "lead to unexpected behavior.\nConsider using tensor.detach() first.")
#: The longest text one print may make (a format width or a repeated string past it is refused).
MAX_PRINT_CHARS = 100_000

ResultOf = Callable[[str], "NodeResult | None"]
Hidden = Callable[[str, str], bool]
#: (output, inputs) -> the gradients torch.autograd.grad gives, None where not worked out
GradsOf = Callable[[str, tuple[str, ...]], "list[Any] | None"]


@dataclass(frozen=True)
class ConsoleEntry:
    """One thing the console shows: ``kind`` "out" (what print wrote to stdout, line ends
    included), "warning" (a line torch writes to stderr), "error" (the script stops here) or
    "unsupported" (a print the console cannot show); ``line`` is the code's line."""

    kind: str
    text: str
    line: int


def console_entries(parse: LiveParse, result_of: ResultOf,
                    hidden: Hidden = lambda _node, _what: False,
                    grads_of: GradsOf | None = None) -> list[ConsoleEntry]:
    """What the prints of ``parse`` show, in the order of the code. ``result_of(parse id)`` is
    the evaluation of a node (None: not evaluated); ``hidden(parse id, "value" or "grad")``
    says which numbers the class is predicting (a print showing one says so instead);
    ``grads_of`` works out a ``torch.autograd.grad`` call (see :func:`autograd_grads`)."""
    entries: list[ConsoleEntry] = []
    warned: set[tuple[int, str]] = set()
    probes = {probe.first: probe for probe in parse.prints}
    output = parse.doc.output
    freed = [grad.line for grad in parse.grads if not grad.retain_graph]
    for statement in parse.statements:
        if statement.kind == "backward" and any(line < statement.first for line in freed):
            # torch fails there unless the two graphs share no part: not worked out
            entries.append(ConsoleEntry(
                "unsupported", "backward() after torch.autograd.grad() without "
                "retain_graph=True is not shown", statement.first))
            return entries
        if statement.kind == "nodes":
            for node_id in statement.nodes:
                result = result_of(node_id)
                if result is not None and result.error and result.value is None:
                    entries.append(ConsoleEntry("error", result.error, statement.first))
                    return entries
        elif statement.kind == "backward" and output is not None:
            result = result_of(output)
            if result is not None and result.error and result.value is not None:
                entries.append(ConsoleEntry("error", result.error, statement.first))
                return entries
        elif statement.kind == "print" and statement.first in probes:
            probe = probes[statement.first]
            printer = _Printer(probe, result_of, hidden, _autograd(parse, grads_of))
            try:
                text = printer.print_text()
            except _Unsupported as exc:
                entries.append(ConsoleEntry("unsupported", str(exc), probe.first))
                continue
            except _Hidden:
                entries.append(ConsoleEntry("hidden", "", probe.first))
                continue
            except _Raised as exc:
                entries += [ConsoleEntry("warning", w, probe.first) for w in printer.warnings]
                entries.append(ConsoleEntry("error", str(exc), probe.first))
                return entries
            for warning in printer.warnings:
                if (probe.first, warning) not in warned:  # Python shows a warning once a line
                    warned.add((probe.first, warning))
                    entries.append(ConsoleEntry("warning", warning, probe.first))
            entries.append(ConsoleEntry("out", text, probe.first))
    return entries


def stdout_text(entries: list[ConsoleEntry]) -> str:
    """What the script writes to stdout: the prints' text alone."""
    return "".join(entry.text for entry in entries if entry.kind == "out")


class _Unsupported(Exception):
    """A print argument the console cannot work out without running code."""


class _Hidden(Exception):
    """A print shows a number the class is predicting."""


class _Raised(Exception):
    """The print would raise under torch (its message, as torch words it)."""


@dataclass(frozen=True)
class _Tensor:
    """A tensor as print sees it: the node it is (None for a gradient or a detached copy)."""

    array: np.ndarray
    dtype: str
    grad_fn: str | None = None
    requires_grad: bool = False
    node: str | None = None
    is_leaf: bool = True
    #: "weight" for ``net.weight``: a parameter of the module node ``node``
    parameter: str | None = None

    def text(self) -> str:
        text = format_tensor(self.array, dtype=self.dtype, grad_fn=self.grad_fn,
                             requires_grad=self.requires_grad and self.grad_fn is None)
        return "Parameter containing:\n" + text if self.parameter else text

    def item(self) -> int | float | bool:
        if self.array.size != 1:
            raise _Raised(f"RuntimeError: a Tensor with {self.array.size} elements cannot be "
                          "converted to Scalar")
        return self.array.reshape(()).item()


@dataclass(frozen=True)
class _Module:
    """A layer or a model the code built (``net``), as written (``model.features``)."""

    module: Layer | Model
    written: str

    def text(self) -> str:
        raise _Unsupported(f"{self.written} is not shown; its parameters, like "
                           f"{self.written}.weight, are")


@dataclass(frozen=True)
class _GradFn:
    name: str
    node: str

    def text(self) -> str:
        return f"<{self.name} object at 0x7f{zlib.crc32(self.node.encode()):010x}>"


@dataclass(frozen=True)
class _Shape:
    sizes: tuple[int, ...]

    def text(self) -> str:
        return f"torch.Size([{', '.join(str(size) for size in self.sizes)}])"


@dataclass(frozen=True)
class _Named:
    """An object printed by a fixed text: a dtype (torch.float32), the device (cpu)."""

    name: str

    def text(self) -> str:
        return self.name


@dataclass(frozen=True)
class _Array:
    """What ``t.numpy()`` gives: printed by numpy."""

    array: np.ndarray

    def text(self) -> str:
        return str(self.array)

    def repr_text(self) -> str:
        return repr(self.array)


_OBJECTS = (_Tensor, _Module, _GradFn, _Shape, _Named, _Array)
_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}


def autograd_grads(doc: GraphDocument, output: str, inputs: tuple[str, ...]) -> list[Any] | None:
    """What ``torch.autograd.grad(output, inputs)`` gives for ``doc``: the gradients from a
    backward of a copy of the graph from ``output``, each input keeping its gradient. None
    where torch would refuse the call (an output that is not one number or has no graph, an
    input it does not reach)."""
    if not doc.has_node(output) or not all(doc.has_node(node) for node in inputs):
        return None
    copy = doc.evaluation_copy()
    copy.set_output(output)
    needed, todo = {output}, [output]
    while todo:  # the graph of output alone: a grad node elsewhere must not free it first
        for source in copy.inputs_of(todo.pop()):
            if source is not None and source not in needed:
                needed.add(source)
                todo.append(source)
    for node in [node.id for node in copy.nodes if node.id not in needed]:
        copy.remove_node(node)
    for node in inputs:
        if copy.node(node).type != "scalar":
            copy.set_field(node, "retain_grad", True)
    result = evaluate_document(copy)
    out = result.nodes.get(output)
    if out is None or out.value is None or np.size(out.value) != 1 or out.grad_fn is None:
        return None
    grads = [result.nodes[node].grad if node in result.nodes else None for node in inputs]
    return None if any(grad is None for grad in grads) else grads


def _autograd(parse: LiveParse, grads_of: GradsOf | None) -> Callable[[AutogradGrad], list[Any]]:
    """The gradients of one torch.autograd.grad call, or _Unsupported where the console does
    not work them out: a graph an earlier backward or autograd.grad freed, or no ``grads_of``."""

    def grads(grad: AutogradGrad) -> list[Any]:
        freed = [other.line for other in parse.grads
                 if other.line < grad.line and not other.retain_graph]
        freed += [parse.lines.get(node.id, 0) for node in parse.doc.nodes
                  if node.type == "grad" and parse.lines.get(node.id, 0) < grad.line
                  and not (node.params.get("retain_graph") or node.params.get("create_graph"))]
        if parse.backward_line is not None and parse.backward_line < grad.line or freed:
            raise _Unsupported("torch.autograd.grad() after backward() or another "
                               "torch.autograd.grad() is not shown")
        found = grads_of(grad.output, grad.inputs) if grads_of is not None else None
        if found is None:
            raise _Unsupported("this torch.autograd.grad() is not shown")
        return found

    return grads


class _Printer:
    """Works out one print's arguments (see the module docstring)."""

    def __init__(self, probe: PrintProbe, result_of: ResultOf, hidden: Hidden,
                 autograd: Callable[[AutogradGrad], list[Any]]) -> None:
        self.probe = probe
        self.result_of = result_of
        self.hidden = hidden
        self.autograd = autograd
        self.warnings: list[str] = []

    def print_text(self) -> str:
        call = self.probe.call
        values = [self.value(arg) for arg in call.args]
        options = {"sep": " ", "end": "\n"}
        for keyword in call.keywords:
            if keyword.arg in options:
                chosen = self.value(keyword.value)
                if chosen is not None and not isinstance(chosen, str):
                    raise _Raised(f"TypeError: {keyword.arg} must be None or a string, not "
                                  f"{type(chosen).__name__}")
                options[keyword.arg] = options[keyword.arg] if chosen is None else chosen
            elif keyword.arg != "flush":
                raise _Unsupported(f"print(..., {keyword.arg}=...) is not shown")
        text = options["sep"].join(_str(value) for value in values) + options["end"]
        if len(text) > MAX_PRINT_CHARS:
            raise _Unsupported("the printed text is too long to show")
        return text

    # --------------------------------------------------------------- values
    def value(self, expr: ast.expr) -> Any:
        if isinstance(expr, ast.Constant):
            return expr.value
        if isinstance(expr, ast.Name):
            return self.name(expr.id)
        if isinstance(expr, ast.Attribute):
            return self.attribute(self.value(expr.value), expr.attr, expr)
        if isinstance(expr, ast.Call):
            return self.call(expr)
        if isinstance(expr, ast.JoinedStr):
            return "".join(self.formatted(part) for part in expr.values)
        if isinstance(expr, (ast.Tuple, ast.List)):
            items = [self.value(item) for item in expr.elts]
            return tuple(items) if isinstance(expr, ast.Tuple) else items
        if isinstance(expr, ast.Subscript):
            return self.subscript(self.value(expr.value), expr.slice)
        if isinstance(expr, ast.BinOp):
            return self.arithmetic(expr)
        if isinstance(expr, ast.UnaryOp):
            return self.unary(expr)
        raise _Unsupported(f"{_source(expr)} is not shown")

    def name(self, name: str) -> Any:
        operand = self.probe.variables.get(name)
        if operand is None and name in self.probe.objects:
            return _Module(self.probe.objects[name], name)
        if operand is None:
            raise _Unsupported(f"{name} is not a tensor or a number")
        if isinstance(operand, AutogradGrad):
            return self.autograd_grads(operand)
        if isinstance(operand, Tuple):  # g = torch.autograd.grad(y, x): its grad node's 1-tuple
            return (self.tensor(operand.node_id),)
        node_id = getattr(operand, "node_id", None)
        if node_id is not None:
            return self.tensor(node_id)
        number = getattr(operand, "value", None)
        if isinstance(number, (int, float)):
            return number
        raise _Unsupported(f"{name} is not shown")

    def autograd_grads(self, grad: AutogradGrad) -> tuple[_Tensor, ...]:
        """The tuple torch.autograd.grad returned, one gradient per input."""
        dtypes = [self.result(node, "grad").dtype for node in grad.inputs]
        return tuple(_Tensor(np.asarray(array), dtype or "float32")
                     for array, dtype in zip(self.autograd(grad), dtypes))

    def result(self, node_id: str, what: str = "value") -> NodeResult:
        result = self.result_of(node_id)
        if result is None or result.value is None:
            raise _Unsupported("the graph has not been evaluated")
        if self.hidden(node_id, what):
            raise _Hidden
        return result

    def tensor(self, node_id: str) -> _Tensor:
        result = self.result(node_id)
        return _Tensor(np.asarray(result.value), result.dtype or "float32", result.grad_fn,
                       result.requires_grad, node_id, result.is_leaf)

    def attribute(self, owner: Any, name: str, expr: ast.expr) -> Any:
        if isinstance(owner, _Tensor):
            if name == "grad":
                return self.grad(owner)
            if name == "data":
                return _Tensor(owner.array, owner.dtype)
            simple = {"is_leaf": owner.is_leaf, "requires_grad": owner.requires_grad,
                      "shape": _Shape(owner.array.shape), "dtype": _Named(f"torch.{owner.dtype}"),
                      "ndim": owner.array.ndim, "device": _Named("cpu"),
                      "grad_fn": (_GradFn(owner.grad_fn, owner.node or "")
                                  if owner.grad_fn else None)}
            if name in simple:
                return simple[name]
        if isinstance(owner, _Module):
            return self.module_attribute(owner, name, expr)
        raise _Unsupported(f"{_source(expr)} is not shown")

    def module_attribute(self, owner: _Module, name: str, expr: ast.expr) -> Any:
        """``net.weight`` (the parameter, as the module's node holds it) or ``model.features``
        (a layer of a model)."""
        module = owner.module
        if isinstance(module, Model):
            if name in module.layers:
                return _Module(module.layers[name], f"{owner.written}.{name}")
        elif name in module.state:
            self.check_not_trained()
            described = None
            if module.node_id is not None:
                described = (self.result(module.node_id).state or {}).get(name)
            if described is not None and described.value is not None:
                array, dtype = np.asarray(described.value), described.dtype or "float32"
            else:
                array, dtype = np.asarray(module.state[name], dtype=np.float32), "float32"
            return _Tensor(array, dtype, None, True, module.node_id, True, name)
        elif name in {p.name for p in module.spec.params}:
            value = module.params.get(name)
            if isinstance(value, (int, float, bool)):
                return value
        raise _Unsupported(f"{_source(expr)} is not shown")

    def grad(self, tensor: _Tensor) -> _Tensor | None:
        """``t.grad`` where the print stands: None before backward, and torch's warning for a
        tensor that is not a leaf and keeps no gradient."""
        self.check_not_trained()
        if tensor.node is None:
            return None
        result = self.result(tensor.node, "grad")
        if tensor.parameter is not None:
            described = (result.state or {}).get(tensor.parameter)
            grad = described.grad if described is not None and self.probe.after_backward \
                else None
            return None if grad is None else _Tensor(np.asarray(grad), tensor.dtype)
        grad = result.grad if self.probe.after_backward else None
        if not result.is_leaf and tensor.node not in self.probe.retained and grad is None:
            self.warnings.append(NON_LEAF_GRAD_WARNING)
        if grad is None:
            return None
        return _Tensor(np.asarray(grad), result.dtype or "float32")

    def check_not_trained(self) -> None:
        if self.probe.after_training:
            raise _Unsupported(f"weights and gradients after {self.probe.after_training} are "
                               "not shown: the Training dock runs it")

    def call(self, call: ast.Call) -> Any:
        func = call.func
        if isinstance(func, ast.Name):
            return self.builtin(func.id, [self.value(arg) for arg in call.args], call)
        if isinstance(func, ast.Attribute) and not call.keywords:
            owner = self.value(func.value)
            args = [self.value(arg) for arg in call.args]
            return self.method(owner, func.attr, args, call)
        raise _Unsupported(f"{_source(call)} is not shown")

    def method(self, owner: Any, name: str, args: list[Any], call: ast.Call) -> Any:
        if isinstance(owner, _Tensor):
            if name == "item" and not args:
                return owner.item()
            if name == "tolist" and not args:
                return owner.array.tolist()
            if name == "size" and not args:
                return _Shape(owner.array.shape)
            if name == "size" and len(args) == 1 and isinstance(args[0], int):
                return _index(owner.array.shape, args[0], "dimension")
            if name == "dim" and not args:
                return owner.array.ndim
            if name == "numel" and not args:
                return int(owner.array.size)
            if name == "detach" and not args:
                return _Tensor(owner.array, owner.dtype)
            if name == "numpy" and not args:
                if owner.requires_grad:
                    raise _Raised("RuntimeError: Can't call numpy() on Tensor that requires "
                                  "grad. Use tensor.detach().numpy() instead.")
                return _Array(owner.array)
        if isinstance(owner, _GradFn) and name == "name" and not args:
            return owner.name
        raise _Unsupported(f"{_source(call)} is not shown")

    def builtin(self, name: str, args: list[Any], call: ast.Call) -> Any:
        if call.keywords:
            raise _Unsupported(f"{_source(call)} is not shown")
        if name == "str" and len(args) == 1:
            return _str(args[0])
        if name == "repr" and len(args) == 1:
            return _repr(args[0])
        if name == "format" and 1 <= len(args) <= 2:
            return self.format(args[0], args[1] if len(args) == 2 else "")
        if name in ("float", "int") and len(args) == 1:
            value = args[0]
            if isinstance(value, _Tensor):
                if value.requires_grad:
                    self.warnings.append(SCALAR_WARNING)
                value = value.item()
            if isinstance(value, (int, float)):
                try:
                    return _checked(float(value) if name == "float" else int(value))
                except (ValueError, OverflowError) as exc:
                    raise _Raised(f"{type(exc).__name__}: {exc}") from None
        if name == "len" and len(args) == 1:
            value = args[0]
            if isinstance(value, _Tensor):
                if value.array.ndim == 0:
                    raise _Raised("TypeError: len() of a 0-d tensor")
                return value.array.shape[0]
            if isinstance(value, _Shape):
                return len(value.sizes)
            if isinstance(value, (str, tuple, list)):
                return len(value)
        if name == "round" and 1 <= len(args) <= 2 and all(
                isinstance(a, (int, float)) and not isinstance(a, bool) for a in args):
            if len(args) == 2 and not (isinstance(args[1], int) and abs(args[1]) <= 400):
                raise _Unsupported(f"{_source(call)} is not shown")
            return _checked(round(*args))
        raise _Unsupported(f"{_source(call)} is not shown")

    def formatted(self, part: ast.expr) -> str:
        if isinstance(part, ast.Constant):
            return str(part.value)
        assert isinstance(part, ast.FormattedValue)
        value = self.value(part.value)
        if part.conversion == ord("r"):
            value = _repr(value)
        elif part.conversion in (ord("s"), ord("a")):
            value = _str(value) if part.conversion == ord("s") else ascii(_str(value))
        spec = self.value(part.format_spec) if part.format_spec is not None else ""
        return self.format(value, spec)

    def format(self, value: Any, spec: Any) -> str:
        if not isinstance(spec, str):
            raise _Unsupported("a format spec that is not a string is not shown")
        if any(char.isdigit() for char in spec) and max(
                (int(run) for run in _digit_runs(spec)), default=0) > 1000:
            raise _Unsupported("a format width over 1000 is not shown")
        if isinstance(value, _Tensor):
            if value.array.ndim == 0:
                return format(value.item(), spec)  # torch formats a 0-d tensor as its number
            value = value.text() if not spec else None
            if value is None:
                raise _Raised("TypeError: unsupported format string passed to "
                              "Tensor.__format__")
            return value
        if isinstance(value, _OBJECTS):
            if spec:
                raise _Raised(f"TypeError: unsupported format string passed to "
                              f"{type(value).__name__}.__format__")
            return value.text()
        try:
            return format(value, spec)
        except (ValueError, TypeError) as exc:
            raise _Raised(f"{type(exc).__name__}: {exc}") from None

    def subscript(self, owner: Any, index_expr: ast.expr) -> Any:
        if isinstance(index_expr, ast.Slice):
            parts = [None if part is None else self.value(part)
                     for part in (index_expr.lower, index_expr.upper, index_expr.step)]
            if not all(part is None or isinstance(part, int) for part in parts):
                raise _Unsupported("only integer slices are shown")
            index: Any = slice(*parts)
        else:
            index = self.value(index_expr)
        if isinstance(owner, _Tensor):
            if isinstance(index, bool) or not isinstance(index, (int, slice)):
                raise _Unsupported("a tensor indexed by anything but a number is not shown")
            if owner.array.ndim == 0:
                raise _Raised("IndexError: invalid index of a 0-dim tensor. Use `tensor.item()` "
                              "in Python or `tensor.item<T>()` in C++ to convert a 0-dim "
                              "tensor to a number")
            if isinstance(index, int):
                size = owner.array.shape[0]
                if not -size <= index < size:
                    raise _Raised(f"IndexError: index {index} is out of bounds for dimension 0 "
                                  f"with size {size}")
            if isinstance(index, slice) and index.step is not None and index.step <= 0:
                raise _Raised("ValueError: step must be greater than zero")
            tracked = owner.requires_grad
            grad_fn = ("SelectBackward0" if isinstance(index, int) else "SliceBackward0") \
                if tracked else None
            return _Tensor(np.asarray(owner.array[index]), owner.dtype, grad_fn, tracked,
                           None, not tracked)
        if isinstance(owner, _Shape):
            owner = owner.sizes
        if isinstance(owner, (tuple, list, str)) and isinstance(index, (int, slice)) \
                and not isinstance(index, bool):
            try:
                return owner[index]
            except IndexError as exc:
                raise _Raised(f"IndexError: {exc}") from None
        raise _Unsupported("this indexing is not shown")

    def arithmetic(self, expr: ast.BinOp) -> Any:
        left, right = self.value(expr.left), self.value(expr.right)
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, _OBJECTS)
                      for v in (left, right))
        if isinstance(expr.op, ast.Pow) and numbers:
            if isinstance(left, int) and isinstance(right, int) and right > 0 \
                    and abs(left) > 1 and right * math.log2(abs(left)) > 4096:
                raise _Unsupported(f"{_source(expr)} is too large to show")
            try:
                return _checked(left ** right)
            except (OverflowError, ZeroDivisionError) as exc:
                raise _Raised(f"{type(exc).__name__}: {exc}") from None
        function = _ARITHMETIC.get(type(expr.op))
        strings = isinstance(left, str) or isinstance(right, str)
        if function is None or not (numbers or strings):
            raise _Unsupported(f"{_source(expr)} is not shown (the console does not compute "
                               "with tensors)")
        if strings and isinstance(expr.op, ast.Mult):
            count = right if isinstance(left, str) else left
            if isinstance(count, int) and count * len(_str(left if isinstance(left, str)
                                                           else right)) > MAX_PRINT_CHARS:
                raise _Unsupported(f"{_source(expr)} is too long to show")
        if strings and isinstance(expr.op, ast.Mod):
            raise _Unsupported(f"{_source(expr)}: %-formatting is not shown")
        try:
            return _checked(function(left, right))
        except (TypeError, ZeroDivisionError, OverflowError, ValueError) as exc:
            raise _Raised(f"{type(exc).__name__}: {exc}") from None

    def unary(self, expr: ast.UnaryOp) -> Any:
        value = self.value(expr.operand)
        if isinstance(expr.op, ast.Not):
            if isinstance(value, _OBJECTS):
                raise _Unsupported(f"{_source(expr)} is not shown")
            return not value
        if isinstance(value, (int, float)) and isinstance(expr.op, (ast.USub, ast.UAdd)):
            return -value if isinstance(expr.op, ast.USub) else +value
        raise _Unsupported(f"{_source(expr)} is not shown (the console does not compute with "
                           "tensors)")


def _checked(value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > 10_000:
        raise _Unsupported("a number too large to show")
    return value


def _digit_runs(spec: str) -> list[str]:
    runs, current = [], ""
    for char in spec:
        if char.isdigit():
            current += char
        elif current:
            runs.append(current)
            current = ""
    return [*runs, current] if current else runs


def _index(sizes: tuple[int, ...], index: int, what: str) -> int:
    if not -len(sizes) <= index < len(sizes):
        raise _Raised(f"IndexError: {what} out of range (expected to be in range of "
                      f"[{-len(sizes)}, {len(sizes) - 1}], but got {index})")
    return sizes[index]


def _str(value: Any) -> str:
    """``str(value)`` as Python would give it for the objects print sees."""
    if isinstance(value, str):
        return value
    if isinstance(value, _OBJECTS):
        return value.text()
    return _repr(value)


def _repr(value: Any) -> str:
    """``repr(value)``, with the tensors and grad_fns inside tuples and lists."""
    if isinstance(value, _Array):
        return value.repr_text()
    if isinstance(value, _OBJECTS):
        return value.text()
    if isinstance(value, tuple):
        inner = ", ".join(_repr(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_repr(item) for item in value) + "]"
    return repr(value)


def _source(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."
