"""Make an nbgrader course folder from the course's notebooks, for a class.

Every notebook becomes an assignment of its own (named like the notebook, without
``.ipynb``), in ``COURSE/source/<name>/``, and ``COURSE/nbgrader_config.py`` is written
if it is not there yet. Then, in ``COURSE``, nbgrader does the rest::

    pip install -e ".[teachers]"               # the course and nbgrader (Python 3.11+)
    python tools/nbgrader_course.py ~/digits-class
    cd ~/digits-class
    nbgrader generate_assignment 04_evaluating_with_confusion_matrices
    # hand out release/04_.../, collect the learners' copies in submitted/<student>/04_.../
    nbgrader autograde 04_evaluating_with_confusion_matrices

``generate_assignment`` writes the students' copies: each solution cell keeps only its
title and the line of ``CODE_STUB``; everything else stays, so the copies run top to
bottom. ``autograde`` runs each submitted notebook; a check cell is worth a point, and
under nbgrader a check whose answer fails raises instead of only printing (see
``helpers/checks.py``). The notebooks need the course installed (``pip install -e .``):
they find the data and the shipped networks through the ``helpers`` package.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: What a solution cell holds in the students' copies, in place of the solution.
CODE_STUB = "# This copy has no solution: write your answer in the cell under the exercise."

CONFIG = f'''\
# nbgrader's settings for the Digits by Hand course (written by tools/nbgrader_course.py).
c = get_config()
c.CourseDirectory.course_id = "digits-by-hand"
# A solution cell keeps its title and this line in the students' copies, so that they
# run from top to bottom without an error.
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}
# Notebooks 03, 07 and 08 train networks for minutes: give a cell up to 15 minutes.
c.Execute.timeout = 900
'''


def make_course(course: Path, notebooks: list[Path]) -> list[str]:
    """Write ``course``'s config (if missing) and one source assignment per notebook.

    Returns the names of the assignments.
    """
    course.mkdir(parents=True, exist_ok=True)
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG, encoding="utf-8")
    names = []
    for notebook in notebooks:
        name = notebook.stem
        folder = course / "source" / name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, folder / notebook.name)
        names.append(name)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("course", type=Path, help="the nbgrader course folder to make or update")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to put in (default: every notebook in notebooks/)")
    arguments = parser.parse_args(argv)
    notebooks = arguments.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for name in make_course(arguments.course, notebooks):
        print(f"{arguments.course / 'source' / name}")
    print(f"Next: cd {arguments.course} && nbgrader generate_assignment <name>")
    return 0


if __name__ == "__main__":
    sys.exit(main())
