"""What one ``optimizer.step()`` did, as formulas with the actual numbers (no Qt).

``update_formulas(settings, updates)`` writes the update of every parameter the way a teacher
writes it on the board, then again with its numbers, e.g. for SGD with momentum::

    buf = μ · buf + w.grad = 0.9 · (-39.) + (-29.7600) = -64.8600
    w ← w − lr · buf = 0.8900 − 0.01 · (-64.8600) = 1.5386

The numbers are those the optimizer computed (``app.teach.training.ParameterUpdate``); the
intermediate ones (a weight-decayed gradient, Adam's bias-corrected moments) are worked out here
from them, only to be shown. Numbers print as torch prints them, a large tensor as its shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.teach.training import ParameterUpdate
from app.teach.walkthrough import format_number

#: Adam's epsilon, torch's default (the Training dock does not change it).
ADAM_EPS = 1e-8


def settings_text(settings: dict[str, Any]) -> str:
    """ "SGD, lr=0.01, momentum=0.9": the optimizer as its constructor call reads."""
    parts = [settings["name"], f"lr={settings['lr']:g}"]
    if settings.get("momentum"):
        parts.append(f"momentum={settings['momentum']:g}")
    if "betas" in settings:
        parts.append(f"betas=({settings['betas'][0]:g}, {settings['betas'][1]:g})")
    if settings.get("weight_decay"):
        parts.append(f"weight_decay={settings['weight_decay']:g}")
    return ", ".join(parts)


def _n(value: Any) -> str:
    """A number as torch prints it; a negative one in parentheses ("0.01 · (-39.)")."""
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


def _decayed(settings: dict[str, Any], update: ParameterUpdate) -> tuple[list[str], str,
                                                                           np.ndarray]:
    """The gradient the optimizer used: ``w.grad``, or ``g = w.grad + wd · w`` with decay."""
    name, grad = update.name, update.grad
    decay = settings.get("weight_decay", 0.0)
    if not decay:
        return [], f"{name}.grad", grad
    used = grad + decay * update.before
    line = (f"g = {name}.grad + wd · {name} = {format_number(grad)} + {decay:g} · "
            f"{_n(update.before)} = {format_number(used)}")
    return [line], "g", used


def _sgd(settings: dict[str, Any], update: ParameterUpdate) -> list[str]:
    name, lr = update.name, settings["lr"]
    lines, symbol, used = _decayed(settings, update)
    momentum = settings.get("momentum", 0.0)
    if momentum:
        buffer = update.state.get("momentum_buffer", used)
        previous = update.state_before.get("momentum_buffer")
        if previous is None:  # torch starts the buffer with the first gradient
            lines.append(f"buf = {symbol} = {format_number(buffer)}  (the first step)")
        else:
            lines.append(f"buf = μ · buf + {symbol} = {momentum:g} · {_n(previous)} + "
                         f"{_n(used)} = {format_number(buffer)}")
        symbol, used = "buf", buffer
    lines.append(f"{name} ← {name} − lr · {symbol} = {format_number(update.before)} − {lr:g} · "
                 f"{_n(used)} = {format_number(update.after)}")
    return lines


def _adam(settings: dict[str, Any], update: ParameterUpdate) -> list[str]:
    name, lr = update.name, settings["lr"]
    beta1, beta2 = settings["betas"]
    lines, symbol, used = _decayed(settings, update)
    zeros = np.zeros_like(update.before)
    m_before = update.state_before.get("exp_avg", zeros)
    v_before = update.state_before.get("exp_avg_sq", zeros)
    m, v = update.state["exp_avg"], update.state["exp_avg_sq"]
    step = int(update.state["step"])
    m_hat = m / (1 - beta1 ** step)
    v_hat = v / (1 - beta2 ** step)
    lines += [
        f"m = β1 · m + (1 − β1) · {symbol} = {beta1:g} · {_n(m_before)} + {1 - beta1:g} · "
        f"{_n(used)} = {format_number(m)}",
        f"v = β2 · v + (1 − β2) · {symbol}² = {beta2:g} · {_n(v_before)} + {1 - beta2:g} · "
        f"{_n(used * used)} = {format_number(v)}",
        f"m̂ = m / (1 − β1^{step}) = {format_number(m_hat)},  v̂ = v / (1 − β2^{step}) = "
        f"{format_number(v_hat)}",
        f"{name} ← {name} − lr · m̂ / (√v̂ + ε) = {format_number(update.before)} − {lr:g} · "
        f"{_n(m_hat)} / (√{format_number(v_hat)} + {ADAM_EPS:g}) = {format_number(update.after)}",
    ]
    return lines


def update_formulas(settings: dict[str, Any], updates: list[ParameterUpdate]) -> list[str]:
    """The lines of one optimizer step: each parameter's update, with its numbers."""
    write = _adam if settings["name"] == "Adam" else _sgd
    return [line for update in updates for line in write(settings, update)]
