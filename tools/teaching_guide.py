"""Write the measured parts of docs/teaching.md from the notebooks themselves.

Three blocks of the teacher's guide are written by this script, between marker lines:

* ``<!-- section-times -->``: how long every section of every notebook took in the clean
  run that the notebook was committed from. Running a notebook with ``jupyter nbconvert
  --execute`` records in each code cell's metadata when it started and finished
  (``"execution"``); this script adds them up per "## " section, the Exercises section
  split into the learner's part (stubs and checks) and the solutions;
* ``<!-- printed-times -->``: the timings that the notebooks themselves print (training
  times and the like), from their committed outputs;
* ``<!-- open-links -->``: the Binder, nbgitpuller and Colab links, from the repository
  and branch in ``helpers/course.py``.

Usage, from the top folder of the course::

    python tools/teaching_guide.py          # rewrite the blocks
    python tools/teaching_guide.py --check  # only report (exit status 1 if out of date)
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import nbformat

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a clone: find helpers/ next to tools/
    sys.path.insert(0, str(ROOT))

from helpers import course  # noqa: E402

GUIDE = ROOT / "docs" / "teaching.md"

#: The lines of output that report how long something took, per notebook: a regular
#: expression that a whole line must match.
PRINTED = {
    "01_mnist_with_pandas.ipynb": r"load time with .*",
    "03_training_on_mnist.ipynb": r"(one epoch.*: [\d.]+ s.*|trained on 60,000 digits in .*)",
    "04_evaluating_with_confusion_matrices.ipynb": r"(10,000 test images in .*|1 epoch of training in .*)",
    "07_better_training.ipynb": r"about [\d.]+ s of training",
    "08_convolutional_network_by_hand.ipynb": r"(im2col and one matrix product: .*|training: [\d.]+ s, .*)",
}


def minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def section_names(nb) -> list[str]:
    """For each cell, the name of the section it belongs to."""
    names, current, in_exercises = [], "(title)", False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            headings = [line[3:].strip() for line in cell.source.split("\n")
                        if line.startswith("## ")]
            if headings:
                current = headings[-1]
                in_exercises = current == "Exercises"
        name = current
        if in_exercises and cell.cell_type == "code":
            name = ("Exercises: solutions" if cell.source.startswith(("#@title Solution", "# Solution"))
                    else "Exercises: stubs and checks")
        names.append(name)
    return names


def cell_seconds(cell) -> float | None:
    """How long a code cell ran in the recorded run, or None if it has no record."""
    timing = cell.metadata.get("execution", {})
    try:
        start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return (end - start).total_seconds()


def section_times(path: Path) -> list[dict]:
    """Each section of the notebook ``path`` with its code cells and their recorded time."""
    nb = nbformat.read(path, as_version=4)
    sections: dict[str, dict] = {}
    for cell, name in zip(nb.cells, section_names(nb)):
        if cell.cell_type != "code":
            continue
        seconds = cell_seconds(cell)
        entry = sections.setdefault(name, {"section": name, "code_cells": 0, "seconds": 0.0,
                                           "untimed": 0})
        entry["code_cells"] += 1
        if seconds is None:  # run some other way than nbconvert: no record of its time
            entry["untimed"] += 1
        else:
            entry["seconds"] += seconds
    return list(sections.values())


def section_times_block(notebooks: Path) -> str:
    """A table of the notebooks' run times, then one table per notebook of its sections."""
    paths = sorted(notebooks.glob("*.ipynb"))
    times = {path.name: section_times(path) for path in paths}
    parts = ["| notebook | run all | longest section |", "| --- | --- | --- |"]
    for file, sections in times.items():
        longest = max(sections, key=lambda section: section["seconds"])
        total = sum(section["seconds"] for section in sections)
        parts.append(f"| {file[:2]} | {minutes(total)} | {longest['section']} "
                     f"({minutes(longest['seconds'])}) |")
    for file, sections in times.items():
        parts += ["", f"<details><summary>{file}: every section</summary>", "",
                  "| section | code cells | time |", "| --- | --- | --- |"]
        parts += [f"| {section['section']} | {section['code_cells']} | "
                  f"{section['seconds']:.1f} s" +
                  (f" ({section['untimed']} cells not timed)" if section["untimed"] else "") +
                  " |" for section in sections]
        parts += ["", "</details>"]
    return "\n".join(parts)


def printed_lines(path: Path, pattern: str) -> list[str]:
    """The lines of ``path``'s outputs that match ``pattern`` as a whole."""
    found = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.output_type == "stream" else ""
            found += [line.strip() for line in text.split("\n")
                      if re.fullmatch(pattern, line.strip())]
    return found


def printed_times_block(notebooks: Path) -> str:
    rows = ["| notebook | what it prints |", "| --- | --- |"]
    for file, pattern in PRINTED.items():
        for line in printed_lines(notebooks / file, pattern):
            rows.append(f"| {file[:2]} | `{line}` |")
    return "\n".join(rows)


def open_links_block() -> str:
    """Binder and nbgitpuller links that open notebook 00 of this course."""
    first = course.NOTEBOOKS[0].file
    folder = course.REPOSITORY.split("/")[1]
    repository = f"https://github.com/{course.REPOSITORY}"
    urlpath = f"lab/tree/{folder}/notebooks/{first}"
    puller = (f"https://HUB/hub/user-redirect/git-pull?repo={quote(repository, safe='')}"
              f"&branch={course.BRANCH}&urlpath={quote(urlpath, safe='')}")
    return "\n".join([
        f"- Binder: <{course.binder_url(first)}>",
        f"- JupyterHub with nbgitpuller: `{puller}`",
        f"- Colab: <{course.colab_url(first)}>",
    ])


def replace_block(text: str, name: str, block: str) -> str:
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    if start not in text or end not in text:
        raise ValueError(f"{GUIDE.name} lacks the lines {start} and {end}")
    before, rest = text.split(start, 1)
    return f"{before}{start}\n{block}\n{end}{rest.split(end, 1)[1]}"


def updated_guide(root: Path = ROOT) -> str:
    text = (root / "docs" / "teaching.md").read_text(encoding="utf-8")
    text = replace_block(text, "section-times", section_times_block(root / "notebooks"))
    text = replace_block(text, "open-links", open_links_block())
    return replace_block(text, "printed-times", printed_times_block(root / "notebooks"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    arguments = parser.parse_args(argv)
    new = updated_guide()
    if new == GUIDE.read_text(encoding="utf-8"):
        return 0
    if arguments.check:
        print(f"{GUIDE}: out of date; run python tools/teaching_guide.py")
        return 1
    GUIDE.write_text(new, encoding="utf-8")
    print(f"{GUIDE}: updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
