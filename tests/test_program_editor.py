"""ProgramEditor (controller.program): how the graph runs, edited as undo steps, with refusals."""

from __future__ import annotations

import pytest
from test_controller import build_lesson

from app.controller import DocumentController


@pytest.fixture
def controller(qtbot) -> DocumentController:
    return DocumentController()


def messages(controller: DocumentController) -> list[str]:
    said: list[str] = []
    controller.message.connect(said.append)
    return said


def test_each_program_edit_is_one_undo_step_and_undo_restores_the_document(controller):
    ids = build_lesson(controller)
    program = controller.program
    start = controller.document.snapshot()
    count = controller.undo_stack.count()
    assert program.backward_again()
    assert program.zero_grad(set_to_none=True)
    assert program.set_gradient([2.0])
    assert program.set_mode("static")
    assert controller.undo_stack.count() == count + 4
    plan = controller.document.backward
    assert [step.kind for step in plan.steps] == ["backward", "backward", "zero_grad"]
    assert plan.steps[0].retain_graph and plan.steps[2].set_to_none
    assert plan.steps[2].nodes == (ids["w"], ids["x"])
    assert plan.gradient == [2.0]
    assert controller.document.mode == "static"
    for _ in range(4):
        controller.undo_stack.undo()
    assert controller.document.snapshot() == start
    controller.undo_stack.redo()
    assert controller.evaluate_now().nodes[ids["w"]].grad.tolist() == [10.0]


def test_refusals_say_why_and_push_nothing(controller):
    said = messages(controller)
    program = controller.program
    assert not program.backward_again()  # an empty graph: no output
    ids = build_lesson(controller)
    count = controller.undo_stack.count()
    assert not program.trace()
    assert not program.run()
    assert not program.set_mode("eager")
    controller.set_field(ids["w"], "requires_grad", False)
    controller.set_field(ids["x"], "requires_grad", False)
    count += 2
    assert not program.zero_grad()
    assert controller.undo_stack.count() == count
    assert said == ["Set an output first: backward starts there",
                    "Nothing to trace: the graph has no branch node",
                    "Run is for a static graph: a dynamic one runs on every edit",
                    "No graph mode 'eager'",
                    "No leaf has a .grad yet: there is nothing to zero"]


def test_zero_grad_leaves_a_leaf_without_grad_alone(controller):
    ids = build_lesson(controller)
    spare = controller.add_node("tensor", (0, 500), label="v", value=[1.0], requires_grad=True)
    assert controller.program.zero_grad()
    assert controller.document.backward.steps[-1].nodes == (ids["w"], ids["x"])
    result = controller.evaluate_now()
    assert result.nodes[ids["w"]].grad.tolist() == [0.0]
    assert result.nodes[spare].grad is None
