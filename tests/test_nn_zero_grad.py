"""A layer's weight.grad and bias.grad over the backward plan, as torch keeps them: they add up
over Backward again, and Zero Grad, ``net.zero_grad()``, ``optimizer.zero_grad()``,
``net.weight.grad.zero_()`` and ``net.weight.grad = None`` zero them (or set them to None), in
the evaluator, the window, code import and export, the file and ``--eval --json``.

The graph is ``loss = (net(x) * w).sum()`` with ``net = nn.Linear(2, 1)`` and x's rows summing
to [4., 1.], so one pass gives weight.grad = w · [4., 1.] = [[2., 0.5]] and bias.grad = 2 · w =
[1.] (two rows), whatever the layer's seeded weights; w.grad is the sum of the layer's output.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_cli import main
from test_codeio_export import printed_grads, run_script
from windows import open_window, settle

from app.codeio import CodeImportError, export_code, graph_differences, import_code
from app.evaluate import evaluate_document
from app.evaluate.modules import initial_state
from app.fileio import FileFormatError, dumps_document, loads_document
from app.model import GraphDocument, InvalidValueError, Node
from app.model.backward_plan import BackwardPlan, BackwardStep
from app.paths import EXAMPLES_DIR
from app.registry import NODE_TYPES

ONE_PASS = {"weight": [[2.0, 0.5]], "bias": [1.0]}

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def layer_graph(*steps: BackwardStep) -> GraphDocument:
    """loss = (net(x) * w).sum(), backward as ``steps`` say (one pass without them)."""
    doc = GraphDocument()
    params = {"in_features": 2, "out_features": 1, "seed": 3}
    doc.add_node(Node("x", "tensor", "x", value=[[1.0, 2.0], [3.0, -1.0]]))
    doc.add_node(Node("w", "tensor", "w", value=[0.5], requires_grad=True))
    doc.add_node(Node("net", "Linear", "z", params=params,
                      state=initial_state(NODE_TYPES["Linear"], params), module_name="net"))
    doc.add_node(Node("m", "mul", "m"))
    doc.add_node(Node("loss", "sum", "loss"))
    doc.connect_many([("x", "net", 0), ("net", "m", 0), ("w", "m", 1), ("m", "loss", 0)])
    doc.set_output("loss")
    if steps:
        doc.set_backward(BackwardPlan(steps=steps))
    return doc


def grads(result: Any) -> dict[str, Any]:
    """weight.grad, bias.grad and w.grad as lists (None where torch has None)."""
    state = result.nodes["net"].state
    listed = {name: None if tensor.grad is None else tensor.grad.tolist()
              for name, tensor in state.items()}
    w = result.nodes["w"].grad
    return {**listed, "w": None if w is None else w.tolist()}


def both(doc: GraphDocument) -> Any:
    """The evaluation on cgengine, checked against the same evaluation on torch."""
    from test_evaluate import _compare

    from tests.oracle import torch

    ours = evaluate_document(doc)
    _compare(ours, evaluate_document(doc, engine=torch))
    return ours


AGAIN = BackwardStep(retain_graph=True)
WEIGHT, BIAS = ("net", "weight"), ("net", "bias")


# ------------------------------------------------------------------------ the evaluator
def test_the_layers_grads_add_up_over_passes_with_known_numbers() -> None:
    one = evaluate_document(layer_graph())
    single = grads(one)
    assert single["weight"] == ONE_PASS["weight"] and single["bias"] == ONE_PASS["bias"]
    three = grads(evaluate_document(layer_graph(AGAIN, AGAIN, BackwardStep())))
    assert three["weight"] == [[6.0, 1.5]] and three["bias"] == [3.0]
    assert three["w"] == pytest.approx([3 * single["w"][0]])


def test_a_parameters_full_grad_is_what_the_last_pass_added_as_for_a_leaf(
        torch_oracle) -> None:
    result = both(layer_graph(AGAIN, AGAIN, BackwardStep("zero_grad", parameters=(BIAS,)),
                              BackwardStep()))
    state = result.nodes["net"].state
    assert state["weight"].grad.tolist() == [[6.0, 1.5]]
    assert state["weight"].full_grad.tolist() == [[2.0, 0.5]]
    assert state["bias"].grad.tolist() == [1.0] and state["bias"].full_grad.tolist() == [1.0]
    assert result.nodes["w"].full_grad.tolist() == pytest.approx(
        [result.nodes["w"].grad.item() / 3])


def test_zeroing_the_layers_grads_between_passes_is_torchs(torch_oracle) -> None:
    zeroed = both(layer_graph(AGAIN, AGAIN, BackwardStep("zero_grad", parameters=(WEIGHT, BIAS)),
                              BackwardStep()))
    assert grads(zeroed)["weight"] == [[2.0, 0.5]] and grads(zeroed)["bias"] == [1.0]
    to_none = both(layer_graph(AGAIN, BackwardStep("zero_grad", nodes=("w",),
                                                   parameters=(WEIGHT,), set_to_none=True)))
    assert grads(to_none) == {"weight": None, "bias": [1.0], "w": None}
    one_then_zero = both(layer_graph(BackwardStep(), BackwardStep("zero_grad",
                                                                  parameters=(BIAS,))))
    assert grads(one_then_zero)["bias"] == [0.0] and grads(one_then_zero)["weight"] == [[2.0,
                                                                                         0.5]]


def test_zero_on_a_layers_grad_that_is_none_is_pythons_error() -> None:
    doc = layer_graph(BackwardStep(), BackwardStep("zero_grad", parameters=(WEIGHT,),
                                                   set_to_none=True),
                      BackwardStep("zero_grad", parameters=(WEIGHT,)))
    result = evaluate_document(doc)
    assert result.nodes["net"].error == "'NoneType' object has no attribute 'zero_'"


def test_the_plan_names_only_parameters_a_layer_has() -> None:
    doc = layer_graph()
    for bad, words in (((("x", "weight"),), "'x' is a tensor node, which holds no parameter"),
                       ((("net", "scale"),), "nn.Linear has no parameter 'scale'"),
                       ((("gone", "weight"),), "no node with id 'gone'"),
                       ((WEIGHT, WEIGHT), "a parameter is named twice")):
        with pytest.raises(InvalidValueError, match=words):
            doc.set_backward(BackwardPlan(steps=(BackwardStep(),
                                                 BackwardStep("zero_grad", parameters=bad))))
    plan = BackwardPlan(steps=(AGAIN, BackwardStep("zero_grad", nodes=("w",),
                                                   parameters=(WEIGHT, BIAS)), BackwardStep()))
    doc.set_backward(plan)
    assert plan.without_nodes({"net"}).steps[1] == BackwardStep("zero_grad", nodes=("w",))
    assert plan.without_nodes({"net", "w"}).steps == (AGAIN, BackwardStep())


def test_the_file_keeps_the_zeroed_parameters() -> None:
    doc = layer_graph(AGAIN, BackwardStep("zero_grad", parameters=(WEIGHT, BIAS),
                                          set_to_none=True), BackwardStep())
    text = dumps_document(doc)
    assert json.loads(text)["backward"]["steps"][1] == {
        "step": "zero_grad", "nodes": [], "parameters": [["net", "weight"], ["net", "bias"]],
        "set_to_none": True}
    assert loads_document(text).backward == doc.backward
    # a plan zeroing tensors only is written as before
    doc.set_backward(BackwardPlan(steps=(AGAIN, BackwardStep("zero_grad", nodes=("w",)))))
    assert "parameters" not in json.loads(dumps_document(doc))["backward"]["steps"][1]
    # a file naming what no layer holds is refused by name
    data = json.loads(text)
    for parameters, words in (([["net"]], "expected [node id, parameter name]"),
                              ([["x", "weight"]], "'x' is a tensor node"),
                              ([["net", 3]], "expected a string")):
        data["backward"]["steps"][1]["parameters"] = parameters
        with pytest.raises(FileFormatError, match=re.escape(words)):
            loads_document(json.dumps(data))


def test_eval_json_shows_the_layers_grads_of_the_plan(tmp_path: Path) -> None:
    doc = layer_graph(AGAIN, AGAIN, BackwardStep("zero_grad", parameters=(WEIGHT,)),
                      BackwardStep())
    path = tmp_path / "zeroed.cgraph"
    path.write_text(dumps_document(doc), encoding="utf-8")
    done = main("--eval", str(path), "--json")
    assert (done.returncode, done.stderr) == (0, "")
    printed = json.loads(done.stdout)
    state = printed["nodes"]["net"]["state"]
    assert state["weight"]["grad"] == [[2.0, 0.5]]  # zeroed, then one pass
    assert state["bias"]["grad"] == [3.0]  # three passes
    assert printed["backward_passes"] == 3
    expected = grads(evaluate_document(doc))
    assert printed["nodes"]["w"]["grad"] == expected["w"]


# ------------------------------------------------------------------------ the window
def test_backward_again_and_zero_grad_in_the_window_reach_the_layer(qtbot,
                                                                    tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path, EXAMPLES_DIR / "logistic_regression.cgraph")
    controller = window.controller

    def weight_grad() -> Any:
        grad = controller.result.nodes["features"].state["weight"].grad
        return None if grad is None else np.asarray(grad)

    single = weight_grad()
    bias = controller.result.nodes["features"].state["bias"].grad.copy()
    window.menu_actions["backward_again"].trigger()
    settle(qtbot, window)
    np.testing.assert_allclose(weight_grad(), 2 * single, rtol=1e-6)
    window.menu_actions["backward_again"].trigger()
    settle(qtbot, window)
    np.testing.assert_allclose(weight_grad(), 3 * single, rtol=1e-6)
    window.menu_actions["zero_grad"].trigger()
    settle(qtbot, window)
    assert weight_grad().tolist() == [[0.0, 0.0]]
    assert controller.result.nodes["features"].state["bias"].grad.tolist() == [0.0]
    item = window.scene.nodes["features"]
    item.settle()
    assert ("weight.grad [[0., 0.]]", "param_grad") in item.number_lines()
    window.menu_actions["backward_again"].trigger()
    settle(qtbot, window)
    np.testing.assert_allclose(weight_grad(), single, rtol=1e-6)
    np.testing.assert_allclose(controller.result.nodes["features"].state["bias"].grad, bias,
                               rtol=1e-6)
    # set to None, as optimizer.zero_grad() does
    assert controller.program.zero_grad(set_to_none=True)
    settle(qtbot, window)
    assert weight_grad() is None
    step = controller.document.backward.steps[-1]
    assert step.set_to_none and step.parameters == (("features", "weight"), ("features", "bias"))


def test_expand_zeroes_the_leaves_that_hold_the_weights_and_undo_puts_the_plan_back(
        qtbot) -> None:
    from app.controller import DocumentController

    controller = DocumentController()
    doc = layer_graph(AGAIN, BackwardStep("zero_grad", parameters=(WEIGHT,)), BackwardStep())
    controller.replace_document(doc)
    before = grads(controller.evaluate_now())
    assert before["weight"] == [[2.0, 0.5]] and before["bias"] == [2.0]
    plan = doc.backward
    assert controller.expand("net")
    leaves = {node.label: node.id for node in doc.nodes if node.type == "tensor"}
    assert doc.backward.steps[1] == BackwardStep("zero_grad", nodes=(leaves["W"],))
    result = controller.evaluate_now()
    assert result.nodes[leaves["W"]].grad.tolist() == before["weight"]
    assert result.nodes[leaves["b"]].grad.tolist() == before["bias"]
    controller.undo_stack.undo()
    assert doc.node("net").type == "Linear" and doc.backward == plan
    # deleting the layer drops its zeroing; undo puts it back
    controller.remove(["net"])
    assert doc.backward.steps == (AGAIN, BackwardStep())
    controller.undo_stack.undo()
    assert doc.backward == plan
    qtbot.waitUntil(lambda: not controller.evaluation_pending, timeout=3000)


# ------------------------------------------------------------------------ code in and out
SCRIPT = textwrap.dedent('''\
    import torch
    import torch.nn as nn

    x = torch.tensor([[1., 2.], [3., -1.]])
    w = torch.tensor([0.5], requires_grad=True)
    torch.manual_seed(3)
    net = nn.Linear(2, 1)
    optimizer = torch.optim.SGD([w, net.weight], lr=0.1)
    z = net(x)
    m = z * w
    loss = m.sum()
    loss.backward(retain_graph=True)
    loss.backward(retain_graph=True)
    net.zero_grad()
    loss.backward(retain_graph=True)
    net.weight.grad.zero_()
    loss.backward(retain_graph=True)
    optimizer.zero_grad()
    loss.backward(retain_graph=True)
    net.bias.grad = None
    loss.backward(retain_graph=True)
    optimizer.zero_grad(set_to_none=False)
    ''')


def torch_grads(torch_oracle: Any, code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(code, "<script>", "exec"), namespace)  # the test's own code, on torch
    net = namespace["net"]
    return {"weight": None if net.weight.grad is None else net.weight.grad.tolist(),
            "bias": None if net.bias.grad is None else net.bias.grad.tolist(),
            "w": None if namespace["w"].grad is None else namespace["w"].grad.tolist()}


def imported_grads(result: Any) -> dict[str, Any]:
    return {"weight": result.nodes["z"].state["weight"].grad.tolist(),
            "bias": result.nodes["z"].state["bias"].grad.tolist(),
            "w": result.nodes["w"].grad.tolist()}


def test_zeroing_calls_import_as_the_plan() -> None:
    doc = import_code(SCRIPT)
    steps = doc.backward.steps
    layer = doc.node("z")
    assert layer.spec.name == "Linear"
    weight, bias = ("z", "weight"), ("z", "bias")
    assert [s for s in steps if s.kind == "zero_grad"] == [
        BackwardStep("zero_grad", parameters=(weight, bias), set_to_none=True),
        BackwardStep("zero_grad", parameters=(weight,)),
        BackwardStep("zero_grad", nodes=("w",), parameters=(weight,), set_to_none=True),
        BackwardStep("zero_grad", parameters=(bias,), set_to_none=True),
        # set_to_none=False zeroes only the grads there are (not the bias's, set to None)
        BackwardStep("zero_grad", nodes=("w",), parameters=(weight,)),
    ]
    assert doc.backward.passes == 6
    assert not any(note.id.startswith("training_note") for note in doc.notes)
    # zeroed last; the bias set to None, then one pass; w zeroed last
    assert imported_grads(evaluate_document(doc)) == {"weight": [[0.0, 0.0]], "bias": [1.0],
                                                      "w": [0.0]}


def test_the_imported_plan_gives_torchs_numbers(torch_oracle) -> None:
    ours = imported_grads(both(import_code(SCRIPT)))
    expected = torch_grads(torch_oracle, SCRIPT)
    for name in ("weight", "bias", "w"):
        np.testing.assert_allclose(ours[name], expected[name], rtol=1e-6)


def test_the_training_loops_zero_grad_stays_the_docks() -> None:
    doc = import_code(textwrap.dedent('''\
        import torch
        x = torch.ones(2, 2)
        net = torch.nn.Linear(2, 1)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        optimizer.zero_grad()
        loss = net(x).sum()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        '''))
    assert doc.backward.is_default
    note = next(note for note in doc.notes if note.id.startswith("training_note"))
    assert note.text.startswith("optimizer.zero_grad() (line 5), optimizer.step() (line 8), "
                                "optimizer.zero_grad() (line 9)")


@pytest.mark.parametrize(("code", "message"), [
    ("net.weight.grad.zero_()\n", "before backward() net.weight.grad is None"),
    ("loss.backward()\nnet.scale.grad = None\n", "net has no parameter 'scale'"),
    ("loss.backward()\nother.weight.grad.zero_()\n",
     "other.weight.grad is None: other is not called"),
    ("loss.backward()\nnet.zero_grad(set_to_none=1)\n", "set_to_none must be True or False"),
])
def test_zeroing_what_has_no_grad_is_refused(code: str, message: str) -> None:
    header = ("import torch\nx = torch.ones(2, 2)\nnet = torch.nn.Linear(2, 1)\n"
              "other = torch.nn.Linear(2, 1)\nloss = net(x).sum()\n")
    with pytest.raises(CodeImportError) as refusal:
        import_code(header + code)
    assert message in refusal.value.message


@pytest.mark.parametrize("engine", ["cgengine", "torch"])
def test_the_exported_plan_gives_the_same_numbers_and_comes_back(engine: str, tmp_path: Path,
                                                                  request) -> None:
    if engine == "torch":
        request.getfixturevalue("torch_oracle")
    doc = import_code(SCRIPT)
    code = export_code(doc)
    assert ("loss.backward(retain_graph=True)\nnet.weight.grad = None\nnet.bias.grad = None\n"
            "loss.backward(retain_graph=True)\nnet.weight.grad.zero_()\n") in code
    assert "w.grad = None\nnet.weight.grad = None\n" in code
    result = evaluate_document(doc)
    expected = {"net.weight": result.nodes["z"].state["weight"].grad,
                "net.bias": result.nodes["z"].state["bias"].grad, "w": result.nodes["w"].grad}
    printed = printed_grads(run_script(code, tmp_path, engine))
    for name, grad in expected.items():
        np.testing.assert_allclose(printed[name], np.ravel(grad), rtol=1e-5, atol=1e-6)
    again = import_code(code)
    assert graph_differences(doc, again) == []
    assert again.backward.steps == doc.backward.steps
