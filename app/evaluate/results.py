"""What one evaluation of a document produced: per-node and per-wire results (plain data).

The canvas, the inspector and the command line read these; nothing here refers to the engine, so a
result can be kept and compared after the engine's graph is gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class NodeResult:
    """The forward value and gradient of one node, exactly as PyTorch would show them.

    ``grad`` is what ``tensor.grad`` holds after ``backward()``: set on leaves that require grad
    and on non-leaves whose node asks for ``retain_grad``, ``None`` everywhere torch gives
    ``None``. ``full_grad`` is d(output)/d(node) for every node that requires grad, for tooltips
    that explain why torch did not keep it. A node whose operation failed has ``error``; nodes
    downstream of it have neither value nor error but ``blocked_by``, the id of the failing node.
    ``warning`` is a non-fatal note, e.g. why a value became nan. A node on the side of a
    branch that was not taken did not run at all: it has no value, ``skipped_by`` names the
    branch node and ``warning`` says so. ``state`` describes the parameter tensors of a module
    node (nn.Linear's weight and bias), each as the leaf it is.
    """

    value: np.ndarray | None = None
    grad: np.ndarray | None = None
    grad_fn: str | None = None
    is_leaf: bool = True
    requires_grad: bool = False
    shape: tuple[int, ...] | None = None
    dtype: str | None = None
    error: str | None = None
    is_number: bool = False
    blocked_by: str | None = None
    warning: str | None = None
    full_grad: np.ndarray | None = None
    skipped_by: str | None = None
    state: dict[str, NodeResult] | None = None


@dataclass
class EdgeResult:
    """The gradient flowing back along one wire (None where no gradient flows)."""

    grad: np.ndarray | None = None


@dataclass
class AutogradNode:
    """One node of the backward graph the engine recorded (what torchviz draws).

    ``node_id`` is the document node it belongs to: the grad_fn of that node's tensor, or the
    AccumulateGrad of a leaf; None for the inner nodes of an op recorded as several (cross_entropy
    is NllLossBackward0 over LogSoftmaxBackward0). ``next`` lists the keys of its
    next_functions in order, None where a python number was the operand.
    """

    key: int
    name: str
    node_id: str | None
    next: list[int | None] = field(default_factory=list)


@dataclass
class EvalResult:
    """Results of one forward (and backward) run of the whole document."""

    output: str | None = None
    nodes: dict[str, NodeResult] = field(default_factory=dict)
    #: keyed by (dst, port), like the document's wires
    edges: dict[tuple[str, int], EdgeResult] = field(default_factory=dict)
    #: the recorded backward graph, from the output's grad_fn down to the AccumulateGrad nodes;
    #: left empty when it has more than ``AUTOGRAD_RECORD_LIMIT`` nodes (too many to draw)
    autograd: list[AutogradNode] = field(default_factory=list)
    #: how many nodes the backward graph has (also when ``autograd`` was left empty)
    autograd_size: int = 0
    #: how long the evaluation took, in seconds (wall clock)
    seconds: float = 0.0
    #: document node ids in the order the engine's backward ran their graph nodes (output
    #: first, leaves last); empty when backward did not run or the engine cannot report it
    backward_order: list[str] = field(default_factory=list)
    #: how many backward passes ran (the document's backward plan may ask for several)
    backward_passes: int = 0
    #: branch node id -> the side it took ("then" or "else")
    decisions: dict[str, str] = field(default_factory=dict)
    #: grad node id -> the graph its derivative recorded (autograd.grad with create_graph)
    derivatives: dict[str, list[AutogradNode]] = field(default_factory=dict)
    #: a traced document: the same graph run with each branch held to its traced side
    traced: EvalResult | None = None
