"""Exporting a graph as a PyTorch script: the text, running it on torch and cgengine, round trips.

The exported script is run in a subprocess with real PyTorch and, with ``import cgengine as
torch`` in place of ``import torch``, on our engine; the gradients it prints must be the ones the
editor shows (app.evaluate). ``import_code(export_code(doc))`` must give back the same graph.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.codeio import export_code, graph_differences, import_code, variable_names
from app.evaluate import evaluate_document
from app.evaluate.modules import initial_state
from app.model import DTYPES, GraphDocument, Node, Note
from app.registry import NODE_TYPES, ParamSpec
from tests.oracle import import_torch

ROOT = Path(__file__).resolve().parent.parent

LESSON = """\
import torch
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
a.retain_grad()
b = torch.add(w, 1)
y = torch.mul(a, b)
y.backward()
"""

LESSON_EXPORT = """\
# Exported from CG Studio: the graph as PyTorch code.

import torch

w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
a.retain_grad()
b = torch.add(w, 1)
y = torch.mul(a, b)

y.backward()

print("w.grad =", w.grad)
print("x.grad =", x.grad)
print("a.grad =", a.grad)
print("is_leaf:\\n", w.is_leaf, x.is_leaf, a.is_leaf, b.is_leaf, y.is_leaf)
"""

LESSON_OUTPUT = """\
w.grad = tensor([5.])
x.grad = tensor([2.])
a.grad = tensor([2.])
is_leaf:
 True True False False False
"""

#: Every operation of the registry, in the shapes the lesson's later chapters use.
EVERY_OP = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
w = torch.tensor([[1.0, 0.5], [-0.5, 2.0], [0.25, -1.0]], requires_grad=True)
v = torch.tensor([0.5, -2.0], dtype=torch.float64, requires_grad=True)
target = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
labels = torch.tensor([1, 0])
s = torch.add(x, 1, alpha=2) - torch.sub(x, 0.5) * 3 / 2
p = -x.pow(2) + torch.exp(x) + torch.log(x.abs() + 1) + torch.sqrt(x * x + 1)
trig = torch.sin(x) + torch.cos(x) + torch.clamp(x, min=-0.5, max=1.0)
mx = torch.maximum(x, s) + torch.minimum(x, p)
act = F.relu(x) + torch.sigmoid(x) + torch.tanh(x)
sm = torch.softmax(x, dim=1) + F.log_softmax(x, dim=0)
red = torch.sum(x, dim=0, keepdim=True).mean() + torch.max(x, dim=1).values.sum() + x.max()
shp = x.reshape(3, 2).flatten() + torch.transpose(x, 0, 1).t().flatten()
shp2 = x.unsqueeze(0).squeeze(0).flatten()
joined = torch.cat([x, x], dim=0).sum() + torch.stack([x, x], dim=1).sum()
mm = torch.mm(x, w)
loss = F.mse_loss(mm, target) + F.cross_entropy(x @ w, labels)
loss2 = F.binary_cross_entropy_with_logits(mm, target)
slope = torch.autograd.grad(act.sum(), x, create_graph=True)[0]
ge0 = x >= 0
lt0 = x < 0
le0 = x <= 0
eq0 = x == 0
ne0 = x != 0
if x.sum() > 0:
    pick = x * 2
else:
    pick = x * 3
total = s.sum() + p.sum() + trig.sum() + mx.sum() + act.sum() + sm.sum() + red + shp.sum()
total = total + shp2.sum() + joined + loss + loss2 + slope.sum() + pick.sum()
torch.manual_seed(0)
net = nn.Linear(3, 2)
h = net(x)
acts = nn.ReLU()(h) + nn.LeakyReLU(negative_slope=0.2)(h) + nn.ELU()(h) + nn.Tanh()(h)
acts = acts + nn.GELU(approximate='tanh')(h) + nn.Softplus(beta=2.0)(h) + nn.Sigmoid()(h)
acts = acts + nn.Softmax(dim=1)(h) + nn.LogSoftmax(dim=0)(h)
flat = nn.Flatten(start_dim=0)(acts)
probs = torch.sigmoid(mm)
losses = nn.MSELoss()(h, target) + nn.L1Loss(reduction='sum')(h, target)
losses = losses + nn.SmoothL1Loss(beta=0.5)(h, target) + nn.BCELoss()(probs, target)
losses = losses + nn.BCEWithLogitsLoss()(h, target) + nn.NLLLoss()(nn.LogSoftmax(dim=1)(h), labels)
losses = losses + nn.CrossEntropyLoss(label_smoothing=0.1)(h, labels)
total = total + flat.sum() + losses
total.backward()
v64 = (v * v).sum()
"""


def run_script(code: str, tmp_path: Path, engine: str) -> str:
    """Run the script in a fresh python on ``engine`` ("torch" or "cgengine"); its stdout."""
    if engine == "cgengine":
        code = code.replace("import torch\n", "import cgengine as torch\n", 1)
    script = tmp_path / f"exported_{engine}.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no warning: only .grad torch keeps is read
    return done.stdout


def printed_grads(stdout: str) -> dict[str, np.ndarray | None]:
    """The ``name.grad = tensor(...)`` lines of a script's output, as arrays."""
    parts = re.split(r"^([\w.]+)\.grad = ", stdout.split("is_leaf:")[0], flags=re.M)
    grads: dict[str, np.ndarray | None] = {}
    for name, text in zip(parts[1::2], parts[2::2]):
        if text.strip() == "None":
            grads[name] = None
            continue
        text = re.sub(r"dtype=torch\.\w+", "", text)
        numbers = re.findall(r"-?(?:\d+\.?\d*(?:e[+-]?\d+)?|nan|inf)", text)
        grads[name] = np.array([float(n) for n in numbers])
    return grads


# ------------------------------------------------------------------------------ the text
def test_lesson_graph_exports_as_the_lessons_listing():
    assert export_code(import_code(LESSON)) == LESSON_EXPORT


@pytest.mark.parametrize("engine", ["torch", "cgengine"])
def test_exported_lesson_prints_the_lessons_gradients(engine, tmp_path):
    if engine == "torch":
        import_torch()
    assert run_script(LESSON_EXPORT, tmp_path, engine) == LESSON_OUTPUT


def test_every_operation_runs_on_torch_and_cgengine_with_the_editors_gradients(tmp_path):
    import_torch()
    doc = import_code(EVERY_OP)
    assert {n.type for n in doc.nodes} == set(NODE_TYPES)  # truly every node type
    code = export_code(doc)
    result = evaluate_document(doc)
    names = variable_names(doc)
    expected = {names[node_id]: r.grad for node_id, r in result.nodes.items()
                if node_id in names and (doc.node(node_id).requires_grad
                                         or doc.node(node_id).retain_grad)}
    assert set(expected) == {"x", "w", "v"}
    assert expected["v"] is None  # v is not in the graph backward runs through
    layer = next(node.id for node in doc.nodes if node.spec.state)
    expected.update({f"net.{name}": parameter.grad
                     for name, parameter in result.nodes[layer].state.items()})
    for engine in ("torch", "cgengine"):
        printed = printed_grads(run_script(code, tmp_path, engine))
        assert set(printed) == set(expected)
        assert printed["v"] is None
        for name in ("x", "w", "net.weight", "net.bias"):
            np.testing.assert_allclose(printed[name], expected[name].ravel(),
                                       rtol=1e-4, atol=1e-4, err_msg=f"{engine}: {name}")


def test_awkward_labels_become_unique_identifiers():
    doc = GraphDocument()
    for node_id, label in [("n1", "my weights"), ("n2", "class"), ("n3", ""), ("n4", "2sq"),
                           ("n5", "x"), ("n6", "x"), ("n7", "sum"), ("n8", "torch"),
                           ("n9", "权重")]:
        doc.add_node(Node(node_id, "tensor", label=label, value=1.0))
    assert list(variable_names(doc).values()) == [
        "my_weights", "class_", "n3", "n_2sq", "x", "x_2", "sum_", "torch_", "权重"]


def test_values_dtypes_and_params_are_written_as_torch_reads_them():
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", label="w", value=[[1, -0.0], [2.5, 3]], dtype="float64",
                      requires_grad=True, retain_grad=True))
    doc.add_node(Node("i", "tensor", label="i", value=[1, 2], dtype="int64"))
    doc.add_node(Node("f", "tensor", label="f", value=[float("nan"), float("inf"),
                                                       -float("inf"), 1e-7]))
    doc.add_node(Node("c", "scalar", label="3", value=3))
    doc.add_node(Node("p", "pow", label="p"))
    doc.add_node(Node("q", "pow", label="q", params={"exponent": 0.5}))
    doc.add_node(Node("s", "sum", label="s", params={"dim": None, "keepdim": True}))
    doc.add_node(Node("m", "max", label="m", params={"dim": 0, "keepdim": False}))
    doc.add_node(Node("r", "reshape", label="r", params={"shape": (-1,)}))
    doc.add_node(Node("a", "add", label="a", params={"alpha": 1}))
    doc.add_note(Note("note", text="First line\nsecond line"))
    for src, dst, port in [("w", "p", 0), ("c", "p", 1), ("w", "q", 0), ("p", "s", 0),
                           ("w", "m", 0), ("i", "r", 0), ("s", "a", 0), ("q", "a", 1)]:
        doc.connect(src, dst, port)
    doc.set_output("a")
    lines = export_code(doc).splitlines()
    assert lines[2:4] == ["# First line", "# second line"]
    body = [line for line in lines if " = torch." in line or line.endswith("()")]
    assert body == [
        "w = torch.tensor([[1., -0.], [2.5, 3.]], dtype=torch.float64, requires_grad=True)",
        "w.retain_grad()",
        "i = torch.tensor([1, 2], dtype=torch.int64)",
        'f = torch.tensor([float("nan"), float("inf"), float("-inf"), 1e-07])',
        "p = torch.pow(w, 3)",
        "q = torch.pow(w, 0.5)",
        "s = torch.sum(p)",  # keepdim without dim is dropped, as the evaluator does
        "m = torch.max(w, dim=0).values",
        "r = torch.reshape(i, (-1,))",
        "a = torch.add(s, q)",
        "a.backward()",
    ]
    assert graph_differences(doc, import_code(export_code(doc))) == []


def test_unfinished_graph_exports_as_comments_and_still_runs(tmp_path):
    doc = import_code("import torch\nw = torch.tensor([1.], requires_grad=True)\n"
                      "y = w * 2\nz = y.exp()\nz.backward()\n")
    doc.disconnect("y", 0)
    code = export_code(doc)
    assert "# y is left out: its input 'input' is not connected\n" in code
    assert "# z is left out: it needs y\n" in code
    assert "# z.backward() is left out: z cannot be computed\n" in code
    assert run_script(code, tmp_path, "cgengine") == "is_leaf:\n True\n"


def test_a_graph_without_output_calls_no_backward():
    doc = import_code("import torch\nw = torch.tensor([1.], requires_grad=True)\ny = w * 2\n")
    code = export_code(doc)
    assert "backward" not in code.replace("calls backward()", "")
    assert "# no output node is chosen, so nothing calls backward()\n" in code


# ------------------------------------------------------------------------- round trips
def test_graph_differences_names_what_changed():
    doc = import_code(LESSON)
    other = import_code(LESSON)
    assert graph_differences(doc, other) == []
    other.set_field("w", "value", [1.5])
    other.set_output("b")
    other.connect("x", "b", 0)
    assert graph_differences(doc, other) == [
        "w.value: (1.0,) != (1.5,)",
        "b.inputs: [('node', 'w'), ('number', 1.0)] != [('node', 'x'), ('number', 1.0)]",
        "output: 'y' != 'b'",
    ]


def test_every_op_script_round_trips():
    doc = import_code(EVERY_OP)
    again = import_code(export_code(doc))
    assert graph_differences(doc, again) == []
    assert export_code(again) == export_code(doc)


LABELS = st.sampled_from(["", "x", "x", "w", "class", "sum", "torch", "a b", "1st", "权重",
                          "x_2", "print", "y.grad"])
NUMBERS = st.one_of(st.integers(-5, 5), st.floats(allow_nan=True, allow_infinity=True))
FINITE_NUMBERS = st.one_of(st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False))


def param_values(param: ParamSpec) -> st.SearchStrategy:
    finite = st.floats(-10, 10, allow_nan=False)
    kind = param.kind
    if param.minimum is not None:
        return st.integers(param.minimum, param.minimum + 2)
    if kind == "choice":
        return st.sampled_from(param.choices)
    return {
        "int": st.integers(-2, 2),
        "optional_int": st.none() | st.integers(-2, 2),
        "float": finite,
        "optional_float": st.none() | finite,
        "bool": st.booleans(),
        "shape": st.lists(st.integers(1, 4), max_size=3).map(tuple) | st.just((-1,)),
    }[kind]


@st.composite
def documents(draw) -> GraphDocument:
    """Random graphs of every node type, every required input wired (else it cannot run)."""
    doc = GraphDocument()
    tensors: list[str] = []
    for index in range(draw(st.integers(1, 3))):
        value = draw(st.one_of(NUMBERS, st.lists(NUMBERS, min_size=1, max_size=3)))
        doc.add_node(Node(f"t{index}", "tensor", label=draw(LABELS), value=value,
                          dtype=draw(st.sampled_from(DTYPES)),
                          requires_grad=draw(st.booleans()), retain_grad=draw(st.booleans())))
        tensors.append(f"t{index}")
    ops = [t for t in NODE_TYPES.values() if t.is_op]
    for index in range(draw(st.integers(0, 6))):
        spec = draw(st.sampled_from(ops))
        params = {p.name: draw(param_values(p)) for p in spec.params if draw(st.booleans())}
        node_id = f"o{index}"
        state = initial_state(spec, params)
        if state and draw(st.booleans()):  # weights edited or trained: no seed draws them
            state = {name: np.full(np.shape(value), draw(NUMBERS)).tolist()
                     for name, value in state.items()}
        doc.add_node(Node(node_id, spec.name, label=draw(LABELS), params=params, state=state,
                          module_name=draw(LABELS) if spec.module else "",
                          retain_grad=draw(st.booleans())))
        for port, port_spec in enumerate(spec.inputs):
            choice = draw(st.sampled_from(["node", "number"] + (["default"] * bool(
                port_spec.default is not None))))
            if choice == "node":
                doc.connect(draw(st.sampled_from(tensors)), node_id, port)
            elif choice == "number":
                scalar = f"c{index}_{port}"
                doc.add_node(Node(scalar, "scalar", label="n", value=draw(NUMBERS)))
                doc.connect(scalar, node_id, port)
            elif draw(st.booleans()):  # a parameter is finite (set_param refuses inf)
                doc.set_param(node_id, port_spec.name, draw(FINITE_NUMBERS))
        tensors.append(node_id)
    doc.set_output(draw(st.none() | st.sampled_from(tensors)))
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_export_then_import_gives_the_same_graph(doc):
    code = export_code(doc)
    again = import_code(code)
    assert graph_differences(doc, again) == [], code
    assert export_code(again) == code
