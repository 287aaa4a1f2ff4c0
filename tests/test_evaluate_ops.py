"""Every operation of the palette, evaluated on cgengine and on PyTorch: the same numbers.

Each case wires one operation between leaf tensors (broadcasting where the op allows it), feeds
its result into two consumers (so gradients from two paths meet at it), and runs backward from
their sum. Values, .grad, the full gradient of every node and the gradient on every wire must
agree with torch: the wire gradients are read from grad_fn post-hooks, in one backward pass.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphs import graph
from test_evaluate import _compare, leaf
from test_evaluate_program import PROGRAM_CASES

from app.evaluate import evaluate_document
from app.evaluate.modules import initial_state
from app.model import Node
from app.registry import NODE_TYPES
from tests.oracle import torch

M23 = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
ROW3 = [0.3, -0.6, 1.2]
POS23 = [[0.5, 1.0, 2.0], [1.5, 0.25, 0.75]]

#: op -> (input leaves in port order, params); a leaf is (value, requires_grad, dtype)
CASES: dict[str, tuple[list[tuple[Any, bool, str]], dict[str, Any]]] = {
    "add": ([(M23, True, "float32"), (ROW3, True, "float32")], {"alpha": 2.0}),
    "sub": ([(M23, True, "float32"), (ROW3, True, "float32")], {"alpha": 0.5}),
    "mul": ([(M23, True, "float32"), (ROW3, True, "float32")], {}),
    "div": ([(M23, True, "float32"), (POS23, True, "float32")], {}),
    "neg": ([(M23, True, "float32")], {}),
    "pow": ([(POS23, True, "float32"), (ROW3, True, "float32")], {}),
    "exp": ([(M23, True, "float32")], {}),
    "log": ([(POS23, True, "float32")], {}),
    "sqrt": ([(POS23, True, "float32")], {}),
    "abs": ([(M23, True, "float32")], {}),
    "sin": ([(M23, True, "float32")], {}),
    "cos": ([(M23, True, "float32")], {}),
    "clamp": ([(M23, True, "float32")], {"min": -0.5, "max": 1.0}),
    "maximum": ([(M23, True, "float32"), (ROW3, True, "float32")], {}),
    "minimum": ([(M23, True, "float32"), (ROW3, True, "float32")], {}),
    "relu": ([(M23, True, "float32")], {}),
    "sigmoid": ([(M23, True, "float32")], {}),
    "tanh": ([(M23, True, "float32")], {}),
    "softmax": ([(M23, True, "float32")], {"dim": 1}),
    "log_softmax": ([(M23, True, "float32")], {"dim": 0}),
    "sum": ([(M23, True, "float32")], {"dim": 1, "keepdim": True}),
    "mean": ([(M23, True, "float32")], {"dim": 0}),
    "max": ([(M23, True, "float32")], {"dim": 1}),
    "reshape": ([(M23, True, "float32")], {"shape": [3, 2]}),
    "flatten": ([(M23, True, "float32")], {}),
    "transpose": ([(M23, True, "float32")], {"dim0": 1, "dim1": 0}),
    "t": ([(M23, True, "float32")], {}),
    "unsqueeze": ([(M23, True, "float32")], {"dim": 1}),
    "squeeze": ([([[1.0, -2.0, 3.0]], True, "float32")], {}),
    "cat": ([(M23, True, "float32"), (POS23, False, "float32")], {"dim": 1}),
    "stack": ([(M23, True, "float32"), (POS23, True, "float32")], {"dim": 0}),
    "matmul": ([(M23, True, "float32"), ([[1.0], [-1.0], [0.5]], True, "float32")], {}),
    "mm": ([(M23, True, "float32"), ([[1.0, 2.0], [-1.0, 0.0], [0.5, 3.0]], True, "float32")],
           {}),
    "mse_loss": ([(M23, True, "float32"), (POS23, False, "float32")], {}),
    "cross_entropy": ([(M23, True, "float32"), ([2, 0], False, "int64")], {}),
    "binary_cross_entropy_with_logits": ([(M23, True, "float32"),
                                          ([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], False, "float32")],
                                         {}),
    # torch.nn modules: the module built with these params and called on the inputs
    "Linear": ([(M23, True, "float32")], {"in_features": 3, "out_features": 2, "seed": 3}),
    "ReLU": ([(M23, True, "float32")], {}),
    "LeakyReLU": ([(M23, True, "float32")], {"negative_slope": 0.2}),
    "ELU": ([(M23, True, "float32")], {"alpha": 0.5}),
    "GELU": ([(M23, True, "float32")], {"approximate": "tanh"}),
    "Softplus": ([(M23, True, "float32")], {"beta": 2.0}),
    "Sigmoid": ([(M23, True, "float32")], {}),
    "Tanh": ([(M23, True, "float32")], {}),
    "Softmax": ([(M23, True, "float32")], {"dim": 1}),
    "LogSoftmax": ([(M23, True, "float32")], {"dim": 0}),
    "Flatten": ([(M23, True, "float32")], {"start_dim": 0}),
    "MSELoss": ([(M23, True, "float32"), (POS23, False, "float32")], {"reduction": "sum"}),
    "L1Loss": ([(M23, True, "float32"), (POS23, True, "float32")], {}),
    "SmoothL1Loss": ([(M23, True, "float32"), (POS23, False, "float32")], {"beta": 0.5}),
    "BCELoss": ([([[0.2, 0.7, 0.9], [0.4, 0.1, 0.6]], True, "float32"),
                 ([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], False, "float32")], {}),
    "BCEWithLogitsLoss": ([(M23, True, "float32"),
                           ([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], False, "float32")],
                          {"reduction": "none"}),
    "NLLLoss": ([(M23, True, "float32"), ([2, 0], False, "int64")], {}),
    "CrossEntropyLoss": ([(M23, True, "float32"), ([2, 0], False, "int64")],
                         {"label_smoothing": 0.1}),
}


def test_every_operation_has_a_case() -> None:
    """Here, or in tests/test_evaluate_program.py: comparisons, grad and branch nodes, whose
    results are no numbers to differentiate or the graph around them."""
    ops = {name for name, spec in NODE_TYPES.items() if spec.is_op}
    assert ops == set(CASES) | set(PROGRAM_CASES)


def op_graph(op: str) -> Any:
    inputs, params = CASES[op]
    nodes = [leaf(f"in{i}", value, requires_grad=grad, dtype=dtype)
             for i, (value, grad, dtype) in enumerate(inputs)]
    nodes += [Node("op", op, "op", params=dict(params),
                   state=initial_state(NODE_TYPES[op], params)), Node("sq", "mul", "sq"),
              Node("s1", "sum", "s1"), Node("s2", "sum", "s2"), Node("tanh", "tanh", "tanh"),
              Node("s3", "sum", "s3"), Node("total", "add", "total", retain_grad=True),
              Node("out", "add", "out")]
    edges = [(f"in{i}", "op", i) for i in range(len(inputs))]
    # op feeds mul(op, op) (one tensor in two ports) and tanh(op): three wires leave it
    edges += [("op", "sq", 0), ("op", "sq", 1), ("sq", "s1", 0), ("op", "tanh", 0),
              ("tanh", "s2", 0), ("in0", "s3", 0), ("s1", "total", 0), ("s2", "total", 1),
              ("total", "out", 0), ("s3", "out", 1)]
    return graph(nodes, edges, output="out")


@pytest.mark.parametrize("op", sorted(CASES))
def test_operation_matches_torch(op: str) -> None:
    doc = op_graph(op)
    ours = evaluate_document(doc)
    problems = {k: (r.error, r.warning) for k, r in ours.nodes.items() if r.error or r.warning}
    assert problems == {}
    _compare(ours, evaluate_document(doc, engine=torch))
    # a gradient on every wire into op (those from tensors that require grad)
    for port, (_, requires_grad, _) in enumerate(CASES[op][0]):
        assert (ours.edges[("op", port)].grad is not None) == requires_grad, port
    assert ours.nodes["total"].grad is not None  # retain_grad keeps it, as torch does
    assert ours.nodes["s1"].grad is None and ours.nodes["s1"].full_grad is not None


def test_a_python_number_operand_and_a_wired_exponent() -> None:
    doc = graph([leaf("w", [1.0, 2.0]), Node("one", "scalar", "one", value=1.5),
                 leaf("e", [2.0]), Node("b", "add", "b"), Node("p", "pow", "p"),
                 Node("q", "pow", "q"), Node("y", "add", "y"), Node("s", "sum", "s")],
                [("w", "b", 0), ("one", "b", 1), ("b", "p", 0), ("e", "p", 1), ("w", "q", 0),
                 ("p", "y", 0), ("q", "y", 1), ("y", "s", 0)], output="s")
    ours = evaluate_document(doc)
    _compare(ours, evaluate_document(doc, engine=torch))
    assert ours.edges[("b", 1)].grad is None  # a python number gets no gradient
    assert ours.edges[("p", 1)].grad is not None  # a wired exponent does
    assert ours.edges[("q", 0)].grad.tolist() == [2.0, 4.0]  # d(w**2)/dw, exponent unwired


def wire_gradient_by_torch(doc: Any, wire: tuple[str, int]) -> Any:
    """The gradient along one wire, computed independently of the evaluator: run the graph in
    torch with that wire's tensor replaced by a fresh leaf (same value), so that the leaf's .grad
    is what flows back along this wire alone. None when no gradient flows there."""
    from app.evaluate.calls import call_op

    values: dict[str, Any] = {}
    cut = None
    for node_id in doc.topological_order():
        node = doc.node(node_id)
        if node.type == "tensor":
            values[node_id] = torch.tensor(node.value, dtype=getattr(torch, node.dtype),
                                           requires_grad=node.requires_grad)
            continue
        if node.type == "scalar":
            values[node_id] = node.value
            continue
        args = []
        for port, src in enumerate(doc.inputs_of(node_id)):
            spec = node.spec.inputs[port]
            arg = values[src] if src is not None else node.params.get(spec.name, spec.default)
            if (node_id, port) == wire and isinstance(arg, torch.Tensor) and arg.requires_grad:
                arg = cut = arg.detach().requires_grad_(True)
            args.append(arg)
        values[node_id] = call_op(torch, node.spec, args, node.params, node.state)
    values[doc.output].backward()
    return None if cut is None or cut.grad is None else cut.grad.numpy()


@pytest.mark.parametrize("op", sorted(CASES))
def test_every_wire_gradient_matches_an_independent_torch_computation(op: str) -> None:
    import numpy as np

    doc = op_graph(op)
    ours = evaluate_document(doc)
    for edge in doc.edges:
        key = (edge.dst, edge.port)
        expected, shown = wire_gradient_by_torch(doc, key), ours.edges[key].grad
        assert (shown is None) == (expected is None), key
        if expected is not None:
            np.testing.assert_allclose(shown, expected, rtol=1e-5, atol=1e-6, err_msg=str(key))
