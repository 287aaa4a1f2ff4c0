"""Record PyTorch's answers that cgengine must reproduce: the golden files of tests/golden/.

Run ``python tools/record_golden.py`` with torch 2.13 installed; it rewrites

- ``tests/golden/ops.json`` (and ``ops_more.json`` for :data:`MORE_CASES`, the everyday ops
  of a course): for every case of :data:`CASES`, in float64 and float32, the inputs
  (seeded numpy data), the forward value, dtype, shape, ``requires_grad`` and ``is_leaf`` of the
  result, its ``grad_fn`` name, the class names in ``grad_fn.next_functions`` (``None`` where torch
  has ``None``, e.g. for a python-number operand), the fixed random weights ``w`` and each input's
  ``.grad`` after ``(out * w).sum().backward()``;
- ``tests/golden/texts.json``: ``repr`` strings, exception texts and warning texts;
- ``tests/golden/higher_order.json``: for every float64 case whose inputs require grad (and the
  extra :data:`HIGHER_ORDER_CASES`), the first derivatives taken with ``create_graph=True``
  (values and the graph each one has, as nested grad_fn names), the second derivatives of a
  weighted sum of them (with their graphs) and the third;
- ``tests/golden/inplace.json``, ``autograd.json`` and ``everyday.json``: short programs of the
  kind a course runs (:data:`INPLACE_SNIPPETS`, :data:`AUTOGRAD_SNIPPETS`,
  :data:`EVERYDAY_SNIPPETS`) and what torch prints for each, or the exception it raises;
- ``tests/golden/<group>.json`` for each snippet group of tools/golden_library.py (random numbers,
  nn, optim, utils.data, save/load): what each snippet prints, raises and computes.

``python tools/record_golden.py higher_order inplace`` rewrites only the files named.

A case is a python expression over the inputs ``a``, ``b``, ``c`` (and ``torch``, ``F`` for
``torch.nn.functional``, ``np``), so tests/test_engine_golden.py replays it verbatim with
``torch = cgengine``. Inputs and weights are drawn from a numpy generator seeded by the case name,
so adding a case leaves the others' data unchanged.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import sys
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import golden_library
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
    #: recorded in higher_order.json too (False where cgengine's second derivative is known to
    #: take another route: prod of a tensor with zeros)
    higher_order: bool = True


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

#: The everyday ops of a course beyond the lesson's (tests/golden/ops_more.json).
MORE_CASES: tuple[Case, ...] = (
    Case("index_select", "a.index_select(0, torch.tensor([2, 0, 2]))", _inputs((3, 2))),
    Case("index_select_dim1", "torch.index_select(a, 1, torch.tensor([1]))", _inputs(M23)),
    Case("repeat", "a.repeat(2, 3)", _inputs((2, 2))),
    Case("repeat_new_dims", "a.repeat(2, 1, 2)", _inputs(V3)),
    Case("var", "a.var()", _inputs(M23)),
    Case("var_dim", "torch.var(a, 1)", _inputs(M23)),
    Case("var_biased", "a.var(0, unbiased=False)", _inputs(M23)),
    Case("var_keepdim", "a.var(dim=1, keepdim=True)", _inputs(M23)),
    Case("var_correction", "torch.var(a, dim=0, correction=0)", _inputs(M23)),
    Case("std", "a.std()", _inputs(M23)),
    Case("std_dim", "torch.std(a, 1)", _inputs(M23)),
    Case("std_keepdim", "a.std(dim=0, keepdim=True)", _inputs(M23)),
    Case("prod", "a.prod()", _inputs(M23)),
    Case("prod_dim", "torch.prod(a, 1)", _inputs(M23)),
    Case("prod_dim_keepdim", "a.prod(0, keepdim=True)", _inputs(M23)),
    Case("prod_with_zero", "a.prod(1)", _fixed([[1.5, 0.0, 2.0], [3.0, -0.5, 1.0]]), kink=True,
         higher_order=False),
    Case("min", "torch.min(a)", _inputs(M23)),
    Case("min_method", "a.min()", _inputs(V4)),
    Case("min_dim", "torch.min(a, dim=1)[0]", _inputs(M23)),
    Case("min_dim_values", "a.min(0).values", _inputs(M23)),
    Case("min_dim_keepdim", "torch.min(a, 1, keepdim=True)[0]", _inputs(M23)),
    Case("min_dim_indices", "a.min(dim=1)[1]", _inputs(M23)),
    Case("min_two_tensors", "torch.min(a, b)", _inputs(M23, V3)),
    Case("min_ties", "torch.min(a)", _fixed([2.0, -1.0, -1.0, 3.0]), kink=True),
    Case("norm", "a.norm()", _inputs(M23)),
    Case("norm_function", "torch.norm(a)", _inputs(V4)),
    Case("norm_p1", "a.norm(p=1)", _inputs(M23)),
    Case("norm_p3", "a.norm(p=3)", _inputs(V4)),
    Case("norm_dim", "a.norm(dim=1)", _inputs(M23)),
    Case("norm_dim_keepdim", "torch.norm(a, 2, 0, keepdim=True)", _inputs(M23)),
    Case("norm_inf", "a.norm(p=float('inf'))", _inputs(V4)),
    Case("cumsum", "a.cumsum(1)", _inputs(M23)),
    Case("cumsum_function", "torch.cumsum(a, dim=0)", _inputs(M23)),
    Case("flip", "a.flip(0)", _inputs(M23)),
    Case("flip_dims", "torch.flip(a, [0, 1])", _inputs(M23)),
    Case("einsum_matmul", "torch.einsum('ij,jk->ik', a, b)", _inputs(M23, M34),
         higher_order=False),
    Case("einsum_outer", "torch.einsum('i,j->ij', a, b)", _inputs(V3, V4),
         higher_order=False),
    Case("einsum_dot", "torch.einsum('i,i->', a, b)", _inputs(V3, V3),
         higher_order=False),
    Case("einsum_trace", "torch.einsum('ii', a)", _inputs((3, 3)),
         higher_order=False),
    Case("einsum_column_sums", "torch.einsum('ij->j', a)", _inputs(M23),
         higher_order=False),
    Case("einsum_batch", "torch.einsum('bij,bjk->bik', a, b)", _inputs((2, 2, 3), (2, 3, 4)),
         higher_order=False),
    Case("bmm", "torch.bmm(a, b)", _inputs((2, 2, 3), (2, 3, 4))),
    Case("addmm", "torch.addmm(a, b, c)", _inputs((2, 4), M23, M34)),
    Case("addmm_beta_alpha", "torch.addmm(a, b, c, beta=0.5, alpha=2)", _inputs(V4, M23, M34)),
    Case("outer", "torch.outer(a, b)", _inputs(V3, V4)),
    Case("where", "torch.where(a > 0, a, b)", _inputs(M23, V3)),
    Case("masked_fill", "a.masked_fill(a > 0, 0.5)", _inputs(M23)),
    Case("gather", "torch.gather(a, 1, torch.tensor([[2, 0], [1, 1]]))", _inputs(M23)),
    Case("masked_select", "a.masked_select(a > 0)", _inputs(M23)),
    Case("sign", "a.sign() * a", _inputs(V4)),
    Case("floor", "torch.floor(a * 3) * a", _inputs(V4)),
    Case("ceil", "a.ceil() * a", _inputs(V4)),
    Case("trunc", "torch.trunc(a * 3) * a", _inputs(V4)),
    Case("round", "torch.round(a * 3) * a", _inputs(V4)),
    Case("round_decimals", "a.round(decimals=1) * a", _inputs(V4)),
    Case("topk", "a.topk(2)[0]", _inputs(V4)),
    Case("topk_dim", "torch.topk(a, 2, dim=0).values", _inputs((3, 2))),
    Case("topk_smallest", "a.topk(2, largest=False)[0]", _inputs(V4)),
    Case("topk_indices", "a.topk(2)[1]", _inputs(V4)),
    Case("sort", "a.sort()[0]", _inputs(V4)),
    Case("sort_descending", "torch.sort(a, dim=0, descending=True).values", _inputs((3, 2))),
    Case("sort_indices", "a.sort()[1]", _inputs(V4)),
    Case("argsort", "a.argsort()", _inputs(M23)),
    Case("argsort_descending", "torch.argsort(a, dim=0, descending=True)", _inputs(M23)),
    Case("any", "(a > 1).any()", _inputs(M23)),
    Case("any_dim", "torch.any(a > 0, dim=1)", _inputs(M23)),
    Case("all", "(a > -3).all()", _inputs(M23)),
    Case("all_dim", "torch.all(a > 0, 0)", _inputs(M23)),
    Case("nonzero", "(a > 0).nonzero()", _inputs(M23)),
    Case("isclose", "torch.isclose(a, b)", _fixed([1.0, 2.0, 3.0], [1.0, 2.00001, 3.1])),
    Case("chunk", "a.chunk(2)[1]", _inputs((5,))),
    Case("chunk_dim", "torch.chunk(a, 3, dim=1)[1]", _inputs(M34)),
    Case("split", "a.split(2)[1]", _inputs((5,))),
    Case("split_sizes", "torch.split(a, [1, 3], dim=1)[1]", _inputs(M34)),
    Case("split_all", "torch.cat(a.split(2), 0) * 2", _inputs((5,))),
    Case("unbind_row", "list(a)[1] * 2", _inputs(M23)),
    Case("remainder", "a % 0.7", _inputs(V4)),
    Case("remainder_tensor", "a % b", (Input(V3), Input(V3, "positive"))),
    Case("floor_divide", "a // 0.7", (Input(V4, grad=False),)),
    Case("div_floor", "torch.div(a, b, rounding_mode='floor')", (Input(V3), Input(V3, "positive"))),
    Case("div_trunc", "torch.div(a, 0.4, rounding_mode='trunc')", _inputs(V3)),
    Case("int_floor_divide", "a // 2", (Input(V3, "int"),), dtypes=("int64",)),
    Case("int_remainder", "a % 3", (Input(V3, "int"),), dtypes=("int64",)),
    Case("contiguous_view", "a.t().contiguous().view(-1)", _inputs(M23)),
    Case("to_int", "a.to(torch.int)", _inputs(V3)),
    Case("to_short", "(a * 10).to(torch.short)", _inputs(V3)),
    Case("to_half", "a.to(torch.half)", _inputs(V3)),
    Case("to_uint8", "(a.abs() * 10).to(torch.uint8)", _inputs(V3)),
    Case("to_cpu", "a.to('cpu') * 2", _inputs(V3)),
    Case("cpu", "a.cpu() * 2", _inputs(V3)),
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


# ----------------------------------------------------------------------------- autograd
#: Ops for second derivatives beyond :data:`CASES` (torch's backward kernels, masks, scatters).
HIGHER_ORDER_CASES: tuple[Case, ...] = (
    Case("where", "torch.where(a > 0, a, b)", _inputs(V3, V3)),
    Case("masked_fill", "a.masked_fill(a > 0, 2.0)", _inputs(V4)),
    Case("masked_fill_tensor", "a.masked_fill(a > 0, b)", _inputs(V4, ())),
    Case("scatter", "a.scatter(0, torch.tensor([2, 0]), b)", _inputs(V3, (2,))),
    Case("gather", "a.gather(1, torch.tensor([[2, 0], [1, 1]]))", _inputs(M23)),
    Case("outer", "torch.outer(a, b)", _inputs(V3, V4)),
    Case("cube", "a ** 3", _inputs(V3)),
    Case("slice_step_2d", "a[:, ::2]", _inputs(M34)),
    Case("index_twice", "a[[0, 0, 2]]", _inputs(V4)),
    Case("matmul_column_major", "a.t() @ b", _inputs((3, 2), M34)),
    Case("sum_dims", "a.sum((0, 2))", _inputs((2, 3, 2))),
    Case("squeeze_dims", "a.squeeze()", _inputs((1, 3, 1))),
    Case("mse_loss_none", "F.mse_loss(a, b, reduction='none')", _inputs(M23, M23)),
    Case("mse_loss_sum", "F.mse_loss(a, b, reduction='sum')", _inputs(M23, M23)),
    Case("bce_logits_none",
         "F.binary_cross_entropy_with_logits(a, b, reduction='none')", _inputs(M23, M23)),
    Case("nll_loss", "F.nll_loss(torch.log_softmax(a, dim=1), torch.tensor([2, 0]))",
         _inputs(M23)),
    Case("select_square", "a[1] * a[1]", _inputs(M23)),
    Case("slice_square", "a[1:3] ** 2", _inputs(V4)),
    Case("scatter_square", "a.scatter(0, torch.tensor([2, 0]), b) ** 2", _inputs(V3, (2,))),
    Case("gather_square", "a.gather(0, torch.tensor([2, 0, 2])) ** 2", _inputs(V3)),
    Case("max_square", "a.max() ** 2", _inputs(V4)),
    Case("max_dim_square", "a.max(dim=1)[0] ** 2", _inputs(M23)),
    Case("masked_fill_tensor_square", "a.masked_fill(a > 0, b) ** 2", _inputs(V4, ())),
    # nn.functional: the layers' and losses' ops and their backward kernels
    Case("linear", "F.linear(a, b, c)", _inputs(M23, (4, 3), V4)),
    Case("linear_3d", "F.linear(a, b, c)", _inputs((2, 2, 3), (4, 3), V4)),
    Case("linear_no_bias", "F.linear(a, b)", _inputs(M23, (4, 3))),
    Case("leaky_relu", "F.leaky_relu(a, 0.2)", _inputs(M23)),
    Case("elu", "F.elu(a, alpha=1.5)", _inputs(M23)),
    Case("gelu", "F.gelu(a)", _inputs(M23)),
    Case("softplus", "F.softplus(a, beta=2.0, threshold=1.5)", _inputs(M23)),
    Case("smooth_l1_loss", "F.smooth_l1_loss(a, b, beta=0.5)", _inputs(M23, M23)),
    Case("smooth_l1_loss_none", "F.smooth_l1_loss(a, b, reduction='none')", _inputs(M23, M23)),
    # (p a leaf: through a sigmoid, the third derivative has torch's nodes but torch's engine
    # adds the contributions to a gradient in another order than cgengine's)
    Case("binary_cross_entropy",
         "F.binary_cross_entropy(a, torch.tensor([0., 1., 1., 0.25], dtype=a.dtype), "
         "weight=torch.tensor([1., 2., 0.5, 3.], dtype=a.dtype))", _fixed([0.2, 0.7, 0.45, 0.9])),
    Case("binary_cross_entropy_sum",
         "F.binary_cross_entropy(a, torch.tensor([0., 1., 1., 0.25], dtype=a.dtype), "
         "reduction='sum')", _fixed([0.2, 0.7, 0.45, 0.9])),
    Case("bce_logits_weights",
         "F.binary_cross_entropy_with_logits(a, torch.tensor([0., 1., 1., 0.25], dtype=a.dtype), "
         "weight=torch.tensor([1., 2., 0.5, 3.], dtype=a.dtype), pos_weight=torch.tensor([2.], "
         "dtype=a.dtype))", _inputs(V4)),
    Case("nll_loss_weight_ignore",
         "F.nll_loss(torch.log_softmax(a, dim=1), torch.tensor([2, 0, 1]), weight=torch.tensor("
         "[0.5, 2., 1.], dtype=a.dtype), ignore_index=1)", _inputs((3, 3))),
    Case("cross_entropy_smoothing",
         "F.cross_entropy(a, torch.tensor([2, 0, 1]), label_smoothing=0.2)", _inputs((3, 3))),
    Case("cross_entropy_probabilities", "F.cross_entropy(a, torch.softmax(b, dim=1))",
         _inputs((3, 3), (3, 3))),
)


def _tree(fn: Any) -> str | None:
    """A graph as nested grad_fn names: ``MulBackward0(AccumulateGrad, None)``."""
    if fn is None:
        return None
    children = [_tree(child) for child, _ in fn.next_functions]
    return type(fn).__name__ + (f"({', '.join(map(str, children))})" if children else "")


def _values(tensors: Any) -> list[Any]:
    return [None if t is None else t.detach().numpy(force=True).tolist() for t in tensors]


def _weights(rng: np.random.Generator, tensors: Any) -> list[Any]:
    return [None if t is None else np.round(rng.standard_normal(tuple(t.shape)), 3).tolist()
            for t in tensors]


def _weighted_sum(tensors: Any, weights: list[Any]) -> Any:
    total = None
    for t, w in zip(tensors, weights, strict=True):
        if t is not None and t.requires_grad:
            term = (t * torch.tensor(w, dtype=t.dtype)).sum()
            total = term if total is None else total + term
    return total


def record_higher_order(case: Case) -> dict[str, Any] | None:
    """First, second and third derivatives of one case in float64, each a graph of its own
    (None for a case whose result does not require grad)."""
    rng = _rng(f"{case.name}/float64")
    scope = {}
    inputs = []
    for name, spec in zip(INPUT_NAMES, case.inputs, strict=False):
        data = _draw(rng, spec)
        scope[name] = torch.tensor(data, dtype=torch.float64, requires_grad=True)
        inputs.append({"name": name, "data": scope[name].detach().tolist()})
    leaves = [scope[i["name"]] for i in inputs]
    out = eval(case.expr, _namespace(), scope)
    if not out.requires_grad:
        return None
    record: dict[str, Any] = {"name": case.name, "expr": case.expr, "inputs": inputs,
                              "weights": _weights(rng, [out])[0]}
    target = (out * torch.tensor(record["weights"], dtype=torch.float64)).sum()
    for order in ("first", "second", "third"):
        grads = torch.autograd.grad(target, leaves, create_graph=True, allow_unused=True)
        record[order] = {"values": _values(grads),
                         "graphs": [None if g is None else _tree(g.grad_fn) for g in grads],
                         "weights": _weights(rng, grads)}
        target = _weighted_sum(grads, record[order]["weights"])
        if target is None:
            break
    return record


#: Course-style programs on in-place operations: what they print, or the error they raise.
INPLACE_SNIPPETS: tuple[str, ...] = (
    # a leaf that requires grad, and views of it, refuse in-place changes (under grad mode)
    "w = torch.tensor([1.], requires_grad=True)\nw.add_(1)",
    "w = torch.tensor([1.], requires_grad=True)\nw += 1",
    "w = torch.tensor([1., 2.], requires_grad=True)\nw[0].add_(1)",
    "w = torch.tensor([1., 2.], requires_grad=True)\nw[0] = 5",
    "w = torch.tensor([1., 2.], requires_grad=True)\nw.view(2).mul_(2)",
    "w = torch.tensor([1., 2.], requires_grad=True)\nwith torch.no_grad():\n    w.add_(1)\n"
    "    w[0] = 7\nprint(w, w._version)",
    # a += b keeps the tensor, a = a + b makes a new one
    "a = torch.tensor([1.])\nb = torch.tensor([2.])\nbefore = id(a)\na += b\n"
    "print(a, id(a) == before, a._version)\na = a + b\nprint(a, id(a) == before)",
    # what shares the version counter
    "w = torch.tensor([1., 2.], requires_grad=True)\nd = w.detach()\nd.add_(1)\n"
    "print(w, w._version, d._version)\nx = w.data\nx.mul_(2)\nprint(w, w._version, x._version)",
    "x = torch.zeros(3)\nv = x[1:]\nv.add_(1)\nprint(x, x._version, v._version)\nx.mul_(2)\n"
    "print(v._version, x.view(3)._version, x.clone()._version)",
    # in-place on tensors in the graph: grad_fn names, versions, gradients
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 2\nprint(y._version)\ny.add_(1)\n"
    "print(y, y._version, y.is_leaf)\ny.sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 2\nbefore = id(y)\ny += x\n"
    "print(id(y) == before, y)\ny.sum().backward()\nprint(x.grad)",
    "x = torch.tensor([-1., 2.], requires_grad=True)\n"
    "for name in ['clamp_', 'relu_', 'sigmoid_', 'tanh_', 'exp_', 'neg_', 'abs_', 'zero_']:\n"
    "    y = x * 1\n    out = getattr(y, name)(0, 1) if name == 'clamp_' else getattr(y, name)()\n"
    "    print(name, out is y, y)\n    y.sum().backward()\n    print(x.grad)\n    x.grad = None",
    "x = torch.tensor([1., 4.], requires_grad=True)\n"
    "for name, arg in [('pow_', 2), ('mul_', 3.), ('div_', 2.), ('sub_', 1.), ('add_', 1.), "
    "('fill_', 3.)]:\n    y = x * 1\n    getattr(y, name)(arg)\n    print(name, y)\n"
    "    y.sum().backward()\n    print(x.grad)\n    x.grad = None",
    "x = torch.tensor([1., 4.], requires_grad=True)\ny = x * 1\ny.sqrt_().log_()\nprint(y)\n"
    "y.sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 4.], requires_grad=True)\ny = x * 1\ny.mul_(x)\nprint(y)\n"
    "y.sum().backward()\nprint(x.grad)",
    "x = torch.tensor([-1., 2.], requires_grad=True)\ny = x * 1\nv = torch.tensor(3., "
    "requires_grad=True)\ny.fill_(v)\nprint(y)\ny.sum().backward()\nprint(x.grad, v.grad)",
    "x = torch.tensor([-1., 2.], requires_grad=True)\ny = torch.zeros(2)\ny.copy_(x * 2)\n"
    "print(y, y.is_leaf, y.requires_grad)\ny.sum().backward()\nprint(x.grad)",
    "x = torch.tensor([3.], requires_grad=True)\ny = torch.zeros(2)\ny.copy_(x)\nprint(y)\n"
    "y.sum().backward()\nprint(x.grad)",
    "x = torch.tensor([-1., 2.], requires_grad=True)\ny = x * 1\ny.uniform_()\n"
    "print(y.grad_fn.name(), y._version)\ny.normal_()\nprint(y.grad_fn.name(), y._version)\n"
    "y.sum().backward()\nprint(x.grad)",
    # x[i] = v: CopySlices
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * 2\ny[0] = 5\n"
    "print(y, y._version)\nprint(y.grad_fn.next_functions[0][0].name(), "
    "y.grad_fn.next_functions[1][0])\ny.sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\nv = torch.tensor(7., requires_grad=True)"
    "\ny = x * 2\ny[1] = v * 3\nprint(y)\n(y * torch.tensor([1., 2., 3.])).sum().backward()\n"
    "print(x.grad, v.grad)",
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * 2\ny[1:] = 0\nprint(y)\n"
    "y.sum().backward()\nprint(x.grad)",
    "y = torch.zeros(3)\nw = torch.tensor(2., requires_grad=True)\ny[1] = w\nprint(y, y.is_leaf)\n"
    "(y * torch.tensor([1., 5., 1.])).sum().backward()\nprint(w.grad)",
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * 2\nz = y[1:]\nz.mul_(3)\n"
    "print(y, z)\n(y * torch.tensor([1., 2., 3.])).sum().backward()\nprint(x.grad)",
    "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\ny = x + 0\ny[:, 0] = "
    "torch.tensor([7., 8.])\ny[1][1] = 9\nprint(y)\n(y * y).sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * 2\ny[torch.tensor([0, 2])] = "
    "torch.tensor([5., 6.])\nprint(y)\ny.sum().backward()\nprint(x.grad)",
    "x = torch.tensor([-1., 2., -3.], requires_grad=True)\ny = x * 2\ny[y < 0] = 0\nprint(y)\n"
    "y.sum().backward()\nprint(x.grad)",
    # 0-d tensors
    "x = torch.tensor(2.)\nx.add_(1)\nx.mul_(3)\nx.sqrt_()\nx.clamp_(max=2.5)\nprint(x, x._version)"
    "\nx[()] = 5\nprint(x)\nx += 1\nx -= 0.5\nx *= 2\nx /= 4\nprint(x, x._version)",
    "w = torch.tensor(1., requires_grad=True)\ny = w * 3\ny += w\ny.pow_(2)\nprint(y)\n"
    "y.backward()\nprint(w.grad)",
    # the saved-tensor check, at backward
    "x = torch.tensor([1.], requires_grad=True)\na = x + 1\nb = a * a\na.add_(1)\n"
    "print('forward runs')\nb.backward()",
    "x = torch.tensor([1.], requires_grad=True)\nc = torch.tensor([2.])\nb = x * c\nc.add_(1)\n"
    "b.backward()",
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = x.exp()\ny.mul_(2)\ny.sum().backward()",
    "x = torch.tensor([1.], requires_grad=True)\na = x + 1\nb = a * a\na.add_(1)\na.add_(1)\n"
    "b.backward()",
    "x = torch.tensor(1., requires_grad=True)\na = x * 2\nb = a * a\na.mul_(2)\nb.backward()",
    "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\na = x * 2\nb = a.sigmoid() * a\n"
    "a.mul_(2)\nb.sum().backward()",
    "x = torch.tensor([1., 2.], requires_grad=True)\na = x * 2\na[0] = 1\nb = a * a\na.mul_(2)\n"
    "b.sum().backward()",
    "x = torch.tensor([1.], requires_grad=True)\na = x + 1\nb = a.exp()\na.add_(1)\nb.backward()\n"
    "print(x.grad)",
    "x = torch.tensor([1.], requires_grad=True)\na = x * 1\nb = a ** 2\na.add_(1)\nb.backward()",
    "x = torch.tensor([1.], dtype=torch.float64, requires_grad=True)\na = x * 2\nb = a * a\n"
    "a.mul_(2)\nb.backward()",
    # dtype and shape rules of in-place results
    "a = torch.tensor([1, 2])\na.add_(1.5)",
    "a = torch.tensor([1, 2])\na.mul_(2)\nprint(a)\na += 1\nprint(a)",
    "a = torch.tensor([1.])\na.add_(torch.tensor([1.5], dtype=torch.float64))\nprint(a)",
    "a = torch.tensor([1.])\na.add_(torch.tensor([1., 2.]))",
    "a = torch.tensor([True, False])\na.add_(1)",
    # the course's loops
    "w = torch.tensor([1.], requires_grad=True)\nloss = 0\nfor i in range(3):\n"
    "    loss += (w * i).sum()\nprint(loss)\nloss2 = torch.tensor(0.)\nfor i in range(3):\n"
    "    loss2 += (w * i).sum()\nprint(loss2)\nloss2.backward()\nprint(w.grad)",
    "w = torch.tensor([1.], requires_grad=True)\nx = torch.tensor([2.], requires_grad=True)\n"
    "for i in range(4):\n    a = torch.add(w, x)\n    b = torch.add(w, 1)\n    y = torch.mul(a, b)"
    "\n    y.backward()\n    print(w.grad)\nw.grad.zero_()\nprint(w.grad)",
    "x = torch.tensor([1., 2., 3., 4.])\ny = torch.tensor([3.1, 4.9, 7.2, 8.8])\n"
    "w = torch.tensor([0.5], requires_grad=True)\nb = torch.tensor([0.], requires_grad=True)\n"
    "for step in range(3):\n    y_pred = torch.add(torch.mul(w, x), b)\n"
    "    loss = (0.5 * (y - y_pred) ** 2).mean()\n    loss.backward()\n"
    "    w.data.sub_(0.1 * w.grad)\n    b.data.sub_(0.1 * b.grad)\n    print(step, loss, w, b)\n"
    "    w.grad.zero_()\n    b.grad.zero_()\nprint(w._version, b._version)",
    "w = torch.tensor([1.], requires_grad=True)\nfor step in range(2):\n"
    "    loss = (w * w).sum()\n    loss.backward()\n    with torch.no_grad():\n"
    "        w -= 0.1 * w.grad\n    w.grad.zero_()\n    print(w, w._version, w.is_leaf)",
    # inference mode
    "x = torch.tensor([1., 2.], requires_grad=True)\nwith torch.inference_mode():\n"
    "    y = x * 2\n    print(y, y.requires_grad, y.is_inference(), "
    "torch.is_inference_mode_enabled(), torch.is_grad_enabled())\n"
    "    x.add_(1)\nprint(x, x.is_inference())\nz = y + 1\nprint(z, z.is_inference())\n"
    "y.add_(1)",
    "x = torch.tensor([1., 2.], requires_grad=True)\nwith torch.inference_mode():\n"
    "    y = x * 2\n(y * x).sum().backward()",
)
#: Course-style programs on the everyday ops: what they print (values, reprs, return types).
EVERYDAY_SNIPPETS: tuple[str, ...] = (
    # week 1's tensor class: logspace, addcmul and addcdiv, with their gradients to second order
    "print(torch.logspace(-2, 2, 5), torch.logspace(0, 1, 7, base=2))\n"
    "print(torch.logspace(0.1, 3.3, 10, dtype=torch.float64), torch.logspace(-10, 10, 21))\n"
    "t = torch.tensor([1., 2., 3.], requires_grad=True)\n"
    "a = torch.tensor([[0.5], [2.]], requires_grad=True)\n"
    "b = torch.tensor([4., -1., 0.25], requires_grad=True)\n"
    "y = torch.addcmul(t, a, b, value=0.5)\nz = torch.addcdiv(t, a, b, value=-2)\n"
    "print(y, z, t.addcmul(a, b), t.addcdiv(a, b))\n"
    "(g_a, g_b) = torch.autograd.grad((y.sum() + z.sum()), (a, b), create_graph=True)\n"
    "print(g_a, g_b)\nprint(torch.autograd.grad(g_a.sum(), b))",
    "torch.addcdiv(torch.tensor([1]), torch.tensor([1]), torch.tensor([2]))",
    "x = torch.tensor([[3., 1., 2.], [0., 5., 4.]])\nprint(x.topk(2))\nprint(x.sort(dim=0))\n"
    "print(x.min(1))\nprint(x.max(dim=0, keepdim=True))\nprint(x.argsort(descending=True))\n"
    "print(x.nonzero())\nprint(torch.nonzero(x, as_tuple=True))",
    "x = torch.arange(10)\nprint(x.chunk(3))\nprint(x.split([3, 7]))\nprint(torch.split(x, 4))\n"
    "print(x.flip(0), x // 3, x % 3, -x // 3, x.cumsum(0))",
    "print(torch.tensor([], dtype=torch.int64), torch.tensor([]),\n"
    "      torch.zeros(0, 2, dtype=torch.long))\n"
    "print(torch.tensor([], dtype=torch.bool), torch.tensor([1, 2], dtype=torch.int))\n"
    "print(torch.int, torch.short, torch.half, torch.uint8, torch.int8, torch.int16, torch.long)\n"
    "print(torch.tensor([1., 2.], dtype=torch.half) * 2,\n"
    "      torch.tensor([200], dtype=torch.uint8) + 100)",
    "t = torch.tensor(3.14159)\nprint(f'{t:.2f}', f'{t}', f'{torch.tensor([1.5])}')\n"
    "print(f'{torch.tensor([1.5]):.2f}')",
    "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n"
    "x = torch.ones(2).to(device)\nprint(device, repr(device), x.device, x.is_cuda, x.cpu() is x)\n"
    "print(torch.device('cuda:0'), repr(torch.device('cuda:0')), x.to('cpu', torch.float64))\n"
    "x.to('cuda')",
    "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n"
    "print(torch.zeros(2, device=device), torch.ones(1, device='cpu'), "
    "torch.eye(2, device=device))\n"
    "print(torch.arange(3, device=device), torch.full((2,), 7., device=device),\n"
    "      torch.linspace(0, 1, 3, device=device), torch.empty(0, device=device))\n"
    "torch.manual_seed(0)\nw = torch.randn(2, requires_grad=True, device=device)\n"
    "print(w, torch.zeros_like(w, device=device), torch.rand(1, device=device))\n"
    "print(torch.tensor([1.], device=device), torch.randint(0, 5, (3,), device=device))\n"
    "torch.zeros(2, device='cuda')",
    "x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)\ny = x.t()\n"
    "print(y.is_contiguous(), y.contiguous().is_contiguous(), y.contiguous().view(-1))\ny.view(-1)",
    "x = torch.tensor([1., 2., 3., 4.], requires_grad=True)\n"
    "print(x.var(), x.std(), x.var(unbiased=False), x.prod(), x.norm(), x.norm(p=1))\n"
    "print(torch.isclose(x, x + 1e-9), (x > 2).any(), (x > 0).all())\n"
    "for row in x.view(2, 2):\n    print(row)",
    "a = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\nb = torch.tensor([7., 8.])\n"
    "y = torch.addmm(b, a, a)\nprint(y)\ny.sum().backward()\nprint(a.grad)",
    "x = torch.tensor([1.5, -0.5], requires_grad=True)\ny = x // 1\nprint(y)\ny.sum().backward()",
    "x = torch.tensor([2., 0., 3.], requires_grad=True)\ny = x.prod()\ny.backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2.])\nx.repeat(2)\nprint(x.repeat(2), x.repeat(2, 2))\nx.repeat()",
)
#: Course-style programs on hooks, grad modes, higher-order gradients, jacobian and hessian.
AUTOGRAD_SNIPPETS: tuple[str, ...] = (
    # the course's autograd class
    "w = torch.tensor([1.], requires_grad=True)\nx = torch.tensor([2.], requires_grad=True)\n"
    "a = torch.add(w, x)\nb = torch.add(w, 1)\ny0 = torch.mul(a, b)\ny1 = torch.add(a, b)\n"
    "loss = torch.cat([y0, y1], dim=0)\ngrad_tensors = torch.tensor([1., 2.])\n"
    "loss.backward(gradient=grad_tensors)\nprint(w.grad)",
    "x = torch.tensor([3.], requires_grad=True)\ny = torch.pow(x, 2)\n"
    "grad_1 = torch.autograd.grad(y, x, create_graph=True)\nprint(grad_1)\n"
    "grad_2 = torch.autograd.grad(grad_1[0], x)\nprint(grad_2)",
    "x = torch.tensor([2.], requires_grad=True)\ny = x ** 3\ng = y\nfor order in range(4):\n"
    "    g = torch.autograd.grad(g, x, create_graph=True)[0]\n    print(order + 1, g)",
    "x = torch.tensor([3.], requires_grad=True)\n(x ** 2).backward(create_graph=True)\n"
    "print(x.grad)\n(x ** 3).backward(create_graph=True)\nprint(x.grad)\n"
    "print(torch.autograd.grad(x.grad, x))",
    "x = torch.tensor([3.], requires_grad=True)\ny = (x * x).sum()\ny.backward(create_graph=True)\n"
    "y.backward()\nprint(x.grad)\ny.backward()",
    "x = torch.tensor([0.5, -1.], requires_grad=True)\nfor f in [torch.tanh, torch.sigmoid, "
    "torch.relu, torch.exp, torch.sin]:\n    y = f(x)\n"
    "    g, = torch.autograd.grad(y.sum(), x, create_graph=True)\n"
    "    h, = torch.autograd.grad(g.sum(), x)\n    print(g, h)",
    "x = torch.tensor([3.], requires_grad=True)\na = x * 2\na.retain_grad()\n"
    "(a * a).sum().backward(create_graph=True)\nprint(a.grad, x.grad)",
    # hooks
    "x = torch.tensor([1., 2.], requires_grad=True)\nh = x.register_hook(lambda g: g * 10)\n"
    "(x * x).sum().backward()\nprint(x.grad)\nh.remove()\nx.grad = None\n"
    "(x * x).sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 2\ny.register_hook(lambda g: g + 1)\n"
    "y.retain_grad()\ny.sum().backward()\nprint(y.grad, x.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 2\ny.retain_grad()\n"
    "y.register_hook(lambda g: g + 1)\ny.sum().backward()\nprint(y.grad, x.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True)\nseen = []\n"
    "x.register_hook(lambda g: seen.append(g.clone()))\nx.register_hook(lambda g: g * 100)\n"
    "print(torch.autograd.grad((x * x).sum(), x))\nprint(seen)",
    "a_grad = []\ndef grad_hook(grad):\n    a_grad.append(grad)\n"
    "w = torch.tensor([1.], requires_grad=True)\nx = torch.tensor([2.], requires_grad=True)\n"
    "a = torch.add(w, x)\nb = torch.add(w, 1)\ny = torch.mul(a, b)\n"
    "handle = a.register_hook(grad_hook)\ny.backward()\nprint(w.grad, x.grad, a_grad)\n"
    "handle.remove()\nprint(a_grad[0])",
    "w = torch.tensor([1.], requires_grad=True)\nx = torch.tensor([2.], requires_grad=True)\n"
    "a = torch.add(w, x)\nb = torch.add(w, 1)\ny = torch.mul(a, b)\n"
    "def double(grad):\n    grad *= 2\n    return grad * 3\nw.register_hook(double)\n"
    "y.backward()\nprint(w.grad)",
    "torch.tensor([1.]).register_hook(lambda g: g)",
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = (x * 3).sum()\n"
    "y.grad_fn.register_hook(lambda gi, go: print('hook', gi, go))\ny.backward()\nprint(x.grad)",
    # grad modes
    "x = torch.tensor([1.], requires_grad=True)\nwith torch.no_grad():\n    y = x * 2\n"
    "    with torch.enable_grad():\n        z = x * 2\nprint(y.requires_grad, z.requires_grad, "
    "torch.is_grad_enabled())",
    "x = torch.tensor([1.], requires_grad=True)\n@torch.no_grad()\ndef f(a):\n    return a * 2\n"
    "@torch.enable_grad()\ndef g(a):\n    return a * 2\nprint(f(x).requires_grad)\n"
    "with torch.no_grad():\n    print(g(x).requires_grad)",
    "x = torch.tensor([1.], requires_grad=True)\nprint(torch.set_grad_enabled(False))\n"
    "print(torch.is_grad_enabled(), (x * 2).requires_grad)\ntorch.set_grad_enabled(True)\n"
    "with torch.set_grad_enabled(False):\n    print((x * 2).requires_grad)\n"
    "print((x * 2).requires_grad)\n@torch.set_grad_enabled(False)\ndef f(a):\n    return a * 2\n"
    "print(torch.is_grad_enabled(), f(x).requires_grad, torch.is_grad_enabled())",
    "x = torch.tensor([1., 2.], requires_grad=True)\n@torch.inference_mode()\ndef f(a):\n"
    "    return a * 2\ny = f(x)\nprint(y, y.is_inference())\nwith torch.inference_mode():\n"
    "    with torch.inference_mode(False):\n        print(torch.is_inference_mode_enabled())\n"
    "    print(torch.is_inference_mode_enabled())",
    # jacobian and hessian
    "jacobian = torch.autograd.functional.jacobian\nx = torch.tensor([1., 2.])\n"
    "print(jacobian(lambda a: a ** 2, x))\n"
    "print(jacobian(lambda a, b: a * b, (x, torch.tensor([3., 4.]))))\n"
    "print(jacobian(lambda a: (a * 2, a.sum()), x))\n"
    "print(jacobian(lambda a: a ** 2, x, create_graph=True))\n"
    "print(jacobian(lambda a: torch.ones(2), x))\n"
    "print(jacobian(lambda a: a.sum(), torch.tensor(2.)))",
    "x = torch.tensor([1., 2.])\n"
    "print(torch.autograd.functional.hessian(lambda a: (a ** 3).sum(), x))\n"
    "print(torch.autograd.functional.hessian(lambda a, b: (a * b).sum(), "
    "(x, torch.tensor([3., 4.]))))",
    "torch.autograd.functional.hessian(lambda a: a ** 2, torch.tensor([1., 2.]))",
    "torch.autograd.functional.jacobian(lambda a: torch.ones(2), torch.tensor([1., 2.]),\n"
    "                                   strict=True)",
)


def record_snippet(code: str) -> dict[str, Any]:
    """Run ``code`` with torch; keep what it prints and the exception it ends with, if any.
    Warnings are silenced: they are checked where they are the subject."""
    printed = io.StringIO()
    record: dict[str, Any] = {"code": code, "error": None}
    with contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(0)
        try:
            exec(code, _namespace())
        except Exception as exc:
            record["error"] = {"type": type(exc).__name__, "message": str(exc)}
    record["printed"] = printed.getvalue()
    return record


def _lines(records: list[dict[str, Any]]) -> str:
    """One record per line: small, and a re-recording shows up in a diff case by case."""
    return (f'{{"torch_version": {json.dumps(torch.__version__)}, "cases": [\n'
            + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]}\n")


def _higher_order_cases() -> list[Case]:
    differentiable = [c for c in CASES + MORE_CASES if "float64" in c.dtypes and c.inputs
                      and c.higher_order and all(i.grad and i.domain != "int" for i in c.inputs)]
    return differentiable + list(HIGHER_ORDER_CASES)


WRITERS = {
    "ops": lambda: _lines([record_case(case, dtype) for case in CASES for dtype in case.dtypes]),
    "ops_more": lambda: _lines([record_case(case, dtype) for case in MORE_CASES
                                for dtype in case.dtypes]),
    "texts": lambda: json.dumps(record_texts(), indent=1, ensure_ascii=False) + "\n",
    "higher_order": lambda: _lines([r for r in map(record_higher_order, _higher_order_cases())
                                    if r is not None]),
    "inplace": lambda: _lines([record_snippet(code) for code in INPLACE_SNIPPETS]),
    "autograd": lambda: _lines([record_snippet(code) for code in AUTOGRAD_SNIPPETS]),
    "everyday": lambda: _lines([record_snippet(code) for code in EVERYDAY_SNIPPETS]),
    **{group: functools.partial(golden_library.record_lines, torch, group)
       for group in golden_library.GROUPS},
}


def main(argv: list[str] | None = None) -> None:
    """Record the golden files named on the command line (all by default)."""
    names = (sys.argv[1:] if argv is None else argv) or list(WRITERS)
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = GOLDEN_DIR / f"{name}.json"
        path.write_text(WRITERS[name](), encoding="utf-8")
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
