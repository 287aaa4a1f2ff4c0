"""How backward is called on the output: the weighting gradient and the passes, as plain data.

A document's output is where ``backward()`` starts. The lesson calls it once, but the class on
autograd calls it with a ``gradient`` (grad_tensors, which a non-scalar output needs), calls it
again without zeroing to show that gradients accumulate, and zeroes them between passes::

    y.backward(gradient=torch.tensor([1., 2.]), retain_graph=True)   # a backward step
    y.backward(gradient=torch.tensor([1., 2.]))                      # another one
    w.grad.zero_()                                                   # a zero_grad step
    net.zero_grad()                                                  # one on a layer's weights

:class:`BackwardPlan` is that list of steps and the gradient every pass uses. It is immutable:
an edit replaces the document's plan (``GraphDocument.set_backward``), so an undo command keeps
the old plan as it is. The checks live in :mod:`app.model.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

StepKind = Literal["backward", "zero_grad"]
#: The steps a plan may hold at most (a class clicks "Backward again" a few times).
MAX_BACKWARD_STEPS = 100


@dataclass(frozen=True)
class BackwardStep:
    """One statement after the forward pass.

    ``"backward"``: ``output.backward(gradient=..., retain_graph=retain_graph)``.
    ``"zero_grad"``: the ``.grad`` of each of ``nodes`` and of each of ``parameters`` (a layer's
    parameter tensor as (module node id, name): ``("net", "weight")`` is ``net.weight``) zeroed,
    as ``w.grad.zero_()`` does (torch's ``tensor([0.])``), or with ``set_to_none`` set to None,
    as ``w.grad = None``, ``net.zero_grad()`` and ``optimizer.zero_grad()`` do.
    """

    kind: StepKind = "backward"
    retain_graph: bool = False
    nodes: tuple[str, ...] = ()
    set_to_none: bool = False
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class BackwardPlan:
    """The gradient (a tensor value as a file holds it, None for none) and the steps."""

    gradient: Any = None
    steps: tuple[BackwardStep, ...] = field(default=(BackwardStep(),))

    @property
    def passes(self) -> int:
        """How many times backward is called."""
        return sum(1 for step in self.steps if step.kind == "backward")

    @property
    def is_default(self) -> bool:
        """One backward() without arguments: the plan of a document that says nothing else."""
        return self == BackwardPlan()

    def with_gradient(self, gradient: Any) -> BackwardPlan:
        return replace(self, gradient=gradient)

    def backward_again(self) -> BackwardPlan:
        """One more pass: the pass before it keeps the graph (``retain_graph=True``), as the
        second of two backward calls on one graph needs."""
        steps = list(self.steps)
        for index in range(len(steps) - 1, -1, -1):
            if steps[index].kind == "backward":
                steps[index] = replace(steps[index], retain_graph=True)
                break
        return replace(self, steps=(*steps, BackwardStep()))

    def zero_grad(self, nodes: tuple[str, ...], set_to_none: bool,
                  parameters: tuple[tuple[str, str], ...] = ()) -> BackwardPlan:
        """The gradients of ``nodes`` and of the layers' ``parameters`` zeroed (or set to None)
        after the steps so far."""
        return replace(self, steps=(*self.steps, BackwardStep(
            "zero_grad", nodes=nodes, set_to_none=set_to_none, parameters=parameters)))

    def without_nodes(self, removed: set[str]) -> BackwardPlan:
        """The plan once the nodes ``removed`` are gone: zeroing them (or their layer's
        parameters) is dropped."""
        steps = []
        for step in self.steps:
            if step.kind == "zero_grad":
                kept = tuple(node for node in step.nodes if node not in removed)
                parameters = tuple(p for p in step.parameters if p[0] not in removed)
                if not kept and not parameters:
                    continue
                step = replace(step, nodes=kept, parameters=parameters)
            steps.append(step)
        return replace(self, steps=tuple(steps))

    def parameters_as_nodes(self, module: str, leaves: dict[str, str]) -> BackwardPlan:
        """The plan once the parameters of layer ``module`` are the leaf nodes ``leaves``
        (parameter name -> node id; Expand): zeroing a parameter zeroes its leaf."""
        steps = []
        for step in self.steps:
            moved = tuple(leaves[name] for node_id, name in step.parameters
                          if node_id == module and name in leaves)
            if moved:
                step = replace(step, nodes=tuple(dict.fromkeys((*step.nodes, *moved))),
                               parameters=tuple(p for p in step.parameters if p[0] != module))
            steps.append(step)
        return replace(self, steps=tuple(steps))

    def record(self) -> dict[str, Any]:
        """The plan as a .cgraph file writes it (and as ``GraphDocument.snapshot`` shows it)."""
        steps: list[dict[str, Any]] = []
        for step in self.steps:
            if step.kind == "backward":
                steps.append({"step": "backward", "retain_graph": step.retain_graph})
            else:
                zeroed: dict[str, Any] = {"step": "zero_grad", "nodes": list(step.nodes)}
                if step.parameters:  # a plan zeroing tensors only is written as before
                    zeroed["parameters"] = [list(parameter) for parameter in step.parameters]
                zeroed["set_to_none"] = step.set_to_none
                steps.append(zeroed)
        return {"gradient": self.gradient, "steps": steps}
