"""docs/glossary.md: every link to it from a notebook or README lands on one of its words."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from tool_scripts import load_tool

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"


def anchors() -> set[str]:
    """GitHub's anchors of the glossary's headings: lower case, spaces to hyphens."""
    return {re.sub(r"[^a-z0-9 -]", "", line[3:].strip().lower()).replace(" ", "-")
            for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("## ")}


def links(text: str) -> list[str]:
    return re.findall(r"glossary\.md#([\w-]+)\)", text)


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_glossary_links_land_on_a_word(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    missing = sorted(set(links(text)) - anchors())
    assert not missing, f"{path.name} links glossary words that docs/glossary.md lacks: {missing}"


def test_the_glossary_is_in_order_and_its_own_links_work():
    text = GLOSSARY.read_text(encoding="utf-8")
    headings = [line[3:].strip().lower() for line in text.splitlines() if line.startswith("## ")]
    assert headings == sorted(headings), "keep the glossary in alphabetical order"
    assert len(headings) == len(set(headings))
    inner = set(re.findall(r"\]\(#([\w-]+)\)", text))
    assert inner <= anchors(), f"links to missing words: {sorted(inner - anchors())}"
    assert len(headings) >= 40


def test_links_to_missing_words_are_found():
    assert links("see [**epoch**](../docs/glossary.md#epoch)") == ["epoch"]
    assert "epochs-of-doom" not in anchors() and "epoch" in anchors()


# -- tools/glossary_links.py -------------------------------------------------------------------

def test_the_linker_finds_words_as_the_notebooks_bold_them():
    linker = load_tool("glossary_links")
    words = linker.glossary_words()
    assert linker.find_word("A learning-rate schedule.", words) == "learning-rate-schedule"
    assert linker.find_word("Epochs", words) == "epoch"
    assert linker.find_word("mini-batch", words) == "batch"
    assert linker.find_word("A blank canvas.", words) is None


def test_the_linker_links_a_word_once_and_leaves_the_exercises_alone(tmp_path):
    linker = load_tool("glossary_links")
    cells = [nbformat.v4.new_markdown_cell("One **epoch** is a pass; **epochs** are passes."),
             nbformat.v4.new_code_cell("x = 1"),
             nbformat.v4.new_markdown_cell("## Exercises\n\nPlot the **loss** of each epoch.")]
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    assert linker.link_notebook(path) == 1
    linked = nbformat.read(path, as_version=4)
    assert linked.cells[0].source == ("One [**epoch**](../docs/glossary.md#epoch) is a pass; "
                                      "**epochs** are passes.")
    assert linked.cells[2].source == cells[2].source  # the exercises stay as they were
    assert linker.link_notebook(path) == 0  # running it again changes nothing
