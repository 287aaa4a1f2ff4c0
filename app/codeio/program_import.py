"""The statements of the autograd class for the code importer: its mixin for ``_Importer``.

What the class writes beyond straight-line operations, read from the syntax tree (never run):

- ``y.backward(gradient=torch.tensor([1., 2.]), retain_graph=True)``, called as often as the code
  calls it, with ``w.grad.zero_()`` and ``w.grad = None`` between the calls (a layer's
  ``net.weight`` too; ``net.zero_grad()`` and ``optimizer.zero_grad()`` are read in
  :mod:`app.codeio.nn_import`): the document's backward plan (:mod:`app.model.backward_plan`);
- ``torch.autograd.grad(y, x, create_graph=True)``: a grad node, bound as the tuple torch returns
  (``g = ...`` then ``g[0]``, ``(g,) = ...``, or ``g = ...[0]``);
- in-place methods (``a.add_(b)``, ``c = a.mul_(2)``) and augmented assignments (``a += b``): an
  in-place node, and every name of the changed tensor then names it;
- ``if <tensor condition>: ... else: ...``: each variable either side assigns becomes a branch
  node whose sides are what each side assigned (or what the name held before the if). What a
  side computes must end up in such a variable: anything else would run whatever the condition.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from app.codeio.errors import CodeImportError
from app.codeio.literals import inferred_dtype, tensor_literal
from app.codeio.operands import AutogradGrad, NumberOperand, Operand, TensorOperand, Tuple
from app.model.backward_plan import BackwardPlan, BackwardStep
from app.model.control_flow import branch_bodies
from app.registry import NODE_TYPES, NodeType

if TYPE_CHECKING:
    from app.codeio.importer import _Importer

#: The node types of ``torch.autograd.grad`` and of Python's ``if``.
_GRAD = next(t for t in NODE_TYPES.values() if t.control == "differentiate")
_BRANCH = next(t for t in NODE_TYPES.values() if t.control == "choose")
#: backward()'s parameters, in the order of its signature.
_BACKWARD_PARAMETERS = ("gradient", "retain_graph", "create_graph", "inputs")


def _floats(value: Any) -> Any:
    """A tensor value with every number a float (a gradient is a float32 tensor)."""
    if isinstance(value, list):
        return [_floats(item) for item in value]
    return float(value)


def _constant(expr: ast.expr) -> Any:
    """The value of True, False or None written out; a marker object for anything else."""
    return expr.value if isinstance(expr, ast.Constant) else _NOT_CONSTANT


_NOT_CONSTANT = object()


class ProgramStatements:
    """The autograd class's statements, mixed into the importer (see the module docstring)."""

    def init_program(self: _Importer) -> None:
        self.gradient: Any = None
        self.steps: list[BackwardStep] = []
        #: what holds a .grad after the steps so far: tensor node ids and (layer node id,
        #: parameter name) pairs; what ``optimizer.zero_grad()`` finds to zero
        self.with_grad: set[str | tuple[str, str]] = set()
        #: one set per if-side being read: the names it assigns
        self.assigned: list[set[str]] = []
        #: name -> line of the if that set it on one side only (it is unbound after the if)
        self.one_sided: dict[str, int] = {}
        #: the torch.autograd.grad() calls of several inputs, in the order of the code
        self.grads: list[AutogradGrad] = []

    # ------------------------------------------------------------------ backward
    def call_backward(self: _Importer, call: ast.Call, node_id: str) -> None:
        if self.assigned:
            raise self.refuse("backward() inside an if is not supported; call it after the if",
                              call)
        if self.doc.output is not None and self.doc.output != node_id:
            raise self.refuse("backward() on a second tensor; a document has one output", call)
        gradient, retain_graph = self.backward_arguments(call)
        if any(step.kind == "backward" for step in self.steps) and gradient != self.gradient:
            raise self.refuse("every backward() here must use the same gradient", call)
        self.gradient = gradient
        self.steps.append(BackwardStep(retain_graph=retain_graph))
        self.doc.set_output(node_id)
        feeding = self.doc.ancestors(node_id)
        for node in self.doc.nodes:  # the leaves and layers the output depends on get a .grad
            if node.id in feeding:
                if node.type == "tensor" and node.requires_grad:
                    self.with_grad.add(node.id)
                self.with_grad.update((node.id, name) for name in node.state)

    def backward_arguments(self: _Importer, call: ast.Call) -> tuple[Any, bool]:
        """(gradient value or None, retain_graph) of ``y.backward(...)``."""
        given: dict[str, ast.expr] = {}
        if len(call.args) > len(_BACKWARD_PARAMETERS):
            raise self.refuse("backward() got too many arguments", call)
        for name, arg in zip(_BACKWARD_PARAMETERS, call.args):
            given[name] = arg
        for keyword in call.keywords:
            if keyword.arg not in _BACKWARD_PARAMETERS or keyword.arg in given:
                raise self.refuse(f"backward() takes gradient and retain_graph here, not "
                                  f"{keyword.arg or '**keywords'}", call)
            given[keyword.arg] = keyword.value
        if "inputs" in given:
            raise self.refuse("backward(inputs=...) is not supported", call)
        if _constant(given.get("create_graph", ast.Constant(False))) not in (False, None):
            raise self.refuse("backward(create_graph=True) is not supported; use "
                              "torch.autograd.grad(..., create_graph=True) for a derivative "
                              "that can be differentiated again", call)
        retain = _constant(given.get("retain_graph", ast.Constant(None)))
        if retain not in (True, False, None):
            raise self.refuse("retain_graph must be True, False or None", call)
        gradient = given.get("gradient")
        value = None if gradient is None or _constant(gradient) is None \
            else self.gradient_value(gradient)
        return value, bool(retain)

    def gradient_value(self: _Importer, expr: ast.expr) -> Any:
        """The value of backward's gradient: ``torch.tensor([...])`` or a variable made so."""
        value = None
        if isinstance(expr, ast.Name):
            operand = self.variable(expr)
            node = self.doc.node(operand.node_id) if isinstance(operand, TensorOperand) else None
            if node is None or node.type != "tensor":
                raise self.refuse(f"gradient={expr.id}: expected a tensor made with "
                                  "torch.tensor([...])", expr)
            if node.dtype != "float32":
                raise self.refuse("the gradient must be a float32 tensor, like "
                                  "torch.tensor([1., 2.])", expr)
            value = node.value
        elif isinstance(expr, ast.Call) and self.dotted(expr.func) == "torch.tensor" \
                and len(expr.args) == 1 and all(
                    k.arg == "dtype" and self.dotted(k.value) in ("torch.float32", "torch.float")
                    for k in expr.keywords):
            value = tensor_literal(expr.args[0])
            if not expr.keywords and inferred_dtype(value) != "float32":
                raise self.refuse("the gradient must hold floats, like torch.tensor([1., 2.])",
                                  expr)
        else:
            raise self.refuse("gradient= takes torch.tensor([...]) or a tensor made with it",
                              expr)
        return _floats(value)

    def grad_statement(self: _Importer, expr: ast.expr) -> bool:
        """``w.grad.zero_()`` on its own line: a zero_grad step; False for other statements."""
        if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
                and expr.func.attr == "zero_" and isinstance(expr.func.value, ast.Attribute)
                and expr.func.value.attr == "grad"):
            return False
        if expr.args or expr.keywords:
            raise self.refuse("zero_() takes no arguments", expr)
        self.zero_grad(expr.func.value.value, expr, set_to_none=False)
        return True

    def grad_assignment(self: _Importer, stmt: ast.Assign) -> bool:
        """``w.grad = None``: a zero_grad step that sets the gradient to None."""
        target = stmt.targets[0]
        if not (len(stmt.targets) == 1 and isinstance(target, ast.Attribute)
                and target.attr == "grad"):
            return False
        if _constant(stmt.value) is not None:
            raise self.refuse(f"{ast.unparse(target)} can only be set to None here", stmt)
        self.zero_grad(target.value, stmt, set_to_none=True)
        return True

    def zero_grad(self: _Importer, tensor: ast.expr, at: ast.AST, set_to_none: bool) -> None:
        """``w.grad.zero_()``, ``w.grad = None``, and so for a layer's ``net.weight``."""
        if self.assigned:
            raise self.refuse("zeroing a gradient inside an if is not supported", at)
        if not any(step.kind == "backward" for step in self.steps):
            raise self.refuse(f"before backward() {ast.unparse(tensor)}.grad is None: there is "
                              "no gradient to zero yet", at)
        parameter = self.parameter_of(tensor)
        if parameter is not None:
            self.zero_step((parameter,), set_to_none)
            return
        operand = self.expression(tensor)
        if not isinstance(operand, TensorOperand):
            raise self.refuse("a python number has no .grad", at)
        self.zero_step((operand.node_id,), set_to_none)

    def zero_step(self: _Importer, zeroed: tuple[str | tuple[str, str], ...],
                  set_to_none: bool) -> None:
        """A zero_grad step of ``zeroed`` (tensor node ids, layer parameters), joined to the
        step before when that one zeroes others the same way."""
        nodes = tuple(item for item in zeroed if isinstance(item, str))
        parameters = tuple(item for item in zeroed if isinstance(item, tuple))
        last = self.steps[-1]
        if last.kind == "zero_grad" and last.set_to_none == set_to_none \
                and not set(nodes) & set(last.nodes) \
                and not set(parameters) & set(last.parameters):
            self.steps[-1] = BackwardStep("zero_grad", nodes=(*last.nodes, *nodes),
                                          set_to_none=set_to_none,
                                          parameters=(*last.parameters, *parameters))
        else:
            self.steps.append(BackwardStep("zero_grad", nodes=nodes, set_to_none=set_to_none,
                                           parameters=parameters))
        if set_to_none:
            self.with_grad.difference_update(zeroed)

    def finish_backward(self: _Importer) -> None:
        """The backward plan the code's calls make, on the document."""
        if self.steps:
            self.doc.set_backward(BackwardPlan(self.gradient, tuple(self.steps)))

    # ------------------------------------------------------------- autograd.grad
    def autograd_grad(self: _Importer, call: ast.Call, label: str) -> Tuple:
        """``torch.autograd.grad(y, x, create_graph=True)``: a grad node, as the 1-tuple."""
        args = [self.single(arg) for arg in call.args]
        keywords = []
        for keyword in call.keywords:
            if keyword.arg in ("outputs", "inputs"):
                keyword = ast.keyword(keyword.arg, self.single(keyword.value))
            elif keyword.arg == "allow_unused" and _constant(keyword.value) is False:
                continue
            elif keyword.arg not in ("create_graph", "retain_graph"):
                raise self.refuse("torch.autograd.grad() takes outputs, inputs, create_graph "
                                  f"and retain_graph here, not {keyword.arg or '**keywords'}",
                                  call)
            if keyword.arg == "retain_graph" and _constant(keyword.value) is None:
                continue
            keywords.append(keyword)
        single = ast.Call(call.func, args, keywords)
        ast.copy_location(single, call)
        made = self.op_call(_GRAD, single, label, False, None)
        assert isinstance(made, TensorOperand)
        return Tuple(made.node_id)

    def printed_grads(self: _Importer, stmt: ast.stmt) -> bool:
        """Read ``name = torch.autograd.grad(output, [a, b, ...][, retain_graph=True])`` of
        several inputs (True), or say it is not that (False). Its result may only be printed;
        the call of one input is a grad node (the importer's ``autograd_grad``)."""
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)
                and self.dotted(stmt.value.func) == "torch.autograd.grad"):
            return False
        call = stmt.value
        inputs = call.args[1] if len(call.args) > 1 else next(
            (keyword.value for keyword in call.keywords if keyword.arg == "inputs"), None)
        if not isinstance(inputs, (ast.List, ast.Tuple)) or len(inputs.elts) == 1:
            return False
        if self.assigned:
            raise self.refuse("torch.autograd.grad() of several inputs inside an if is not "
                              "supported", call)
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise self.refuse("only assignments to one name are supported, "
                              "like grads = torch.autograd.grad(y, [w, x])")
        name = stmt.targets[0].id
        if name in self.modules:
            raise self.refuse(f"{name} names the module {self.modules[name]}; "
                              "choose another variable name")
        if len(call.args) != 2:
            raise self.refuse("torch.autograd.grad() takes the output and the inputs, "
                              "like torch.autograd.grad(y, [w, x])", call)
        retain = False
        for keyword in call.keywords:
            if keyword.arg != "retain_graph" or not isinstance(keyword.value, ast.Constant) \
                    or not isinstance(keyword.value.value, bool):
                raise self.refuse("torch.autograd.grad() takes only retain_graph=True or "
                                  "False here", call)
            retain = keyword.value.value
        output, inputs = call.args
        names = list(inputs.elts) if isinstance(inputs, (ast.List, ast.Tuple)) else [inputs]
        if not names:
            raise self.refuse("torch.autograd.grad() needs at least one input", call)
        ids = [self.tensor_named(expr) for expr in [output, *names]]
        self.variables.pop(name, None)
        self.grads.append(AutogradGrad(ids[0], tuple(ids[1:]), retain, stmt.lineno))
        self.variables[name] = self.grads[-1]  # type: ignore[assignment]
        return True

    def tensor_named(self: _Importer, expr: ast.expr) -> str:
        """The node a plain name stands for (an argument of torch.autograd.grad)."""
        node_id = getattr(self.variable(expr), "node_id", None) \
            if isinstance(expr, ast.Name) else None
        if node_id is None:
            raise self.refuse(f"{ast.unparse(expr)[:60]}: torch.autograd.grad() here takes tensors "
                              "named by a variable", expr)
        return node_id

    def single(self: _Importer, expr: ast.expr) -> ast.expr:
        """``x`` of ``[x]`` or ``(x,)``: one tensor differentiated, or differentiated by."""
        if isinstance(expr, (ast.List, ast.Tuple)):
            if len(expr.elts) != 1:
                raise self.refuse("torch.autograd.grad() is supported for one output and one "
                                  "input", expr)
            return expr.elts[0]
        return expr

    def is_autograd_grad(self: _Importer, expr: ast.expr) -> bool:
        return isinstance(expr, ast.Call) and self.dotted(expr.func) == "torch.autograd.grad"

    def subscript(self: _Importer, expr: ast.Subscript, label: str) -> Operand | None:
        """``g[0]`` of autograd.grad's tuple (or of the call itself); None for other indexing."""
        inner = expr.value
        holds_tuple = isinstance(inner, ast.Name) and isinstance(self.variables.get(inner.id),
                                                                 Tuple)
        if not (holds_tuple or self.is_autograd_grad(inner)):
            return None
        index = _constant(expr.slice)
        if index != 0 or isinstance(index, bool):
            raise self.refuse("torch.autograd.grad() of one input gives a tuple of one tensor: "
                              "take [0]", expr)
        if holds_tuple:
            return TensorOperand(self.variables[inner.id].node_id)
        assert isinstance(inner, ast.Call)
        return TensorOperand(self.autograd_grad(inner, label).node_id)

    def unpacking(self: _Importer, stmt: ast.Assign) -> bool:
        """``(g,) = torch.autograd.grad(...)`` (or ``g, = ...``, ``[g] = ...``)."""
        target, value = stmt.targets[0], stmt.value
        holds_tuple = isinstance(value, ast.Name) and isinstance(self.variables.get(value.id),
                                                                 Tuple)
        if not (len(stmt.targets) == 1 and isinstance(target, (ast.Tuple, ast.List))
                and (holds_tuple or self.is_autograd_grad(value))):
            return False
        if len(target.elts) != 1 or not isinstance(target.elts[0], ast.Name):
            raise self.refuse("torch.autograd.grad() of one input unpacks into one name: "
                              "(g,) = ...", stmt)
        name = target.elts[0].id
        if holds_tuple:
            self.bind(name, TensorOperand(self.variables[value.id].node_id))
        else:
            assert isinstance(value, ast.Call)
            self.bind(name, TensorOperand(self.autograd_grad(value, name).node_id))
        return True

    # ------------------------------------------------------------------ in place
    def in_place_spec(self: _Importer, method: str) -> NodeType | None:
        """The op whose in-place method is ``method`` ("add_" -> add), if any."""
        spec = NODE_TYPES.get(method[:-1]) if method.endswith("_") else None
        return spec if spec is not None and spec.in_place and spec.method else None

    def in_place_call(self: _Importer, call: ast.Call, label: str) -> TensorOperand:
        """``a.add_(b)``: an in-place node on ``a``, which every name of ``a`` now names."""
        func = call.func
        assert isinstance(func, ast.Attribute)
        spec = self.in_place_spec(func.attr)
        assert spec is not None
        if self.assigned:
            raise self.refuse("in-place operations inside an if are not supported", call)
        receiver = self.expression(func.value)
        if not isinstance(receiver, TensorOperand):
            raise self.refuse(f"a python number has no method .{func.attr}()", call)
        made = self.op_call(spec, call, label, False, receiver)
        assert isinstance(made, TensorOperand)
        self.doc.set_field(made.node_id, "inplace", True)
        self.rebind(receiver.node_id, made.node_id)
        return made

    def in_place_statement(self: _Importer, expr: ast.expr) -> bool:
        """``a.add_(b)`` on its own line (its value is ``a`` itself)."""
        if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
                and self.in_place_spec(expr.func.attr) is not None
                and self.dotted(expr.func) is None):
            return False
        receiver = expr.func.value
        self.in_place_call(expr, receiver.id if isinstance(receiver, ast.Name) else "")
        return True

    def augmented_assignment(self: _Importer, stmt: ast.AugAssign) -> None:
        """``a += b``: in place on a tensor (the same tensor afterwards), arithmetic on a
        python number."""
        target = stmt.target
        if not isinstance(target, ast.Name):
            raise self.refuse("+= and the like are supported on a variable name", stmt)
        current = self.variable(target)
        if isinstance(current, NumberOperand):
            binary = ast.BinOp(ast.Name(target.id, ast.Load()), stmt.op, stmt.value)
            ast.copy_location(binary, stmt)
            self.bind(target.id, self.expression(binary))
            return
        spec = self.operator_spec(stmt.op)
        if spec is None or spec.augmented_operator is None:
            raise self.refuse(f"the operator of {ast.unparse(stmt)} is not supported in place",
                              stmt)
        if self.assigned:
            raise self.refuse("in-place operations inside an if are not supported", stmt)
        operand = self.expression(stmt.value)
        made = self.make_op(spec, [current, operand], {}, target.id)
        self.doc.set_field(made.node_id, "inplace", True)
        self.rebind(current.node_id, made.node_id)

    def rebind(self: _Importer, old: str, new: str) -> None:
        """Every name of the tensor of node ``old`` now names node ``new`` (changed in place)."""
        for name, operand in list(self.variables.items()):
            if operand == TensorOperand(old):
                self.variables[name] = TensorOperand(new)

    # -------------------------------------------------------------------- if
    def if_statement(self: _Importer, stmt: ast.If) -> None:
        condition = self.expression(stmt.test, label="")
        before = dict(self.variables)
        made_before = {node.id for node in self.doc.nodes}
        sides = []
        for body in (stmt.body, stmt.orelse):
            self.variables = dict(before)
            self.assigned.append(set())
            for inner in body:
                self.line = inner.lineno
                self.statement(inner)
            sides.append((self.variables, self.assigned.pop()))
        self.line = stmt.lineno
        self.variables = dict(before)
        made_inside = [node.id for node in self.doc.nodes if node.id not in made_before]
        (then_vars, then_set), (else_vars, else_set) = sides
        for name in [*then_set, *(n for n in else_set if n not in then_set)]:
            then_value = then_vars.get(name) if name in then_set else before.get(name)
            else_value = else_vars.get(name) if name in else_set else before.get(name)
            if then_value is None or else_value is None:
                self.variables.pop(name, None)
                self.one_sided[name] = stmt.lineno
                continue
            if isinstance(then_value, Tuple) or isinstance(else_value, Tuple):
                raise self.refuse(f"{name}: take [0] of torch.autograd.grad() inside the if",
                                  stmt)
            self.bind(name, self.make_op(_BRANCH, [condition, then_value, else_value], {},
                                         name))
        self.check_bodies(made_inside)

    def check_bodies(self: _Importer, made_inside: list[str]) -> None:
        """Refuse what an if computed but no branch variable uses: the graph would compute it
        whatever the condition says."""
        members: set[str] = set()
        for body in branch_bodies(self.doc).values():
            members |= body
        for node_id in made_inside:
            node = self.doc.node(node_id)
            if node.spec.is_op and node_id not in members:
                raise CodeImportError(f"{node.display_name} is computed inside the if but no "
                                      "variable both branches set uses it; it would be "
                                      "computed whatever the condition",
                                      self.lines.get(node_id, self.line))

    def bind(self: _Importer, name: str, operand: Operand | Tuple) -> None:
        """``name = <operand>``."""
        self.variables[name] = operand
        self.note_assigned(name)

    def note_assigned(self: _Importer, name: str) -> None:
        if self.assigned:
            self.assigned[-1].add(name)
        self.one_sided.pop(name, None)

    def unbound_name(self: _Importer, name: str) -> str | None:
        """Why ``name`` is not defined, when an if left it so."""
        line = self.one_sided.get(name)
        if line is None:
            return None
        return (f"{name} is assigned in only one branch of the if on line {line}, so it may "
                "be undefined here")
