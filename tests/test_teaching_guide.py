"""docs/teaching.md quotes what was measured and printed, and README leads to it.

Its measured blocks are written by tools/teaching_guide.py: the time of each section from
the run each notebook was committed from (the cells' execution records), the timings that
the notebooks print, and the links that open the course from helpers/course.py. When a
notebook is run again, run ``python tools/teaching_guide.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from tool_scripts import load_tool

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "teaching.md"


TOOL = load_tool("teaching_guide")


def test_the_guide_quotes_the_times_measured_and_printed():
    assert GUIDE.read_text(encoding="utf-8") == TOOL.updated_guide(), \
        "docs/teaching.md is out of date: run python tools/teaching_guide.py"


def test_every_section_of_every_notebook_is_timed():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        sections = {section["section"]: section for section in TOOL.section_times(path)}
        assert "Setup" in sections and any(name.startswith("Exercises") for name in sections)
        body = [section for name, section in sections.items() if not name.startswith("Exercises")]
        assert not any(section["untimed"] for section in body), \
            f"{path.name}: cells without a record of their run: execute it with nbconvert"


def test_every_printed_time_the_guide_looks_for_is_there():
    for file, pattern in TOOL.PRINTED.items():
        assert TOOL.printed_lines(ROOT / "notebooks" / file, pattern), \
            f"{file} prints no line like {pattern!r} any more: update PRINTED in tools/teaching_guide.py"


def test_the_printed_times_are_in_the_notebooks_outputs():
    block = TOOL.GUIDE.read_text(encoding="utf-8").split("<!-- printed-times -->")[1]
    rows = re.findall(r"^\| (\d\d) \| `(.+)` \|$", block.split("<!-- /printed-times -->")[0], re.M)
    assert rows
    for number, line in rows:
        path = next((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
        outputs = "".join(output.get("text", "") for cell in nbformat.read(path, as_version=4).cells
                          for output in cell.get("outputs", []))
        assert line in outputs, f"{path.name} no longer prints {line!r}"


def test_readme_leads_teachers_to_the_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/teaching.md)" in readme
