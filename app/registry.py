"""The catalogue of node types the editor offers, as plain data.

Every operation node is named after the cgengine (and torch) function it calls, so a document
reads like the PyTorch code it stands for. Qt display details (colours, icons) live in the canvas,
not here, so that this module can be imported by the evaluator and the file loader without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ParamKind = Literal["int", "float", "bool", "optional_int", "optional_float", "shape"]

#: Categories in the order the palette shows them.
CATEGORIES: tuple[str, ...] = (
    "Tensors",
    "Arithmetic",
    "Elementwise",
    "Activations",
    "Reductions",
    "Shape",
    "Linear algebra",
    "Losses",
)


@dataclass(frozen=True)
class PortSpec:
    """One input of an operation, in the position of the torch signature.

    ``default`` is the python number used when nothing is wired to the port (like an unconnected
    socket in Blender); ``None`` means the port must be wired.
    """

    name: str
    default: float | None = None


@dataclass(frozen=True)
class ParamSpec:
    """A keyword argument of an operation (dim, keepdim, alpha, ...)."""

    name: str
    kind: ParamKind
    default: Any = None


@dataclass(frozen=True)
class NodeType:
    """A kind of node: a leaf tensor, a python-number operand, or one engine function."""

    name: str
    category: str
    title: str
    inputs: tuple[PortSpec, ...] = ()
    params: tuple[ParamSpec, ...] = ()
    #: Dotted path of the function below the engine module, e.g. "add" or "nn.functional.mse_loss".
    function: str = ""
    doc: str = ""
    kind: Literal["tensor", "scalar", "op"] = "op"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_op(self) -> bool:
        return self.kind == "op"

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def default_params(self) -> dict[str, Any]:
        return {spec.name: spec.default for spec in self.params}


def _unary(name: str, category: str, doc: str, *params: ParamSpec) -> NodeType:
    return NodeType(name, category, name, (PortSpec("input"),), params, name, doc)


def _binary(name: str, category: str, doc: str, *params: ParamSpec,
            second: str = "other", function: str | None = None) -> NodeType:
    return NodeType(name, category, name, (PortSpec("input"), PortSpec(second)), params,
                    function or name, doc)


_DIM = ParamSpec("dim", "optional_int", None)
_KEEPDIM = ParamSpec("keepdim", "bool", False)
_SOFTDIM = ParamSpec("dim", "int", -1)

_TYPES: tuple[NodeType, ...] = (
    NodeType("tensor", "Tensors", "tensor", kind="tensor",
             doc="A leaf tensor created by the user, like torch.tensor([1.], requires_grad=True)."),
    NodeType("scalar", "Tensors", "scalar", kind="scalar",
             doc="A python number operand, like the 1 in torch.add(w, 1). It has no gradient."),
    _binary("add", "Arithmetic", "input + alpha * other", ParamSpec("alpha", "float", 1)),
    _binary("sub", "Arithmetic", "input - alpha * other", ParamSpec("alpha", "float", 1)),
    _binary("mul", "Arithmetic", "input * other (elementwise, broadcasting)"),
    _binary("div", "Arithmetic", "input / other (elementwise, broadcasting)"),
    _unary("neg", "Arithmetic", "-input"),
    NodeType("pow", "Arithmetic", "pow", (PortSpec("input"), PortSpec("exponent", 2.0)), (),
             "pow", "input ** exponent; the exponent is a number unless a tensor is wired to it"),
    _unary("exp", "Elementwise", "e ** input"),
    _unary("log", "Elementwise", "natural logarithm"),
    _unary("sqrt", "Elementwise", "square root"),
    _unary("abs", "Elementwise", "absolute value (gradient 0 at 0, as torch)"),
    _unary("sin", "Elementwise", "sine"),
    _unary("cos", "Elementwise", "cosine"),
    _unary("clamp", "Elementwise", "limit input to [min, max]",
           ParamSpec("min", "optional_float", None), ParamSpec("max", "optional_float", None)),
    _binary("maximum", "Elementwise", "elementwise maximum (ties split the gradient)"),
    _binary("minimum", "Elementwise", "elementwise minimum (ties split the gradient)"),
    _unary("relu", "Activations", "max(input, 0); gradient 0 at 0"),
    _unary("sigmoid", "Activations", "1 / (1 + exp(-input))"),
    _unary("tanh", "Activations", "hyperbolic tangent"),
    _unary("softmax", "Activations", "exp(input) normalised along dim", _SOFTDIM),
    _unary("log_softmax", "Activations", "log of softmax along dim", _SOFTDIM),
    _unary("sum", "Reductions", "sum of all elements, or along dim", _DIM, _KEEPDIM),
    _unary("mean", "Reductions", "mean of all elements, or along dim", _DIM, _KEEPDIM),
    _unary("max", "Reductions", "largest element, or largest along dim", _DIM, _KEEPDIM),
    _unary("reshape", "Shape", "same elements, new shape", ParamSpec("shape", "shape", (-1,))),
    _unary("flatten", "Shape", "all elements in one dimension"),
    _unary("transpose", "Shape", "swap two dimensions",
           ParamSpec("dim0", "int", 0), ParamSpec("dim1", "int", 1)),
    _unary("t", "Shape", "transpose of a matrix"),
    _unary("unsqueeze", "Shape", "insert a dimension of size 1", ParamSpec("dim", "int", 0)),
    _unary("squeeze", "Shape", "remove dimensions of size 1", _DIM),
    NodeType("cat", "Shape", "cat", (PortSpec("tensor0"), PortSpec("tensor1")),
             (ParamSpec("dim", "int", 0),), "cat", "join two tensors along an existing dim"),
    NodeType("stack", "Shape", "stack", (PortSpec("tensor0"), PortSpec("tensor1")),
             (ParamSpec("dim", "int", 0),), "stack", "join two tensors along a new dim"),
    _binary("matmul", "Linear algebra", "matrix product (vectors and matrices)"),
    _binary("mm", "Linear algebra", "product of two matrices", second="mat2"),
    _binary("mse_loss", "Losses", "mean squared error", second="target",
            function="nn.functional.mse_loss"),
    _binary("cross_entropy", "Losses", "softmax cross-entropy; target holds class indices (int64)",
            second="target", function="nn.functional.cross_entropy"),
    _binary("binary_cross_entropy_with_logits", "Losses", "sigmoid + binary cross-entropy",
            second="target", function="nn.functional.binary_cross_entropy_with_logits"),
)

NODE_TYPES: dict[str, NodeType] = {t.name: t for t in _TYPES}


def node_type(name: str) -> NodeType:
    """The node type called ``name``; raises KeyError for an unknown one."""
    return NODE_TYPES[name]


def types_in(category: str) -> list[NodeType]:
    """Node types of one palette category, in catalogue order."""
    return [t for t in _TYPES if t.category == category]
