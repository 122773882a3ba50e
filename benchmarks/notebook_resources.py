"""What one learner's run of each notebook costs, and what a class of 30 needs for it.

Runs every notebook of the course top to bottom ("Restart kernel and run all"), each in a
fresh kernel started by a process of its own, and reads from the operating system what
that kernel used: its CPU time (user + system, all threads) and its peak memory (resident
set size). From these, for a class of 30 learners who all run the same notebook:

* memory: 30 x the peak of one learner;
* cores: 30 x the CPU seconds of one learner, spread over 5 minutes, the time a
  classroom might wait for everyone's "run all" to finish (the CPU seconds hardly depend
  on how busy the computer was; the wall-clock time does).

Usage, from the top folder of the course (it takes several minutes; the notebooks in the
repository are not changed, unless ``--save`` asks it to write each run's outputs back into
its notebook, which is how a maintainer refreshes every notebook's committed outputs and
the sizing table from one quiet run)::

    python benchmarks/notebook_resources.py
    python benchmarks/notebook_resources.py notebooks/03_training_on_mnist.ipynb
    python benchmarks/notebook_resources.py --save
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLASS_SIZE = 30
CLASS_WAIT_SECONDS = 300  # how long the whole class may take to run a notebook


def run_one(path: Path, save: bool = False) -> dict:
    """Run the notebook ``path`` in a new kernel (a child of this process); what it used.

    With ``save``, the executed notebook replaces the file (as ``jupyter nbconvert --execute
    --inplace`` would), once the kernel has ended; otherwise the file stays as it is.
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)  # run in memory
    start = time.perf_counter()
    NotebookClient(notebook, timeout=3600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    wall = time.perf_counter() - start
    used = resource.getrusage(resource.RUSAGE_CHILDREN)  # the kernel, once it has ended
    if save:
        nbformat.write(notebook, path)
    return {"notebook": path.name, "wall_seconds": wall,
            "cpu_seconds": used.ru_utime + used.ru_stime,
            "peak_mib": used.ru_maxrss / 1024}  # Linux gives KiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to measure (default: all of notebooks/)")
    parser.add_argument("--save", action="store_true",
                        help="write each notebook's new outputs back into it")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one.resolve(), save=args.save)))
        return 0

    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(f"Resources of one learner per notebook: {platform.machine()}, "
          f"{len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}")
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    rows, failed = [], []
    for path in paths:
        done = subprocess.run([sys.executable, __file__, "--one", str(path)]
                              + (["--save"] if args.save else []),
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:  # say which, and go on with the others
            error = [line for line in done.stderr.splitlines() if line.strip()][-1:]
            failed.append(f"{path.name} failed: {error[0][:200] if error else done.returncode}")
            print(f"  {failed[-1]}", flush=True)
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"  measured {path.name}: {json.dumps(rows[-1])}", flush=True)

    print(f"\n{'notebook':45} | {'wall s':>6} | {'CPU s':>6} | {'peak MiB':>8} | "
          f"{f'class of {CLASS_SIZE}: cores':>19} | {'memory GiB':>10}")
    print("-" * 110)
    for row in rows:
        cores = CLASS_SIZE * row["cpu_seconds"] / CLASS_WAIT_SECONDS
        memory = CLASS_SIZE * row["peak_mib"] / 1024
        print(f"{row['notebook']:45} | {row['wall_seconds']:6.0f} | {row['cpu_seconds']:6.0f} | "
              f"{row['peak_mib']:8.0f} | {math.ceil(cores):19d} | {memory:10.1f}")
    for message in failed:
        print(f"NOT MEASURED: {message}")
    print(f"\ncores: {CLASS_SIZE} learners' CPU seconds spread over {CLASS_WAIT_SECONDS // 60} "
          f"minutes, rounded up; memory: {CLASS_SIZE} x one learner's peak")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
