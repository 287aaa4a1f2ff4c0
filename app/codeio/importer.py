"""Import a PyTorch snippet as a graph document by reading its syntax tree; nothing is run.

``import_code(text)`` parses the code with :mod:`ast` and walks it statement by statement, making
the graph PyTorch would record if the code ran: ``torch.tensor(...)`` (and zeros, ones, full,
arange, randn) makes a leaf tensor node; every operation of the registry (``torch.add(w, x)``,
``w + 1``, ``a.exp()``, ``F.mse_loss(p, t)``) makes an operation node wired to its operands, with
python numbers as "scalar" nodes; ``a.retain_grad()`` and ``y.backward()`` set the node's flag and
the document's output. The autograd class's statements (backward's arguments, zeroing gradients,
``torch.autograd.grad``, in-place operations, ``if`` on a tensor) are read by the mixin
:class:`~app.codeio.program_import.ProgramStatements`; torch.nn layers, a small ``nn.Module``
class, ``torch.manual_seed`` and the optimizer by :mod:`app.codeio.nn_import`. Only that subset
is understood. Anything else (another import, open(), a loop, a function definition, ...) is
refused with a :class:`CodeImportError` naming the line, so the document shows exactly what the
code means, never a guess.
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any

from app.codeio.errors import CodeImportError
from app.codeio.layout import layout
from app.codeio.literals import (
    FOLD_BITS,
    arange_values,
    check_shape,
    checked_number,
    filled,
    inferred_dtype,
    number_of,
    tensor_literal,
    too_large,
)
from app.codeio.nn_import import ModuleReader
from app.codeio.operands import AutogradGrad
from app.codeio.operands import NumberOperand as _Number
from app.codeio.operands import Operand as _Operand
from app.codeio.operands import TensorOperand as _Tensor
from app.codeio.operands import Tuple as _Tuple
from app.codeio.program_import import ProgramStatements
from app.fileio import FileFormatError, dumps_document, loads_document
from app.fileio.schema import MAX_ID_LENGTH, MAX_NODES
from app.model import GraphDocument, Node
from app.model.rules import is_finite
from app.registry import NODE_TYPES, NodeType, ParamSpec

MAX_CODE_CHARS = 1_000_000

#: The modules code may import, under the name the importer knows each by.
_MODULES: dict[str, str] = {
    "torch": "torch",
    "torch.nn": "torch.nn",
    "torch.nn.functional": "torch.nn.functional",
    "cgengine": "torch",
    "cgengine.nn": "torch.nn",
    "cgengine.nn.functional": "torch.nn.functional",
    "torch.autograd": "torch.autograd",
    "cgengine.autograd": "torch.autograd",
    "torch.optim": "torch.optim",
    "cgengine.optim": "torch.optim",
    "numpy": "numpy",
}
_DTYPES: dict[str, str] = {
    "float32": "float32", "float": "float32",
    "float64": "float64", "double": "float64",
    "int64": "int64", "long": "int64",
}
_CREATION = frozenset({"tensor", "zeros", "ones", "full", "arange", "randn"})
_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow",
    ast.MatMult: "matmul",
}
#: The comparisons, each a bool tensor (the condition of an if): x.sum() > 0 is torch.gt.
_COMPARISONS: dict[type[ast.cmpop], str] = {
    ast.Gt: "gt", ast.GtE: "ge", ast.Lt: "lt", ast.LtE: "le", ast.Eq: "eq", ast.NotEq: "ne",
}
#: torch.X for every operation whose function sits at the top of the engine module.
_TORCH_FUNCTIONS: dict[str, NodeType] = {
    t.function: t for t in NODE_TYPES.values() if t.is_op and "." not in t.function
}
#: torch.nn.functional.X: the losses, and the activations F offers as well as torch.
_FUNCTIONAL: dict[str, NodeType] = {
    path.rpartition(".")[2]: t for t in NODE_TYPES.values() if t.is_op
    for path in (t.function, *t.aliases) if path.startswith("nn.functional.")
}
#: Tensor methods: x.exp(), x.sum(dim=0), x.pow(2), ... (not cat and stack: functions only).
_METHODS: dict[str, NodeType] = {name: t for name, t in _TORCH_FUNCTIONS.items() if t.method}
#: torch.max(a, b) on two tensors is maximum, torch.min(a, b) minimum.
_TWO_TENSOR_FORMS: dict[str, NodeType] = {
    t.two_tensor_form_of: t for t in NODE_TYPES.values() if t.two_tensor_form_of
}
#: Functions that along a dim give (values, indices): torch.max(x, dim=0).values.
_VALUES_ALONG_DIM = frozenset(t.function for t in NODE_TYPES.values() if t.values_along_dim)
#: Statements that only act on a tensor, written on their own line.
_TENSOR_STATEMENTS = frozenset({"retain_grad", "backward", "requires_grad_"})
#: Builtins a print(...) argument may call (they only format what is shown).
_PRINT_BUILTINS = frozenset({"str", "repr", "round", "float", "int", "len", "format"})
#: Syntax a print(...) argument may use: showing values, never computing with side effects.
_PRINTABLE = (ast.Constant, ast.Name, ast.Attribute, ast.Call, ast.keyword, ast.JoinedStr,
              ast.FormattedValue, ast.Tuple, ast.List, ast.Subscript, ast.Slice, ast.BinOp,
              ast.UnaryOp, ast.operator, ast.unaryop, ast.expr_context)
#: Names a variable may not take, since the exported and imported code relies on them.
_RESERVED = frozenset({"print", "float"})
_STATEMENT_KINDS: dict[type[ast.stmt], str] = {
    ast.For: "loops", ast.AsyncFor: "loops", ast.While: "loops",
    ast.FunctionDef: "function definitions", ast.AsyncFunctionDef: "function definitions",
    ast.ClassDef: "class definitions",
    ast.With: "with blocks", ast.AsyncWith: "with blocks", ast.Try: "try blocks",
    ast.Delete: "del statements", ast.Global: "global statements",
    ast.Nonlocal: "nonlocal statements", ast.Return: "return statements",
    ast.Raise: "raise statements", ast.Assert: "assert statements",
    ast.Match: "match statements", ast.AnnAssign: "annotated assignments",
    ast.Break: "break statements", ast.Continue: "continue statements",
}


def syntax_tree(text: str) -> ast.Module:
    """The syntax tree of ``text`` (parsed, never compiled to run), or a
    :class:`CodeImportError` naming the line of a syntax error."""
    if len(text) > MAX_CODE_CHARS:
        raise CodeImportError(f"the code is longer than {MAX_CODE_CHARS} characters")
    try:
        return ast.parse(text)
    except SyntaxError as exc:
        raise CodeImportError(f"Python syntax error: {exc.msg}", exc.lineno) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        # nesting deeper than the parser takes (and null bytes, before Python 3.11.4)
        raise CodeImportError(f"the code cannot be parsed: {exc}") from None


def check_loadable(doc: GraphDocument, lines: dict[str, int]) -> None:
    """Refuse, at the line that made it (``lines``: node id -> line), a node the .cgraph loader
    would refuse (e.g. a parameter of inf), so that whatever is imported can be saved and opened
    again. The loader's own rules decide, so the two can never disagree."""
    try:
        loads_document(dumps_document(doc))
    except FileFormatError as exc:
        found = re.match(r"nodes\[(\d+)\] \(id '[^']*'\)\.(?:params\.)?(.*)", str(exc))
        if found is None:
            raise CodeImportError(f"the graph cannot be saved: {exc}") from None
        node = doc.nodes[int(found[1])]
        raise CodeImportError(f"{node.display_name}: {found[2]}", lines.get(node.id)) from None


def import_code(text: str) -> GraphDocument:
    """The graph the PyTorch code ``text`` builds, laid out left to right.

    Raises :class:`CodeImportError` (with the line) for anything outside the supported subset;
    the code is only parsed, never run.
    """
    tree = syntax_tree(text)
    importer = _Importer()
    try:
        return importer.run(tree)
    except RecursionError:
        raise CodeImportError("an expression is nested too deeply", importer.line) from None


def _source(node: ast.AST) -> str:
    """The code of ``node`` as a message quotes it (shortened when long)."""
    try:
        text = ast.unparse(node)
    except ValueError:  # an integer past Python's 4,300-digit limit for printing
        return "a number with too many digits"
    return text if len(text) <= 60 else text[:57] + "..."


class _Importer(ProgramStatements, ModuleReader):
    """One import: the document being built and the names the code has bound so far."""

    def __init__(self) -> None:
        self.doc = GraphDocument()
        # name in the code -> module path, e.g. F -> torch.nn.functional
        self.modules: dict[str, str] = {}
        self.variables: dict[str, _Operand | _Tuple] = {}
        #: names bound to torch.device("cpu") (the course's device idiom): accepted where a
        #: device goes, never computed with
        self.devices: set[str] = set()
        self.init_modules()
        self.line = 1  # the statement being read, for errors raised without a node
        self.lines: dict[str, int] = {}  # node id -> the line that made it
        self.scalar_count = 0
        self.init_program()

    def refuse(self, message: str, node: ast.AST | None = None) -> CodeImportError:
        return CodeImportError(message, getattr(node, "lineno", None) or self.line)

    def run(self, tree: ast.Module) -> GraphDocument:
        self.read(tree)
        self.add_training_note()
        layout(self.doc)
        self.check_loadable()
        return self.doc

    def read(self, tree: ast.Module) -> None:
        """Build the graph of ``tree`` statement by statement (no layout, no file check: the
        live editor places and checks only what changed, app/codeio/live.py)."""
        for statement in tree.body:
            self.line = statement.lineno
            self.statement(statement)
        self.finish_backward()

    def check_loadable(self) -> None:
        check_loadable(self.doc, self.lines)

    # ---------------------------------------------------------------- statements
    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Import):
            self.import_modules(stmt)
        elif isinstance(stmt, ast.ImportFrom):
            self.import_from(stmt)
        elif isinstance(stmt, ast.Assign):
            self.assign(stmt)
        elif isinstance(stmt, ast.Expr):
            self.expression_statement(stmt.value)
        elif isinstance(stmt, ast.ClassDef):
            self.class_definition(stmt)
        elif isinstance(stmt, ast.AugAssign):
            self.augmented_assignment(stmt)
        elif isinstance(stmt, ast.If):
            self.if_statement(stmt)
        elif not isinstance(stmt, ast.Pass):
            kind = _STATEMENT_KINDS.get(type(stmt), f"{type(stmt).__name__} statements")
            raise self.refuse(f"{kind} are not supported; the importer reads straight-line code: "
                              "imports, assignments, if on a tensor, retain_grad(), backward() "
                              "and print()")

    def bind_module(self, name: str, path: str) -> None:
        self.modules[name] = path
        self.variables.pop(name, None)

    def import_modules(self, stmt: ast.Import) -> None:
        for alias in stmt.names:
            path = _MODULES.get(alias.name)
            if path is None:
                root = alias.name.partition(".")[0]
                if root in ("torch", "cgengine", "numpy"):
                    raise self.refuse(f"import {alias.name} is not supported; import torch, "
                                      "torch.nn, torch.nn.functional, torch.optim or numpy")
                raise self.refuse("only torch and numpy may be imported")
            if alias.asname:
                self.bind_module(alias.asname, path)
            else:
                root = alias.name.partition(".")[0]
                self.bind_module(root, _MODULES[root])

    def import_from(self, stmt: ast.ImportFrom) -> None:
        if stmt.module == "__future__":
            return
        if stmt.level or stmt.module not in _MODULES:
            raise self.refuse("only torch and numpy may be imported")
        for alias in stmt.names:
            path = _MODULES.get(f"{stmt.module}.{alias.name}")
            if path is None:
                raise self.refuse(
                    f"from {stmt.module} import {alias.name} is not supported; only the modules "
                    f"nn, functional and optim can be imported this way (write import "
                    f"{stmt.module})")
            self.bind_module(alias.asname or alias.name, path)

    def assign(self, stmt: ast.Assign) -> None:
        if self.grad_assignment(stmt) or self.unpacking(stmt) or self.printed_grads(stmt):
            return
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise self.refuse("only assignments to one name are supported, "
                              "like y = torch.mul(a, b)")
        name = stmt.targets[0].id
        if name in self.modules:
            raise self.refuse(f"{name} names the module {self.modules[name]}; "
                              "choose another variable name")
        if name in _RESERVED:
            raise self.refuse(f"{name} is a Python builtin; choose another variable name")
        if len(name) > MAX_ID_LENGTH - 10:
            raise self.refuse(f"the variable name {name[:20]}... is too long "
                              f"(at most {MAX_ID_LENGTH - 10} characters)")
        if self.device_value(stmt.value):
            self.devices.add(name)
            self.variables.pop(name, None)
            return
        self.devices.discard(name)
        built = self.object_value(stmt.value, name)
        if built is not None:
            self.bind_object(name, built)
            return
        if self.is_autograd_grad(stmt.value):  # the tuple itself: g = torch.autograd.grad(...)
            self.bind(name, self.autograd_grad(stmt.value, name))
        else:
            self.bind(name, self.expression(stmt.value, label=name))
        self.objects.pop(name, None)

    def expression_statement(self, expr: ast.expr) -> None:
        if isinstance(expr, ast.Constant):
            return  # a docstring or another string standing alone
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Name) and func.id == "print":
                self.check_print(expr)
                return
            if self.dotted(func) == "torch.manual_seed":
                self.manual_seed(expr)
                return
            if self.object_statement(expr):
                return
            if self.grad_statement(expr) or self.in_place_statement(expr):
                return
            if (isinstance(func, ast.Attribute) and func.attr in _TENSOR_STATEMENTS
                    and self.dotted(func) is None):
                getattr(self, f"call_{func.attr}")(expr, self.tensor_operand(func.value, expr))
                return
        self.expression(expr)  # refuses what is not supported, with the precise reason
        raise self.refuse(f"the result of {_source(expr)} is not used; assign it to a name, "
                          f"like y = {_source(expr)}")

    def tensor_operand(self, expr: ast.expr, call: ast.Call) -> str:
        operand = self.expression(expr)
        if isinstance(operand, _Number):
            method = call.func.attr if isinstance(call.func, ast.Attribute) else "it"
            raise self.refuse(f"{_source(expr)} is a python number; it has no {method}()", call)
        return operand.node_id

    def call_retain_grad(self, call: ast.Call, node_id: str) -> None:
        if call.args or call.keywords:
            raise self.refuse("retain_grad() takes no arguments", call)
        if self.doc.output is not None:
            raise self.refuse("retain_grad() after backward() keeps nothing; "
                              "call it before y.backward()", call)
        self.doc.set_field(node_id, "retain_grad", True)

    def call_requires_grad_(self, call: ast.Call, node_id: str) -> None:
        arguments = [*call.args, *(kw.value for kw in call.keywords)]
        if len(arguments) > 1 or any(kw.arg != "requires_grad" for kw in call.keywords):
            raise self.refuse("requires_grad_() takes one argument, True or False", call)
        flag = True
        if arguments:
            if not (isinstance(arguments[0], ast.Constant)
                    and isinstance(arguments[0].value, bool)):
                raise self.refuse("requires_grad_() takes True or False", call)
            flag = arguments[0].value
        node = self.doc.node(node_id)
        if node.type != "tensor":
            raise self.refuse("requires_grad_() only works on leaf tensors, "
                              "the ones made with torch.tensor(...)", call)
        if flag != node.requires_grad and self.doc.consumers_of(node_id):
            raise self.refuse(f"requires_grad_() after {node.display_name} was used: torch "
                              "would not record the operations before it; set requires_grad=True "
                              "where the tensor is made", call)
        self.doc.set_field(node_id, "requires_grad", flag)

    def check_print(self, call: ast.Call) -> None:
        """print(...) is ignored, but only when its arguments just show values."""
        for argument in [*call.args, *(kw.value for kw in call.keywords)]:
            for sub in ast.walk(argument):
                if not isinstance(sub, _PRINTABLE):
                    raise self.refuse(f"print() may only show values; {_source(sub)} is not "
                                      "allowed there", call)
                if isinstance(sub, ast.Attribute) and sub.attr.startswith("_"):
                    raise self.refuse(f"{_source(sub)}: names starting with _ are not allowed",
                                      call)
                if isinstance(sub, ast.Name) and not (sub.id in self.variables
                                                      or sub.id in self.modules
                                                      or sub.id in self.objects
                                                      or sub.id in _PRINT_BUILTINS):
                    raise self.refuse(f"name {sub.id!r} is not defined", call)
                if isinstance(sub, ast.Call) and not self.is_display_call(sub):
                    raise self.refuse(f"print() may show variables and their attributes; "
                                      f"calling {_source(sub.func)}() is not allowed there", call)

    def is_display_call(self, call: ast.Call) -> bool:
        """str(x), round(y), w.grad.numpy(): a builtin formatter or a method of a variable."""
        func = call.func
        if isinstance(func, ast.Name):
            return func.id in _PRINT_BUILTINS
        base: ast.expr = func
        while isinstance(base, (ast.Attribute, ast.Call, ast.Subscript)):
            base = base.func if isinstance(base, ast.Call) else base.value
        if isinstance(base, ast.Name) and base.id in self.objects:
            # a method of a layer's parameter (net.weight.grad.numpy()), not of the layer
            return isinstance(func, ast.Attribute) and not isinstance(func.value, ast.Name)
        return isinstance(base, ast.Name) and base.id in self.variables

    # --------------------------------------------------------------- expressions
    def dotted(self, expr: ast.expr) -> str | None:
        """The module path ``expr`` names (F.relu -> torch.nn.functional.relu), else None."""
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if isinstance(expr, ast.Name) and expr.id in self.modules:
            return ".".join([self.modules[expr.id], *reversed(parts)])
        return None

    def expression(self, expr: ast.expr, label: str = "") -> _Operand:
        """Read ``expr``, adding the nodes it makes; the outermost node gets ``label``."""
        number = number_of(expr)
        if number is not None:
            return _Number(number, _source(expr))
        if isinstance(expr, ast.Name):
            operand = self.variable(expr)
            if isinstance(operand, _Tuple):
                raise self.refuse(f"{expr.id} is the tuple torch.autograd.grad() returns; "
                                  f"write {expr.id}[0]", expr)
            return operand
        if isinstance(expr, ast.Compare):
            return self.comparison(expr, label)
        if isinstance(expr, ast.Subscript):
            derivative = self.subscript(expr, label)
            if derivative is not None:
                return derivative
        if isinstance(expr, ast.BinOp):
            return self.binary(expr, label)
        if isinstance(expr, ast.UnaryOp):
            return self.unary(expr, label)
        if isinstance(expr, ast.Call):
            return self.call(expr, label)
        values_of = self.max_values_call(expr)
        if values_of is not None:
            return self.call(values_of, label, values=True)
        if isinstance(expr, ast.Attribute):
            raise self.refuse(f"{_source(expr)} cannot be used in a computation here", expr)
        if isinstance(expr, ast.Subscript):
            raise self.refuse("indexing like x[0] is not supported", expr)
        if isinstance(expr, ast.Constant):
            raise self.refuse(f"{_source(expr)} is not a tensor or a number", expr)
        raise self.refuse(f"{_source(expr)} is not supported; use torch functions, tensor "
                          "methods and the operators + - * / ** @", expr)

    @staticmethod
    def max_values_call(expr: ast.expr) -> ast.Call | None:
        """The call inside ``torch.max(x, dim=0).values`` or ``torch.max(x, dim=0)[0]``."""
        values = isinstance(expr, ast.Attribute) and expr.attr == "values"
        first = (isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant)
                 and expr.slice.value == 0 and not isinstance(expr.slice.value, bool))
        if not (values or first):
            return None
        inner = expr.value
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) \
                and inner.func.attr in _VALUES_ALONG_DIM:
            return inner
        return None

    def device_value(self, expr: ast.expr) -> bool:
        """Whether ``expr`` is the CPU as a device: ``"cpu"``, ``torch.device("cpu")``, a name
        bound to one, or the course's ``torch.device("cuda" if torch.cuda.is_available() else
        "cpu")`` (CUDA is never available here, as on a machine without a GPU). A CUDA device is
        refused: CG Studio computes on the CPU."""
        if isinstance(expr, ast.IfExp) and isinstance(expr.test, ast.Call) \
                and self.dotted(expr.test.func) == "torch.cuda.is_available":
            return self.device_value(expr.orelse)
        if isinstance(expr, ast.Name):
            return expr.id in self.devices
        if isinstance(expr, ast.Call) and self.dotted(expr.func) == "torch.device":
            if len(expr.args) != 1 or expr.keywords:
                raise self.refuse("torch.device() takes one device name here, like "
                                  "torch.device(\"cpu\")", expr)
            inner = expr.args[0]
            if not (isinstance(inner, (ast.Constant, ast.IfExp, ast.Name))
                    and self.device_value(inner)):
                raise self.refuse("torch.device() takes \"cpu\" here", expr)
            return True
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            kind = expr.value.partition(":")[0]
            if kind == "cpu":
                return True
            raise self.refuse(f"the device {expr.value!r} is not available: CG Studio computes on "
                              "the CPU, as torch does on a machine without a GPU", expr)
        return False

    def variable(self, expr: ast.Name) -> _Operand | _Tuple:
        if expr.id in self.devices:
            raise self.refuse(f"{expr.id} is a device (the CPU), not a tensor", expr)
        if isinstance(self.variables.get(expr.id), AutogradGrad):
            raise self.refuse(f"{expr.id} holds the gradients of torch.autograd.grad(), "
                              "which print() may show but a computation cannot use", expr)
        if expr.id in self.variables:
            return self.variables[expr.id]
        if expr.id in self.objects:
            raise self.refuse(f"{expr.id} is a layer, a model or an optimizer, not a tensor; "
                              f"call a layer on its input, like {expr.id}(x)", expr)
        if expr.id in self.modules:
            raise self.refuse(f"{expr.id} is a module, not a tensor", expr)
        unbound = self.unbound_name(expr.id)
        if unbound is not None:
            raise self.refuse(unbound, expr)
        raise self.refuse(f"name {expr.id!r} is not defined (only torch, numpy and variables "
                          "assigned above can be used)", expr)

    def operator_spec(self, op: ast.operator) -> NodeType | None:
        """The node type of an arithmetic operator (``+`` is add)."""
        name = _OPERATORS.get(type(op))
        return None if name is None else NODE_TYPES[name]

    def comparison(self, expr: ast.Compare, label: str) -> _Operand:
        """``a > b``: a comparison node (a bool tensor, the condition of an if)."""
        if len(expr.ops) != 1:
            raise self.refuse(f"{_source(expr)}: chained comparisons are not supported", expr)
        op_name = _COMPARISONS.get(type(expr.ops[0]))
        if op_name is None:
            raise self.refuse(f"the comparison in {_source(expr)} is not supported", expr)
        left = self.expression(expr.left)
        right = self.expression(expr.comparators[0])
        if isinstance(left, _Number) and isinstance(right, _Number):
            raise self.refuse(f"{_source(expr)} compares two python numbers; the graph "
                              "compares tensors", expr)
        return self.make_op(NODE_TYPES[op_name], [left, right], {}, label)

    def binary(self, expr: ast.BinOp, label: str) -> _Operand:
        op_name = _OPERATORS.get(type(expr.op))
        if op_name is None:
            raise self.refuse(f"the operator in {_source(expr)} is not supported; "
                              "use + - * / ** @", expr)
        left = self.expression(expr.left)
        right = self.expression(expr.right)
        if isinstance(left, _Number) and isinstance(right, _Number):
            folded = self.fold(op_name, left.value, right.value, expr)
            if too_large(folded):
                raise self.refuse(f"{_source(expr)} is too large to compute with", expr)
            return _Number(folded, _source(expr))
        return self.make_op(NODE_TYPES[op_name], [left, right], {}, label)

    def fold(self, op_name: str, left: int | float, right: int | float,
             expr: ast.BinOp) -> int | float:
        """Arithmetic on two python numbers, as python does it (no node: torch sees a number)."""
        try:
            if op_name == "add":
                return left + right
            if op_name == "sub":
                return left - right
            if op_name == "mul":
                return left * right
            if op_name == "div":
                return left / right
            if op_name == "pow":
                exact = isinstance(left, int) and isinstance(right, int) and right >= 0
                if exact and abs(left) > 1 and right * math.log2(abs(left)) > FOLD_BITS:
                    # decided before computing: 9 ** 64 ** 64 would take minutes
                    raise self.refuse(f"{_source(expr)} is too large to compute with", expr)
                return left ** right if exact else math.pow(left, right)
        except ZeroDivisionError:
            raise self.refuse(f"{_source(expr)} divides by zero", expr) from None
        except (OverflowError, ValueError):
            raise self.refuse(f"{_source(expr)} is not a finite real number", expr) from None
        raise self.refuse(f"{_source(expr)}: @ needs tensors, not numbers", expr)

    def unary(self, expr: ast.UnaryOp, label: str) -> _Operand:
        if not isinstance(expr.op, (ast.USub, ast.UAdd)):
            raise self.refuse(f"the operator in {_source(expr)} is not supported", expr)
        operand = self.expression(expr.operand)
        if isinstance(expr.op, ast.UAdd):
            return operand
        if isinstance(operand, _Number):
            return _Number(-operand.value, _source(expr))
        return self.make_op(NODE_TYPES["neg"], [operand], {}, label)

    def call(self, call: ast.Call, label: str, values: bool = False) -> _Operand:
        called = self.object_call(call, label)
        if called is not None:
            return called
        func = call.func
        path = self.dotted(func)
        if path is not None:
            return self.module_call(path, call, label, values)
        if isinstance(func, ast.Attribute):
            return self.method_call(call, label, values)
        if isinstance(func, ast.Name):
            if func.id == "print":
                raise self.refuse("print(...) has no value to compute with", call)
            raise self.refuse(f"calling {func.id}() is not supported: the code is only read, "
                              "never run, and only torch functions and tensor methods make a "
                              "graph", call)
        raise self.refuse(f"{_source(call)} is not supported", call)

    def module_call(self, path: str, call: ast.Call, label: str, values: bool) -> _Operand:
        module, _, name = path.rpartition(".")
        written = _source(call.func)
        if path.partition(".")[0] == "numpy":
            raise self.refuse("numpy is imported only to be ignored; make tensors with "
                              "torch.tensor(...)", call)
        if path == "torch.autograd.grad":
            raise self.refuse("torch.autograd.grad() gives a tuple; take its [0] to compute "
                              "with the derivative", call)
        if module == "torch" and name in _CREATION and not values:
            return self.create(name, call, label)
        if module == "torch" and name in _TWO_TENSOR_FORMS and self.two_tensors(call.args):
            spec = _TWO_TENSOR_FORMS[name]
        elif module == "torch" and name in _TORCH_FUNCTIONS:
            spec = _TORCH_FUNCTIONS[name]
        elif module == "torch.nn.functional" and name in _FUNCTIONAL:
            spec = _FUNCTIONAL[name]
        else:
            raise self.refuse(f"{written}() is not supported; the operations are those of the "
                              "palette (torch.add, torch.mul, ...)", call)
        return self.op_call(spec, call, label, values, None)

    def two_tensors(self, args: list[ast.expr]) -> bool:
        """torch.max(a, b) is the elementwise maximum, torch.max(x, 0) the max along dim 0."""
        second = args[1] if len(args) > 1 else None
        if second is None or number_of(second) is not None:
            return False
        return not (isinstance(second, ast.Name)
                    and isinstance(self.variables.get(second.id), _Number))

    def method_call(self, call: ast.Call, label: str, values: bool) -> _Operand:
        func = call.func
        assert isinstance(func, ast.Attribute)
        if isinstance(func.value, ast.Name):
            self.variable(func.value)  # an undefined name is the first thing to say
        method = func.attr
        if self.device_move(call):  # x.to(device), x.cpu(): the same tensor, on the CPU already
            return self.expression(func.value, label)
        if method in _TENSOR_STATEMENTS:
            raise self.refuse(f"{method}() has no value; call it on its own line", call)
        if self.in_place_spec(method) is not None:
            return self.in_place_call(call, label)
        if method in _TWO_TENSOR_FORMS and self.two_tensors([func.value, *call.args]):
            spec = _TWO_TENSOR_FORMS[method]
        elif method in _METHODS:
            spec = _METHODS[method]
        else:
            raise self.refuse(f"the tensor method .{method}() is not supported", call)
        receiver = self.expression(func.value)
        if isinstance(receiver, _Number):
            raise self.refuse(f"a python number has no method .{method}()", call)
        return self.op_call(spec, call, label, values, receiver)

    def device_move(self, call: ast.Call) -> bool:
        """``x.to(device)``, ``x.to("cpu")`` or ``x.cpu()``: torch gives back ``x`` itself when it
        is on that device already, as every tensor here is on the CPU."""
        func = call.func
        assert isinstance(func, ast.Attribute)
        if call.keywords:
            return False
        if func.attr == "cpu":
            return not call.args
        return func.attr == "to" and len(call.args) == 1 and self.device_value(call.args[0])

    def op_call(self, spec: NodeType, call: ast.Call, label: str, values: bool,
                receiver: _Operand | None) -> _Operand:
        """An operation node from a call: arguments fill the ports, then the params, in order."""
        written = _source(call.func)
        if any(isinstance(arg, ast.Starred) for arg in call.args):
            raise self.refuse("*arguments are not supported", call)
        operands: dict[int, _Operand] = {} if receiver is None else {0: receiver}
        args = list(call.args)
        if spec.sequence_input:
            if not args or not isinstance(args[0], (ast.List, ast.Tuple)) \
                    or len(args[0].elts) != 2:
                raise self.refuse(f"{written}() takes a list of exactly two tensors here, like "
                                  f"{written}([a, b], dim=0)", call)
            port_args, extra = list(args[0].elts), args[1:]
        else:
            free = len(spec.inputs) - len(operands)
            port_args, extra = args[:free], args[free:]
        for arg in port_args:
            operands[len(operands)] = self.expression(arg)

        params: dict[str, Any] = {}
        if spec.shape_param is not None and extra:
            params[spec.shape_param.name] = self.shape_value(extra, call)
        else:
            if len(extra) > len(spec.params):
                raise self.refuse(f"{written}() got {len(args)} arguments, more than it takes",
                                  call)
            for param, arg in zip(spec.params, extra):
                params[param.name] = self.param_value(param, arg)
        ports = {port.name: index for index, port in enumerate(spec.inputs)}
        for keyword in call.keywords:
            name = keyword.arg
            if name is None:
                raise self.refuse("**keyword arguments are not supported", call)
            if name in {spec.inputs[index].name for index in operands} or name in params:
                raise self.refuse(f"{written}() got {name} twice", call)
            if name in ports:
                operands[ports[name]] = self.expression(keyword.value)
            elif name in {param.name for param in spec.params}:
                params[name] = self.param_value(spec.param(name), keyword.value)
            else:
                known = [p.name for p in spec.inputs] + [p.name for p in spec.params]
                raise self.refuse(f"{written}() has no keyword {name!r} here "
                                  f"(it takes: {', '.join(known)})", call)
        missing = [port.name for index, port in enumerate(spec.inputs) if index not in operands]
        if missing:
            raise self.refuse(f"{written}() needs {' and '.join(missing)}", call)

        along_dim = spec.values_along_dim and params.get("dim") is not None
        if along_dim and not values:
            raise self.refuse(f"{written}() along a dim gives (values, indices); write "
                              f"{written}(..., dim=...).values", call)
        if values and not along_dim:
            raise self.refuse(".values is only supported on torch.max(x, dim=...)", call)
        return self.make_op(spec, [operands[i] for i in range(len(spec.inputs))], params, label)

    def number(self, expr: ast.expr, what: str) -> int | float:
        """A python number argument (a parameter, a size, a fill value), checked for torch."""
        written_out = number_of(expr)
        if written_out is not None:
            return checked_number(written_out, expr.lineno, _source(expr))
        operand = None if isinstance(expr, ast.Constant) else self.expression(expr)
        if not isinstance(operand, _Number):
            raise self.refuse(f"{what} must be a number, not {_source(expr)}", expr)
        return checked_number(operand.value, expr.lineno, _source(expr))

    def integer(self, expr: ast.expr, what: str, minimum: int) -> int:
        value = self.number(expr, what)
        if not isinstance(value, int) or value < minimum:
            raise self.refuse(f"{what} must be an integer >= {minimum}, not {_source(expr)}",
                              expr)
        return value

    def shape_value(self, sizes: list[ast.expr], at: ast.AST) -> tuple[int, ...]:
        """reshape's sizes: x.reshape(2, 3), torch.reshape(x, (2, 3)) or reshape(x, -1)."""
        if len(sizes) == 1 and isinstance(sizes[0], (ast.Tuple, ast.List)):
            sizes = list(sizes[0].elts)
        shape = tuple(self.integer(size, "a size", -1) for size in sizes)
        if shape.count(-1) > 1:
            raise self.refuse("only one size can be -1 (inferred)", at)
        return shape

    def param_value(self, param: ParamSpec, expr: ast.expr) -> Any:
        if param.kind.startswith("optional_") and isinstance(expr, ast.Constant) \
                and expr.value is None:
            return None
        if param.kind == "bool":
            if not (isinstance(expr, ast.Constant) and isinstance(expr.value, bool)):
                raise self.refuse(f"{param.name} must be True or False", expr)
            return expr.value
        if param.kind == "shape":
            return self.shape_value([expr], expr)
        if param.kind in ("int", "optional_int"):
            value = self.number(expr, param.name)
            if not isinstance(value, int):
                raise self.refuse(f"{param.name} must be an integer, not {_source(expr)}", expr)
            return value
        return self.number(expr, param.name)

    # ------------------------------------------------------------------- nodes
    def new_id(self, base: str) -> str:
        if len(self.doc) >= MAX_NODES:
            raise self.refuse(f"the graph has more than {MAX_NODES} nodes")
        if not self.doc.has_node(base):
            return base
        suffix = 2
        while self.doc.has_node(f"{base}_{suffix}"):
            suffix += 1
        return f"{base}_{suffix}"

    def scalar(self, value: int | float) -> str:
        self.scalar_count += 1
        while self.doc.has_node(f"c{self.scalar_count}"):
            self.scalar_count += 1
        node_id = self.new_id(f"c{self.scalar_count}")  # free: new_id only checks the limit
        self.doc.add_node(Node(node_id, "scalar", label=repr(value), value=value))
        self.lines[node_id] = self.line
        return node_id

    def make_op(self, spec: NodeType, operands: list[_Operand], params: dict[str, Any],
                label: str, **fields: Any) -> _Tensor:
        sources: list[str | None] = []
        for port, operand in zip(spec.inputs, operands, strict=True):
            if isinstance(operand, _Number):  # a python number reaches torch here
                checked_number(operand.value, self.line, operand.written)
            if isinstance(operand, _Tensor):
                sources.append(operand.node_id)
            elif port.default is not None and is_finite(operand.value):
                # a number for pow's exponent is a parameter, as the port has a default; a
                # parameter is finite (the .cgraph loader's rule), so inf or nan is a number
                # node wired in, as the editor makes it
                params[port.name] = operand.value
                sources.append(None)
            else:
                sources.append(self.scalar(operand.value))
        node_id = self.new_id(label or spec.name)
        self.doc.add_node(Node(node_id, spec.name, label=label, params=params, **fields))
        self.lines[node_id] = self.line
        for port, src in enumerate(sources):
            if src is not None:
                self.doc.connect(src, node_id, port)
        return _Tensor(node_id)

    def create(self, name: str, call: ast.Call, label: str) -> _Tensor:
        """A leaf tensor from torch.tensor / zeros / ones / full / arange / randn."""
        keywords: dict[str, ast.expr] = {}
        for keyword in call.keywords:
            if keyword.arg == "device" and self.device_value(keyword.value):
                continue  # the CPU, where every tensor of CG Studio is
            if keyword.arg not in ("requires_grad", "dtype"):
                raise self.refuse(f"torch.{name}(): keyword {keyword.arg!r} is not supported "
                                  "(only requires_grad, dtype and device)", call)
            keywords[keyword.arg] = keyword.value
        requires_grad = False
        if "requires_grad" in keywords:
            flag = keywords["requires_grad"]
            if not (isinstance(flag, ast.Constant) and isinstance(flag.value, bool)):
                raise self.refuse("requires_grad must be True or False", flag)
            requires_grad = flag.value
        dtype = self.dtype_value(keywords["dtype"]) if "dtype" in keywords else None
        args = call.args

        if name == "tensor":
            if len(args) != 1:
                raise self.refuse("torch.tensor takes one value, like torch.tensor([1., 2.])",
                                  call)
            value = tensor_literal(args[0])
            dtype = dtype or inferred_dtype(value)
        elif name == "arange":
            if not 1 <= len(args) <= 3:
                raise self.refuse("torch.arange takes end, or start, end and step", call)
            numbers = [self.number(arg, "an arange bound") for arg in args]
            start, end, step = ([0, numbers[0], 1] if len(numbers) == 1
                                else [*numbers, 1][:3])
            dtype = dtype or inferred_dtype([start, end, step])
            value = [self.cast(v, dtype, call)
                     for v in arange_values(start, end, step, call.lineno)]
        elif name == "full":
            if len(args) != 2 or not isinstance(args[0], (ast.Tuple, ast.List)):
                raise self.refuse("torch.full takes a size and a fill value, like "
                                  "torch.full((2, 3), 1.5)", call)
            shape = self.size_value([args[0]], call)
            fill = self.number(args[1], "the fill value")
            dtype = dtype or inferred_dtype(fill)
            value = filled(shape, self.cast(fill, dtype, call))
        else:
            shape = self.size_value(args, call)
            dtype = dtype or "float32"
            if name == "randn":
                if dtype == "int64":
                    raise self.refuse("torch.randn makes floating point numbers, not int64",
                                      call)
                value = self.randn(shape, dtype)
            else:
                value = filled(shape, self.cast(0 if name == "zeros" else 1, dtype, call))
        node_id = self.new_id(label or name)
        self.doc.add_node(Node(node_id, "tensor", label=label, value=value, dtype=dtype,
                               requires_grad=requires_grad))
        self.lines[node_id] = self.line
        return _Tensor(node_id)

    def size_value(self, args: list[ast.expr], call: ast.Call) -> tuple[int, ...]:
        """torch.zeros(2, 3) or torch.zeros((2, 3)): the sizes, checked against the limits."""
        sizes = args
        if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
            sizes = list(args[0].elts)
        shape = tuple(self.integer(size, "a size", 0) for size in sizes)
        check_shape(shape, call.lineno)
        return shape

    def cast(self, number: int | float, dtype: str, at: ast.AST) -> int | float:
        if dtype != "int64":
            return float(number)
        try:
            return int(number)
        except (ValueError, OverflowError):
            raise self.refuse(f"{number} cannot be an int64", at) from None

    def dtype_value(self, expr: ast.expr) -> str:
        path = self.dotted(expr) or ""
        module, _, name = path.rpartition(".")
        if module != "torch" or name not in _DTYPES:
            raise self.refuse(f"dtype must be torch.float32, torch.float64 or torch.int64, "
                              f"not {_source(expr)}", expr)
        return _DTYPES[name]

