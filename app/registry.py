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

ParamKind = Literal["int", "float", "bool", "optional_int", "optional_float", "shape", "choice"]

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
    "Layers",
    "Loss modules",
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
    as PyTorch code does (``torch.add(a, b)``, not ``torch.add(a, b, alpha=1)``). A "choice"
    parameter holds one of the strings ``choices`` (a loss's reduction). ``minimum``: the least
    value an integer may take (a layer's in_features). ``argument=False``: the call does not
    take it (the seed a layer's weights were drawn from, see :class:`StateSpec`).
    """

    name: str
    kind: ParamKind
    default: Any = None
    omit_default: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    argument: bool = True


@dataclass(frozen=True)
class StateSpec:
    """A parameter tensor a module node holds, as its ``state_dict()`` names it (nn.Linear's
    weight and bias): its size along each dimension is the integer parameter named there, and it
    exists only while the bool parameter ``when`` is true (nn.Linear(2, 1, bias=False) has no
    bias)."""

    name: str
    shape: tuple[str, ...]
    when: str | None = None


ResultSize = Literal["broadcast", "matrix_product", "concatenation", "linear"]
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
      together), "matrix_product", "concatenation" or "linear" (the input's last dimension
      becomes the first size of the module's first parameter tensor: nn.Linear's out_features);
    - ``method``: a tensor has it as a method too (``x.exp()``); ``aliases`` are other paths of the
      same function (``nn.functional.relu``); ``two_tensor_form_of`` names the torch function whose
      call on two tensors is this op (``torch.max(a, b)`` is maximum);
    - ``control``: the node is no call of ``function`` on its inputs but a step of the program
      around them: "differentiate" is ``torch.autograd.grad(outputs, inputs, ...)[0]`` (the
      derivative as a tensor that can be wired on), "choose" is Python's ``if condition:`` whose
      value is the ``then`` input or the ``else`` input, the other branch not being run at all;
    - ``module``: ``function`` is a class of torch.nn (``nn.Linear``): the node is that module,
      built with its params as the constructor's arguments (``positional`` of them may be given
      by position, in order) and called on its inputs; ``state`` lists the parameter tensors it
      holds, which the node stores (``Node.state``) and a seeded initialisation fills.
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
    module: bool = False
    positional: int = 0
    state: tuple[StateSpec, ...] = ()

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

    def state_shapes(self, params: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        """The parameter tensors a module node with ``params`` holds, each with its shape."""

        def value(name: str) -> Any:
            return params.get(name, self.default(name))

        return {spec.name: tuple(value(size) for size in spec.shape) for spec in self.state
                if spec.when is None or value(spec.when)}

    @property
    def init_params(self) -> frozenset[str]:
        """The parameters a module's fresh state depends on (its sizes, which tensors exist,
        the seed): changing one draws the state again."""
        names = {spec.name for spec in self.params if not spec.argument}
        for spec in self.state:
            names.update(spec.shape)
            if spec.when is not None:
                names.add(spec.when)
        return frozenset(names) if self.state else frozenset()

    @property
    def shape_param(self) -> ParamSpec | None:
        """The parameter passed positionally as a shape (reshape's), if the op has one."""
        return next((spec for spec in self.params if spec.kind == "shape"), None)

    def call_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """The parameters a call passes: each as set in ``params``, else its default; None (an
        optional parameter left out) is not passed, nor keepdim without a dim."""
        values: dict[str, Any] = {}
        for spec in self.params:
            if not spec.argument:
                continue
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

# ------------------------------------------------------------------ torch.nn modules
# A module node is named after its class, as the code writes it (nn.Linear -> "Linear").
_REDUCTION = ParamSpec("reduction", "choice", "mean", omit_default=True,
                       choices=("mean", "sum", "none"))


def _module(name: str, category: str, doc: str, *params: ParamSpec,
            inputs: tuple[str, ...] = ("input",), **handling: Any) -> NodeType:
    return NodeType(name, category, name, tuple(PortSpec(port) for port in inputs), params,
                    f"nn.{name}", doc, method=False, module=True, **handling)


def _loss(name: str, doc: str, *params: ParamSpec) -> NodeType:
    return _module(name, "Loss modules", doc, _REDUCTION, *params, inputs=("input", "target"))


_MODULE_TYPES: tuple[NodeType, ...] = (
    _module("Linear", "Layers", "input @ weight.T + bias; weight and bias are parameters the "
            "layer holds, initialised as torch does after torch.manual_seed(seed)",
            ParamSpec("in_features", "int", 2, minimum=1),
            ParamSpec("out_features", "int", 1, minimum=1),
            ParamSpec("bias", "bool", True, omit_default=True),
            ParamSpec("seed", "optional_int", None, argument=False),
            positional=3, result_size="linear",
            state=(StateSpec("weight", ("out_features", "in_features")),
                   StateSpec("bias", ("out_features",), when="bias"))),
    _module("ReLU", "Layers", "max(input, 0) as a module"),
    _module("LeakyReLU", "Layers", "input where positive, else negative_slope * input",
            ParamSpec("negative_slope", "float", 0.01, omit_default=True), positional=1),
    _module("ELU", "Layers", "input where positive, else alpha * (exp(input) - 1)",
            ParamSpec("alpha", "float", 1.0, omit_default=True), positional=1),
    _module("GELU", "Layers", "input * Φ(input), the Gaussian error linear unit",
            ParamSpec("approximate", "choice", "none", omit_default=True,
                      choices=("none", "tanh")), positional=1),
    _module("Softplus", "Layers", "log(1 + exp(beta * input)) / beta",
            ParamSpec("beta", "float", 1.0, omit_default=True),
            ParamSpec("threshold", "float", 20.0, omit_default=True), positional=2),
    _module("Sigmoid", "Layers", "1 / (1 + exp(-input)) as a module"),
    _module("Tanh", "Layers", "hyperbolic tangent as a module"),
    _module("Softmax", "Layers", "exp(input) normalised along dim, as a module",
            ParamSpec("dim", "optional_int", None), positional=1),
    _module("LogSoftmax", "Layers", "log of softmax along dim, as a module",
            ParamSpec("dim", "optional_int", None), positional=1),
    _module("Flatten", "Layers", "dimensions start_dim..end_dim joined into one",
            ParamSpec("start_dim", "int", 1, omit_default=True),
            ParamSpec("end_dim", "int", -1, omit_default=True), positional=2),
    _loss("MSELoss", "mean squared error, as a module"),
    _loss("L1Loss", "mean absolute error, as a module"),
    _loss("SmoothL1Loss", "squared error below beta, absolute error above, as a module",
          ParamSpec("beta", "float", 1.0, omit_default=True)),
    _loss("BCELoss", "binary cross-entropy of probabilities in [0, 1] (after a sigmoid)"),
    _loss("BCEWithLogitsLoss", "sigmoid and binary cross-entropy in one, on raw scores"),
    _loss("NLLLoss", "negative log-likelihood of log-probabilities; target holds class indices "
          "(int64)", ParamSpec("ignore_index", "int", -100, omit_default=True)),
    _loss("CrossEntropyLoss", "log_softmax and nll_loss in one; target holds class indices "
          "(int64)", ParamSpec("ignore_index", "int", -100, omit_default=True),
          ParamSpec("label_smoothing", "float", 0.0, omit_default=True)),
)

NODE_TYPES: dict[str, NodeType] = {t.name: t for t in (*_TYPES, *_MODULE_TYPES)}


def types_in(category: str) -> list[NodeType]:
    """Node types of one palette category, in catalogue order."""
    return [t for t in NODE_TYPES.values() if t.category == category]
