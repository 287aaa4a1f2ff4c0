"""Tests of app.evaluate: the lesson numbers, error handling, and agreement with PyTorch itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from graphs import graph

import cgengine
from app.evaluate import EvalResult, evaluate_document
from app.fileio import load_document
from app.model import GraphDocument, Node
from tests.oracle import import_torch

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.cgraph"))


def leaf(node_id: str, value: Any, requires_grad: bool = True, dtype: str = "float32") -> Node:
    return Node(node_id, "tensor", node_id, value=value, requires_grad=requires_grad, dtype=dtype)


def listed(array: np.ndarray | None) -> Any:
    return None if array is None else array.tolist()


# ------------------------------------------------------------------------------ the lesson
def test_lesson_values_gradients_and_grad_fn() -> None:
    result = evaluate_document(load_document(ROOT / "resources/examples/lesson.cgraph"))
    nodes = result.nodes
    assert result.output == "y"
    assert {k: listed(nodes[k].value) for k in "wxaby"} == {
        "w": [1.0], "x": [2.0], "a": [3.0], "b": [2.0], "y": [6.0]}
    assert listed(nodes["w"].grad) == [5.0]
    assert listed(nodes["x"].grad) == [2.0]
    assert [nodes[k].grad for k in "aby"] == [None, None, None]
    assert [nodes[k].grad_fn for k in "wxaby"] == [None, None, "AddBackward0", "AddBackward0",
                                                   "MulBackward0"]
    assert [nodes[k].is_leaf for k in "wxaby"] == [True, True, False, False, False]
    assert nodes["w"].dtype == "float32" and nodes["w"].shape == (1,)
    one = nodes["one"]
    assert one.is_number and one.value.item() == 1 and one.grad is None and one.full_grad is None


def test_lesson_full_and_wire_gradients() -> None:
    result = evaluate_document(load_document(ROOT / "resources/examples/lesson.cgraph"))
    full = {k: listed(result.nodes[k].full_grad) for k in "wxaby"}
    assert full == {"w": [5.0], "x": [2.0], "a": [2.0], "b": [3.0], "y": [1.0]}
    edges = {key: listed(edge.grad) for key, edge in result.edges.items()}
    assert edges == {("a", 0): [2.0], ("a", 1): [2.0], ("b", 0): [3.0], ("b", 1): None,
                     ("y", 0): [2.0], ("y", 1): [3.0]}


def test_retain_grad_shows_a_grad_only() -> None:
    result = evaluate_document(load_document(ROOT / "resources/examples/lesson_retain_grad.cgraph"))
    assert listed(result.nodes["a"].grad) == [2.0]
    assert result.nodes["b"].grad is None and result.nodes["y"].grad is None


def test_results_are_copies() -> None:
    doc = load_document(ROOT / "resources/examples/lesson.cgraph")
    first = evaluate_document(doc)
    first.nodes["w"].value[0] = 100.0
    first.nodes["w"].grad[0] = 100.0
    second = evaluate_document(doc)
    assert listed(second.nodes["w"].value) == [1.0] and listed(second.nodes["w"].grad) == [5.0]


# ------------------------------------------------------------------------------ errors
def test_shape_mismatch_blocks_downstream_only() -> None:
    doc = graph(
        [leaf("p", [1.0, 2.0]), leaf("q", [1.0, 2.0, 3.0]), Node("bad", "add"),
         Node("after", "exp"), Node("fine", "exp")],
        [("p", "bad", 0), ("q", "bad", 1), ("bad", "after", 0), ("p", "fine", 0)],
    )
    result = evaluate_document(doc)
    bad, after, fine = (result.nodes[k] for k in ("bad", "after", "fine"))
    assert bad.value is None
    assert "size of tensor a (2) must match the size of tensor b (3)" in bad.error
    assert after.value is None and after.error is None and after.blocked_by == "bad"
    assert fine.error is None and np.allclose(fine.value, np.exp([1.0, 2.0]))


def test_blocked_chain_names_the_first_failure() -> None:
    doc = graph([Node("lonely", "add"), Node("n1", "exp"), Node("n2", "log")],
                [("lonely", "n1", 0), ("n1", "n2", 0)], output="n2")
    result = evaluate_document(doc)
    assert result.nodes["lonely"].error == "input 'input' is not connected"
    assert result.nodes["n2"].blocked_by == "lonely" and result.nodes["n2"].error is None


def test_unconnected_second_input() -> None:
    doc = graph([leaf("p", [1.0]), Node("m", "mul")], [("p", "m", 0)])
    assert evaluate_document(doc).nodes["m"].error == "input 'other' is not connected"


def test_int64_requires_grad_is_torch_error() -> None:
    doc = graph([leaf("i", [1, 2], dtype="int64")], [])
    node = evaluate_document(doc).nodes["i"]
    assert node.error == "Only Tensors of floating point and complex dtype can require gradients"
    assert node.value is None


def test_ragged_value_is_an_error_on_the_node() -> None:
    node = evaluate_document(graph([leaf("r", [[1.0], [2.0, 3.0]])], [])).nodes["r"]
    assert node.value is None and node.error


def test_non_scalar_output_keeps_forward_values() -> None:
    doc = graph([leaf("p", [1.0, 2.0]), Node("e", "exp")], [("p", "e", 0)], output="e")
    result = evaluate_document(doc)
    assert result.nodes["e"].error == "grad can be implicitly created only for scalar outputs"
    assert np.allclose(result.nodes["e"].value, np.exp([1.0, 2.0]))
    assert result.nodes["p"].grad is None


def test_output_without_grad() -> None:
    doc = graph([leaf("p", [1.0], requires_grad=False), Node("e", "exp")], [("p", "e", 0)],
                output="e")
    assert evaluate_document(doc).nodes["e"].error == (
        "element 0 of tensors does not require grad and does not have a grad_fn")


def test_python_number_output() -> None:
    doc = graph([Node("k", "scalar", value=3)], [], output="k")
    assert "python number has no backward()" in evaluate_document(doc).nodes["k"].error


def test_log_of_negative_is_nan_with_a_warning_and_no_console_noise(
        recwarn: pytest.WarningsRecorder, capfd: pytest.CaptureFixture[str]) -> None:
    doc = graph([leaf("p", [-1.0, 4.0]), Node("l", "log"), Node("s", "sum")],
                [("p", "l", 0), ("l", "s", 0)], output="s")
    result = evaluate_document(doc)
    log = result.nodes["l"]
    assert np.isnan(log.value[0]) and log.value[1] == pytest.approx(np.log(4.0))
    assert log.warning == "log of a negative number is nan, and log(0) is -inf"
    assert result.nodes["s"].warning is None  # nan came in, it was not made here
    assert listed(result.nodes["p"].grad) == [-1.0, 0.25]
    assert len(recwarn) == 0
    assert capfd.readouterr() == ("", "")


def test_retain_grad_without_requires_grad_is_a_warning() -> None:
    node = leaf("p", [1.0], requires_grad=False)
    node.retain_grad = True
    result = evaluate_document(graph([node], []))
    assert result.nodes["p"].error is None
    assert "can't retain_grad on Tensor that has requires_grad=False" in result.nodes["p"].warning


# ------------------------------------------------------------------------------ op calls
def test_port_default_and_param_override() -> None:
    pow_node = Node("sq", "pow")
    doc = graph([leaf("p", [3.0]), pow_node], [("p", "sq", 0)], output="sq")
    result = evaluate_document(doc)
    assert listed(result.nodes["sq"].value) == [9.0] and listed(result.nodes["p"].grad) == [6.0]
    pow_node.params["exponent"] = 3
    result = evaluate_document(doc)
    assert listed(result.nodes["sq"].value) == [27.0]
    assert listed(result.nodes["p"].grad) == [27.0]
    assert result.edges[("sq", 0)].grad.tolist() == [27.0]


def test_reductions_shape_ops_and_params() -> None:
    m = [[1.0, 5.0], [4.0, 2.0]]
    nodes = [leaf("m", m), Node("total", "sum"), Node("rows", "sum", params={"dim": 1}),
             Node("kept", "mean", params={"dim": 0, "keepdim": True}),
             Node("mx", "max", params={"dim": 1}), Node("flat", "reshape", params={"shape": [4]}),
             Node("both", "cat", params={"dim": 0}), Node("clip", "clamp", params={"max": 3.0}),
             Node("noclip", "clamp"), Node("sum_keep", "sum", params={"keepdim": True})]
    edges = [("m", n, 0) for n in ("total", "rows", "kept", "mx", "flat", "both", "clip",
                                   "noclip", "sum_keep")] + [("m", "both", 1)]
    result = evaluate_document(graph(nodes, edges, output="total")).nodes
    assert listed(result["total"].value) == 12.0
    assert listed(result["rows"].value) == [6.0, 6.0]
    assert listed(result["kept"].value) == [[2.5, 3.5]]
    assert listed(result["mx"].value) == [5.0, 4.0]
    assert listed(result["flat"].value) == [1.0, 5.0, 4.0, 2.0] and result["flat"].shape == (4,)
    assert result["both"].shape == (4, 2)
    assert listed(result["clip"].value) == [[1.0, 3.0], [3.0, 2.0]]
    assert result["noclip"].error == "torch.clamp: At least one of 'min' or 'max' must not be None"
    assert listed(result["sum_keep"].value) == 12.0  # keepdim without dim is dropped
    assert listed(result["m"].grad) == [[1.0, 1.0], [1.0, 1.0]]


def test_same_tensor_in_two_ports_gets_a_share_per_wire() -> None:
    doc = graph([leaf("a", [3.0]), Node("sq", "mul")], [("a", "sq", 0), ("a", "sq", 1)],
                output="sq")
    result = evaluate_document(doc)
    assert listed(result.nodes["a"].grad) == [6.0]
    assert listed(result.edges[("sq", 0)].grad) == [3.0]
    assert listed(result.edges[("sq", 1)].grad) == [3.0]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_wire_gradients_sum_to_the_node_gradient(path: Path) -> None:
    # b1 and b2 of the mlp are broadcast: their wires must carry gradients of their own shape
    doc = load_document(path)
    result = evaluate_document(doc)
    for node in doc.nodes:
        full = result.nodes[node.id].full_grad
        if full is None or node.id == doc.output:
            continue
        outgoing = [g for e in doc.consumers_of(node.id)
                    if (g := result.edges[(e.dst, e.port)].grad) is not None]
        assert np.allclose(sum(outgoing), full, atol=1e-6), node.id
        assert all(g.shape == full.shape for g in outgoing)


def test_gradients_only_on_the_path_to_the_output() -> None:
    doc = load_document(ROOT / "resources/examples/logistic_neuron.cgraph")
    result = evaluate_document(doc)
    assert result.nodes["p"].full_grad is None and result.nodes["p"].grad is None
    assert result.edges[("p", 0)].grad is None  # z -> p: nothing flows back from p
    assert result.nodes["z"].full_grad.tolist() == pytest.approx([1 / (1 + np.exp(-1.3)) - 1],
                                                                 rel=1e-5)


def test_evaluation_never_imports_qt() -> None:
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "from app.evaluate import evaluate_document\n"
            "from app.fileio import load_document\n"
            "r = evaluate_document(load_document('resources/examples/mlp.cgraph'))\n"
            "print(r.nodes['loss'].error)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "None\n", "")


# ------------------------------------------------------------------------------ vs PyTorch
def _compare_node(node_id: str, a: Any, b: Any) -> None:
    for name in ("grad_fn", "is_leaf", "requires_grad", "shape", "dtype", "error",
                 "is_number", "blocked_by"):
        assert getattr(a, name) == getattr(b, name), (node_id, name)
    for name in ("value", "grad", "full_grad"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), (node_id, name)
        if x is not None:
            assert x.dtype == y.dtype and x.shape == y.shape, (node_id, name)
            np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6, err_msg=f"{node_id}.{name}")


def _compare(ours: EvalResult, theirs: EvalResult) -> None:
    assert ours.output == theirs.output
    assert ours.nodes.keys() == theirs.nodes.keys()
    for node_id, a in ours.nodes.items():
        b = theirs.nodes[node_id]
        _compare_node(node_id, a, b)
        # a module's parameter tensors (nn.Linear's weight and bias), each a leaf
        assert (a.state or {}).keys() == (b.state or {}).keys(), node_id
        for name, parameter in (a.state or {}).items():
            _compare_node(f"{node_id}.{name}", parameter, b.state[name])
    assert ours.edges.keys() == theirs.edges.keys()
    for key, edge in ours.edges.items():
        other = theirs.edges[key].grad
        assert (edge.grad is None) == (other is None), key
        if edge.grad is not None:
            np.testing.assert_allclose(edge.grad, other, rtol=1e-5, atol=1e-6, err_msg=str(key))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_matches_torch(path: Path) -> None:
    torch = import_torch()
    doc = load_document(path)
    ours = evaluate_document(doc, engine=cgengine)
    # the in-place example shows torch's error on the node that caused it: the same in both
    assert path.stem == "course_in_place" or all(
        r.error is None and r.blocked_by is None for r in ours.nodes.values())
    _compare(ours, evaluate_document(doc, engine=torch))


def test_error_graph_matches_torch() -> None:
    torch = import_torch()
    doc = graph(
        [leaf("p", [1.0, 2.0]), leaf("q", [1.0, 2.0, 3.0]), Node("bad", "mul"),
         Node("after", "exp"), Node("e", "exp"), leaf("i", [1], dtype="int64"),
         Node("unwired", "sub")],
        [("p", "bad", 0), ("q", "bad", 1), ("bad", "after", 0), ("p", "e", 0)],
        output="e",
    )
    ours, theirs = evaluate_document(doc), evaluate_document(doc, engine=torch)
    _compare(ours, theirs)
    assert ours.nodes["e"].error == "grad can be implicitly created only for scalar outputs"


def test_an_op_whose_result_would_be_huge_is_refused_on_its_node() -> None:
    from app.model import Node

    doc = GraphDocument()
    doc.add_node(Node("col", "tensor", "col", value=[[0.0]] * 10_000))
    doc.add_node(Node("row", "tensor", "row", value=[[0.0] * 10_000]))
    doc.add_node(Node("big", "add", "big"))
    doc.connect("col", "big", 0)
    doc.connect("row", "big", 1)
    result = evaluate_document(doc)
    assert result.nodes["big"].error == (
        "the result would have 100,000,000 elements (shape [10000, 10000]); the editor computes "
        "at most 10,000,000")
    assert result.nodes["col"].value.shape == (10_000, 1)  # the rest still computes
