"""Numeric gradient check: autograd's gradients next to central finite differences.

Students trust the numbers on the canvas more once they see them confirmed a second, independent
way. For every leaf that requires grad, each element is nudged by +eps and -eps and the output is
evaluated again; ``(f(x + eps) - f(x - eps)) / (2 eps)`` estimates d(output)/d(element). The
estimate runs on a float64 copy of the document (float32 would lose most digits to rounding in
the subtraction), while autograd's gradient comes from the normal float32 evaluation, so the two
agree to about 1e-5 wherever the function is smooth. Where it is not (relu at exactly 0, abs at
0) the estimate averages the two one-sided slopes and honestly differs from the gradient torch
picks: that is a lesson too.

The forward runs needed grow with the number of elements, so leaves above ``MAX_LEAF_ELEMENTS``
and elements beyond ``MAX_TOTAL_ELEMENTS`` in all are skipped with a note. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.evaluate import EvalResult, evaluate_document
from app.model import GraphDocument
from app.model.backward_plan import BackwardPlan

#: Leaves with more elements than this are not checked (2 forward runs per element).
MAX_LEAF_ELEMENTS = 100
#: At most this many elements are checked over all leaves, so that an edit stays interactive.
MAX_TOTAL_ELEMENTS = 200
#: Autograd (float32) and the estimate (float64) agree when |a - n| <= ATOL + RTOL * |n|.
ATOL = 1e-4
RTOL = 1e-3


@dataclass
class NumericCheck:
    """The numeric check of one leaf.

    ``estimate`` is the finite-difference gradient (float64, the leaf's shape) and ``autograd``
    the leaf's .grad from the normal evaluation (zeros where torch leaves .grad None because the
    output does not depend on the leaf). A leaf that was not checked has ``estimate`` None and
    says why in ``note``; ``ok`` is then False.
    """

    leaf_id: str
    estimate: np.ndarray | None = None
    autograd: np.ndarray | None = None
    max_abs_diff: float | None = None
    rel_error: float | None = None
    ok: bool = False
    note: str = ""

    @property
    def checked(self) -> bool:
        return self.estimate is not None


def numeric_gradients(doc: GraphDocument, eps: float = 1e-3,
                      result: EvalResult | None = None) -> dict[str, NumericCheck]:
    """Check the gradient of every leaf that requires grad against central differences.

    ``result`` is the document's latest evaluation (evaluated here when not given; and again
    with one backward pass when the document calls backward several times). Returns one
    :class:`NumericCheck` per leaf, keyed by node id; empty when the document has no output.
    Never raises for a bad graph: what cannot be checked is explained in the check's note.
    """
    plan = doc.backward
    if plan.steps != BackwardPlan().steps:
        # after several passes (gradients add up) or a zero_grad, .grad is not one derivative:
        # check the gradient one backward pass gives
        doc = doc.evaluation_copy()
        doc.set_backward(BackwardPlan(gradient=plan.gradient))
        result = None
    if result is None:
        result = evaluate_document(doc)
    leaves = [n for n in doc.nodes if n.type == "tensor" and n.requires_grad]
    output = doc.output
    if output is None or not leaves:
        return {}
    checks = {leaf.id: NumericCheck(leaf.id) for leaf in leaves}
    reason = _unusable_output(result, output)
    if reason:
        for check in checks.values():
            check.note = reason
        return checks

    probe = _Float64Probe(doc)
    budget = MAX_TOTAL_ELEMENTS
    for leaf in leaves:
        check = checks[leaf.id]
        leaf_result = result.nodes.get(leaf.id)
        if leaf_result is None or leaf_result.value is None:
            check.note = "the leaf has no value"
            continue
        size = int(np.asarray(leaf_result.value).size)
        if size > MAX_LEAF_ELEMENTS:
            check.note = f"{size} elements, more than {MAX_LEAF_ELEMENTS}"
            continue
        if size > budget:
            check.note = f"at most {MAX_TOTAL_ELEMENTS} elements are checked in all"
            continue
        budget -= size
        estimate = probe.estimate(leaf.id, eps)
        if estimate is None:
            check.note = "the output is not finite near this point"
            continue
        grad = leaf_result.grad
        if result.backward_passes > 1 and leaf_result.full_grad is not None:
            # a .grad that accumulated several passes (Backward again) holds their sum: what
            # one pass gives is the last pass's share
            grad = leaf_result.full_grad
        _compare(check, estimate, grad)
    return checks


def _unusable_output(result: EvalResult, output: str) -> str:
    """Why the output cannot be differentiated numerically, or "" when it can."""
    outcome = result.nodes.get(output)
    if outcome is None or outcome.value is None:
        return "the output has no value"
    if outcome.is_number:
        return "the output is a python number, not a tensor"
    if np.asarray(outcome.value).size != 1:
        return "backward() needs an output with one element"
    if outcome.error:
        return "the output has an error"
    return ""


def _compare(check: NumericCheck, estimate: np.ndarray, grad: np.ndarray | None) -> None:
    autograd = (np.zeros_like(estimate) if grad is None
                else np.asarray(grad, dtype=np.float64).reshape(estimate.shape))
    check.estimate, check.autograd = estimate, autograd
    if estimate.size == 0:
        check.max_abs_diff = check.rel_error = 0.0
        check.ok = True
        return
    # autograd's float32 gradient can be inf or nan where the estimate is finite (1/x near 0
    # overflows): the comparison then says they differ, and numpy need not warn about it
    with np.errstate(all="ignore"):
        diff = np.abs(autograd - estimate)
        scale = np.maximum(np.abs(autograd), np.abs(estimate))
        check.max_abs_diff = float(diff.max())
        # relative to the larger of the two, and 0 where both are 0
        check.rel_error = float(np.max(np.divide(diff, scale, out=np.zeros_like(diff),
                                                 where=scale > 0)))
        check.ok = bool(np.all(diff <= ATOL + RTOL * np.abs(estimate)))
    if grad is None:
        check.note = "grad is None: the output does not depend on this leaf"


class _Float64Probe:
    """A float64 copy of the document, evaluated forward only with one leaf nudged at a time."""

    def __init__(self, doc: GraphDocument) -> None:
        self.doc = GraphDocument()
        for node in doc.nodes:
            node = node.copy()
            if node.type == "tensor":
                if node.dtype == "float32":
                    node.dtype = "float64"
                # forward values only: no graph to record, no backward to run
                node.requires_grad = False
            self.doc.add_node(node)
        self.doc.connect_many((e.src, e.dst, e.port) for e in doc.edges)
        self.output = doc.output

    def output_value(self) -> float | None:
        outcome = evaluate_document(self.doc).nodes.get(self.output)
        if outcome is None or outcome.value is None:
            return None
        value = float(np.asarray(outcome.value, dtype=np.float64).reshape(-1)[0])
        return value if np.isfinite(value) else None

    def estimate(self, leaf_id: str, eps: float) -> np.ndarray | None:
        """The central-difference gradient of the output with respect to the leaf."""
        node = self.doc.node(leaf_id)
        original = node.value
        base = np.array(original, dtype=np.float64)
        estimate = np.zeros_like(base)
        try:
            for index in np.ndindex(base.shape):
                values = []
                for step in (eps, -eps):
                    nudged = base.copy()
                    nudged[index] += step
                    # set directly: the copy has no listeners, so its signals are not needed
                    node.value = nudged.tolist()
                    values.append(self.output_value())
                if values[0] is None or values[1] is None:
                    return None
                estimate[index] = (values[0] - values[1]) / (2 * eps)
        finally:
            node.value = original
        return estimate
