"""cgengine against torch, case by case, where the golden files and random graphs do not look.

Tables replayed in both engines at test time (so this file needs torch installed); each case
must give the same result (dtype, shape, grad_fn name, value), raise the same exception type, and
emit the same warnings (a numpy RuntimeWarning leaking out of cgengine is a difference too):

- every arithmetic operator between int64 / float32 / float64 tensors (also 0-d), python numbers
  and numpy scalars: torch's result dtype (float32 stays float32), value, grad_fn name and the
  dtype and value of each operand's gradient;
- the elementwise functions and reductions on int64, float32 and float64 tensors;
- expressions at the edges: infinities, nan, overflow, zero, casts and broadcast losses;
- gradients at the edges of a function's domain (0 ** 0, 1 / 0, sqrt(0));
- ``repr`` where torch's less common printing rules apply (suffixes wrapped onto a new line past
  80 characters, scientific notation, summarised tensors, inf and nan);
- creation functions (``linspace``, ``arange``, ``tensor`` of numpy scalars) bit for bit;
- the exact texts of the errors a student meets when shapes do not fit.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import cgengine
import cgengine.nn.functional as cg_functional
from tests.oracle import torch


def functional(engine: ModuleType) -> ModuleType:
    """The engine's nn.functional (torch's is imported with torch, at first use)."""
    return cg_functional if engine is cgengine else torch.nn.functional

TOLERANCE = {"float64": {"rtol": 1e-12, "atol": 0.0}, "float32": {"rtol": 1e-6, "atol": 1e-7}}
#: torch appends the C++ source line that raised a warning; that is no part of the message.
TRIGGERED_SUFFIX = re.compile(r" \(Triggered internally at .*\)$")


@dataclass
class Outcome:
    """What running a piece of code in one engine gave: a result or an error, and warnings."""

    result: Any = None
    error: Exception | None = None
    warnings: list[str] = field(default_factory=list)


def run_in(engine: ModuleType, code: Callable[[ModuleType], Any]) -> Outcome:
    """Run ``code(engine)``, recording its result or exception and every warning it emits."""
    outcome = Outcome()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            outcome.result = code(engine)
        except Exception as exc:  # which exception torch raises is compared
            outcome.error = exc
    outcome.warnings = [f"{w.category.__name__}: {TRIGGERED_SUFFIX.sub('', str(w.message))}"
                        for w in seen]
    return outcome


def run_both(code: Callable[[ModuleType], Any], what: str) -> tuple[Any, Any] | None:
    """Run in both engines and compare warnings and errors.

    An error in torch must be an error of the same type in cgengine, success must be success.
    Returns (cgengine result, torch result) when torch succeeds, None when both raised.
    """
    expected = run_in(torch, code)
    got = run_in(cgengine, code)
    assert got.warnings == expected.warnings, f"{what}: warnings"
    if expected.error is not None:
        assert got.error is not None, (
            f"{what}: torch raises {expected.error!r}, cgengine gives {got.result!r}")
        assert type(got.error).__name__ == type(expected.error).__name__, (
            f"{what}: cgengine raises {got.error!r}, torch {expected.error!r}")
        return None
    assert got.error is None, (
        f"{what}: cgengine raises {got.error!r}, torch gives {expected.result!r}")
    return got.result, expected.result


def dtype_name(tensor: Any) -> str:
    return str(tensor.dtype).removeprefix("torch.")


def assert_same_values(got: Any, expected: Any, what: str) -> None:
    """Equal within the dtype's tolerance (integers exactly); nan and inf where torch has them."""
    got_values, expected_values = got.detach().numpy(), expected.detach().numpy()
    if dtype_name(expected) in TOLERANCE:
        np.testing.assert_allclose(got_values, expected_values, err_msg=what,
                                   **TOLERANCE[dtype_name(expected)])
    else:
        np.testing.assert_array_equal(got_values, expected_values, err_msg=what)


def assert_same_tensor(got: Any, expected: Any, what: str) -> None:
    """Same dtype, shape, requires_grad, grad_fn name and values."""
    assert dtype_name(got) == dtype_name(expected), f"{what}: dtype"
    assert tuple(got.shape) == tuple(expected.shape), f"{what}: shape"
    assert got.requires_grad == expected.requires_grad, f"{what}: requires_grad"
    names = [None if t.grad_fn is None else t.grad_fn.name() for t in (got, expected)]
    assert names[0] == names[1], f"{what}: grad_fn"
    assert_same_values(got, expected, what)


# ------------------------------------------------------------------ operators and dtypes
#: Tensor operands: data and dtype; floating ones require grad so that gradients are compared.
TENSORS: dict[str, tuple[Any, str]] = {
    "int64": ([1, 2, 3], "int64"),
    "float32": ([1.5, 2.0, 3.0], "float32"),
    "float64": ([1.5, 2.0, 3.0], "float64"),
    "int64 0-d": (2, "int64"),
    "float32 0-d": (2.5, "float32"),
    "float64 0-d": (2.5, "float64"),
}
NUMBERS: dict[str, Any] = {
    "int": 2,
    "float": 2.5,
    "numpy float64": np.float64(2.5),
    "numpy float32": np.float32(2.5),
    "numpy int64": np.int64(2),
}
OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}
OPERATOR_CASES = [
    (left, symbol, right)
    for symbol in OPERATORS
    for left in [*TENSORS, *NUMBERS]
    for right in [*TENSORS, *NUMBERS]
    if left in TENSORS or right in TENSORS
]


def operand(engine: ModuleType, name: str) -> Any:
    """A fresh operand of the given kind in ``engine``: a tensor, or the number itself."""
    if name in NUMBERS:
        return NUMBERS[name]
    data, dtype = TENSORS[name]
    return engine.tensor(data, dtype=getattr(engine, dtype), requires_grad=dtype != "int64")


@pytest.mark.parametrize(("left", "symbol", "right"), OPERATOR_CASES,
                         ids=[f"{a} {s} {b}" for a, s, b in OPERATOR_CASES])
def test_operator_dtype_value_and_gradients(left: str, symbol: str, right: str) -> None:
    operands: dict[ModuleType, tuple[Any, Any]] = {}

    def code(engine: ModuleType) -> Any:
        operands[engine] = (operand(engine, left), operand(engine, right))
        return OPERATORS[symbol](*operands[engine])

    results = run_both(code, f"{left} {symbol} {right}")
    if results is None:
        return
    got, expected = results
    assert_same_tensor(got, expected, "result")
    if not expected.requires_grad:
        return
    expected.sum().backward()
    got.sum().backward()
    for side, mine, theirs in zip(("left", "right"), operands[cgengine], operands[torch],
                                  strict=True):
        if isinstance(theirs, torch.Tensor) and theirs.requires_grad:
            assert dtype_name(mine.grad) == dtype_name(theirs.grad), f"{side} grad dtype"
            assert_same_values(mine.grad, theirs.grad, f"{side} grad")


# ------------------------------------------------------------------ functions and dtypes
FUNCTIONS: dict[str, Callable[[ModuleType, Any], Any]] = {
    "neg": lambda t, x: t.neg(x),
    "abs": lambda t, x: t.abs(x),
    "exp": lambda t, x: t.exp(x),
    "log": lambda t, x: t.log(x),
    "sqrt": lambda t, x: t.sqrt(x),
    "sin": lambda t, x: t.sin(x),
    "cos": lambda t, x: t.cos(x),
    "tanh": lambda t, x: t.tanh(x),
    "sigmoid": lambda t, x: t.sigmoid(x),
    "relu": lambda t, x: t.relu(x),
    "clamp int bounds": lambda t, x: t.clamp(x, 0, 2),
    "clamp float bounds": lambda t, x: t.clamp(x, 0.5, 2.5),
    "maximum": lambda t, x: t.maximum(x, t.full_like(x, 2)),
    "sum": lambda t, x: t.sum(x),
    "sum dim": lambda t, x: x.sum(0),
    "mean": lambda t, x: t.mean(x),
    "max": lambda t, x: t.max(x),
    "max dim values": lambda t, x: t.max(x, dim=0)[0],
    "max dim indices": lambda t, x: t.max(x, dim=0)[1],
    "softmax": lambda t, x: t.softmax(x, dim=0),
    "log_softmax": lambda t, x: t.log_softmax(x, dim=0),
    "matmul": lambda t, x: x @ x,
    "cat": lambda t, x: t.cat([x, x]),
    "stack": lambda t, x: t.stack([x, x]),
    "reshape": lambda t, x: x.reshape(3, 1),
    "select": lambda t, x: x[1],
    "slice": lambda t, x: x[1:],
    "item": lambda t, x: t.tensor(x.sum().item()),
}
FUNCTION_INPUTS = {"int64": [1, 2, 4], "float32": [0.5, 2.0, 4.0], "float64": [0.5, 2.0, 4.0]}


@pytest.mark.parametrize("dtype", list(FUNCTION_INPUTS))
@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_function_dtype_and_value(function: str, dtype: str) -> None:
    def code(engine: ModuleType) -> Any:
        x = engine.tensor(FUNCTION_INPUTS[dtype], dtype=getattr(engine, dtype))
        return FUNCTIONS[function](engine, x)

    results = run_both(code, f"{function}({dtype})")
    if results is not None:
        assert_same_tensor(*results, f"{function}({dtype})")


# ------------------------------------------------------------------ edges of the number line
EDGE_EXPRESSIONS = (
    "torch.exp(torch.tensor([1000.]))",
    "torch.tensor([1e30]) * torch.tensor([1e30])",
    "torch.tensor([0.]) * float('inf')",
    "torch.tensor([float('inf')]) - float('inf')",
    "torch.tensor([0.]) ** -1",
    "torch.log(torch.tensor([0., -1.]))",
    "torch.sqrt(torch.tensor([-1.]))",
    "torch.tensor([-1.]) ** 0.5",
    "torch.tensor([1., 0.]) / torch.tensor([0., 0.])",
    "torch.tensor([1, 2]) / torch.tensor([0, 0])",
    "torch.tensor([1., 2.]) / 0",
    "2 / torch.tensor([0.])",
    "torch.tanh(torch.tensor([float('nan')]))",
    "torch.sigmoid(torch.tensor([-1000.], dtype=torch.float64))",
    "torch.softmax(torch.tensor([float('inf'), 1.]), 0)",
    "torch.log_softmax(torch.tensor([float('inf'), 1.]), 0)",
    "torch.tensor([1.5, 2.], requires_grad=True).long()",
    "torch.tensor([1.5, 2.], requires_grad=True).double()",
    "torch.tensor(1., requires_grad=True).t()",
    # torch broadcasts, warning that the result is likely not what was meant
    "F.mse_loss(torch.ones(2, 1, requires_grad=True), torch.zeros(2))",
)


@pytest.mark.parametrize("expr", EDGE_EXPRESSIONS)
def test_edge_expression(expr: str) -> None:
    results = run_both(lambda t: eval(expr, {"torch": t, "F": functional(t)}), expr)
    if results is not None:
        assert_same_tensor(*results, expr)


#: Statements building ``y`` from leaves ``x`` (and ``z``) at the edge of a function's domain.
EDGE_GRADIENTS = (
    "x = torch.tensor([0., 4.], requires_grad=True); y = torch.sqrt(x)",
    "x = torch.tensor([0., 2.], requires_grad=True); y = torch.log(x)",
    "x = torch.tensor([0., 2.], requires_grad=True); y = 1 / x",
    "x = torch.tensor([0., 2.], requires_grad=True); y = x ** -1",
    "x = torch.tensor([0., 4.], requires_grad=True); y = x ** 0.5",
    "x = torch.tensor([0., 2.], requires_grad=True); y = x ** 0",
    "x = torch.tensor([0., 0., 2.], requires_grad=True);"
    " z = torch.tensor([0., 2., 0.], requires_grad=True); y = x ** z",
    "x = torch.tensor([1000.], requires_grad=True); y = torch.exp(x)",
    "x = torch.tensor([1e30], requires_grad=True); y = x * x",
)


@pytest.mark.parametrize("code", EDGE_GRADIENTS)
def test_edge_gradient(code: str) -> None:
    def run(engine: ModuleType) -> dict[str, Any]:
        scope: dict[str, Any] = {"torch": engine}
        exec(code, scope)
        scope["y"].sum().backward()
        return {name: scope[name].grad for name in ("x", "z") if name in scope}

    results = run_both(run, code)
    assert results is not None, "torch raised"
    got, expected = results
    for name in expected:
        assert_same_tensor(got[name], expected[name], f"{name}.grad")


# ------------------------------------------------------------------ printing
REPRS = (
    # torch moves a suffix to its own line when the last line would pass 80 characters
    "torch.arange(10.) * 2",
    "torch.arange(10., requires_grad=True) * 2",
    "torch.tensor([0., 1., 2., 3., 4., 5., 6., 7., 8., 9.], dtype=torch.float64,"
    " requires_grad=True)",
    "torch.linspace(-1, 1, 12, dtype=torch.float64, requires_grad=True) * 3",
    "torch.linspace(-1, 1, 12, dtype=torch.float64, requires_grad=True).reshape(3, 4)",
    "torch.linspace(-1, 1, 16).reshape(4, 4)",
    "torch.linspace(-1, 1, 16, requires_grad=True).reshape(4, 4).sum(0)",
    "torch.arange(12).reshape(3, 4)",
    "torch.arange(24.).reshape(2, 3, 4)",
    "torch.tensor(2.5, dtype=torch.float64, requires_grad=True) * 2",
    "torch.tensor([1e-5, 1.])",
    "torch.tensor([1e10, 1.])",
    "torch.tensor([123456.789])",
    "torch.tensor([1e-10])",
    "torch.tensor([100., 2.5])",
    "torch.tensor([1e8, 1.])",
    "torch.tensor([float('inf'), -1.5, float('nan')])",
    "torch.tensor([float('inf'), 1.])",
    "torch.tensor([-0., 1.])",
    "torch.tensor([0.0001, 100000.])",
    "torch.tensor([12345.6, 0.001])",
    "torch.tensor(1e-8)",
    "torch.tensor(123456789.)",
    "torch.zeros(0)",
    "torch.zeros(2, 0)",
    "torch.tensor([-3, 100, 7])",
    "torch.linspace(0, 1, 1200)",
    "torch.arange(2000)",
    "torch.ones(40, 40)",
)


@pytest.mark.parametrize("expr", REPRS)
def test_repr(expr: str) -> None:
    expected = repr(eval(expr, {"torch": torch}))
    assert repr(eval(expr, {"torch": cgengine})) == expected


# ------------------------------------------------------------------ creation
CREATIONS = (
    "torch.linspace(-1, 1, 7)",
    "torch.linspace(0, 1, 5)",
    "torch.linspace(-3, 2, 11)",
    "torch.linspace(0, 10, 3)",
    "torch.linspace(-1, 1, 7, dtype=torch.float64)",
    "torch.arange(0, 1, 0.1)",
    "torch.arange(-1, 1, 0.25)",
    "torch.arange(0.5, 3)",
    "torch.arange(5.)",
    "torch.arange(1, 10, 3)",
    "torch.tensor(np.float64(2.5))",
    "torch.tensor([np.float64(2.5), 1.0])",
    "torch.tensor(np.float32(2.5))",
    "torch.tensor(np.int64(3))",
    "torch.tensor(np.array([1.5, 2.0]))",
    "torch.tensor(np.array([1.5, 2.0], dtype=np.float32))",
    "torch.tensor([1, 2.5])",
    "torch.tensor([[1, 2], [3.5, 4]])",
    "torch.full((2,), 1.5, dtype=torch.float64)",
    "torch.ones_like(torch.tensor([1, 2]))",
    "torch.zeros_like(torch.tensor([1., 2.], dtype=torch.float64))",
)


@pytest.mark.parametrize("expr", CREATIONS)
def test_creation_is_bit_for_bit(expr: str) -> None:
    expected = eval(expr, {"torch": torch, "np": np})
    got = eval(expr, {"torch": cgengine, "np": np})
    assert dtype_name(got) == dtype_name(expected)
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


# ------------------------------------------------------------------ error texts
ERRORS = (
    "torch.ones(3) + torch.ones(4)",
    "torch.ones(2, 3) * torch.ones(3, 2)",
    "torch.mm(torch.ones(2, 3), torch.ones(4, 5))",
    "torch.ones(2, 3) @ torch.ones(4, 5)",
    "torch.ones(3) @ torch.ones(4)",
    "torch.ones(2, 3) @ torch.ones(4)",
    "torch.ones(2, 3).view(4)",
    "torch.ones(2, 3).reshape(4)",
    "torch.cat([torch.ones(2, 3), torch.ones(2, 4)])",
    "torch.cat([torch.ones(2, 3), torch.ones(3)])",
    "torch.stack([torch.ones(3), torch.ones(4)])",
    "torch.ones(3)[5]",
    "torch.ones(())[0]",
    "torch.ones(3).size(2)",
    "torch.ones(3).sum(2)",
    "torch.ones(3).softmax(2)",
    "torch.ones(3).transpose(0, 2)",
    "torch.ones(3).unsqueeze(5)",
    "torch.ones(2, 3, 4).t()",
    "torch.ones(3).item()",
    "torch.tensor([[1, 2], [3]])",
    "F.cross_entropy(torch.ones(2, 3), torch.tensor([3, 0]))",
    "F.binary_cross_entropy_with_logits(torch.ones(2), torch.ones(3))",
    "F.mse_loss(torch.ones(3), torch.ones(4))",
    "torch.ones(3, requires_grad=True).sum().backward(torch.ones(2))",
    "(torch.ones(3, requires_grad=True) * 2).backward(torch.ones(3, 1))",
    "torch.autograd.grad((torch.ones(2, requires_grad=True) * 2).sum(),"
    " [torch.ones(2, requires_grad=True)])",
)


@pytest.mark.parametrize("expr", ERRORS)
def test_error_text(expr: str) -> None:
    # warnings are compared by the other tests; mse_loss of unequal shapes warns, then raises
    errors = [run_in(t, lambda t: eval(expr, {"torch": t, "F": functional(t)})).error
              for t in (torch, cgengine)]
    expected, got = errors
    assert expected is not None, "torch did not raise"
    assert got is not None, "cgengine did not raise"
    assert (type(got).__name__, str(got)) == (type(expected).__name__, str(expected))
