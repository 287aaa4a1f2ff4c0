"""cgengine never imports Qt: it is the engine students read, and it runs without a display."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_importing_and_using_cgengine_loads_no_qt() -> None:
    code = ("import sys, cgengine as torch\n"
            "w = torch.tensor([1.], requires_grad=True)\n"
            "(torch.add(w, 1) * w).backward()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'PyQt5', 'PyQt6', 'shiboken6')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
