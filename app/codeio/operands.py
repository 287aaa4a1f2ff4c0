"""What a name or an expression stands for while code is imported: a node, a number, a tuple."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TensorOperand:
    """An operand that is a node of the document."""

    node_id: str


@dataclass(frozen=True)
class NumberOperand:
    """An operand that is a python number (a "scalar" node once it is wired into an op)."""

    value: int | float
    written: str = ""  # the code that computed it, for messages


@dataclass(frozen=True)
class Tuple:
    """The tuple ``torch.autograd.grad`` returns: ``g[0]`` is its grad node's tensor."""

    node_id: str


@dataclass(frozen=True)
class AutogradGrad:
    """``name = torch.autograd.grad(output, [a, b, ...])`` of several inputs at the top level: what
    ``name`` holds (the gradients of ``output`` with respect to each input, node ids), which only a
    print may show."""

    output: str
    inputs: tuple[str, ...]
    retain_graph: bool
    line: int


Operand = TensorOperand | NumberOperand
