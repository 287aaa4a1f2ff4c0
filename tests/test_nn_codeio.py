"""torch.nn code in and out: layers, the course's nn.Module class, seeds and the optimizer.

Imported code is only parsed; the tests run the same code on torch (the oracle) and compare the
graph's numbers, weights and .grad included, with what torch prints. Exported scripts run on
torch and on cgengine and import back to the same graph.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.codeio import CodeImportError, export_code, graph_differences, import_code
from app.codeio.importer import _Importer
from app.evaluate import evaluate_document
from tests.oracle import import_torch
from tests.test_codeio_export import ROOT, printed_grads, run_script

COURSE = textwrap.dedent('''\
    import torch
    import torch.nn as nn

    torch.manual_seed(10)
    train_x = torch.randn(6, 2)
    train_y = torch.tensor([0., 0., 1., 1., 0., 1.])


    class LR(nn.Module):
        def __init__(self):
            super(LR, self).__init__()
            self.features = nn.Linear(2, 1)
            self.sigmoid = nn.Sigmoid()

        def forward(self, x):
            x = self.features(x)
            x = self.sigmoid(x)
            return x


    lr_net = LR()   # 实例化逻辑回归模型
    print(lr_net)
    loss_fn = nn.BCELoss()
    lr = 0.01  # 学习率
    optimizer = torch.optim.SGD(lr_net.parameters(), lr=lr, momentum=0.9)
    y_pred = lr_net(train_x)
    loss = loss_fn(y_pred.squeeze(), train_y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    ''')


def run_in_torch(code: str) -> dict[str, Any]:
    """The variables of ``code`` run by real torch (the oracle), after its optimizer lines are
    cut (the graph is the state before the first step)."""
    import_torch()  # skipped without torch (a failure in CI)
    kept = "\n".join(line for line in code.splitlines()
                     if not line.strip().startswith(("optimizer.step", "optimizer.zero_grad")))
    namespace: dict[str, Any] = {}
    exec(compile(kept, "<course>", "exec"), namespace)  # the test's own code, on torch
    return namespace


def test_the_course_class_imports_as_torch_builds_it() -> None:
    doc = import_code(COURSE)
    names = {node.id: (node.type, node.label, node.module_name) for node in doc.nodes
             if node.spec.module}
    assert names == {"features": ("Linear", "features", "features"),
                     "sigmoid": ("Sigmoid", "y_pred", "sigmoid"),
                     "loss": ("BCELoss", "loss", "loss_fn")}
    assert doc.optimizer == {"name": "SGD", "lr": 0.01, "momentum": 0.9, "weight_decay": 0.0}
    # the data's randn drew first, so the layer's weights come later in the stream: no seed
    assert doc.node("features").params == {"in_features": 2, "out_features": 1}
    theirs = run_in_torch(COURSE)
    assert doc.node("train_x").value == theirs["train_x"].tolist()
    assert doc.node("features").state == {
        "weight": theirs["lr_net"].features.weight.tolist(),
        "bias": theirs["lr_net"].features.bias.tolist()}
    result = evaluate_document(doc)
    assert result.nodes["loss"].value.item() == pytest.approx(theirs["loss"].item(), rel=1e-6)
    layer = result.nodes["features"].state
    np.testing.assert_allclose(layer["weight"].grad,
                               theirs["lr_net"].features.weight.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(layer["bias"].grad,
                               theirs["lr_net"].features.bias.grad.numpy(), rtol=1e-5)
    # the training lines are the dock's, and a note on the canvas says so
    (note,) = doc.notes
    assert note.text.startswith("optimizer.step() (line 29), optimizer.zero_grad() (line 30): "
                                "the Training dock does these.")


def test_nodes_made_in_forward_keep_their_lines() -> None:
    importer = _Importer()
    import ast

    importer.run(ast.parse(COURSE))
    assert importer.lines["features"] == 16  # x = self.features(x)
    assert importer.lines["sigmoid"] == 17
    assert importer.lines["loss"] == 27


def test_flat_layers_seeds_and_inline_modules() -> None:
    code = textwrap.dedent('''\
        import torch
        from torch import nn
        x = torch.tensor([[1., -2.], [0.5, 3.]])
        y = torch.tensor([[1.], [0.]])
        torch.manual_seed(1)
        net = nn.Linear(2, 3)
        out = nn.Linear(3, 1)
        h = torch.relu(net(x))
        z = out(h)
        y_pred = nn.Sigmoid()(z)
        loss_fn = nn.BCELoss(reduction='sum')
        loss = loss_fn(y_pred, y)
        loss.backward()
        ''')
    doc = import_code(code)
    theirs = run_in_torch(code)
    first = next(n for n in doc.nodes if n.module_name == "net")
    second = next(n for n in doc.nodes if n.module_name == "out")
    assert first.params["seed"] == 1 and "seed" not in second.params  # later in the stream
    assert first.state["weight"] == theirs["net"].weight.tolist()
    assert second.state["weight"] == theirs["out"].weight.tolist()
    assert second.state["bias"] == theirs["out"].bias.tolist()
    assert doc.node("y_pred").type == "Sigmoid" and doc.node("y_pred").module_name == ""
    assert doc.node("loss").params == {"reduction": "sum"}
    result = evaluate_document(doc)
    assert result.nodes["loss"].value.item() == pytest.approx(theirs["loss"].item(), rel=1e-6)
    np.testing.assert_allclose(result.nodes[first.id].state["weight"].grad,
                               theirs["net"].weight.grad.numpy(), rtol=1e-5)


def test_randn_and_layers_share_torchs_stream() -> None:
    code = ("import torch\nimport torch.nn as nn\ntorch.manual_seed(3)\n"
            "a = torch.randn(5)\nb = torch.randn(2, 20, dtype=torch.float64)\n"
            "net = nn.Linear(4, 2, bias=False)\n")
    doc = import_code(code)
    theirs = run_in_torch(code)
    assert doc.node("a").value == theirs["a"].tolist()
    assert doc.node("b").value == theirs["b"].tolist()
    # a layer never called makes no node; build one and call it to see its weights
    doc = import_code(code + "x = torch.ones(1, 4)\ny = net(x)\n")
    assert doc.node("y").state == {"weight": theirs["net"].weight.tolist()}
    assert doc.node("y").params == {"in_features": 4, "out_features": 2, "bias": False}


def test_load_state_dict_sets_the_weights_and_optimizers_their_settings() -> None:
    doc = import_code(textwrap.dedent('''\
        import torch
        import torch.optim as optim
        net = torch.nn.Linear(2, 1)
        net.load_state_dict({"weight": torch.tensor([[0.5, -1.]]), "bias": torch.tensor([2.])})
        x = torch.ones(3, 2)
        y = net(x)
        opt = optim.Adam(net.parameters(), lr=0.1, betas=(0.8, 0.99), weight_decay=0.01)
        '''))
    assert doc.node("y").state == {"weight": [[0.5, -1.0]], "bias": [2.0]}
    assert doc.node("y").params == {"in_features": 2, "out_features": 1}  # unseeded: no seed
    assert doc.optimizer == {"name": "Adam", "lr": 0.1, "betas": [0.8, 0.99],
                             "weight_decay": 0.01}


REFUSED = [
    ("net = nn.Linear(2, 1)\ny = net(x)\nz = net(x)\n", 4,
     "net is called a second time; a layer with weights is one node here"),
    ("net = nn.Conv2d(1, 1, 3)\n", 2, "nn.Conv2d is not supported; the layers are"),
    ("act = nn.ReLU(inplace=True)\n", 2, "nn.ReLU(inplace=...) is not supported"),
    ("net = nn.Linear(2)\n", 2, "nn.Linear() needs out_features"),
    ("net = nn.Linear(0, 1)\n", 2, "nn.Linear(): in_features must be at least 1, not 0"),
    ("f = nn.MSELoss(reduction='max')\n", 2, "reduction must be one of 'mean', 'sum', 'none'"),
    ("f = nn.MSELoss(True)\n", 2, "nn.MSELoss() takes at most 0 arguments by position"),
    ("net = nn.Linear(2, 1)\ny = net + 1\n", 3, "net is a layer, a model or an optimizer"),
    ("net = nn.Linear(2, 1)\nnet.train()\n", 3, "net.train() is not supported"),
    ("net = nn.Linear(2, 1)\nnet.load_state_dict({'weight': torch.tensor([1.])})\n", 3,
     "net.load_state_dict.weight: expected shape [1, 2]"),
    ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.a = nn.Linear(2, 1)\n        self.b = 3\n"
     "    def forward(self, x):\n        return self.a(x)\n", 6,
     "M.__init__ may only call super().__init__() and assign layers"),
    ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "    def forward(self, x):\n        if x:\n            return x\n        return x\n", 6,
     "forward() is read as straight-line code here"),
    ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "    def forward(self, x):\n        return x\n    def extra(self):\n        pass\n", 7,
     "class M may hold __init__ and forward only"),
    ("class M:\n    pass\n", 2, "class M must derive from nn.Module alone"),
    ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.a = nn.Linear(2, 1)\n    def forward(self, x):\n        return self.a(x)\n"
     "m = M()\ny = m(x)\nz = m(x)\n", 10, "m is called a second time"),
    ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.a = nn.Linear(2, 1)\n    def forward(self, x):\n        return self.b(x)\n"
     "m = M()\ny = m(x)\n", 7, "self.b is not a layer of M"),
    ("net = nn.Linear(2, 1)\nopt = torch.optim.SGD(net.parameters(), lr=0.1, nesterov=True)\n",
     3, "optim.SGD(nesterov=...) is not one of the Training dock's settings"),
    ("opt = torch.optim.RMSprop([x], lr=0.1)\n", 2, "torch.optim.RMSprop is not supported"),
    ("opt = torch.optim.SGD([x], lr=-1)\n", 2, "optim.SGD.lr: expected a number > 0, got -1"),
    ("opt = torch.optim.SGD(x.parameters(), lr=0.1)\n", 2,
     "the optimizer's parameters must be net.parameters() or a list of tensors"),
    ("opt = torch.optim.SGD([x], lr=0.1)\nopt2 = torch.optim.SGD([x], lr=0.1)\n", 3,
     "a second optimizer; the Training dock has one"),
    ("torch.manual_seed(0.5)\n", 2, "the seed must be an integer"),
]


@pytest.mark.parametrize(("code", "line", "message"), REFUSED)
def test_what_is_beyond_the_subset_is_refused_with_its_line(code: str, line: int,
                                                            message: str) -> None:
    header = "import torch\nimport torch.nn as nn\nx = torch.ones(1, 2)\n"
    with pytest.raises(CodeImportError) as refusal:
        import_code(header + code)
    assert refusal.value.line == line + 2, refusal.value.message
    assert message in refusal.value.message


# ------------------------------------------------------------------------ export
def test_the_exported_course_runs_on_torch_and_cgengine_and_comes_back(tmp_path: Path) -> None:
    import_torch()
    doc = import_code(COURSE)
    code = export_code(doc)
    assert "features = torch.nn.Linear(2, 1)\nfeatures.load_state_dict({" in code
    assert "features_out = features(train_x)\n" in code
    assert ("optimizer = torch.optim.SGD([features.weight, features.bias], lr=0.01, "
            "momentum=0.9)\n") in code
    result = evaluate_document(doc)
    expected = {f"features.{name}": tensor.grad
                for name, tensor in result.nodes["features"].state.items()}
    for engine in ("torch", "cgengine"):
        printed = printed_grads(run_script(code, tmp_path, engine))
        assert printed.keys() == expected.keys()
        for name, grad in expected.items():
            np.testing.assert_allclose(printed[name], grad.ravel(), rtol=1e-4, atol=1e-4)
    again = import_code(code)
    assert graph_differences(doc, again) == []
    assert export_code(again) == code.replace(code[code.index("# optimizer.step()"):
                                                   code.index("import torch")], "")


def test_a_seeded_layer_exports_as_its_seed_and_edited_weights_as_a_state_dict() -> None:
    doc = import_code("import torch\nx = torch.ones(2, 3)\ntorch.manual_seed(7)\n"
                      "net = torch.nn.Linear(3, 2)\nh = net(x)\nout = torch.nn.Linear(2, 1)\n"
                      "y = out(h)\n")
    code = export_code(doc)
    assert ("torch.manual_seed(7)\nnet = torch.nn.Linear(3, 2)\nh = net(x)\n"
            "out = torch.nn.Linear(2, 1)\ny = out(h)\n") in code  # the stream, as torch draws
    doc.set_field("h", "state", {"weight": [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], "bias": [1, 2]})
    code = export_code(doc)
    assert ("net = torch.nn.Linear(3, 2)\nnet.load_state_dict({\"weight\": torch.tensor([[1., "
            "2., 3.], [0., 0., 0.]]), \"bias\": torch.tensor([1., 2.])})\n") in code
    # out still draws the numbers it holds: the script builds net first, as before
    assert "out = torch.nn.Linear(2, 1)\ny = out(h)\n" in code
    assert graph_differences(doc, import_code(code)) == []


# ------------------------------------------------------------------------ the command line
def test_the_command_line_imports_evaluates_and_exports_the_course(tmp_path: Path) -> None:
    """--import-code, --eval --json and --export on the course's class, compared with torch."""
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                              text=True, cwd=ROOT, timeout=120, check=False)

    torch_run = run_in_torch(COURSE)
    layer = torch_run["lr_net"].features
    script, graph, exported = (tmp_path / "course.py", tmp_path / "course.cgraph",
                               tmp_path / "course_out.py")
    script.write_text(COURSE, encoding="utf-8")
    done = cli("--import-code", str(script), str(graph))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # print(lr_net) was not run
    report = json.loads(cli("--eval", str(graph), "--json").stdout)
    nodes = {node["label"]: node for node in report["nodes"].values()}
    assert nodes["loss"]["value"] == pytest.approx(torch_run["loss"].item(), rel=1e-6)
    state = nodes["features"]["state"]
    for name in ("weight", "bias"):
        tensor = getattr(layer, name)
        np.testing.assert_allclose(state[name]["value"], tensor.tolist(), rtol=1e-6)
        np.testing.assert_allclose(state[name]["grad"], tensor.grad.tolist(), rtol=1e-5)
        assert state[name]["shape"] == list(tensor.shape)
    table = cli("--eval", str(graph)).stdout
    assert "features.weight" in table and "BinaryCrossEntropyBackward0" in table

    done = cli("--export", str(graph), str(exported))
    assert done.returncode == 0, done.stderr
    printed = printed_grads(run_script(exported.read_text(encoding="utf-8"), tmp_path, "torch"))
    np.testing.assert_allclose(printed["features.weight"], layer.weight.grad.numpy().ravel(),
                               rtol=1e-4, atol=1e-4)  # as torch prints them: 4 decimals
    np.testing.assert_allclose(printed["features.bias"], layer.bias.grad.numpy(), rtol=1e-4,
                               atol=1e-4)
