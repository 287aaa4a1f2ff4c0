"""``optim.Adam`` and ``optim.AdamW``, computed as torch's single-tensor (CPU) kernels do.

For each parameter p with gradient g, at step t:
    m = beta1 * m + (1 - beta1) * g          (an average of the gradients: momentum)
    v = beta2 * v + (1 - beta2) * g**2       (an average of their squares: the scale)
    p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
The (1 - beta**t) factors undo the bias of m and v starting at zero. ``weight_decay`` adds
weight_decay * p to g (Adam, L2 regularisation) or, for AdamW, shrinks p by lr * weight_decay
before the step (decoupled weight decay). ``amsgrad`` divides by the largest v seen so far.

torch's vectorised kernels round a few of these steps differently (fused multiply-adds), so a
long run agrees with torch's to float32 precision rather than bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from cgengine._fma import fma
from cgengine.optim.optimizer import Optimizer, _update
from cgengine.tensor import Tensor


class Adam(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        # foreach, capturable, differentiable and fused select torch's kernels; kept so that
        # printed settings and saved state match torch's
        super().__init__(params, {
            "lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
            "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
            "capturable": capturable, "differentiable": differentiable, "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay})

    def _state_of(self, param: Tensor, amsgrad: bool) -> dict[str, Any]:
        state = self.state[param]
        if not state:  # torch's order: step, exp_avg, exp_avg_sq (, max_exp_avg_sq)
            state["step"] = Tensor._wrap(np.array(0.0, dtype=np.float32))
            state["exp_avg"] = Tensor._wrap(np.zeros_like(param._data))
            state["exp_avg_sq"] = Tensor._wrap(np.zeros_like(param._data))
            if amsgrad:
                state["max_exp_avg_sq"] = Tensor._wrap(np.zeros_like(param._data))
        return state

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns the closure's loss, if any."""
        loss = self._closure_loss(closure)
        with np.errstate(all="ignore"):  # inf and nan come silently, as in torch
            self._step()
        return loss

    def _step(self) -> None:
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
            for param in self._params_with_grad(group):
                grad = param._grad._data
                if group["maximize"]:
                    grad = -grad
                state = self._state_of(param, amsgrad)
                step_t = state["step"]
                _update(step_t, step_t._data + 1)
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        _update(param, param._data * (1 - lr * weight_decay))
                    else:
                        grad = fma(param._data, weight_decay, grad)  # grad.add(param, alpha=wd)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                _update(exp_avg, exp_avg._data + (1 - beta1) * (grad - exp_avg._data))
                _update(exp_avg_sq, exp_avg_sq._data * beta2 + (1 - beta2) * (grad * grad))
                step = float(step_t._data)
                step_size = lr / (1 - beta1**step)
                bias_correction2_sqrt = (1 - beta2**step) ** 0.5
                second = exp_avg_sq._data
                if amsgrad:
                    largest = state["max_exp_avg_sq"]
                    _update(largest, np.maximum(largest._data, second))
                    second = largest._data
                denom = np.sqrt(second) / bias_correction2_sqrt + eps
                _update(param, param._data - step_size * (exp_avg._data / denom))


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.01): p shrinks by lr * weight_decay each
    step, outside the gradient averages."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)
