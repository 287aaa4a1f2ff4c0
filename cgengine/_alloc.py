"""Keep freed array memory in the process heap (glibc only), so large tensors reuse it.

An autograd graph allocates and frees many same-sized large arrays. glibc serves each large block
with mmap and returns it to the kernel on free, so the next array of that size faults its pages in
again: on a chain of 1000x1000 tensors that cost more than the arithmetic. Raising the mmap and
trim thresholds keeps those blocks in the heap for reuse (the heap still shrinks once more than
``TRIM`` bytes are free at its top). Elsewhere (Windows, macOS, musl) this does nothing.

It is a process-wide setting, so importing cgengine does not make it: an application calls
:func:`tune_allocator` at start-up (CG Studio does, in app.runtime), as benchmarks/engine.py does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP = 256 * 1024 * 1024  # blocks smaller than this come from the heap
TRIM = 512 * 1024 * 1024  # free memory at the heap's top kept for reuse


def tune_allocator() -> bool:
    """Raise glibc's mmap/trim thresholds; True when it was done."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM))
