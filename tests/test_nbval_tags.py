"""tools/nbval_tags.py moves nbval's comment markers into cell tags without changing
what nbval does with each cell."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbval.plugin import find_comment_markers, find_metadata_tags
from tool_scripts import load_tool

ROOT = Path(__file__).resolve().parent.parent


def test_markers_become_tags_and_nbval_reads_the_same(tmp_path):
    output = new_output("stream", name="stdout", text="3\n")
    cells = [new_markdown_cell("# NBVAL_IGNORE_OUTPUT stays in Markdown"),
             new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(3)", execution_count=1, outputs=[output]),
             new_code_cell("# Solution to exercise 1\n# NBVAL_IGNORE_OUTPUT\nprint(4)",
                           execution_count=2, metadata={"jupyter": {"source_hidden": True}}),
             new_code_cell("print(5)  # no marker", execution_count=3)]
    path = tmp_path / "n.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    before = nbformat.read(path, as_version=4)
    tool = load_tool("nbval_tags")

    assert tool.main([str(path), "--check"]) == 1
    assert nbformat.read(path, as_version=4) == before  # --check changes nothing
    assert tool.main([str(path)]) == 0
    after = nbformat.read(path, as_version=4)

    assert [cell.source for cell in after.cells] == [
        "# NBVAL_IGNORE_OUTPUT stays in Markdown", "print(3)",
        "# Solution to exercise 1\nprint(4)", "print(5)  # no marker"]
    for old, new in zip(before.cells[1:], after.cells[1:]):
        assert list(find_comment_markers(old.source)) == list(find_metadata_tags(new.metadata))
        assert new.get("outputs") == old.get("outputs")
    assert after.cells[2].metadata["jupyter"] == {"source_hidden": True}
    assert tool.main([str(path), "--check"]) == 0
    assert json.loads(path.read_text())["cells"][1]["metadata"]["tags"] == ["nbval-check-output"]


def test_skip_exercises_leaves_the_exercises_as_they_are(tmp_path):
    cells = [new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)"),
             new_markdown_cell("## Exercises\n\n### Exercise 1"),
             new_code_cell("# Solution to exercise 1\n# NBVAL_IGNORE_OUTPUT\nprint(2)")]
    path = tmp_path / "n.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    assert load_tool("nbval_tags").main([str(path), "--skip-exercises"]) == 0
    after = nbformat.read(path, as_version=4)
    assert after.cells[0].source == "print(1)"
    assert after.cells[2].source == cells[2].source
