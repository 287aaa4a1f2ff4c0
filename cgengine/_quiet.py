"""numpy's floating-point warnings, silenced for one operation at a time.

torch computes ``log(-1) = nan`` and ``1 / 0 = inf`` without a word; numpy warns
(``RuntimeWarning: divide by zero``) unless its error state says "ignore". cgengine must not
change that state for the program around it (``numpy.seterr`` is process-wide), so each operation
runs its numpy kernels with "ignore" set and puts the state back right after:

    token = enter(IGNORE)
    try:
        ...  # numpy
    finally:
        leave(token)

``np.errstate`` does that too, but costs more than a small operation itself; numpy 2 keeps the
error state in a context variable, which is set and reset directly here (two C calls). Older
numpy gets ``np.errstate``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

try:  # numpy >= 2: the error state is the context variable that np.errstate sets
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
except ImportError:  # pragma: no cover - numpy 1.x
    _extobj_contextvar = None

enter: Callable[[Any], Any]
leave: Callable[[Any], Any]

if _extobj_contextvar is not None:
    IGNORE: Any = _make_extobj(all="ignore")
    enter = _extobj_contextvar.set
    leave = _extobj_contextvar.reset
else:  # pragma: no cover - numpy 1.x
    IGNORE = {"all": "ignore"}

    def enter(settings: Any) -> Any:
        state = np.errstate(**settings)
        state.__enter__()
        return state

    def leave(state: Any) -> None:
        state.__exit__(None, None, None)
