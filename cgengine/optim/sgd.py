"""``optim.SGD``: stochastic gradient descent, with momentum, dampening, Nesterov momentum,
weight decay and ``maximize``, computed as torch computes it.

For each parameter p with gradient g (negated with ``maximize``), at every step:
    g = g + weight_decay * p
    b = g at the first step, then b = momentum * b + (1 - dampening) * g   (momentum != 0)
    g = g + momentum * b with nesterov, else g = b
    p = p - lr * g
The momentum buffer b is an exponentially weighted average of past gradients: a ball rolling
downhill that keeps its speed through flat stretches and small bumps.

Each line is one torch kernel, rounded as torch rounds it (``x.add_(y, alpha=a)`` is one fused
multiply-add), so a run gives torch's numbers bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from cgengine._fma import fma
from cgengine.optim.optimizer import Optimizer, _update
from cgengine.tensor import Tensor


class SGD(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        # foreach, differentiable and fused select torch's kernels; kept so that printed
        # settings and saved state match torch's
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov,
                                  "maximize": maximize, "foreach": foreach,
                                  "differentiable": differentiable, "fused": fused})

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns the closure's loss, if any."""
        loss = self._closure_loss(closure)
        with np.errstate(all="ignore"):  # inf and nan come silently, as in torch
            self._step()
        return loss

    def _step(self) -> None:
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            dampening, weight_decay = group["dampening"], group["weight_decay"]
            for param in self._params_with_grad(group):
                grad = param._grad._data
                if group["maximize"]:
                    grad = -grad
                if weight_decay != 0:
                    grad = fma(param._data, weight_decay, grad)  # grad.add(param, alpha=wd)
                if momentum != 0:
                    state = self.state[param]
                    buffer = state.get("momentum_buffer")
                    if buffer is None:
                        state["momentum_buffer"] = buffer = Tensor._wrap(grad.copy())
                    else:  # buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                        scaled = buffer._data * buffer._data.dtype.type(momentum)
                        # with alpha 1 the fused multiply-add is a plain add
                        _update(buffer, scaled + grad if dampening == 0
                                else fma(grad, 1 - dampening, scaled))
                    nesterov = group["nesterov"]
                    grad = fma(buffer._data, momentum, grad) if nesterov else buffer._data
                _update(param, fma(grad, -lr, param._data))  # param.add_(grad, alpha=-lr)
