"""Every piece of helpers that a notebook writes by hand is the module's own code.

The mechanism and the list of what each notebook builds are in ``tests/notebook_cells.py``.
When a test here fails, change the notebook cell and the module together, then rerun the
notebook.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from notebook_cells import BUILT_BY_HAND, differences, module_piece, notebook_pieces
from tool_scripts import load_tool

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_what_a_notebook_writes_by_hand_is_the_code_of_helpers(path):
    problems = differences(path.name, nbformat.read(path, as_version=4))
    assert not problems, (f"{path.name} and helpers must hold the same code: change both, "
                          "then rerun the notebook.\n" + "\n\n".join(problems))


def test_the_notebooks_named_exist():
    assert set(BUILT_BY_HAND) <= {path.name for path in NOTEBOOKS}


#: ReLU of helpers/layers.py as a notebook would write it: whole, or forward in a cell of its own
RELU = "# helpers/layers.py: ReLU\n" + module_piece("layers", "ReLU") + "\n"
RELU_WITHOUT_FORWARD = "# helpers/layers.py: ReLU\n" + module_piece("layers", "ReLU", {"forward"}) + "\n"
RELU_FORWARD = ("# helpers/layers.py: ReLU.forward\n" + module_piece("layers", "ReLU.forward") +
                "\n\n\nReLU.forward = forward\n")


def notebook(*sources: str):
    return new_notebook(cells=[new_code_cell(source) for source in sources])


def test_a_whole_class_in_one_cell_or_its_methods_in_cells_of_their_own():
    built = {"layers": ["ReLU"]}
    assert differences("x.ipynb", notebook(RELU), built) == []
    assert differences("x.ipynb", notebook(RELU_WITHOUT_FORWARD, RELU_FORWARD), built) == []
    # the class cell alone lacks forward, which the module's class has
    assert any("ReLU differs" in problem for problem in
               differences("x.ipynb", notebook(RELU_WITHOUT_FORWARD), built))
    # a changed method in a cell of its own
    changed = RELU_FORWARD.replace("inputs > 0", "inputs >= 0")
    assert any("ReLU.forward differs" in problem for problem in
               differences("x.ipynb", notebook(RELU_WITHOUT_FORWARD, changed), built))


@pytest.mark.parametrize("change, message", [
    (lambda s: s.replace("inputs > 0", "inputs >= 0"), "ReLU differs"),
    (lambda s: s.replace("slope is 1", "slope is one"), "ReLU differs"),
    (lambda s: s + "\n" + s, "2 cells"),
    (lambda s: s.replace("class ReLU", "class Relu"), "does not define ReLU"),
    (lambda s: s.replace("helpers/layers.py: ReLU", "helpers/layers.py: ReLu"),
     "does not have"),
])
def test_the_check_notices(change, message):
    source = change(RELU)
    cells = source.split("\n# helpers") if source.count("# helpers") == 2 else [source]
    cells = [cells[0]] + ["# helpers" + cell for cell in cells[1:]]
    problems = differences("x.ipynb", notebook(*cells), {"layers": ["ReLU"]})
    assert any(message in problem for problem in problems), problems


def test_a_piece_that_is_not_written_is_missed():
    problems = differences("x.ipynb", notebook("print(1)"), {"layers": ["Dense.forward"]})
    assert problems == ["x.ipynb has 0 cells that write Dense.forward (marked "
                        "'# helpers/layers.py: Dense.forward', or inside its class), expected 1"]


def test_a_method_cell_must_attach_its_method():
    cell = "# helpers/layers.py: ReLU.backward\ndef backward(self, gradient):\n" \
           "    return gradient * self._positive\n"
    assert "does not define backward and set" in notebook_pieces(notebook(cell))[
        ("layers", "ReLU.backward")][0]
    fixed = notebook_pieces(notebook(cell + "\n\nReLU.backward = backward\n"))
    assert fixed[("layers", "ReLU.backward")] == [
        "def backward(self, gradient):\n    return gradient * self._positive"]


def test_resync_cells_writes_the_module_code_into_the_marked_cells(tmp_path):
    tool = load_tool("resync_cells")
    stale_forward = RELU_FORWARD.replace("inputs > 0", "inputs >= 0")
    path = tmp_path / "n.ipynb"
    nbformat.write(notebook(RELU_WITHOUT_FORWARD.replace("slope is 1", "slope is one"),
                            stale_forward, "print(1)"), path)
    built = {"layers": ["ReLU"]}
    assert differences("x.ipynb", nbformat.read(path, as_version=4), built)

    assert tool.main([str(path), "--check"]) == 1
    assert sorted(tool.resync(path)) == ["ReLU", "ReLU.forward"]

    fixed = nbformat.read(path, as_version=4)
    assert differences("x.ipynb", fixed, built) == []
    assert fixed.cells[1].source.endswith("\n\n\nReLU.forward = forward")
    assert fixed.cells[2].source == "print(1)"
    assert tool.main([str(path), "--check"]) == 0
