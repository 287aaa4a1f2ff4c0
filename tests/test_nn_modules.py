"""torch.nn modules as nodes: seeded weights as torch draws them, the rules a module node
follows (in the editor and in a file), and its numbers, weight.grad included, against torch."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.evaluate import evaluate_document
from app.evaluate.modules import initial_state
from app.fileio import FileFormatError, dumps_document, loads_document
from app.model import GraphDocument, InvalidValueError, Node
from app.model.rules import check_optimizer
from app.registry import NODE_TYPES
from tests.oracle import torch

LINEAR = NODE_TYPES["Linear"]


def linear_graph(seed: int = 1, bias: bool = True) -> GraphDocument:
    """x (3 x 2) -> Linear(2, 1) -> Sigmoid -> BCELoss against t: the course's neuron."""
    doc = GraphDocument()
    params = {"in_features": 2, "out_features": 1, "bias": bias, "seed": seed}
    doc.add_node(Node("x", "tensor", "x", value=[[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]]))
    doc.add_node(Node("net", "Linear", "z", params=params, state=initial_state(LINEAR, params),
                      module_name="net"))
    doc.add_node(Node("p", "Sigmoid", "p"))
    doc.add_node(Node("t", "tensor", "t", value=[[1.0], [0.0], [1.0]]))
    doc.add_node(Node("loss", "BCELoss", "loss", module_name="loss_fn"))
    doc.connect_many([("x", "net", 0), ("net", "p", 0), ("p", "loss", 0), ("t", "loss", 1)])
    doc.set_output("loss")
    return doc


# ------------------------------------------------------------------------ seeded weights
@pytest.mark.parametrize("sizes", [(2, 1, True), (3, 4, False), (7, 5, True), (1, 1, True)])
@pytest.mark.parametrize("seed", [0, 1, 10, 2**40])
def test_a_layer_starts_with_torchs_weights_after_manual_seed(sizes, seed) -> None:
    in_features, out_features, bias = sizes
    torch.manual_seed(seed)
    layer = torch.nn.Linear(in_features, out_features, bias=bias)
    params = {"in_features": in_features, "out_features": out_features, "bias": bias,
              "seed": seed}
    state = initial_state(LINEAR, params)
    assert state["weight"] == layer.weight.tolist()
    assert state.get("bias") == (layer.bias.tolist() if bias else None)


def test_one_generator_continues_the_stream_across_layers() -> None:
    from cgengine.random import Generator

    torch.manual_seed(5)
    first, second = torch.nn.Linear(2, 3), torch.nn.Linear(3, 1)
    generator = Generator().manual_seed(5)
    ours = [initial_state(LINEAR, {"in_features": 2, "out_features": 3}, generator),
            initial_state(LINEAR, {"in_features": 3, "out_features": 1}, generator)]
    assert ours[0]["weight"] == first.weight.tolist()
    assert ours[1]["weight"] == second.weight.tolist()
    assert ours[1]["bias"] == second.bias.tolist()


# ------------------------------------------------------------------------ evaluation
def test_the_neuron_gives_torchs_numbers_and_grads() -> None:
    doc = linear_graph()
    result = evaluate_document(doc)
    torch.manual_seed(1)
    net = torch.nn.Linear(2, 1)
    x = torch.tensor(doc.node("x").value)
    loss = torch.nn.BCELoss()(torch.nn.Sigmoid()(net(x)), torch.tensor(doc.node("t").value))
    loss.backward()
    assert result.nodes["loss"].value.item() == pytest.approx(loss.item(), rel=1e-6)
    assert result.nodes["net"].grad_fn == "AddmmBackward0"
    assert result.nodes["loss"].grad_fn == "BinaryCrossEntropyBackward0"
    weight, bias = result.nodes["net"].state["weight"], result.nodes["net"].state["bias"]
    assert weight.is_leaf and weight.requires_grad and weight.shape == (1, 2)
    np.testing.assert_allclose(weight.grad, net.weight.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(bias.grad, net.bias.grad.numpy(), rtol=1e-6)
    # the recorded graph names the layer for its AddmmBackward0 and both AccumulateGrads
    owners = [(node.name, node.node_id) for node in result.autograd]
    assert owners.count(("AccumulateGrad", "net")) == 2
    assert ("AddmmBackward0", "net") in owners
    assert result.backward_order == ["loss", "p", "net"]


def test_a_layer_without_bias_has_only_a_weight() -> None:
    result = evaluate_document(linear_graph(bias=False))
    assert list(result.nodes["net"].state) == ["weight"]
    assert result.nodes["net"].grad_fn == "MmBackward0"


def test_a_layer_too_large_for_the_editor_is_refused_on_its_node() -> None:
    doc = GraphDocument()
    params = {"in_features": 1, "out_features": 1000, "seed": 0}
    doc.add_node(Node("x", "tensor", "x", value=[[1.0]] * 20000))
    doc.add_node(Node("net", "Linear", "net", params=params,
                      state=initial_state(LINEAR, params)))
    doc.connect("x", "net", 0)
    error = evaluate_document(doc).nodes["net"].error
    assert error == ("the result would have 20,000,000 elements (shape [20000, 1000]); the "
                     "editor computes at most 10,000,000")


# ------------------------------------------------------------------------ rules
def test_the_state_must_fit_the_sizes() -> None:
    doc = linear_graph()
    with pytest.raises(InvalidValueError, match=r"state.weight: expected shape \[1, 2\] "
                                                r"\(out_features, in_features\), got \[2\]"):
        doc.set_field("net", "state", {"weight": [1.0, 2.0], "bias": [0.0]})
    with pytest.raises(InvalidValueError, match="state: missing 'bias'"):
        doc.set_field("net", "state", {"weight": [[1.0, 2.0]]})
    with pytest.raises(InvalidValueError, match="holds no 'gamma'"):
        doc.set_field("net", "state", {"weight": [[1.0, 2.0]], "bias": [0.0], "gamma": [1.0]})
    # sizes change only together with the weights (the controller draws new ones)
    with pytest.raises(InvalidValueError, match=r"in_features \(the state\).weight: expected "
                                                r"shape \[1, 3\]"):
        doc.set_param("net", "in_features", 3)
    with pytest.raises(InvalidValueError, match="expected an integer >= 1, got 0"):
        doc.set_param("net", "out_features", 0)
    with pytest.raises(InvalidValueError, match="a Sigmoid node has no parameter tensors"):
        doc.set_field("p", "state", {})
    with pytest.raises(InvalidValueError, match="expected one of 'mean', 'sum', 'none'"):
        doc.set_param("loss", "reduction", "max")
    doc.set_field("net", "state", {"weight": [[0.5, -0.5]], "bias": [float("nan")]})
    assert doc.node("net").state["weight"] == [[0.5, -0.5]]


def test_optimizer_settings_are_checked_and_completed() -> None:
    assert check_optimizer({"name": "SGD", "lr": 0.01, "momentum": 0.9}) == {
        "name": "SGD", "lr": 0.01, "momentum": 0.9, "weight_decay": 0.0}
    assert check_optimizer({"name": "Adam"})["betas"] == [0.9, 0.999]
    for settings, message in [
            ({"name": "RMSprop"}, "optimizer.name: expected one of 'SGD', 'Adam', got 'RMSprop'"),
            ({"name": "SGD", "lr": 0}, "optimizer.lr: expected a number > 0, got 0"),
            ({"name": "SGD", "betas": [0.9, 0.99]}, "SGD has no setting 'betas'"),
            ({"name": "Adam", "betas": [0.9, 1.0]}, r"betas\[1\]: expected a number in \[0, 1\)"),
            ({"name": "SGD", "momentum": float("inf")}, "expected a finite number")]:
        with pytest.raises(InvalidValueError, match=message):
            check_optimizer(settings)


# ------------------------------------------------------------------------ files
def test_a_module_graph_and_its_optimizer_round_trip_through_a_file() -> None:
    doc = linear_graph()
    doc.set_optimizer({"name": "SGD", "lr": 0.01, "momentum": 0.9})
    text = dumps_document(doc)
    assert '"module_name": "net", "state": {"weight": [[' in text
    assert '"optimizer": {"name": "SGD", "lr": 0.01, "momentum": 0.9, "weight_decay": 0.0}' in text
    again = loads_document(text)
    assert again.snapshot() == doc.snapshot()
    assert dumps_document(again) == text


def _file(change) -> str:
    data = json.loads(dumps_document(linear_graph()))
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["nodes"][1].pop("state"),
     "nodes[1] (id 'net'): missing field 'state' (the values of the module's parameters)"),
    (lambda d: d["nodes"][1]["state"].update(weight=[[1.0, 2.0, 3.0]]),
     r"nodes[1] (id 'net').state.weight: expected shape [1, 2] (out_features, in_features), "
     "got [1, 3]"),
    (lambda d: d["nodes"][1]["state"].update(weight=[[1.0], [2.0, 3.0]]),
     "nodes[1] (id 'net').state.weight[1]: expected 1 entries like the rows before, got 2"),
    (lambda d: d["nodes"][1]["state"].update(bias=["x"]),
     "nodes[1] (id 'net').state.bias[0]: expected a number, got 'x'"),
    (lambda d: d["nodes"][1]["params"].update(bias=False),
     "nodes[1] (id 'net').state: a Linear with these parameters holds no 'bias'"),
    (lambda d: d["nodes"][1]["params"].update(in_features=10**7),
     "nodes[1] (id 'net').state.weight: at most 1,000,000 elements"),
    (lambda d: d["nodes"][2].update(state={}),
     "nodes[2] (id 'p'): unknown field 'state' for a Sigmoid node"),
    (lambda d: d["nodes"][0].update(module_name="x"),
     "nodes[0] (id 'x'): unknown field 'module_name' for a tensor node"),
    (lambda d: d["nodes"][4].update(module_name=3),
     "nodes[4] (id 'loss').module_name: expected a string, got 3"),
    (lambda d: d["nodes"][4]["params"].update(reduction="max"),
     "nodes[4] (id 'loss').params.reduction: expected one of 'mean', 'sum', 'none', got 'max'"),
    (lambda d: d.update(optimizer={"name": "SGD", "lr": "fast"}),
     "optimizer.lr: expected a number, got 'fast'"),
    (lambda d: d.update(optimizer=[0.01]), "optimizer: expected an object, got a list"),
])
def test_the_loader_checks_the_new_fields(change, message: str) -> None:
    with pytest.raises(FileFormatError) as refusal:
        loads_document(_file(change))
    assert str(refusal.value).startswith(message)


def test_a_version_1_file_still_opens() -> None:
    doc = loads_document('{"format": "cgstudio.graph", "version": 1, "nodes": [{"id": "w", '
                         '"type": "tensor", "value": [1.0]}]}')
    assert doc.node("w").value == [1.0] and doc.optimizer is None
