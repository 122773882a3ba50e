"""The exercise checks of helpers/checks.py: each accepts the solution, says "Not yet" to the
untouched stub, and rejects wrong answers with a message that says what is wrong.

The stubs and solutions are those of tools/exercise_bank.py, which
tools/format_exercises.py writes into the notebooks; they run here in a namespace like
the notebook's (NumPy as ``np``, ``DATA_DIR``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import checks
from helpers.data import DATA_DIR
from helpers.layers import Layer
from tool_scripts import load_tool

ROOT = Path(__file__).resolve().parent.parent


BANK = load_tool("exercise_bank").BANK
EXERCISES = [(file, exercise) for file, exercises in BANK.items() for exercise in exercises]
IDS = [f"{file[:2]}-{exercise.title}" for file, exercise in EXERCISES]


def run_check(code: str, check_source: str) -> checks.Verdict:
    """Run an answer's code, then the check cell, in a fresh namespace; the check's verdict."""
    namespace = {"np": np, "DATA_DIR": DATA_DIR}
    exec(compile(code, "answer", "exec"), namespace)
    *imports, call = check_source.strip().split("\n")
    exec("\n".join(imports), namespace)
    return eval(call, namespace)


def test_every_notebook_of_the_course_has_a_checked_exercise():
    notebooks = sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks and [file for file in notebooks if file not in BANK] == []


@pytest.mark.parametrize("file, exercise", EXERCISES, ids=IDS)
def test_the_check_accepts_the_solution(file, exercise, capsys):
    verdict = run_check(exercise.solution, exercise.check)
    assert verdict.passed, verdict.message
    assert verdict.message.startswith("Right: ")


@pytest.mark.parametrize("file, exercise", EXERCISES, ids=IDS)
def test_the_untouched_stub_is_not_yet_done_and_not_an_error(file, exercise):
    verdict = run_check(exercise.stub, exercise.check)
    assert not verdict.passed
    assert verdict.message.startswith("Not yet: ") and "cell above" in verdict.message


@pytest.mark.parametrize("file, exercise", EXERCISES, ids=IDS)
def test_under_nbgrader_a_failing_check_raises_and_a_passing_one_does_not(file, exercise,
                                                                          monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(checks.ExerciseNotSolved, match="Not yet"):
        run_check(exercise.stub, exercise.check)
    assert run_check(exercise.solution, exercise.check).passed


def test_the_verdict_shows_its_message_in_a_notebook(capsys):
    verdict = checks.Verdict(True, "Right: fine.")
    verdict._ipython_display_()
    assert capsys.readouterr().out == "Right: fine.\n"
    assert repr(verdict) == "Right: fine." and bool(verdict)


# -- wrong answers: (the code of the answer, words the message must have) ---------------

LAYER = "from helpers.layers import Layer\n"
WRONG = {
    "00": [
        ('first_line = (DATA_DIR / "mnist_test_10.csv").read_text().splitlines()\n'
         'label, count = 7, 785', "should be the text of the line"),
        ('first_line = (DATA_DIR / "mnist_test_10.csv").read_text().splitlines()[0]\n'
         'label, count = first_line.split(",")[0], 785', "make it a whole number with int"),
        ('first_line = (DATA_DIR / "mnist_test_10.csv").read_text().splitlines()[0]\n'
         'label, count = 7, 784', "the label is a number on the line too"),
    ],
    "01": [
        ("def scale(pixels):\n    return pixels / 255", "paper (pixel 0) becomes 0, not 0.01"),
        ("def scale(pixels):\n    return pixels + 1", "whole numbers"),
        ("def scale(pixels):\n    return 0.01 + 0.99 * pixels", "divide by 255"),
        ("def scale(pixels):\n    return 0.01 + 0.99 * np.sqrt(pixels / 255)", "straight line"),
        ("def scale(pixels):\n    pixels[:] = 0\n    return 0.01 + 0.99 * pixels / 255.0",
         "changed the pixels"),
        ("def scale(pixels):\n    return (pixels / 255).ravel()", "each pixel becomes one input"),
    ],
    "02": [
        ("""def backward_cross_entropy(network, inputs, hidden, outputs, targets):
    delta_output = targets - outputs
    delta_hidden = (delta_output @ network.w_hidden_output) * hidden * (1.0 - hidden)
    return {"w_input_hidden": delta_hidden.T @ inputs, "b_hidden": delta_hidden.sum(axis=0),
            "w_hidden_output": delta_output.T @ hidden, "b_output": delta_output.sum(axis=0)}""",
         "points the opposite way"),
        ("""def backward_cross_entropy(network, inputs, hidden, outputs, targets):
    delta_output = outputs - targets
    delta_hidden = (delta_output @ network.w_hidden_output) * hidden * (1.0 - hidden)
    return {"w_input_hidden": inputs.T @ delta_hidden, "b_hidden": delta_hidden.sum(axis=0),
            "w_hidden_output": delta_output.T @ hidden, "b_output": delta_output.sum(axis=0)}""",
         "your gradient is (784, 20): the network needs (20, 784)"),
        ("""def backward_cross_entropy(network, inputs, hidden, outputs, targets):
    delta_output = (outputs - targets) * outputs * (1.0 - outputs)
    delta_hidden = (delta_output @ network.w_hidden_output) * hidden * (1.0 - hidden)
    return {"w_input_hidden": delta_hidden.T @ inputs, "b_hidden": delta_hidden.sum(axis=0),
            "w_hidden_output": delta_output.T @ hidden, "b_output": delta_output.sum(axis=0)}""",
         "Start with delta_output"),
        ("""def backward_cross_entropy(network, inputs, hidden, outputs, targets):
    delta_output = outputs - targets
    delta_hidden = delta_output @ network.w_hidden_output
    return {"w_input_hidden": delta_hidden.T @ inputs, "b_hidden": delta_hidden.sum(axis=0),
            "w_hidden_output": delta_output.T @ hidden, "b_output": delta_output.sum(axis=0)}""",
         "delta_output is right, delta_hidden is not"),
        ("""def backward_cross_entropy(network, inputs, hidden, outputs, targets):
    return {"b_output": (outputs - targets).sum(axis=0)}""", "the dict lacks w_input_hidden"),
    ],
    "03": [
        ("def batches(count, batch_size, rng):\n"
         "    return [np.arange(count)[i:i + batch_size] for i in range(0, count, batch_size)]",
         "in their order in the data"),
        ("def batches(count, batch_size, rng):\n    order = rng.permutation(count)\n"
         "    return [order[i:i + batch_size] for i in range(0, count - batch_size + 1, batch_size)]",
         "are in no batch (keep the last, smaller batch)"),
        ("def batches(count, batch_size, rng):\n    order = np.random.default_rng(1).permutation(count)\n"
         "    return [order[i:i + batch_size] for i in range(0, count, batch_size)]",
         "two epochs with the same rng"),
        ("def batches(count, batch_size, rng):\n    order = rng.integers(0, count, count)\n"
         "    return [order[i:i + batch_size] for i in range(0, count, batch_size)]",
         "more than once"),
    ],
    "04": [
        ("def confusion_matrix_by_hand(labels, predictions):\n"
         "    matrix = np.zeros((10, 10), dtype=int)\n"
         "    for t, p in zip(labels, predictions):\n        matrix[p, t] += 1\n    return matrix",
         "rows and columns are swapped"),
        ("def confusion_matrix_by_hand(labels, predictions):\n"
         "    n = max(labels) + 1\n    matrix = np.zeros((n, n), dtype=int)\n"
         "    for t, p in zip(labels, predictions):\n        matrix[t, min(p, n - 1)] += 1\n"
         "    return matrix", "your matrix is (9, 9)"),
        ("def confusion_matrix_by_hand(labels, predictions):\n"
         "    matrix = np.zeros((10, 10), dtype=int)\n"
         "    matrix[labels, predictions] += 1\n    return matrix", "each image adds 1"),
    ],
    "05": [
        ("def centre_by_mass(box):\n    image = np.zeros((28, 28))\n"
         "    image[4:24, 4:24] = box\n    return image", "the middle of the box is not its centre of mass"),
        ("def centre_by_mass(box):\n    return box", "it should be 28 x 28"),
        ("def centre_by_mass(box):\n    image = np.zeros((28, 28))\n"
         "    image[10:24, 10:24] = box[:14, :14]\n    return image", "part of the digit is lost"),
    ],
    "06": [
        ("import math\ndef logit_by_hand(y):\n    return math.log(y / (1 - y))",
         "not on an array: use NumPy's functions"),
        ("def logit_by_hand(y):\n    return np.log(y / (1 + y))", "must undo the sigmoid"),
        ("def logit_by_hand(y):\n    return np.log(y / (1 - y))[:10]", "it should work elementwise"),
    ],
    "07": [
        (LAYER + "class Tanh(Layer):\n    def forward(self, inputs):\n"
         "        self.out = np.tanh(inputs)\n        return self.out\n"
         "    def backward(self, gradient):\n        return 1.0 - self.out**2",
         "differs from the numerical gradient"),
        (LAYER + "class Tanh(Layer):\n    def forward(self, inputs):\n"
         "        self.out = 1 / (1 + np.exp(-inputs))\n        return self.out\n"
         "    def backward(self, gradient):\n        return gradient * self.out * (1 - self.out)",
         "forward's outputs differ from np.tanh"),
        (LAYER + "class Tanh(Layer):\n    def forward(self, inputs):\n"
         "        self.out = np.tanh(inputs)\n        return self.out\n"
         "    def backward(self, gradient):\n        return gradient * (self.out**2 - 1.0)",
         "points the opposite way"),
        (LAYER + "class Tanh(Layer):\n    def forward(self, inputs):\n"
         "        return np.tanh(inputs)\n"
         "    def backward(self, gradient):\n        return gradient * (1 - self.out**2)",
         "your code stopped with AttributeError"),
    ],
    "08": [
        (LAYER + "class AveragePool2D(Layer):\n    def forward(self, inputs):\n"
         "        n, c, h, w = inputs.shape\n"
         "        return inputs.reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))\n"
         "    def backward(self, gradient):\n"
         "        return np.repeat(np.repeat(gradient, 2, axis=2), 2, axis=3)",
         "4 times as long"),
        (LAYER + "class AveragePool2D(Layer):\n    def forward(self, inputs):\n"
         "        n, c, h, w = inputs.shape\n"
         "        return inputs.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))\n"
         "    def backward(self, gradient):\n        return gradient",
         "forward's outputs differ from the means"),
        (LAYER + "class AveragePool2D(Layer):\n    def forward(self, inputs):\n"
         "        n, c, h, w = inputs.shape\n"
         "        return inputs.reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))\n"
         "    def backward(self, gradient):\n        return gradient / 4",
         "one value per input of forward"),
        (LAYER + "class AveragePool2D(Layer):\n    def forward(self, inputs):\n"
         "        return inputs[:, :, ::2, ::2]\n"
         "    def backward(self, gradient):\n        return gradient",
         "forward's outputs differ"),
    ],
    "09": [
        ("def label_pieces_4(cores):\n"
         "    from scipy import ndimage\n"
         "    return ndimage.label(cores, structure=np.ones((3, 3)))",
         "touch only at a corner"),
        ("def label_pieces_4(cores):\n"
         "    return np.where(cores, np.arange(cores.size).reshape(cores.shape) + 1, 0), cores.sum()",
         "cut in two"),
        ("def label_pieces_4(cores):\n    return np.ones(cores.shape, dtype=int), 1",
         "paper pixels (False) got a label"),
        ("def label_pieces_4(cores):\n"
         "    from scipy import ndimage\n"
         "    labels, count = ndimage.label(cores)\n    return labels, count + 1",
         "is not the number of labels you gave"),
        ("def label_pieces_4(cores):\n    return cores.astype(int)",
         "return two things"),
        ("def piece_boxes(labels):\n"
         "    from scipy import ndimage\n"
         "    return [(c.start, r.start, c.stop, r.stop) for r, c in ndimage.find_objects(labels)]",
         "right and bottom are one too far"),
        ("def piece_boxes(labels):\n"
         "    from scipy import ndimage\n"
         "    return [(r.start, c.start, r.stop - 1, c.stop - 1) for r, c in ndimage.find_objects(labels)]",
         "rows and columns are swapped"),
        ("def piece_boxes(labels):\n"
         "    rows, columns = np.nonzero(labels)\n"
         "    return [(columns.min(), rows.min(), columns.max(), rows.max())]",
         "one box per piece"),
        ("def piece_boxes(labels):\n"
         "    boxes = []\n"
         "    for piece in range(1, labels.max() + 1):\n"
         "        rows, columns = np.nonzero(labels == piece)\n"
         "        boxes.append((columns.min(), rows.min(), columns.max(), rows.min() + 1))\n"
         "    return boxes",
         "does not hold exactly the pixels"),
        ("def column_overlap(box_a, box_b):\n"
         "    return (min(box_a[2], box_b[2]) - max(box_a[0], box_b[0]) + 1) / "
         "(min(box_a[2] - box_a[0], box_b[2] - box_b[0]) + 1)", "never below 0"),
        ("def column_overlap(box_a, box_b):\n"
         "    return max(0, min(box_a[2], box_b[2]) - max(box_a[0], box_b[0])) / "
         "min(box_a[2] - box_a[0], box_b[2] - box_b[0])", "right is included"),
        ("def column_overlap(box_a, box_b):\n"
         "    return max(0, min(box_a[2], box_b[2]) - max(box_a[0], box_b[0]) + 1) / "
         "(max(box_a[2] - box_a[0], box_b[2] - box_b[0]) + 1)", "not the wider"),
        ("def column_overlap(box_a, box_b):\n"
         "    return max(0, min(box_a[3], box_b[3]) - max(box_a[1], box_b[1]) + 1) / "
         "(min(box_a[3] - box_a[1], box_b[3] - box_b[1]) + 1)", "the overlap of the rows"),
    ],
}


def answers(exercise, code: str) -> bool:
    """Whether ``code`` is an answer to ``exercise``: it defines what the check is given
    (a notebook with two checked exercises lists the wrong answers of both)."""
    name = exercise.check.strip().split("\n")[-1].split("(", 1)[1].rstrip(")")
    if not any(f"{kind} {name}(" in exercise.solution for kind in ("def", "class")):
        return True  # the answer is values, not a function or a class
    return f"def {name}(" in code or f"class {name}(" in code


WRONG_CASES = [(file, exercise, code, words) for file, exercise in EXERCISES
               for code, words in WRONG[file[:2]] if answers(exercise, code)]


def test_every_checked_exercise_has_wrong_answers_to_reject():
    assert sorted(WRONG) == sorted({file[:2] for file, _ in EXERCISES})
    assert all(any(answers(exercise, code) for code, _ in WRONG[file[:2]])
               for file, exercise in EXERCISES)


@pytest.mark.parametrize("file, exercise, code, words", WRONG_CASES,
                         ids=[f"{file[:2]}-{words}" for file, _, _, words in WRONG_CASES])
def test_the_check_rejects_a_wrong_answer_and_says_why(file, exercise, code, words, capsys):
    verdict = run_check(code, exercise.check)
    assert not verdict.passed
    assert verdict.message.startswith("Not right yet: "), verdict.message
    assert words in verdict.message, verdict.message


def test_the_gradient_checker_agrees_with_calculus():
    x = np.array([0.3, -1.2, 2.0])
    numerical = checks.numerical_gradient(lambda: float(np.sum(np.sin(x) * x)), x)
    assert np.allclose(numerical, np.cos(x) * x + np.sin(x), atol=1e-8)
    assert checks.relative_error(numerical, -numerical) == pytest.approx(1.0)
    assert checks.relative_error(np.zeros(2), np.zeros(2)) == 0.0


def test_a_wrong_answer_gets_words_not_the_reference_array():
    """The check says how many cells differ; it never prints an array (the answer)."""
    code = ("def confusion_matrix_by_hand(labels, predictions):\n"
            "    return np.ones((10, 10), dtype=int) * 6")
    exercise = dict(EXERCISES)["04_evaluating_with_confusion_matrices.ipynb"]
    message = run_check(code, exercise.check).message
    assert "cells differ" in message and "[[" not in message and len(message) < 300, message


# -- tools/format_exercises.py ---------------------------------------------------------------

FORMAT = load_tool("format_exercises")


def owners_notebook():
    """A notebook as its author writes it: Summary and Exercises in one cell, an exercise
    with a stub and a solution that still has its outputs and a test comment."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    return new_notebook(cells=[
        new_markdown_cell("# 04 · Title"),
        new_code_cell("x = 1", execution_count=1),
        new_markdown_cell("## Summary\n\n- a point\n\n## Exercises\n\nOld intro.\n\n"
                          "### Exercise 1 · Count the sevens\n\nHow many sevens?"),
        new_code_cell("# Exercise 1: your code here\nsevens = ...", execution_count=2),
        new_code_cell("# Solution to exercise 1\n# NBVAL_CHECK_OUTPUT\nprint(7)", execution_count=3,
                      outputs=[new_output("stream", name="stdout", text="7\n")],
                      metadata={"jupyter": {"source_hidden": True}}),
        new_markdown_cell("**Next:** [05](05_your_own_digits.ipynb)"),
    ])


def test_the_tool_puts_the_checked_exercise_first_and_folds_every_solution():
    file = "04_evaluating_with_confusion_matrices.ipynb"
    nb = owners_notebook()
    assert FORMAT.format_notebook(nb, file)
    sources = [cell.source for cell in nb.cells]
    assert sources[2] == "## Summary\n\n- a point"  # the summary stays, without the heading
    assert sources[3] == FORMAT.INTRO
    checked = BANK[file][0]
    assert sources[4].startswith(f"### Exercise 1 · {checked.title}\n")
    assert sources[5] == f"# Exercise 1: your code here\n{checked.stub}"
    assert sources[6] == checked.check
    assert sources[7] == ("#@title Solution to exercise 1\n### BEGIN SOLUTION\n"
                          f"{checked.solution}\n### END SOLUTION")
    assert sources[8] == "### Exercise 2 · Count the sevens\n\nHow many sevens?"
    assert sources[9] == "# Exercise 2: your code here\nsevens = ..."
    assert sources[10] == ("#@title Solution to exercise 2\n### BEGIN SOLUTION\nprint(7)\n"
                           "### END SOLUTION")
    assert sources[11].startswith("**Next:**")
    check, solutions = nb.cells[6], [nb.cells[7], nb.cells[10]]
    assert check.metadata.nbgrader == {"grade": True, "grade_id": "exercise-1-check",
                                       "locked": True, "points": 1, "schema_version": 3,
                                       "solution": False, "task": False}
    for number, cell in enumerate(solutions, start=1):
        assert cell.outputs == []
        assert cell.metadata.cellView == "form" and cell.metadata.jupyter.source_hidden
        assert cell.metadata.nbgrader["solution"] and not cell.metadata.nbgrader["grade"]
        assert cell.metadata.nbgrader["grade_id"] == f"exercise-{number}-solution"
    assert not FORMAT.format_notebook(nb, file)  # a second run changes nothing


def test_the_tool_keeps_outputs_of_cells_it_leaves_as_they_are_and_clears_solutions():
    from nbformat.v4 import new_output

    file = "04_evaluating_with_confusion_matrices.ipynb"
    nb = owners_notebook()
    FORMAT.format_notebook(nb, file)
    for count, cell in enumerate([cell for cell in nb.cells if cell.cell_type == "code"], 1):
        cell.execution_count = count  # as after "Restart kernel and run all"
        cell.outputs = [new_output("stream", name="stdout", text=f"{count}\n")]
    FORMAT.format_notebook(nb, file)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    for cell in code:
        solution = cell.source.startswith("#@title Solution")
        assert (cell.outputs == []) == solution


def test_the_tool_refuses_a_section_it_cannot_read():
    nb = owners_notebook()
    del nb.cells[3]  # the stub
    with pytest.raises(ValueError, match="needs a stub cell and a solution cell"):
        FORMAT.format_notebook(nb, "99_no_bank.ipynb")
