"""Grad mode: whether operations are recorded for backward, as torch.autograd.grad_mode has it.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` work as context
managers and as decorators. The state is per thread (the editor evaluates large graphs on a worker
thread), in one small object that :func:`cgengine.tensor.apply` reads on every operation.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode(threading.local):
    #: operations are recorded for backward
    enabled = True
    #: inside ``inference_mode``: results are inference tensors
    inference = False
    #: a backward formula is running on tensors (backward with create_graph): arithmetic with a
    #: python number records torch's Scalar overloads (MulBackward1), as torch's C++ formulas do
    formula = False


state = _GradMode()


def is_grad_enabled() -> bool:
    """Whether operations are being recorded for backward."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _Mode:
    """A grad-mode switch usable as ``with`` block and as decorator; subclasses say the mode."""

    def _modes(self) -> tuple[bool, bool]:
        """(grad enabled, inference) inside the block."""
        raise NotImplementedError

    def __enter__(self) -> None:
        self._saved = (state.enabled, state.inference)
        state.enabled, state.inference = self._modes()

    def __exit__(self, *exc: object) -> None:
        state.enabled, state.inference = self._saved

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def clone(self) -> _Mode:
        return type(self)()


class no_grad(_Mode):
    """Disable recording inside a ``with`` block or a decorated function."""

    def _modes(self) -> tuple[bool, bool]:
        return False, state.inference


class enable_grad(_Mode):
    """Re-enable recording inside a ``no_grad`` block."""

    def _modes(self) -> tuple[bool, bool]:
        return True, state.inference


class set_grad_enabled(_Mode):
    """Turn recording on or off; as a plain call it takes effect at once, as in torch."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._saved = (state.enabled, state.inference)
        self._applied = True
        state.enabled = self.mode

    def _modes(self) -> tuple[bool, bool]:
        return self.mode, state.inference

    def __enter__(self) -> None:
        if not self._applied:  # a clone made for a decorated call
            super().__enter__()
        self._applied = False

    def __call__(self, func: F) -> F:
        if self._applied:  # used as a decorator: undo what __init__ applied
            state.enabled = self._saved[0]
            self._applied = False
        return super().__call__(func)

    def clone(self) -> _Mode:
        mode = set_grad_enabled.__new__(set_grad_enabled)
        mode.mode, mode._applied = self.mode, False
        return mode

    def __repr__(self) -> str:
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self.mode})"


class inference_mode(_Mode):
    """Like ``no_grad``, and what is computed inside is an inference tensor (``is_inference()``),
    which autograd refuses to save for backward later."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def _modes(self) -> tuple[bool, bool]:
        return (False, True) if self.mode else (True, False)

    def clone(self) -> _Mode:
        return inference_mode(self.mode)


#: How many threads are running a formula on tensors now: while none is (always, outside a
#: backward with create_graph), apply() looks no further than this number.
formulas_running = 0


class formula_mode:
    """While a backward formula runs on tensors: grad mode on (torch records the derivative when
    create_graph is set) and python numbers taken as C++ Scalars (see ``_GradMode.formula``)."""

    def __enter__(self) -> None:
        global formulas_running
        self._saved = (state.enabled, state.formula)
        state.enabled, state.formula = True, True
        formulas_running += 1

    def __exit__(self, *exc: object) -> None:
        global formulas_running
        state.enabled, state.formula = self._saved
        formulas_running -= 1
