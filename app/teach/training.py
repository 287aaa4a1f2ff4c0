"""Training a document step by step, exactly as a PyTorch training loop does it.

One step of :class:`Trainer` is the loop body a student writes::

    loss = model(x)             # evaluate_document: a fresh graph, as each torch forward
    loss.backward()
    optimizer.step()            # torch.optim.SGD or Adam, on the engine's own optimizer
    optimizer.zero_grad()

The parameters are the chosen tensor leaves (``w``) and the weights of the chosen layers
(``net.weight``, ``net.bias``). The trainer holds them as the engine's tensors and hands them to
the engine's optimizer (``cgengine.optim``, or ``torch.optim`` when the engine is torch), so its
numbers, momentum buffers and Adam's moments are torch's; each step it copies in the .grad the
evaluation computed, steps, and zero_grad() leaves .grad None again, as in the loop. What each
step did is kept in ``last_update`` for the walkthrough panel
(:func:`app.teach.optimizer_steps.update_formulas`).

The trainer works on its own copy of the document: the parameters' new values are in
``Trainer.values`` (a leaf's value, a layer's state), and the caller writes them into the
document through an undoable edit (the Training dock: ``DocumentController.set_values``, one undo
step per run), so anything mirroring the document - the canvas - follows the training.

Every refusal is a :class:`TrainingError` whose message is fit to show the user as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

import cgengine
from app.evaluate import evaluate_document
from app.model import GraphDocument, GraphError
from app.model.rules import check_optimizer, value_field

#: Leaf dtypes gradient descent can update (torch refuses requires_grad on integer tensors).
FLOAT_DTYPES: tuple[str, ...] = ("float32", "float64")


class TrainingError(Exception):
    """Why training cannot go on (no output, a non-scalar loss, nan, ...), in plain words."""


def trainable_leaves(doc: GraphDocument) -> list[str]:
    """Ids of what can learn, in document order: the tensor leaves that require grad and the
    layers that hold weights (nn.Linear)."""
    return [node.id for node in doc.nodes
            if node.type == "tensor" and node.requires_grad or node.spec.state]


def leaf_values(doc: GraphDocument, leaf_ids: Iterable[str]) -> dict[str, Any]:
    """The current values of ``leaf_ids`` as stored in the document (JSON-like data): a leaf's
    value, a layer's state."""
    return {leaf_id: getattr(doc.node(leaf_id), value_field(doc.node(leaf_id).spec))
            for leaf_id in leaf_ids}


def parameter_name(doc: GraphDocument, node_id: str, name: str | None) -> str:
    """How code names a parameter: ``w``, or ``net.weight`` for a layer's weight."""
    node = doc.node(node_id)
    return node.display_name if name is None else f"{node.module_name or node.display_name}.{name}"


#: How a classification loss decides the predicted class, to count how many are right: a
#: probability (BCELoss) or a score (with logits) at least this threshold is class 1, and for
#: class indices ("argmax") the largest score along dim 1 is the class.
_CLASS_RULES: dict[str, float | str] = {
    "nn.BCELoss": 0.5,
    "nn.BCEWithLogitsLoss": 0.0,
    "nn.functional.binary_cross_entropy_with_logits": 0.0,
    "nn.CrossEntropyLoss": "argmax",
    "nn.NLLLoss": "argmax",
    "nn.functional.cross_entropy": "argmax",
}


def accuracy(doc: GraphDocument, result: Any) -> float | None:
    """The share of samples a classification loss's input puts in its target's class, as the
    course computes it (``(y_pred.ge(0.5).float() == y).sum() / len(y)``); None when the output
    is no classification loss or its input and target are missing or do not match."""
    output = doc.output
    if output is None or doc.node(output).spec.function not in _CLASS_RULES:
        return None
    rule = _CLASS_RULES[doc.node(output).spec.function]
    sources = doc.inputs_of(output)
    values = [None if src is None or src not in result.nodes else result.nodes[src].value
              for src in sources[:2]]
    if len(values) < 2 or values[0] is None or values[1] is None:
        return None
    scores, target = np.asarray(values[0]), np.asarray(values[1])
    if rule == "argmax":
        if scores.ndim != 2 or target.shape != scores.shape[:1]:
            return None
        predicted = scores.argmax(axis=1)
    else:
        if scores.shape != target.shape or not scores.size:
            return None
        predicted = (scores >= rule).astype(target.dtype)
    return float(np.mean(predicted == target))


@dataclass
class ParameterUpdate:
    """What one optimizer step did to one parameter: its value before and after, the .grad it
    used, and the optimizer's state after the step (``momentum_buffer``; Adam's ``exp_avg``,
    ``exp_avg_sq`` and ``step``), as numpy arrays."""

    name: str
    before: np.ndarray
    grad: np.ndarray
    after: np.ndarray
    state: dict[str, np.ndarray] = field(default_factory=dict)
    #: the optimizer's state before the step (empty at the first step)
    state_before: dict[str, np.ndarray] = field(default_factory=dict)


class Trainer:
    """``optimizer`` (torch.optim.SGD or Adam with the document's settings) on ``leaf_ids``.

    It trains a copy of ``doc`` (``model``), never ``doc`` itself: ``values`` are the leaves'
    values the steps reached, ``losses`` the loss of every step taken so far, each read before
    its update (and ``accuracies`` the share of samples classified right, for a classification
    loss). ``settings`` are the optimizer's (``rules.check_optimizer``); without them the
    trainer is plain SGD with learning rate ``lr``, and ``lr`` given with them overrides theirs.
    """

    def __init__(self, doc: GraphDocument, leaf_ids: Iterable[str], lr: float | None = None,
                 engine: ModuleType = cgengine, *,
                 settings: dict[str, Any] | None = None) -> None:
        self.model = doc.evaluation_copy()
        self.leaf_ids = list(dict.fromkeys(leaf_ids))
        self.engine = engine
        self.losses: list[float] = []
        #: the accuracy of every step (None where the loss is no classification loss)
        self.accuracies: list[float | None] = []
        self.last_update: list[ParameterUpdate] = []
        if not self.leaf_ids:
            raise TrainingError("Choose at least one leaf to train.")
        chosen = dict(settings or {"name": "SGD"})
        if lr is not None:
            chosen["lr"] = lr
        if not (isinstance(chosen.get("lr"), (int, float)) and math.isfinite(chosen["lr"])
                and chosen["lr"] > 0):
            raise TrainingError(
                f"The learning rate must be a positive number, not {chosen.get('lr')!r}.")
        try:
            self.settings = check_optimizer(chosen)
        except GraphError as exc:
            raise TrainingError(f"The optimizer cannot run: {exc}.") from None
        self.lr = self.settings["lr"]
        self._parameters: dict[tuple[str, str | None], Any] | None = None
        self.optimizer: Any = None

    @property
    def values(self) -> dict[str, Any]:
        """The trained leaves' values as the steps so far left them (JSON-like data)."""
        return leaf_values(self.model, self.leaf_ids)

    def _check_leaves(self) -> None:
        for leaf_id in self.leaf_ids:
            if not self.model.has_node(leaf_id):
                raise TrainingError(f"The leaf {leaf_id!r} is no longer in the graph.")
            node = self.model.node(leaf_id)
            if node.spec.state:
                continue  # a layer's weights are parameters: float32, requiring grad
            if node.type != "tensor" or not node.requires_grad:
                raise TrainingError(
                    f"{node.display_name} is not a leaf tensor with requires_grad=True.")
            if node.dtype not in FLOAT_DTYPES:
                raise TrainingError(
                    f"{node.display_name} is {node.dtype}: only floating-point leaves can "
                    "learn (torch refuses requires_grad on integer tensors).")

    def _build_optimizer(self) -> None:
        """The parameters as engine tensors and the engine's optimizer over them, made at the
        first step and kept: the optimizer's state (momentum) lives on between steps."""
        engine = self.engine
        parameters: dict[tuple[str, str | None], Any] = {}
        for leaf_id in self.leaf_ids:
            node = self.model.node(leaf_id)
            if node.spec.state:
                for name, value in node.state.items():
                    parameters[(leaf_id, name)] = engine.tensor(value, dtype=engine.float32,
                                                                requires_grad=True)
            else:
                parameters[(leaf_id, None)] = engine.tensor(
                    node.value, dtype=getattr(engine, node.dtype), requires_grad=True)
        settings = {key: tuple(value) if key == "betas" else value
                    for key, value in self.settings.items() if key != "name"}
        optimizer_class = getattr(engine.optim, self.settings["name"])
        self.optimizer = optimizer_class(list(parameters.values()), **settings)
        self._parameters = parameters

    def _loss(self, result: Any) -> float:
        output = self.model.output
        if output is None:
            raise TrainingError("Choose the output node (the loss) first: Set Output.")
        name = self.model.node(output).display_name
        loss = result.nodes.get(output)
        if loss is None or loss.value is None:
            if loss is not None and loss.blocked_by is not None:
                reason = f"{self.model.node(loss.blocked_by).display_name} failed"
            else:
                reason = loss.error if loss is not None and loss.error else "it has no value"
            raise TrainingError(f"The loss {name} cannot be computed: {reason}.")
        if loss.value.size != 1:
            raise TrainingError(
                f"The loss {name} must be a single number, but its shape is "
                f"{tuple(loss.value.shape)}: reduce it with sum or mean first.")
        if loss.error:
            raise TrainingError(f"backward() from {name} failed: {loss.error}")
        value = float(loss.value.reshape(()))
        if not math.isfinite(value):
            raise TrainingError(
                f"The loss became {value} at step {len(self.losses)}: the learning rate "
                f"{self.lr:g} is too large for this graph, try a smaller one.")
        return value

    def _gradients(self, result: Any) -> dict[tuple[str, str | None], np.ndarray]:
        """The .grad of every parameter from the evaluation (all read before any changes)."""
        assert self._parameters is not None, "the optimizer is built first"
        grads = {}
        for leaf_id, name in self._parameters:
            outcome = result.nodes[leaf_id]
            if name is not None:
                outcome = (outcome.state or {}).get(name, outcome)
            if outcome.grad is None:
                who = parameter_name(self.model, leaf_id, name)
                raise TrainingError(f"{who}.grad is None: the loss does not depend on it.")
            grads[(leaf_id, name)] = outcome.grad
        return grads

    def step(self) -> float:
        """One forward, backward, optimizer.step() and zero_grad(); returns the loss before the
        update."""
        self._check_leaves()
        if self._parameters is None:
            self._build_optimizer()
        assert self._parameters is not None
        try:
            result = evaluate_document(self.model, self.engine)
        except Exception as exc:  # an engine bug must not escape into the window
            raise TrainingError(f"Evaluation failed: {exc}") from exc
        loss = self._loss(result)
        grads = self._gradients(result)
        engine, state = self.engine, self.optimizer.state
        updates = []
        for key, parameter in self._parameters.items():
            parameter.grad = engine.tensor(grads[key], dtype=parameter.dtype)
            updates.append(ParameterUpdate(
                parameter_name(self.model, *key), _array(parameter), _array(parameter.grad),
                _array(parameter), state_before={k: _array(v) for k, v in
                                                 state.get(parameter, {}).items()}))
        self.optimizer.step()
        self.optimizer.zero_grad()
        for update, parameter in zip(updates, self._parameters.values(), strict=True):
            update.after = _array(parameter)
            update.state = {k: _array(v) for k, v in state.get(parameter, {}).items()}
        self._write_back()
        self.last_update = updates
        self.losses.append(loss)
        self.accuracies.append(accuracy(self.model, result))
        return loss

    def _write_back(self) -> None:
        """The parameters' new values into the trainer's own copy of the document."""
        assert self._parameters is not None
        states: dict[str, dict[str, Any]] = {}
        for (leaf_id, name), parameter in self._parameters.items():
            value = _array(parameter).tolist()
            if name is None:
                self.model.set_field(leaf_id, "value", value)
            else:
                states.setdefault(leaf_id, {})[name] = value
        for leaf_id, state in states.items():
            self.model.set_field(leaf_id, "state", state)

    def run(self, n: int, should_stop: Callable[[], bool] | None = None) -> list[float]:
        """Up to ``n`` steps, checking ``should_stop()`` before each; returns their losses."""
        start = len(self.losses)
        for _ in range(n):
            if should_stop is not None and should_stop():
                break
            self.step()
        return self.losses[start:]


def _array(tensor: Any) -> np.ndarray:
    """A copy of an engine tensor's numbers (torch's optimizers reuse their buffers)."""
    return np.array(tensor.detach().numpy(), copy=True)
