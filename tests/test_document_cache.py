"""The document keeps its topological order and input table until its nodes or wires change."""

from __future__ import annotations

from graphs import graph

from app.model import Node


def lesson() -> object:
    return graph([Node("w", "tensor", "w", value=[1.0]), Node("x", "tensor", "x", value=[2.0]),
                  Node("a", "add", "a"), Node("y", "mul", "y")],
                 [("w", "a", 0), ("x", "a", 1), ("a", "y", 0)], output="y")


def test_order_and_inputs_follow_every_structural_change() -> None:
    doc = lesson()
    assert doc.topological_order() == ["w", "x", "a", "y"]
    assert doc.input_table() == {"a": ["w", "x"], "y": ["a", None]}
    doc.connect("w", "y", 1)
    assert doc.input_table()["y"] == ["a", "w"]
    doc.connect("x", "a", 0)  # replaces w -> a[0]
    assert doc.input_table()["a"] == ["x", "x"]
    doc.disconnect("a", 1)
    assert doc.input_table()["a"] == ["x", None]
    doc.add_node(Node("b", "exp", "b"))
    doc.connect_many([("y", "b", 0)])
    assert doc.topological_order()[-1] == "b" and doc.input_table()["b"] == ["y"]
    doc.remove_node("a")
    assert "a" not in doc.topological_order()
    assert doc.input_table() == {"y": [None, "w"], "b": ["y"]}


def test_a_value_edit_keeps_the_cached_order() -> None:
    doc = lesson()
    order, table = doc.topological_order(), doc.input_table()
    doc.set_field("w", "value", [3.0])
    assert doc.input_table() is table and doc.topological_order() == order


def test_callers_cannot_change_the_cached_order() -> None:
    doc = lesson()
    doc.topological_order().reverse()
    assert doc.topological_order() == ["w", "x", "a", "y"]
