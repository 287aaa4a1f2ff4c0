"""cgengine against torch on random graphs: the same program built in both engines, op by op.

Each seed draws a small program (3 to 10 ops chosen from the op list, operands of compatible
shapes, leaves reused so that gradients meet) while building it in torch, then replays it in
cgengine. Every step's value, dtype, shape and grad_fn name must agree; after
``(out * w).sum().backward()`` so must every leaf's ``.grad`` and every retained non-leaf grad.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import cgengine
from tests.oracle import torch

GRAPHS = 200
TOLERANCE = {"float64": {"rtol": 1e-9, "atol": 1e-10}, "float32": {"rtol": 1e-4, "atol": 1e-5}}
LEAF_SHAPES: tuple[tuple[int, ...], ...] = ((), (3,), (4,), (2, 3), (1, 3), (2, 1), (3, 2))
MAX_NUMEL = 48

#: An op gets the generator and its operands' torch values; it returns how to build the step in
#: any engine, or None when the operands do not suit it (wrong shape, outside its domain).
Builder = Callable[[ModuleType, list[Any]], Any]
Chooser = Callable[[np.random.Generator, list[Any]], Builder | None]


def _all(x: Any, condition: Callable[[np.ndarray], np.ndarray]) -> bool:
    return bool(np.all(condition(x.detach().numpy())))


def _positive(x: Any) -> bool:
    return _all(x, lambda v: v > 0.1)


def _away_from_zero(x: Any) -> bool:
    return _all(x, lambda v: np.abs(v) > 0.1)


def _distinct(x: Any, dim: int | None = None) -> bool:
    """No ties where max looks (ties are what engines may break differently)."""
    values = x.detach().numpy()
    if dim is None:
        return len(np.unique(values)) == values.size
    moved = np.moveaxis(values, dim, -1).reshape(-1, values.shape[dim])
    return all(len(np.unique(row)) == row.size for row in moved)


def _unary(build: Builder, fits: Callable[[Any], bool] = lambda x: True) -> Chooser:
    return lambda rng, xs: build if fits(xs[0]) else None


def _dim(rng: np.random.Generator, x: Any) -> int:
    return int(rng.integers(-x.dim(), x.dim()))


def _sum_dim(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x = xs[0]
    if x.dim() == 0:
        return None
    dim, keepdim = _dim(rng, x), bool(rng.integers(2))
    return lambda t, o: o[0].sum(dim, keepdim=keepdim)


def _mean_dim(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x = xs[0]
    if x.dim() == 0:
        return None
    dim, keepdim = _dim(rng, x), bool(rng.integers(2))
    return lambda t, o: t.mean(o[0], dim=dim, keepdim=keepdim)


def _max_dim(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x = xs[0]
    if x.dim() == 0:
        return None
    dim = _dim(rng, x)
    return (lambda t, o: t.max(o[0], dim=dim)[0]) if _distinct(x, dim) else None


def _softmax(log: bool) -> Chooser:
    def choose(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
        if xs[0].dim() == 0:
            return None
        dim = _dim(rng, xs[0])
        if log:
            return lambda t, o: t.log_softmax(o[0], dim=dim)
        return lambda t, o: t.softmax(o[0], dim=dim)

    return choose


def _transpose(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x = xs[0]
    if x.dim() < 2:
        return None
    return lambda t, o: t.transpose(o[0], 0, 1)


def _unsqueeze(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x = xs[0]
    if x.dim() >= 3:
        return None
    dim = int(rng.integers(0, x.dim() + 1))
    return lambda t, o: o[0].unsqueeze(dim)


def _squeeze(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    ones = [d for d, size in enumerate(xs[0].shape) if size == 1]
    if not ones:
        return None
    if rng.integers(2):
        return lambda t, o: t.squeeze(o[0])
    dim = int(rng.choice(ones))
    return lambda t, o: o[0].squeeze(dim)


def _select(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x = xs[0]
    if x.dim() == 0:
        return None
    index = int(rng.integers(-x.shape[0], x.shape[0]))
    return lambda t, o: o[0][index]


def _slice(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x = xs[0]
    if x.dim() == 0:
        return None
    start = int(rng.integers(0, x.shape[0]))
    stop = int(rng.integers(start + 1, x.shape[0] + 1))
    return lambda t, o: o[0][start:stop]


def _reshape(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    kind = int(rng.integers(3))
    if kind == 0:
        return lambda t, o: o[0].reshape(-1)
    if kind == 1:
        return lambda t, o: t.flatten(o[0]) if o[0].dim() > 0 else o[0].reshape(1)
    if not xs[0].is_contiguous():
        return None  # torch refuses to view a transposed tensor
    size = xs[0].numel()
    return lambda t, o: o[0].view(1, size)


def _binary(build: Builder, fits: Callable[[Any, Any], bool] = lambda x, y: True) -> Chooser:
    return lambda rng, xs: build if fits(xs[0], xs[1]) else None


def _no_ties(x: Any, y: Any) -> bool:
    a, b = np.broadcast_arrays(x.detach().numpy(), y.detach().numpy())
    return not np.any(a == b)


def _matmul(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x, y = xs
    if x.dim() == 0 or y.dim() == 0 or x.dim() > 2 or y.dim() > 2:
        return None
    if x.shape[-1] != y.shape[0]:
        return None
    return lambda t, o: o[0] @ o[1]


def _cat(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x, y = xs
    if x.dim() == 0 or x.shape != y.shape:
        return None
    dim = _dim(rng, x)
    return lambda t, o: t.cat([o[0], o[1]], dim=dim)


def _stack(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x, y = xs
    if x.shape != y.shape or x.dim() >= 3:
        return None
    dim = int(rng.integers(0, x.dim() + 1))
    return lambda t, o: t.stack([o[0], o[1]], dim=dim)


def _mse(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x, y = xs
    return (lambda t, o: t.nn.functional.mse_loss(o[0], o[1])) if x.shape == y.shape else None


def _cross_entropy(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    x = xs[0]
    if x.dim() != 2:
        return None
    target = rng.integers(0, x.shape[1], size=x.shape[0]).tolist()
    return lambda t, o: t.nn.functional.cross_entropy(o[0], t.tensor(target))


def _bce_with_logits(rng: np.random.Generator, xs: list[Any]) -> Builder | None:
    target = np.round(rng.uniform(0, 1, size=tuple(xs[0].shape)), 2).tolist()
    return lambda t, o: t.nn.functional.binary_cross_entropy_with_logits(
        o[0], t.tensor(target, dtype=o[0].dtype))


UNARY: dict[str, Chooser] = {
    "neg": _unary(lambda t, o: -o[0]),
    "exp": _unary(lambda t, o: t.exp(o[0]), lambda x: _all(x, lambda v: v < 4)),
    "log": _unary(lambda t, o: t.log(o[0]), _positive),
    "sqrt": _unary(lambda t, o: o[0].sqrt(), _positive),
    "abs": _unary(lambda t, o: t.abs(o[0]), _away_from_zero),
    "sin": _unary(lambda t, o: t.sin(o[0])),
    "cos": _unary(lambda t, o: o[0].cos()),
    "tanh": _unary(lambda t, o: t.tanh(o[0])),
    "sigmoid": _unary(lambda t, o: t.sigmoid(o[0])),
    "relu": _unary(lambda t, o: t.relu(o[0]), _away_from_zero),
    "clamp": _unary(lambda t, o: t.clamp(o[0], -0.5, 0.5)),
    "square": _unary(lambda t, o: o[0] ** 2),
    "cube": _unary(lambda t, o: t.pow(o[0], 3)),
    "root": _unary(lambda t, o: o[0] ** 0.5, _positive),
    "times_number": _unary(lambda t, o: o[0] * 1.5),
    "number_times": _unary(lambda t, o: 0.5 * o[0]),
    "plus_number": _unary(lambda t, o: o[0] + 2),
    "number_minus": _unary(lambda t, o: 1 - o[0]),
    "minus_number": _unary(lambda t, o: o[0] - 0.25),
    "over_number": _unary(lambda t, o: o[0] / 3),
    "number_over": _unary(lambda t, o: 2 / o[0], _away_from_zero),
    "number_pow": _unary(lambda t, o: 2 ** o[0], lambda x: _all(x, lambda v: np.abs(v) < 4)),
    "sum": _unary(lambda t, o: o[0].sum()),
    "mean": _unary(lambda t, o: t.mean(o[0])),
    "max": _unary(lambda t, o: o[0].max(), _distinct),
    "sum_dim": _sum_dim,
    "mean_dim": _mean_dim,
    "max_dim": _max_dim,
    "softmax": _softmax(log=False),
    "log_softmax": _softmax(log=True),
    "transpose": _transpose,
    "t": _unary(lambda t, o: o[0].t(), lambda x: x.dim() <= 2),
    "T": _unary(lambda t, o: o[0].T, lambda x: x.dim() == 2),
    "unsqueeze": _unsqueeze,
    "squeeze": _squeeze,
    "select": _select,
    "slice": _slice,
    "reshape": _reshape,
    "clone": _unary(lambda t, o: o[0].clone()),
    "cross_entropy": _cross_entropy,
    "bce_with_logits": _bce_with_logits,
}

ELEMENTWISE_BINARY = ("add", "add_alpha", "sub", "mul", "div", "pow", "maximum", "minimum")
BINARY: dict[str, Chooser] = {
    "add": _binary(lambda t, o: t.add(o[0], o[1])),
    "add_alpha": _binary(lambda t, o: t.add(o[0], o[1], alpha=0.5)),
    "sub": _binary(lambda t, o: o[0] - o[1]),
    "mul": _binary(lambda t, o: o[0] * o[1]),
    "div": _binary(lambda t, o: o[0] / o[1], lambda x, y: _away_from_zero(y)),
    "pow": _binary(lambda t, o: t.pow(o[0], o[1]),
                   lambda x, y: _positive(x) and _all(y, lambda v: np.abs(v) < 3)),
    "maximum": _binary(lambda t, o: t.maximum(o[0], o[1]), _no_ties),
    "minimum": _binary(lambda t, o: t.minimum(o[0], o[1]), _no_ties),
    "matmul": _matmul,
    "cat": _cat,
    "stack": _stack,
    "mse_loss": _mse,
}


@dataclass(frozen=True)
class Step:
    """One node of a program: a leaf (its data) or an op (its builder and operand indices)."""

    label: str
    operands: tuple[int, ...] = ()
    build: Builder | None = None
    data: np.ndarray | None = None
    requires_grad: bool = False


@dataclass
class Program:
    """A random graph: its nodes in creation order; the last op is the output."""

    dtype: str
    steps: list[Step] = field(default_factory=list)

    @property
    def output(self) -> int:
        return max(i for i, step in enumerate(self.steps) if step.build is not None)


def _partner_shape(rng: np.random.Generator, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts with ``shape`` (or suits matmul/cat/stack with it)."""
    kind = int(rng.integers(5))
    if kind == 0 or not shape:
        return shape
    if kind == 1:
        return shape[1:]
    if kind == 2:
        return tuple(1 if rng.integers(2) else size for size in shape)
    if kind == 3:
        return (shape[-1], int(rng.integers(1, 4)))  # a matrix that matmul can take on the right
    return (shape[-1],)


def _broadcastable(name: str, operands: list[Any]) -> bool:
    if name not in ELEMENTWISE_BINARY:
        return True
    try:
        np.broadcast_shapes(*(tuple(x.shape) for x in operands))
    except ValueError:
        return False
    return True


def generate(seed: int) -> tuple[Program, list[Any]]:
    """Draw a program while building it in torch; return it and the torch tensors of its nodes."""
    rng = np.random.default_rng(seed)
    program = Program("float64" if seed % 2 == 0 else "float32")
    dtype = getattr(torch, program.dtype)
    nodes: list[Any] = []

    def leaf(shape: tuple[int, ...]) -> int:
        data = np.round(rng.standard_normal(shape), 3)
        requires_grad = bool(rng.random() < 0.85)
        program.steps.append(Step(f"leaf {shape}", data=data, requires_grad=requires_grad))
        nodes.append(torch.tensor(data, dtype=dtype, requires_grad=requires_grad))
        return len(nodes) - 1

    for _ in range(int(rng.integers(2, 4))):
        leaf(LEAF_SHAPES[int(rng.integers(len(LEAF_SHAPES)))])
    ops, target = 0, int(rng.integers(3, 11))
    while ops < target:
        # mostly extend the newest node, so the graph is deep rather than wide
        first = len(nodes) - 1 if rng.random() < 0.6 else int(rng.integers(len(nodes)))
        operands = [first]
        if rng.random() < 0.4:
            name = str(rng.choice(sorted(BINARY)))
            chooser = BINARY[name]
            shape = _partner_shape(rng, tuple(nodes[first].shape))
            same = [i for i, node in enumerate(nodes) if tuple(node.shape) == shape]
            operands.append(int(rng.choice(same)) if same and rng.random() < 0.6 else leaf(shape))
        else:
            name = str(rng.choice(sorted(UNARY)))
            chooser = UNARY[name]
        values = [nodes[i] for i in operands]
        build = chooser(rng, values) if _broadcastable(name, values) else None
        if build is None:
            continue
        result = build(torch, values)
        if result.numel() > MAX_NUMEL or result.dim() > 3:
            continue
        program.steps.append(Step(name, tuple(operands), build))
        nodes.append(result)
        ops += 1
    return program, nodes


def replay(program: Program) -> list[Any]:
    """Build the program's nodes in cgengine."""
    dtype = getattr(cgengine, program.dtype)
    nodes: list[Any] = []
    for step in program.steps:
        if step.build is None:
            nodes.append(cgengine.tensor(step.data, dtype=dtype, requires_grad=step.requires_grad))
        else:
            nodes.append(step.build(cgengine, [nodes[i] for i in step.operands]))
    return nodes


def _grad_fn_name(tensor: Any) -> str | None:
    return None if tensor.grad_fn is None else tensor.grad_fn.name()


def _assert_close(got: Any, expected: Any, dtype: str, what: str) -> None:
    if expected is None or got is None:
        assert got is None and expected is None, f"{what}: {got} where torch has {expected}"
        return
    np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(), err_msg=what,
                               **TOLERANCE[dtype])


@pytest.mark.parametrize("seed", range(GRAPHS))
def test_random_graph_matches_torch(seed: int) -> None:
    program, expected = generate(seed)
    got = replay(program)
    labels = [f"node {i} ({step.label})" for i, step in enumerate(program.steps)]
    for label, g, e in zip(labels, got, expected, strict=True):
        assert tuple(g.shape) == tuple(e.shape), f"{label}: shape"
        assert str(g.dtype) == str(e.dtype), f"{label}: dtype"
        assert _grad_fn_name(g) == _grad_fn_name(e), f"{label}: grad_fn"
        assert g.requires_grad == e.requires_grad, f"{label}: requires_grad"
        _assert_close(g, e, program.dtype, f"{label}: value")
    out = program.output
    if not expected[out].requires_grad:
        return
    weights = np.round(np.random.default_rng(seed).standard_normal(tuple(expected[out].shape)), 3)
    for nodes, engine in ((expected, torch), (got, cgengine)):
        for node in nodes:
            if node.requires_grad and not node.is_leaf:
                node.retain_grad()
        (nodes[out] * engine.tensor(weights, dtype=nodes[out].dtype)).sum().backward()
    for label, g, e in zip(labels, got, expected, strict=True):
        if e.requires_grad:
            _assert_close(g.grad, e.grad, program.dtype, f"{label}: grad")


def test_the_programs_cover_the_op_list() -> None:
    used = {step.label for seed in range(GRAPHS) for step in generate(seed)[0].steps}
    assert set(UNARY) | set(BINARY) <= used, sorted(set(UNARY) | set(BINARY) - used)


@pytest.mark.parametrize("exponent", [0.5, -0.5, 2, -1, -2, 3, 1.5, 0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pow_by_a_number_keeps_torchs_signs_of_zero_and_infinity(exponent: float,
                                                                   dtype: str) -> None:
    """torch computes x ** 0.5 and x ** -0.5 as sqrt and rsqrt: -0. ** -0.5 is -inf, not inf."""
    values = [-0.0, 0.0, -1.0, 4.0, 1e-30, 2.5]
    ours = cgengine.pow(cgengine.tensor(values, dtype=getattr(cgengine, dtype)), exponent)
    theirs = torch.pow(torch.tensor(values, dtype=getattr(torch, dtype)), exponent)
    a, b = ours.numpy(), theirs.numpy()
    assert a.dtype == b.dtype
    numbers = ~np.isnan(b)  # a nan's sign bit means nothing (numpy's sqrt(-1) sets it)
    np.testing.assert_array_equal(np.isnan(a), ~numbers)
    # the sign of zeros and infinities too
    np.testing.assert_array_equal(np.signbit(a[numbers]), np.signbit(b[numbers]))
    np.testing.assert_allclose(a, b, rtol=1e-6, equal_nan=True)
