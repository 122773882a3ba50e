"""What the two benchmarks share: threads, the course on the import path, fair timing.

* ``--threads``: both sides use the same number of threads. NumPy's BLAS is set and then
  read back with ``threadpoolctl`` (never guessed), and PyTorch is set to that number.
* ``alternate``: the two sides take turns, run by run (hand-built, PyTorch, hand-built,
  ...), so that a change of load on a shared machine hits both alike; the fastest run of
  each side counts.
* ``same_losses``: both sides start from the same weights and see the same batches, so
  their losses must agree, not only on the first batch but after many steps.

PyTorch is not part of the course: ``pip install -e .[crosscheck]`` installs it.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the course's helpers, when run as benchmarks/<script>.py

try:
    import torch
except ImportError:
    torch = None

import threadpoolctl  # noqa: E402 (a dependency of the course, for helpers/threads.py)


def add_thread_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="threads for NumPy's BLAS and for PyTorch (default: all cores, "
                             f"here {os.cpu_count()})")


def use_threads(threads: int) -> str:
    """Set NumPy's BLAS and PyTorch to ``threads`` threads; say what each reads back."""
    if threads < 1:
        raise SystemExit("--threads must be at least 1")
    threadpoolctl.threadpool_limits(limits=threads, user_api="blas")
    pools = [pool for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]
    blas = ", ".join(f"{pool['internal_api']} {pool['version']}: {pool['num_threads']}"
                     for pool in pools) or "none found"
    line = f"Threads (read back with threadpoolctl): NumPy {np.__version__}'s BLAS ({blas})"
    if any(pool["num_threads"] != threads for pool in pools):
        raise SystemExit(f"{line}, not the {threads} asked for")
    if torch is not None:
        torch.set_num_threads(threads)
        line += f"; PyTorch {torch.__version__}: {torch.get_num_threads()}"
        if torch.get_num_threads() != threads:
            raise SystemExit(f"{line}, not the {threads} asked for")
    return line


def alternate(sides: dict, repeat: int) -> dict[str, float]:
    """Best seconds of ``repeat`` runs of each side, the sides taking turns run by run.

    ``sides`` maps a name to ``run(round)``, which does one run and returns its seconds."""
    times = {name: [] for name in sides}
    for round_ in range(repeat):
        for name, run in sides.items():
            times[name].append(run(round_))
    return {name: min(seconds) for name, seconds in times.items()}


def same_losses(ours: list[float], theirs: list[float], after: int) -> tuple[bool, str]:
    """Whether two runs' losses per step agree: on the first batch to 1e-4, and after
    ``after`` steps (the mean loss of the 10 batches up to there) to 1 %. Both sides compute
    in float32 and add up in their own order, so the losses drift apart very slowly."""
    first_ok = math.isclose(ours[0], theirs[0], rel_tol=1e-4)
    end = min(after, len(ours), len(theirs))
    late_ours, late_theirs = np.mean(ours[end - 10:end]), np.mean(theirs[end - 10:end])
    late_ok = math.isclose(late_ours, late_theirs, rel_tol=1e-2)
    report = (f"loss of the first batch {ours[0]:.6f} (hand-built), {theirs[0]:.6f} (PyTorch); "
              f"mean loss of batches {end - 9} to {end}: {late_ours:.6f}, {late_theirs:.6f}")
    return first_ok and late_ok, report


def seconds(work) -> float:
    """The time ``work()`` takes."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start
