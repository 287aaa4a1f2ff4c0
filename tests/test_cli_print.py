"""``main.py --print SCRIPT``: what a script's print() calls would print under PyTorch, worked
out from the evaluated graph (app/codeio/console.py), never by running the script.

Checked against what the lesson says its listings print and, with the torch oracle, against
what torch itself prints when the script really runs (the lesson's two listings and the scripts
the exporter writes for every example).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.codeio import export_code
from app.fileio import load_document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"
LISTINGS = sorted(EXAMPLES.glob("lesson_listing*.py"))
GRAPHS = sorted(EXAMPLES.glob("*.cgraph"))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def lesson_output(listing: Path) -> str:
    """The output the lesson prints under a listing (its closing ''' block)."""
    text = listing.read_text(encoding="utf-8")
    block = re.search(r"'''\n(.*?)'''\s*$", text, re.S)
    assert block is not None, f"{listing.name} has no output block"
    return block.group(1)


def exported(graph: Path, folder: Path) -> Path:
    script = folder / (graph.stem + ".py")
    script.write_text(export_code(load_document(graph)), encoding="utf-8")
    return script


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda p: p.stem)
def test_print_shows_what_the_lesson_says_its_listing_prints(listing: Path) -> None:
    done = run_cli("--print", str(listing))
    assert done.returncode == 0, done.stderr
    assert done.stdout == lesson_output(listing)
    # torch's warning on reading a.grad of a tensor that is not a leaf, with the print's line
    line = next(n for n, text in enumerate(listing.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith('print("gradient'))
    assert done.stderr.startswith(f"{listing}:{line}: UserWarning: The .grad attribute of a "
                                  "Tensor that is not a leaf Tensor is being accessed.")


def test_print_refuses_a_hostile_script_with_one_line_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "evil.py"
    script.write_text(f"import torch\nimport os\nos.system('touch {marker}')\nprint(1)\n",
                      encoding="utf-8")
    done = run_cli("--print", str(script))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "line 2" in done.stderr
    assert not marker.exists()


# ---------------------------------------------------------------- the torch oracle
def under_torch(script: Path) -> subprocess.CompletedProcess[str]:
    """The script really run by python with torch (the oracle)."""
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=script.parent, timeout=300)


def without_addresses(text: str) -> str:
    """``<MulBackward0 object at 0x7f...>`` with the address left out (it differs per run)."""
    return re.sub(r" object at 0x[0-9a-f]+>", " object at 0x...>", text)


def assert_prints_as_torch(script: Path) -> None:
    ours, theirs = run_cli("--print", str(script)), under_torch(script)
    assert without_addresses(ours.stdout) == without_addresses(theirs.stdout)
    if theirs.returncode != 0:  # the script shows one of torch's errors (the in-place rules)
        raised = theirs.stderr.strip().splitlines()[-1]  # "RuntimeError: one of the variables..."
        assert ours.returncode == 1
        assert ours.stderr.strip().endswith(raised.split(": ", 1)[1])
        return
    assert ours.returncode == 0, ours.stderr
    # each warning torch writes, with its line (torch adds where in its C++ it was raised)
    for warning in ours.stderr.splitlines():
        assert warning in theirs.stderr
    assert ours.stderr.count("UserWarning") == theirs.stderr.count("UserWarning")


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda p: p.stem)
def test_print_of_a_lesson_listing_is_what_torch_prints(torch_oracle, listing: Path) -> None:
    assert_prints_as_torch(listing)


@pytest.mark.parametrize("graph", GRAPHS, ids=lambda p: p.stem)
def test_print_of_an_exported_example_is_what_torch_prints(torch_oracle, graph: Path,
                                                          tmp_path: Path) -> None:
    script = exported(graph, tmp_path)
    assert "print(" in script.read_text(encoding="utf-8")
    assert_prints_as_torch(script)


SNIPPETS = {
    "grad_fn and item": """import torch
w = torch.tensor([1., 2.], requires_grad=True)
x = torch.tensor([3., 4.], requires_grad=True)
y = torch.sum(torch.mul(w, x))
print(y)
print(y.grad_fn)
print(w.grad_fn, w.is_leaf, y.is_leaf)
print(f"y = {y.item()}")
y.backward()
print("w.grad =", w.grad)
print(x.grad, w.requires_grad)
""",
    "retain_grad on a matrix": """import torch
a = torch.tensor([[1., -2.], [3., 0.5]], requires_grad=True)
b = torch.relu(a)
c = torch.exp(b).mean()
b.retain_grad()
c.backward()
print(b.grad)
print(a.grad)
print(c)
print(c.grad_fn, b.grad_fn)
""",
    "autograd.grad tuples": """import torch
w = torch.tensor([1., 2.], requires_grad=True)
x = torch.tensor([3., 4.], requires_grad=True)
a = torch.mul(w, x)
y = torch.sum(a)
g = torch.autograd.grad(y, [w, x, a], retain_graph=True)
print(g)
print(g[0], len(g))
h = torch.autograd.grad(y, w)
print("h:", h)
""",
    "autograd.grad then backward": """import torch
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)
grads = torch.autograd.grad(y, (w, x, a, b), retain_graph=True)
print("grads:", grads)
y.backward()
print(w.grad, x.grad)
""",
    "autograd.grad of one input, a grad node": """import torch
x = torch.tensor([3.], requires_grad=True)
y = torch.pow(x, 3)
g = torch.autograd.grad(y, x, create_graph=True)
print("g:", g, g[0].is_leaf)
h = torch.autograd.grad(g[0], x, retain_graph=True)[0]
print(h)
y.backward()
print(x.grad)
""",
    "module parameters": """import torch
import torch.nn as nn

torch.manual_seed(1)
net = nn.Linear(2, 1)
print(net.weight)
print("before:", net.weight.grad, net.bias.is_leaf, net.bias.requires_grad, net.weight.shape)
x = torch.tensor([[1., 2.], [3., 4.]])
y = net(x)
loss = torch.sum(y)
loss.backward()
print(net.weight.grad, net.bias.grad)
print(f"{net.bias.grad}", net.weight.data, net.in_features)
print(net.bias.grad.numpy(), net.weight.grad_fn, net.weight.grad.shape, y.grad_fn)


class LR(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Linear(2, 1)

    def forward(self, x):
        return self.features(x)


lr_net = LR()
print(lr_net.features.weight)
""",
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_print_of_a_snippet_is_what_torch_prints(torch_oracle, name: str,
                                                 tmp_path: Path) -> None:
    script = tmp_path / "snippet.py"
    script.write_text(SNIPPETS[name], encoding="utf-8")
    assert_prints_as_torch(script)
