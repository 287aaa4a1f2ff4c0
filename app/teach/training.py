"""Gradient descent on a document, step by step, exactly as a PyTorch training loop does it.

One step of :class:`Trainer` is the loop body a student writes::

    loss = model(x)                 # evaluate_document: a fresh graph, as each torch forward
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad            # for every chosen leaf, in the leaf's dtype

There is no ``w.grad.zero_()``: each step evaluates the document into a brand-new graph whose
leaves start with no ``.grad``, so gradients never accumulate across steps (zero_grad is
implicit). The trainer works on its own copy of the document: the leaves' new values are in
``Trainer.values``, and the caller writes them into the document through an undoable edit (the
Training dock: ``DocumentController.set_values``, one undo step per run), so anything mirroring
the document - the canvas - follows the training.

Every refusal is a :class:`TrainingError` whose message is fit to show the user as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import numpy as np

import cgengine
from app.evaluate import evaluate_document
from app.model import GraphDocument

#: Leaf dtypes gradient descent can update (torch refuses requires_grad on integer tensors).
FLOAT_DTYPES: tuple[str, ...] = ("float32", "float64")


class TrainingError(Exception):
    """Why training cannot go on (no output, a non-scalar loss, nan, ...), in plain words."""


def trainable_leaves(doc: GraphDocument) -> list[str]:
    """Ids of the tensor leaves that require grad, in document order: the training candidates."""
    return [node.id for node in doc.nodes if node.type == "tensor" and node.requires_grad]


def leaf_values(doc: GraphDocument, leaf_ids: Iterable[str]) -> dict[str, Any]:
    """The current values of ``leaf_ids`` as stored in the document (JSON-like data)."""
    return {leaf_id: doc.node(leaf_id).value for leaf_id in leaf_ids}


class Trainer:
    """Plain gradient descent (torch.optim.SGD without momentum) on the leaves ``leaf_ids``.

    It trains a copy of ``doc`` (``model``), never ``doc`` itself: ``values`` are the leaves'
    values the steps reached, ``losses`` the loss of every step taken so far, each read before
    its update.
    """

    def __init__(self, doc: GraphDocument, leaf_ids: Iterable[str], lr: float,
                 engine: ModuleType = cgengine) -> None:
        self.model = doc.evaluation_copy()
        self.leaf_ids = list(dict.fromkeys(leaf_ids))
        self.lr = float(lr)
        self.engine = engine
        self.losses: list[float] = []
        if not self.leaf_ids:
            raise TrainingError("Choose at least one leaf to train.")
        if not math.isfinite(self.lr) or self.lr <= 0:
            raise TrainingError(f"The learning rate must be a positive number, not {lr!r}.")

    @property
    def values(self) -> dict[str, Any]:
        """The trained leaves' values as the steps so far left them (JSON-like data)."""
        return leaf_values(self.model, self.leaf_ids)

    def _check_leaves(self) -> None:
        for leaf_id in self.leaf_ids:
            if not self.model.has_node(leaf_id):
                raise TrainingError(f"The leaf {leaf_id!r} is no longer in the graph.")
            node = self.model.node(leaf_id)
            if node.type != "tensor" or not node.requires_grad:
                raise TrainingError(
                    f"{node.display_name} is not a leaf tensor with requires_grad=True.")
            if node.dtype not in FLOAT_DTYPES:
                raise TrainingError(
                    f"{node.display_name} is {node.dtype}: only floating-point leaves can "
                    "learn (torch refuses requires_grad on integer tensors).")

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

    def step(self) -> float:
        """One forward, backward and update; returns the loss before the update."""
        self._check_leaves()
        try:
            result = evaluate_document(self.model, self.engine)
        except Exception as exc:  # an engine bug must not escape into the window
            raise TrainingError(f"Evaluation failed: {exc}") from exc
        loss = self._loss(result)
        updates: dict[str, Any] = {}
        for leaf_id in self.leaf_ids:
            node = self.model.node(leaf_id)
            grad = result.nodes[leaf_id].grad
            if grad is None:
                raise TrainingError(
                    f"{node.display_name}.grad is None: the loss does not depend on it.")
            value = np.asarray(node.value, dtype=node.dtype)
            # numpy keeps float32 * python float in float32, as torch does for `w - lr * w.grad`
            with np.errstate(all="ignore"):
                updates[leaf_id] = (value - self.lr * grad.astype(node.dtype)).tolist()
        # all grads are read before any leaf changes, as torch computes them in one backward
        for leaf_id, value in updates.items():
            self.model.set_field(leaf_id, "value", value)  # the trainer's own copy
        self.losses.append(loss)
        return loss

    def run(self, n: int, should_stop: Callable[[], bool] | None = None) -> list[float]:
        """Up to ``n`` steps, checking ``should_stop()`` before each; returns their losses."""
        start = len(self.losses)
        for _ in range(n):
            if should_stop is not None and should_stop():
                break
            self.step()
        return self.losses[start:]
