"""Importing PyTorch code as a graph: the lesson's listings, the supported subset, the refusals.

The lesson's two listings are taken from the lesson text itself, imported, and evaluated on
cgengine (and on torch, the oracle): w.grad 5, x.grad 2, and a.grad only with retain_grad().
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.codeio import CodeImportError, import_code
from app.evaluate import evaluate_document
from app.model import GraphDocument
from tests.oracle import import_torch

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "lesson-computational-graph.txt"


def lesson_listings() -> list[str]:
    """The two code listings of the lesson, from 'import torch' up to the output quoted in '''."""
    if not SEED.exists():
        pytest.skip(f"the lesson text {SEED} is not on this machine")
    text = SEED.read_text(encoding="utf-8")
    listings = re.findall(r"^import torch\n.*?(?=^''')", text, flags=re.S | re.M)
    assert len(listings) == 2
    return listings


def wiring(doc: GraphDocument) -> dict[str, list[str | None]]:
    return {node.id: doc.inputs_of(node.id) for node in doc.nodes if node.spec.is_op}


def grads(doc: GraphDocument, engine=None) -> dict[str, list[float] | None]:
    result = evaluate_document(doc) if engine is None else evaluate_document(doc, engine)
    return {node_id: (None if r.grad is None else r.grad.tolist())
            for node_id, r in result.nodes.items()}


# ------------------------------------------------------------------------------ the lesson
def test_first_listing_imports_to_the_lesson_graph(capsys):
    doc = import_code(lesson_listings()[0])

    assert [(n.id, n.type, n.label) for n in doc.nodes] == [
        ("w", "tensor", "w"), ("x", "tensor", "x"), ("a", "add", "a"),
        ("c1", "scalar", "1"), ("b", "add", "b"), ("y", "mul", "y")]
    w, x, one = doc.node("w"), doc.node("x"), doc.node("c1")
    assert (w.value, w.dtype, w.requires_grad) == ([1.0], "float32", True)
    assert (x.value, x.dtype, x.requires_grad) == ([2.0], "float32", True)
    assert one.value == 1 and isinstance(one.value, int)
    assert wiring(doc) == {"a": ["w", "x"], "b": ["w", "c1"], "y": ["a", "b"]}
    assert doc.output == "y"
    assert not any(node.retain_grad for node in doc.nodes)
    assert capsys.readouterr().out == ""  # the prints of the listing were read, not run


def test_first_listing_evaluates_to_the_lessons_gradients():
    doc = import_code(lesson_listings()[0])
    result = grads(doc)
    assert result["w"] == [5.0]
    assert result["x"] == [2.0]
    assert result["a"] is None and result["b"] is None and result["y"] is None


def test_second_listing_retains_the_gradient_of_a():
    doc = import_code(lesson_listings()[1])
    assert doc.node("a").retain_grad is True
    assert [n.id for n in doc.nodes if n.retain_grad] == ["a"]
    result = grads(doc)
    assert (result["w"], result["x"], result["a"]) == ([5.0], [2.0], [2.0])
    assert result["b"] is None


def test_listings_give_the_same_gradients_on_torch():
    torch = import_torch()
    for listing in lesson_listings():
        doc = import_code(listing)
        assert grads(doc, torch) == grads(doc)


def test_lesson_layout_reads_left_to_right_like_the_figure():
    doc = import_code(lesson_listings()[0])
    pos = {node.id: node.pos for node in doc.nodes}
    assert pos["w"][0] == pos["x"][0] == pos["c1"][0] == 0.0
    assert 0.0 < pos["a"][0] == pos["b"][0] < pos["y"][0]
    assert pos["w"][1] < pos["x"][1] < pos["c1"][1]  # the 1 left of b, below the leaves
    assert pos["a"][1] < pos["b"][1]
    assert pos["a"][1] < pos["y"][1] < pos["b"][1]  # y between its inputs


# ------------------------------------------------------------------ the supported subset
def test_operators_build_the_same_graph_as_the_functions():
    doc = import_code("import torch\n"
                      "w = torch.tensor([1.], requires_grad=True)\n"
                      "x = torch.tensor([2.], requires_grad=True)\n"
                      "y = (x + w) * (w + 1)\n"
                      "y.backward()\n")
    assert [(n.id, n.type, n.label) for n in doc.nodes] == [
        ("w", "tensor", "w"), ("x", "tensor", "x"), ("add", "add", ""),
        ("c1", "scalar", "1"), ("add_2", "add", ""), ("y", "mul", "y")]
    assert wiring(doc) == {"add": ["x", "w"], "add_2": ["w", "c1"], "y": ["add", "add_2"]}
    result = grads(doc)
    assert (result["w"], result["x"]) == ([5.0], [2.0])


def test_numbers_become_scalar_nodes_and_pow_exponent_a_parameter():
    doc = import_code("import torch as t\n"
                      "x = t.tensor(3., requires_grad=True)\n"
                      "y = 2 * x ** 2 - 1.5\n"
                      "z = t.pow(2, x)\n")
    assert [(n.id, n.type, n.label, n.value) for n in doc.nodes] == [
        ("x", "tensor", "x", 3.0), ("pow", "pow", "", None), ("c1", "scalar", "2", 2),
        ("mul", "mul", "", None), ("c2", "scalar", "1.5", 1.5), ("y", "sub", "y", None),
        ("c3", "scalar", "2", 2), ("z", "pow", "z", None)]
    assert doc.node("pow").params == {"exponent": 2}
    assert wiring(doc) == {"pow": ["x", None], "mul": ["c1", "pow"], "y": ["mul", "c2"],
                           "z": ["c3", "x"]}
    result = evaluate_document(doc)
    assert result.nodes["y"].value.tolist() == 16.5


def test_methods_functional_aliases_and_keyword_params():
    doc = import_code(
        "import cgengine as torch\n"
        "import torch.nn.functional as F\n"
        "from torch import nn\n"
        "p = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n"
        "t = torch.zeros(2, 2)\n"
        "s = p.exp().sum(dim=0, keepdim=True)\n"
        "r = torch.clamp(p, 0, max=3.5)\n"
        "m = torch.max(p, dim=1).values\n"
        "k = torch.cat([p, r], dim=1)\n"
        "v = p.reshape(4)\n"
        "u = torch.transpose(p, 1, 0)\n"
        "loss = F.mse_loss(p, t) + nn.functional.relu(p).mean()\n"
        "q = torch.add(p, t, alpha=-2)\n"
        "loss.backward()\n")
    nodes = {n.id: n for n in doc.nodes}
    assert nodes["s"].type == "sum" and nodes["s"].params == {"dim": 0, "keepdim": True}
    assert wiring(doc)["s"] == ["exp"]
    assert nodes["r"].params == {"min": 0, "max": 3.5}
    assert nodes["m"].type == "max" and nodes["m"].params == {"dim": 1}
    assert nodes["k"].type == "cat" and wiring(doc)["k"] == ["p", "r"]
    assert nodes["v"].params == {"shape": (4,)}
    assert nodes["u"].params == {"dim0": 1, "dim1": 0}
    assert nodes["q"].params == {"alpha": -2}
    assert {n.type for n in doc.nodes} >= {"mse_loss", "relu", "mean"}
    assert doc.output == "loss"
    # d/dp of mse_loss(p, 0) + mean(relu(p)) = 2p/4 + 1/4
    assert evaluate_document(doc).nodes["p"].grad.tolist() == [[0.75, 1.25], [1.75, 2.25]]


def test_max_of_two_tensors_is_the_elementwise_maximum():
    doc = import_code("import torch\na = torch.tensor([1., 5.])\nb = torch.tensor([3., 2.])\n"
                      "m = torch.max(a, b)\nn = a.min(b)\n")
    assert (doc.node("m").type, doc.node("n").type) == ("maximum", "minimum")
    assert evaluate_document(doc).nodes["m"].value.tolist() == [3.0, 5.0]


def test_reassignment_makes_new_nodes_labelled_by_the_variable():
    doc = import_code("import torch\nx = torch.tensor(1., requires_grad=True)\n"
                      "x = x + 1\nx = x * x\nx.backward()\n")
    assert [(n.id, n.label) for n in doc.nodes] == [
        ("x", "x"), ("c1", "1"), ("x_2", "x"), ("x_3", "x")]
    assert wiring(doc) == {"x_2": ["x", "c1"], "x_3": ["x_2", "x_2"]}
    assert doc.output == "x_3"
    assert evaluate_document(doc).nodes["x"].grad.tolist() == 4.0


def test_creation_functions_store_their_values():
    code = ("import torch\n"
            "z = torch.zeros((2, 3), dtype=torch.float64)\n"
            "o = torch.ones(2, requires_grad=True)\n"
            "f = torch.full((2, 2), 1.5)\n"
            "i = torch.full((2,), 7)\n"
            "r = torch.arange(1, 2, 0.25)\n"
            "n = torch.arange(3)\n"
            "g = torch.randn(2, 3)\n"
            "h = torch.randn(4)\n"
            "s = torch.tensor(-2)\n"
            "l = torch.tensor([[1, 2]], dtype=torch.float32)\n")
    doc = import_code(code)
    value = {n.id: (n.value, n.dtype, n.requires_grad) for n in doc.nodes}
    assert value["z"] == ([[0.0] * 3] * 2, "float64", False)
    assert value["o"] == ([1.0, 1.0], "float32", True)
    assert value["f"] == ([[1.5, 1.5], [1.5, 1.5]], "float32", False)
    assert value["i"] == ([7, 7], "int64", False)
    assert value["r"] == ([1.0, 1.25, 1.5, 1.75], "float32", False)
    assert value["n"] == ([0, 1, 2], "int64", False)
    assert value["s"] == (-2, "int64", False)
    assert value["l"] == ([[1, 2]], "float32", False)
    g = np.array(value["g"][0])
    assert g.shape == (2, 3) and value["g"][1] == "float32"
    assert np.array_equal(g, g.astype(np.float32))  # stored rounded to float32, as torch holds
    assert not np.array_equal(g.ravel()[:4], np.array(value["h"][0]))  # a second draw differs
    assert import_code(code).node("g").value == value["g"][0]  # but the same code, same values


def test_requires_grad_and_an_integer_tensor_mirror_torch():
    doc = import_code("import torch\nw = torch.tensor([1, 2])\nv = torch.tensor([1.])\n"
                      "v.requires_grad_()\ny = v * 2\ny.backward()\n")
    assert doc.node("w").dtype == "int64"
    assert doc.node("v").requires_grad is True
    assert evaluate_document(doc).nodes["v"].grad.tolist() == [2.0]


def test_comments_docstrings_prints_and_numpy_import_are_ignored():
    doc = import_code('"""A docstring."""\n'
                      "# a comment\n"
                      "import numpy as np\n"
                      "import torch\n"
                      "torch.manual_seed(0)\n"
                      "x = torch.tensor([2.], requires_grad=True)\n"
                      "lr = 0.5\n"
                      "y = x * lr\n"
                      "print('y =', y, f'{x.grad}', x.grad.numpy(), str(y.item()), sep='')\n"
                      "pass\n")
    assert [(n.id, n.type) for n in doc.nodes] == [("x", "tensor"), ("c1", "scalar"),
                                                   ("y", "mul")]
    assert doc.node("c1").value == 0.5


# ------------------------------------------------------------------------------ refusals
LEAF = "import torch\nx = torch.tensor([1.], requires_grad=True)\n"

REFUSED = [
    (LEAF + "import os\n", 3, "only torch and numpy may be imported"),
    (LEAF + "from os import path\n", 3, "only torch and numpy may be imported"),
    (LEAF + "import torch.utils\n", 3, "import torch.utils is not supported"),
    (LEAF + "from torch import tensor\n", 3, "from torch import tensor is not supported"),
    (LEAF + "f = open('out.txt', 'w')\n", 3, "calling open() is not supported"),
    (LEAF + "exec('x = 1')\n", 3, "calling exec() is not supported"),
    (LEAF + "y = eval('x')\n", 3, "calling eval() is not supported"),
    (LEAF + "m = __import__('os')\n", 3, "calling __import__() is not supported"),
    (LEAF + "g = getattr(x, 'grad')\n", 3, "calling getattr() is not supported"),
    (LEAF + "c = compile('1', 'f', 'eval')\n", 3, "calling compile() is not supported"),
    (LEAF + "os.system('rm -rf /')\n", 3, "name 'os' is not defined"),
    (LEAF + "y = x.__class__\n", 3, "x.__class__ cannot be used in a computation here"),
    (LEAF + "for i in range(3):\n    x = x + 1\n", 3, "loops are not supported"),
    (LEAF + "while True:\n    pass\n", 3, "loops are not supported"),
    (LEAF + "def f(v):\n    return v\n", 3, "function definitions are not supported"),
    (LEAF + "class A:\n    pass\n", 3, "class A must derive from nn.Module alone"),
    (LEAF + "with torch.no_grad():\n    y = x * 2\n", 3, "with blocks are not supported"),
    (LEAF + "x //= 2\n", 3, "is not supported in place"),
    (LEAF + "y = x[0]\n", 3, "indexing like x[0] is not supported"),
    (LEAF + "y = x.detach()\n", 3, "the tensor method .detach() is not supported"),
    (LEAF + "x.grad.zero_()\n", 3, "there is no gradient to zero yet"),
    (LEAF + "y = torch.load('w.pt')\n", 3, "torch.load() is not supported"),
    (LEAF + "y = q + 1\n", 3, "name 'q' is not defined"),
    (LEAF + "y = lambda: 1\n", 3, "is not supported"),
    (LEAF + "y = x * 2\n\n\nprint(open('f').read())\n", 6,
     "calling open('f').read() is not allowed"),
    (LEAF + "print(y)\n", 3, "name 'y' is not defined"),
    (LEAF + "y = x * 2\nz = x * 3\ny.backward()\nz.backward()\n", 6,
     "backward() on a second tensor"),
    (LEAF + "y = x * 2\ny.backward()\ny.retain_grad()\n", 5, "retain_grad() after backward()"),
    (LEAF + "y = x * 2\ny.requires_grad_()\n", 4, "requires_grad_() only works on leaf"),
    (LEAF + "y = x * 2\nx.requires_grad_(False)\n", 4, "requires_grad_() after x was used"),
    (LEAF + "y = torch.max(x, dim=0)\n", 3, "along a dim gives (values, indices)"),
    (LEAF + "y = torch.sum(x, dim='a')\n", 3, "dim must be a number"),
    (LEAF + "y = torch.sum(x, keepdim=1)\n", 3, "keepdim must be True or False"),
    (LEAF + "y = torch.add(x)\n", 3, "torch.add() needs other"),
    (LEAF + "y = torch.add(x, x, out=x)\n", 3, "has no keyword 'out'"),
    (LEAF + "y = torch.tensor(x)\n", 3, "a tensor value must be numbers written out"),
    (LEAF + "y = torch.tensor([[1., 2.], [3.]])\n", 3, "a tensor must be rectangular"),
    (LEAF + "y = torch.tensor([1.], pin_memory=True)\n", 3,
     "keyword 'pin_memory' is not supported"),
    (LEAF + "y = torch.tensor([1.], dtype=torch.bfloat16)\n", 3, "dtype must be torch.float32"),
    (LEAF + "y = torch.zeros(100000, 100000)\n", 3, "more than 1000000 elements"),
    (LEAF + "y = x * (1 / (1 - 1))\n", 3, "divides by zero"),
    (LEAF + "y = x * 10 ** 1000.5\n", 3, "is not a finite real number"),
    (LEAF + "y = np.array([1.])\n", 3, "name 'np' is not defined"),
    (LEAF + "import numpy as np\ny = np.array([1.])\n", 4, "numpy is imported only to be"),
    (LEAF + "torch = 3\n", 3, "torch names the module torch"),
    (LEAF + "a, b = x, x\n", 3, "only assignments to one name are supported"),
    (LEAF + "torch.add(x, x)\n", 3, "the result of torch.add(x, x) is not used"),
    (LEAF + "y = torch.cat([x, x, x])\n", 3, "takes a list of exactly two tensors"),
    (LEAF + "y = (x +\n", 3, "Python syntax error"),
    # found by tools/fuzz_importer.py: (2 - 0) / 5e-324 is inf, which no count holds
    (LEAF + "r = torch.arange(0, 2, 5e-324)\n", 3, "a step of 5e-324 makes too many numbers"),
    # the course's device idiom is read; a GPU is not there, as on a laptop without one
    (LEAF + "y = torch.ones(1, device='cuda')\n", 3, "the device 'cuda' is not available"),
    (LEAF + "d = torch.device('cuda:0')\n", 3, "the device 'cuda:0' is not available"),
    (LEAF + "y = x.to('cuda')\n", 3, "the device 'cuda' is not available"),
    (LEAF + "d = torch.device('cpu')\ny = x * d\n", 4, "d is a device (the CPU), not a tensor"),
]


@pytest.mark.parametrize(("code", "line", "reason"), REFUSED)
def test_refusals_name_the_line_and_the_reason(code, line, reason):
    with pytest.raises(CodeImportError) as info:
        import_code(code)
    assert info.value.line == line
    assert info.value.message.startswith(f"line {line}: ")
    assert reason in info.value.message
    assert str(info.value) == info.value.message


def test_nothing_runs_and_no_file_is_created(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = (LEAF + f"print(x)\nf = open({str(tmp_path / 'made.txt')!r}, 'w')\n")
    with pytest.raises(CodeImportError, match="line 4: calling open"):
        import_code(code)
    assert list(tmp_path.iterdir()) == []


def test_refusal_without_a_line_for_text_that_cannot_be_parsed():
    with pytest.raises(CodeImportError) as info:
        import_code("x = 1\0")
    assert info.value.line is None
    assert "null bytes" in info.value.message


def test_deeply_nested_code_is_refused_not_crashed():
    def chain(n: int) -> str:
        return LEAF + "y = " + " + ".join(["x"] * n) + "\n"

    assert len(import_code(chain(400))) == 400  # the leaf and 399 add nodes
    with pytest.raises(CodeImportError, match="^line 3: an expression is nested too deeply$"):
        import_code(chain(900))
    with pytest.raises(CodeImportError, match="^the code cannot be parsed"):
        import_code(chain(3000))
    with pytest.raises(CodeImportError, match="^line 3: Python syntax error: too many nested"):
        import_code(LEAF + "y = " + "(" * 500 + "x" + ")" * 500 + "\n")


TOKENS = [*"xw=+*-/@().,[]01 \n", "2.5", "torch.", "F.", "add", "tensor", "sum", "pow", "max",
          "import torch\n", "import torch.nn.functional as F\n", "requires_grad=True",
          "dim=", ".backward()", ".retain_grad()", "print", "'s'", "True", "None", ":", "\n    "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_any_code_gives_a_document_or_a_code_import_error(tokens):
    try:
        doc = import_code(LEAF + tokens)
    except CodeImportError as exc:
        assert exc.message.startswith("line ") or exc.line is None
        return
    assert isinstance(doc, GraphDocument)
    assert doc.has_node("x")


def test_the_course_device_idiom_builds_the_same_graph() -> None:
    """``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")``, ``device=``
    on a creation call, ``.to(device)`` and ``.cpu()`` change nothing here (every tensor is on the
    CPU): the graph and its gradients are the lesson's."""
    plain = import_code(
        "import torch\nw = torch.tensor([1.], requires_grad=True)\n"
        "x = torch.tensor([2.], requires_grad=True)\na = torch.add(w, x)\n"
        "b = torch.add(w, 1)\ny = torch.mul(a, b)\ny.backward()\n")
    with_device = import_code(
        "import torch\ndevice = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n"
        "w = torch.tensor([1.], requires_grad=True, device=device)\n"
        "x = torch.tensor([2.], requires_grad=True).to(device)\na = torch.add(w, x)\n"
        "b = torch.add(w, 1).cpu()\ny = torch.mul(a, b.to('cpu'))\ny.backward()\n")
    assert wiring(with_device) == wiring(plain)
    assert [node.label for node in with_device.nodes] == [node.label for node in plain.nodes]
    assert grads(with_device)["w"] == [5.0]
