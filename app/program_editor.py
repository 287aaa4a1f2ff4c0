"""ProgramEditor: the edits of how the graph runs, each one undo step on the controller's stack.

The autograd class calls backward with a weighting ``gradient``, calls it again to show that
gradients accumulate, zeroes them, and contrasts dynamic with static graphs. Those edits change
the document's program state (:mod:`app.model.backward_plan`, ``mode``, ``trace``) rather than a
node, so they live here beside the controller: the controller owns one ``ProgramEditor`` as
``controller.program``, and the Graph menu (app/ui/program_actions.py) and the inspector call it.
Refusals become a ``message`` for the status bar, as the controller's own edits do.
"""

from __future__ import annotations

from typing import Any

from app.commands import SetProgramCommand
from app.commands.graph_commands import describe_value
from app.evaluate import evaluate_document
from app.model import GraphDocument, GraphError
from app.model.backward_plan import BackwardPlan


class ProgramEditor:
    """Pushes :class:`SetProgramCommand` edits for ``controller`` (a DocumentController)."""

    def __init__(self, controller: Any) -> None:
        self.controller = controller

    @property
    def document(self) -> GraphDocument:
        return self.controller.document

    def _push_plan(self, plan: BackwardPlan, text: str) -> bool:
        doc = self.document
        try:
            doc.check_backward(plan)
        except GraphError as exc:
            self.controller.message.emit(str(exc))
            return False
        if plan == doc.backward:
            return True
        self.controller.undo_stack.push(
            SetProgramCommand(doc, text, (plan, doc.mode, doc.trace)))
        return True

    # ---------------------------------------------------------------- backward
    def set_gradient(self, gradient: Any) -> bool:
        """``output.backward(gradient=...)``: the weights of a non-scalar output (None: none)."""
        text = ("Clear backward gradient" if gradient is None
                else f"Set backward gradient to {describe_value(gradient)}")
        return self._push_plan(self.document.backward.with_gradient(gradient), text)

    def backward_again(self) -> bool:
        """One more backward pass, without zeroing: the leaves' .grad grow by one more pass."""
        doc = self.document
        if doc.output is None:
            self.controller.message.emit("Set an output first: backward starts there")
            return False
        plan = doc.backward.backward_again()
        return self._push_plan(plan, f"Backward again (pass {plan.passes})")

    def zero_grad(self, set_to_none: bool = False) -> bool:
        """Zero the .grad of every leaf that has one (``w.grad.zero_()``), a layer's weight and
        bias included, or set it to None (``w.grad = None``, what ``optimizer.zero_grad()`` and
        ``net.zero_grad()`` do). A leaf whose .grad is None is left alone: ``w.grad.zero_()`` on
        it is Python's AttributeError."""
        doc = self.document
        result = self.controller.evaluate_now()
        leaves = tuple(node.id for node in doc.nodes
                       if node.type == "tensor" and node.requires_grad
                       and (outcome := result.nodes.get(node.id)) is not None
                       and outcome.grad is not None)
        parameters = tuple((node.id, name) for node in doc.nodes if node.spec.state
                           and (outcome := result.nodes.get(node.id)) is not None
                           for name, tensor in (outcome.state or {}).items()
                           if tensor.grad is not None)
        if not leaves and not parameters:
            self.controller.message.emit("No leaf has a .grad yet: there is nothing to zero")
            return False
        plan = doc.backward.zero_grad(leaves, set_to_none, parameters)
        return self._push_plan(plan, "Zero grad" + (" (set to None)" if set_to_none else ""))

    def reset_backward(self) -> bool:
        """One backward pass again (the weighting gradient stays)."""
        plan = BackwardPlan(gradient=self.document.backward.gradient)
        return self._push_plan(plan, "Reset backward to one pass")

    # ----------------------------------------------------------- dynamic, static
    def set_mode(self, mode: str) -> bool:
        """"dynamic": every edit runs the graph; "static": only Run does (define, then run)."""
        doc = self.document
        if mode not in ("dynamic", "static"):
            self.controller.message.emit(f"No graph mode {mode!r}")
            return False
        if mode != doc.mode:
            text = "Static graph (define, then run)" if mode == "static" else "Dynamic graph"
            self.controller.undo_stack.push(
                SetProgramCommand(doc, text, (doc.backward, mode, doc.trace)))
        return True

    def run(self) -> bool:
        """Run the static graph as it is now (not an edit: nothing to undo)."""
        doc = self.document
        if doc.mode != "static":
            self.controller.message.emit("Run is for a static graph: a dynamic one runs "
                                         "on every edit")
            return False
        doc.run_static()
        return True

    def trace(self) -> bool:
        """Freeze each branch on the side the current data takes (``torch.jit.trace``): the
        traced graph keeps computing that side when the data would take the other."""
        doc = self.document
        if not any(node.spec.control == "choose" for node in doc.nodes):
            self.controller.message.emit("Nothing to trace: the graph has no branch node")
            return False
        # the sides the current data takes, run dynamically (a static graph may not be run yet)
        now = doc.evaluation_copy()
        now.set_mode("dynamic")
        now.set_trace(None)
        decisions = dict(evaluate_document(now).decisions)
        if not decisions:
            self.controller.message.emit("No branch ran: fix the graph's errors first")
            return False
        if decisions == doc.trace:
            return True
        self.controller.undo_stack.push(
            SetProgramCommand(doc, "Trace", (doc.backward, doc.mode, decisions)))
        return True

    def clear_trace(self) -> bool:
        doc = self.document
        if doc.trace is not None:
            self.controller.undo_stack.push(
                SetProgramCommand(doc, "Clear trace", (doc.backward, doc.mode, None)))
        return True
