"""The autograd class on the evaluator: weighted and repeated backward, zeroing, grad nodes,
in-place nodes, branch nodes, traced and static graphs. Every graph is also evaluated on torch
itself, which must give the same values, gradients, grad_fn names and errors."""

from __future__ import annotations

from typing import Any

import pytest
from graphs import graph
from test_evaluate import _compare, leaf

from app.evaluate import evaluate_document
from app.model import GraphDocument, Node
from app.model.backward_plan import BackwardPlan, BackwardStep
from app.model.control_flow import Branch, execution_order, execution_program
from tests.oracle import torch

#: The node types that are no elementwise function to differentiate (test_evaluate_ops.py has
#: the others): each is tested here.
PROGRAM_CASES = {
    "grad": "torch.autograd.grad(outputs, inputs)[0]",
    "branch": "Python's if on a tensor",
    "gt": "comparison", "ge": "comparison", "lt": "comparison", "le": "comparison",
    "eq": "comparison", "ne": "comparison",
}

LEAF_VARIABLE_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."
SECOND_TIME = "Trying to backward through the graph a second time"
MODIFIED = ("one of the variables needed for gradient computation has been modified by an "
            "inplace operation: [torch.FloatTensor [1]], which is output 0 of Mul, is at "
            "version 1; expected version 0 instead. Hint: enable anomaly detection to find the "
            "operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def both(doc: GraphDocument) -> Any:
    """The evaluation on cgengine, checked against the one on torch."""
    ours = evaluate_document(doc)
    _compare(ours, evaluate_document(doc, engine=torch))
    return ours


def lesson(**plan: Any) -> GraphDocument:
    """y = (x + w) * (w + 1), backward as ``plan`` says."""
    doc = graph([leaf("w", [1.0]), leaf("x", [2.0]), Node("one", "scalar", "1", value=1),
                 Node("a", "add", "a"), Node("b", "add", "b"), Node("y", "mul", "y")],
                [("w", "a", 0), ("x", "a", 1), ("w", "b", 0), ("one", "b", 1), ("a", "y", 0),
                 ("b", "y", 1)], output="y")
    if plan:
        doc.set_backward(BackwardPlan(**plan))
    return doc


def weighted() -> GraphDocument:
    """The class's grad_tensors example: loss = cat([a * b, a + b]), weighted [1., 2.]."""
    doc = graph([leaf("w", [1.0]), leaf("x", [2.0]), Node("one", "scalar", "1", value=1),
                 Node("a", "add", "a"), Node("b", "add", "b"), Node("y0", "mul", "y0"),
                 Node("y1", "add", "y1"), Node("loss", "cat", "loss")],
                [("w", "a", 0), ("x", "a", 1), ("w", "b", 0), ("one", "b", 1), ("a", "y0", 0),
                 ("b", "y0", 1), ("a", "y1", 0), ("b", "y1", 1), ("y0", "loss", 0),
                 ("y1", "loss", 1)], output="loss")
    doc.set_backward(BackwardPlan(gradient=[1.0, 2.0]))
    return doc


# ------------------------------------------------------------------------- backward plan
def test_weighted_backward_gives_the_classs_nine() -> None:
    result = both(weighted())
    assert result.nodes["w"].grad.tolist() == [9.0]  # 5 * 1 + 2 * 2
    assert result.nodes["x"].grad.tolist() == [4.0]  # 2 * 1 + 1 * 2
    assert result.nodes["loss"].full_grad.tolist() == [1.0, 2.0]  # the gradient is the seed
    assert result.edges[("loss", 1)].grad.tolist() == [2.0]


def test_a_non_scalar_output_without_gradient_is_torchs_error() -> None:
    doc = weighted()
    doc.set_backward(BackwardPlan())
    result = both(doc)
    assert result.nodes["loss"].error == "grad can be implicitly created only for scalar outputs"
    assert result.nodes["w"].grad is None


def test_gradients_accumulate_over_passes_and_zeroing_resets_them() -> None:
    plan = BackwardPlan()
    grads = []
    for _ in range(3):
        result = both(lesson(gradient=plan.gradient, steps=plan.steps))
        grads.append(result.nodes["w"].grad.item())
        plan = plan.backward_again()
    assert grads == [5.0, 10.0, 15.0]
    assert result.backward_passes == 3
    assert result.nodes["w"].full_grad.tolist() == [5.0]  # what the last pass added

    zeroed = lesson(steps=(BackwardStep(retain_graph=True),
                           BackwardStep("zero_grad", nodes=("w",))))
    result = both(zeroed)
    assert result.nodes["w"].grad.tolist() == [0.0]  # torch's zero_(): tensor([0.])
    assert result.nodes["x"].grad.tolist() == [2.0]  # only w was zeroed
    to_none = lesson(steps=(BackwardStep(),
                            BackwardStep("zero_grad", nodes=("w", "x"), set_to_none=True)))
    result = both(to_none)
    assert result.nodes["w"].grad is None and result.nodes["x"].grad is None


def test_a_second_pass_without_retain_graph_is_torchs_error() -> None:
    result = both(lesson(steps=(BackwardStep(), BackwardStep())))
    assert result.nodes["y"].error.startswith(SECOND_TIME)
    assert result.backward_passes == 1
    assert result.nodes["w"].grad.tolist() == [5.0]


def test_zeroing_a_gradient_that_is_none_fails_as_in_python() -> None:
    doc = lesson(steps=(BackwardStep(), BackwardStep("zero_grad", nodes=("a",))))
    result = evaluate_document(doc)
    assert result.nodes["a"].error == "'NoneType' object has no attribute 'zero_'"


# ------------------------------------------------------------------------------ grad node
def second_derivative(create_graph: bool = True) -> GraphDocument:
    return graph([leaf("x", [3.0]), Node("y", "pow", "y"),
                  Node("g1", "grad", "g1", params={"create_graph": create_graph}),
                  Node("g2", "grad", "g2")],
                 [("x", "y", 0), ("y", "g1", 0), ("x", "g1", 1), ("g1", "g2", 0),
                  ("x", "g2", 1)])


def test_grad_nodes_give_the_first_and_the_second_derivative() -> None:
    result = both(second_derivative())
    assert result.nodes["g1"].value.tolist() == [6.0]
    assert result.nodes["g1"].grad_fn == "MulBackward0"
    assert result.nodes["g2"].value.tolist() == [2.0]
    assert result.nodes["g2"].grad_fn is None
    names = [(record.name, record.node_id) for record in result.derivatives["g1"]]
    assert names[0] == ("MulBackward0", "g1") and names[-1] == ("AccumulateGrad", "x")
    assert "g2" not in result.derivatives


def test_without_create_graph_the_derivative_cannot_be_differentiated_again() -> None:
    result = both(second_derivative(create_graph=False))
    assert result.nodes["g1"].grad_fn is None
    assert result.nodes["g2"].error == ("element 0 of tensors does not require grad and does "
                                        "not have a grad_fn")


def test_backward_through_a_derivative() -> None:
    doc = second_derivative()
    doc.remove_node("g2")
    doc.set_output("g1")
    result = both(doc)
    assert result.nodes["x"].grad.tolist() == [2.0]  # d(2x)/dx


# ------------------------------------------------------------------------------ in place
def test_in_place_on_a_plain_tensor_changes_it() -> None:
    doc = graph([leaf("a", [1.0], requires_grad=False), leaf("b", [1.0], requires_grad=False),
                 Node("a2", "add", "a", inplace=True)], [("a", "a2", 0), ("b", "a2", 1)])
    result = both(doc)
    assert result.nodes["a"].value.tolist() == [1.0]  # as the node made it
    assert result.nodes["a2"].value.tolist() == [2.0]
    assert result.nodes["a2"].is_leaf  # the same leaf tensor, changed


def test_a_reader_of_a_change_runs_before_the_tensor_changes_again_under_another_name() -> None:
    """b and c both change a's tensor (b first, in document order): r reads b, so it runs
    before c changes that tensor, though c is called on a, not on b."""
    doc = graph([leaf("a", [1.0], requires_grad=False), Node("one", "scalar", "1", value=1),
                 Node("two", "scalar", "2", value=2), Node("b", "add", "b", inplace=True),
                 Node("c", "mul", "c", inplace=True), Node("r", "neg", "r")],
                [("a", "b", 0), ("one", "b", 1), ("a", "c", 0), ("two", "c", 1), ("b", "r", 0)])
    order = execution_order(doc)
    assert order.index("b") < order.index("r") < order.index("c")
    result = both(doc)
    assert result.nodes["b"].value.tolist() == [2.0]
    assert result.nodes["r"].value.tolist() == [-2.0]  # b's change, not c's
    assert result.nodes["c"].value.tolist() == [4.0]  # c reads the tensor b left


def test_in_place_on_a_leaf_that_requires_grad_is_refused() -> None:
    doc = graph([leaf("w", [1.0]), Node("one", "scalar", "1", value=1),
                 Node("w2", "add", "w2", inplace=True)], [("w", "w2", 0), ("one", "w2", 1)])
    assert both(doc).nodes["w2"].error == LEAF_VARIABLE_ERROR


def test_a_saved_tensor_changed_in_place_fails_backward_on_the_node_that_changed_it() -> None:
    doc = lesson()
    doc.add_node(Node("two", "scalar", "2", value=2))
    doc.add_node(Node("a2", "mul", "a2", inplace=True))
    doc.connect("a", "a2", 0)
    doc.connect("two", "a2", 1)
    assert execution_order(doc).index("y") < execution_order(doc).index("a2")
    result = both(doc)
    assert result.nodes["a2"].error == MODIFIED
    assert result.nodes["y"].error == MODIFIED
    assert result.nodes["a2"].grad_fn == "MulBackward0"


def test_in_place_before_any_reader_saves_it_is_fine() -> None:
    doc = graph([leaf("w", [1.0]), Node("three", "scalar", "3", value=3), Node("e", "mul", "e"),
                 Node("two", "scalar", "2", value=2), Node("e2", "mul", "e2", inplace=True),
                 Node("s", "sum", "s")],
                [("w", "e", 0), ("three", "e", 1), ("e", "e2", 0), ("two", "e2", 1),
                 ("e2", "s", 0)], output="s")
    result = both(doc)
    assert result.nodes["e"].value.tolist() == [3.0] and result.nodes["e2"].value.tolist() == [6.0]
    assert result.nodes["w"].grad.tolist() == [6.0]
    assert result.edges[("e2", 0)].grad.tolist() == [2.0]
    assert result.edges[("e", 0)].grad.tolist() == [6.0]


def test_exp_saves_its_result_so_changing_it_in_place_fails() -> None:
    doc = graph([leaf("w", [1.0]), Node("e", "exp", "e"), Node("two", "scalar", "2", value=2),
                 Node("e2", "mul", "e2", inplace=True), Node("s", "sum", "s")],
                [("w", "e", 0), ("e", "e2", 0), ("two", "e2", 1), ("e2", "s", 0)], output="s")
    result = both(doc)
    assert "which is output 0 of Exp" in result.nodes["s"].error
    assert result.nodes["e2"].error == result.nodes["s"].error


# ------------------------------------------------------------------------------- branches
def branching(x: list[float]) -> GraphDocument:
    """if x.sum() > 0: y = x * w else: y = x * v; loss = y.sum()."""
    return graph([leaf("x", x), leaf("w", [3.0]), leaf("v", [0.5]), Node("s", "sum", "s"),
                  Node("zero", "scalar", "0", value=0), Node("c", "gt", "c"),
                  Node("p", "mul", "p"), Node("n", "mul", "n"), Node("y", "branch", "y"),
                  Node("loss", "sum", "loss")],
                 [("x", "s", 0), ("s", "c", 0), ("zero", "c", 1), ("x", "p", 0),
                  ("w", "p", 1), ("x", "n", 0), ("v", "n", 1), ("c", "y", 0), ("p", "y", 1),
                  ("n", "y", 2), ("y", "loss", 0)], output="loss")


def test_the_branch_taken_depends_on_the_data() -> None:
    positive = both(branching([1.0, 2.0]))
    assert positive.decisions == {"y": "then"}
    assert positive.nodes["w"].grad.tolist() == [3.0] and positive.nodes["v"].grad is None
    assert positive.nodes["n"].value is None
    assert positive.nodes["n"].warning == "not evaluated: the if y took the then branch"
    assert [r.name for r in positive.autograd] == ["SumBackward0", "MulBackward0",
                                                   "AccumulateGrad", "AccumulateGrad"]
    assert {r.node_id for r in positive.autograd} == {"loss", "p", "x", "w"}
    assert positive.edges[("y", 1)].grad.tolist() == [1.0, 1.0]
    assert positive.edges[("y", 2)].grad is None

    negative = both(branching([1.0, -2.0]))
    assert negative.decisions == {"y": "else"}
    assert negative.nodes["v"].grad.tolist() == [-1.0] and negative.nodes["w"].grad is None
    assert negative.nodes["p"].skipped_by == "y"
    assert {r.node_id for r in negative.autograd} == {"loss", "n", "x", "v"}


def test_a_condition_of_several_values_is_torchs_error() -> None:
    doc = branching([1.0, 2.0])
    doc.disconnect("c", 0)
    doc.connect("x", "c", 0)
    result = both(doc)
    assert result.nodes["y"].error == "Boolean value of Tensor with more than one value is " \
                                      "ambiguous"
    assert result.nodes["p"].warning == ("not evaluated: the if y could not decide which "
                                         "branch to take")
    assert result.nodes["loss"].blocked_by == "y"


def test_a_trace_keeps_the_branch_it_took_whatever_the_data() -> None:
    doc = branching([1.0, 2.0])
    doc.set_trace({"y": "then"})
    doc.set_field("x", "value", [1.0, -2.0])  # the data would now take the other branch
    result = evaluate_document(doc)
    assert result.decisions == {"y": "else"}
    assert result.nodes["loss"].value.item() == pytest.approx(-0.5)  # (1 - 2) * 0.5
    traced = result.traced
    assert traced is not None and traced.decisions == {"y": "then"}
    assert traced.nodes["loss"].value.item() == pytest.approx(-3.0)  # (1 - 2) * 3
    assert traced.nodes["w"].grad.tolist() == [-1.0]


def test_nested_branches_make_nested_blocks() -> None:
    doc = branching([1.0, 2.0])
    doc.add_node(Node("z", "branch", "z"))
    doc.add_node(Node("q", "exp", "q"))
    doc.disconnect("loss", 0)
    for src, dst, port in [("c", "z", 0), ("y", "z", 1), ("q", "z", 2), ("x", "q", 0),
                           ("z", "loss", 0)]:
        doc.connect(src, dst, port)
    program = execution_program(doc)
    outer = next(item for item in program if isinstance(item, Branch))
    assert outer.node_id == "z" and outer.otherwise == ["q"]
    inner = outer.then[0]
    assert isinstance(inner, Branch) and inner.node_id == "y"
    assert inner.then == ["p"] and inner.otherwise == ["n"]
    result = both(doc)
    assert result.decisions == {"y": "then", "z": "then"}
    assert result.nodes["q"].skipped_by == "z"


def test_comparisons_are_bool_tensors() -> None:
    for op, expected in [("gt", [False, True]), ("ge", [True, True]), ("lt", [False, False]),
                         ("le", [True, False]), ("eq", [True, False]), ("ne", [False, True])]:
        doc = graph([leaf("x", [1.0, 2.0]), Node("one", "scalar", "1", value=1),
                     Node("c", op, "c")], [("x", "c", 0), ("one", "c", 1)])
        result = both(doc)
        assert result.nodes["c"].value.tolist() == expected, op
        assert result.nodes["c"].dtype == "bool" and result.nodes["c"].grad_fn is None


# ------------------------------------------------------------------------------ static mode
def test_a_static_graph_runs_only_on_run() -> None:
    doc = lesson()
    doc.set_mode("static")
    assert evaluate_document(doc).nodes["y"].warning == ("not run yet: a static graph runs "
                                                         "only when you press Run")
    doc.run_static()
    assert evaluate_document(doc).nodes["y"].value.tolist() == [6.0]
    doc.set_field("x", "value", [3.0])
    doc.add_node(Node("later", "exp", "later"))
    result = evaluate_document(doc)
    assert result.nodes["y"].value.tolist() == [6.0]  # defined, not run yet
    assert result.nodes["later"].warning.startswith("not run yet")
    doc.run_static()
    assert evaluate_document(doc).nodes["y"].value.tolist() == [8.0]
