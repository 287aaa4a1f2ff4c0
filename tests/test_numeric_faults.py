"""Numeric faults show on their node and nowhere else: nan and inf print as torch prints them,
log of a negative number and overflow give nan/inf with a warning while the rest of the graph
computes, shape errors stay on their node, no numpy warning escapes, and float32/float64 are
chosen per tensor as torch promotes them."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from app.canvas import GraphScene
from app.controller import DocumentController
from app.evaluate import evaluate_document
from tests.oracle import torch


@pytest.fixture
def canvas(qtbot):
    """A controller and the scene that mirrors it (the cards a student sees)."""
    controller = DocumentController()
    return controller, GraphScene(controller)


def leaf(controller: DocumentController, label: str, value, **fields) -> str:
    fields.setdefault("requires_grad", True)
    return controller.add_node("tensor", (0, 0), label=label, value=value, **fields)


def op(controller: DocumentController, type_name: str, label: str, *inputs: str) -> str:
    node_id = controller.add_node(type_name, (300, 0), label=label)
    for port, src in enumerate(inputs):
        assert controller.connect(src, node_id, port)
    return node_id


def test_nan_and_inf_values_print_as_torch_prints_them(canvas):
    controller, scene = canvas
    n = leaf(controller, "n", [math.nan])
    i = leaf(controller, "i", [math.inf, -math.inf])
    x = leaf(controller, "x", [2.0])
    y = op(controller, "mul", "y", n, x)
    controller.set_output(y)
    controller.evaluate_now()
    assert scene.nodes[n].value_text() == "value [nan]"
    assert scene.nodes[i].value_text() == "value [inf, -inf]"
    assert scene.nodes[y].value_text() == "value [nan]"
    assert scene.nodes[x].grad_text() == "grad [nan]"  # dy/dx = n
    assert scene.nodes[n].grad_text() == "grad [2.]"
    assert scene.nodes[i].grad_text() == "grad None"  # not on the path to the output
    assert scene.nodes[y].error_text() == ""


def test_a_large_tensor_with_nan_and_inf_summarises_its_finite_elements(canvas):
    controller, scene = canvas
    big = leaf(controller, "big", [math.nan, 1.0, -3.0, 2.5, math.inf])
    only_nan = leaf(controller, "only_nan", [math.nan] * 4)
    controller.evaluate_now()
    assert scene.nodes[big].value_text() == "value shape (5,)\nmin -3 · max 2.5"
    assert scene.nodes[only_nan].value_text() == "value shape (4,)\nno finite elements"


def test_log_of_a_negative_number_is_nan_with_a_warning_and_downstream_still_computes(canvas):
    controller, scene = canvas
    x = leaf(controller, "x", [-1.0, 4.0])
    logged = op(controller, "log", "l", x)
    one = controller.add_node("scalar", (300, 200), label="one", value=1)
    shifted = op(controller, "add", "s", logged, one)
    total = op(controller, "sum", "total", shifted)
    controller.set_output(total)
    result = controller.evaluate_now()
    assert scene.nodes[logged].value_text() == "value [   nan, 1.3863]"
    assert scene.nodes[logged].warning_text() == (
        "log of a negative number is nan, and log(0) is -inf")
    assert scene.nodes[logged].error_text() == ""
    # the nan flows on like any number: no error, no second warning downstream
    assert scene.nodes[shifted].value_text() == "value [   nan, 2.3863]"
    assert scene.nodes[shifted].warning_text() == ""
    assert scene.nodes[total].value_text() == "value nan"
    assert scene.nodes[total].grad_fn_text() == "grad_fn SumBackward0"
    # d(total)/dx = 1/x: torch gives -1 for the negative element, log's rule does not see nan
    np.testing.assert_array_equal(result.nodes[x].grad, np.array([-1.0, 0.25], np.float32))


def test_exp_of_a_large_number_overflows_to_inf(canvas):
    controller, scene = canvas
    x = leaf(controller, "x", [1000.0])
    e = op(controller, "exp", "e", x)
    controller.set_output(e)
    controller.evaluate_now()
    assert scene.nodes[e].value_text() == "value [inf]"
    assert scene.nodes[e].warning_text() == "exp of a large number overflows to inf"
    assert scene.nodes[x].grad_text() == "grad [inf]"
    controller.set_field(x, "dtype", "float64")  # exp(1000) overflows float64 too
    controller.evaluate_now()
    assert scene.nodes[e].value_text() == "value [inf]"


def test_a_shape_error_stays_on_its_node(canvas):
    controller, scene = canvas
    a = leaf(controller, "a", [1.0, 2.0])
    b = leaf(controller, "b", [1.0, 2.0, 3.0])
    bad = op(controller, "add", "bad", a, b)
    after = op(controller, "mul", "after", bad, a)
    fine = op(controller, "mul", "fine", a, a)
    total = op(controller, "sum", "total", fine)
    controller.set_output(total)
    controller.evaluate_now()
    assert scene.nodes[bad].error_text() == (
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton "
        "dimension 0")
    assert scene.nodes[bad].value_text() == "value —"
    assert scene.nodes[after].error_text() == ""
    assert scene.nodes[after].warning_text() == f"no value: {bad} has an error"
    assert scene.nodes[fine].value_text() == "value [1., 4.]"
    assert scene.nodes[a].grad_text() == "grad [2., 4.]"


def test_no_numpy_or_engine_warning_escapes_an_evaluation_or_the_card_texts(canvas):
    controller, scene = canvas
    zero = leaf(controller, "zero", [0.0, -0.0, -2.0])
    items = [op(controller, kind, kind, zero) for kind in ("log", "sqrt", "exp")]
    div = op(controller, "div", "div", zero, zero)
    power = controller.add_node("pow", (600, 0), label="pow")
    assert controller.connect(zero, power, 0)
    assert controller.set_param(power, "exponent", -0.5)
    total = op(controller, "sum", "total", div)
    controller.set_output(total)
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        controller.evaluate_now()
        texts = [scene.nodes[node_id].value_text() + scene.nodes[node_id].grad_text()
                 for node_id in [*items, div, power, total, zero]]
    assert [str(w.message) for w in caught] == []
    assert texts[0] == "value [-inf, -inf, nan]grad None"
    assert scene.nodes[div].value_text() == "value [nan, nan, 1.]"
    # 0 ** -0.5 is inf and (-2) ** -0.5 is nan (the sign of (-0.) ** -0.5 is left out: torch
    # says -inf, IEEE pow says inf)
    np.testing.assert_array_equal(controller.result.nodes[power].value[[0, 2]],
                                  np.array([np.inf, np.nan], np.float32))


def test_float32_and_float64_are_chosen_per_tensor_as_torch_promotes_them(canvas):
    controller, scene = canvas
    w = leaf(controller, "w", [1.0], dtype="float64")
    x = leaf(controller, "x", [2.0])
    y = op(controller, "add", "y", w, x)
    controller.set_output(y)
    result = controller.evaluate_now()
    assert (result.nodes[w].dtype, result.nodes[x].dtype, result.nodes[y].dtype) == (
        "float64", "float32", "float64")
    assert result.nodes[w].grad.dtype == np.float64
    assert result.nodes[x].grad.dtype == np.float32  # a gradient has its tensor's dtype
    # the card's output tooltip is where the canvas shows the dtype
    assert "shape (1,) · float64" in scene.port_tooltip(y, ("out", 0))
    assert "shape (1,) · float32" in scene.port_tooltip(x, ("out", 0))
    oracle = evaluate_document(controller.document, engine=torch)
    assert [oracle.nodes[n].dtype for n in (w, x, y)] == ["float64", "float32", "float64"]
    controller.set_field(w, "dtype", "float32")
    assert controller.evaluate_now().nodes[y].dtype == "float32"
