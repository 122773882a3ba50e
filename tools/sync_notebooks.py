"""How the course is published: the parts every notebook shares, written from helpers/course.py.

Every notebook in notebooks/ has two parts that this script makes (:func:`badges` and
:func:`colab_setup_code` below) from the repository and branch in helpers/course.py:

* the badge line of its title cell (Open in Colab, launch Binder), which names the
  repository and branch of the course;
* its first code cell, the Colab setup cell, which clones that repository on Colab.

This script rewrites those two parts, and nothing else: other cells, outputs and
metadata stay as they are. If README.md exists, what stands between its marker lines is
rewritten too: the badges (of notebook 00) between ``<!-- badges -->`` and
``<!-- /badges -->``, and the course map between ``<!-- course-map -->`` and
``<!-- /course-map -->``.

Usage, from the top folder of the course::

    python tools/sync_notebooks.py          # rewrite what is out of date
    python tools/sync_notebooks.py --check  # only report it (exit status 1 if any)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a clone: find helpers/ next to tools/
    sys.path.insert(0, str(ROOT))

from helpers import course  # noqa: E402

#: The notebook that the README's badges open.
README_NOTEBOOK = "00_start_here.ipynb"

#: Where the Colab setup cell clones the course.
COLAB_DIR = "/content/digits-by-hand"

#: The first line of the Colab setup cell; :func:`sync_setup_cell` finds the cell by it.
SETUP_MARKER = "# On Colab only: fetch the course and install what Colab lacks."

COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"


def notebook(file: str) -> course.Notebook:
    """The course-map entry of ``file`` (a file name such as "01_mnist_with_pandas.ipynb")."""
    for entry in course.NOTEBOOKS:
        if entry.file == file:
            return entry
    raise KeyError(
        f"{file} is not in the course map: add it to NOTEBOOKS in helpers/course.py"
    )


def badges(file: str) -> str:
    """The badge line (Markdown) of notebook ``file``: Open in Colab, then launch Binder."""
    return (
        f"[![Open in Colab]({COLAB_BADGE})]({course.colab_url(file)}) "
        f"[![Launch Binder]({BINDER_BADGE})]({course.binder_url(file)})"
    )


def is_badge_line(line: str) -> bool:
    """Whether ``line`` of a Markdown cell is a badge line (as :func:`badges` writes one)."""
    return line.lstrip().startswith("[![") and (COLAB_BADGE in line or BINDER_BADGE in line)


def colab_setup_code() -> str:
    """The first code cell of every notebook: sets the course up on Colab; elsewhere it
    does nothing.

    It installs the course with the packages its pyproject.toml declares. Those carry lower
    bounds only, so pip keeps what Colab ships wherever it is new enough and never
    downgrades it. A package that pip had to upgrade after the session loaded it needs a
    restart, and the cell says so; a failed clone or install is explained in words.
    """
    url, branch = f"{course.github_url()}.git", course.BRANCH
    return f'''{SETUP_MARKER}
# Elsewhere it does nothing. (Written by tools/sync_notebooks.py from helpers/course.py.)
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess
    from importlib.metadata import version

    def run(command, failed):
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{{failed}}. What it said:\\n{{done.stderr.strip()}}")

    course_dir = "{COLAB_DIR}"
    if not os.path.isdir(course_dir):
        url = "{url}"
        run(["git", "clone", "-q", "--depth=1", "--branch={branch}", url, course_dir],
            f"Could not fetch the course from {{url}}: check that this session is online "
            "and that the address is right, then run this cell again")
    run([sys.executable, "-m", "pip", "install", "-q", "-e", course_dir],
        "Could not install the course's packages with pip: run this cell again; if it "
        "fails again, restart the session (Runtime > Restart session) first")
    upgraded = [name for name in ("numpy", "scipy", "pandas", "matplotlib", "PIL")
                if name in sys.modules and sys.modules[name].__version__
                != version("pillow" if name == "PIL" else name)]
    if upgraded:
        raise RuntimeError(f"pip upgraded {{', '.join(upgraded)}}, which this session had "
                           "already loaded: restart the session (Runtime > Restart session) "
                           "and run the notebook again")
    from google.colab import output
    output.enable_custom_widget_manager()  # lets Colab show interactive widgets
    sys.path.insert(0, course_dir)  # finds helpers/ without restarting the session
    os.chdir(f"{{course_dir}}/notebooks")'''


def sync_title_cell(nb: nbformat.NotebookNode, file: str) -> bool:
    """Put the badge line of ``file`` into the title cell of ``nb``; True if it changed.

    The badge line replaces the existing one; if there is none, it goes right after the
    heading, as a paragraph of its own.
    """
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise ValueError(f"{file}: the first cell must be the title cell, a Markdown cell "
                         "that starts with '# NN · Title'")
    cell = nb.cells[0]
    lines = cell.source.split("\n")
    found = [i for i, line in enumerate(lines) if is_badge_line(line)]
    if found:
        lines[found[0]] = badges(file)
        for i in reversed(found[1:]):  # one badge line is enough
            del lines[i]
    else:
        lines[1:1] = ["", badges(file)]
    source = "\n".join(lines)
    if source == cell.source:
        return False
    cell.source = source
    return True


def sync_setup_cell(nb: nbformat.NotebookNode, file: str) -> bool:
    """Make the first code cell of ``nb`` the Colab setup cell; True if it changed.

    A first code cell that starts with ``SETUP_MARKER`` is an older setup cell and
    gets the new source (its outputs stay). Any other first code cell is the author's own
    code: the setup cell goes in before it.
    """
    source = colab_setup_code()
    code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    if code_cells and nb.cells[code_cells[0]].source.startswith(SETUP_MARKER):
        cell = nb.cells[code_cells[0]]
        if cell.source == source:
            return False
        cell.source = source
        return True
    position = code_cells[0] if code_cells else 1
    nb.cells.insert(position, nbformat.v4.new_code_cell(source))
    return True


def replace_between(text: str, name: str, content: str) -> str:
    """``text`` with ``content`` between its lines ``<!-- name -->`` and ``<!-- /name -->``.

    Text without both markers comes back unchanged.
    """
    start_marker, end_marker = f"<!-- {name} -->", f"<!-- /{name} -->"
    start, end = text.find(start_marker), text.find(end_marker)
    if start < 0 or end < start:
        return text
    start += len(start_marker)
    return f"{text[:start]}\n{content}\n{text[end:]}"


def sync_readme(text: str) -> str:
    """``text`` (a README) with its badges and course map rewritten between their markers."""
    text = replace_between(text, "badges", badges(README_NOTEBOOK))
    return replace_between(text, "course-map", course.course_map_markdown(folder="notebooks/"))


def sync(root: Path = ROOT, write: bool = True) -> list[str]:
    """Bring every notebook (and README.md) under ``root`` in line with helpers/course.py.

    Returns one message per file that was (or, with ``write=False``, would be) changed.
    """
    messages = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        changed = [name for name, synced in
                   [("badges", sync_title_cell(nb, path.name)),
                    ("Colab setup cell", sync_setup_cell(nb, path.name))] if synced]
        if changed:
            messages.append(f"notebooks/{path.name}: {' and '.join(changed)}")
            if write:
                nbformat.write(nb, path)
    readme = root / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        synced = sync_readme(text)
        if synced != text:
            messages.append("README.md: badges or course map")
            if write:
                readme.write_text(synced, encoding="utf-8")
    return messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only report what is out of date; exit status 1 if anything is")
    args = parser.parse_args(argv)
    messages = sync(write=not args.check)
    verb = "out of date" if args.check else "updated"
    for message in messages:
        print(f"{verb}: {message}")
    if not messages:
        print(f"All notebooks match helpers/course.py (repository {course.REPOSITORY}, "
              f"branch {course.BRANCH}).")
    return 1 if args.check and messages else 0


if __name__ == "__main__":
    sys.exit(main())
