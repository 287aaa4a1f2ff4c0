"""How much one evaluation may compute: a limit per result, and a budget for the whole graph.

A .cgraph file holds at most 10^6 elements per tensor, but broadcasting makes results larger than
anything stored: a [3150, 1] plus a [1, 3150] tensor is a 10^7-element result from a file of a few
KB, and 59 tanh after it asked for 4.6 GB and 12 s on every edit. So before an operation runs,
its result is sized from its inputs' actual shapes (the registry's ``result_size`` says how a
result grows: broadcast, matrix product, concatenation, a layer's out_features; a one-input op
is never larger than its input), and the evaluation keeps an account of the whole graph:

- memory: every value, plus the gradient backward will make for each that requires grad;
- work: one element operation per result element, m·k·n for a matrix product.

An operation whose result passes :data:`MAX_RESULT_ELEMENTS`, or which would take the account past
:data:`MAX_EVALUATION_BYTES` or :data:`MAX_EVALUATION_WORK`, is refused on its node before it
runs, with a message naming what it would cost; the nodes after it are not computed. Sizes come
from the shapes the engine actually produced, so the account is exact where a static guess from
the leaves could not be (a reshape or a transpose changes how later tensors broadcast).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.evaluate import messages
from app.registry import NodeType

#: The largest result one operation may produce in the editor.
MAX_RESULT_ELEMENTS = 10_000_000
#: The memory one evaluation may take for its values and gradients: 512 MiB, 67 million float32
#: elements with their gradients (a chain of tanh over them takes 1-3 s on a 2-core laptop).
MAX_EVALUATION_BYTES = 512 << 20
#: The arithmetic one evaluation may do, in element operations (what bounds the time of ops that
#: make small results, sums of large tensors and matrix products: a [1000, 1000] by [1000, 1000]
#: product is 10^9 and is refused).
MAX_EVALUATION_WORK = 500_000_000

Shape = tuple[int, ...]


def result_size(node_type: NodeType, shapes: Sequence[Shape],
                params: dict[str, Any] | None = None) -> tuple[Shape, int] | None:
    """(shape, work) of the result of ``node_type`` with ``params`` on inputs of ``shapes`` (the
    wired inputs, python numbers as ``()``); None when the shapes do not fit together (the engine
    words that error). For a one-input op, the input's shape: an upper bound (a sum is smaller);
    for a concatenation, the flat count; for a layer (nn.Linear), the input's rows times its
    out_features, which can be much larger than the input (nn.Linear(1, 10000)).
    """
    if not shapes:
        return (), 1
    if node_type.result_size == "linear":
        if len(shapes[0]) == 0:
            return None  # torch refuses a 0-d input in its own words
        weight = node_type.state_shapes(params or {})[node_type.state[0].name]
        shape = (*shapes[0][:-1], weight[0])
        return shape, math.prod(shape) * shapes[0][-1]
    if len(shapes) == 1:
        return tuple(shapes[0]), math.prod(shapes[0])
    try:
        if node_type.result_size == "matrix_product":
            if not shapes[0] or not shapes[1]:
                return None  # torch refuses a 0-d operand of a matrix product
            # a vector is a one-row (first) or one-column (second) matrix here
            a = shapes[0] if len(shapes[0]) >= 2 else (1, *shapes[0])
            b = shapes[1] if len(shapes[1]) >= 2 else (*shapes[1], 1)
            shape = (*np.broadcast_shapes(a[:-2], b[:-2]), a[-2], b[-1])
            return shape, math.prod(shape) * a[-1]
        if node_type.result_size == "concatenation":
            count = sum(math.prod(shape) for shape in shapes)
            return (count,), count
        shape = tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None
    return shape, math.prod(shape)


def too_big(shape: Shape) -> str | None:
    """The refusal of a result of more than MAX_RESULT_ELEMENTS elements, else None."""
    count = math.prod(shape)
    if count <= MAX_RESULT_ELEMENTS:
        return None
    return messages.TOO_BIG.format(count=f"{count:,}", shape=list(shape),
                                   limit=f"{MAX_RESULT_ELEMENTS:,}")


def _mib(count: int) -> str:
    return f"{count / (1 << 20):,.0f} MiB"


class Account:
    """What an evaluation has taken so far; ``charge`` refuses what would pass a budget."""

    def __init__(self) -> None:
        self.bytes = 0
        self.work = 0

    def charge(self, nbytes: int, work: int) -> str | None:
        """Add a value of ``nbytes`` (its gradient included) made by ``work`` element
        operations; a refusal (nothing is added) when the evaluation would pass a budget."""
        if self.bytes + nbytes > MAX_EVALUATION_BYTES:
            return messages.OVER_MEMORY.format(total=_mib(self.bytes + nbytes),
                                               limit=_mib(MAX_EVALUATION_BYTES),
                                               this=_mib(nbytes))
        if self.work + work > MAX_EVALUATION_WORK:
            return messages.OVER_WORK.format(total=f"{self.work + work:,}",
                                             limit=f"{MAX_EVALUATION_WORK:,}",
                                             this=f"{work:,}")
        self.bytes += nbytes
        self.work += work
        return None
