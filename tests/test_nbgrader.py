"""The course in a class with nbgrader: students' copies without solutions, and grading.

In a temporary nbgrader course folder (made by tools/nbgrader_course.py, from the
notebooks as tools/format_exercises.py formats them), with the real nbgrader:

* ``generate_assignment`` for every notebook: in the students' copies each solution cell
  holds only its title and the stub line, no solution code is left, and every other cell
  is as it was;
* ``autograde`` of two students for notebooks 00, 04 and 06, the ones that run in
  seconds (``GRADED``): one who solved every exercise in its stub cell gets full marks,
  one who handed in the copy untouched gets none, and in neither copy does any cell but a
  failing check end in an error. autograde executes each notebook once per student, and
  the CI run executes every notebook once already (nbval): the others would add minutes
  to it. 01 reads the 60,000 training images three times (its two loaders and a check)
  and took 84 s for its two students, against 35 s for 04, while the machine was
  otherwise nearly idle; 02, 03, 07 and 08 train networks, 05 prepares hundreds of
  drawings and 09 reads 40 photos of numbers. Their students' copies are generated and
  checked all the same, and tests/test_exercises.py runs every check on its solution.

nbgrader is the teachers' extra (``pip install -e ".[teachers]"``, Python 3.11 or newer).
Without it these tests skip, except under CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from tool_scripts import load_tool

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
GRADED = ["00_start_here", "04_evaluating_with_confusion_matrices", "06_inside_the_network"]
# nbgrader's gradebook code trips SQLAlchemy's session warnings; they are not ours to mend
pytestmark = pytest.mark.filterwarnings("ignore:Object of type .* not in session")

try:
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
except ImportError as error:
    if os.environ.get("CI") == "true":
        raise RuntimeError("nbgrader is missing: CI installs the teachers' extra "
                           '(pip install -e ".[teachers]")') from error
    pytest.skip(f"nbgrader is not installed ({error}); pip install -e \".[teachers]\"",
                allow_module_level=True)


FORMAT = load_tool("format_exercises")
COURSE_TOOL = load_tool("nbgrader_course")


def is_solution(cell) -> bool:
    return cell.metadata.get("nbgrader", {}).get("solution", False)


def is_check(cell) -> bool:
    return cell.metadata.get("nbgrader", {}).get("grade", False)


def solution_code(source: str) -> str:
    """The code between the solution markers of a source solution cell."""
    match = re.search(rf"{FORMAT.BEGIN}\n(.*)\n{FORMAT.END}", source, re.S)
    assert match, f"no solution markers in {source[:80]!r}"
    return match.group(1)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with every notebook as an assignment, and nbgrader's API for it."""
    # nbgrader runs the `alembic` command of its environment: find it even when this
    # Python's environment is not activated
    patch = pytest.MonkeyPatch()
    patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    folder = tmp_path_factory.mktemp("course")
    formatted = tmp_path_factory.mktemp("formatted")
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        FORMAT.format_notebook(nb, path.name)  # does nothing to a notebook formatted already
        nbformat.write(nb, formatted / path.name)
    names = COURSE_TOOL.make_course(folder, sorted(formatted.glob("*.ipynb")))
    config = Config()
    exec((folder / "nbgrader_config.py").read_text(), {"get_config": lambda: config})
    config.CourseDirectory.root = str(folder)
    api = NbGraderAPI(config=config)
    for name in names:
        result = api.generate_assignment(name)
        assert result["success"], result.get("error") or result.get("log")
    yield folder, api
    patch.undo()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_the_students_copy_has_no_solution_and_everything_else(course, path):
    folder, _ = course
    source = nbformat.read(folder / "source" / path.stem / path.name, as_version=4)
    release = nbformat.read(folder / "release" / path.stem / path.name, as_version=4)
    assert len(release.cells) == len(source.cells)
    solutions = 0
    for mine, theirs in zip(source.cells, release.cells):
        if is_solution(mine):
            solutions += 1
            title = mine.source.split("\n")[0]
            assert theirs.source == f"{title}\n{COURSE_TOOL.CODE_STUB}"
        else:
            assert theirs.source == mine.source
    assert solutions >= 2
    text = nbformat.writes(release)
    assert FORMAT.BEGIN not in text and FORMAT.END not in text


def hand_in(folder: Path, student: str, name: str, solve: bool) -> None:
    """Put a student's copy of assignment ``name`` into submitted/; if ``solve``, with the
    solution of every checked exercise written into its stub cell."""
    file = f"{name}.ipynb"
    release = nbformat.read(folder / "release" / name / file, as_version=4)
    source = nbformat.read(folder / "source" / name / file, as_version=4)
    if solve:
        cells = release.cells
        for index, cell in enumerate(cells):
            if is_check(cell):
                stub = cells[index - 1]
                solution = next(mine for mine in source.cells[index:] if is_solution(mine))
                stub.source = solution_code(solution.source)
    target = folder / "submitted" / student / name
    target.mkdir(parents=True, exist_ok=True)
    nbformat.write(release, target / file)


@pytest.mark.parametrize("name", GRADED)
def test_autograde_gives_full_marks_when_solved_and_none_when_untouched(course, name):
    folder, api = course
    for student, solve in [("solver", True), ("untouched", False)]:
        hand_in(folder, student, name, solve)
        result = api.autograde(name, student)
        assert result["success"], result.get("error") or result.get("log")
    checks = [cell for cell in nbformat.read(folder / "source" / name / f"{name}.ipynb",
                                             as_version=4).cells if is_check(cell)]
    assert checks
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        for student, expected in [("solver", "full"), ("untouched", 0)]:
            notebook = gradebook.find_submission_notebook(name, name, student)
            full = sum(cell.metadata["nbgrader"]["points"] for cell in checks)
            assert notebook.max_score == full
            assert notebook.score == (full if expected == "full" else 0), student
    for student in ("solver", "untouched"):
        graded = nbformat.read(folder / "autograded" / student / name / f"{name}.ipynb",
                               as_version=4)
        for cell in graded.cells:
            errors = [output for output in cell.get("outputs", [])
                      if output.output_type == "error"]
            if errors and not (student == "untouched" and is_check(cell)):
                pytest.fail(f"{student}'s {name}: the cell {cell.source[:60]!r} ended in "
                            f"{errors[0].ename}: {errors[0].evalue}")
            if student == "untouched" and is_check(cell):
                assert errors and errors[0].ename == "ExerciseNotSolved"
