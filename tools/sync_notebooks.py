"""Write the shared parts of every notebook from helpers/course.py.

Every notebook in notebooks/ has two parts that come from helpers/course.py:

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
    found = [i for i, line in enumerate(lines) if course.is_badge_line(line)]
    if found:
        lines[found[0]] = course.badges(file)
        for i in reversed(found[1:]):  # one badge line is enough
            del lines[i]
    else:
        lines[1:1] = ["", course.badges(file)]
    source = "\n".join(lines)
    if source == cell.source:
        return False
    cell.source = source
    return True


def sync_setup_cell(nb: nbformat.NotebookNode, file: str) -> bool:
    """Make the first code cell of ``nb`` the Colab setup cell; True if it changed.

    A first code cell that starts with ``course.SETUP_MARKER`` is an older setup cell and
    gets the new source (its outputs stay). Any other first code cell is the author's own
    code: the setup cell goes in before it.
    """
    source = course.colab_setup_code()
    code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    if code_cells and nb.cells[code_cells[0]].source.startswith(course.SETUP_MARKER):
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
    text = replace_between(text, "badges", course.badges(README_NOTEBOOK))
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
