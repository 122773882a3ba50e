"""Move nbval's ``# NBVAL_...`` comments out of the code that learners read, into cell tags.

nbval reads a cell's markers from comment lines such as ``# NBVAL_IGNORE_OUTPUT`` or from
its tags (``nbval-ignore-output``); the tags do the same and are not part of the code.
This script removes each marker line and adds the tag of the same meaning, leaving every
output as it is:

    python tools/nbval_tags.py notebooks/01_mnist_with_pandas.ipynb ...   # those notebooks
    python tools/nbval_tags.py                                           # every notebook
    python tools/nbval_tags.py --check                                   # change nothing;
                                                                         # exit 1 if any is left

In JupyterLab the tags are in the property inspector (the cog in the right sidebar).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: nbval's comment markers and the cell tags of the same meaning
TAGS = {
    "NBVAL_IGNORE_OUTPUT": "nbval-ignore-output",
    "NBVAL_CHECK_OUTPUT": "nbval-check-output",
    "NBVAL_RAISES_EXCEPTION": "nbval-raises-exception",
    "NBVAL_SKIP": "nbval-skip",
}
MARKER_LINE = re.compile(r"^\s*#\s*(" + "|".join(TAGS) + r")\s*$")


def source_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def move_markers(cell: dict) -> bool:
    """Turn the marker lines of one code cell into tags; True if the cell changed."""
    if cell.get("cell_type") != "code":
        return False
    lines = source_text(cell).split("\n")
    markers = [match.group(1) for line in lines if (match := MARKER_LINE.match(line))]
    if not markers:
        return False
    kept = [line for line in lines if not MARKER_LINE.match(line)]
    text = "\n".join(kept)
    pieces = text.split("\n")
    cell["source"] = [line + "\n" for line in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    tags = cell.setdefault("metadata", {}).setdefault("tags", [])
    for marker in markers:
        if TAGS[marker] not in tags:
            tags.append(TAGS[marker])
    return True


def convert(path: Path, write: bool = True, skip_exercises: bool = False) -> int:
    """Move the markers of every code cell of the notebook at ``path`` (with
    ``skip_exercises``, only of those before its "## Exercises" heading); the number of
    cells that had markers. The file is written the way Jupyter writes it (1-space indent)."""
    text = path.read_text(encoding="utf-8")
    notebook = json.loads(text)
    cells = notebook.get("cells", [])
    if skip_exercises:
        starts = [i for i, cell in enumerate(cells) if cell.get("cell_type") == "markdown"
                  and "## Exercises" in source_text(cell).split("\n")]
        cells = cells[:starts[0]] if starts else cells
    changed = sum(move_markers(cell) for cell in cells)
    if changed and write:
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="the notebooks to convert (default: every notebook in notebooks/ "
                             "and apps/)")
    parser.add_argument("--skip-exercises", action="store_true",
                        help="leave the cells from the '## Exercises' heading on as they are")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit with status 1 if any marker comment is left")
    arguments = parser.parse_args(argv)
    paths = arguments.notebooks or sorted([*ROOT.glob("notebooks/*.ipynb"),
                                           *ROOT.glob("apps/*.ipynb")])
    left = 0
    for path in paths:
        count = convert(path, write=not arguments.check,
                        skip_exercises=arguments.skip_exercises)
        if count:
            left += count
            verb = "has" if arguments.check else "moved the markers of"
            print(f"{path}: {verb} {count} cell(s) with # NBVAL_ comments")
    return 1 if arguments.check and left else 0


if __name__ == "__main__":
    sys.exit(main())
