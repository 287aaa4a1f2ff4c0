"""Reading torch.nn code: layers, a small ``nn.Module`` class, seeds and optimizers (never run).

:class:`ModuleReader` is the part of the code importer (``app.codeio.importer._Importer``) that
understands the course's model code:

- ``torch.manual_seed(s)`` seeds the import's own copy of torch's generator; each layer built
  afterwards (``net = nn.Linear(2, 1)``) draws its weights from it in code order, as torch does,
  and ``torch.randn`` draws from it too. A layer built right after a seed records the seed (its
  node's ``seed`` param); one built later in the stream records none (its weights are stored
  either way). Code that never seeds draws as if it began with ``torch.manual_seed(0)``, so an
  import is reproducible;
- calling a layer (``y = net(x)``, ``nn.Sigmoid()(z)``, ``loss = loss_fn(p, y)``) makes its node;
  a layer with weights is one node, so it may be called once;
- ``net.load_state_dict({"weight": torch.tensor(...), ...})`` sets a layer's weights;
- ``class LR(nn.Module)`` with an ``__init__`` that only assigns layers to ``self.<name>`` and a
  straight-line ``forward(self, x)`` that returns its result: ``lr_net = LR()`` builds the layers
  (drawing their weights in ``__init__``'s order), and the one call ``y_pred = lr_net(x)`` reads
  ``forward`` with ``x`` bound, each layer's node named after its attribute and the result after
  the variable it is assigned to;
- ``optimizer = torch.optim.SGD(params, lr=..., momentum=..., weight_decay=...)`` (or ``Adam``
  with ``betas``) becomes the document's optimizer: the Training dock's settings.
  ``optimizer.step()`` is what the dock's Step does, and so is a ``zero_grad()`` before the
  first backward() or after a step (the training loop's): they are accepted, change nothing,
  and a note on the canvas says so. The dock trains the leaves ticked in it; the parameters
  given to the optimizer are checked to be tensors or layers and kept for its zero_grad();
- ``net.zero_grad()`` and ``optimizer.zero_grad()`` between backward() calls (no step before
  them) zero the gradients of the layer's or the optimizer's parameters: a zero_grad step of
  the backward plan, setting them to None as torch's default ``set_to_none=True`` does.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import cgengine
from app.codeio.literals import tensor_literal
from app.codeio.operands import TensorOperand
from app.evaluate.modules import DEFAULT_SEED, initial_state
from app.model import GraphError, Note
from app.model.backward_plan import BackwardStep
from app.model.rules import OPTIMIZERS, check_optimizer, check_state, check_state_sizes
from app.registry import NODE_TYPES, NodeType, ParamSpec
from cgengine.random import Generator

if TYPE_CHECKING:
    from app.codeio.importer import _Operand

#: nn.<Class> for every module node type.
MODULE_CLASSES: dict[str, NodeType] = {
    t.function.rpartition(".")[2]: t for t in NODE_TYPES.values() if t.module
}
#: Keyword arguments of torch's modules that a module node cannot hold, and why.
_UNSUPPORTED_KEYWORDS: dict[str, str] = {
    "inplace": "a layer node never changes its input in place (an op node can: x.relu_())",
    "device": "cgengine runs on the CPU only",
    "dtype": "layers hold float32 weights here",
    "weight": "class weights are not supported",
    "pos_weight": "pos_weight is not supported",
    "size_average": "it is deprecated; use reduction=",
    "reduce": "it is deprecated; use reduction=",
}


@dataclass
class Layer:
    """A module built by the code (``net = nn.Linear(2, 1)``), not yet or once called."""

    spec: NodeType
    params: dict[str, Any]
    state: dict[str, Any]
    name: str
    node_id: str | None = None  # the node its call made


@dataclass
class ModelClass:
    """A ``class LR(nn.Module)`` definition: the layers its __init__ builds, its forward."""

    name: str
    layers: list[tuple[str, ast.Call, int]]  # (attribute, nn.<Layer>(...) call, line)
    forward: ast.FunctionDef


@dataclass
class Model:
    """An instance of a model class: its layers by attribute name, called at most once."""

    cls: ModelClass
    layers: dict[str, Layer] = field(default_factory=dict)
    called: bool = False


#: What an optimizer was given to train: a tensor's node id, a layer or a model (its
#: ``parameters()``), or one parameter of a layer (``net.weight``).
Trained = str | Layer | Model | tuple[Layer, str]


@dataclass
class Optimizer:
    """``optimizer = torch.optim.SGD(...)``: its settings are the document's optimizer."""

    settings: dict[str, Any]
    parameters: list[Trained] = field(default_factory=list)


class ModuleReader:
    """The importer's reading of layers, models and optimizers (mixed into ``_Importer``)."""

    # provided by the importer this is mixed into
    doc: Any
    line: int
    lines: dict[str, int]
    variables: dict[str, _Operand]
    steps: list[BackwardStep]
    assigned: list[set[str]]
    with_grad: set[str | tuple[str, str]]

    def init_modules(self) -> None:
        #: names bound to layers, models and optimizers (not tensors or numbers)
        self.objects: dict[str, Layer | Model | Optimizer] = {}
        self.classes: dict[str, ModelClass] = {}
        #: torch's generator as the code left it, and the seed a layer drawn now would record
        self.generator = Generator().manual_seed(DEFAULT_SEED)
        self.fresh_seed: int | None = None
        #: lines the Training dock does instead (optimizer.step(), ...), for the closing note
        self.training_lines: list[tuple[int, str]] = []
        self.in_forward: Model | None = None
        self.stepped = False  # optimizer.step() was read: what follows is the training loop

    # ------------------------------------------------------------------ seeds
    def manual_seed(self, call: ast.Call) -> None:
        if len(call.args) != 1 or call.keywords:
            raise self.refuse("torch.manual_seed() takes one integer", call)
        seed = self.number(call.args[0], "the seed")
        if not isinstance(seed, int) or not -(2**63) <= seed < 2**64:
            raise self.refuse(f"the seed must be an integer, not {ast.unparse(call.args[0])}",
                              call)
        self.generator.manual_seed(seed)
        self.fresh_seed = seed

    def randn(self, shape: tuple[int, ...], dtype: str) -> Any:
        """torch.randn's numbers, from the code's stream (after its manual_seed)."""
        self.fresh_seed = None
        drawn = cgengine.randn(*shape, generator=self.generator, dtype=getattr(cgengine, dtype))
        return drawn.tolist()

    # ------------------------------------------------------------------ layers
    def module_class(self, call: ast.Call) -> NodeType | None:
        """The module node type ``nn.Linear(...)`` builds, None for any other call."""
        path = self.dotted(call.func) or ""
        module, _, name = path.rpartition(".")
        if module != "torch.nn":
            return None
        if name not in MODULE_CLASSES:
            raise self.refuse(f"nn.{name} is not supported; the layers are "
                              f"{', '.join(sorted(MODULE_CLASSES))}", call)
        return MODULE_CLASSES[name]

    def build_layer(self, spec: NodeType, call: ast.Call, name: str) -> Layer:
        """``nn.Linear(2, 1)``: the params, checked as the document checks them, and weights
        drawn from the code's stream now (torch draws them when the layer is built)."""
        arguments = [p for p in spec.params if p.argument]
        if len(call.args) > spec.positional:
            raise self.refuse(f"nn.{spec.name}() takes at most {spec.positional} arguments by "
                              "position; give the others by keyword", call)
        params: dict[str, Any] = {}
        for param, arg in zip(arguments, call.args):
            params[param.name] = self.module_param(spec, param, arg)
        for keyword in call.keywords:
            if keyword.arg is None:
                raise self.refuse("**keyword arguments are not supported", call)
            if keyword.arg in _UNSUPPORTED_KEYWORDS:
                raise self.refuse(f"nn.{spec.name}({keyword.arg}=...) is not supported: "
                                  f"{_UNSUPPORTED_KEYWORDS[keyword.arg]}", call)
            param = next((p for p in arguments if p.name == keyword.arg), None)
            if param is None:
                known = ", ".join(p.name for p in arguments) or "none"
                raise self.refuse(f"nn.{spec.name}() has no keyword {keyword.arg!r} here "
                                  f"(it takes: {known})", call)
            if param.name in params:
                raise self.refuse(f"nn.{spec.name}() got {param.name} twice", call)
            params[param.name] = self.module_param(spec, param, keyword.value)
        missing = [p.name for p in arguments[:spec.positional]
                   if p.kind == "int" and not p.omit_default and p.name not in params]
        if missing:
            raise self.refuse(f"nn.{spec.name}() needs {' and '.join(missing)}", call)
        state: dict[str, Any] = {}
        if spec.state:
            try:
                check_state_sizes(spec, params)
            except GraphError as exc:
                raise self.refuse(f"nn.{spec.name}: {exc}", call) from None
            state = initial_state(spec, params, self.generator)
            if self.fresh_seed is not None:
                params["seed"] = self.fresh_seed
            self.fresh_seed = None
        return Layer(spec, params, state, name)

    def module_param(self, spec: NodeType, param: ParamSpec, expr: ast.expr) -> Any:
        if param.kind == "choice":
            if not (isinstance(expr, ast.Constant) and expr.value in param.choices):
                raise self.refuse(f"nn.{spec.name}(): {param.name} must be one of "
                                  f"{', '.join(map(repr, param.choices))}", expr)
            return expr.value
        value = self.param_value(param, expr)
        if param.minimum is not None and isinstance(value, int) and value < param.minimum:
            raise self.refuse(f"nn.{spec.name}(): {param.name} must be at least "
                              f"{param.minimum}, not {value}", expr)
        return value

    def call_layer(self, layer: Layer, call: ast.Call, label: str, written: str) -> _Operand:
        """``net(x)``: the layer's node, wired to its inputs."""
        spec = layer.spec
        if layer.node_id is not None and spec.state:
            raise self.refuse(f"{written} is called a second time; a layer with weights is "
                              "one node here, called once (build another layer)", call)
        if call.keywords or any(isinstance(arg, ast.Starred) for arg in call.args):
            raise self.refuse(f"call {written}(...) with its inputs by position", call)
        if len(call.args) != len(spec.inputs):
            wanted = " and ".join(port.name for port in spec.inputs)
            raise self.refuse(f"{written}() takes {wanted}", call)
        operands = [self.expression(arg) for arg in call.args]
        result = self.make_op(spec, operands, copy.deepcopy(layer.params),
                              label or layer.name, state=copy.deepcopy(layer.state),
                              module_name=layer.name)
        layer.node_id = result.node_id
        return result

    def load_state_dict(self, layer: Layer, call: ast.Call, written: str) -> None:
        """``net.load_state_dict({"weight": torch.tensor(...), ...})``: new weights."""
        if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Dict):
            raise self.refuse(f"{written}.load_state_dict() takes one dict of tensors, like "
                              "{'weight': torch.tensor([[1., 2.]])}", call)
        state: dict[str, Any] = {}
        for key, value in zip(call.args[0].keys, call.args[0].values, strict=True):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                raise self.refuse("the keys of the state dict must be strings", call)
            if not (isinstance(value, ast.Call) and self.dotted(value.func) == "torch.tensor"
                    and len(value.args) == 1 and not value.keywords):
                raise self.refuse(f"{key.value}: the values of the state dict must be "
                                  "torch.tensor(...) of numbers", call)
            state[key.value] = tensor_literal(value.args[0])
        try:
            check_state(layer.spec, layer.params, state, f"{written}.load_state_dict")
        except GraphError as exc:
            raise self.refuse(str(exc), call) from None
        layer.state = state
        if layer.node_id is not None:
            self.doc.set_field(layer.node_id, "state", state)

    # ------------------------------------------------------------------ classes
    def class_definition(self, stmt: ast.ClassDef) -> None:
        """A small ``class LR(nn.Module)``: checked now, its layers built when instantiated."""
        if stmt.decorator_list or stmt.keywords or len(stmt.bases) != 1 \
                or self.dotted(stmt.bases[0]) != "torch.nn.Module":
            raise self.refuse(f"class {stmt.name} must derive from nn.Module alone", stmt)
        methods: dict[str, ast.FunctionDef] = {}
        for item in stmt.body:
            if _is_docstring(item) or isinstance(item, ast.Pass):
                continue
            if not isinstance(item, ast.FunctionDef) or item.name not in ("__init__", "forward"):
                raise self.refuse(f"class {stmt.name} may hold __init__ and forward only", item)
            if item.decorator_list:
                raise self.refuse(f"{item.name}() may not be decorated", item)
            methods[item.name] = item
        if set(methods) != {"__init__", "forward"}:
            raise self.refuse(f"class {stmt.name} needs __init__ and forward", stmt)
        init, forward = methods["__init__"], methods["forward"]
        if _parameter_names(init) != ["self"]:
            raise self.refuse(f"{stmt.name}.__init__ takes only self here", init)
        if len(_parameter_names(forward)) < 2 or _parameter_names(forward)[0] != "self":
            raise self.refuse(f"{stmt.name}.forward takes self and its inputs", forward)
        for item in forward.body:
            if not isinstance(item, (ast.Assign, ast.Expr, ast.Return, ast.Pass)):
                raise self.refuse("forward() is read as straight-line code here: assignments "
                                  "and a return", item)
        if not isinstance(forward.body[-1], ast.Return):
            raise self.refuse(f"{stmt.name}.forward must end with return", forward)
        layers = []
        for item in init.body:
            if _is_docstring(item) or _is_super_init(item) or isinstance(item, ast.Pass):
                continue
            target = item.targets[0] if isinstance(item, ast.Assign) \
                and len(item.targets) == 1 else None
            if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == "self" and isinstance(item.value, ast.Call)
                    and self.module_class(item.value) is not None):
                raise self.refuse(f"{stmt.name}.__init__ may only call super().__init__() and "
                                  "assign layers, like self.features = nn.Linear(2, 1)", item)
            layers.append((target.attr, item.value, item.lineno))
        names = [name for name, _, _ in layers]
        if len(set(names)) != len(names):
            raise self.refuse(f"{stmt.name}.__init__ assigns a layer twice to one name", init)
        self.classes[stmt.name] = ModelClass(stmt.name, layers, forward)
        self.objects.pop(stmt.name, None)
        self.variables.pop(stmt.name, None)

    def instantiate(self, cls: ModelClass, call: ast.Call) -> Model:
        """``lr_net = LR()``: the layers of __init__, built (and drawn) in its order."""
        if call.args or call.keywords:
            raise self.refuse(f"{cls.name}() takes no arguments here", call)
        model = Model(cls)
        here = self.line
        try:
            for name, construction, line in cls.layers:
                self.line = line
                spec = self.module_class(construction)
                assert spec is not None, "checked with the class"
                model.layers[name] = self.build_layer(spec, construction, name)
        finally:
            self.line = here
        return model

    def call_model(self, model: Model, call: ast.Call, label: str, written: str) -> _Operand:
        """``y_pred = lr_net(x)``: forward read with its inputs bound, once."""
        if model.called:
            raise self.refuse(f"{written} is called a second time; a model is called once "
                              "here (its layers are one node each)", call)
        if self.in_forward is not None:
            raise self.refuse("a model cannot be called inside another model's forward", call)
        forward = model.cls.forward
        inputs = _parameter_names(forward)[1:]
        if call.keywords or len(call.args) != len(inputs):
            raise self.refuse(f"{written}() takes {', '.join(inputs)} by position", call)
        model.called = True
        operands = [self.expression(arg) for arg in call.args]
        outer, here = self.variables, self.line
        saved_self = self.objects.get("self")
        self.variables = {**outer, **dict(zip(inputs, operands, strict=True))}
        self.objects["self"] = model
        self.in_forward = model
        first_node = len(self.doc.nodes)
        try:
            result = self.forward_body(forward, written)
        finally:
            self.variables, self.line, self.in_forward = outer, here, None
            if saved_self is None:
                self.objects.pop("self", None)
            else:
                self.objects["self"] = saved_self
        created = {node.id for node in self.doc.nodes[first_node:]}
        if label and getattr(result, "node_id", None) in created:
            self.doc.set_field(result.node_id, "label", label)  # what the caller calls it
        return result

    def forward_body(self, forward: ast.FunctionDef, written: str) -> _Operand:
        for stmt in forward.body:
            self.line = stmt.lineno
            if _is_docstring(stmt) or isinstance(stmt, ast.Pass):
                continue
            if isinstance(stmt, ast.Return):
                if stmt.value is None:
                    raise self.refuse("forward() must return its result", stmt)
                return self.expression(stmt.value)
            if isinstance(stmt, ast.Assign):
                self.assign(stmt)
            else:
                assert isinstance(stmt, ast.Expr), "checked with the class"
                self.expression_statement(stmt.value)
        raise AssertionError("forward ends with return: checked with the class")

    # --------------------------------------------------------------- optimizers
    def build_optimizer(self, call: ast.Call, name: str) -> Optimizer:
        """``torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)``."""
        path = self.dotted(call.func) or ""
        kind = path.rpartition(".")[2]
        if kind not in OPTIMIZERS:
            raise self.refuse(f"torch.optim.{kind} is not supported; the Training dock runs "
                              f"{' and '.join(OPTIMIZERS)}", call)
        if self.doc.optimizer is not None:
            raise self.refuse("a second optimizer; the Training dock has one", call)
        if not call.args:
            raise self.refuse(f"optim.{kind}() needs the parameters to train", call)
        parameters = self.trained(call.args[0])
        settings: dict[str, Any] = {"name": kind, "lr": 0.001}  # torch's default learning rate
        named = [("lr", arg) for arg in call.args[1:2]] + [(kw.arg, kw.value)
                                                           for kw in call.keywords]
        if len(call.args) > 2:
            raise self.refuse(f"optim.{kind}() takes the parameters and lr by position; "
                              "the rest by keyword", call)
        for key, value in named:
            if key not in OPTIMIZERS[kind]:
                known = ", ".join(OPTIMIZERS[kind])
                raise self.refuse(f"optim.{kind}({key}=...) is not one of the Training dock's "
                                  f"settings ({known})", call)
            if key == "betas":
                if not (isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == 2):
                    raise self.refuse("betas must be two numbers, like (0.9, 0.999)", value)
                settings[key] = [self.number(item, "a beta") for item in value.elts]
            else:
                settings[key] = self.number(value, key)
        try:
            checked = check_optimizer(settings, f"optim.{kind}")
        except GraphError as exc:
            raise self.refuse(str(exc), call) from None
        self.doc.set_optimizer(checked)
        return Optimizer(checked, parameters)

    def trained(self, expr: ast.expr) -> list[Trained]:
        """The optimizer's parameters: net.parameters(), or a list of them and of tensors."""
        items = expr.elts if isinstance(expr, (ast.List, ast.Tuple)) else [expr]
        parameters: list[Trained] = []
        for item in items:
            if isinstance(item, ast.Name) and item.id in self.variables:
                operand = self.variables[item.id]
                if isinstance(operand, TensorOperand):
                    parameters.append(operand.node_id)
                continue
            if isinstance(item, ast.Call) and isinstance(item.func, ast.Attribute) \
                    and item.func.attr == "parameters" and not item.args \
                    and isinstance(item.func.value, ast.Name) \
                    and isinstance(owner := self.objects.get(item.func.value.id),
                                   (Layer, Model)):
                parameters.append(owner)
                continue
            if isinstance(item, ast.Attribute) and isinstance(item.value, ast.Name) \
                    and isinstance(layer := self.objects.get(item.value.id), Layer):
                parameters.append((layer, item.attr))
                continue
            raise self.refuse("the optimizer's parameters must be net.parameters() or a list "
                              f"of tensors, not {ast.unparse(item)}", item)
        return parameters

    # ------------------------------------------------------------- zero_grad
    def layer_of(self, expr: ast.expr) -> Layer | None:
        """The layer ``net`` (or a model's ``lr_net.features``) names, None for anything else."""
        if isinstance(expr, ast.Name):
            target = self.objects.get(expr.id)
            return target if isinstance(target, Layer) else None
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) \
                and isinstance(model := self.objects.get(expr.value.id), Model):
            return model.layers.get(expr.attr)
        return None

    def parameter_of(self, expr: ast.expr) -> tuple[str, str] | None:
        """(layer node id, name) of ``net.weight``; None when ``expr`` is no layer's attribute."""
        if not isinstance(expr, ast.Attribute):
            return None
        layer = self.layer_of(expr.value)
        if layer is None:
            return None
        written = ast.unparse(expr.value)
        if expr.attr not in layer.state:
            raise self.refuse(f"{written} has no parameter {expr.attr!r}", expr)
        if layer.node_id is None:
            raise self.refuse(f"{written}.{expr.attr}.grad is None: {written} is not called "
                              "before backward()", expr)
        return (layer.node_id, expr.attr)

    def parameters_of(self, target: Layer | Model | Optimizer) -> list[str | tuple[str, str]]:
        """The tensors ``target.zero_grad()`` reaches: a layer's parameters (once called), a
        model's layers', an optimizer's parameters."""
        owners: list[Trained] = target.parameters if isinstance(target, Optimizer) else [target]
        found: list[str | tuple[str, str]] = []
        for owner in owners:
            if isinstance(owner, str):
                found.append(owner)
                continue
            if isinstance(owner, tuple):
                layers, names = [owner[0]], {owner[1]}
            else:
                layers = list(owner.layers.values()) if isinstance(owner, Model) else [owner]
                names = None
            for layer in layers:
                if layer.node_id is not None:
                    found.extend((layer.node_id, name) for name in layer.state
                                 if names is None or name in names)
        return list(dict.fromkeys(found))

    def module_zero_grad(self, target: Layer | Model | Optimizer, call: ast.Call,
                         written: str) -> None:
        """``net.zero_grad()`` or ``optimizer.zero_grad(set_to_none=...)`` between backward()
        calls: a zero_grad step of what has a .grad among its parameters (torch skips the
        others: a .grad that is None stays None)."""
        if self.assigned:
            raise self.refuse("zeroing a gradient inside an if is not supported", call)
        given = [*call.args, *(kw.value for kw in call.keywords)]
        if len(given) > 1 or any(kw.arg != "set_to_none" for kw in call.keywords):
            raise self.refuse(f"{written}.zero_grad() takes set_to_none only", call)
        set_to_none = True
        if given:
            if not (isinstance(given[0], ast.Constant) and isinstance(given[0].value, bool)):
                raise self.refuse("set_to_none must be True or False", call)
            set_to_none = given[0].value
        zeroed = tuple(item for item in self.parameters_of(target) if item in self.with_grad)
        if zeroed:
            self.zero_step(zeroed, set_to_none)

    # --------------------------------------------------------------- statements
    def object_value(self, value: ast.expr, name: str) -> Layer | Model | Optimizer | None:
        """What ``name = value`` binds when ``value`` builds a layer, a model or an optimizer."""
        if not isinstance(value, ast.Call):
            return None
        if isinstance(value.func, ast.Name) and value.func.id in self.classes:
            return self.instantiate(self.classes[value.func.id], value)
        path = self.dotted(value.func) or ""
        if path.startswith("torch.optim."):
            return self.build_optimizer(value, name)
        spec = self.module_class(value)
        if spec is None:
            return None
        return self.build_layer(spec, value, name)

    def bind_object(self, name: str, value: Layer | Model | Optimizer) -> None:
        self.objects[name] = value
        self.variables.pop(name, None)

    def object_statement(self, call: ast.Call) -> bool:
        """``optimizer.step()``, ``net.load_state_dict(...)``: True when handled here."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id in self.objects):
            return False
        target, method, written = self.objects[func.value.id], func.attr, func.value.id
        if method == "zero_grad" and not self.stepped \
                and any(step.kind == "backward" for step in self.steps):
            self.module_zero_grad(target, call, written)
            return True
        if method == "zero_grad" or method == "step" and isinstance(target, Optimizer):
            self.stepped = self.stepped or method == "step"
            self.training_lines.append((call.lineno, f"{written}.{method}()"))
            return True
        if method == "load_state_dict" and isinstance(target, Layer) and target.spec.state:
            self.load_state_dict(target, call, written)
            return True
        raise self.refuse(f"{written}.{method}() is not supported", call)

    def object_call(self, call: ast.Call, label: str) -> _Operand | None:
        """A call of a layer or a model (``net(x)``, ``self.features(x)``, ``nn.Sigmoid()(z)``);
        None for any other call."""
        func = call.func
        if isinstance(func, ast.Call):
            spec = self.module_class(func)
            if spec is None:
                return None
            return self.call_layer(self.build_layer(spec, func, ""), call, label,
                                   f"nn.{spec.name}(...)")
        if isinstance(func, ast.Name) and func.id in self.objects:
            target = self.objects[func.id]
            if isinstance(target, Layer):
                return self.call_layer(target, call, label, func.id)
            if isinstance(target, Model):
                return self.call_model(target, call, label, func.id)
            raise self.refuse(f"{func.id} is an optimizer; call {func.id}.step()", call)
        if isinstance(func, ast.Name) and func.id in self.classes:
            raise self.refuse(f"{func.id}() builds a model; assign it to a name first", call)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id == "self" and self.in_forward is not None:
            layer = self.in_forward.layers.get(func.attr)
            if layer is None:
                raise self.refuse(f"self.{func.attr} is not a layer of "
                                  f"{self.in_forward.cls.name}", call)
            return self.call_layer(layer, call, func.attr, f"self.{func.attr}")
        return None

    def add_training_note(self) -> None:
        """A note on the canvas for the lines the Training dock does instead."""
        if not self.training_lines:
            return
        lines = ", ".join(f"{text} (line {line})" for line, text in self.training_lines)
        self.doc.add_note(Note(self.doc.new_id("training_note"), (
            f"{lines}: the Training dock does these. The graph is one forward and backward; "
            "open the Training tab and press Step to run optimizer.step() and zero_grad() "
            "with the numbers shown."), size=(420.0, 110.0)))


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
        and isinstance(stmt.value.value, str)


def _is_super_init(stmt: ast.stmt) -> bool:
    """``super().__init__()`` or ``super(LR, self).__init__()``."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return False
    call = stmt.value
    return (not call.args and not call.keywords and isinstance(call.func, ast.Attribute)
            and call.func.attr == "__init__" and isinstance(call.func.value, ast.Call)
            and isinstance(call.func.value.func, ast.Name)
            and call.func.value.func.id == "super")


def _parameter_names(function: ast.FunctionDef) -> list[str]:
    """The plain positional parameters of ``function``; anything fancier is refused by the
    caller through a mismatch (defaults, *args and keywords are not read)."""
    arguments = function.args
    if arguments.vararg or arguments.kwarg or arguments.kwonlyargs or arguments.defaults \
            or arguments.posonlyargs:
        return []
    return [argument.arg for argument in arguments.args]
