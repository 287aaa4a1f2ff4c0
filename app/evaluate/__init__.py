"""Evaluation of a document on the autograd engine, without Qt.

``evaluate_document(doc, engine=cgengine)`` builds a fresh dynamic graph from the document (as
PyTorch builds one each forward), runs backward from the output node and returns an
:class:`EvalResult` with a :class:`NodeResult` per node and an :class:`EdgeResult` per wire.
"""

from app.evaluate.evaluator import EvaluationCancelled, evaluate_document
from app.evaluate.results import AutogradNode, EdgeResult, EvalResult, NodeResult

__all__ = ["AutogradNode", "EdgeResult", "EvalResult", "EvaluationCancelled", "NodeResult",
           "evaluate_document"]
