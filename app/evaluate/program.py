"""The parts of an evaluation that run the program around the graph's operations (no Qt).

:class:`~app.evaluate.evaluator._Evaluation` runs one forward and one backward; this mixin adds
what the autograd class needs beyond that, each as PyTorch code would do it:

- the program order of :func:`app.model.control_flow.execution_program`: branch nodes are
  Python's ``if``, whose untaken side does not run at all (its nodes say so), and in-place nodes
  run after the other readers of the tensor they change;
- grad nodes, ``torch.autograd.grad(outputs, inputs, create_graph=...)[0]``;
- the backward plan of :mod:`app.model.backward_plan`: ``backward(gradient=...,
  retain_graph=...)`` as many times as it says, and ``w.grad.zero_()`` / ``w.grad = None``
  between the passes (on a layer's weight and bias too: ``net.zero_grad()``), so gradients
  accumulate as they do in torch;
- a traced run: the same graph with each branch held to the side it took when traced
  (``decisions``), which is what ``torch.jit.trace`` records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.evaluate import messages
from app.evaluate.results import NodeResult
from app.model import Node
from app.model.control_flow import Branch, Item, Side, flatten

if TYPE_CHECKING:
    from app.evaluate.evaluator import _Evaluation

#: The words of torch's error when backward meets a saved tensor changed in place.
MODIFIED_IN_PLACE = "modified by an inplace operation"


class ProgramRun:
    """Mixed into ``_Evaluation``: program order, branches, grad nodes and the backward plan."""

    # ------------------------------------------------------------------ forward
    def walk(self: _Evaluation, items: list[Item]) -> None:
        """Run the statements of a block in order; an ``if`` runs one of its sides."""
        nodes = self.result.nodes
        for item in items:
            if isinstance(item, Branch):
                self.branch(item)
            else:
                nodes[item] = self.forward(self.doc.node(item))

    def branch(self: _Evaluation, item: Branch) -> None:
        """``if condition:`` the then side, ``else:`` the other; the branch node is the value of
        the side that ran (the very same tensor, as ``y`` is in Python)."""
        node = self.doc.node(item.node_id)
        ports = self.inputs.get(node.id) or [None, None, None]
        nodes = self.result.nodes
        side: Side | None = None
        outcome: NodeResult | None = None
        condition = ports[0]
        if self.decisions is not None and node.id in self.decisions:
            side = "then" if self.decisions[node.id] == "then" else "else"
        elif condition is None:
            outcome = NodeResult(is_leaf=False,
                                 error=messages.NOT_CONNECTED.format(port=node.spec.inputs[0].name))
        elif condition not in self.values:
            outcome = NodeResult(is_leaf=False,
                                 blocked_by=nodes[condition].blocked_by or condition)
        else:
            try:
                side = "then" if bool(self.values[condition]) else "else"
            except Exception as exc:  # torch: a tensor of several values is ambiguous
                outcome = NodeResult(is_leaf=False, error=error_text(exc))
        if side is not None:
            self.walk(item.side(side))
            self.result.decisions[node.id] = side
            outcome = self.take_side(node, ports[1 if side == "then" else 2], side)
        skipped = [side_ for side_ in ("then", "else") if side_ != side]
        for other in skipped:
            template = messages.NOT_TAKEN if side is not None else messages.NOT_DECIDED
            note = template.format(branch=node.display_name, side=side or "")
            for node_id in flatten(item.side(other)):
                nodes[node_id] = NodeResult(is_leaf=False, warning=note, skipped_by=node.id)
        assert outcome is not None
        nodes[node.id] = outcome

    def take_side(self: _Evaluation, node: Node, source: str | None, side: Side) -> NodeResult:
        if source is None:
            port = node.spec.inputs[1 if side == "then" else 2].name
            return NodeResult(is_leaf=False, error=messages.NOT_CONNECTED.format(port=port))
        value = self.values.get(source, self.missing)
        if value is self.missing:
            return NodeResult(is_leaf=False,
                              blocked_by=self.result.nodes[source].blocked_by or source)
        self.values[node.id] = value
        if not self.is_tensor(value):
            return NodeResult(value=self.result.nodes[source].value, is_leaf=False,
                              is_number=True)
        if node.retain_grad and value.requires_grad and value.grad_fn is not None:
            value.retain_grad()
            self.holders.append((node.id, value))
        return self.describe(value)

    def branch_gradients(self: _Evaluation) -> None:
        """A branch node is the tensor of the side it took: the same gradient arrives at both,
        and the taken side's wire carries it all."""
        nodes, edges = self.result.nodes, self.result.edges
        for branch, side in self.result.decisions.items():
            port = 1 if side == "then" else 2
            source = (self.inputs.get(branch) or [None] * 3)[port]
            if source is None or source not in nodes:
                continue
            grad = nodes[source].full_grad
            nodes[branch].full_grad = grad
            if (branch, port) in edges:
                edges[(branch, port)].grad = grad

    def differentiate(self: _Evaluation, node: Node, args: list[Any]) -> Any:
        """``torch.autograd.grad(outputs, inputs, create_graph=..., retain_graph=...)[0]``."""
        keywords: dict[str, Any] = {"create_graph": bool(node.params.get("create_graph"))}
        if node.params.get("retain_graph"):
            keywords["retain_graph"] = True
        return self.engine.autograd.grad(args[0], args[1], **keywords)[0]

    # ----------------------------------------------------------------- backward
    def run_plan(self: _Evaluation, tensor: Any) -> None:
        """The backward plan on the output ``tensor``: each pass, each zeroing, in order. The
        first failure ends the plan, as an exception ends a script."""
        plan = self.doc.backward
        output = self.doc.output
        gradient = None
        if plan.gradient is not None:
            try:
                gradient = self.engine.tensor(plan.gradient, dtype=self.engine.float32)
            except Exception as exc:
                self.result.nodes[output].error = error_text(exc)
                return
        for step in plan.steps:
            if step.kind == "zero_grad":
                if not (self.zero_grads(step.nodes, step.set_to_none)
                        and self.zero_parameter_grads(step.parameters, step.set_to_none)):
                    return
                continue
            keywords: dict[str, Any] = {}
            if gradient is not None:
                keywords["gradient"] = gradient
            if step.retain_graph:
                keywords["retain_graph"] = True
            try:
                self.backward_pass(tensor, keywords)
            except Exception as exc:
                text = error_text(exc)
                self.result.nodes[output].error = text
                if MODIFIED_IN_PLACE in text:  # torch's words: the in-place node caused it
                    for node_id in self.saved_then_modified:
                        self.result.nodes[node_id].error = text
                return
            self.result.backward_passes += 1

    def zero_grads(self: _Evaluation, node_ids: tuple[str, ...], set_to_none: bool) -> bool:
        """``w.grad.zero_()`` (or ``w.grad = None``) for each node; False when one fails, as
        ``None.zero_()`` does on a tensor without a gradient yet."""
        for node_id in node_ids:
            tensor = self.values.get(node_id)
            if not self.is_tensor(tensor):
                continue  # the node did not run (an error, an untaken branch): nothing to zero
            if set_to_none:
                tensor.grad = None
                continue
            if not self.zero_grad_of(tensor, node_id):
                return False
        return True

    def zero_parameter_grads(self: _Evaluation, parameters: tuple[tuple[str, str], ...],
                             set_to_none: bool) -> bool:
        """The same for a layer's parameter tensors (``net.weight.grad.zero_()``): the module
        the evaluation runs holds them, so the passes after this one add to the zeroed .grad."""
        for node_id, name in parameters:
            module = self.modules.get(node_id)
            tensor = None if module is None else dict(module.named_parameters()).get(name)
            if tensor is None:
                continue  # the layer did not run, or holds no such tensor now (bias=False)
            if set_to_none:
                tensor.grad = None
            elif not self.zero_grad_of(tensor, node_id):
                return False
        return True

    def zero_grad_of(self: _Evaluation, tensor: Any, node_id: str) -> bool:
        """``tensor.grad.zero_()``; False, with Python's error on the node, when it fails."""
        try:
            tensor.grad.zero_()
        except Exception as exc:  # AttributeError: 'NoneType' object has no attribute ...
            self.result.nodes[node_id].error = error_text(exc)
            return False
        return True


def error_text(exc: BaseException) -> str:
    """The engine's message, first line only (torch's TypeErrors list every overload below it)."""
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines and lines[0].strip() else type(exc).__name__
