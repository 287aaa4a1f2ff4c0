"""The catalogue of node types the editor offers, as plain data.

Every operation node is named after the cgengine (and torch) function it calls, so a document
reads like the PyTorch code it stands for. An entry also declares how its call differs from a
plain ``torch.<function>(inputs..., **params)`` (see :class:`NodeType`); the evaluator
(app/evaluate/calls.py), the code importer and the exporter read that here, so adding an
operation is one entry in ``_TYPES`` plus its tests. Qt display details (colours, icons) live in
the canvas, not here, so that this module can be imported by the evaluator and the file loader
without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    "Autograd",
    "Control flow",
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
    """A keyword argument of an operation (dim, keepdim, alpha, ...).

    A "shape" parameter is passed positionally after the inputs, as in ``torch.reshape(x, (2, 3))``
    and ``x.reshape(2, 3)``. ``omit_default``: code leaves the keyword out while it has its default,
    as PyTorch code does (``torch.add(a, b)``, not ``torch.add(a, b, alpha=1)``).
    """

    name: str
    kind: ParamKind
    default: Any = None
    omit_default: bool = False


ResultSize = Literal["broadcast", "matrix_product", "concatenation"]
#: How a node that is no plain function call runs (see ``NodeType.control``).
Control = Literal["differentiate", "choose"]


@dataclass(frozen=True)
class NodeType:
    """A kind of node: a leaf tensor, a python-number operand, or one engine function.

    An operation's entry also says how it differs from a plain ``torch.<function>(inputs...,
    **params)`` call, so that the evaluator, the code importer and exporter all read it here:

    - ``sequence_input``: the inputs go in as one list, as in ``torch.cat([a, b], dim=0)``;
    - ``keepdim_needs_dim``: keepdim is left out without a dim (``torch.sum(x, keepdim=True)`` is
      a TypeError in torch);
    - ``values_along_dim``: along a dim the function returns (values, indices), and the node is
      the values (``torch.max(x, dim=0).values``);
    - ``result_size``: how large the result can grow: "broadcast" (the inputs broadcast
      together), "matrix_product" or "concatenation";
    - ``method``: a tensor has it as a method too (``x.exp()``); ``aliases`` are other paths of the
      same function (``nn.functional.relu``); ``two_tensor_form_of`` names the torch function whose
      call on two tensors is this op (``torch.max(a, b)`` is maximum);
    - ``control``: the node is no call of ``function`` on its inputs but a step of the program
      around them: "differentiate" is ``torch.autograd.grad(outputs, inputs, ...)[0]`` (the
      derivative as a tensor that can be wired on), "choose" is Python's ``if condition:`` whose
      value is the ``then`` input or the ``else`` input, the other branch not being run at all.
    """

    name: str
    category: str
    title: str
    inputs: tuple[PortSpec, ...] = ()
    params: tuple[ParamSpec, ...] = ()
    #: Dotted path of the function below the engine module, e.g. "add" or "nn.functional.mse_loss".
    function: str = ""
    doc: str = ""
    kind: Literal["tensor", "scalar", "op"] = "op"
    sequence_input: bool = False
    keepdim_needs_dim: bool = False
    values_along_dim: bool = False
    result_size: ResultSize = "broadcast"
    method: bool = True
    aliases: tuple[str, ...] = ()
    two_tensor_form_of: str | None = None
    control: Control | None = None

    @property
    def is_op(self) -> bool:
        return self.kind == "op"

    @property
    def in_place(self) -> bool:
        """Whether a tensor has this op as an in-place method too (``x.add_(y)``), to which an
        op node can be switched."""
        return self.name in IN_PLACE_OPS

    @property
    def augmented_operator(self) -> str | None:
        """ "+=" for add: the statement that runs the in-place form on a variable."""
        return IN_PLACE_OPS.get(self.name)

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def default(self, name: str) -> Any:
        """The value parameter ``name`` has while unset (an unwired port's number included)."""
        for spec in (*self.params, *self.inputs):
            if spec.name == name:
                return spec.default
        raise KeyError(name)

    @property
    def shape_param(self) -> ParamSpec | None:
        """The parameter passed positionally as a shape (reshape's), if the op has one."""
        return next((spec for spec in self.params if spec.kind == "shape"), None)

    def call_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """The parameters a call passes: each as set in ``params``, else its default; None (an
        optional parameter left out) is not passed, nor keepdim without a dim."""
        values: dict[str, Any] = {}
        for spec in self.params:
            value = params.get(spec.name, spec.default)
            if value is not None:
                values[spec.name] = tuple(value) if spec.kind == "shape" else value
        if self.keepdim_needs_dim and "dim" not in values:
            values.pop("keepdim", None)
        return values


def _unary(name: str, category: str, doc: str, *params: ParamSpec, **handling: Any) -> NodeType:
    return NodeType(name, category, name, (PortSpec("input"),), params, name, doc, **handling)


def _binary(name: str, category: str, doc: str, *params: ParamSpec,
            second: str = "other", function: str | None = None, **handling: Any) -> NodeType:
    return NodeType(name, category, name, (PortSpec("input"), PortSpec(second)), params,
                    function or name, doc, **handling)


def _activation(name: str, doc: str, *params: ParamSpec) -> NodeType:
    """An activation, which torch.nn.functional offers as well as torch."""
    return _unary(name, "Activations", doc, *params, aliases=(f"nn.functional.{name}",))


_DIM = ParamSpec("dim", "optional_int", None)
_KEEPDIM = ParamSpec("keepdim", "bool", False, omit_default=True)
_ALPHA = ParamSpec("alpha", "float", 1, omit_default=True)
_SOFTDIM = ParamSpec("dim", "int", -1)

_TYPES: tuple[NodeType, ...] = (
    NodeType("tensor", "Tensors", "tensor", kind="tensor",
             doc="A leaf tensor created by the user, like torch.tensor([1.], requires_grad=True)."),
    NodeType("scalar", "Tensors", "scalar", kind="scalar",
             doc="A python number operand, like the 1 in torch.add(w, 1). It has no gradient."),
    _binary("add", "Arithmetic", "input + alpha * other", _ALPHA),
    _binary("sub", "Arithmetic", "input - alpha * other", _ALPHA),
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
    _binary("maximum", "Elementwise", "elementwise maximum (ties split the gradient)",
            two_tensor_form_of="max"),
    _binary("minimum", "Elementwise", "elementwise minimum (ties split the gradient)",
            two_tensor_form_of="min"),
    _activation("relu", "max(input, 0); gradient 0 at 0"),
    _activation("sigmoid", "1 / (1 + exp(-input))"),
    _activation("tanh", "hyperbolic tangent"),
    _activation("softmax", "exp(input) normalised along dim", _SOFTDIM),
    _activation("log_softmax", "log of softmax along dim", _SOFTDIM),
    _unary("sum", "Reductions", "sum of all elements, or along dim", _DIM, _KEEPDIM,
           keepdim_needs_dim=True),
    _unary("mean", "Reductions", "mean of all elements, or along dim", _DIM, _KEEPDIM,
           keepdim_needs_dim=True),
    _unary("max", "Reductions", "largest element, or largest along dim", _DIM, _KEEPDIM,
           keepdim_needs_dim=True, values_along_dim=True),
    _unary("reshape", "Shape", "same elements, new shape", ParamSpec("shape", "shape", (-1,))),
    _unary("flatten", "Shape", "all elements in one dimension"),
    _unary("transpose", "Shape", "swap two dimensions",
           ParamSpec("dim0", "int", 0), ParamSpec("dim1", "int", 1)),
    _unary("t", "Shape", "transpose of a matrix"),
    _unary("unsqueeze", "Shape", "insert a dimension of size 1", ParamSpec("dim", "int", 0)),
    _unary("squeeze", "Shape", "remove dimensions of size 1", _DIM),
    NodeType("cat", "Shape", "cat", (PortSpec("tensor0"), PortSpec("tensor1")),
             (ParamSpec("dim", "int", 0),), "cat", "join two tensors along an existing dim",
             sequence_input=True, result_size="concatenation", method=False),
    NodeType("stack", "Shape", "stack", (PortSpec("tensor0"), PortSpec("tensor1")),
             (ParamSpec("dim", "int", 0),), "stack", "join two tensors along a new dim",
             sequence_input=True, result_size="concatenation", method=False),
    _binary("matmul", "Linear algebra", "matrix product (vectors and matrices)",
            result_size="matrix_product"),
    _binary("mm", "Linear algebra", "product of two matrices", second="mat2",
            result_size="matrix_product"),
    _binary("mse_loss", "Losses", "mean squared error", second="target",
            function="nn.functional.mse_loss"),
    _binary("cross_entropy", "Losses", "softmax cross-entropy; target holds class indices (int64)",
            second="target", function="nn.functional.cross_entropy"),
    _binary("binary_cross_entropy_with_logits", "Losses", "sigmoid + binary cross-entropy",
            second="target", function="nn.functional.binary_cross_entropy_with_logits"),
    NodeType("grad", "Autograd", "autograd.grad", (PortSpec("outputs"), PortSpec("inputs")),
             (ParamSpec("create_graph", "bool", False),
              ParamSpec("retain_graph", "bool", False, omit_default=True)),
             "autograd.grad",
             "d outputs / d inputs as a tensor, torch.autograd.grad(outputs, inputs)[0]; with "
             "create_graph the derivative is recorded too, so it can be differentiated again",
             method=False, control="differentiate"),
    _binary("gt", "Control flow", "input > other, a bool tensor (the condition of an if)"),
    _binary("ge", "Control flow", "input >= other, a bool tensor"),
    _binary("lt", "Control flow", "input < other, a bool tensor"),
    _binary("le", "Control flow", "input <= other, a bool tensor"),
    _binary("eq", "Control flow", "input == other, a bool tensor"),
    _binary("ne", "Control flow", "input != other, a bool tensor"),
    NodeType("branch", "Control flow", "if",
             (PortSpec("condition"), PortSpec("then"), PortSpec("else")), (), "",
             "Python's if on a one-element tensor: the value of then when the condition is "
             "true, else the value of else; the branch not taken is not run, so the graph "
             "autograd records depends on the data", method=False, control="choose"),
)

#: Operations a tensor also has as an in-place method (``x.add_(y)``, ``x.relu_()``), each with
#: the augmented assignment that calls it (``x += y``) where Python has one.
IN_PLACE_OPS: dict[str, str | None] = {
    "add": "+=", "sub": "-=", "mul": "*=", "div": "/=", "pow": "**=", "neg": None, "abs": None,
    "exp": None, "log": None, "sqrt": None, "sin": None, "cos": None, "clamp": None,
    "relu": None, "sigmoid": None, "tanh": None,
}

NODE_TYPES: dict[str, NodeType] = {t.name: t for t in _TYPES}


def types_in(category: str) -> list[NodeType]:
    """Node types of one palette category, in catalogue order."""
    return [t for t in _TYPES if t.category == category]
