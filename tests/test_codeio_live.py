"""Code read live, without Qt widgets: the parse (app/codeio/live.py), the graph edit a code
edit makes (live_plan.py), the code a graph edit rewrites (live_merge.py) and the console's
prints (console.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.codeio import CodeImportError
from app.codeio.console import autograd_grads, console_entries
from app.codeio.live import CodeState, LiveCode, parse_live
from app.codeio.live_merge import merge_code
from app.codeio.live_plan import plan_code_edit
from app.commands.code_commands import CodeEditCommand
from app.evaluate import evaluate_document
from app.model import GraphDocument

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"
LISTING_1 = (EXAMPLES / "lesson_listing1.py").read_text(encoding="utf-8")
LISTING_2 = (EXAMPLES / "lesson_listing2.py").read_text(encoding="utf-8")


def typed(doc: GraphDocument, code: LiveCode, text: str) -> CodeEditCommand:
    """What a pause in typing ``text`` does: read it, plan the graph edit, apply it."""
    parse = parse_live(text)
    edit, binding = plan_code_edit(doc, code.state, parse)
    command = CodeEditCommand(doc, code, code.state, CodeState(text, parse, binding), edit,
                              "Edit code")
    command.redo()
    return command


def by_label(doc: GraphDocument) -> dict[str, str]:
    return {node.label: node.id for node in doc.nodes}


def test_the_parse_knows_each_statement_its_lines_and_the_prints() -> None:
    parse = parse_live(LISTING_1)
    kinds = [(s.first, s.kind) for s in parse.statements if s.kind != "other"]
    assert kinds[:2] == [(1, "import"), (2, "nodes")]
    assert (9, "backward") in kinds
    assert [probe.first for probe in parse.prints] == [10, 13, 16]  # line 19 is a comment
    assert parse.backward_line == 9


def test_the_parse_refuses_hostile_code_with_its_line() -> None:
    with pytest.raises(CodeImportError) as refused:
        parse_live("import torch\nimport os\nos.system('true')\n")
    assert refused.value.line == 2


def test_a_code_edit_keeps_the_nodes_of_unchanged_lines_and_undoes_whole() -> None:
    doc, code = GraphDocument(), LiveCode()
    typed(doc, code, LISTING_1)
    ids = by_label(doc)
    assert set(ids) >= {"w", "x", "a", "b", "y"}
    edited = LISTING_1.replace("x = torch.tensor([2.]", "x = torch.tensor([5.]")
    command = typed(doc, code, edited)
    assert by_label(doc) == ids  # the same nodes: x's was edited, not replaced
    assert command.edit.added == [] and command.edit.removed == []
    assert evaluate_document(doc).nodes[ids["w"]].grad.tolist() == [8.0]  # 2w + x + 1
    command.undo()
    assert code.state is not None and code.state.text == LISTING_1
    assert doc.node(ids["x"]).value == [2.0]


def test_a_deleted_line_removes_its_node() -> None:
    doc, code = GraphDocument(), LiveCode()
    text = "import torch\nw = torch.tensor([1.], requires_grad=True)\nv = torch.exp(w)\n"
    typed(doc, code, text)
    typed(doc, code, "import torch\nw = torch.tensor([1.], requires_grad=True)\n")
    assert list(by_label(doc)) == ["w"]


def test_a_graph_edit_rewrites_only_its_line_keeping_names_and_comments() -> None:
    doc, code = GraphDocument(), LiveCode()
    typed(doc, code, LISTING_1)
    doc.set_field(by_label(doc)["w"], "value", [3.0])
    assert code.state is not None
    merged = merge_code(code.state, doc)
    old, new = LISTING_1.splitlines(), merged.text.splitlines()
    assert [n for n, (a, b) in enumerate(zip(old, new)) if a != b] == [1]
    assert new[1] == "w = torch.tensor([3.], requires_grad=True)" and len(new) == len(old)


@pytest.mark.parametrize("listing", [LISTING_1, LISTING_2], ids=["listing1", "listing2"])
def test_the_console_prints_what_the_lesson_says(listing: str) -> None:
    parse = parse_live(listing)
    entries = console_entries(parse, evaluate_document(parse.doc).nodes.get)
    block = re.search(r"'''\n(.*?)'''\s*$", listing, re.S)
    assert block is not None
    assert "".join(e.text for e in entries if e.kind == "out") == block.group(1)
    assert [e.line for e in entries if e.kind == "warning"] == [
        n for n, line in enumerate(listing.splitlines(), 1) if line.startswith('print("gradient')]


GRADS = """import torch
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
y = torch.mul(torch.add(w, x), torch.add(w, 1))
g = torch.autograd.grad(y, [w, x], retain_graph=True)
print(g)
"""


def entries_of(text: str) -> list:
    parse = parse_live(text)
    return console_entries(parse, evaluate_document(parse.doc).nodes.get,
                           grads_of=lambda out, ins: autograd_grads(parse.doc, out, ins))


def test_the_console_shows_the_tuple_of_autograd_grad() -> None:
    assert [(e.kind, e.text) for e in entries_of(GRADS)] == [
        ("out", "(tensor([5.]), tensor([2.]))\n")]


@pytest.mark.parametrize("after, refused", [
    ("z = g[0]\n", "indexing"),
    ("z = torch.mul(g, 2)\n", "print() may show"),
    ("k = torch.autograd.grad(y, [w, x], create_graph=True)\n", "retain_graph"),
    ("k = torch.autograd.grad(y, [w, torch.add(w, 1)])\n", "named by a variable"),
])
def test_the_gradients_of_autograd_grad_may_only_be_printed(after: str, refused: str) -> None:
    with pytest.raises(CodeImportError) as error:
        parse_live(GRADS + after)
    assert refused in error.value.message and error.value.line == 7


@pytest.mark.parametrize("text", [
    GRADS.replace(", retain_graph=True", "") + "y.backward()\n",  # torch: graph freed
    GRADS.replace("g = ", "y.backward()\ng = "),  # torch: graph freed by backward
])
def test_a_freed_graph_is_not_shown(text: str) -> None:
    assert entries_of(text)[-1].kind == "unsupported"


def test_autograd_grad_of_one_input_is_a_grad_node_its_tuple_printable() -> None:
    text = """import torch
x = torch.tensor([3.], requires_grad=True)
y = torch.pow(x, 3)
g = torch.autograd.grad(y, x, create_graph=True)
h = torch.autograd.grad(g[0], [x])[0]
print(g, h)
"""
    parse = parse_live(text)
    assert [node.type for node in parse.doc.nodes].count("grad") == 2
    assert [(e.kind, e.text) for e in entries_of(text)] == [
        ("out", "(tensor([27.], grad_fn=<MulBackward0>),) tensor([18.])\n")]


def test_the_code_says_how_backward_is_called_and_an_undo_takes_it_back() -> None:
    doc, code = GraphDocument(), LiveCode()
    once = "import torch\nw = torch.tensor([1., 2.], requires_grad=True)\ny = torch.mul(w, 3)\n"
    typed(doc, code, once)
    weighted = once + ("y.backward(gradient=torch.tensor([1., 2.]), retain_graph=True)\n"
                       "y.backward(gradient=torch.tensor([1., 2.]))\n")
    typed(doc, code, weighted)
    assert doc.backward.passes == 2 and doc.backward.gradient == [1.0, 2.0]
    assert evaluate_document(doc).nodes[by_label(doc)["w"]].grad.tolist() == [6.0, 12.0]
    doc.set_backward(doc.backward.backward_again())  # "Backward again" on the canvas
    typed(doc, code, weighted.replace("torch.mul(w, 3)", "torch.mul(w, 4)"))
    assert doc.backward.passes == 3  # the code's backward lines did not change: it stays
    typed(doc, code, weighted)
    command = typed(doc, code, once)
    assert doc.backward.is_default
    command.undo()
    assert doc.backward.passes == 3


def test_deleting_a_doubled_line_rewires_to_the_name_left_and_undoes() -> None:
    doc, code = GraphDocument(), LiveCode()
    leaf = "w = torch.tensor([1.], requires_grad=True)\n"
    doubled = "import torch\n" + leaf + leaf + "a = torch.add(w, 1)\n"
    typed(doc, code, doubled)
    wired_before = doc.inputs_of(by_label(doc)["a"])
    command = typed(doc, code, doubled.replace(leaf, "", 1))
    assert len([node for node in doc.nodes if node.label == "w"]) == 1
    assert doc.inputs_of(by_label(doc)["a"])[0] == by_label(doc)["w"]
    command.undo()
    assert doc.inputs_of(by_label(doc)["a"]) == wired_before


def test_weights_and_gradients_after_optimizer_step_are_not_guessed() -> None:
    text = """import torch
net = torch.nn.Linear(1, 1)
x = torch.tensor([[2.]])
loss = torch.sum(net(x))
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
loss.backward()
print(net.bias.grad)
optimizer.step()
print(loss.shape)
print(net.weight)
optimizer.zero_grad()
print(net.weight.grad)
"""
    assert [(e.kind, e.line) for e in entries_of(text)] == [
        ("out", 7), ("out", 9), ("unsupported", 10), ("unsupported", 12)]
    assert entries_of(text)[0].text == "tensor([1.])\n"
