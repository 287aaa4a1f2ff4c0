"""cgengine against torch on random graphs: second derivatives, and programs with in-place steps.

The random programs of tests/test_engine_oracle.py are differentiated twice in both engines
(``create_graph=True``, then the gradient of a weighted sum of the first derivatives): values and
the first derivatives' graphs (grad_fn names) must agree. Then programs are drawn with in-place
steps mixed in (``add_``, ``mul_``, ``relu_``, ``x[i] = v``, in-place changes of views,
``+=``...): after every step each node's value, grad_fn name, ``is_leaf`` and ``_version`` must
agree, and so must the gradients at the end, or the error torch raises (at the step, or the
saved-tensor error at backward) with its text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from test_engine_higher_order import canonical, tree
from test_engine_oracle import (
    BINARY,
    LEAF_SHAPES,
    UNARY,
    _broadcastable,
    _grad_fn_name,
    _partner_shape,
    generate,
    replay,
)

import cgengine
from tests.oracle import torch

SECOND_ORDER_GRAPHS = 150
INPLACE_GRAPHS = 200
TOLERANCE = {"float64": {"rtol": 1e-8, "atol": 1e-10}, "float32": {"rtol": 2e-3, "atol": 2e-4}}


def _close(got: Any, expected: Any, dtype: str, what: str) -> None:
    assert (got is None) == (expected is None), f"{what}: {got} where torch has {expected}"
    if expected is not None:
        # torch's derivative of |x|' is a ZeroTensor, which numpy() gives only with force
        np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(force=True),
                                   err_msg=what, **TOLERANCE[dtype])


def _differentiate(engine: Any, nodes: list[Any], out: int, seed: int) -> tuple[Any, ...]:
    """First derivatives (with their graphs) and second derivatives w.r.t. the leaves."""
    rng = np.random.default_rng(seed)
    leaves = [n for n in nodes if n.is_leaf and n.requires_grad]
    weights = engine.tensor(np.round(rng.standard_normal(tuple(nodes[out].shape)), 3),
                            dtype=nodes[out].dtype)
    first = engine.autograd.grad((nodes[out] * weights).sum(), leaves, create_graph=True,
                                 allow_unused=True)
    total = None
    for g in first:
        if g is not None and g.requires_grad:
            term = (g * engine.tensor(np.round(rng.standard_normal(tuple(g.shape)), 3),
                                      dtype=g.dtype)).sum()
            total = term if total is None else total + term
    second = (None,) * len(leaves) if total is None else engine.autograd.grad(
        total, leaves, allow_unused=True)
    return first, second


@pytest.mark.parametrize("seed", range(SECOND_ORDER_GRAPHS))
def test_second_derivatives_of_a_random_graph_match_torch(seed: int) -> None:
    program, expected = generate(seed)
    got = replay(program)
    out = program.output
    if not expected[out].requires_grad or not any(n.is_leaf and n.requires_grad
                                                  for n in expected):
        return
    first_t, second_t = _differentiate(torch, expected, out, seed)
    first_c, second_c = _differentiate(cgengine, got, out, seed)
    for i, (gc, gt) in enumerate(zip(first_c, first_t, strict=True)):
        _close(gc, gt, program.dtype, f"first derivative {i}")
        if gt is not None:
            assert canonical(tree(gc.grad_fn)) == canonical(tree(gt.grad_fn)), f"graph {i}"
    for i, (hc, ht) in enumerate(zip(second_c, second_t, strict=True)):
        _close(hc, ht, program.dtype, f"second derivative {i}")


# ---------------------------------------------------------------- programs with in-place steps
#: An in-place step: given the generator and the torch operands, how to do it in any engine
#: (a function of the engine and the operands), or None when it does not suit the operands.
Action = Callable[[Any, list[Any]], Any]


def _same_shape_other(rng: np.random.Generator, xs: list[Any]) -> bool:
    return tuple(xs[0].shape) == tuple(xs[1].shape)


def _inplace_unary(name: str, *args: Any) -> Callable[..., Action | None]:
    return lambda rng, xs: (lambda t, o: getattr(o[0], name)(*args))


def _setitem(rng: np.random.Generator, xs: list[Any]) -> Action | None:
    x = xs[0]
    if x.dim() == 0:
        return lambda t, o: o[0].__setitem__((), o[1].sum())
    index = int(rng.integers(x.shape[0]))
    if rng.integers(2):
        return lambda t, o: o[0].__setitem__(index, 0.5)
    return lambda t, o: o[0].__setitem__(index, o[1].sum() * 2)


def _slice_mul(rng: np.random.Generator, xs: list[Any]) -> Action | None:
    x = xs[0]
    if x.dim() == 0 or x.shape[0] < 2:
        return None
    return lambda t, o: o[0][1:].mul_(3)


def _masked_set(rng: np.random.Generator, xs: list[Any]) -> Action | None:
    return lambda t, o: o[0].__setitem__(o[0] > 0, 0.0)


INPLACE: dict[str, Callable[..., Action | None]] = {
    "add_": lambda rng, xs: (lambda t, o: o[0].add_(o[1])) if _same_shape_other(rng, xs) else None,
    "iadd": lambda rng, xs: (lambda t, o: o[0].__iadd__(o[1])) if _same_shape_other(rng, xs)
    else None,
    "mul_": lambda rng, xs: (lambda t, o: o[0].mul_(o[1])) if _same_shape_other(rng, xs) else None,
    "sub_number": _inplace_unary("sub_", 0.5),
    "imul_number": lambda rng, xs: lambda t, o: o[0].__imul__(1.5),
    "div_number": _inplace_unary("div_", 4.0),
    "relu_": _inplace_unary("relu_"),
    "sigmoid_": _inplace_unary("sigmoid_"),
    "tanh_": _inplace_unary("tanh_"),
    "neg_": _inplace_unary("neg_"),
    "clamp_": _inplace_unary("clamp_", -0.5, 0.5),
    "pow_": _inplace_unary("pow_", 2),
    "zero_": _inplace_unary("zero_"),
    "fill_": _inplace_unary("fill_", 0.25),
    "copy_": lambda rng, xs: (lambda t, o: o[0].copy_(o[1] * 2)) if _same_shape_other(rng, xs)
    else None,
    "setitem": _setitem,
    "slice_mul_": _slice_mul,
    "masked_set": _masked_set,
}


@dataclass
class InplaceProgram:
    """Steps (``("op", name, operands, builder)``, ``("inplace", name, operands, action,
    grad_mode)`` or ``("leaf", data, requires_grad)``), built in torch as they are drawn."""

    dtype: str
    steps: list[tuple[Any, ...]] = field(default_factory=list)
    error: dict[str, str] | None = None  # what the last step raised in torch, if anything


def _error(exc: Exception) -> dict[str, str]:
    return {"type": type(exc).__name__, "message": str(exc)}


def _state(nodes: list[Any]) -> list[tuple[Any, ...]]:
    return [(_grad_fn_name(n), n.is_leaf, n.requires_grad, n._version) for n in nodes]


def generate_inplace(seed: int) -> tuple[InplaceProgram, list[Any], list[Any]]:
    """Draw a program with in-place steps while running it in torch; return it, its nodes and
    the state after each step."""
    rng = np.random.default_rng(10_000 + seed)
    program = InplaceProgram("float64" if seed % 2 == 0 else "float32")
    dtype = getattr(torch, program.dtype)
    nodes: list[Any] = []
    states: list[Any] = []

    def leaf(shape: tuple[int, ...], requires_grad: bool) -> None:
        data = np.round(rng.standard_normal(shape), 3)
        program.steps.append(("leaf", data, requires_grad))
        nodes.append(torch.tensor(data, dtype=dtype, requires_grad=requires_grad))

    for _ in range(int(rng.integers(2, 4))):
        leaf(LEAF_SHAPES[int(rng.integers(len(LEAF_SHAPES)))], bool(rng.random() < 0.7))
    for _ in range(int(rng.integers(4, 10))):
        first = len(nodes) - 1 if rng.random() < 0.5 else int(rng.integers(len(nodes)))
        if rng.random() < 0.45:  # an in-place step on an existing node
            name = str(rng.choice(sorted(INPLACE)))
            partner = int(rng.integers(len(nodes)))
            operands = (first, partner)
            action = INPLACE[name](rng, [nodes[i] for i in operands])
            if action is None:
                continue
            grad_mode = bool(rng.random() < 0.9)  # sometimes under no_grad, as an update step
            program.steps.append(("inplace", name, operands, action, grad_mode))
            try:
                with torch.set_grad_enabled(grad_mode):
                    action(torch, [nodes[i] for i in operands])
            except RuntimeError as exc:
                program.error = _error(exc)
                return program, nodes, states
            states.append(_state(nodes))
            continue
        operands = [first]
        if rng.random() < 0.4:
            name = str(rng.choice(sorted(BINARY)))
            chooser = BINARY[name]
            shape = _partner_shape(rng, tuple(nodes[first].shape))
            same = [i for i, node in enumerate(nodes) if tuple(node.shape) == shape]
            if not same:
                leaf(shape, bool(rng.random() < 0.7))
                same = [len(nodes) - 1]
            operands.append(int(rng.choice(same)))
        else:
            name = str(rng.choice(sorted(UNARY)))
            chooser = UNARY[name]
        values = [nodes[i] for i in operands]
        build = chooser(rng, values) if _broadcastable(name, values) else None
        if build is None:
            continue
        result = build(torch, values)
        if result.numel() > 48 or result.dim() > 3:
            continue
        program.steps.append(("op", name, tuple(operands), build))
        nodes.append(result)
        states.append(_state(nodes))
    return program, nodes, states


def replay_inplace(program: InplaceProgram) -> tuple[list[Any], list[Any], Any]:
    """Run the program in cgengine: its nodes, the state after each step, the error it raised."""
    dtype = getattr(cgengine, program.dtype)
    nodes: list[Any] = []
    states: list[Any] = []
    for step in program.steps:
        if step[0] == "leaf":
            nodes.append(cgengine.tensor(step[1], dtype=dtype, requires_grad=step[2]))
            continue
        if step[0] == "op":
            nodes.append(step[3](cgengine, [nodes[i] for i in step[2]]))
            states.append(_state(nodes))
            continue
        try:
            with cgengine.set_grad_enabled(step[4]):
                step[3](cgengine, [nodes[i] for i in step[2]])
        except RuntimeError as exc:
            return nodes, states, _error(exc)
        states.append(_state(nodes))
    return nodes, states, None


def _backward(engine: Any, nodes: list[Any], seed: int) -> dict[str, str] | None:
    out = nodes[-1]
    if not out.requires_grad:
        return None
    weights = np.round(np.random.default_rng(seed).standard_normal(tuple(out.shape)), 3)
    try:
        (out * engine.tensor(weights, dtype=out.dtype)).sum().backward()
    except RuntimeError as exc:
        return _error(exc)
    return None


@pytest.mark.parametrize("seed", range(INPLACE_GRAPHS))
def test_random_program_with_inplace_steps_matches_torch(seed: int) -> None:
    program, expected, expected_states = generate_inplace(seed)
    got, states, error = replay_inplace(program)
    assert error == program.error, "the error of an in-place step"
    assert len(states) == len(expected_states)
    for k, (mine, theirs) in enumerate(zip(states, expected_states, strict=True)):
        assert mine == theirs, f"after step {k}: (grad_fn, is_leaf, requires_grad, _version)"
    for i, (g, e) in enumerate(zip(got, expected)):
        _close(g, e, program.dtype, f"node {i} value")
    if program.error is not None:
        return
    assert _backward(cgengine, got, seed) == _backward(torch, expected, seed), "backward"
    for i, (g, e) in enumerate(zip(got, expected)):
        if e.is_leaf and e.requires_grad:
            _close(g.grad, e.grad, program.dtype, f"leaf {i} grad")


def test_the_inplace_programs_cover_every_action_and_error() -> None:
    used: set[str] = set()
    errors: set[str] = set()
    for seed in range(INPLACE_GRAPHS):
        program, nodes, _ = generate_inplace(seed)
        used |= {step[1] for step in program.steps if step[0] == "inplace"}
        if program.error:
            errors.add(program.error["message"][:60])
        elif (failed := _backward(torch, nodes, seed)) is not None:
            errors.add(failed["message"][:60])
    assert set(INPLACE) <= used, sorted(set(INPLACE) - used)
    for start in ("a leaf Variable that requires grad", "a view of a leaf Variable",
                  "one of the variables needed for gradient computation"):
        assert any(error.startswith(start) for error in errors), (start, errors)
