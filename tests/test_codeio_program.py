"""The autograd class as code: import its listings, export the graphs, run the scripts on torch.

Each listing is imported (never run), evaluated by the editor, exported, and the exported script
is run on torch and on cgengine: the numbers it prints must be the editor's, and importing the
export must give back the same graph.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_codeio_export import documents, run_script

from app.codeio import (
    CodeImportError,
    export_code,
    graph_differences,
    import_code,
    variable_names,
)
from app.codeio.importer import _Importer
from app.evaluate import evaluate_document
from app.model import GraphDocument, Node
from app.model.backward_plan import BackwardStep
from app.model.control_flow import TensorVersions, execution_order
from tests.oracle import import_torch

WEIGHTED = """\
import torch
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y0 = torch.mul(a, b)
y1 = torch.add(a, b)
loss = torch.cat([y0, y1], dim=0)
grad_tensors = torch.tensor([1., 2.])
loss.backward(gradient=grad_tensors)
print(w.grad)
"""

SECOND_DERIVATIVE = """\
import torch
x = torch.tensor([3.], requires_grad=True)
y = torch.pow(x, 2)
grad_1 = torch.autograd.grad(y, x, create_graph=True)
print(grad_1)
grad_2 = torch.autograd.grad(grad_1[0], x)
print(grad_2)
"""

ACCUMULATION = """\
import torch
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)
y.backward(retain_graph=True)
y.backward(retain_graph=True)
y.backward(retain_graph=True)
w.grad.zero_()
y.backward()
"""

IN_PLACE = """\
import torch
a = torch.ones((1, ))
a += torch.ones((1, ))
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
h = torch.mul(w, 3)
h.mul_(2)
s = torch.add(h, x)
s.backward()
"""

BRANCH = """\
import torch
x = torch.tensor([1., -2.], requires_grad=True)
w = torch.tensor([3.], requires_grad=True)
v = torch.tensor([0.5], requires_grad=True)
if x.sum() > 0:
    y = x * w
else:
    h = x * v
    y = h.exp()
loss = y.sum()
loss.backward()
"""


def imported(code: str) -> tuple[_Importer, object]:
    importer = _Importer()
    return importer, importer.run(ast.parse(code))


def printed_numbers(stdout: str, name: str) -> list[float]:
    """The numbers of the ``name.grad = tensor(...)`` (or ``name = ...``) line of a script."""
    line = next(line for line in stdout.splitlines()
                if line.startswith((f"{name}.grad =", f"{name} =")))
    if line.endswith("None"):
        return []
    values = re.search(r"tensor\((\[[^\]]*\]|[^,)]*)", line)[1]
    return [float(n) for n in re.findall(r"-?\d+\.?\d*(?:e[+-]?\d+)?", values)]


def check_script(doc, tmp_path, expected: dict[str, list[float]]) -> str:
    """Export ``doc``, run it on torch and cgengine: it prints ``expected``; it round trips."""
    code = export_code(doc)
    again = import_code(code)
    assert graph_differences(doc, again) == [], code
    assert export_code(again) == code
    import_torch()
    for engine in ("torch", "cgengine"):
        stdout = run_script(code, tmp_path, engine)
        for name, numbers in expected.items():
            assert printed_numbers(stdout, name) == pytest.approx(numbers, rel=1e-3), \
                (engine, name)
    return code


def test_weighted_backward(tmp_path) -> None:
    doc = import_code(WEIGHTED)
    assert doc.backward.gradient == [1.0, 2.0] and doc.output == "loss"
    result = evaluate_document(doc)
    assert result.nodes["w"].grad.tolist() == [9.0]
    code = check_script(doc, tmp_path, {"w": [9.0], "x": [4.0]})
    assert "loss.backward(gradient=torch.tensor([1., 2.]))\n" in code


def test_second_derivative(tmp_path) -> None:
    importer, doc = imported(SECOND_DERIVATIVE)
    grads = [node for node in doc.nodes if node.type == "grad"]
    assert [(n.label, n.params) for n in grads] == [("grad_1", {"create_graph": True}),
                                                    ("grad_2", {})]
    assert importer.lines[grads[0].id] == 4 and importer.lines[grads[1].id] == 6
    result = evaluate_document(doc)
    assert result.nodes[grads[0].id].value.tolist() == [6.0]
    assert result.nodes[grads[1].id].value.tolist() == [2.0]
    code = check_script(doc, tmp_path, {"grad_1": [6.0], "grad_2": [2.0]})
    assert "grad_1 = torch.autograd.grad(y, x, create_graph=True)[0]\n" in code


@pytest.mark.parametrize("form", ["(g,) = torch.autograd.grad(y, x)",
                                  "g, = torch.autograd.grad(y, [x])",
                                  "g = torch.autograd.grad(outputs=y, inputs=x)[0]",
                                  "t = torch.autograd.grad(y, x)\n(g,) = t"])
def test_the_forms_of_autograd_grad(form: str) -> None:
    doc = import_code("import torch\nx = torch.tensor([3.], requires_grad=True)\ny = x ** 3\n"
                      + form + "\n")
    (grad,) = [node for node in doc.nodes if node.type == "grad"]
    assert evaluate_document(doc).nodes[grad.id].value.tolist() == [27.0]


def test_autograd_grad_of_several_inputs_imports_for_its_prints_only() -> None:
    head = ("import torch\nw = torch.tensor([1.], requires_grad=True)\n"
            "x = torch.tensor([2.], requires_grad=True)\ny = w * x\n"
            "g = torch.autograd.grad(y, [w, x])\n")
    doc = import_code(head + "print(g, g[1])\n")
    assert [node.label for node in doc.nodes] == ["w", "x", "y"]
    with pytest.raises(CodeImportError) as refused:
        import_code(head + "z = g * 2\n")
    assert refused.value.line == 6 and "print() may show" in refused.value.message


def test_accumulation_and_zero_grad(tmp_path) -> None:
    doc = import_code(ACCUMULATION)
    plan = doc.backward
    assert [step.kind for step in plan.steps] == ["backward"] * 3 + ["zero_grad", "backward"]
    assert plan.steps[3] == BackwardStep("zero_grad", nodes=("w",))
    result = evaluate_document(doc)
    assert result.nodes["w"].grad.tolist() == [5.0]  # zeroed, then one more pass
    assert result.nodes["x"].grad.tolist() == [8.0]  # never zeroed: four passes of 2
    code = check_script(doc, tmp_path, {"w": [5.0], "x": [8.0]})
    assert "w.grad.zero_()\ny.backward()\n" in code


def test_set_to_none(tmp_path) -> None:
    doc = import_code(ACCUMULATION.replace("w.grad.zero_()", "w.grad = None"))
    assert doc.backward.steps[3].set_to_none
    check_script(doc, tmp_path, {"w": [5.0], "x": [8.0]})


def test_in_place(tmp_path) -> None:
    doc = import_code(IN_PLACE)
    in_place = [node for node in doc.nodes if node.inplace]
    assert [(n.label, n.type) for n in in_place] == [("a", "add"), ("h", "mul")]
    result = evaluate_document(doc)
    assert result.nodes[in_place[0].id].value.tolist() == [2.0]
    assert result.nodes["w"].grad.tolist() == [6.0]
    code = check_script(doc, tmp_path, {"w": [6.0], "x": [1.0]})
    assert "a += ones\n" in code and "h *= 2\n" in code


def test_in_place_on_a_leaf_that_requires_grad_imports_and_shows_torchs_error() -> None:
    doc = import_code("import torch\nw = torch.tensor([1.], requires_grad=True)\nw.add_(1)\n")
    (node,) = [node for node in doc.nodes if node.inplace]
    assert evaluate_document(doc).nodes[node.id].error == (
        "a leaf Variable that requires grad is being used in an in-place operation.")
    assert "w.add_(1)" in export_code(doc) or "w += 1" in export_code(doc)


def test_every_name_of_a_tensor_changed_in_place_names_the_change() -> None:
    doc = import_code("import torch\na = torch.ones(1)\nb = a\nc = a.mul_(2)\nd = b + 1\n")
    result = evaluate_document(doc)
    assert result.nodes["d"].value.tolist() == [3.0]  # b is a, changed to 2 before d


def two_changes_of_one_tensor() -> GraphDocument:
    """A failing example of the round trip below: o1 and o2 both change o0's tensor in place
    (o2 first in the old order), o5 reads o2, the tensor between the two changes."""
    doc = GraphDocument()
    doc.add_node(Node("t0", "tensor", value=0.0))
    doc.add_node(Node("o0", "sum"))
    doc.add_node(Node("o1", "neg", inplace=True))
    doc.add_node(Node("o2", "clamp", inplace=True))
    doc.add_node(Node("o3", "sum"))
    doc.add_node(Node("o4", "add"))
    doc.add_node(Node("c4_0", "scalar", label="n", value=0))
    doc.add_node(Node("o5", "neg"))
    for src, dst, port in [("t0", "o0", 0), ("o0", "o1", 0), ("o0", "o2", 0), ("t0", "o3", 0),
                           ("c4_0", "o4", 0), ("t0", "o4", 1), ("o2", "o5", 0)]:
        doc.connect(src, dst, port)
    return doc


def test_a_reader_of_a_tensor_runs_before_the_next_change_whatever_name_makes_it() -> None:
    doc = two_changes_of_one_tensor()
    order = execution_order(doc)
    # in-place nodes on one tensor run in document order; o5 reads o2's tensor before o2 is
    # changed again (it was put after o1, which changed o0, the same tensor, under o0's name)
    assert order.index("o1") < order.index("o2") < order.index("o5")
    assert TensorVersions(doc).at("o2", "o5") == "o2"
    code = export_code(doc)
    assert "o1 = o0.neg_()\no2 = o1.clamp_()\n" in code
    again = import_code(code)
    assert graph_differences(doc, again) == [], code
    assert export_code(again) == code


def test_a_change_reads_the_tensor_as_the_change_before_left_it() -> None:
    """Two in-place nodes on one input cannot both read it as its node made it: the second
    reads the first's change, and is no ``a += b`` of the input's variable."""
    doc = GraphDocument()
    doc.add_node(Node("t0", "tensor", label="x", value=1.0))
    doc.add_node(Node("o0", "neg", inplace=True))
    doc.add_node(Node("o3", "add", label="x", inplace=True))
    doc.add_node(Node("o2", "sum"))
    for src, dst, port in [("t0", "o0", 0), ("t0", "o3", 0), ("t0", "o3", 1), ("t0", "o2", 0)]:
        doc.connect(src, dst, port)
    code = export_code(doc)
    assert "o2 = torch.sum(x)\no0 = x.neg_()\nx_2 = o0.add_(o0)\n" in code
    again = import_code(code)
    assert graph_differences(doc, again) == [], code
    assert export_code(again) == code


def test_an_infinite_exponent_is_a_number_node() -> None:
    """A parameter must be finite (.cgraph), so x ** inf keeps inf in a number node."""
    doc = import_code("import torch\nx = torch.tensor(2.)\ny = torch.pow(x, float('inf'))\n")
    (node,) = [node for node in doc.nodes if node.type == "pow"]
    assert "exponent" not in node.params
    assert doc.node(doc.inputs_of(node.id)[1]).value == float("inf")
    assert 'y = torch.pow(x, float("inf"))\n' in export_code(doc)


def test_the_canvas_shows_what_the_exported_script_computes_on_torch(torch_oracle) -> None:
    """Two in-place nodes on one tensor, readers of each version: evaluated in the editor and
    run as the exported script under torch, every tensor no later change touched (the others
    are one tensor with their change in the script) and the gradient are the same numbers."""
    doc = GraphDocument()
    nodes = [Node("t", "tensor", value=[1.0, -2.0]), Node("three", "scalar", value=3),
             Node("a", "mul"), Node("b", "neg", inplace=True),
             Node("c", "clamp", params={"min": -4.0, "max": 4.0}, inplace=True),
             Node("s", "sum"), Node("one", "scalar", value=1), Node("r", "add"),
             Node("w", "tensor", value=[2.0], requires_grad=True), Node("y", "mul"),
             Node("out", "sum"), Node("e", "exp")]
    for node in nodes:
        doc.add_node(node)
    for src, dst, port in [("t", "a", 0), ("three", "a", 1), ("a", "b", 0), ("a", "c", 0),
                           ("a", "s", 0), ("c", "r", 0), ("one", "r", 1), ("w", "y", 0),
                           ("r", "y", 1), ("y", "out", 0), ("b", "e", 0)]:
        doc.connect(src, dst, port)
    doc.set_output("out")
    result = evaluate_document(doc)
    assert result.nodes["s"].value.tolist() == -3.0  # a as mul made it, before b changed it
    assert result.nodes["e"].value.tolist() == pytest.approx(np.exp([-3.0, 6.0]).tolist())
    assert result.nodes["r"].value.tolist() == [-2.0, 5.0]  # clamp of b's change, plus 1
    assert result.nodes["w"].grad.tolist() == [3.0]

    code = export_code(doc)
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "exported.py", "exec"), namespace)  # the export, on torch
    names, versions = variable_names(doc), TensorVersions(doc)
    compared = 0
    for node in doc.nodes:
        if node.type == "scalar" or versions.at(node.id) != node.id:
            continue
        value = namespace[names[node.id]]
        assert isinstance(value, torch_oracle.Tensor), node.id
        assert value.detach().numpy().tolist() == pytest.approx(
            result.nodes[node.id].value.tolist()), node.id
        compared += 1
    assert compared == 8
    assert namespace["w"].grad.tolist() == result.nodes["w"].grad.tolist()


def test_branch(tmp_path) -> None:
    importer, doc = imported(BRANCH)
    branches = [node for node in doc.nodes if node.type == "branch"]
    assert [n.label for n in branches] == ["y"]
    assert importer.lines[branches[0].id] == 5
    result = evaluate_document(doc)
    assert result.decisions == {branches[0].id: "else"}
    v_grad = np.exp(0.5) - 2 * np.exp(-1.0)  # sum of x * exp(x * v)
    assert result.nodes["v"].grad.tolist() == pytest.approx([v_grad])
    code = check_script(doc, tmp_path, {"x": [0.5 * np.exp(0.5), 0.5 * np.exp(-1.0)],
                                        "v": [v_grad], "w": []})
    assert "if gt:\n    y = torch.mul(x, w)\nelse:\n    h = torch.mul(x, v)\n" in code


def test_a_name_bound_before_the_if_is_the_other_side() -> None:
    doc = import_code("import torch\nx = torch.tensor([2.], requires_grad=True)\ny = x * 1\n"
                      "if x > 0:\n    y = x * 3\nz = y.sum()\nz.backward()\n")
    assert evaluate_document(doc).nodes["x"].grad.tolist() == [3.0]
    doc.set_field("x", "value", [-2.0])
    assert evaluate_document(doc).nodes["x"].grad.tolist() == [1.0]


def test_elif_nests() -> None:
    doc = import_code("import torch\nx = torch.tensor([2.], requires_grad=True)\n"
                      "if x > 5:\n    y = x * 1\nelif x > 0:\n    y = x * 2\nelse:\n"
                      "    y = x * 3\ny.backward()\n")
    assert evaluate_document(doc).nodes["x"].grad.tolist() == [2.0]
    again = import_code(export_code(doc))
    assert graph_differences(doc, again) == []


@pytest.mark.parametrize(("code", "line", "reason"), [
    ("if x > 0:\n    y = x\nz = y + 1\n", 5, "y is assigned in only one branch"),
    ("if x > 0:\n    t = x * 2\n    y = x\nelse:\n    y = x\n", 4,
     "t is computed inside the if but no variable both branches set uses it"),
    ("y = x * 2\nif x > 0:\n    y.backward()\n", 5, "backward() inside an if"),
    ("g = torch.autograd.grad(x * 2, x)\ny = g * 2\n", 4, "write g[0]"),
    ("g = torch.autograd.grad(x * 2, x)[1]\n", 3, "take [0]"),
    ("y = x * 2\ny.backward(gradient=torch.tensor([1, 2]))\n", 4, "must hold floats"),
    ("y = x * 2\ny.backward(create_graph=True)\n", 4, "create_graph=True) is not supported"),
    ("y = x * 2\ny.backward(torch.tensor([1.]), retain_graph=True)\n"
     "y.backward(torch.tensor([2.]))\n", 5, "the same gradient"),
    ("y = x > 0 > 1\n", 3, "chained comparisons"),
    ("if x > 0:\n    y = x * 1\n    y.add_(1)\nelse:\n    y = x\n", 5,
     "in-place operations inside an if are not supported"),
])
def test_refusals(code: str, line: int, reason: str) -> None:
    with pytest.raises(CodeImportError) as info:
        import_code("import torch\nx = torch.tensor([1.], requires_grad=True)\n" + code)
    assert info.value.line == line
    assert reason in info.value.message


@st.composite
def in_place_documents(draw):
    """Random graphs with some op nodes switched in place and a backward plan."""
    doc = draw(documents())
    for node in doc.nodes:
        source = doc.inputs_of(node.id)[0] if node.spec.inputs else None
        if node.spec.in_place and source is not None and doc.node(source).type != "scalar" \
                and draw(st.booleans()):
            doc.set_field(node.id, "inplace", True)
    if doc.output is not None and draw(st.booleans()):
        plan = doc.backward.backward_again()
        if draw(st.booleans()):
            leaves = [n.id for n in doc.nodes if n.type == "tensor"]
            plan = plan.zero_grad((draw(st.sampled_from(leaves)),), draw(st.booleans()))
        doc.set_backward(plan.with_gradient(draw(st.none() | st.just([1.0]))))
    return doc


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(in_place_documents())
def test_export_then_import_gives_the_same_graph(doc) -> None:
    code = export_code(doc)
    again = import_code(code)
    assert graph_differences(doc, again) == [], code
    assert export_code(again) == code
