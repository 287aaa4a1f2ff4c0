"""Predict, then Reveal: which notes give the hidden answers away (no Qt).

While the class predicts, the walkthrough hides the numbers of the steps ahead (the values and
gradients of some nodes, the gradients on some wires). A note the teacher wrote may state them
("after y.backward() w.grad = 5"): such a note is hidden too. A note states an answer when it
writes a number that is among the hidden ones and not among those the class can see anyway
(the leaves' values, say): "y = (x + w) * (w + 1)" gives nothing away, "w.grad = 5" does.
Numbers are compared as printed, to four significant digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np

from app.evaluate import EvalResult
from app.model import GraphDocument

#: A number written in a note: not part of a name such as "z1" or "W2".
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?(?![\w])")
#: Larger arrays count by their extremes only, as their cards and pills show them.
_ELEMENTS = 1000


def notes_stating_answers(doc: GraphDocument, result: EvalResult,
                          hidden_nodes: Mapping[str, str],
                          hidden_wires: Iterable[tuple[str, int]]) -> set[str]:
    """The ids of the notes that write a hidden number. ``hidden_nodes`` maps a node id to
    "all" (value, grad and grad_fn hidden) or "grad"; ``hidden_wires`` are (dst, port) keys of
    the wires whose gradient is hidden."""
    hidden_wires = set(hidden_wires)
    hidden: set[float] = set()
    seen: set[float] = set()
    for node_id, outcome in result.nodes.items():
        kind = hidden_nodes.get(node_id)
        (hidden if kind == "all" else seen).update(_numbers(outcome.value))
        grads = _numbers(outcome.grad) | _numbers(outcome.full_grad)
        (hidden if kind is not None else seen).update(grads)
    for key, edge in result.edges.items():
        (hidden if key in hidden_wires else seen).update(_numbers(edge.grad))
    answers = hidden - seen
    if not answers:
        return set()
    return {note.id for note in doc.notes
            if any(_rounded(float(match)) in answers for match in _NUMBER.findall(note.text))}


def _numbers(array: object) -> set[float]:
    if array is None:
        return set()
    values = np.asarray(array, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size > _ELEMENTS:
        values = np.array([values.min(), values.max()])
    return {_rounded(float(x)) for x in values}


def _rounded(x: float) -> float:
    return float(f"{x:.4g}") + 0.0  # -0. and 0. are the same number to a reader
