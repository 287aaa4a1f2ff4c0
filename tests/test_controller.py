"""DocumentController: edits through the controller, refusals, evaluation, clipboard, tidy up."""

from __future__ import annotations

import json

import pytest

from app.controller import DocumentController
from app.model import GraphDocument


def build_lesson(controller: DocumentController) -> dict[str, str]:
    """y = (x + w) * (w + 1) through controller calls, as a student would build it."""
    ids = {
        "w": controller.add_node("tensor", (0, 0), label="w", value=[1.0], requires_grad=True),
        "x": controller.add_node("tensor", (0, 170), label="x", value=[2.0], requires_grad=True),
        "one": controller.add_node("scalar", (0, 340), label="1", value=1),
        "a": controller.add_node("add", (290, 0), label="a"),
        "b": controller.add_node("add", (290, 200), label="b"),
        "y": controller.add_node("mul", (580, 100), label="y"),
    }
    for src, dst, port in [("w", "a", 0), ("x", "a", 1), ("w", "b", 0), ("one", "b", 1),
                           ("a", "y", 0), ("b", "y", 1)]:
        assert controller.connect(ids[src], ids[dst], port)
    assert controller.set_output(ids["y"])
    return ids


@pytest.fixture
def controller(qtbot) -> DocumentController:
    return DocumentController()


def test_lesson_graph_evaluates_like_torch(controller):
    ids = build_lesson(controller)
    result = controller.evaluate_now()
    assert result.nodes[ids["y"]].value.tolist() == [6.0]
    assert result.nodes[ids["w"]].grad.tolist() == [5.0]
    assert result.nodes[ids["x"]].grad.tolist() == [2.0]
    assert result.nodes[ids["a"]].grad is None


def test_a_burst_of_changes_is_evaluated_once(controller, qtbot):
    ids = build_lesson(controller)
    controller.evaluate_now()
    results = []
    controller.evaluated.connect(results.append)
    controller.undo_stack.beginMacro("two edits")
    controller.set_field(ids["w"], "value", [2.0])
    controller.set_field(ids["x"], "value", [3.0])
    controller.undo_stack.endMacro()
    assert results == []  # nothing yet: the evaluation waits for the event loop
    with qtbot.waitSignal(controller.evaluated, timeout=2000):
        pass
    qtbot.wait(20)
    assert len(results) == 1
    assert results[0].nodes[ids["y"]].value.tolist() == [15.0]  # (3 + 2) * (2 + 1)


def test_moving_a_node_does_not_re_evaluate(controller, qtbot):
    ids = build_lesson(controller)
    controller.evaluate_now()
    controller.move({ids["w"]: ((0, 0), (10, 20))})
    assert not controller.evaluation_pending
    assert controller.document.node(ids["w"]).pos == (10.0, 20.0)


def test_cycle_is_refused_with_a_message_and_nothing_changes(controller, qtbot):
    ids = build_lesson(controller)
    before = controller.document.snapshot()
    steps = controller.undo_stack.count()
    with qtbot.waitSignal(controller.message) as blocker:
        assert controller.connect(ids["y"], ids["a"], 0) is False
    assert blocker.args == ["wiring y into a would make a cycle; a computational graph has none"]
    assert controller.document.snapshot() == before
    assert controller.undo_stack.count() == steps


def test_refusals_are_messages_not_exceptions(controller, qtbot):
    ids = build_lesson(controller)
    messages: list[str] = []
    controller.message.connect(messages.append)
    assert controller.add_node("no_such_op", (0, 0)) is None
    assert controller.set_field(ids["w"], "dtype", "complex128") is False
    assert controller.set_param(ids["a"], "nonsense", 1) is False
    assert controller.connect(ids["a"], ids["w"], 0) is False
    assert controller.disconnect(ids["y"], 5) is False
    assert controller.rename(ids["w"], "   ") is False
    assert controller.paste("this is not a graph", (0, 0)) == []
    # the document's own refusals (app/model/rules.py), as a file's would word them
    assert messages[:3] == ["unknown node type 'no_such_op'",
                            "dtype: expected one of float32, float64, int64, got 'complex128'",
                            "add has no parameter 'nonsense' (it has: alpha)"]
    assert messages[3:6] == ["w is a tensor node and has no inputs",
                             "There is no wire there to remove", "A node needs a name"]
    assert messages[6].startswith("Cannot paste: invalid JSON at line 1")
    assert len(messages) == 7


def test_copy_is_cgraph_json_of_the_selection_and_its_inner_wires(controller):
    ids = build_lesson(controller)
    data = json.loads(controller.copy([ids["w"], ids["a"]]))
    assert [n["id"] for n in data["nodes"]] == ["w", "a"]
    assert data["edges"] == [{"from": "w", "to": "a", "port": 0}]  # x -> a is not copied
    assert data["notes"] == []


def test_paste_gives_fresh_ids_unique_labels_and_is_one_undo_step(controller, qtbot):
    ids = build_lesson(controller)
    before = controller.document.snapshot()
    steps = controller.undo_stack.count()
    text = controller.copy([ids["w"], ids["a"]])
    with qtbot.waitSignal(controller.selection_requested) as blocker:
        new_ids = controller.paste(text, (1000, 500))
    assert new_ids == ["w1", "a1"]
    assert blocker.args == [["w1", "a1"]]
    doc = controller.document
    assert [doc.node(i).label for i in new_ids] == ["w_2", "a_2"]
    assert doc.node("w1").pos == (1000.0, 500.0)
    assert doc.node("a1").pos == (1290.0, 500.0)
    assert doc.edge_into("a1", 0).src == "w1"
    assert doc.edge_into("a1", 1) is None
    assert controller.undo_stack.count() == steps + 1
    controller.undo_stack.undo()
    assert doc.snapshot() == before


def test_duplicate_offsets_the_copy_and_is_one_undo_step(controller):
    ids = build_lesson(controller)
    note = controller.add_note((0, 500), "remember the chain rule")
    steps = controller.undo_stack.count()
    new_ids = controller.duplicate([ids["x"], note])
    doc = controller.document
    assert new_ids == ["x1", "note1"]
    assert doc.node("x1").pos == (40.0, 210.0)
    assert doc.node("x1").value == [2.0]
    assert doc.note("note1").text == "remember the chain rule"
    assert doc.note("note1").pos == (40.0, 540.0)
    assert controller.undo_stack.count() == steps + 1
    assert controller.undo_stack.undoText() == "Duplicate"


def test_tidy_up_lays_the_graph_out_in_layers_as_one_undo_step(controller):
    ids = build_lesson(controller)
    # scramble the layout: y left of everything, the leaves on the right
    controller.move({ids["y"]: ((580, 100), (-500, 900)), ids["w"]: ((0, 0), (900, 0))})
    controller.tidy_up(lambda _node_id: (220.0, 100.0), lambda _edge: 0.0)
    doc = controller.document
    x_of = {name: doc.node(node_id).pos[0] for name, node_id in ids.items()}
    assert x_of["w"] == x_of["x"] == x_of["one"] == -500.0  # from the old top-left corner
    assert x_of["one"] < x_of["a"] == x_of["b"] < x_of["y"]
    column = sorted(doc.node(ids[n]).pos[1] for n in ("w", "x", "one"))
    assert column[1] - column[0] >= 100.0 and column[2] - column[1] >= 100.0  # no overlap
    assert controller.undo_stack.undoText() == "Tidy up"
    controller.undo_stack.undo()
    assert doc.node(ids["y"]).pos == (-500.0, 900.0)


def test_clean_state_follows_the_undo_stack(controller):
    assert not controller.is_modified()
    ids = build_lesson(controller)
    assert controller.is_modified()
    controller.mark_saved()
    assert not controller.is_modified()
    controller.rename(ids["w"], "weight")
    assert controller.is_modified()
    controller.undo_stack.undo()
    assert not controller.is_modified()


def test_replace_document_clears_history_and_re_evaluates(controller, qtbot):
    build_lesson(controller)
    other = GraphDocument()
    with qtbot.waitSignal(controller.evaluated, timeout=2000) as blocker:
        controller.replace_document(other)
    assert controller.document is other
    assert controller.undo_stack.count() == 0
    assert blocker.args[0].nodes == {}
    assert not controller.is_modified()


def test_an_engine_failure_becomes_a_message(controller, qtbot, monkeypatch):
    build_lesson(controller)

    def broken(_doc, **_options):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr("app.scheduler.evaluate_document", broken)
    with qtbot.waitSignal(controller.message) as blocker:
        result = controller.evaluate_now()
    assert blocker.args == ["Evaluation failed: engine exploded"]
    assert result.nodes == {}


def test_set_values_with_one_key_stay_one_undo_step(controller, qtbot):
    ids = build_lesson(controller)
    stack = controller.undo_stack
    steps = stack.count()
    run = object()
    assert controller.set_values({ids["w"]: [2.0], ids["x"]: [3.0]}, "Train 1 step", run)
    assert controller.set_values({ids["w"]: [4.0]}, "Train 2 steps", run)
    assert stack.count() == steps + 1 and stack.undoText() == "Train 2 steps"
    doc = controller.document
    assert (doc.node(ids["w"]).value, doc.node(ids["x"]).value) == ([4.0], [3.0])
    assert controller.set_values({ids["w"]: [5.0]}, "Reset training")  # no key: its own step
    assert stack.count() == steps + 2
    stack.undo()
    stack.undo()
    assert (doc.node(ids["w"]).value, doc.node(ids["x"]).value) == ([1.0], [2.0])
    stack.redo()
    assert (doc.node(ids["w"]).value, doc.node(ids["x"]).value) == ([4.0], [3.0])
    assert controller.set_values({ids["w"]: [4.0]}, "nothing changes")
    assert stack.count() == steps + 2 and stack.canRedo()  # no change: nothing pushed
    messages: list[str] = []
    controller.message.connect(messages.append)
    assert not controller.set_values({"ghost": [1.0]}, "Train 1 step")
    assert messages == ["no node with id 'ghost'"]
