"""Record PyTorch's answers that cgengine must reproduce: the golden files of tests/golden/.

Run ``python tools/record_golden.py`` with torch 2.13 installed; it rewrites

- ``tests/golden/ops.json``: for every case of :data:`CASES`, in float64 and float32, the inputs
  (seeded numpy data), the forward value, dtype, shape, ``requires_grad`` and ``is_leaf`` of the
  result, its ``grad_fn`` name, the class names in ``grad_fn.next_functions`` (``None`` where torch
  has ``None``, e.g. for a python-number operand), the fixed random weights ``w`` and each input's
  ``.grad`` after ``(out * w).sum().backward()``;
- ``tests/golden/texts.json``: ``repr`` strings, exception texts and warning texts.

A case is a python expression over the inputs ``a``, ``b``, ``c`` (and ``torch``, ``F`` for
``torch.nn.functional``, ``np``), so tests/test_engine_golden.py replays it verbatim with
``torch = cgengine``. Inputs and weights are drawn from a numpy generator seeded by the case name,
so adding a case leaves the others' data unchanged.
"""

from __future__ import annotations

import json
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "tests" / "golden"
INPUT_NAMES = ("a", "b", "c")


@dataclass(frozen=True)
class Input:
    """How one input of a case is made.

    ``domain``: "normal" (standard normal), "positive" (uniform 0.5..2, for log/sqrt/pow bases),
    "int" (int64 in -3..3, never requires grad). ``data`` fixes the values (kinks, ties, +-1000).
    ``dtype`` overrides the case dtype ("float64" / "float32"), e.g. to mix a float64 0-d tensor in.
    """

    shape: tuple[int, ...] = ()
    domain: str = "normal"
    data: Any = None
    dtype: str | None = None
    grad: bool = True


@dataclass(frozen=True)
class Case:
    """One expression to record; ``kink`` marks inputs placed on a kink (no finite differences)."""

    name: str
    expr: str
    inputs: tuple[Input, ...] = ()
    kink: bool = False
    dtypes: tuple[str, ...] = ("float64", "float32")


def _inputs(*shapes: tuple[int, ...], domain: str = "normal") -> tuple[Input, ...]:
    return tuple(Input(shape, domain) for shape in shapes)


def _fixed(*datas: Any) -> tuple[Input, ...]:
    return tuple(Input(np.shape(d), data=d) for d in datas)


V3, V4, M23, M34, R13, C21 = (3,), (4,), (2, 3), (3, 4), (1, 3), (2, 1)

CASES: tuple[Case, ...] = (
    # arithmetic, with broadcasting and python numbers on either side
    Case("add", "torch.add(a, b)", _inputs(V3, V3)),
    Case("add_broadcast_row", "torch.add(a, b)", _inputs(M23, V3)),
    Case("add_broadcast_outer", "a + b", _inputs(C21, R13)),
    Case("add_broadcast_3d", "a + b", _inputs((4, 1, 3), C21)),
    Case("add_zero_dim", "a + b", _inputs(M23, ())),
    Case("add_alpha", "torch.add(a, b, alpha=2)", _inputs(M23, V3)),
    Case("add_method", "a.add(b)", _inputs(V3, V3), dtypes=("float64",)),
    Case("add_number", "a + 2", _inputs(V3)),
    Case("radd_number", "2 + a", _inputs(V3)),
    Case("add_number_fn", "torch.add(a, 1)", _inputs(V3)),
    Case("sub", "torch.sub(a, b)", _inputs(M23, V3)),
    Case("sub_operator", "a - b", _inputs(C21, R13)),
    Case("sub_method", "a.sub(b)", _inputs(V3, V3), dtypes=("float64",)),
    Case("sub_number", "a - 2", _inputs(V3)),
    Case("rsub_number", "2 - a", _inputs(V3)),
    Case("mul", "torch.mul(a, b)", _inputs(V3, V3)),
    Case("mul_broadcast", "a * b", _inputs(M23, C21)),
    Case("mul_method", "a.mul(b)", _inputs(M23, V3), dtypes=("float64",)),
    Case("mul_number", "a * 3", _inputs(V3)),
    Case("rmul_number", "3 * a", _inputs(V3)),
    Case("mul_float_number", "a * 2.5", _inputs(M23)),
    Case("mul_numpy_scalar", "a * np.float64(2.5)", _inputs(V3)),
    Case("mul_zero_dim_float64", "a * b", (Input(V3), Input((), dtype="float64"))),
    Case("div", "torch.div(a, b)", (Input(M23), Input(V3, "positive"))),
    Case("div_operator", "a / b", (Input(C21), Input(R13, "positive"))),
    Case("div_method", "a.div(b)", (Input(V3), Input(V3, "positive")), dtypes=("float64",)),
    Case("div_number", "a / 4", _inputs(V3)),
    Case("rdiv_number", "2 / a", _inputs(V3, domain="positive")),
    Case("neg", "torch.neg(a)", _inputs(M23)),
    Case("neg_operator", "-a", _inputs(V3)),
    Case("pow_number", "torch.pow(a, 3)", _inputs(V3)),
    Case("pow_operator", "a ** 2", _inputs(M23)),
    Case("pow_half", "a ** 0.5", _inputs(V3, domain="positive")),
    Case("pow_method", "a.pow(2)", _inputs(V3), dtypes=("float64",)),
    Case("pow_tensor", "torch.pow(a, b)", _inputs(M23, V3, domain="positive")),
    Case("rpow_number", "2 ** a", _inputs(V3)),
    # elementwise functions
    Case("exp", "torch.exp(a)", _inputs(M23)),
    Case("exp_method", "a.exp()", _inputs(V3), dtypes=("float64",)),
    Case("log", "torch.log(a)", _inputs(M23, domain="positive")),
    Case("log_method", "a.log()", _inputs(V3, domain="positive"), dtypes=("float64",)),
    Case("sqrt", "torch.sqrt(a)", _inputs(M23, domain="positive")),
    Case("sqrt_method", "a.sqrt()", _inputs(V3, domain="positive"), dtypes=("float64",)),
    Case("abs", "torch.abs(a)", _inputs(M23)),
    Case("abs_method", "a.abs()", _inputs(V3), dtypes=("float64",)),
    Case("sin", "torch.sin(a)", _inputs(M23)),
    Case("sin_method", "a.sin()", _inputs(V3), dtypes=("float64",)),
    Case("cos", "torch.cos(a)", _inputs(M23)),
    Case("cos_method", "a.cos()", _inputs(V3), dtypes=("float64",)),
    Case("tanh", "torch.tanh(a)", _inputs(M23)),
    Case("tanh_method", "a.tanh()", _inputs(V3), dtypes=("float64",)),
    Case("sigmoid", "torch.sigmoid(a)", _inputs(M23)),
    Case("sigmoid_method", "a.sigmoid()", _inputs(V3), dtypes=("float64",)),
    Case("relu", "torch.relu(a)", _inputs(M23)),
    Case("relu_method", "a.relu()", _inputs(V3), dtypes=("float64",)),
    Case("clamp", "torch.clamp(a, -0.5, 0.5)", _inputs(M23)),
    Case("clamp_min", "a.clamp(min=0.1)", _inputs(M23)),
    Case("clamp_max", "torch.clamp(a, max=0.2)", _inputs(M23)),
    Case("maximum", "torch.maximum(a, b)", _inputs(M23, V3)),
    Case("maximum_method", "a.maximum(b)", _inputs(V3, V3), dtypes=("float64",)),
    Case("minimum", "torch.minimum(a, b)", _inputs(C21, R13)),
    Case("minimum_method", "a.minimum(b)", _inputs(V3, V3), dtypes=("float64",)),
    Case("functional_relu", "F.relu(a)", _inputs(M23)),
    Case("functional_sigmoid", "F.sigmoid(a)", _inputs(M23)),
    Case("functional_tanh", "F.tanh(a)", _inputs(M23)),
    # the kinks: relu'(0) = 0, abs'(0) = 0, ties split evenly, clamp at its bounds
    Case("relu_at_zero", "torch.relu(a)", _fixed([-1.0, 0.0, 2.0]), kink=True),
    Case("abs_at_zero", "torch.abs(a)", _fixed([-1.0, 0.0, 2.0]), kink=True),
    Case("clamp_at_bounds", "torch.clamp(a, -0.5, 0.5)", _fixed([-0.5, 0.0, 0.5, 0.7]), kink=True),
    Case("max_ties", "torch.max(a)", _fixed([1.0, 3.0, 3.0, -2.0]), kink=True),
    Case("max_dim_ties", "torch.max(a, dim=1)[0]", _fixed([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]),
         kink=True),
    Case("maximum_ties", "torch.maximum(a, b)", _fixed([1.0, 2.0, 3.0], [1.0, 0.0, 3.0]),
         kink=True),
    Case("minimum_ties", "torch.minimum(a, b)", _fixed([1.0, 2.0, 3.0], [1.0, 0.0, 3.0]),
         kink=True),
    Case("sqrt_at_zero", "torch.sqrt(a)", _fixed([0.0, 4.0]), kink=True),
    # stability at +-1000: finite values and gradients
    Case("sigmoid_extreme", "torch.sigmoid(a)", _fixed([-1000.0, 0.0, 1000.0]), kink=True),
    Case("tanh_extreme", "torch.tanh(a)", _fixed([-1000.0, 0.0, 1000.0]), kink=True),
    Case("softmax_extreme", "torch.softmax(a, dim=1)", _fixed([[-1000.0, 0.0, 1000.0]]),
         kink=True),
    Case("log_softmax_extreme", "torch.log_softmax(a, dim=1)",
         _fixed([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0]]), kink=True),
    Case("cross_entropy_extreme", "F.cross_entropy(a, torch.tensor([1, 0]))",
         _fixed([[1000.0, -1000.0], [1000.0, -1000.0]]), kink=True),
    Case("bce_logits_extreme",
         "F.binary_cross_entropy_with_logits(a, torch.tensor([0.0, 1.0, 1.0], dtype=a.dtype))",
         _fixed([1000.0, -1000.0, 1000.0]), kink=True),
    # matrix products: torch names them by the operand dims
    Case("mm", "torch.mm(a, b)", _inputs(M23, M34)),
    Case("matmul_2d", "torch.matmul(a, b)", _inputs(M23, M34)),
    Case("matmul_operator", "a @ b", _inputs(M23, M34)),
    Case("mm_method", "a.mm(b)", _inputs(M23, M34), dtypes=("float64",)),
    Case("matmul_method", "a.matmul(b)", _inputs(M23, M34), dtypes=("float64",)),
    Case("matmul_mv", "a @ b", _inputs(M23, V3)),
    Case("matmul_dot", "a @ b", _inputs(V3, V3)),
    Case("matmul_vm", "a @ b", _inputs(V3, M34)),
    # reductions
    Case("sum", "torch.sum(a)", _inputs(M23)),
    Case("sum_method", "a.sum()", _inputs(V3)),
    Case("sum_dim", "a.sum(0)", _inputs(M23)),
    Case("sum_dim_keepdim", "torch.sum(a, dim=1, keepdim=True)", _inputs(M23)),
    Case("sum_negative_dim", "a.sum(dim=-1)", _inputs((2, 2, 3))),
    Case("mean", "torch.mean(a)", _inputs(M23)),
    Case("mean_method", "a.mean()", _inputs(V3)),
    Case("mean_dim", "a.mean(1)", _inputs(M23)),
    Case("mean_dim_keepdim", "torch.mean(a, dim=0, keepdim=True)", _inputs(M23)),
    Case("max", "torch.max(a)", _inputs(M23)),
    Case("max_method", "a.max()", _inputs(V3)),
    Case("max_dim", "torch.max(a, dim=1)[0]", _inputs(M23)),
    Case("max_dim_values", "a.max(dim=0).values", _inputs(M23)),
    Case("max_dim_keepdim", "torch.max(a, 1, keepdim=True)[0]", _inputs(M23)),
    Case("max_dim_indices", "torch.max(a, dim=1)[1]", _inputs(M23)),
    # shapes
    Case("reshape", "torch.reshape(a, (3, 2))", _inputs(M23)),
    Case("reshape_method", "a.reshape(-1)", _inputs(M23)),
    Case("view", "a.view(3, 2)", _inputs(M23)),
    Case("flatten", "torch.flatten(a)", _inputs(M23)),
    Case("flatten_method", "a.flatten()", _inputs((2, 2, 3))),
    Case("transpose", "torch.transpose(a, 0, 1)", _inputs(M23)),
    Case("transpose_method", "a.transpose(1, 0)", _inputs(M23)),
    Case("t", "torch.t(a)", _inputs(M23)),
    Case("t_method", "a.t()", _inputs(M23)),
    Case("T", "a.T", _inputs(M23)),
    Case("unsqueeze", "torch.unsqueeze(a, 0)", _inputs(V3)),
    Case("unsqueeze_method", "a.unsqueeze(-1)", _inputs(M23)),
    Case("squeeze_all", "torch.squeeze(a)", _inputs(R13)),
    Case("squeeze_dim", "a.squeeze(0)", _inputs(R13)),
    Case("cat", "torch.cat([a, b])", _inputs(M23, R13)),
    Case("cat_dim1", "torch.cat([a, b], dim=1)", _inputs(M23, C21)),
    Case("cat_three", "torch.cat((a, b, c))", _inputs(V3, V4, V3)),
    Case("stack", "torch.stack([a, b])", _inputs(V3, V3)),
    Case("stack_dim1", "torch.stack([a, b], dim=1)", _inputs(M23, M23)),
    # indexing
    Case("select", "a[1]", _inputs(M23)),
    Case("select_negative", "a[-1]", _inputs(V4)),
    Case("select_column", "a[:, 1]", _inputs(M23)),
    Case("slice", "a[1:3]", _inputs(V4)),
    Case("slice_step", "a[::2]", _inputs((5,))),
    Case("slice_rows", "a[0:1]", _inputs(M23)),
    # softmax and losses
    Case("softmax", "torch.softmax(a, dim=1)", _inputs(M23)),
    Case("softmax_method", "a.softmax(0)", _inputs(M23)),
    Case("softmax_functional", "F.softmax(a, dim=-1)", _inputs(V4)),
    Case("log_softmax", "torch.log_softmax(a, dim=1)", _inputs(M23)),
    Case("log_softmax_method", "a.log_softmax(dim=0)", _inputs(M23)),
    Case("log_softmax_functional", "F.log_softmax(a, dim=-1)", _inputs(V4)),
    Case("mse_loss", "F.mse_loss(a, b)", _inputs(M23, M23)),
    Case("mse_loss_target", "F.mse_loss(a, torch.zeros(3, dtype=a.dtype))", _inputs(V3)),
    Case("cross_entropy", "F.cross_entropy(a, torch.tensor([2, 0]))", _inputs(M23)),
    Case("bce_with_logits",
         "F.binary_cross_entropy_with_logits(a, torch.tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5]],"
         " dtype=a.dtype))", _inputs(M23)),
    # graphs: reuse sums the gradients, constants and detached parts get none
    Case("lesson_graph", "(a + b) * (a + 1)", _fixed([1.0], [2.0])),
    Case("reuse_square", "a * a", _inputs(V3)),
    Case("reuse_through_sum", "a * a.sum()", _inputs(V3)),
    Case("chain", "torch.sigmoid(torch.exp(a) * b - a).sum()", _inputs(M23, V3)),
    Case("mlp", "torch.tanh(a @ b + c).mean()", _inputs(M23, M34, V4)),
    Case("constant_operand", "a * b", (Input(V3), Input(V3, grad=False))),
    Case("detached_operand", "a * b.detach()", _inputs(V3, V3)),
    Case("clone", "a.clone()", _inputs(V3)),
    # results without a graph: comparisons, integer arithmetic, creation functions
    Case("gt", "a > b", _inputs(M23, V3)),
    Case("lt_number", "a < 0", _inputs(V3)),
    Case("ge", "a >= b", _fixed([1.0, 2.0, 3.0], [1.0, 3.0, 2.0])),
    Case("le", "a <= b", _fixed([1.0, 2.0, 3.0], [1.0, 3.0, 2.0])),
    Case("eq", "a == b", _fixed([1.0, 2.0, 3.0], [1.0, 3.0, 3.0])),
    Case("ne", "a != b", _fixed([1.0, 2.0, 3.0], [1.0, 3.0, 3.0])),
    Case("int_add", "a + 1", (Input(V3, "int"),), dtypes=("int64",)),
    Case("int_mul_float", "a * 2.5", (Input(V3, "int"),), dtypes=("int64",)),
    Case("int_true_div", "a / 2", (Input(V3, "int"),), dtypes=("int64",)),
    Case("int_sum", "a.sum()", (Input(M23, "int"),), dtypes=("int64",)),
    Case("int_plus_float_tensor", "a + b", (Input(V3, "int"), Input(V3))),
    Case("zeros", "torch.zeros(2, 3)", dtypes=("default",)),
    Case("zeros_tuple", "torch.zeros((2, 3), dtype=torch.float64)", dtypes=("default",)),
    Case("ones", "torch.ones(3)", dtypes=("default",)),
    Case("full", "torch.full((2, 2), 1.5)", dtypes=("default",)),
    Case("full_int", "torch.full((2,), 7)", dtypes=("default",)),
    Case("zeros_like", "torch.zeros_like(a)", _inputs(M23)),
    Case("ones_like", "torch.ones_like(a)", _inputs(V3)),
    Case("arange", "torch.arange(5)", dtypes=("default",)),
    Case("arange_start", "torch.arange(1, 4)", dtypes=("default",)),
    Case("arange_float_step", "torch.arange(0, 1, 0.25)", dtypes=("default",)),
    Case("linspace", "torch.linspace(0, 1, 5)", dtypes=("default",)),
    Case("tensor_ints", "torch.tensor([1, 2, 3])", dtypes=("default",)),
    Case("tensor_floats", "torch.tensor([[1.0, 2.0], [3.0, 4.0]])", dtypes=("default",)),
    Case("tensor_scalar", "torch.tensor(3.5)", dtypes=("default",)),
    Case("tensor_float64", "torch.tensor([1.5], dtype=torch.float64)", dtypes=("default",)),
)

#: Expressions whose ``repr`` (which ``print`` shows) must match torch's exactly.
REPRS: tuple[str, ...] = (
    "torch.tensor([5.])",
    "torch.tensor([1., 2., 3.], requires_grad=True)",
    "torch.tensor([1., 2., 3.], requires_grad=True) * 2",
    "(torch.tensor([1., 2., 3.], requires_grad=True) * 2).sum()",
    "torch.tensor([0.5, 1.25])",
    "torch.tensor([[1., 2.], [3., 4.]])",
    "torch.tensor([[1.5, -2.], [3., 4.25]], requires_grad=True) + 1",
    "torch.ones(2, 3, 2)",
    "torch.tensor(6.)",
    "torch.tensor(3)",
    "torch.tensor([1, 2, 3])",
    "torch.tensor([-1, 20, 3])",
    "torch.tensor([True, False])",
    "torch.tensor([1., 2.], dtype=torch.float64)",
    "torch.tensor([-1.5, 0., 2.])",
    "torch.tensor([0.1, 0.2, 0.3])",
    "torch.tensor([1., 2.], requires_grad=True).sum().detach()",
    "torch.tensor([1., 2.], requires_grad=True).sum().item()",
    "torch.tensor([1., 2.], requires_grad=True).tolist()",
    "torch.tensor([[1., 2.]]).shape",
    "torch.tensor([[1., 2.]]).dtype",
    "torch.tensor([1, 2]).dtype",
    "torch.tensor([1., 2.], requires_grad=True).mean()",
    "torch.tensor([1., 2.], requires_grad=True).max()",
    "torch.tensor([[1., 2.], [3., 4.]], requires_grad=True) @ torch.tensor([1., 1.])",
)

#: Statements that raise: torch's exception type and text are recorded.
ERRORS: tuple[str, ...] = (
    "y = (torch.tensor([1., 2.], requires_grad=True) * 2).sum()\ny.backward()\ny.backward()",
    "w = torch.tensor([1.], requires_grad=True)\ny = (w * w).sum()\ny.backward()\ny.backward()",
    "(torch.tensor([1., 2.], requires_grad=True) * 2).backward()",
    "torch.tensor([1, 2], requires_grad=True)",
    "torch.tensor([1, 2]).requires_grad_()",
    "torch.tensor([1., 2.]).sum().backward()",
    "torch.tensor([1., 2.], requires_grad=True).numpy()",
    "torch.tensor([1., 2.]).item()",
)

#: Statements that warn: torch's warning category and text are recorded.
WARNINGS: tuple[str, ...] = (
    "a = torch.tensor([1.], requires_grad=True) * 2\na.sum().backward()\na.grad",
)


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode()))


def _draw(rng: np.random.Generator, spec: Input) -> np.ndarray:
    if spec.data is not None:
        return np.asarray(spec.data, dtype=np.float64)
    if spec.domain == "int":
        return rng.integers(-3, 4, size=spec.shape).astype(np.int64)
    if spec.domain == "positive":
        return np.round(rng.uniform(0.5, 2.0, size=spec.shape), 4)
    return np.round(rng.standard_normal(size=spec.shape), 4)


def _namespace() -> dict[str, Any]:
    return {"torch": torch, "F": F, "np": np}


def _fn_name(fn: Any) -> str | None:
    return None if fn is None else type(fn).__name__


def record_case(case: Case, dtype_name: str) -> dict[str, Any]:
    """Run one case in torch and return what cgengine must reproduce."""
    rng = _rng(f"{case.name}/{dtype_name}")
    scope: dict[str, Any] = {}
    inputs = []
    for name, spec in zip(INPUT_NAMES, case.inputs, strict=False):
        data = _draw(rng, spec)
        dtype = "int64" if spec.domain == "int" else (spec.dtype or dtype_name)
        grad = spec.grad and dtype != "int64"
        tensor = torch.tensor(data, dtype=getattr(torch, dtype), requires_grad=grad)
        scope[name] = tensor
        inputs.append({"name": name, "dtype": dtype, "requires_grad": grad,
                       "data": tensor.detach().tolist()})
    out = eval(case.expr, _namespace(), scope)
    record: dict[str, Any] = {
        "name": case.name, "dtype": dtype_name, "expr": case.expr, "kink": case.kink,
        "inputs": inputs,
        "value": out.detach().tolist(), "out_dtype": str(out.dtype).removeprefix("torch."),
        "shape": list(out.shape), "requires_grad": out.requires_grad, "is_leaf": out.is_leaf,
        "grad_fn": None if out.grad_fn is None else out.grad_fn.name(),
        "next_functions": None if out.grad_fn is None
        else [_fn_name(fn) for fn, _ in out.grad_fn.next_functions],
        "weights": None, "grads": None,
    }
    if out.requires_grad:
        weights = torch.tensor(np.round(rng.standard_normal(size=tuple(out.shape)), 3),
                               dtype=out.dtype)
        (out * weights).sum().backward()
        record["weights"] = weights.tolist()
        record["grads"] = {
            i["name"]: None if scope[i["name"]].grad is None else scope[i["name"]].grad.tolist()
            for i in inputs if i["requires_grad"]
        }
    return record


def record_texts() -> dict[str, Any]:
    """The repr strings, exception texts and warning texts of :data:`REPRS` ... :data:`WARNINGS`."""
    reprs = [{"expr": expr, "repr": repr(eval(expr, _namespace()))} for expr in REPRS]
    errors = []
    for code in ERRORS:
        try:
            exec(code, _namespace())
        except Exception as exc:  # recording whatever torch raises is the point
            errors.append({"code": code, "type": type(exc).__name__, "message": str(exc)})
        else:
            raise AssertionError(f"torch did not raise for {code!r}")
    caught = []
    for code in WARNINGS:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            exec(code, _namespace())
        caught += [{"code": code, "category": w.category.__name__, "message": str(w.message)}
                   for w in seen]
    return {"torch_version": torch.__version__, "reprs": reprs, "errors": errors,
            "warnings": caught}


def main() -> None:
    """Record every case and text and write tests/golden/*.json."""
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    cases = [record_case(case, dtype) for case in CASES for dtype in case.dtypes]
    # one case per line: small, and a re-recording shows up in a diff case by case
    ops_text = (f'{{"torch_version": {json.dumps(torch.__version__)}, "cases": [\n'
                + ",\n".join(json.dumps(case) for case in cases) + "\n]}\n")
    texts_text = json.dumps(record_texts(), indent=1, ensure_ascii=False) + "\n"
    for filename, text in (("ops.json", ops_text), ("texts.json", texts_text)):
        path = GOLDEN_DIR / filename
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
