"""Every notebook carries the shared parts from helpers/course.py and the house structure.

The shared parts (the badge line of the title cell and the Colab setup cell) are written
by ``tools/sync_notebooks.py``; when they differ, run ``python tools/sync_notebooks.py``.

The structure every notebook must have:

* a title cell: its first line is "# NN · Title", as in the course map;
* a "## Summary" and then a "## Exercises" section;
* in Exercises (written by ``tools/format_exercises.py``), each exercise is a Markdown cell
  "### Exercise N · Title", the learner's stub cell, for a checked exercise a check cell
  (an nbgrader grade cell that calls ``helpers.checks``), and a solution cell that starts
  with ``#@title Solution to exercise N``, is folded for JupyterLab (``"jupyter":
  {"source_hidden": true}``) and Colab (``"cellView": "form"``), keeps its code between
  nbgrader's solution markers, is an nbgrader solution cell and has no outputs; every
  notebook has at least one checked exercise;
* outputs from a clean run: execution counts 1..N, no errors, nothing on stderr;
* a last Markdown cell that links the next notebook of the course map. While that one is
  not written yet, the link may instead go to the next notebook that exists, or back to
  the course map (00_start_here.ipynb); the last notebook of the map links the course map.

Each check is a function that returns a list of problems; the tests at the end feed them
broken notebooks, to show that they catch what they are meant to catch.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers import course
from tool_scripts import load_tool

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_PATHS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RUN_SYNC = "run `python tools/sync_notebooks.py`"
RUN_CLEAN = ("restart the kernel and run all, then save (or run `jupyter nbconvert --to "
             "notebook --execute --inplace` on it)")


#: tools/sync_notebooks.py, which makes the badges and the Colab setup cell.
SYNC = load_tool("sync_notebooks")


# -- the checks ------------------------------------------------------------------------------

def code_cells(nb) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def is_hidden(cell) -> bool:
    return bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


def is_solution(cell) -> bool:
    return cell.cell_type == "code" and cell.source.lstrip().startswith(("# Solution", "#@title"))


def heading_index(nb, heading: str) -> int | None:
    """The index of the Markdown cell with a line ``heading`` (such as "## Summary")."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and heading in cell.source.split("\n"):
            return index
    return None


def check_shared_parts(nb, file: str) -> list[str]:
    """The badge line and the Colab setup cell are what helpers/course.py makes."""
    problems = []
    if not nb.cells or SYNC.badges(file) not in nb.cells[0].source.split("\n"):
        problems.append(f"{file}: the title cell lacks the badge line of helpers/course.py")
    code = code_cells(nb)
    if not code or code[0].source != SYNC.colab_setup_code():
        problems.append(f"{file}: the first code cell is not the Colab setup cell of "
                        "helpers/course.py")
    if problems:
        problems.append(f"To fix it, {RUN_SYNC}.")
    return problems


def check_title(nb, file: str) -> list[str]:
    """The first cell is Markdown and starts with "# NN · Title", as in the course map."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return [f"{file}: the first cell must be a Markdown title cell"]
    heading = nb.cells[0].source.split("\n")[0]
    if not re.match(r"# \d\d · \S", heading):
        return [f"{file}: the title cell starts with {heading!r}, expected '# NN · Title'"]
    try:
        expected = SYNC.notebook(file).heading
    except KeyError as error:
        return [str(error.args[0])]
    if heading != expected:
        return [f"{file}: the title is {heading!r} but the course map (helpers/course.py) "
                f"says {expected!r}: make them the same"]
    return []


def check_sections(nb, file: str) -> list[str]:
    """There is a "## Summary" section, then an "## Exercises" section."""
    summary, exercises = heading_index(nb, "## Summary"), heading_index(nb, "## Exercises")
    problems = [f"{file}: no '{name}' section" for name, index in
                [("## Summary", summary), ("## Exercises", exercises)] if index is None]
    if not problems and summary > exercises:
        problems.append(f"{file}: '## Summary' should come before '## Exercises'")
    return problems


RUN_FORMAT = "run `python tools/format_exercises.py`, then execute the notebook"


def check_exercises(nb, file: str) -> list[str]:
    """Each exercise: its Markdown, a stub, maybe a check, a folded solution without outputs."""
    start = heading_index(nb, "## Exercises")
    if start is None:
        return [f"{file}: no '## Exercises' section"]
    groups = []
    for cell in nb.cells[start + 1:-1]:
        match = re.match(r"### Exercise (\d+) · ", cell.source) if cell.cell_type == "markdown" else None
        if match:
            groups.append((int(match.group(1)), []))
        elif cell.cell_type == "code" and groups:
            groups[-1][1].append(cell)
        else:
            return [f"{file}: {cell.source[:50]!r} is not part of an exercise; {RUN_FORMAT}"]
    if not groups:
        return [f"{file}: the Exercises section has no '### Exercise N · Title'; {RUN_FORMAT}"]
    problems = []
    if [number for number, _ in groups] != list(range(1, len(groups) + 1)):
        problems.append(f"{file}: the exercises are not numbered 1 to {len(groups)}")
    checked = 0
    for number, cells in groups:
        name = f"{file}: exercise {number}"
        if len(cells) not in (2, 3) or not is_solution(cells[-1]):
            problems.append(f"{name} should be a stub cell, maybe a check cell, and a solution "
                            f"cell; {RUN_FORMAT}")
            continue
        stub, *check, solution = cells
        if is_solution(stub) or is_hidden(stub):
            problems.append(f"{name} has no stub cell (a visible code cell for the learner)")
        if check:
            checked += 1
            grading = check[0].metadata.get("nbgrader", {})
            if "from helpers.checks import" not in check[0].source or not grading.get("grade") \
                    or not grading.get("points"):
                problems.append(f"{name}: the check cell should call helpers.checks and be an "
                                f"nbgrader grade cell with points; {RUN_FORMAT}")
        lines = solution.source.split("\n")
        if lines[0] != f"#@title Solution to exercise {number}":
            problems.append(f"{name}: the solution's first line should be "
                            f"'#@title Solution to exercise {number}' (Colab's folded title)")
        if not is_hidden(solution) or solution.metadata.get("cellView") != "form":
            problems.append(f"{name}: the solution is not folded for JupyterLab "
                            '({"jupyter": {"source_hidden": true}}) and Colab ({"cellView": "form"})')
        if lines[1:2] != ["### BEGIN SOLUTION"] or lines[-1] != "### END SOLUTION" \
                or not solution.metadata.get("nbgrader", {}).get("solution"):
            problems.append(f"{name}: the solution's code should be between nbgrader's "
                            f"markers, in an nbgrader solution cell; {RUN_FORMAT}")
        if solution.get("outputs"):
            problems.append(f"{name}: the solution has outputs (they give the answer away); "
                            f"{RUN_FORMAT.split(', then')[0]}")
    if not checked:
        problems.append(f"{file}: no exercise has a check cell; add one to tools/exercise_bank.py")
    return problems


def check_clean_run(nb, file: str) -> list[str]:
    """Outputs are from a clean run: counts 1..N, no errors, nothing on stderr."""
    problems = []
    code = code_cells(nb)
    if any(not cell.source.strip() for cell in code):
        problems.append(f"{file}: has empty code cells (they are not run): delete them")
    counts = [cell.execution_count for cell in code]
    if counts != list(range(1, len(code) + 1)):
        problems.append(f"{file}: execution counts are {counts}, expected 1 to {len(code)}: "
                        f"{RUN_CLEAN}")
    for cell in code:
        first_line = cell.source.split("\n")[0]
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"{file}: the cell {first_line!r} ends in {output.ename}: "
                                f"{output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                problems.append(f"{file}: the cell {first_line!r} writes to stderr: "
                                f"{output.text.strip()[:200]!r}")
    return problems


def allowed_next(file: str) -> list[str]:
    """The notebooks that the closing link of ``file`` may point to, the best first."""
    files = [entry.file for entry in course.NOTEBOOKS]
    later = course.NOTEBOOKS[files.index(file) + 1:]
    if not later:  # the last notebook of the course
        return [course.NOTEBOOKS[0].file]
    if later[0].exists():
        return [later[0].file]
    # the next one is coming soon: link it already, or the next that exists, or the map
    existing = [entry.file for entry in later if entry.exists()]
    return [later[0].file] + existing[:1] + [course.NOTEBOOKS[0].file]


def check_closing_link(nb, file: str) -> list[str]:
    """The last cell is Markdown and links the next notebook."""
    if file not in [entry.file for entry in course.NOTEBOOKS]:
        return [f"{file} is not in the course map: add it to NOTEBOOKS in helpers/course.py"]
    allowed = allowed_next(file)
    last = nb.cells[-1] if nb.cells else None
    links = []
    if last is not None and last.cell_type == "markdown":
        links = re.findall(r"\]\(([^)\s]+\.ipynb)\)", last.source)
    if not set(links) & set(allowed):
        return [f"{file}: the last cell should be Markdown with a link to "
                f"{' or '.join(allowed)} (found links: {links or 'none'})"]
    return []


CHECKS = [check_shared_parts, check_title, check_sections, check_exercises, check_clean_run,
          check_closing_link]


# -- the notebooks of the course -------------------------------------------------------------

def test_there_are_notebooks_and_all_are_in_the_course_map():
    assert NOTEBOOK_PATHS, "no notebooks in notebooks/"
    in_map = {entry.file for entry in course.NOTEBOOKS}
    strays = [path.name for path in NOTEBOOK_PATHS if path.name not in in_map]
    assert not strays, f"not in the course map: {strays}; add to NOTEBOOKS in helpers/course.py"


#: Notebooks whose Exercises section is not in the structure of tools/format_exercises.py
#: yet, with why. check_exercises is expected to fail on each (strictly: once it passes,
#: take the notebook off this list).
EXERCISES_PENDING: dict[str, str] = {}


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda path: path.name)
@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__[len("check_"):])
def test_notebook(path, check, request):
    if check is check_exercises and path.name in EXERCISES_PENDING:
        request.applymarker(pytest.mark.xfail(strict=True, reason=EXERCISES_PENDING[path.name]))
    problems = check(nbformat.read(path, as_version=4), path.name)
    assert not problems, "\n".join(problems)


def test_sync_tool_finds_nothing_to_do_in_the_notebooks():
    messages = [message for message in load_tool("sync_notebooks").sync(ROOT, write=False)
                if message.startswith("notebooks/")]
    assert not messages, f"out of date: {messages}; {RUN_SYNC}"


def test_format_tool_finds_nothing_to_do_in_the_notebooks():
    tool = load_tool("format_exercises")
    stale = [path.name for path in NOTEBOOK_PATHS if path.name not in EXERCISES_PENDING
             and tool.format_notebook(nbformat.read(path, as_version=4), path.name)]
    assert not stale, f"exercises out of date in {stale}: {RUN_FORMAT}"


# -- the sync tool ------------------------------------------------------------------------

README = ("# Digits by Hand\n\n<!-- badges -->\nold badges\n<!-- /badges -->\n\nThe rest stays.\n\n"
          "<!-- course-map -->\n<!-- /course-map -->\n\nThis too.\n")


def test_sync_rewrites_only_badges_and_setup_cell(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    before = {path.name: nbformat.read(path, as_version=4)
              for path in (tmp_path / "notebooks").glob("*.ipynb")}
    monkeypatch.setattr(course, "REPOSITORY", "a-learner/a-fork")
    monkeypatch.setattr(course, "BRANCH", "experiments")
    tool = load_tool("sync_notebooks")

    messages = tool.sync(tmp_path)

    assert len(messages) == len(before) + 1  # every notebook and the README
    for file, old in before.items():
        new = nbformat.read(tmp_path / "notebooks" / file, as_version=4)
        assert SYNC.badges(file) in new.cells[0].source
        assert "a-learner/a-fork/experiments" in SYNC.badges(file)
        setup = code_cells(new)[0]
        assert "https://github.com/a-learner/a-fork.git" in setup.source
        assert "--branch=experiments" in setup.source
        assert setup.outputs == code_cells(old)[0].outputs
        assert len(new.cells) == len(old.cells)
        for old_cell, new_cell in zip(old.cells, new.cells):
            if new_cell is new.cells[0] or new_cell is setup:
                old_cell, new_cell = copy.deepcopy(old_cell), copy.deepcopy(new_cell)
                old_cell.source = new_cell.source = ""
            assert new_cell == old_cell, f"{file}: sync changed a cell it should leave alone"
        assert new.metadata == old.metadata
        # the title cell changed only in its badge line
        old_lines, new_lines = old.cells[0].source.split("\n"), new.cells[0].source.split("\n")
        assert [line for line in old_lines if not SYNC.is_badge_line(line)] == \
               [line for line in new_lines if not SYNC.is_badge_line(line)]
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    course_map = course.course_map_markdown(folder="notebooks/")
    assert "(notebooks/00_start_here.ipynb)" in course_map
    assert readme == README.replace("old badges", SYNC.badges("00_start_here.ipynb")).replace(
        "<!-- course-map -->\n", f"<!-- course-map -->\n{course_map}\n")
    assert tool.sync(tmp_path) == []  # a second run has nothing left to do


def test_sync_adds_missing_badges_and_setup_cell(tmp_path):
    file = "01_mnist_with_pandas.ipynb"
    (tmp_path / "notebooks").mkdir()
    title = f"{SYNC.notebook(file).heading}\n\nWhat you learn."
    nb = new_notebook(cells=[new_markdown_cell(title),
                             new_markdown_cell("## Setup"),
                             new_code_cell("import numpy as np")])
    nbformat.write(nb, tmp_path / "notebooks" / file)

    assert load_tool("sync_notebooks").sync(tmp_path) == [f"notebooks/{file}: badges and Colab setup cell"]

    synced = nbformat.read(tmp_path / "notebooks" / file, as_version=4)
    assert synced.cells[0].source.split("\n") == [
        SYNC.notebook(file).heading, "", SYNC.badges(file), "", "What you learn."]
    assert [cell.source for cell in synced.cells[1:]] == [
        "## Setup", SYNC.colab_setup_code(), "import numpy as np"]
    assert check_shared_parts(synced, file) == []


# -- the Colab setup cell -----------------------------------------------------------------

def run_setup_cell(monkeypatch, on_colab: bool, cloned: bool = False, fails: str = "",
                   loaded_numpy: str | None = None) -> list:
    """Run the setup cell with Colab, git, pip and chdir faked; return what it did.

    ``fails`` names the command ("git" or "pip") that fails, as it would without a network;
    ``loaded_numpy`` is the version of NumPy the session had loaded before pip ran.
    """
    calls = []

    def fake_run(command, **kwargs):
        calls.append(("run", command))
        failing = fails and (command[0] == fails or fails in command[1:3])
        return subprocess.CompletedProcess(
            command, 128 if failing else 0, stdout="",
            stderr="fatal: unable to access the repository: Could not resolve host" if failing
            else "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(os, "chdir", lambda path: calls.append(("chdir", path)))
    monkeypatch.setattr(os.path, "isdir", lambda path: cloned)
    monkeypatch.setattr(sys, "path", list(sys.path))
    if loaded_numpy is not None:
        monkeypatch.setitem(sys.modules, "numpy", types.SimpleNamespace(__version__=loaded_numpy))
    if on_colab:
        output = types.SimpleNamespace(
            enable_custom_widget_manager=lambda: calls.append(("widgets",)))
        colab = types.ModuleType("google.colab")
        colab.output = output
        monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
        monkeypatch.setitem(sys.modules, "google.colab", colab)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(SYNC.colab_setup_code(), "setup cell", "exec"), {})
    return calls


def test_setup_cell_does_nothing_outside_colab(monkeypatch):
    assert run_setup_cell(monkeypatch, on_colab=False) == []


def test_setup_cell_clones_installs_and_moves_into_the_course_on_colab(monkeypatch):
    calls = run_setup_cell(monkeypatch, on_colab=True)
    folder = SYNC.COLAB_DIR
    assert calls == [
        ("run", ["git", "clone", "-q", "--depth=1", f"--branch={course.BRANCH}",
                 f"https://github.com/{course.REPOSITORY}.git", folder]),
        # the course with the dependencies pyproject.toml declares: nothing named beside it
        # and no --upgrade, so pip keeps what Colab ships wherever it is new enough
        ("run", [sys.executable, "-m", "pip", "install", "-q", "-e", folder]),
        ("widgets",),
        ("chdir", f"{folder}/notebooks"),
    ]
    assert sys.path[0] == folder


def test_setup_cell_does_not_clone_twice(monkeypatch):
    calls = run_setup_cell(monkeypatch, on_colab=True, cloned=True)
    assert [call for call in calls if call[0] == "run" and "git" in call[1]] == []


def test_a_failed_clone_is_explained_in_words(monkeypatch):
    with pytest.raises(RuntimeError) as raised:
        run_setup_cell(monkeypatch, on_colab=True, fails="git")
    message = str(raised.value)
    assert message.startswith(f"Could not fetch the course from https://github.com/"
                              f"{course.REPOSITORY}.git: check that this session is online")
    assert "Could not resolve host" in message  # git's own words follow
    assert not isinstance(raised.value, subprocess.CalledProcessError)


def test_a_failed_install_is_explained_in_words(monkeypatch):
    with pytest.raises(RuntimeError, match="Could not install the course's packages with pip"):
        run_setup_cell(monkeypatch, on_colab=True, cloned=True, fails="pip")


def test_a_package_upgraded_after_it_was_loaded_asks_for_a_restart(monkeypatch):
    with pytest.raises(RuntimeError, match=r"pip upgraded numpy, which this session had "
                                           r"already loaded: restart the session"):
        run_setup_cell(monkeypatch, on_colab=True, cloned=True, loaded_numpy="0.1")


# -- the checks catch what they should ------------------------------------------------------

FILE = "01_mnist_with_pandas.ipynb"


def good_notebook():
    """A small notebook that passes every check."""
    nb = new_notebook(cells=[
        new_markdown_cell(f"{SYNC.notebook(FILE).heading}\n\nWhat you learn.\n\n"
                          f"{SYNC.badges(FILE)}\n\n**Read first:** 00."),
        new_code_cell(SYNC.colab_setup_code(), execution_count=1),
        new_code_cell("print(1)", execution_count=2,
                      outputs=[new_output("stream", name="stdout", text="1\n")]),
        new_markdown_cell("## Summary\n\n- one"),
        new_markdown_cell("## Exercises"),
        new_markdown_cell("### Exercise 1 · A first one\n\nWrite it."),
        new_code_cell("# Exercise 1: your code here\nanswer = ...", execution_count=3),
        new_code_cell("from helpers.checks import check_it\n\ncheck_it(answer)", execution_count=4,
                      metadata={"nbgrader": {"grade": True, "points": 1, "solution": False}}),
        new_code_cell("#@title Solution to exercise 1\n### BEGIN SOLUTION\nanswer = 2\n"
                      "### END SOLUTION", execution_count=5,
                      metadata={"jupyter": {"source_hidden": True}, "cellView": "form",
                                "nbgrader": {"grade": False, "solution": True}}),
        new_markdown_cell(f"**Next:** [the next one]({allowed_next(FILE)[0]})"),
    ])
    return nb


def test_a_good_notebook_passes_every_check():
    nb = good_notebook()
    assert [problem for check in CHECKS for problem in check(nb, FILE)] == []


def _set(cell_index, **fields):
    def change(nb):
        for name, value in fields.items():
            nb.cells[cell_index][name] = value
    return change


BREAKAGES = {
    "badges of another repository": lambda nb: nb.cells[0].update(
        source=nb.cells[0].source.replace(course.REPOSITORY, "someone/else")),
    "an edited setup cell": lambda nb: nb.cells[1].update(source=nb.cells[1].source + "\nprint()"),
    "a title without its number": lambda nb: nb.cells[0].update(
        source=nb.cells[0].source.replace("# 01 · ", "# ")),
    "a title unlike the course map": lambda nb: nb.cells[0].update(
        source=nb.cells[0].source.replace("MNIST with pandas", "MNIST")),
    "no title cell": lambda nb: nb.cells.pop(0),
    "no summary": lambda nb: nb.cells.pop(3),
    "summary after exercises": lambda nb: nb.cells.insert(5, nb.cells.pop(3)),
    "no exercises": lambda nb: [nb.cells.pop(4) for _ in range(5)],
    "a solution that is not hidden": lambda nb: nb.cells[8].metadata.pop("jupyter"),
    "a solution not folded on Colab": lambda nb: nb.cells[8].metadata.pop("cellView"),
    "a solution without its Colab title": lambda nb: nb.cells[8].update(
        source=nb.cells[8].source.replace("#@title Solution to exercise 1", "# Solution")),
    "a solution outside nbgrader's markers": lambda nb: nb.cells[8].update(
        source=nb.cells[8].source.replace("### END SOLUTION", "")),
    "a solution with outputs": _set(8, outputs=[new_output("stream", name="stdout", text="2\n")]),
    "a solution without a stub": lambda nb: nb.cells.pop(6),
    "a check that nbgrader does not grade": lambda nb: nb.cells[7].metadata.pop("nbgrader"),
    "no checked exercise": lambda nb: nb.cells.pop(7),
    "an exercise numbered wrong": lambda nb: nb.cells[5].update(
        source=nb.cells[5].source.replace("Exercise 1", "Exercise 2")),
    "counts not 1..N": _set(2, execution_count=7),
    "a cell that was not run": _set(2, execution_count=None),
    "an error output": _set(2, outputs=[new_output("error", ename="ValueError", evalue="bad",
                                                   traceback=[])]),
    "a warning on stderr": _set(2, outputs=[new_output("stream", name="stderr",
                                                       text="FutureWarning: soon\n")]),
    "an empty code cell": lambda nb: nb.cells.insert(3, new_code_cell("", execution_count=None)),
    "no closing link": lambda nb: nb.cells.pop(),
    "a closing link to a notebook not in the map": lambda nb: nb.cells[-1].update(
        source="**Next:** [later](99_somewhere_else.ipynb)"),
    "a closing link back to itself": lambda nb: nb.cells[-1].update(
        source=f"**Next:** [again]({FILE})"),
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=list(BREAKAGES))
def test_the_checks_catch(breakage):
    nb = good_notebook()
    BREAKAGES[breakage](nb)
    assert [problem for check in CHECKS for problem in check(nb, FILE)], \
        f"a notebook with {breakage} passed every check"
