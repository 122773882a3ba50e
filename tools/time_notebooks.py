"""Time every section of the course's notebooks, for the lesson plans of docs/teaching.md.

Runs each notebook from a clean kernel, cell by cell (the notebook files are not
changed), and measures for every cell the wall-clock time and the CPU time of the
kernel process (read from /proc, so Linux only). Cells are summed per "## " section;
the Exercises section is split into the learner's part (stubs and checks) and the
solutions. The machine's load average is recorded before and after each notebook.

On a busy machine the wall-clock times grow with the load while the CPU times hardly
change: the CPU time is the better guide to what a free core takes (a notebook whose
matrix products use two threads can take less wall time than CPU time).

Usage, from the top folder of the course::

    python tools/time_notebooks.py                     # all notebooks -> docs/notebook_times.json
    python tools/time_notebooks.py notebooks/04_*.ipynb --output times.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` and its waited-for children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return (utime + stime + cutime + cstime) / TICKS


def section_of(nb) -> list[str]:
    """For each cell, the name of the section it belongs to."""
    names, current, in_exercises = [], "(title)", False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            headings = [line[3:].strip() for line in cell.source.split("\n") if line.startswith("## ")]
            if headings:
                current = headings[-1]
                in_exercises = current == "Exercises"
        name = current
        if in_exercises and cell.cell_type == "code":
            name = ("Exercises: solutions" if cell.source.startswith("#@title Solution")
                    else "Exercises: stubs and checks")
        names.append(name)
    return names


def time_notebook(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=3600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    load_before = os.getloadavg()[0]
    sections: dict[str, dict] = {}
    started = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        for index, (cell, name) in enumerate(zip(nb.cells, section_of(nb))):
            entry = sections.setdefault(name, {"section": name, "wall_s": 0.0, "cpu_s": 0.0,
                                               "code_cells": 0})
            if cell.cell_type != "code":
                continue
            wall, cpu = time.perf_counter(), cpu_seconds(pid)
            client.execute_cell(cell, index)
            entry["wall_s"] += time.perf_counter() - wall
            entry["cpu_s"] += cpu_seconds(pid) - cpu
            entry["code_cells"] += 1
    total = time.perf_counter() - started
    rows = [{**entry, "wall_s": round(entry["wall_s"], 1), "cpu_s": round(entry["cpu_s"], 1)}
            for entry in sections.values()]
    return {"notebook": path.name, "wall_s": round(total, 1),
            "cpu_s": round(sum(row["cpu_s"] for row in rows), 1),
            "load_before": round(load_before, 1), "load_after": round(os.getloadavg()[0], 1),
            "sections": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "notebook_times.json")
    arguments = parser.parse_args(argv)
    paths = arguments.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
               "python": platform.python_version(), "notebooks": []}
    for path in paths:
        result = time_notebook(path)
        results["notebooks"].append(result)
        print(f"{path.name}: {result['wall_s']} s wall, {result['cpu_s']} s CPU "
              f"(load {result['load_before']} -> {result['load_after']})", flush=True)
        arguments.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
