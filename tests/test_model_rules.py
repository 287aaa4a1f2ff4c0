"""The document's rules (app/model/rules.py): one rule, one refusal, in the model and in a file."""

from __future__ import annotations

import json

import pytest

from app.fileio import FileFormatError, dumps_document, loads_document
from app.model import (
    DTYPES,
    GraphDocument,
    InvalidValueError,
    Node,
    PortError,
    UnknownNodeTypeError,
    rules,
)
from app.registry import NODE_TYPES


@pytest.fixture
def doc() -> GraphDocument:
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", "w", value=[1.0], requires_grad=True))
    doc.add_node(Node("s", "sum", "s"))
    doc.add_node(Node("r", "reshape", "r"))
    doc.add_node(Node("p", "pow", "p"))
    return doc


def file_refusal(doc: GraphDocument, change) -> str:
    """The reader's message for the saved ``doc`` after ``change(data)`` edited its JSON."""
    data = json.loads(dumps_document(doc))
    change(data)
    with pytest.raises(FileFormatError) as caught:
        loads_document(json.dumps(data))
    return str(caught.value)


def test_a_dtype_is_refused_in_the_same_words_by_the_model_and_a_file(doc) -> None:
    with pytest.raises(InvalidValueError) as caught:
        doc.set_field("w", "dtype", "float16")
    assert str(caught.value) == "dtype: expected one of float32, float64, int64, got 'float16'"
    with pytest.raises(InvalidValueError):
        doc.add_node(Node("v", "tensor", dtype="complex64"))
    message = file_refusal(doc, lambda data: data["nodes"][0].update(dtype="float16"))
    assert message == f"nodes[0] (id 'w').{caught.value}"
    assert doc.node("w").dtype == "float32" and not doc.has_node("v")


def test_params_are_checked_by_name_and_value(doc) -> None:
    with pytest.raises(InvalidValueError, match=r"^sum has no parameter 'alpha' "
                                                r"\(it has: dim, keepdim\)$"):
        doc.set_param("s", "alpha", 2)
    with pytest.raises(InvalidValueError, match=r"^dim: expected an integer, got 'x'$"):
        doc.set_param("s", "dim", "x")
    with pytest.raises(InvalidValueError, match=r"^keepdim: expected true or false, got 1$"):
        doc.set_param("s", "keepdim", 1)
    with pytest.raises(InvalidValueError, match=r"^exponent: expected a finite number, got inf$"):
        doc.set_param("p", "exponent", float("inf"))
    with pytest.raises(InvalidValueError, match="only one size can be -1"):
        doc.set_param("r", "shape", [-1, -1])
    assert doc.node("s").params == {} and doc.node("p").params == {}
    message = file_refusal(doc, lambda data: data["nodes"][1]["params"].update(dim="x"))
    assert message == "nodes[1] (id 's').params.dim: expected an integer, got 'x'"


def test_a_shape_is_held_as_a_tuple_and_none_unsets_a_param(doc) -> None:
    doc.set_param("r", "shape", [2, -1])
    assert doc.node("r").params == {"shape": (2, -1)}
    assert loads_document(dumps_document(doc)).node("r").params == {"shape": (2, -1)}
    doc.set_param("s", "dim", 0)
    assert doc.set_param("s", "dim", None) == 0
    assert doc.node("s").params == {}


def test_ports_are_refused_in_the_same_words_by_the_model_and_a_file(doc) -> None:
    with pytest.raises(PortError, match=r"^s \(sum\) has inputs 0..0, not 1$"):
        doc.connect("w", "s", 1)
    with pytest.raises(PortError, match=r"^w is a tensor node and has no inputs$"):
        doc.connect("s", "w", 0)
    doc.connect("w", "s", 0)
    message = file_refusal(doc, lambda data: data["edges"][0].update(port=1))
    assert message == "edges[0].port: node 's' (sum) has inputs 0..0, not 1"


def test_only_the_editable_fields_can_be_set(doc) -> None:
    for name in rules.EDITABLE_FIELDS:
        doc.check_set_field("w", name, "float64" if name == "dtype" else getattr(
            doc.node("w"), name))
    for name in ("pos", "params", "type", "id"):
        with pytest.raises(InvalidValueError, match=f"a node has no editable field '{name}'"):
            doc.set_field("w", name, None)
    with pytest.raises(UnknownNodeTypeError):
        doc.check_add_node(Node("q", "conv2d"))


def test_every_kind_lists_its_fields_and_every_op_its_params() -> None:
    assert set(rules.KIND_FIELDS) == {t.kind for t in NODE_TYPES.values()}
    assert rules.DTYPES is DTYPES
    assert rules.param_names(NODE_TYPES["pow"]) == ["exponent"]
    assert rules.param_names(NODE_TYPES["sum"]) == ["dim", "keepdim"]
    assert rules.param_names(NODE_TYPES["tensor"]) == []
