"""The registry is the one place an operation is described: the evaluator, the code importer and
the exporter read its special handling there, so adding an op is one entry plus its tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.codeio import export_code, importer
from app.evaluate import evaluate_document
from app.model import GraphDocument, Node
from app.registry import NODE_TYPES, NodeType, ParamSpec, PortSpec

APP = Path(__file__).resolve().parent.parent / "app"
#: The modules that turn a node into a call, a call into a node, or a node into code.
READERS = ("evaluate/calls.py", "evaluate/evaluator.py", "codeio/exporter.py",
           "codeio/importer.py")
#: Python's operators name the op they stand for (a @ b is matmul, -a is neg, a > b is gt): a
#: table of syntax.
OPERATOR_TABLE = {("codeio/importer.py", op)
                  for op in ("add", "sub", "mul", "div", "pow", "matmul", "neg",
                             "gt", "ge", "lt", "le", "eq", "ne")}


@pytest.mark.parametrize("module", READERS)
def test_no_reader_names_an_operation(module: str) -> None:
    ops = {name for name, spec in NODE_TYPES.items() if spec.is_op}
    tree = ast.parse((APP / module).read_text(encoding="utf-8"))
    named = {node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and node.value in ops}
    assert {(module, name) for name in named} <= OPERATOR_TABLE


def concat_type() -> NodeType:
    """torch.concat, declared as cat is: a new op is this entry and nothing else."""
    return NodeType("concat", "Shape", "concat", (PortSpec("tensor0"), PortSpec("tensor1")),
                    (ParamSpec("dim", "int", 0),), "concat", "cat under its other name",
                    sequence_input=True, result_size="concatenation", method=False)


def test_a_new_entry_is_evaluated_and_exported_from_its_declaration(monkeypatch) -> None:
    monkeypatch.setitem(NODE_TYPES, "concat", concat_type())
    doc = GraphDocument()
    doc.add_node(Node("a", "tensor", "a", value=[1.0, 2.0], requires_grad=True))
    doc.add_node(Node("b", "tensor", "b", value=[3.0], requires_grad=True))
    doc.add_node(Node("c", "concat", "c"))
    doc.add_node(Node("s", "sum", "s"))
    doc.connect_many([("a", "c", 0), ("b", "c", 1), ("c", "s", 0)])
    doc.set_output("s")
    result = evaluate_document(doc)
    assert result.nodes["c"].value.tolist() == [1.0, 2.0, 3.0]
    assert result.nodes["c"].grad_fn == "CatBackward0"
    assert result.nodes["a"].grad.tolist() == [1.0, 1.0]
    assert "c = torch.concat([a, b], dim=0)" in export_code(doc).splitlines()


def test_the_importer_tables_come_from_the_registry() -> None:
    assert set(importer._METHODS) == {t.function for t in NODE_TYPES.values()
                                      if t.is_op and t.method and "." not in t.function}
    assert {name: t.name for name, t in importer._TWO_TENSOR_FORMS.items()} == {
        "max": "maximum", "min": "minimum"}
    assert {"relu", "tanh", "mse_loss"} <= set(importer._FUNCTIONAL)
    assert sorted(importer._VALUES_ALONG_DIM) == ["max"]


def test_call_params_fill_defaults_and_drop_keepdim_without_dim() -> None:
    total = NODE_TYPES["sum"]
    assert total.call_params({}) == {}
    assert total.call_params({"keepdim": True}) == {}
    assert total.call_params({"dim": 0, "keepdim": True}) == {"dim": 0, "keepdim": True}
    assert NODE_TYPES["reshape"].call_params({"shape": [2, -1]}) == {"shape": (2, -1)}
    assert NODE_TYPES["add"].call_params({}) == {"alpha": 1}
    assert NODE_TYPES["pow"].default("exponent") == 2.0
