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


def test_evaluation_copies_share_the_nodes_no_edit_changed() -> None:
    """At 5,000 nodes a copy for the worker, the autosave and the Code dock took 5-14 ms of the
    GUI thread each; a node unchanged since the last copy is handed out again."""
    doc = lesson()
    first = doc.evaluation_copy()
    doc.set_field("w", "value", [5.0])
    second = doc.evaluation_copy(notes=True)
    assert second.node("x") is first.node("x") and second.node("a") is first.node("a")
    assert second.node("w") is not first.node("w")
    assert first.node("w").value == [1.0] and second.node("w").value == [5.0]
    assert doc.node("x") is not second.node("x")  # the document keeps its own nodes


def test_every_kind_of_node_edit_reaches_the_next_copy_only() -> None:
    doc = lesson()
    doc.add_node(Node("s", "sum", "s", params={"dim": 0}))
    doc.add_node(Node("lin", "Linear", "lin", params={"in_features": 1, "out_features": 1},
                      state={"weight": [[1.0]], "bias": [0.0]}))
    old = doc.evaluation_copy()
    doc.set_field("x", "label", "input")
    doc.set_param("s", "dim", None)
    doc.move_node("a", (40.0, 50.0))
    doc.set_module("lin", {"in_features": 1, "out_features": 1},
                   {"weight": [[2.0]], "bias": [1.0]})
    new = doc.evaluation_copy()
    assert (new.node("x").label, old.node("x").label) == ("input", "x")
    assert new.node("s").params == {} and old.node("s").params == {"dim": 0}
    assert new.node("a").pos == (40.0, 50.0) and old.node("a").pos == (0.0, 0.0)
    assert new.node("lin").state["weight"] == [[2.0]] and old.node("lin").state["weight"] == [[1.0]]
    doc.remove_node("y")
    doc.add_node(Node("y", "exp", "y"))
    assert doc.evaluation_copy().node("y").type == "exp"


def test_a_copy_changed_by_its_own_methods_changes_no_other_copy() -> None:
    """The trainer edits its copy (set_field of each step's values): the node is copied first,
    so the document and the other copies keep theirs."""
    doc = lesson()
    model, other = doc.evaluation_copy(), doc.evaluation_copy()
    assert model.node("w") is other.node("w")
    model.set_field("w", "value", [9.0])
    model.move_node("x", (1.0, 2.0))
    assert model.node("w").value == [9.0] and model.node("x").pos == (1.0, 2.0)
    assert other.node("w").value == [1.0] and other.node("x").pos == (0.0, 0.0)
    assert doc.node("w").value == [1.0] and doc.evaluation_copy().node("w").value == [1.0]
    again = model.evaluation_copy()
    model.set_field("w", "value", [3.0])
    assert again.node("w").value == [9.0]


def test_ancestors_are_what_depends_on_answers() -> None:
    doc = lesson()
    doc.add_node(Node("b", "exp", "b"))
    doc.connect("x", "b", 0)
    for node_id in ("w", "x", "a", "y", "b"):
        assert doc.ancestors(node_id) == {other for other in ("w", "x", "a", "y", "b")
                                          if doc.depends_on(node_id, other)}
    assert doc.ancestors("y") == {"y", "a", "w", "x"}
