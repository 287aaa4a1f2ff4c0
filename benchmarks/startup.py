"""How long `python main.py` takes to show its first painted window.

Runs ``python main.py --screenshot OUT.png`` (offscreen: the window is built, the lesson is loaded
and evaluated, the window is painted into an image) several times in fresh processes and prints
the median wall time, from process start to the PNG on disk. The target is 1.5 s.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
TARGET_S = 1.5


def main() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    times = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "window.png"
        for _ in range(RUNS):
            start = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "main.py"), "--screenshot", str(out)],
                           check=True, env=env, capture_output=True)
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    verdict = "meets" if median <= TARGET_S else "misses"
    print(f"start-up to first painted window: median {median:.2f} s over {RUNS} runs "
          f"(min {min(times):.2f} s) - {verdict} the target of {TARGET_S} s")


if __name__ == "__main__":
    main()
