"""The numeric gradient check (app/teach/gradcheck.py): finite differences against autograd."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.evaluate import evaluate_document
from app.fileio import load_document
from app.model import GraphDocument, Node
from app.teach import gradcheck
from app.teach.gradcheck import numeric_gradients
from tests.oracle import torch

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"


def lesson() -> GraphDocument:
    """y = (x + w) * (w + 1) with w = 1, x = 2: dy/dw = 5, dy/dx = 2."""
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", value=[1.0], requires_grad=True))
    doc.add_node(Node("x", "tensor", value=[2.0], requires_grad=True))
    doc.add_node(Node("one", "scalar", value=1))
    doc.add_node(Node("a", "add"))
    doc.add_node(Node("b", "add"))
    doc.add_node(Node("y", "mul"))
    for src, dst, port in [("w", "a", 0), ("x", "a", 1), ("w", "b", 0), ("one", "b", 1),
                           ("a", "y", 0), ("b", "y", 1)]:
        doc.connect(src, dst, port)
    doc.set_output("y")
    return doc


def chain(leaf_value, *ops: str, dtype: str = "float32", requires_grad: bool = True
          ) -> GraphDocument:
    """leaf -> ops[0] -> ops[1] -> ..., the last op being the output."""
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", value=leaf_value, dtype=dtype, requires_grad=requires_grad))
    previous = "w"
    for index, op in enumerate(ops):
        node_id = f"{op}{index}"
        doc.add_node(Node(node_id, op))
        doc.connect(previous, node_id, 0)
        previous = node_id
    doc.set_output(previous)
    return doc


def test_lesson_estimates_match_the_autograd_gradients():
    checks = numeric_gradients(lesson())
    assert set(checks) == {"w", "x"}
    w, x = checks["w"], checks["x"]
    assert abs(w.estimate[0] - 5.0) < 1e-3
    assert abs(x.estimate[0] - 2.0) < 1e-3
    assert w.autograd.tolist() == [5.0]
    assert x.autograd.tolist() == [2.0]
    assert w.ok and x.ok and w.checked
    assert w.max_abs_diff < 1e-6 and w.rel_error < 1e-6
    assert w.note == ""


def test_check_uses_the_given_evaluation_for_the_autograd_side():
    doc = lesson()
    result = evaluate_document(doc)
    result.nodes["w"].grad = np.array([4.0], dtype=np.float32)  # a deliberately wrong gradient
    check = numeric_gradients(doc, result=result)["w"]
    assert not check.ok
    assert check.max_abs_diff == pytest.approx(1.0, abs=1e-6)
    assert check.rel_error == pytest.approx(0.2, abs=1e-6)


def test_relu_at_its_kink_is_reported_as_differing():
    # relu'(0) is 0 in torch, but the central difference averages the slopes 0 and 1
    doc = chain([0.0, 1.0, -2.0], "relu", "sum")
    check = numeric_gradients(doc)["w"]
    assert check.autograd.tolist() == [0.0, 1.0, 0.0]
    np.testing.assert_allclose(check.estimate, [0.5, 1.0, 0.0], atol=1e-9)
    assert not check.ok
    assert check.max_abs_diff == pytest.approx(0.5, abs=1e-9)
    assert check.rel_error == pytest.approx(1.0)


@pytest.mark.parametrize("ops, value", [
    (("exp", "sum"), [0.5, -1.0, 2.0]),
    (("sigmoid", "mean"), [[0.5, -1.0], [3.0, 0.1]]),
    (("tanh", "sum"), [1.5]),
    (("log_softmax", "max"), [0.2, 0.9, -0.4]),
    (("sqrt", "sum"), [4.0, 0.25]),
])
def test_smooth_functions_agree(ops, value):
    check = numeric_gradients(chain(value, *ops))["w"]
    assert check.ok, (check.estimate, check.autograd)
    assert check.estimate.shape == np.shape(value)
    assert check.max_abs_diff < 1e-4


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.cgraph")), ids=lambda p: p.stem)
def test_every_example_passes_the_check(path):
    doc = load_document(path)
    checks = numeric_gradients(doc)
    for check in checks.values():
        assert check.ok or not check.checked, (path.stem, check)
    if path.stem == "lesson":
        assert len(checks) == 2


def test_torch_gradients_pass_the_same_check():
    doc = load_document(EXAMPLES / "mlp.cgraph")
    checks = numeric_gradients(doc, result=evaluate_document(doc, engine=torch))
    assert checks and all(check.ok for check in checks.values())


def test_estimate_is_computed_in_float64():
    # y = sum(w * w) at w = 300: in float32 the two nudged outputs (~90000) differ only in
    # their last digits and the estimate would be off by about 2; in float64 it is exact to 1e-6
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", value=[300.0], requires_grad=True))
    doc.add_node(Node("m", "mul"))
    doc.add_node(Node("s", "sum"))
    doc.connect("w", "m", 0)
    doc.connect("w", "m", 1)
    doc.connect("m", "s", 0)
    doc.set_output("s")
    check = numeric_gradients(doc)["w"]
    assert abs(check.estimate[0] - 600.0) < 1e-6
    assert check.ok


def test_the_document_is_left_unchanged():
    doc = lesson()
    before = doc.snapshot()
    emitted: list[object] = []
    doc.changed.connect(lambda: emitted.append(True))
    numeric_gradients(doc)
    assert doc.snapshot() == before
    assert emitted == []


def test_a_leaf_the_output_does_not_use_has_zero_gradient():
    doc = lesson()
    doc.add_node(Node("unused", "tensor", value=[3.0, 4.0], requires_grad=True))
    check = numeric_gradients(doc)["unused"]
    assert check.ok
    assert check.autograd.tolist() == [0.0, 0.0]
    assert check.estimate.tolist() == [0.0, 0.0]
    assert "None" in check.note


def test_leaves_without_requires_grad_are_not_checked():
    doc = lesson()
    doc.set_field("x", "requires_grad", False)
    assert set(numeric_gradients(doc)) == {"w"}


def test_a_large_leaf_is_skipped_with_a_note():
    size = gradcheck.MAX_LEAF_ELEMENTS + 1
    check = numeric_gradients(chain([1.0] * size, "sum"))["w"]
    assert not check.checked and not check.ok
    assert check.estimate is None
    assert check.note == f"{size} elements, more than {gradcheck.MAX_LEAF_ELEMENTS}"


def test_work_over_all_leaves_is_capped(monkeypatch):
    monkeypatch.setattr(gradcheck, "MAX_TOTAL_ELEMENTS", 3)
    doc = lesson()
    doc.add_node(Node("v", "tensor", value=[1.0, 2.0], requires_grad=True))
    checks = numeric_gradients(doc)
    assert checks["w"].checked and checks["x"].checked
    assert not checks["v"].checked
    assert checks["v"].note == "at most 3 elements are checked in all"


def test_a_non_scalar_output_is_explained_on_every_leaf():
    checks = numeric_gradients(chain([1.0, 2.0], "exp"))
    assert checks["w"].note == "backward() needs an output with one element"
    assert not checks["w"].checked


def test_no_output_means_no_check():
    doc = lesson()
    doc.set_output(None)
    assert numeric_gradients(doc) == {}


def test_a_python_number_output_is_explained():
    doc = lesson()
    doc.set_output("one")
    checks = numeric_gradients(doc)
    assert checks["w"].note == "the output is a python number, not a tensor"


def test_a_failing_graph_is_explained_not_raised():
    doc = lesson()
    doc.disconnect("y", 1)  # mul with an unwired input: the output has an error
    checks = numeric_gradients(doc)
    assert {c.note for c in checks.values()} == {"the output has no value"}


def test_an_output_that_is_not_finite_nearby_is_explained():
    # sqrt(0): the estimate needs sqrt(-eps), which is nan
    check = numeric_gradients(chain([0.0], "sqrt", "sum"))["w"]
    assert not check.checked
    assert check.note == "the output is not finite near this point"


def test_zero_dimensional_leaf():
    check = numeric_gradients(chain(3.0, "exp"))["w"]
    assert check.estimate.shape == ()
    assert check.estimate == pytest.approx(np.exp(3.0), rel=1e-6)
    assert check.ok


def test_an_infinite_gradient_is_a_difference_not_a_numpy_warning() -> None:
    # d(1/x)/dx at 1e-30 overflows float32 to -inf, while the float64 estimate stays finite;
    # numpy's error state is as numpy sets it (the app must not rely on a global "ignore")
    doc = GraphDocument()
    doc.add_node(Node("x", "tensor", "x", value=[1e-30], requires_grad=True))
    doc.add_node(Node("one", "scalar", "1", value=1))
    doc.add_node(Node("d", "div", "d"))
    doc.add_node(Node("t", "sum", "t"))
    doc.connect_many([("one", "d", 0), ("x", "d", 1), ("d", "t", 0)])
    doc.set_output("t")
    with np.errstate(all="warn"):
        check = numeric_gradients(doc)["x"]
    assert check.autograd.tolist() == [float("-inf")]
    assert np.isfinite(check.estimate).all()
    assert check.ok is False
