"""``nn.Linear`` (y = x W^T + b, initialised as torch initialises it) and ``nn.Identity``."""

from __future__ import annotations

import math
from typing import Any

from cgengine import _dtype
from cgengine.creation import empty
from cgengine.nn import functional as F
from cgengine.nn import init
from cgengine.nn.modules.module import Module
from cgengine.nn.parameter import Parameter
from cgengine.tensor import Tensor


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored, as in torch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """A fully connected layer: ``weight`` is (out_features, in_features), ``bias`` (out).

    Both start uniform in [-1/sqrt(in_features), 1/sqrt(in_features)]: torch's
    ``kaiming_uniform_(weight, a=sqrt(5))`` and the matching bias bound, drawn in that order, so
    after the same ``manual_seed`` the weights are torch's.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        dtype = dtype or _dtype.DEFAULT_FLOAT
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # a = sqrt(5) makes kaiming_uniform_'s bound 1 / sqrt(fan_in) (pytorch issue 57109)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
