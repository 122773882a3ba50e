"""The exercise checks of helpers/checks.py: each accepts the solution, says "Not yet" to the
untouched stub, and rejects wrong answers with a message that says what is wrong.

The stubs and solutions are those of tools/exercise_bank.py, which
tools/format_exercises.py writes into the notebooks; they run here in a namespace like
the notebook's at its Exercises section (``CONTEXTS``: the variables the exercises use,
made here the way the notebook makes them, only cheaper where training is involved).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from helpers import checks
from helpers.data import DATA_DIR
from helpers.layers import Layer
from tool_scripts import load_tool

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


BANK = load_tool("exercise_bank").BANK
FORMAT = load_tool("format_exercises")
EXERCISES = [(file, exercise) for file, exercises in BANK.items() for exercise in exercises]
IDS = [f"{file[:2]}-{exercise.title}" for file, exercise in EXERCISES]
# plt.show() under the Agg backend warns that it cannot show; the figures are drawn all the same
pytestmark = pytest.mark.filterwarnings("ignore:FigureCanvasAgg is non-interactive")


def check_name(exercise) -> str:
    return re.search(r"check_\w+", exercise.check).group(0)


# -- the notebooks' variables at their Exercises section ---------------------------------------

def context_00() -> dict:
    return {}


def context_01() -> dict:
    import pandas as pd

    from helpers.data import COLUMNS, mnist_path

    train = pd.read_csv(mnist_path("train"), header=None, dtype="uint8", names=COLUMNS)
    return {"pd": pd, "train": train, "means": train.groupby("label").mean(),
            "pixels": train.drop(columns="label").to_numpy()}


def context_02() -> dict:
    from scipy.special import expit

    from helpers.data import read_mnist_csv, scale_pixels
    from helpers.network import NeuralNetwork

    sample = read_mnist_csv(DATA_DIR / "mnist_train_100.csv")
    inputs = scale_pixels(sample.drop(columns="label").to_numpy())
    labels = sample["label"].to_numpy()
    small = NeuralNetwork(784, 30, 10, seed=1, dtype=np.float64)
    batch_inputs, batch_labels = inputs[:5], labels[:5]
    numerical = {"b_output": checks.numerical_gradient(
        lambda: small.loss(batch_inputs, batch_labels), small.b_output, epsilon=1e-5)}
    net = NeuralNetwork(784, 200, 10, learning_rate=0.3, seed=42)
    net.train(inputs, labels)  # as in the notebook, a trained network: its biases are not 0
    return {"NeuralNetwork": NeuralNetwork, "sigmoid": expit, "inputs": inputs, "labels": labels,
            "net": net, "small": small,
            "batch_inputs": batch_inputs, "batch_labels": batch_labels, "numerical": numerical,
            "relative_error": checks.relative_error}


def context_03() -> dict:
    """Notebook 03's variables, with a training set cut to 10,000 digits and a validation
    set of 2,000 so that the experiments and their checks run in seconds here."""
    from helpers.core import TrainingDiverged
    from helpers.data import load_mnist
    from helpers.network import NeuralNetwork
    from helpers.saving import MODELS_DIR, load_network
    from helpers.training import fit

    train_inputs, train_labels = load_mnist("train")
    test_inputs, test_labels = load_mnist("test")
    return {"TrainingDiverged": TrainingDiverged, "NeuralNetwork": NeuralNetwork, "fit": fit,
            "load_network": load_network, "my_networks": MODELS_DIR,  # the same file name
            "fit_inputs": train_inputs[:10_000], "fit_labels": train_labels[:10_000],
            "val_inputs": train_inputs[-2000:], "val_labels": train_labels[-2000:],
            "test_inputs": test_inputs, "test_labels": test_labels}


def context_04() -> dict:
    import pandas as pd

    from helpers.data import load_mnist
    from helpers.evaluation import confidence, confusion_matrix
    from helpers.plots import digit_gallery
    from helpers.saving import DEFAULT_MODEL, load_network

    test_inputs, test_labels = load_mnist("test")
    outputs = load_network(DEFAULT_MODEL).query(test_inputs)
    predictions = outputs.argmax(axis=1)
    correct = predictions == test_labels
    return {"pd": pd, "digit_gallery": digit_gallery, "test_inputs": test_inputs,
            "test_labels": test_labels, "predictions": predictions, "correct": correct,
            "confidences": confidence(outputs), "wrong": np.flatnonzero(~correct),
            "matrix": confusion_matrix(test_labels, predictions)}


def context_05() -> dict:
    from PIL import Image

    from helpers.data import load_mnist
    from helpers.own_digits import load_image, prepare, prepare_steps
    from helpers.saving import DEFAULT_MODEL, load_network

    test_inputs, test_labels = load_mnist("test")
    paths = sorted((DATA_DIR / "own_digits").glob("*.png"))
    return {"Image": Image, "load_image": load_image, "prepare": prepare,
            "prepare_steps": prepare_steps, "network": load_network(DEFAULT_MODEL),
            "test_inputs": test_inputs, "test_labels": test_labels, "paths": paths,
            "truth": np.array([int(path.name[0]) for path in paths])}


def context_06() -> dict:
    from helpers.data import load_mnist
    from helpers.inside import backquery, backquery_steps, rescale
    from helpers.network import NeuralNetwork
    from helpers.plots import digit_gallery
    from helpers.saving import DEFAULT_MODEL, load_network

    network = load_network(DEFAULT_MODEL)
    test_inputs, test_labels = load_mnist("test")
    test_hidden, _ = network.forward(test_inputs)
    activity = np.array([test_hidden[test_labels == digit].mean(axis=0) for digit in range(10)])
    selectivity = activity.max(axis=0) - (activity.sum(axis=0) - activity.max(axis=0)) / 9
    return {"NeuralNetwork": NeuralNetwork, "backquery": backquery, "rescale": rescale,
            "backquery_steps": backquery_steps, "digit_gallery": digit_gallery,
            "load_network": load_network, "DEFAULT_MODEL": DEFAULT_MODEL, "network": network,
            "test_inputs": test_inputs, "test_labels": test_labels,
            "preferred": activity.argmax(axis=0), "by_selectivity": np.argsort(selectivity)[::-1]}


def context_07() -> dict:
    from helpers.augment import rotate_and_shift
    from helpers.data import load_mnist
    from helpers.layers import Dense, ReLU, Sequential, Sigmoid, SoftmaxCrossEntropy
    from helpers.optimizers import Adam
    from helpers.plots import digit_gallery
    from helpers.training import accuracy, fit

    train_inputs, train_labels = load_mnist("train")
    test_inputs, test_labels = load_mnist("test")
    return {"Dense": Dense, "ReLU": ReLU, "Sigmoid": Sigmoid, "Sequential": Sequential,
            "SoftmaxCrossEntropy": SoftmaxCrossEntropy, "Adam": Adam, "fit": fit,
            "accuracy": accuracy, "rotate_and_shift": rotate_and_shift,
            "digit_gallery": digit_gallery, "fit_inputs": train_inputs[:10_000],
            "fit_labels": train_labels[:10_000], "val_inputs": train_inputs[-2000:],
            "val_labels": train_labels[-2000:], "test_inputs": test_inputs,
            "test_labels": test_labels}


def context_08() -> dict:
    import pandas as pd

    from helpers.conv import Conv2D
    from helpers.data import load_mnist
    from helpers.layers import Dense
    from helpers.saving import BEST_MODEL, DEFAULT_MODEL, load_network

    def query(network, inputs, chunk=1000):
        return np.concatenate([network.query(inputs[first:first + chunk])
                               for first in range(0, len(inputs), chunk)])

    def show(ax, picture, title, cmap="RdBu_r", limit=None):
        ax.imshow(picture, cmap=cmap)
        ax.set_title(title)

    test_inputs, test_labels = load_mnist("test")
    return {"pd": pd, "Conv2D": Conv2D, "Dense": Dense, "query": query, "show": show,
            "left_edges": np.array([[-1, -1, 0, 1, 1]] * 5, dtype=np.float32) / 10,
            "network": load_network(BEST_MODEL), "dense": load_network(DEFAULT_MODEL),
            "test_inputs": test_inputs, "test_labels": test_labels}


@cache
def context(prefix: str) -> dict:
    return globals().get(f"context_{prefix}", context_00)()


def run_check(code: str, check_source: str, prefix: str = "00") -> checks.Verdict:
    """Run an answer's code, then the check cell, in a fresh namespace like the notebook's
    (the notebook ``prefix``); the check's verdict."""
    namespace = {"np": np, "plt": plt, "DATA_DIR": DATA_DIR, **context(prefix)}
    try:
        exec(compile(code, "answer", "exec"), namespace)
        *imports, call = ast.parse(check_source).body  # the check call is the last statement
        exec(compile(ast.Module(imports, type_ignores=[]), "check", "exec"), namespace)
        return eval(compile(ast.Expression(call.value), "check", "eval"), namespace)
    finally:
        plt.close("all")


def test_every_notebook_of_the_course_has_a_checked_exercise():
    notebooks = sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks and [file for file in notebooks if file not in BANK] == []


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")),
                         ids=lambda path: path.name[:2])
def test_every_exercise_of_a_notebook_is_in_the_bank_and_has_a_check(path):
    """The notebook's exercises are the bank's, in its order: each with a stub, a check
    cell and a solution (tools/format_exercises.py writes them from the bank)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    start = FORMAT.exercises_start(nb)
    found = FORMAT.parse(nb.cells[start + 1:-1])
    assert [exercise["title"] for exercise in found] == [exercise.title for exercise in BANK[path.name]]
    assert all(exercise["check"] is not None for exercise in found)


@pytest.mark.parametrize("file, exercise", EXERCISES, ids=IDS)
def test_the_check_accepts_the_solution(file, exercise, capsys):
    verdict = run_check(exercise.solution, exercise.check, file[:2])
    assert verdict.passed, verdict.message
    assert verdict.message.startswith("Right: ")


@pytest.mark.parametrize("file, exercise", EXERCISES, ids=IDS)
def test_the_untouched_stub_is_not_yet_done_and_not_an_error(file, exercise):
    verdict = run_check(exercise.stub, exercise.check, file[:2])
    assert not verdict.passed
    assert verdict.message.startswith("Not yet: ") and "cell above" in verdict.message


@pytest.mark.parametrize("file, exercise", EXERCISES, ids=IDS)
def test_under_nbgrader_a_failing_check_raises(file, exercise, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(checks.ExerciseNotSolved, match="Not yet"):
        run_check(exercise.stub, exercise.check, file[:2])


def test_under_nbgrader_a_passing_check_does_not_raise(monkeypatch, capsys):
    """(Each solution's check passes: test_the_check_accepts_the_solution. Running them
    all again here would double the time this file takes.)"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    file, exercise = EXERCISES[0]
    assert run_check(exercise.solution, exercise.check, file[:2]).passed


def test_the_verdict_shows_its_message_in_a_notebook(capsys):
    verdict = checks.Verdict(True, "Right: fine.")
    verdict._ipython_display_()
    assert capsys.readouterr().out == "Right: fine.\n"
    assert repr(verdict) == "Right: fine." and bool(verdict)


# -- wrong answers: (the code of the answer, words the message must have) ---------------

LAYER = "from helpers.layers import Layer\n"
WRONG = {
    "check_first_line": [
        ('first_line = (DATA_DIR / "mnist_test_10.csv").read_text().splitlines()\n'
         'label, count = 7, 785', "should be the text of the line"),
        ('first_line = (DATA_DIR / "mnist_test_10.csv").read_text().splitlines()[0]\n'
         'label, count = first_line.split(",")[0], 785', "make it a whole number with int"),
        ('first_line = (DATA_DIR / "mnist_test_10.csv").read_text().splitlines()[0]\n'
         'label, count = 7, 784', "the label is a number on the line too"),
    ],
    "check_scaling": [
        ("def scale(pixels):\n    return pixels / 255", "paper (pixel 0) becomes 0, not 0.01"),
        ("def scale(pixels):\n    return pixels + 1", "whole numbers"),
        ("def scale(pixels):\n    return 0.01 + 0.99 * pixels", "divide by 255"),
        ("def scale(pixels):\n    return 0.01 + 0.99 * np.sqrt(pixels / 255)", "straight line"),
        ("def scale(pixels):\n    pixels[:] = 0\n    return 0.01 + 0.99 * pixels / 255.0",
         "changed the pixels"),
        ("def scale(pixels):\n    return (pixels / 255).ravel()", "each pixel becomes one input"),
    ],
    "check_cross_entropy_backward": [
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
    "check_batches": [
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
    "check_confusion_matrix": [
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
    "check_centring": [
        ("def centre_by_mass(box):\n    image = np.zeros((28, 28))\n"
         "    image[4:24, 4:24] = box\n    return image", "the middle of the box is not its centre of mass"),
        ("def centre_by_mass(box):\n    return box", "it should be 28 x 28"),
        ("def centre_by_mass(box):\n    image = np.zeros((28, 28))\n"
         "    image[10:24, 10:24] = box[:14, :14]\n    return image", "part of the digit is lost"),
    ],
    "check_logit": [
        ("import math\ndef logit_by_hand(y):\n    return math.log(y / (1 - y))",
         "not on an array: use NumPy's functions"),
        ("def logit_by_hand(y):\n    return np.log(y / (1 + y))", "must undo the sigmoid"),
        ("def logit_by_hand(y):\n    return np.log(y / (1 - y))[:10]", "it should work elementwise"),
    ],
    "check_tanh_layer": [
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
    "check_average_pooling": [
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
    "check_compression": [
        ("import gzip\npath = DATA_DIR / 'mnist_test.csv.gz'\n"
         "ratio = path.stat().st_size / len(gzip.open(path).read())", "turn the fraction around"),
        ("ratio = 1.0", "above 1"),
        ("ratio = 2.0", "divide the number of bytes"),
        ("ratio = 'six'", "should be one number"),
    ],
    "check_ink": [
        ("ink = means.mean(axis=1) / 255\nleast_ink, most_ink = 1, 0", "pixel values, 0"),
        ("ink = means.mean(axis=1).sort_values().to_numpy()\nleast_ink, most_ink = 1, 0",
         "in the wrong order"),
        ("ink = means.to_numpy()\nleast_ink, most_ink = 1, 0", "average over the 784 pixels"),
        ("ink = means.mean(axis=1)\nleast_ink, most_ink = 0, 1", "the digit at the other end"),
        ("ink = means.median(axis=1)\nleast_ink, most_ink = 1, 0", "differs from the mean pixel"),
    ],
    "check_never_ink": [
        ("never_ink = pixels.max(axis=0) > 0", "the opposite"),
        ("never_ink = int((pixels.max(axis=0) == 0).sum())", "not one number"),
        ("never_ink = (pixels.max(axis=0) == 0).astype(int)", "make it True/False"),
        ("never_ink = pixels[:100].max(axis=0) == 0", "of the 784 pixels differ"),
        ("never_ink = pixels.max(axis=1) == 0", "one True or False for each of the 784"),
    ],
    "check_unusual_sevens": [
        ("sevens = train[train['label'] == 7].drop(columns='label')\n"
         "distance = np.linalg.norm(sevens.to_numpy(dtype=float) - means.loc[7].to_numpy(), axis=1)\n"
         "farthest = np.argsort(distance)[::-1][:5]", "positions among the sevens"),
        ("sevens = train[train['label'] == 7].drop(columns='label')\n"
         "distance = np.linalg.norm(sevens.to_numpy(dtype=float) - means.loc[7].to_numpy(), axis=1)\n"
         "farthest = sevens.index[np.argsort(distance)[:5]]", "closest to the average"),
        ("farthest = [0, 1, 2, 3, 4]", "not sevens"),
        ("farthest = [15]", "it should name 5"),
        ("farthest = [0.5, 1.5, 2.5, 3.5, 4.5]", "whole numbers (indices)"),
    ],
    "check_hidden_node": [
        ("z = net.b_hidden[0]\nfor i in range(784):\n    z += net.w_input_hidden[0, i] * inputs[0][i]\n"
         "by_hand = z", "apply the sigmoid"),
        ("z = 0.0\nfor i in range(784):\n    z += net.w_input_hidden[0, i] * inputs[0][i]\n"
         "by_hand = sigmoid(z)", "the bias is missing"),
        ("by_hand = net.forward(inputs[0])[0]", "one number"),
        ("by_hand = sigmoid(net.b_hidden[1] + net.w_input_hidden[1] @ inputs[0])",
         "differs from hidden node 0"),
    ],
    "check_wrong_sign": [
        ("uphill_error = 0.0\nuphill_losses = [net.train(inputs[0], labels[0]) for _ in range(5)]",
         "still has the right sign"),
        ("u = NeuralNetwork(784, 30, 10, seed=1, dtype=np.float64)\nuphill_error = 1.0\n"
         "uphill_losses = [u.train(inputs[0], labels[0]) for _ in range(5)]", "uphill_losses fall"),
        ("uphill_error = 2.0\nuphill_losses = [1, 2, 3, 4, 5]", "measure it with the notebook's"),
        ("uphill_error = 1.0\nuphill_losses = [1, 2, 3]", "the loss before each of the 5"),
    ],
    "check_learning_rate_curves": [
        ("curves = {0.01: [1] * 10, 0.1: [1] * 10}\nfastest = 1.0", "one entry for each learning rate"),
        ("curves = {rate: [0.4] * 10 for rate in [0.01, 0.1, 0.3, 1.0]}\nfastest = 1.0",
         "curves[0.01] differs"),
        ("curves = {rate: [0.4] * 9 for rate in [0.01, 0.1, 0.3, 1.0]}\nfastest = 1.0",
         "after each of the 10 epochs"),
    ],
    "check_confident_mistakes": [
        ("most_sure = wrong[np.argsort(confidences[wrong])[:12]]", "of your 12 are not among"),
        ("most_sure = np.sort(wrong[np.argsort(confidences[wrong])[::-1][:12]])",
         "in the wrong order"),
        ("most_sure = np.argsort(confidences)[::-1][:12]", "were read right"),
        ("most_sure = wrong[np.argsort(confidences[wrong])[::-1][:10]]", "it should have 12"),
    ],
    "check_pairs_both_ways": [
        ("top_pairs = [(9, 4), (7, 2), (3, 5), (8, 3), (9, 7)]", "the smaller digit first"),
        ("top_pairs = [(1, 1), (2, 7), (3, 5), (3, 8), (7, 9)]", "a digit with itself"),
        ("top_pairs = [(2, 7), (4, 9), (7, 9), (2, 8), (3, 9)]", "in the wrong order"),
        ("top_pairs = [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5)]", "not among the five"),
        ("top_pairs = 'the 4 and the 9'", "a list of pairs of digits"),
    ],
    "check_answer_when_sure": [
        ("thresholds = np.linspace(0.3, 0.95, 27)\n"
         "answered = np.array([100 * np.mean(confidences >= t) for t in thresholds])\n"
         "accuracy_answered = np.array([correct[confidences >= t].mean() for t in thresholds])",
         "answered is in percent"),
        ("thresholds = np.linspace(0.3, 0.95, 27)\n"
         "answered = np.array([np.mean(confidences >= t) for t in thresholds])\n"
         "accuracy_answered = np.array([np.sum(correct & (confidences >= t)) / len(correct) "
         "for t in thresholds])", "divide by the answered ones only"),
        ("thresholds = np.linspace(0.3, 0.95, 27)\n"
         "answered = np.array([np.mean(confidences < t) for t in thresholds])\n"
         "accuracy_answered = np.array([correct[confidences >= t].mean() for t in thresholds])",
         "answered differs"),
        ("thresholds = np.linspace(0.3, 0.95, 27)\nanswered = [0.5]\naccuracy_answered = [0.9]",
         "one share per threshold"),
    ],
    "check_untrained_backquery": [
        ("untrained_imagined = np.array([backquery(network, d) for d in range(10)])\n"
         "untrained_read = np.arange(10)", "the trained one"),
        ("untrained = NeuralNetwork(seed=1)\n"
         "untrained_imagined = np.array([backquery(untrained, d) for d in range(10)])\n"
         "untrained_read = np.arange(10)", "is not what the untrained network reads"),
        ("untrained = NeuralNetwork(seed=1)\nuntrained_imagined = backquery(untrained, 3)\n"
         "untrained_read = [2]", "one image of 784 values per digit"),
    ],
    "check_three_or_eight": [
        ("targets = np.full(10, 0.01)\ntargets[3] = 0.99\nthree_or_eight = backquery(network, targets)\n"
         "read_as = 3", "0.99 at 3 and at 8"),
        ("targets = np.full(10, 0.01)\ntargets[[3, 8]] = 0.99\nthree_or_eight = backquery(network, 3)\n"
         "read_as = 3", "differs from the backquery of these targets"),
        ("targets = np.full(10, 0.01)\ntargets[[3, 8]] = 0.99\n"
         "three_or_eight = backquery(network, targets)\n"
         "read_as = 8 if network.query(three_or_eight).argmax() != 8 else 3", "the image is right"),
    ],
    "check_silenced": [
        ("ones_units = by_selectivity[preferred[by_selectivity] == 1][-10:]\nafter = np.ones(10)",
         "not the 10 most selective"),
        ("ones_units = by_selectivity[:10]\nafter = np.ones(10)", "do not prefer 1"),
        ("silenced = load_network(DEFAULT_MODEL)\n"
         "ones_units = by_selectivity[preferred[by_selectivity] == 1][:10]\n"
         "silenced.w_hidden_output[:, ones_units[:3]] = 0\n"
         "after = np.array([(silenced.predict(test_inputs)[test_labels == d] == d).mean() "
         "for d in range(10)])", "set their columns"),
        ("ones_units = by_selectivity[preferred[by_selectivity] == 1][:10]\nafter = 0.9",
         "one accuracy per digit"),
    ],
    "check_left_out_steps": [
        ("stretched_accuracy, boxed_accuracy = 0.6, 0.2", "stretched_accuracy is 0.600"),
        ("stretched_accuracy, boxed_accuracy = 50, 50", "in percent"),
        ("stretched_accuracy = 0.5\nboxed_accuracy = [0.5]", "should be one number"),
    ],
    "check_tilted": [
        ("angles = np.arange(-60, 61, 20)\ntilted_accuracy = np.full(7, 0.5)", "at 0 degrees"),
        ("angles = np.arange(-60, 61, 20)\ntilted_accuracy = np.ones(6)", "one accuracy per angle"),
        ("angles = np.arange(-60, 61, 20)\n"
         "full = np.mean(network.predict(np.stack([prepare(p) for p in paths])) == truth)\n"
         "tilted_accuracy = np.full(7, full)", "turning another way"),
    ],
    "check_shift_cost": [
        ("digits, labels = test_inputs[:200].reshape(-1, 28, 28), test_labels[:200]\n"
         "as_is, prepared_back = [], []\n"
         "for shift in range(7):\n"
         "    shifted = np.roll(digits, shift, axis=1)\n"
         "    as_is.append(np.mean(network.predict(shifted.reshape(-1, 784)) == labels))\n"
         "    prepared_back.append(1.0)", "as_is[1] is"),
        ("as_is = prepared_back = [0.9] * 6", "one accuracy per shift"),
        ("digits, labels = test_inputs[:200].reshape(-1, 28, 28), test_labels[:200]\n"
         "as_is, prepared_back = [], []\n"
         "for shift in range(7):\n"
         "    shifted = np.full_like(digits, 0.01)\n"
         "    shifted[:, :, shift:] = digits[:, :, :28 - shift]\n"
         "    as_is.append(np.mean(network.predict(shifted.reshape(-1, 784)) == labels))\n"
         "    prepared_back.append(as_is[-1])", "prepared_back[0] is"),
    ],
    "check_bigger_batches": [
        ("accuracy_64 = {0.5: 0.9, 1.0: 0.9}", "one entry for each learning rate"),
        ("accuracy_64 = {0.5: 90.0, 1.0: 91.0, 2.0: 92.0, 4.0: None}", "shares from 0 to 1"),
        ("accuracy_64 = {0.5: 0.9, 1.0: None, 2.0: 0.9, 4.0: None}", "does not diverge here"),
        ("accuracy_64 = {0.5: 0.9, 1.0: 0.5, 2.0: 0.9, 4.0: 0.9}", "accuracy_64[1.0] is 0.5000"),
    ],
    "check_seed_spread": [
        ("seed_accuracy, spread = [0.9] * 4, 0.0", "all the same"),
        ("seed_accuracy, spread = [0.5, 0.6, 0.7, 0.8], 0.3", "seed_accuracy[0] is 0.5000"),
        ("net = NeuralNetwork(784, 200, 10, learning_rate=1.0, seed=0)\n"
         "h = fit(net, fit_inputs[:10_000], fit_labels[:10_000], epochs=2, batch_size=16,\n"
         "        seed=0, validation=(val_inputs, val_labels), progress=False)\n"
         "seed_accuracy = [h['validation_accuracy'][-1] + step for step in (0, 0.01, 0.02, 0.03)]\n"
         "spread = 0.5",
         "spread is not the largest minus"),
        ("seed_accuracy, spread = [0.9, 0.91], 0.01", "one validation accuracy per seed"),
    ],
    "check_mistakes": [
        ("mine = load_network(my_networks / 'mnist_784_200_10.npz')\n"
         "mistakes = np.flatnonzero(mine.predict(test_inputs) != test_labels)[:12]", "there are more"),
        ("mine = load_network(my_networks / 'mnist_784_200_10.npz')\n"
         "mistakes = np.flatnonzero(mine.predict(test_inputs) == test_labels)", "none of your images"),
        ("mine = load_network(my_networks / 'mnist_784_200_10.npz')\n"
         "mistakes = np.arange(500)", "differ from the mistakes"),
        ("mine = load_network(my_networks / 'mnist_784_200_10.npz')\n"
         "mistakes = [0.5, 1.5]", "whole numbers"),
    ],
    "check_relu_or_sigmoid": [
        ("relu_accuracy, sigmoid_accuracy = 0.5, 0.5", "differs from the network trained here"),
        ("relu_accuracy, sigmoid_accuracy = 95.0, 90.0", "not percent"),
        ("relu_accuracy, sigmoid_accuracy = 'high', 0.5", "should be one number"),
    ],
    "check_turned": [
        ("six, nine = (np.flatnonzero(test_labels == d)[0] for d in (6, 9))\n"
         "turned = np.concatenate([rotate_and_shift(test_inputs[[i] * 5], [0, -45, -90, -135, -180], (0, 0))\n"
         "                         for i in (six, nine)])", "it turned clockwise"),
        ("six, nine = (np.flatnonzero(test_labels == d)[0] for d in (6, 9))\n"
         "turned = np.concatenate([rotate_and_shift(test_inputs[[i] * 5], [0, 45, 90, 135, 180], (0, 0))\n"
         "                         for i in (nine, six)])", "turned[0] is a test image of 9"),
        ("six = np.flatnonzero(test_labels == 6)[0]\n"
         "turned = np.concatenate([rotate_and_shift(test_inputs[[six] * 5], [0, 45, 90, 135, 180], (0, 0))] * 2)",
         "not of 9"),
        ("turned = test_inputs[:10] * 2", "should be a test image of 6"),
        ("turned = test_inputs[:5]", "10 images of 784 inputs"),
    ],
    "check_bottom_edges": [
        ("bottom_edges = left_edges.T", "top edge of a bar"),
        ("bottom_edges = -left_edges", "top edge of a bar"),
        ("bottom_edges = -left_edges.T + 0.02", "even ink gives nothing"),
        ("bottom_edges = -left_edges.T + left_edges", "sides of an upright stroke"),
        ("bottom_edges = np.ones((3, 3))", "a 5 x 5 kernel"),
    ],
    "check_work": [
        ("parameters = [layer.parameters['weights'].size for layer in network.layers if layer.parameters]\n"
         "multiply_adds = [1, 2, 3, 4]", "count the biases too"),
        ("parameters = [sum(p.size for p in layer.parameters.values()) for layer in network.layers\n"
         "              if layer.parameters]\n"
         "multiply_adds = [layer.parameters['weights'].size for layer in network.layers if layer.parameters]",
         "multiply_adds differs for the layer(s) [0, 1]"),
        ("parameters = [1, 2]\nmultiply_adds = [1, 2]", "but 4 layers have parameters"),
    ],
    "check_shifted_cnn": [
        ("images = test_inputs[:2000].reshape(-1, 28, 28)\nshifted = np.full_like(images, 0.01)\n"
         "shifted[:, :, :-3] = images[:, :, 3:]\nshifted = shifted.reshape(-1, 784)\n"
         "accuracy_shifted = {'convolutional': 0.9, '784-200-10': 0.5}", "moved to the left"),
        ("shifted = test_inputs[:2000]\naccuracy_shifted = {'convolutional': 0.9, '784-200-10': 0.5}",
         "with the 3 new columns on the left"),
        ("images = test_inputs[:2000].reshape(-1, 28, 28)\nshifted = np.full_like(images, 0.01)\n"
         "shifted[:, :, 3:] = images[:, :, :-3]\nshifted = shifted.reshape(-1, 784)\n"
         "accuracy_shifted = {'convolutional': 0.5, '784-200-10': 0.5}", "reads"),
        ("images = test_inputs[:2000].reshape(-1, 28, 28)\nshifted = np.full_like(images, 0.01)\n"
         "shifted[:, :, 3:] = images[:, :, :-3]\nshifted = shifted.reshape(-1, 784)\n"
         "accuracy_shifted = [0.9, 0.5]", "a dict with the keys"),
    ],
    "check_pieces_4": [
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
    ],
    "check_piece_boxes": [
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
    ],
    "check_column_overlap": [
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


WRONG_CASES = [(file, exercise, code, words) for file, exercise in EXERCISES
               for code, words in WRONG.get(check_name(exercise), [])]


def test_every_checked_exercise_has_wrong_answers_to_reject():
    assert sorted(WRONG) == sorted(check_name(exercise) for _, exercise in EXERCISES)


@pytest.mark.parametrize("file, exercise, code, words", WRONG_CASES,
                         ids=[f"{file[:2]}-{check_name(exercise)[6:]}-{words}"
                              for file, exercise, _, words in WRONG_CASES])
def test_the_check_rejects_a_wrong_answer_and_says_why(file, exercise, code, words, capsys):
    verdict = run_check(code, exercise.check, file[:2])
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
    exercise = BANK["04_evaluating_with_confusion_matrices.ipynb"][0]
    message = run_check(code, exercise.check).message
    assert "cells differ" in message and "[[" not in message and len(message) < 300, message


# -- tools/format_exercises.py ---------------------------------------------------------------


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


def test_the_tool_puts_the_checked_exercise_first_and_folds_every_solution(monkeypatch):
    file = "04_evaluating_with_confusion_matrices.ipynb"
    monkeypatch.setattr(FORMAT, "BANK", {file: BANK[file][:1]})  # one exercise from the bank
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
