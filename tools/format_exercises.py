"""Bring the "## Exercises" section of every notebook into the course's exercise structure.

The section runs from the Markdown cell with the heading "## Exercises" to the closing
link cell (the notebook's last cell). This script rewrites it, and nothing else, so that:

* the checked exercises of ``tools/exercise_bank.py`` come first (an exercise of the same
  title is replaced), then the notebook's own exercises, numbered 1, 2, ...;
* each exercise is a Markdown cell "### Exercise N · Title", a stub cell for the learner
  ("# Exercise N: your code here"), for a checked exercise a check cell, and a solution;
* a check cell is an nbgrader grade cell (1 point, locked): under ``nbgrader autograde``
  its check raises when the answer is wrong (see ``helpers/checks.py``);
* a solution cell starts with ``#@title Solution to exercise N`` (Colab shows it as a
  folded form, with ``"cellView": "form"``), is folded in JupyterLab and Notebook 7
  (``"jupyter": {"source_hidden": true}``), holds its code between ``### BEGIN SOLUTION``
  and ``### END SOLUTION`` and is an nbgrader solution cell, so that
  ``nbgrader generate_assignment`` leaves it out of the students' copies;
* solution cells carry no outputs (they would give the answer away on GitHub); they run
  in CI all the same.

Running it again changes nothing. Cells it writes anew have no outputs yet: execute the
notebook, then run this script once more to clear the solutions' outputs.

Usage, from the top folder of the course::

    python tools/format_exercises.py                 # every notebook in notebooks/
    python tools/format_exercises.py notebooks/04_*.ipynb
    python tools/format_exercises.py --check         # only report (exit status 1 if any)
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from exercise_bank import BANK, INTROS  # noqa: E402

HEADING = "## Exercises"
INTRO = """\
## Exercises

Write your answer in the cell below each exercise and run it. Where a check cell follows,
run that too: it tests your answer against a reference computed another way and tells you
what is right and what is not, without giving the answer away ("Not yet" only means that
the cell above is still empty). The solution comes last, folded away: click the fold in
JupyterLab (or "Show code" on Colab) once your answer passes, to compare, or when you are
stuck after a real try."""
EXERCISE_HEADING = re.compile(r"^### Exercise (\d+) · (.+)$")
STUB_LINE = "# Exercise {number}: your code here"
SOLUTION_TITLE = "#@title Solution to exercise {number}"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CHECK_IMPORT = "from helpers.checks import"
POINTS = 1


def nbgrader_metadata(number: int, role: str) -> dict:
    """nbgrader's cell metadata (schema 3) for the check ("grade") or solution cell."""
    grade = role == "check"
    metadata = {"grade": grade, "grade_id": f"exercise-{number}-{role}", "locked": grade,
                "schema_version": 3, "solution": not grade, "task": False}
    if grade:
        metadata["points"] = POINTS
    return metadata


def exercises_start(nb) -> int:
    """The index of the "## Exercises" cell.

    A cell that holds more than the heading and its introduction is split: the text before
    the heading (the Summary) stays where it is, and each "### Exercise N · Title" after it
    gets a cell of its own.
    """
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        if HEADING not in lines:
            continue
        at = lines.index(HEADING)
        cuts = [at] + [i for i, line in enumerate(lines) if i > at and EXERCISE_HEADING.match(line)]
        pieces = ["\n".join(lines[a:b]).strip() for a, b in zip(cuts, cuts[1:] + [len(lines)])]
        if at > 0:  # "## Summary ... ## Exercises" in one cell: the summary stays
            cell.source = "\n".join(lines[:at]).rstrip()
            index += 1
            nb.cells.insert(index, new_markdown_cell(pieces[0]))
        else:
            cell.source = pieces[0]
        nb.cells[index + 1:index + 1] = [new_markdown_cell(piece) for piece in pieces[1:]]
        return index
    raise ValueError("no Markdown cell with the heading '## Exercises'")


def strip_lines(source: str, *patterns: str) -> str:
    """``source`` without the lines that match any of ``patterns`` (regular expressions),
    and without blank lines at either end."""
    lines = [line for line in source.split("\n")
             if not any(re.fullmatch(pattern, line.strip()) for pattern in patterns)]
    return "\n".join(lines).strip("\n")


def solution_body(source: str) -> str:
    """The code of a solution cell, without its title, markers and test comments."""
    return strip_lines(source, r"#@title.*", r"# Solution.*", re.escape(BEGIN), re.escape(END),
                       r"# NBVAL_\w+")


def stub_body(source: str) -> str:
    """The code of a stub cell without its first line "# Exercise N: your code here"."""
    return strip_lines(source, r"# Exercise \d+: your code here")


def parse(cells) -> list[dict]:
    """The exercises in ``cells`` (the section without its heading and closing cell)."""
    exercises = []
    for cell in cells:
        match = EXERCISE_HEADING.match(cell.source.split("\n")[0]) if cell.cell_type == "markdown" else None
        if match:
            exercises.append({"title": match.group(2), "markdown": cell, "stub": None,
                              "check": None, "solution": None})
        elif not exercises:
            raise ValueError(f"a cell before the first '### Exercise N · Title': {cell.source[:60]!r}")
        elif cell.cell_type == "markdown":
            raise ValueError(f"exercise {exercises[-1]['title']!r}: a second Markdown cell "
                             f"{cell.source[:60]!r}; keep each exercise's text in one cell")
        else:
            source = cell.source.lstrip()
            if source.startswith(("#@title Solution", "# Solution")):
                role = "solution"
            elif CHECK_IMPORT in cell.source:
                role = "check"
            else:
                role = "stub"
            if exercises[-1][role] is not None:
                raise ValueError(f"exercise {exercises[-1]['title']!r} has two {role} cells")
            exercises[-1][role] = cell
    for exercise in exercises:
        if exercise["stub"] is None or exercise["solution"] is None:
            raise ValueError(f"exercise {exercise['title']!r} needs a stub cell and a solution cell")
    return exercises


def _cell(kind: str, source: str, old, cell_id: str, metadata: dict, keep_outputs: bool):
    """A cell with ``source``. If the old cell had the same code, the new one keeps its
    execution count and timing, and its outputs too if ``keep_outputs``."""
    if kind == "markdown":
        cell = new_markdown_cell(source)
    else:
        cell = new_code_cell(source)
        if old is not None and old.source == source:  # the same code: it ran already
            cell.execution_count = old.execution_count
            if "execution" in old.metadata:  # when it ran (the teacher's guide times cells)
                metadata = {**metadata, "execution": copy.deepcopy(old.metadata["execution"])}
            if keep_outputs:
                cell.outputs = copy.deepcopy(old.outputs)
    cell.id = cell_id
    cell.metadata = nbformat.from_dict(metadata)
    return cell


def build(number: int, title: str, text: str, stub: str, check: str | None, solution: str,
          old: dict) -> list:
    """The cells of exercise ``number``."""
    def own_metadata(cell) -> dict:
        if cell is None:
            return {}
        return {key: value for key, value in cell.metadata.items()
                if key not in ("jupyter", "cellView", "nbgrader", "execution")}

    prefix = f"exercise-{number}"
    cells = [
        _cell("markdown", f"### Exercise {number} · {title}\n\n{text}".rstrip(), old["markdown"],
              f"{prefix}-text", {}, False),
        _cell("code", f"{STUB_LINE.format(number=number)}\n{stub}".rstrip(), old["stub"],
              f"{prefix}-stub", own_metadata(old["stub"]), True),
    ]
    if check is not None:
        cells.append(_cell("code", check, old["check"], f"{prefix}-check",
                           {"nbgrader": nbgrader_metadata(number, "check")}, True))
    source = f"{SOLUTION_TITLE.format(number=number)}\n{BEGIN}\n{solution}\n{END}"
    cells.append(_cell("code", source, old["solution"], f"{prefix}-solution",
                       {"cellView": "form", "jupyter": {"source_hidden": True},
                        "nbgrader": nbgrader_metadata(number, "solution")}, False))
    return cells


def format_notebook(nb, file: str) -> bool:
    """Rewrite the Exercises section of ``nb`` (the notebook ``file``); True if it changed."""
    before = nbformat.writes(nb)
    start = exercises_start(nb)
    closing = nb.cells[-1]
    if closing.cell_type != "markdown" or len(nb.cells) - 1 <= start:
        raise ValueError(f"{file}: the last cell should be the Markdown closing link, after "
                         "the exercises")
    found = parse(nb.cells[start + 1:-1])
    checked = BANK.get(file, [])
    titles = {exercise.title for exercise in checked}
    by_title = {exercise["title"]: exercise for exercise in found}
    empty = {"markdown": None, "stub": None, "check": None, "solution": None}

    section = [_cell("markdown", INTROS.get(file, INTRO), nb.cells[start], "exercises", {}, False)]
    number = 0
    for exercise in checked:
        number += 1
        section += build(number, exercise.title, exercise.text, exercise.stub, exercise.check,
                         exercise.solution, by_title.get(exercise.title, empty))
    for exercise in found:
        if exercise["title"] in titles:
            continue
        number += 1
        text = exercise["markdown"].source.split("\n", 1)[1].strip() \
            if "\n" in exercise["markdown"].source else ""
        check = exercise["check"].source if exercise["check"] is not None else None
        section += build(number, exercise["title"], text, stub_body(exercise["stub"].source),
                         check, solution_body(exercise["solution"].source), exercise)
    nb.cells[start:-1] = section
    return nbformat.writes(nb) != before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to format (default: every notebook in notebooks/)")
    parser.add_argument("--check", action="store_true",
                        help="only report the notebooks that would change")
    arguments = parser.parse_args(argv)
    paths = arguments.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    changed = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if format_notebook(nb, path.name):
            changed.append(path)
            if not arguments.check:
                nbformat.write(nb, path)
    for path in changed:
        print(f"{path}: {'would change' if arguments.check else 'exercises formatted'}")
    return 1 if arguments.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
