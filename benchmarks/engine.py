"""Benchmark cgengine against torch: a 1000-op elementwise chain, and a course's training loop.

Run ``python benchmarks/engine.py`` (about a minute). The chain repeats ``x * 1.0001``,
``x + 0.001``, ``sin(x)`` on a float32 leaf and ends with ``.sum().backward()``; it runs on a
1-element tensor (where per-op overhead dominates) and on a 1000x1000 one (where the array work
dominates). "2nd order" is the 1-element chain differentiated twice: its first derivative taken
with ``create_graph=True`` (a graph as long again, recorded during backward), then backward
through that. The training case is the course's logistic regression: 100 steps (forward through
``nn.Linear(2, 1)`` and ``nn.Sigmoid``, ``nn.BCELoss``, backward, ``optim.SGD`` with momentum,
``zero_grad``) on a batch of 200 points, the model, data and optimiser made beforehand. Each case
prints the median of several timed runs for both engines and the ratio cgengine / torch. The
targets are 1-element <= 0.9, 1000x1000 <= 1.2, training <= 1.0, memory <= 1.5; they are
reported, not asserted.

Each engine is timed in a fresh child process, after warm-up runs, as each behaves in use:
cgengine with the allocator settings CG Studio makes at start-up (``cgengine.tune_allocator()``,
which importing cgengine does not call), torch as it is. In one shared process an engine
inherits the other's allocator state (torch's small-tensor runs left cgengine's 1000x1000 chain
twice as slow; cgengine's allocator settings let torch reuse freed memory it would otherwise
fault in again), so neither figure would be its own.

Peak memory of the 1000x1000 chain is measured in a fresh child process per engine, so that
neither sees the other's allocations:

- cgengine: ``tracemalloc``'s peak (numpy reports its array buffers to tracemalloc), started once
  the input exists, so it counts what forward + backward allocate;
- torch: its CPU allocator keeps no statistics (``torch.cuda.max_memory_allocated`` exists only
  for CUDA), so the growth of the resident set size is used: the kernel's high-water mark is
  reset (``5`` written to /proc/self/clear_refs) once the input exists, and the peak
  (``VmHWM`` in /proc/self/status) minus the resident size at that moment (``VmRSS``) is the
  chain's peak. (``ru_maxrss`` would not do: it survives exec, so a child inherits the parent's
  peak.) The children run with ``MALLOC_MMAP_THRESHOLD_=65536``: glibc then serves every large
  block with mmap and unmaps it when freed; with its default, adaptive threshold, freed 4 MB
  blocks stay in the heap and RSS counted them as live (torch showed 3.1 GB for 1.3 GB of saved
  tensors). cgengine's RSS growth is printed too, measured the same way, for a like-for-like
  comparison. This needs Linux.

torch runs with its default thread count (printed); numpy's elementwise ufuncs use one thread.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHAIN_LENGTH = 1000
CASES = {"1-element": (1,), "1000x1000": (1000, 1000), "2nd order": (1,)}
TRAINING = "training"
TRAINING_STEPS = 100
TARGETS = {"1-element": 0.9, "1000x1000": 1.2, "memory": 1.5, "2nd order": None,
           TRAINING: 1.0}


def chain(engine: ModuleType, x: object) -> object:
    """The benchmarked graph: CHAIN_LENGTH cheap elementwise ops, the same for every engine."""
    y = x
    for i in range(CHAIN_LENGTH):
        step = i % 3
        if step == 0:
            y = y * 1.0001
        elif step == 1:
            y = y + 0.001
        else:
            y = engine.sin(y)
    return y


def make_input(engine: ModuleType, shape: tuple[int, ...]) -> object:
    return engine.full(shape, 0.5, dtype=engine.float32).requires_grad_()


def run_once(engine: ModuleType, shape: tuple[int, ...], second_order: bool = False) -> float:
    """Seconds for one forward + backward of the chain on a fresh leaf; with ``second_order``,
    the first derivative taken with create_graph=True and differentiated again."""
    x = make_input(engine, shape)
    start = time.perf_counter()
    if second_order:
        (first,) = engine.autograd.grad(chain(engine, x).sum(), x, create_graph=True)
        first.sum().backward()
    else:
        chain(engine, x).sum().backward()
    elapsed = time.perf_counter() - start
    assert x.grad is not None and x.grad.dtype == engine.float32
    return elapsed


def median_time(engine: ModuleType, case: str, repeats: int) -> float:
    shape, second_order = CASES[case], case == "2nd order"
    for _ in range(5 if shape == (1,) else 1):  # warm-up: imports, caches, first-touch of memory
        run_once(engine, shape, second_order)
    return statistics.median(run_once(engine, shape, second_order) for _ in range(repeats))


def load(engine_name: str) -> ModuleType:
    """The engine, set up as it runs in use: cgengine with CG Studio's allocator settings."""
    engine = importlib.import_module(engine_name)
    if engine_name == "cgengine":
        engine.tune_allocator()
    return engine


def training_once(engine: ModuleType) -> float:
    """Seconds for TRAINING_STEPS steps of the course's logistic regression (batch 200)."""
    nn = importlib.import_module(f"{engine.__name__}.nn")
    engine.manual_seed(10)
    n_data = engine.ones(100, 2)
    x = engine.cat((engine.normal(1.7 * n_data, 1) + 1, engine.normal(-1.7 * n_data, 1) + 1), 0)
    y = engine.cat((engine.zeros(100), engine.ones(100)), 0)
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    loss_fn = nn.BCELoss()
    optimizer = engine.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    start = time.perf_counter()
    for _ in range(TRAINING_STEPS):
        loss = loss_fn(model(x).squeeze(), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    elapsed = time.perf_counter() - start
    assert loss.item() < 0.2, "the model did not learn"
    return elapsed


def median_training_time(engine: ModuleType, repeats: int) -> float:
    for _ in range(3):  # warm-up
        training_once(engine)
    return statistics.median(training_once(engine) for _ in range(repeats))


def _status_bytes(field: str) -> int:
    """A memory line of /proc/self/status ("VmRSS", "VmHWM"), which Linux gives in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field} line")


def reset_peak_rss() -> int:
    """Restart the kernel's peak-RSS count from now; return the current resident size."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_bytes("VmRSS")


def measure_memory(engine_name: str) -> None:
    """Child-process mode: print the peak RSS growth and (cgengine) tracemalloc peak in bytes."""
    engine = load(engine_name)
    x = make_input(engine, CASES["1000x1000"])
    use_tracemalloc = engine_name == "cgengine"
    if use_tracemalloc:
        tracemalloc.start()
    before = reset_peak_rss()
    chain(engine, x).sum().backward()
    traced = tracemalloc.get_traced_memory()[1] if use_tracemalloc else 0
    print(_status_bytes("VmHWM") - before, traced)


def memory_of(engine_name: str) -> tuple[int, int]:
    """Run :func:`measure_memory` in a fresh interpreter; return (RSS growth, traced peak)."""
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536"}
    done = subprocess.run([sys.executable, __file__, "--memory-child", engine_name],
                          capture_output=True, text=True, check=True, env=env)
    rss, traced = done.stdout.split()
    return int(rss), int(traced)


def time_of(engine: str, case: str, repeats: int, threads: int = 0) -> float:
    """Median seconds of ``case`` on ``engine``, measured in a fresh process: an engine run
    before another in the same process changes the other's figures (torch's small-tensor runs
    left cgengine's 1000x1000 chain twice as slow here, through the allocator's state)."""
    done = subprocess.run([sys.executable, __file__, "--time-child", engine, case, str(repeats),
                           str(threads)], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def ratio_text(mine: float, theirs: float | None, target: float | None) -> str:
    if theirs is None:
        return "torch not installed"
    ratio = mine / theirs
    if target is None:
        return f"ratio {ratio:5.2f} (no target)"
    verdict = "meets" if ratio <= target else "misses"
    return f"ratio {ratio:5.2f} ({verdict} target <= {target})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per case (median)")
    parser.add_argument("--memory-child", metavar="ENGINE", help=argparse.SUPPRESS)
    parser.add_argument("--time-child", nargs=4, metavar=("ENGINE", "CASE", "REPEATS", "THREADS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        measure_memory(args.memory_child)
        return
    if args.time_child:
        engine_name, case, repeats, threads = args.time_child
        engine = load(engine_name)
        if engine_name == "torch" and int(threads) > 0:
            engine.set_num_threads(int(threads))
        if case == TRAINING:
            print(median_training_time(engine, int(repeats)))
        else:
            print(median_time(engine, case, int(repeats)))
        return

    try:
        import torch
    except ImportError:
        torch = None
    print(f"{CHAIN_LENGTH}-op chain (mul, add, sin), float32, forward + backward, "
          f"median of {args.repeats}; each engine timed in a fresh process"
          + (f"; torch threads: {torch.get_num_threads()}" if torch else ""))
    for label, shape in CASES.items():
        repeats = args.repeats * 4 if shape == (1,) else args.repeats
        mine = time_of("cgengine", label, repeats)
        theirs = time_of("torch", label, repeats) if torch else None
        theirs_text = f"{theirs * 1000:9.1f} ms" if theirs is not None else "        -"
        print(f"time   {label:>10}: cgengine {mine * 1000:9.1f} ms  torch {theirs_text}  "
              f"{ratio_text(mine, theirs, TARGETS[label])}")
        if torch is not None and shape != (1,) and torch.get_num_threads() > 1:
            # numpy's elementwise ufuncs use one thread: compare with torch on one thread too
            single = time_of("torch", label, repeats, threads=1)
            print(f"       {label:>10}: against torch on 1 thread {single * 1000:9.1f} ms  "
                  f"{ratio_text(mine, single, TARGETS[label])}")

    repeats = args.repeats * 4
    mine = time_of("cgengine", TRAINING, repeats)
    theirs = time_of("torch", TRAINING, repeats) if torch else None
    theirs_text = f"{theirs * 1000:9.1f} ms" if theirs is not None else "        -"
    print(f"time    training: cgengine {mine * 1000:9.1f} ms  torch {theirs_text}  "
          f"{ratio_text(mine, theirs, TARGETS[TRAINING])}   ({TRAINING_STEPS} steps of "
          "logistic regression, batch 200)")

    mine_rss, mine_traced = memory_of("cgengine")
    theirs_rss = memory_of("torch")[0] if torch else None
    mib = 1024 * 1024
    theirs_text = f"{theirs_rss / mib:7.0f} MiB" if theirs_rss is not None else "      -"
    print(f"memory  1000x1000: cgengine {mine_traced / mib:7.0f} MiB (tracemalloc peak), "
          f"torch {theirs_text} (peak RSS growth)  "
          f"{ratio_text(mine_traced, theirs_rss, TARGETS['memory'])}")
    print(f"        like for like: cgengine peak RSS growth {mine_rss / mib:7.0f} MiB  "
          f"{ratio_text(mine_rss, theirs_rss, TARGETS['memory'])}")


if __name__ == "__main__":
    main()
