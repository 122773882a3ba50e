"""Checks for the exercises: your answer, run against an independent reference.

Each exercise of the course that asks you to write a piece of the network (a backward
pass, a confusion matrix, a preparation step) is followed by a check cell such as
``check_confusion_matrix(confusion_matrix_by_hand)``. The check runs your code on data
of its own and compares the result with a reference computed another way: a numerical
gradient for a backward pass, labels counted one by one for a confusion matrix, the known
statistics of MNIST for a preparation step. It then says in words what is right, what is
wrong and where to look, without printing the answer.

A check prints one of three things:

* ``Right: ...`` when your answer agrees with the reference;
* ``Not yet: ...`` when the stub is still empty (nothing is wrong: write your answer in
  the cell above the check, run that cell, then run the check again);
* ``Not right yet: ...`` with what differs and a hint.

Only when nbgrader grades a notebook (it sets the environment variable
``NBGRADER_EXECUTION`` to ``autograde`` or ``validate``) does a check that does not pass
raise :class:`ExerciseNotSolved`, so that the check cell earns no points. On your own
machine a check never stops the notebook.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.special import expit

RIGHT, NOT_YET, WRONG = "Right", "Not yet", "Not right yet"


class ExerciseNotSolved(AssertionError):
    """Raised by a check, only while nbgrader grades the notebook, when an answer fails."""


def grading() -> bool:
    """True while nbgrader runs the notebook to grade it (``nbgrader autograde``/``validate``)."""
    return os.environ.get("NBGRADER_EXECUTION") in ("autograde", "validate")


@dataclass
class Verdict:
    """What a check found: ``passed`` and the message it shows."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:  # a notebook shows the message, without "Out[n]:"
        print(self.message)


def _verdict(status: str, message: str) -> Verdict:
    verdict = Verdict(status == RIGHT, f"{status}: {message}")
    if not verdict.passed and grading():
        raise ExerciseNotSolved(verdict.message)
    return verdict


def _not_yet(what: str) -> Verdict:
    return _verdict(NOT_YET, f"{what} Write your answer in the cell above, run that cell, "
                             "then run this check again.")


class _Stop(Exception):
    """Raised inside a check by the helpers that read an answer (``_run``, ``_as_number``,
    ``_as_array``, ``_indices``) when it cannot be checked further: ``_answers`` turns it
    into the check's verdict, so a check reads its answers one line each."""

    def __init__(self, verdict: Verdict):
        super().__init__(verdict.message)
        self.verdict = verdict


def _answers(check):
    """Make ``check`` return the verdict of a ``_Stop`` raised inside it."""
    @functools.wraps(check)
    def checked(*arguments, **keywords) -> Verdict:
        try:
            return check(*arguments, **keywords)
        except _Stop as stop:
            return stop.verdict
    return checked


def _is_empty(value) -> bool:
    """The untouched stub: ``...``, None, or containers of them."""
    if value is None or value is Ellipsis:
        return True
    if isinstance(value, dict):
        return any(_is_empty(item) for item in value.values())
    if isinstance(value, (tuple, list)) and value:
        return any(item is Ellipsis for item in value)
    return False


def _run(function, *arguments):
    """Call the learner's code and return its result; if it stopped, stop the check with a
    verdict that says how (``_Stop``)."""
    try:
        return function(*arguments)
    except NotImplementedError:
        raise _Stop(_not_yet("your code is not written yet (it raised NotImplementedError).")) \
            from None
    except Exception as error:  # the learner's code: say what happened, in words
        raise _Stop(_verdict(WRONG, f"your code stopped with {type(error).__name__}: "
                                    f"{error}")) from None


def _shape(array) -> str:
    return str(tuple(np.shape(array)))


# -- the course's numerical gradient checker ---------------------------------------------

def numerical_gradient(loss, array: np.ndarray, epsilon: float = 1e-6, indices=None) -> np.ndarray:
    """dLoss/d(array) by central differences, changing one entry of ``array`` at a time in
    place (and putting it back); ``loss()`` returns the loss for the array as it is.

    With ``indices`` (a list of index tuples), only those entries, as a flat array.
    """
    picked = list(np.ndindex(array.shape)) if indices is None else list(indices)
    gradient = np.zeros(len(picked))
    for i, index in enumerate(picked):
        kept = array[index]
        array[index] = kept + epsilon
        above = loss()
        array[index] = kept - epsilon
        below = loss()
        array[index] = kept
        gradient[i] = (above - below) / (2 * epsilon)
    return gradient.reshape(array.shape) if indices is None else gradient


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||): 0 when equal, 1 when unrelated (0 if both are 0)."""
    size = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / size) if size else 0.0


def _compare_gradient(name: str, mine, reference: np.ndarray, tolerance: float = 1e-6) -> str | None:
    """None if ``mine`` matches ``reference``; otherwise what is wrong with it, in words."""
    if mine is None or mine is Ellipsis:
        return f"{name}: not computed yet"
    mine = np.asarray(mine, dtype=float)
    if mine.shape != reference.shape:
        if mine.shape == reference.shape[::-1] and mine.ndim == 2:
            return (f"{name}: your gradient is {_shape(mine)}: the network needs "
                    f"{_shape(reference)}, the shape of {name} itself (transpose a factor "
                    "of the product)")
        return f"{name}: your gradient is {_shape(mine)}: the network needs {_shape(reference)}"
    error = relative_error(mine.ravel(), reference.ravel())
    if error <= tolerance:
        return None
    flat, right = mine.ravel(), reference.ravel()
    size = np.linalg.norm(flat) * np.linalg.norm(right)
    cosine = float(flat @ right / size) if size else 0.0
    if cosine < -0.999:
        return (f"{name}: points the opposite way (relative error {error:.2f}): it goes uphill; "
                "look for a swapped subtraction")
    if cosine > 0.999:
        return (f"{name}: points the right way but is {np.linalg.norm(flat) / np.linalg.norm(right):.3g} "
                "times as long: a factor is missing or too much")
    return f"{name}: differs from the numerical gradient (relative error {error:.2g})"


# -- notebook 00: one line of a data file --------------------------------------------------

@_answers
def check_first_line(first_line, label, count) -> Verdict:
    """Exercise of notebook 00: the first line of ``data/mnist_test_10.csv``, its label
    (the first number, as an int) and how many numbers it has; compared with the file read
    by Python's csv module."""
    import csv

    from .data import DATA_DIR

    if _is_empty(first_line) or _is_empty(label) or _is_empty(count):
        return _not_yet("first_line, label and count are not all set yet.")
    with open(DATA_DIR / "mnist_test_10.csv", newline="") as file:
        row = next(csv.reader(file))
    problems = []
    if not isinstance(first_line, str):
        problems.append(f"first_line is a {type(first_line).__name__}: it should be the text "
                        "of the line (a str), as splitlines() gives it")
    elif first_line.strip().split(",") != row:
        problems.append("first_line is not the first line of mnist_test_10.csv: take item [0] "
                        "of the list of lines")
    if isinstance(label, str):
        problems.append(f"label is the text {label!r}: make it a whole number with int(...)")
    elif not isinstance(label, (int, np.integer)) or label != int(row[0]):
        problems.append("label is not the first number of the line")
    if count == len(row) - 1:
        problems.append(f"count is {count}: that many are the pixels; the label is a number on "
                        "the line too")
    elif count != len(row):
        problems.append("count is not the number of comma-separated numbers on the line")
    if problems:
        return _verdict(WRONG, "; ".join(problems) + ".")
    return _verdict(RIGHT, "the line, its label and its count agree with the file read by "
                           "Python's csv module.")


# -- notebook 01: scaling pixels into inputs --------------------------------------------

#: Mean and standard deviation of the 60,000 MNIST training pixels divided by 255, as the
#: PyTorch MNIST example normalises them (``transforms.Normalize((0.1307,), (0.3081,))`` in
#: github.com/pytorch/examples, mnist/main.py): an independent figure for the scaling check.
MNIST_TRAIN_MEAN, MNIST_TRAIN_STD = 0.1307, 0.3081


def _training_pixels() -> np.ndarray:
    """The pixels of the 60,000 training images (uint8), read once."""
    return _digits_data("train")[0]


def _digits_data(split: str) -> tuple[np.ndarray, np.ndarray]:
    """The pixels (uint8) and labels of the ``split`` set, read once."""
    if split not in _DATA:
        from .data import mnist_path, read_mnist_csv

        frame = read_mnist_csv(mnist_path(split))
        _DATA[split] = (frame.drop(columns="label").to_numpy(), frame["label"].to_numpy())
    return _DATA[split]


_DATA: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def _scaling_problem(pixels: np.ndarray, inputs) -> Verdict | None:
    """What is wrong with ``inputs = scale(pixels)`` in shape, type or range; None if nothing."""
    if inputs is None or inputs is Ellipsis:
        return _not_yet("scale returns nothing yet.")
    inputs = np.asarray(inputs)
    if inputs.shape != pixels.shape:
        return _verdict(WRONG, f"for pixels of shape {_shape(pixels)} scale returns "
                               f"{_shape(inputs)}: each pixel becomes one input, in place.")
    if not np.issubdtype(inputs.dtype, np.floating):
        return _verdict(WRONG, f"your inputs are {inputs.dtype}, whole numbers: the network "
                               "needs fractions (floats); divide, or convert with astype.")
    problems = []
    low, high = float(inputs[pixels == 0].min()), float(inputs[pixels == 255].max())
    if abs(low - 0.01) > 1e-4 or not np.allclose(inputs[pixels == 0], low, atol=1e-6):
        problems.append(f"paper (pixel 0) becomes {low:.4g}, not 0.01" +
                        ("; an input of 0 would stop its weights from learning" if low == 0 else ""))
    if abs(high - 1.0) > 1e-4 or not np.allclose(inputs[pixels == 255], high, atol=1e-6):
        problems.append(f"full ink (pixel 255) becomes {high:.4g}, not 1.0" +
                        ("; divide by 255 so that 255 becomes 1" if high > 2 else ""))
    if problems:
        return _verdict(WRONG, "; ".join(problems) + ".")
    return None


@_answers
def check_scaling(scale) -> Verdict:
    """Exercise of notebook 01: ``scale(pixels)`` turns pixels 0..255 into inputs 0.01..1.0.

    First on 100 images (the shape, the type, where paper and full ink go), then on all
    60,000 training images, in chunks to spare memory: the mean and spread of the inputs
    must be those that MNIST's known statistics give, 0.01 + 0.99 * 0.1307 and 0.99 * 0.3081.
    """
    from .data import DATA_DIR, read_mnist_csv

    sample = read_mnist_csv(DATA_DIR / "mnist_train_100.csv").drop(columns="label").to_numpy()
    kept = sample.copy()
    inputs = _run(scale, sample)
    if inputs is not None and inputs is not Ellipsis and not np.array_equal(sample, kept):
        return _verdict(WRONG, "scale changed the pixels it was given: compute new inputs and "
                               "leave the pixels as they are.")
    problem = _scaling_problem(kept, inputs)
    if problem is not None:
        return problem
    pixels = _training_pixels()
    total = total_squares = 0.0
    for start in range(0, len(pixels), 10_000):
        chunk = pixels[start:start + 10_000].copy()
        inputs = _run(scale, chunk)
        values = np.asarray(inputs, dtype=np.float64)
        total += values.sum()
        total_squares += (values ** 2).sum()
    mean = total / pixels.size
    std = np.sqrt(max(total_squares / pixels.size - mean ** 2, 0.0))
    if abs(mean - (0.01 + 0.99 * MNIST_TRAIN_MEAN)) > 5e-4 or abs(std - 0.99 * MNIST_TRAIN_STD) > 5e-4:
        return _verdict(WRONG, "paper and full ink are right, but the mean and spread of the "
                               "inputs differ from what MNIST's known statistics give: the "
                               "scaling should be a straight line between the two ends.")
    return _verdict(RIGHT, "paper becomes 0.01 and full ink 1.0, and the mean and spread of the "
                           "inputs over the 60,000 training images agree with MNIST's known "
                           "statistics.")


# -- notebook 02: the backward pass for another loss -------------------------------------

GRADIENT_NAMES = ("w_input_hidden", "b_hidden", "w_hidden_output", "b_output")


def cross_entropy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """E = -sum(t log o + (1 - t) log(1 - o)) over the outputs and the samples."""
    return float(-np.sum(targets * np.log(outputs) + (1 - targets) * np.log(1 - outputs)))


@_answers
def check_cross_entropy_backward(backward) -> Verdict:
    """Exercise of notebook 02: ``backward(network, inputs, hidden, outputs, targets)`` returns
    the gradients of the cross-entropy loss (summed over the samples), as a dict with
    the keys of ``NeuralNetwork.backward``. Checked against the course's numerical gradient
    on a 784-20-10 network in float64 (every bias, 40 sampled entries of each weight matrix).
    """
    from .network import NeuralNetwork

    rng = np.random.default_rng(13)
    network = NeuralNetwork(784, 20, 10, seed=13, dtype=np.float64)
    inputs = rng.uniform(0.01, 1.0, size=(4, 784))
    targets = np.full((4, 10), 0.01)  # 0.99 at each sample's label, as in training
    targets[np.arange(4), rng.integers(0, 10, size=4)] = 0.99
    hidden, outputs = network.forward(inputs)
    gradients = _run(backward, network, inputs, hidden.copy(), outputs.copy(), targets)
    if _is_empty(gradients):
        return _not_yet("backward does not return all four gradients yet.")
    if not isinstance(gradients, dict):
        return _verdict(WRONG, f"backward returns a {type(gradients).__name__}: it should return a "
                               f"dict with the keys {', '.join(GRADIENT_NAMES)}.")
    missing = [name for name in GRADIENT_NAMES if name not in gradients]
    if missing:
        return _verdict(WRONG, f"the dict lacks {', '.join(missing)}.")

    def loss():
        return cross_entropy(network.query(inputs), targets)

    problems, right = [], []
    for name in GRADIENT_NAMES:
        parameter = getattr(network, name)
        if parameter.ndim == 1:
            indices = list(np.ndindex(parameter.shape))
        else:
            indices = [tuple(index) for index in
                       np.stack([rng.integers(0, size, 40) for size in parameter.shape], axis=1)]
        reference = numerical_gradient(loss, parameter, indices=indices)
        mine = np.asarray(gradients[name], dtype=float) if gradients[name] is not None else None
        if mine is not None and mine.shape == parameter.shape:
            problem = _compare_gradient(name, mine[tuple(np.array(indices).T)], reference)
        else:
            problem = _compare_gradient(name, mine, np.zeros(parameter.shape))
        (problems.append(problem) if problem else right.append(name))
    if problems:
        hint = ""
        if "b_output" in right and "b_hidden" not in right:
            hint = (" delta_output is right, delta_hidden is not: it goes back through "
                    "w_hidden_output and the hidden sigmoid's slope, as in backward.")
        elif "b_output" not in right:
            hint = " Start with delta_output = dE/dz at the outputs: the sigmoid's slope cancels."
        return _verdict(WRONG, "; ".join(problems) + "." +
                        (f" Right: {', '.join(right)}." if right else "") + hint)
    return _verdict(RIGHT, "all four gradients agree with central differences of the "
                           "cross-entropy loss (relative error below 1e-6).")


# -- notebook 03: shuffled mini-batches --------------------------------------------------

@_answers
def check_batches(batches) -> Verdict:
    """Exercise of notebook 03: ``batches(count, batch_size, rng)`` returns the indices
    0..count-1, shuffled with ``rng``, cut into batches of ``batch_size`` (the last may be
    smaller). Checked by counting how often each index comes."""
    count, size = 103, 16
    result = _run(batches, count, size, np.random.default_rng(0))
    if _is_empty(result):
        return _not_yet("batches returns nothing yet.")
    try:
        parts = [np.asarray(part).ravel() for part in result]
    except TypeError:
        return _verdict(WRONG, f"batches returns a {type(result).__name__}: it should return a "
                               "list of arrays of indices, one per batch.")
    if not parts or not all(np.issubdtype(part.dtype, np.integer) for part in parts):
        return _verdict(WRONG, "each batch should be an array of whole-number indices "
                               "(np.arange and rng.permutation give them).")
    every = np.concatenate(parts)
    if every.min() < 0 or every.max() >= count:
        return _verdict(WRONG, f"with count={count} the indices must run from 0 to {count - 1}; "
                               f"yours run from {every.min()} to {every.max()}.")
    times = np.bincount(every, minlength=count)
    sizes = [len(part) for part in parts]
    problems = []
    if (times == 0).any():
        problems.append(f"{(times == 0).sum()} of the {count} samples are in no batch" +
                        (" (keep the last, smaller batch)" if sizes[-1] == size else ""))
    if (times > 1).any():
        problems.append(f"{(times > 1).sum()} samples come more than once in an epoch")
    if any(length != size for length in sizes[:-1]) or sizes[-1] > size:
        problems.append(f"the batches have {sorted(set(sizes))} samples: every batch but the "
                        f"last should have batch_size={size}")
    if problems:
        return _verdict(WRONG, "; ".join(problems) + ".")
    if np.array_equal(every, np.arange(count)):
        return _verdict(WRONG, "every sample comes once, but in their order in the data: "
                               "shuffle them with rng, so that each epoch sees new batches.")
    rng = np.random.default_rng(0)
    first, second = (np.concatenate([np.asarray(p).ravel() for p in batches(count, size, rng)])
                     for _ in range(2))
    if np.array_equal(first, second):
        return _verdict(WRONG, "two epochs with the same rng come in the same order: draw the "
                               "shuffle from rng each time (rng.permutation).")
    again = np.concatenate([np.asarray(p).ravel()
                            for p in batches(count, size, np.random.default_rng(0))])
    if not np.array_equal(again, every):
        return _verdict(WRONG, "the same seed gives a different order: shuffle with the rng you "
                               "are given, not with a generator of your own.")
    return _verdict(RIGHT, f"each of {count} samples comes exactly once, in batches of {size} and "
                           "a smaller last one, shuffled by rng and reproducible from its seed.")


# -- notebook 04: the confusion matrix ------------------------------------------------------

@_answers
def check_confusion_matrix(confusion_matrix_by_hand) -> Verdict:
    """Exercise of notebook 04: ``confusion_matrix_by_hand(labels, predictions)`` returns the
    10 x 10 matrix whose row i, column j counts the images of digit i read as j. Compared
    with the matrix counted another way (``np.bincount`` of ``10 * label + prediction``)."""
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 9, size=600)  # the digit 9 never occurs: its row stays 0
    predictions = np.where(rng.random(600) < 0.7, labels, rng.integers(0, 10, size=600))
    matrix = _run(confusion_matrix_by_hand, labels, predictions)
    if _is_empty(matrix):
        return _not_yet("confusion_matrix_by_hand returns nothing yet.")
    reference = np.bincount(10 * labels + predictions, minlength=100).reshape(10, 10)
    matrix = np.asarray(matrix)
    if matrix.shape != (10, 10):
        return _verdict(WRONG, f"your matrix is {_shape(matrix)}: it needs a row and a column for "
                               "each of the 10 digits, even for a digit that never occurs "
                               "(here no label is 9).")
    if matrix.sum() != len(labels):
        return _verdict(WRONG, f"your matrix counts {matrix.sum():g} images, but {len(labels)} "
                               "were given: each image adds 1 to exactly one cell.")
    if np.array_equal(matrix, reference):
        return _verdict(RIGHT, "your matrix equals the one counted another way, on 600 made-up "
                               "labels and answers.")
    if np.array_equal(matrix, reference.T):
        return _verdict(WRONG, "rows and columns are swapped: row i should be the images whose "
                               "label is i, column j the answer j.")
    wrong = int((matrix != reference).sum())
    return _verdict(WRONG, f"{wrong} of the 100 cells differ from the matrix counted another "
                           "way: add 1 at [label, prediction] for every image.")


# -- notebook 05: centring by the centre of mass ------------------------------------------

def _sample_boxes() -> list[np.ndarray]:
    """Made-up 20 x 20 boxes whose centre of mass lies off the middle: a 7, an L and a dot."""
    seven = np.zeros((20, 20))
    seven[1:4, 2:18] = 1.0
    for row in range(4, 20):
        seven[row, max(17 - row, 3): max(17 - row, 3) + 3] = 1.0
    ell = np.zeros((20, 20))
    ell[0:20, 4:7] = 1.0
    ell[17:20, 7:19] = 0.5
    dot = np.zeros((20, 20))
    dot[9:13, 11:15] = 0.8
    return [seven, ell, dot]


@_answers
def check_centring(centre_by_mass) -> Verdict:
    """Exercise of notebook 05: ``centre_by_mass(box)`` puts a 20 x 20 image (ink 0..1,
    paper 0) into a 28 x 28 image with its centre of mass at pixel (14, 14), by whole
    pixels, as MNIST was made. Measured with ``scipy.ndimage.center_of_mass``."""
    for number, box in enumerate(_sample_boxes(), start=1):
        result = _run(centre_by_mass, box.copy())
        if _is_empty(result):
            return _not_yet("centre_by_mass returns nothing yet.")
        image = np.asarray(result, dtype=float)
        if image.shape != (28, 28):
            return _verdict(WRONG, f"your image is {_shape(image)}: it should be 28 x 28, with "
                                   "the 20 x 20 box placed inside it.")
        if not np.isclose(image.sum(), box.sum(), rtol=1e-6):
            return _verdict(WRONG, f"test box {number}: your image holds {image.sum():.1f} of the "
                                   f"box's {box.sum():.1f} units of ink: part of the digit is "
                                   "lost or doubled; copy the whole box, once.")
        row, column = ndimage.center_of_mass(image)
        if abs(row - 14) > 0.5 or abs(column - 14) > 0.5:
            return _verdict(WRONG, f"test box {number}: its centre of mass ends up at row {row:.1f}, "
                                   f"column {column:.1f}, more than half a pixel from (14, 14). "
                                   "Measure the centre of mass of the box and shift the box by "
                                   "the difference (the middle of the box is not its centre of "
                                   "mass).")
    return _verdict(RIGHT, "on three test boxes the ink is kept and its centre of mass lands "
                           "within half a pixel of (14, 14).")


# -- notebook 06: undoing the sigmoid -----------------------------------------------------

@_answers
def check_logit(logit_by_hand) -> Verdict:
    """Exercise of notebook 06: ``logit_by_hand(y)`` undoes the sigmoid, elementwise:
    ``sigmoid(logit_by_hand(y))`` gives ``y`` back for every y between 0 and 1."""
    y = np.linspace(0.01, 0.99, 99)
    try:
        result = _run(logit_by_hand, y)
    except _Stop as stop:
        if not stop.verdict.message.startswith(NOT_YET):
            try:
                single = _run(logit_by_hand, 0.5)
            except _Stop:
                single = None
            if single is not None and np.ndim(single) == 0:
                return _verdict(WRONG, "it works on one number but not on an array: use "
                                       "NumPy's functions (np.log), not those of math.")
        raise
    if _is_empty(result):
        return _not_yet("logit_by_hand returns nothing yet.")
    z = np.asarray(result, dtype=float)
    if z.shape != y.shape:
        return _verdict(WRONG, f"for {len(y)} values it returns {_shape(z)}: it should work "
                               "elementwise, one result per value.")
    back = expit(z)
    if np.allclose(back, y, rtol=0, atol=1e-9):
        return _verdict(RIGHT, "the sigmoid of your logit gives every y from 0.01 to 0.99 back.")
    worst = int(np.argmax(np.abs(back - y)))
    return _verdict(WRONG, f"the sigmoid of your logit of {y[worst]:.2f} is {back[worst]:.3f}, "
                           f"not {y[worst]:.2f}: the logit must undo the sigmoid, so solve "
                           "y = 1 / (1 + exp(-z)) for z.")


# -- notebooks 07 and 08: a layer's forward and backward --------------------------------

def _review_layer(layer_class, inputs: np.ndarray, reference_outputs: np.ndarray,
                  what: str) -> Verdict:
    """Build ``layer_class()``, compare its forward with ``reference_outputs`` and its backward
    with the numerical gradient of ``sum(G * forward(inputs))`` for a random G."""
    layer = _run(layer_class)
    outputs = _run(layer.forward, inputs.copy())
    if _is_empty(outputs):
        return _not_yet("forward returns nothing yet.")
    outputs = np.asarray(outputs, dtype=float)
    if outputs.shape != reference_outputs.shape:
        return _verdict(WRONG, f"for inputs of shape {_shape(inputs)} forward returns "
                               f"{_shape(outputs)}: it should return {_shape(reference_outputs)}.")
    if not np.allclose(outputs, reference_outputs, rtol=1e-6, atol=1e-9):
        return _verdict(WRONG, f"forward's outputs differ from {what}, computed another way "
                               f"(largest difference {np.abs(outputs - reference_outputs).max():.2g}).")
    G = np.random.default_rng(7).normal(size=outputs.shape)
    gradient = _run(layer.backward, G.copy())
    if _is_empty(gradient):
        return _not_yet("forward is right; backward returns nothing yet.")
    probe = layer_class()
    work = inputs.copy()
    reference = numerical_gradient(lambda: float(np.sum(G * probe.forward(work))), work)
    problem = _compare_gradient("the gradient backward returns", gradient, reference, 1e-6)
    if problem:
        if np.shape(gradient) == outputs.shape != reference.shape:
            problem += " (backward returns dLoss/d(inputs): one value per input of forward)"
        return _verdict(WRONG, f"forward is right; {problem}.")
    return _verdict(RIGHT, f"forward agrees with {what}, and backward with the numerical "
                           "gradient (central differences).")


@_answers
def check_tanh_layer(Tanh) -> Verdict:
    """Exercise of notebook 07: a ``Tanh`` layer, forward against ``np.tanh`` and backward
    against the numerical gradient, on random inputs in float64."""
    inputs = np.random.default_rng(0).normal(size=(3, 5))
    return _review_layer(Tanh, inputs, np.tanh(inputs), "np.tanh")


@_answers
def check_average_pooling(AveragePool2D) -> Verdict:
    """Exercise of notebook 08: an ``AveragePool2D`` layer (2 x 2 blocks), forward against
    the block means computed by reshaping, backward against the numerical gradient."""
    inputs = np.random.default_rng(0).normal(size=(2, 3, 4, 6))
    means = (inputs[:, :, 0::2, 0::2] + inputs[:, :, 0::2, 1::2] +
             inputs[:, :, 1::2, 0::2] + inputs[:, :, 1::2, 1::2]) / 4
    return _review_layer(AveragePool2D, inputs, means, "the means of the 2 x 2 blocks")



# == the notebooks' other exercises: a result the learner computes, checked against a ======
# == reference that the check computes another way ===========================================

def _as_number(value, name: str) -> float:
    """``value`` as a float; else stop the check, saying that it should be one number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _Stop(_verdict(WRONG, f"{name} should be one number, not a "
                                    f"{type(value).__name__}.")) from None


def _as_array(value, name: str, shape: tuple, what: str) -> np.ndarray:
    """``value`` as a float array of ``shape``; else stop the check, saying what it should be."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise _Stop(_verdict(WRONG, f"{name} should be {what}, not a "
                                    f"{type(value).__name__}.")) from None
    if array.shape != shape:
        raise _Stop(_verdict(WRONG, f"{name} has shape {_shape(array)}: it should be {what}, "
                                    f"shape {shape}."))
    return array


def _indices(value, name: str) -> list[int]:
    """``value`` as a list of whole numbers; else stop the check, saying it should be one."""
    try:
        array = np.asarray(value).ravel()
    except (TypeError, ValueError):
        array = np.array([None])
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise _Stop(_verdict(WRONG, f"{name} should hold whole numbers (indices), not "
                                    f"{array.dtype} values."))
    return [int(item) for item in array]


def _sigmoid_forward(network, inputs: np.ndarray) -> np.ndarray:
    """The outputs of a 784-hidden-10 sigmoid network, computed here in float64 (not with
    the network's own forward)."""
    weights = [np.asarray(getattr(network, name), dtype=np.float64) for name in GRADIENT_NAMES]
    hidden = expit(np.asarray(inputs, dtype=np.float64) @ weights[0].T + weights[1])
    return expit(hidden @ weights[2].T + weights[3])


# -- notebook 00 ------------------------------------------------------------------------------

@_answers
def check_compression(ratio) -> Verdict:
    """Exercise of notebook 00: ``ratio``, how many times longer ``mnist_test.csv.gz`` is
    unzipped than on disk. The reference unzips it another way: zlib, a chunk at a time."""
    import zlib

    from .data import DATA_DIR

    if _is_empty(ratio):
        return _not_yet("ratio is not set yet.")
    ratio = _as_number(ratio, "ratio")
    path = DATA_DIR / "mnist_test.csv.gz"
    unzip, unzipped = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS), 0
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            unzipped += len(unzip.decompress(chunk))
    unzipped += len(unzip.flush())
    reference = unzipped / path.stat().st_size
    if abs(ratio - reference) <= 0.01 * reference:
        return _verdict(RIGHT, "your ratio agrees with the file unzipped another way (zlib, "
                               "a chunk at a time), within 1 %.")
    if ratio > 0 and abs(1 / ratio - reference) <= 0.01 * reference:
        return _verdict(WRONG, "you divided the size on disk by the length unzipped: turn the "
                               "fraction around, so that it says how many times smaller the "
                               "zipped file is.")
    if ratio <= 1:
        return _verdict(WRONG, f"your ratio is {ratio:.3g}: compression makes the file smaller, "
                               "so the length unzipped divided by the size on disk is above 1.")
    return _verdict(WRONG, f"your ratio is {abs(ratio / reference - 1):.0%} away from the "
                           "reference: divide the number of bytes that file.read() gives by the "
                           "size of the file on disk (path.stat().st_size).")


# -- notebook 01 ------------------------------------------------------------------------------

@_answers
def check_ink(ink, least_ink, most_ink) -> Verdict:
    """Exercise of notebook 01: ``ink``, the mean pixel value (0..255) of the training images
    of each digit, and the digits with the least and the most ink. The reference sums the
    pixels per digit with ``np.bincount``, not with pandas."""
    if _is_empty(ink) or _is_empty(least_ink) or _is_empty(most_ink):
        return _not_yet("ink, least_ink and most_ink are not all set yet.")
    pixels, labels = _digits_data("train")
    per_image = pixels.sum(axis=1, dtype=np.float64)
    reference = np.bincount(labels, weights=per_image) / (np.bincount(labels) * pixels.shape[1])
    if hasattr(ink, "index") and hasattr(ink, "reindex"):  # a pandas Series, maybe sorted
        if np.shape(ink) == (10,) and set(ink.index) == set(range(10)):
            ink = ink.reindex(range(10))
    values = np.asarray(ink, dtype=float) if np.ndim(ink) else np.array([ink], dtype=float)
    if values.shape == (10, 784):
        return _verdict(WRONG, "ink has a mean for every pixel of every digit: average over the "
                               "784 pixels too (axis=1), to get one number per digit.")
    if values.shape != (10,):
        return _verdict(WRONG, f"ink has shape {_shape(values)}: it should hold 10 numbers, the "
                               "mean pixel value of each digit 0 to 9.")
    if not np.allclose(values, reference, rtol=1e-6):
        if np.allclose(values, reference / 255, rtol=1e-6) or \
                np.allclose(values, 0.01 + 0.99 * reference / 255, rtol=1e-6):
            return _verdict(WRONG, "ink is on the scale of the network's inputs: give it in "
                                   "pixel values, 0 (paper) to 255 (full ink).")
        if np.allclose(np.sort(values), np.sort(reference), rtol=1e-6):
            return _verdict(WRONG, "ink holds the right numbers in the wrong order: keep them in "
                                   "the order of the digits 0 to 9 (or as a pandas Series whose "
                                   "index is the digit).")
        return _verdict(WRONG, "ink differs from the mean pixel value of each digit over its "
                               "training images: average the rows of `means` (one per digit) "
                               "over their 784 pixels.")
    problems = []
    for name, value, right, other in [("least_ink", least_ink, reference.argmin(), reference.argmax()),
                                      ("most_ink", most_ink, reference.argmax(), reference.argmin())]:
        if value == other:
            problems.append(f"{name} is the digit at the other end")
        elif value != right:
            problems.append(f"{name} is not the digit whose ink is {name.split('_')[0]}")
    if problems:
        return _verdict(WRONG, "ink is right, but " + "; ".join(problems) + ".")
    return _verdict(RIGHT, "ink agrees with the pixels summed per digit another way, and so do "
                           "the digits with the least and the most ink.")


@_answers
def check_never_ink(never_ink) -> Verdict:
    """Exercise of notebook 01: ``never_ink``, True for each pixel that is 0 in every one of
    the 60,000 training images. The reference counts each pixel's non-zero values."""
    if _is_empty(never_ink):
        return _not_yet("never_ink is not set yet.")
    if np.ndim(never_ink) == 0:
        return _verdict(WRONG, "never_ink should be one True or False per pixel (784 of them, "
                               "or 28 x 28), not one number: its sum is then how many.")
    values = np.asarray(never_ink)
    if values.size != 784:
        return _verdict(WRONG, f"never_ink has shape {_shape(values)}: it needs one True or "
                               "False for each of the 784 pixels.")
    if values.dtype != bool:
        return _verdict(WRONG, f"never_ink holds {values.dtype} values: make it True/False, "
                               "such as the result of a comparison (==).")
    pixels, _ = _digits_data("train")
    reference = np.count_nonzero(pixels, axis=0) == 0
    values = values.ravel()
    if np.array_equal(values, reference):
        return _verdict(RIGHT, f"your pixels agree with those counted another way: "
                               f"{int(reference.sum())} pixels are never ink.")
    if np.array_equal(values, ~reference):
        return _verdict(WRONG, "you marked the pixels that hold ink in some image: the opposite.")
    return _verdict(WRONG, f"{int((values != reference).sum())} of the 784 pixels differ from "
                           "those counted another way: use all 60,000 training images "
                           "(`pixels`), and keep a pixel if its largest value is 0.")


@_answers
def check_unusual_sevens(farthest) -> Verdict:
    """Exercise of notebook 01: ``farthest``, the rows of ``train`` of the five sevens
    farthest from the average 7. The reference measures the distances in float64 with
    ``np.einsum``, on the training set read by the check."""
    if _is_empty(farthest):
        return _not_yet("farthest is not set yet.")
    rows = _indices(farthest, "farthest")
    pixels, labels = _digits_data("train")
    sevens = np.flatnonzero(labels == 7)
    difference = pixels[sevens].astype(np.float64) - pixels[sevens].mean(axis=0)
    distance = np.sqrt(np.einsum("ij,ij->i", difference, difference))
    order = np.argsort(distance)
    reference, nearest = set(sevens[order[-5:]].tolist()), set(sevens[order[:5]].tolist())
    if len(rows) != 5:
        return _verdict(WRONG, f"farthest has {len(rows)} rows: it should name 5.")
    if set(rows) == reference:
        return _verdict(RIGHT, "your five sevens are the five farthest from the average 7, "
                               "measured another way.")
    if set(rows) == set(order[-5:].tolist()):
        return _verdict(WRONG, "these are the positions among the sevens, not the rows of the "
                               "training set: take them from the sevens' index (sevens.index).")
    if set(rows) == nearest:
        return _verdict(WRONG, "these are the five sevens closest to the average: the most "
                               "usual ones. Take the largest distances.")
    if any(not 0 <= row < len(labels) or labels[row] != 7 for row in rows):
        return _verdict(WRONG, "some of your rows are not sevens of the training set.")
    return _verdict(WRONG, f"{len(set(rows) - reference)} of your 5 sevens are not among the 5 "
                           "farthest from the average 7: measure each seven's distance to "
                           "means.loc[7] over its 784 pixels and take the largest.")


# -- notebook 02 ------------------------------------------------------------------------------

@_answers
def check_hidden_node(by_hand, network, x) -> Verdict:
    """Exercise of notebook 02: ``by_hand``, the output of hidden node 0 of ``network`` for
    the inputs ``x``. The reference is computed here in float64 with ``np.dot``."""
    if _is_empty(by_hand):
        return _not_yet("by_hand is not set yet.")
    if np.size(by_hand) != 1:
        return _verdict(WRONG, f"by_hand has shape {_shape(by_hand)}: it should be one number, "
                               "the output of hidden node 0 alone.")
    value = _as_number(np.ravel(by_hand)[0], "by_hand")
    weights = np.asarray(network.w_input_hidden[0], dtype=np.float64)
    bias = float(network.b_hidden[0])
    z = float(np.dot(weights, np.asarray(x, dtype=np.float64))) + bias
    if abs(value - expit(z)) <= 1e-5:
        return _verdict(RIGHT, "your output of hidden node 0 agrees with the one computed "
                               "another way (within 1e-5).")
    if abs(value - z) <= 1e-4:
        return _verdict(WRONG, "that is z, the sum before the sigmoid: apply the sigmoid to it.")
    if abs(value - expit(z - bias)) <= 1e-5:
        return _verdict(WRONG, "the bias is missing: start the sum from net.b_hidden[0].")
    return _verdict(WRONG, "your value differs from hidden node 0's output: sum "
                           "w_input_hidden[0, i] * x[i] over all 784 inputs, add b_hidden[0], "
                           "then apply the sigmoid.")


@_answers
def check_wrong_sign(uphill_error, uphill_losses) -> Verdict:
    """Exercise of notebook 02: the relative error that the numerical check gives for a
    ``b_output`` gradient of the wrong sign, and the losses of 5 training steps of a
    784-30-10 network (seed 1, float64) with that sign on the first training digit. The
    reference steps uphill here: each parameter plus (not minus) the step."""
    from .data import DATA_DIR, read_mnist_csv, scale_pixels
    from .network import NeuralNetwork

    if _is_empty(uphill_error) or _is_empty(uphill_losses):
        return _not_yet("uphill_error and uphill_losses are not both set yet.")
    error = _as_number(uphill_error, "uphill_error")
    losses = _as_array(uphill_losses, "uphill_losses", (5,),
                       "the loss before each of the 5 training steps")
    sample = read_mnist_csv(DATA_DIR / "mnist_train_100.csv")
    x = scale_pixels(sample.drop(columns="label").to_numpy()[:1]).astype(np.float64)
    label = sample["label"].to_numpy()[:1]
    network = NeuralNetwork(784, 30, 10, seed=1, dtype=np.float64)
    targets = np.full((1, 10), 0.01)
    targets[0, label[0]] = 0.99
    reference = []
    for _ in range(5):
        outputs = _sigmoid_forward(network, x)
        reference.append(0.5 * float(np.sum((targets - outputs) ** 2)))
        for name, gradient in network.gradients(x, label).items():
            getattr(network, name)[...] += network.learning_rate * gradient  # uphill
    problems = []
    if abs(error - 1) > 1e-3:
        if error < 1e-3:
            problems.append("uphill_error is tiny: that gradient still has the right sign; "
                            "compare the gradients of the network with the swapped sign")
        else:
            problems.append(f"uphill_error is {error:.3g}: measure it with the notebook's "
                            "relative_error, against the numerical gradient")
    if not np.allclose(losses, reference, rtol=1e-6):
        if np.all(np.diff(losses) < 0):
            problems.append("uphill_losses fall: the network you trained still steps downhill")
        else:
            problems.append("uphill_losses differ from 5 steps uphill: train a fresh "
                            "784-30-10 network with the swapped sign (seed 1, float64) on "
                            "inputs[0] and labels[0], and keep what each train call returns")
    if problems:
        return _verdict(WRONG, "; ".join(problems) + ".")
    return _verdict(RIGHT, "the relative error and the 5 losses agree with a network stepped "
                           "uphill another way: each step makes the loss larger.")


@_answers
def check_learning_rate_curves(curves, fastest) -> Verdict:
    """Exercise of notebook 02: ``curves[rate]``, the mean loss on the 100 training digits
    after each of 10 epochs of one-sample steps (fresh 784-200-10 networks, seed 42), for
    the rates 0.01, 0.1, 0.3 and 1.0, and the fastest rate. The reference trains the same
    networks here, with the loss computed by the check's own forward pass."""
    from .data import DATA_DIR, read_mnist_csv, scale_pixels
    from .network import NeuralNetwork

    rates = (0.01, 0.1, 0.3, 1.0)
    if _is_empty(curves) or _is_empty(fastest):
        return _not_yet("curves and fastest are not both set yet.")
    if not isinstance(curves, dict) or sorted(curves) != list(rates):
        return _verdict(WRONG, "curves should be a dict with one entry for each learning rate "
                               "0.01, 0.1, 0.3 and 1.0.")
    sample = read_mnist_csv(DATA_DIR / "mnist_train_100.csv")
    inputs = scale_pixels(sample.drop(columns="label").to_numpy())
    labels = sample["label"].to_numpy()
    targets = np.full((len(labels), 10), 0.01)
    targets[np.arange(len(labels)), labels] = 0.99
    finals = {}
    for rate in rates:
        curve = _as_array(curves[rate], f"curves[{rate}]", (10,),
                          "the mean loss after each of the 10 epochs")
        network = NeuralNetwork(784, 200, 10, learning_rate=rate, seed=42)
        reference = []
        for _ in range(10):
            for x, label in zip(inputs, labels):
                network.train(x, label)
            outputs = _sigmoid_forward(network, inputs)
            reference.append(0.5 * float(np.sum((targets - outputs) ** 2)) / len(labels))
        if not np.allclose(curve, reference, rtol=1e-3):
            if np.allclose(curve[-1], reference[-1], rtol=1e-3):
                return _verdict(WRONG, f"curves[{rate}] ends right but differs on the way: record "
                                       "the mean loss after each epoch, not during it.")
            return _verdict(WRONG, f"curves[{rate}] differs from the reference: train a fresh "
                                   "NeuralNetwork(784, 200, 10, learning_rate=rate, seed=42) one "
                                   "digit at a time over the 100 digits, 10 times, and record "
                                   "net.loss(inputs, labels) after each pass.")
        finals[rate] = reference[-1]
    best = min(finals, key=finals.get)
    if fastest != best:
        return _verdict(WRONG, "the curves are right, but fastest is not the learning rate whose "
                               "loss is lowest after 10 epochs.")
    return _verdict(RIGHT, "all four curves agree with networks trained another way, and "
                           "fastest is the rate with the lowest loss after 10 epochs.")


# -- notebook 04 ------------------------------------------------------------------------------

@_answers
def check_confident_mistakes(most_sure, labels, predictions, confidences) -> Verdict:
    """Exercise of notebook 04: ``most_sure``, the 12 wrong answers with the highest
    confidence, the surest first. The reference puts -infinity at the right answers and
    sorts all the confidences."""
    if _is_empty(most_sure):
        return _not_yet("most_sure is not set yet.")
    picked = _indices(most_sure, "most_sure")
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    confidences = np.asarray(confidences, dtype=float)
    ranked = np.argsort(-np.where(predictions != labels, confidences, -np.inf), kind="stable")
    reference = ranked[:12].tolist()
    if len(picked) != 12:
        return _verdict(WRONG, f"most_sure has {len(picked)} images: it should have 12.")
    if any(not 0 <= i < len(labels) for i in picked):
        return _verdict(WRONG, f"most_sure should hold indices of test images, 0 to {len(labels) - 1}.")
    if any(predictions[i] == labels[i] for i in picked):
        return _verdict(WRONG, "some of your images were read right: pick among the mistakes "
                               "(wrong) only.")
    if picked == reference:
        return _verdict(RIGHT, "your 12 mistakes are those of highest confidence, surest first, "
                               "as sorted another way.")
    if sorted(picked) == sorted(reference):
        return _verdict(WRONG, "the right 12 mistakes, in the wrong order: the surest first.")
    return _verdict(WRONG, f"{len(set(picked) - set(reference))} of your 12 are not among the 12 "
                           "surest mistakes: sort the mistakes by their confidence, largest "
                           "first (np.argsort sorts smallest first).")


@_answers
def check_pairs_both_ways(top_pairs, labels, predictions) -> Verdict:
    """Exercise of notebook 04: ``top_pairs``, the five pairs of digits ``(a, b)``, ``a < b``,
    mixed up most often in either direction, most first. The reference counts the mistakes
    one by one with a Counter; pairs tied in count may come in either order."""
    from collections import Counter

    if _is_empty(top_pairs):
        return _not_yet("top_pairs is not set yet.")
    try:
        pairs = [tuple(int(digit) for digit in pair) for pair in top_pairs]
    except (TypeError, ValueError):
        return _verdict(WRONG, "top_pairs should be a list of pairs of digits, such as "
                               "[(2, 7), ...].")
    if len(pairs) != 5 or any(len(pair) != 2 for pair in pairs):
        return _verdict(WRONG, "top_pairs should hold five pairs of two digits.")
    if any(a == b for a, b in pairs):
        return _verdict(WRONG, "a pair of a digit with itself counts right answers: mix-ups are "
                               "two different digits.")
    if any(a > b for a, b in pairs):
        return _verdict(WRONG, "write each pair with the smaller digit first, (a, b) with a < b.")
    both_ways = Counter((min(t, p), max(t, p)) for t, p in zip(labels, predictions) if t != p)
    counts = [both_ways[pair] for pair in pairs]
    fifth = sorted(both_ways.values(), reverse=True)[4]
    if len(set(pairs)) == 5 and min(counts) >= fifth and counts == sorted(counts, reverse=True):
        return _verdict(RIGHT, "your five pairs are those mixed up most often in either "
                               "direction, most first, as counted another way.")
    if len(set(pairs)) == 5 and min(counts) >= fifth:
        return _verdict(WRONG, "the right five pairs, in the wrong order: the most mixed up first.")
    return _verdict(WRONG, "some of your pairs are not among the five mixed up most often in "
                           "either direction: add the matrix to its transpose and rank the "
                           "cells above the diagonal.")


@_answers
def check_answer_when_sure(thresholds, answered, accuracy_answered, confidences, correct) -> Verdict:
    """Exercise of notebook 04: for each threshold, the share of test images answered
    (confidence at least the threshold) and the accuracy on them. The reference sorts the
    confidences once and counts with ``np.searchsorted`` and a running sum."""
    if _is_empty(answered) or _is_empty(accuracy_answered):
        return _not_yet("answered and accuracy_answered are not both set yet.")
    thresholds = np.asarray(thresholds, dtype=float)
    shape = thresholds.shape
    shares = _as_array(answered, "answered", shape, "one share per threshold")
    accuracies = _as_array(accuracy_answered, "accuracy_answered", shape,
                           "one accuracy per threshold")
    confidences, correct = np.asarray(confidences, dtype=float), np.asarray(correct, dtype=bool)
    order = np.argsort(confidences)
    ranked = confidences[order]
    right_from = np.concatenate([np.cumsum(correct[order][::-1])[::-1], [0]])  # right at or above
    first = np.searchsorted(ranked, thresholds, side="left")
    how_many = len(confidences) - first
    reference_shares = how_many / len(confidences)
    reference_accuracies = right_from[first] / np.maximum(how_many, 1)
    problems = []
    if not np.allclose(shares, reference_shares, atol=1e-9):
        if np.allclose(shares, 100 * reference_shares, atol=1e-7):
            problems.append("answered is in percent: give shares from 0 to 1")
        else:
            problems.append("answered differs: it is the share of all test images whose "
                            "confidence is at least the threshold")
    if not np.allclose(accuracies, reference_accuracies, atol=1e-9):
        if np.allclose(accuracies, 100 * reference_accuracies, atol=1e-7):
            problems.append("accuracy_answered is in percent: give shares from 0 to 1")
        elif np.allclose(accuracies, right_from[first] / len(confidences), atol=1e-9):
            problems.append("accuracy_answered divides by all test images: divide by the "
                            "answered ones only")
        else:
            problems.append("accuracy_answered differs: it is the share of right answers "
                            "among the images answered at that threshold")
    if problems:
        return _verdict(WRONG, "; ".join(problems) + ".")
    return _verdict(RIGHT, f"for all {len(thresholds)} thresholds the shares answered and their "
                           "accuracy agree with those counted another way.")


# -- notebook 06 ------------------------------------------------------------------------------

def _backquery_here(network, targets: np.ndarray) -> np.ndarray:
    """The backquery of ``targets``, written here again (not helpers.inside's code)."""
    def stretch(signal):
        low, high = signal.min(), signal.max()
        return 0.01 + 0.98 * (signal - low) / (high - low)

    def inverse_sigmoid(y):
        return np.log(y) - np.log1p(-y)

    weights = [np.asarray(getattr(network, name), dtype=np.float64) for name in GRADIENT_NAMES]
    hidden = stretch((inverse_sigmoid(targets) - weights[3]) @ weights[2])
    return stretch((inverse_sigmoid(hidden) - weights[1]) @ weights[0])


@_answers
def check_untrained_backquery(untrained_imagined, untrained_read) -> Verdict:
    """Exercise of notebook 06: the backqueries of the digits 0 to 9 of an untrained
    ``NeuralNetwork(seed=1)`` and what it reads in them. The reference runs the backquery
    and the forward pass with code of its own."""
    from .network import NeuralNetwork

    if _is_empty(untrained_imagined) or _is_empty(untrained_read):
        return _not_yet("untrained_imagined and untrained_read are not both set yet.")
    images = _as_array(untrained_imagined, "untrained_imagined", (10, 784),
                       "one image of 784 values per digit 0 to 9")
    read = _as_array(untrained_read, "untrained_read", (10,),
                     "one digit read per image")
    untrained = NeuralNetwork(seed=1)
    reference = np.array([_backquery_here(untrained, np.where(np.arange(10) == digit, 0.99, 0.01))
                          for digit in range(10)])
    if not np.allclose(images, reference, atol=1e-5):
        trained_like = np.allclose(images.min(axis=1), 0.01, atol=1e-6)
        return _verdict(WRONG, "untrained_imagined differs from the backqueries of "
                               "NeuralNetwork(seed=1)" +
                        (": did you backquery `network`, the trained one?" if trained_like else
                         ": backquery(untrained, digit) for each digit 0 to 9, in order") + ".")
    if not np.array_equal(read, _sigmoid_forward(untrained, images).argmax(axis=1)):
        return _verdict(WRONG, "the images are right; untrained_read is not what the untrained "
                               "network reads in them: query it with the images and take the "
                               "digit of the largest output.")
    return _verdict(RIGHT, "the ten backqueries and what the untrained network reads in them "
                           "agree with a backquery and a forward pass written another way.")


@_answers
def check_three_or_eight(targets, three_or_eight, read_as, network) -> Verdict:
    """Exercise of notebook 06: ``targets`` (0.99 at 3 and at 8), the backquery of them
    and the digit that ``network`` reads in it. The reference runs the backquery and the
    forward pass with code of its own."""
    if _is_empty(three_or_eight) or _is_empty(read_as):
        return _not_yet("three_or_eight and read_as are not both set yet.")
    wanted = np.where(np.isin(np.arange(10), [3, 8]), 0.99, 0.01)
    targets = _as_array(targets, "targets", (10,), "ten target values")
    if not np.allclose(targets, wanted):
        return _verdict(WRONG, "targets should be 0.99 at 3 and at 8 and 0.01 elsewhere: "
                               "targets[[3, 8]] = 0.99.")
    image = _as_array(three_or_eight, "three_or_eight", (784,), "one image of 784 values")
    if not np.allclose(image, _backquery_here(network, wanted), atol=1e-5):
        return _verdict(WRONG, "three_or_eight differs from the backquery of these targets: "
                               "backquery(network, targets).")
    if read_as != _sigmoid_forward(network, image).argmax():
        return _verdict(WRONG, "the image is right; read_as is not the digit of the network's "
                               "largest output for it.")
    return _verdict(RIGHT, "the image and what the network reads in it agree with a backquery "
                           "and a forward pass written another way.")


@_answers
def check_silenced(ones_units, after, network, test_inputs, test_labels) -> Verdict:
    """Exercise of notebook 06: ``ones_units``, the 10 most selective hidden units that
    prefer 1, and ``after``, the accuracy on each digit's test images once they are cut
    off from the outputs. The reference loads its own copy of the shipped network, finds
    the units from their mean activity (counted with ``np.bincount``) and computes the
    forward pass itself."""
    from .saving import DEFAULT_MODEL, load_network

    if _is_empty(ones_units) or _is_empty(after):
        return _not_yet("ones_units and after are not both set yet.")
    units = _indices(ones_units, "ones_units")
    accuracies = _as_array(after, "after", (10,), "one accuracy per digit 0 to 9")
    if np.any(np.all(np.asarray(network.w_hidden_output) == 0, axis=0)):
        return _verdict(WRONG, "`network` itself has silenced units: silence them in the copy "
                               "`silenced`, and reload `network` (load_network(DEFAULT_MODEL)) "
                               "so that the rest of the notebook works on the whole network.")
    reference_network = load_network(DEFAULT_MODEL)
    labels = np.asarray(test_labels)
    inputs = np.asarray(test_inputs, dtype=np.float64)
    hidden = expit(inputs @ np.asarray(reference_network.w_input_hidden, dtype=np.float64).T
                   + reference_network.b_hidden)
    activity = np.stack([np.bincount(labels, weights=hidden[:, unit]) for unit in
                         range(hidden.shape[1])], axis=1) / np.bincount(labels)[:, None]
    preferred = activity.argmax(axis=0)
    selectivity = activity.max(axis=0) - (activity.sum(axis=0) - activity.max(axis=0)) / 9
    candidates = np.flatnonzero(preferred == 1)
    reference_units = candidates[np.argsort(-selectivity[candidates], kind="stable")[:10]]
    if len(units) != 10:
        return _verdict(WRONG, f"ones_units has {len(units)} units: it should have 10.")
    if any(not 0 <= unit < hidden.shape[1] or preferred[unit] != 1 for unit in units):
        return _verdict(WRONG, "some of your units do not prefer 1 (their strongest mean "
                               "activity is for another digit).")
    if set(units) != set(reference_units.tolist()):
        return _verdict(WRONG, "your units prefer 1, but they are not the 10 most selective of "
                               "them: keep the order of by_selectivity.")
    reference_network.w_hidden_output[:, units] = 0
    answers = _sigmoid_forward(reference_network, inputs).argmax(axis=1)
    reference = np.bincount(labels, weights=answers == labels) / np.bincount(labels)
    if not np.allclose(accuracies, reference, atol=1e-9):
        if np.allclose(accuracies, 100 * reference, atol=1e-7):
            return _verdict(WRONG, "after is in percent: give shares from 0 to 1.")
        return _verdict(WRONG, "the units are right, but after differs from the accuracies with "
                               "them silenced: set their columns of silenced.w_hidden_output to "
                               "0 (w_hidden_output[:, units]) and measure each digit's test images.")
    return _verdict(RIGHT, "your 10 units and the accuracies without them agree with those "
                           "found and measured another way.")


# -- notebook 05 ------------------------------------------------------------------------------

def _accuracy_on(network, images, truth) -> float:
    """The share of ``images`` (each 784 inputs) that ``network`` reads as ``truth``,
    with the forward pass computed here."""
    answers = _sigmoid_forward(network, np.stack([np.ravel(image) for image in images]))
    return float(np.mean(answers.argmax(axis=1) == np.asarray(truth)))


def _check_accuracies(name: str, values, reference: dict, tolerance: float, how: str) -> str | None:
    """None if ``values[i]`` is within ``tolerance`` of ``reference[i]`` for every i of the
    reference; otherwise what is wrong, in words."""
    for index, right in reference.items():
        value = float(values[index])
        if value > 1:
            return f"{name} is in percent: give shares from 0 to 1"
        if abs(value - right) > tolerance + 1e-9:
            return f"{name}[{index}] is {value:.3f}, but {how} gives {right:.3f}"
    return None


@_answers
def check_left_out_steps(stretched_accuracy, boxed_accuracy, network, paths) -> Verdict:
    """Exercise of notebook 05: the accuracy on the sample drawings (a) cropped and
    stretched to 28 x 28, (b) fitted into 20 x 20 and put in the middle of 28 x 28. The
    reference stretches with ``scipy.ndimage.zoom`` (not Pillow) and pads the box with
    ``np.pad``; a stretch done another way may read a drawing or two differently, so (a)
    may differ by two drawings."""
    from .own_digits import prepare_steps

    if _is_empty(stretched_accuracy) or _is_empty(boxed_accuracy):
        return _not_yet("stretched_accuracy and boxed_accuracy are not both set yet.")
    values = []
    for name, value in [("stretched_accuracy", stretched_accuracy), ("boxed_accuracy", boxed_accuracy)]:
        number = _as_number(value, name)
        values.append(number)
    truth = [int(path.name[0]) for path in paths]
    stretched, boxed = [], []
    for path in paths:
        steps = prepare_steps(path)
        cropped = steps["cropped"].astype(np.float64)
        small = np.clip(ndimage.zoom(cropped, (28 / cropped.shape[0], 28 / cropped.shape[1]),
                                     order=1, grid_mode=True, mode="nearest"), 0, 1)
        stretched.append(0.01 + 0.99 * small / small.max())
        boxed.append(0.01 + 0.99 * np.pad(steps["fitted_20x20"], 4))
    two = 2 / len(paths)
    problem = (_check_accuracies("stretched_accuracy", values, {0: _accuracy_on(network, stretched, truth)},
                                 two, "a stretch done another way (within two drawings)") or
               _check_accuracies("boxed_accuracy", values, {1: _accuracy_on(network, boxed, truth)},
                                 1e-9, "the box in the middle"))
    if problem:
        problem = problem.replace("[0]", "").replace("[1]", "")
        return _verdict(WRONG, problem + ": prepare each of the 40 drawings that way, read them "
                                         "all, and take the share read right.")
    return _verdict(RIGHT, "both accuracies agree with the drawings prepared another way.")


@_answers
def check_tilted(angles, tilted_accuracy, network, paths) -> Verdict:
    """Exercise of notebook 05: the accuracy on the sample drawings turned by each of
    ``angles`` and then prepared. The reference turns the ink with
    ``scipy.ndimage.rotate`` (not Pillow) at -60, 0 and 60 degrees; two ways of turning
    may read a few drawings differently, so it allows four drawings of difference."""
    from .own_digits import load_image, prepare

    if _is_empty(tilted_accuracy):
        return _not_yet("tilted_accuracy is not set yet.")
    angles = [float(angle) for angle in np.ravel(angles)]
    values = _as_array(tilted_accuracy, "tilted_accuracy", (len(angles),),
                       "one accuracy per angle")
    truth = [int(path.name[0]) for path in paths]
    inks = [load_image(path) for path in paths]
    reference = {}
    for angle in (-60.0, 0.0, 60.0):
        if angle in angles:
            turned = [np.clip(ndimage.rotate(ink, angle, reshape=True, order=1), 0, 1)
                      if angle else ink for ink in inks]
            reference[angles.index(angle)] = _accuracy_on(network, [prepare(ink) for ink in turned], truth)
    if 0.0 in angles and abs(values[angles.index(0.0)] - reference[angles.index(0.0)]) \
            > 1 / len(paths) + 1e-9 and values[angles.index(0.0)] <= 1:
        return _verdict(WRONG, "at 0 degrees your accuracy differs from that of the drawings "
                               "prepared as they are: turn the ink (load_image), then prepare "
                               "the turned image, and read all 40.")
    problem = _check_accuracies("tilted_accuracy", values, reference, 4 / len(paths),
                                "turning another way (within four drawings)")
    if problem:
        return _verdict(WRONG, problem + ": turn with expand=True, so that no ink is cut off, "
                                         "positive angles anticlockwise.")
    return _verdict(RIGHT, "your accuracies at -60, 0 and 60 degrees agree with the drawings "
                           "turned another way.")


@_answers
def check_shift_cost(as_is, prepared_back, network, test_inputs, test_labels) -> Verdict:
    """Exercise of notebook 05: the accuracy on the first 200 test digits shifted 0 to 6
    pixels to the right, as they are and after ``prepare``. The reference shifts with
    ``np.roll`` and a paper column, at every shift as they are, and prepared at 0 and 6."""
    from .own_digits import prepare

    if _is_empty(as_is) or _is_empty(prepared_back):
        return _not_yet("as_is and prepared_back are not both set yet.")
    values = {}
    for name, value in [("as_is", as_is), ("prepared_back", prepared_back)]:
        values[name] = _as_array(value, name, (7,), "one accuracy per shift 0 to 6")
    digits = np.asarray(test_inputs[:200], dtype=np.float64).reshape(-1, 28, 28)
    labels = np.asarray(test_labels[:200])
    shifted = {}
    for shift in range(7):
        moved = np.roll(digits, shift, axis=2)
        moved[:, :, :shift] = 0.01
        shifted[shift] = moved
    reference_as_is = {shift: _accuracy_on(network, shifted[shift], labels) for shift in range(7)}
    reference_prepared = {shift: _accuracy_on(network, [prepare(image - 0.01) for image in
                                                        shifted[shift]], labels) for shift in (0, 6)}
    problem = (_check_accuracies("as_is", values["as_is"], reference_as_is, 1e-9,
                                 "the digits shifted another way") or
               _check_accuracies("prepared_back", values["prepared_back"], reference_prepared,
                                 1e-9, "the shifted digits prepared another way"))
    if problem:
        return _verdict(WRONG, problem + ": shift the first 200 test digits to the right, fill "
                                         "the columns on the left with paper (0.01), and for "
                                         "prepared_back prepare each shifted image minus 0.01 "
                                         "(ink 0 on paper).")
    return _verdict(RIGHT, "your accuracies agree with the digits shifted and prepared another way.")


# -- notebook 03 ------------------------------------------------------------------------------

BIGGER_BATCH_RATES = (0.5, 1.0, 2.0, 4.0)


@_answers
def check_bigger_batches(accuracy_64, fit_inputs, fit_labels, val_inputs, val_labels) -> Verdict:
    """Exercise of notebook 03: ``accuracy_64[rate]``, the validation accuracy after one
    epoch with batches of 64 (None where training diverged), for the rates 0.5, 1.0, 2.0
    and 4.0. The reference trains at 1.0 (the same seed gives the same number; another
    seed may give one about half a percent away, so it allows 0.01), and trains again each
    rate marked None, to see that it does diverge."""
    from .core import TrainingDiverged
    from .network import NeuralNetwork
    from .training import fit

    if accuracy_64 is None or accuracy_64 is Ellipsis or (
            isinstance(accuracy_64, dict) and Ellipsis in accuracy_64.values()):
        return _not_yet("accuracy_64 is not set yet.")
    if not isinstance(accuracy_64, dict) or sorted(accuracy_64) != list(BIGGER_BATCH_RATES):
        return _verdict(WRONG, "accuracy_64 should be a dict with one entry for each learning "
                               "rate 0.5, 1.0, 2.0 and 4.0.")
    for rate, value in accuracy_64.items():
        if value is not None:
            number = _as_number(value, f"accuracy_64[{rate}]")
            if not 0 <= number <= 1:
                return _verdict(WRONG, f"accuracy_64[{rate}] is {number:g}: give accuracies as "
                                       "shares from 0 to 1 (None where training diverged).")

    def train(rate):
        network = NeuralNetwork(784, 200, 10, learning_rate=rate, seed=42)
        history = fit(network, fit_inputs, fit_labels, epochs=1, batch_size=64,
                      validation=(val_inputs, val_labels), progress=False)
        return history["validation_accuracy"][-1]

    for rate in [rate for rate, value in accuracy_64.items() if value is None]:
        try:
            train(rate)
        except TrainingDiverged:
            continue
        return _verdict(WRONG, f"accuracy_64[{rate}] is None, but training at {rate} with "
                               "batches of 64 does not diverge here: record its validation "
                               "accuracy.")
    if accuracy_64[1.0] is not None:
        reference = train(1.0)
        if abs(float(accuracy_64[1.0]) - reference) > 0.01:
            return _verdict(WRONG, f"accuracy_64[1.0] is {float(accuracy_64[1.0]):.4f}, but one "
                                   f"epoch with batches of 64 gives {reference:.4f} here: train a "
                                   "fresh network on fit_inputs for one epoch, batch_size=64, and "
                                   "take the last validation accuracy.")
    return _verdict(RIGHT, "the accuracy at 1.0 agrees with a network trained here, and the "
                           "rates you marked as diverged do diverge.")


@_answers
def check_seed_spread(seed_accuracy, spread, fit_inputs, fit_labels, val_inputs, val_labels) -> Verdict:
    """Exercise of notebook 03: the validation accuracies of networks trained with the
    seeds 0 to 3 (2 epochs on the first 10,000 of ``fit_inputs``, learning rate 1.0,
    batches of 16), and their spread. The reference trains the network of seed 0 again:
    with the same seed it must give the same accuracy."""
    from .network import NeuralNetwork
    from .training import fit

    if _is_empty(seed_accuracy) or _is_empty(spread):
        return _not_yet("seed_accuracy and spread are not both set yet.")
    values = _as_array(seed_accuracy, "seed_accuracy", (4,),
                       "one validation accuracy per seed 0 to 3")
    spread = _as_number(spread, "spread")
    if len(set(values.tolist())) == 1:
        return _verdict(WRONG, "the four accuracies are all the same: pass the seed both to "
                               "NeuralNetwork and to fit.")
    network = NeuralNetwork(784, 200, 10, learning_rate=1.0, seed=0)
    history = fit(network, fit_inputs[:10_000], fit_labels[:10_000], epochs=2, batch_size=16,
                  seed=0, validation=(val_inputs, val_labels), progress=False)
    reference = history["validation_accuracy"][-1]
    if abs(values[0] - reference) > 1e-6:
        return _verdict(WRONG, f"seed_accuracy[0] is {values[0]:.4f}, but the network of seed 0 "
                               f"gives {reference:.4f} here: seed 0 for NeuralNetwork and for fit, "
                               "2 epochs on the first 10,000 of fit_inputs, learning rate 1.0, "
                               "batches of 16, and the last validation accuracy.")
    if abs(spread - (values.max() - values.min())) > 1e-9:
        return _verdict(WRONG, "the accuracies are right, but spread is not the largest minus "
                               "the smallest of them.")
    return _verdict(RIGHT, "the accuracy of seed 0 agrees with a network trained again here, "
                           "and spread is the distance between the best and the worst seed.")


@_answers
def check_mistakes(mistakes, mine, test_inputs, test_labels) -> Verdict:
    """Exercise of notebook 03: ``mistakes``, the indices of all test digits that the
    network ``mine`` reads wrong. The reference reads them with its own forward pass."""
    if _is_empty(mistakes):
        return _not_yet("mistakes is not set yet.")
    picked = _indices(mistakes, "mistakes")
    labels = np.asarray(test_labels)
    reference = np.flatnonzero(_sigmoid_forward(mine, test_inputs).argmax(axis=1) != labels)
    if sorted(picked) == reference.tolist():
        return _verdict(RIGHT, f"your {len(reference)} mistakes are those that a forward pass "
                               "written another way finds.")
    if len(picked) < len(reference) and set(picked) <= set(reference.tolist()):
        return _verdict(WRONG, f"your {len(picked)} images are all mistakes, but there are more: "
                               "keep all of them in mistakes, and draw the first 12.")
    if len(set(picked) - set(reference.tolist())) == len(picked):
        return _verdict(WRONG, "none of your images is read wrong: keep those whose answer "
                               "(predict) differs from the label.")
    return _verdict(WRONG, "your images differ from the mistakes of the saved network: compare "
                           "mine.predict(test_inputs) with test_labels.")


# -- notebook 07 ------------------------------------------------------------------------------

@_answers
def check_relu_or_sigmoid(relu_accuracy, sigmoid_accuracy, fit_inputs, fit_labels,
                          val_inputs, val_labels) -> Verdict:
    """Exercise of notebook 07: the validation accuracies of experiment 6's network with
    ReLU and with sigmoids, each trained for one epoch on the first 10,000 of
    ``fit_inputs``. The reference trains both here with the layers of helpers.layers
    (the same seeds give the same numbers; it allows 0.01 for other seeds)."""
    from .layers import Dense, ReLU, Sequential, Sigmoid, SoftmaxCrossEntropy
    from .optimizers import Adam
    from .training import accuracy, fit

    if _is_empty(relu_accuracy) or _is_empty(sigmoid_accuracy):
        return _not_yet("relu_accuracy and sigmoid_accuracy are not both set yet.")
    values = {}
    for name, value in [("ReLU", relu_accuracy), ("sigmoid", sigmoid_accuracy)]:
        values[name] = _as_number(value, f"{name.lower()}_accuracy")
    reference = {}
    for name, activation, gain in [("ReLU", ReLU, 2.0), ("sigmoid", Sigmoid, 1.0)]:
        network = Sequential([Dense(784, 256, gain=gain, seed=1), activation(),
                              Dense(256, 128, gain=gain, seed=2), activation(),
                              Dense(128, 10, seed=3)], SoftmaxCrossEntropy(), Adam(0.001))
        fit(network, fit_inputs[:10_000], fit_labels[:10_000], epochs=1, batch_size=64,
            seed=42, progress=False)
        reference[name] = accuracy(network, val_inputs, val_labels)
    if all(abs(values[name] - reference[name]) <= 0.01 for name in values):
        return _verdict(RIGHT, "both accuracies agree with the two networks trained here, "
                               "within 0.01.")
    if abs(values["ReLU"] - reference["sigmoid"]) <= 0.01 and \
            abs(values["sigmoid"] - reference["ReLU"]) <= 0.01:
        return _verdict(WRONG, "the two accuracies are swapped.")
    if any(value > 1 for value in values.values()):
        return _verdict(WRONG, "give the accuracies as shares from 0 to 1, not percent.")
    wrong = [name for name in values if abs(values[name] - reference[name]) > 0.01]
    return _verdict(WRONG, f"the {' and the '.join(wrong)} version differs from the network "
                           "trained here by more than 0.01: experiment 6's layers (gain 1.0 for "
                           "sigmoids), Adam(0.001), one epoch on the first 10,000 of fit_inputs "
                           "in batches of 64, accuracy on the validation set.")


@_answers
def check_turned(turned, test_inputs, test_labels) -> Verdict:
    """Exercise of notebook 07: a test 6 and a test 9, each turned by 0, 45, 90, 135 and
    180 degrees. The reference turns them by 90 and 180 degrees with ``np.rot90``, which
    moves whole pixels (anticlockwise, as on the screen)."""
    if _is_empty(turned):
        return _not_yet("turned is not set yet.")
    images = _as_array(turned, "turned", (10, 784),
                       "10 images of 784 inputs: the 6 at five angles, then the 9")
    test_inputs, labels = np.asarray(test_inputs, dtype=np.float64), np.asarray(test_labels)
    for first, digit in [(0, 6), (5, 9)]:
        found = np.flatnonzero(np.abs(test_inputs - images[first]).max(axis=1) < 1e-6)
        if not len(found):
            return _verdict(WRONG, f"turned[{first}] should be a test image of {digit} as it is "
                                   "(turned by 0 degrees).")
        if labels[found[0]] != digit:
            return _verdict(WRONG, f"turned[{first}] is a test image of {labels[found[0]]}, not "
                                   f"of {digit}.")
        upright = images[first].reshape(28, 28)
        for step, quarter in [(2, 1), (4, 2)]:
            difference = np.abs(images[first + step].reshape(28, 28) - np.rot90(upright, quarter)).mean()
            if difference > 0.02:
                clockwise = np.abs(images[first + step].reshape(28, 28)
                                   - np.rot90(upright, -quarter)).mean() <= 0.02
                return _verdict(WRONG, f"the {digit} turned by {90 * quarter} degrees differs "
                                       "from the image turned another way" +
                                (": it turned clockwise; positive angles turn anticlockwise"
                                 if clockwise else ": turn the same image by 0, 45, 90, 135 "
                                 "and 180 degrees, in that order") + ".")
    return _verdict(RIGHT, "your 6 and 9 at 0, 90 and 180 degrees agree with the images "
                           "turned another way (np.rot90).")


# -- notebook 08 ------------------------------------------------------------------------------

@_answers
def check_bottom_edges(bottom_edges) -> Verdict:
    """Exercise of notebook 08: a 5 x 5 kernel that finds bottom edges (ink above, paper
    below). Slid over a made-up thick horizontal bar and a vertical bar (with
    ``scipy.ndimage.correlate``, not the course's Conv2D), it must answer most strongly
    at the bar's bottom edge, not at its top edge, its middle, or the sides of a vertical bar."""
    if _is_empty(bottom_edges):
        return _not_yet("bottom_edges is not set yet.")
    kernel = _as_array(bottom_edges, "bottom_edges", (5, 5), "a 5 x 5 kernel")
    across = np.zeros((28, 28))
    across[8:20, 4:24] = 1.0  # a bar 12 rows thick: its top edge at row 8, its bottom at 19
    upright = across.T.copy()
    response = ndimage.correlate(across, kernel, mode="constant")
    bottom = response[17:22, 8:20].max()
    top = response[6:11, 8:20].max()
    middle = np.abs(response[13:15, 8:20]).max()
    sides = np.abs(ndimage.correlate(upright, kernel, mode="constant")[8:20, :]).max()
    if bottom <= 0 or top >= bottom:
        return _verdict(WRONG, "your kernel answers more strongly at the top edge of a bar than "
                               "at its bottom edge: put the positive weights in the top rows "
                               "(ink above) and the negative ones below.")
    problems = []
    if middle > 0.25 * bottom:
        problems.append("it answers in the middle of a thick stroke too: make its weights add "
                        "up to about 0, so that even ink gives nothing")
    if sides > 0.5 * bottom:
        problems.append("it answers at the sides of an upright stroke too: make each row of "
                        "the kernel the same, so that only a change from top to bottom counts")
    if problems:
        return _verdict(WRONG, "it finds bottom edges, but " + "; ".join(problems) + ".")
    return _verdict(RIGHT, "slid over made-up bars, your kernel answers at bottom edges and "
                           "hardly anywhere else.")


@_answers
def check_work(parameters, multiply_adds, network) -> Verdict:
    """Exercise of notebook 08: for each layer of ``network`` that has parameters, how
    many it has and how many multiply-adds it does for one image. The reference runs an
    image through the layers and counts from the shapes of the weights and outputs."""
    if _is_empty(parameters) or _is_empty(multiply_adds):
        return _not_yet("parameters and multiply_adds are not both set yet.")
    counted, work = [], []
    signal = np.full((1, 784), 0.01, dtype=np.float32)
    for layer in network.layers:
        signal = layer.forward(signal)
        if not layer.parameters:
            continue
        weights = layer.parameters["weights"]
        counted.append(sum(int(value.size) for value in layer.parameters.values()))
        work.append(int(weights.size) * (int(np.prod(signal.shape[2:])) if weights.ndim == 4 else 1))
    problems = []
    for name, mine, reference in [("parameters", parameters, counted),
                                  ("multiply_adds", multiply_adds, work)]:
        values = _indices(mine, name)
        if len(values) != len(reference):
            problems.append(f"{name} has {len(values)} numbers, but {len(reference)} layers have "
                            "parameters (convolutions and dense layers)")
        elif values != reference:
            wrong = [i for i, (a, b) in enumerate(zip(values, reference)) if a != b]
            hint = ""
            if name == "parameters" and all(a < b for a, b in zip(values, reference)):
                hint = " (count the biases too)"
            problems.append(f"{name} differs for the layer(s) {wrong}, counted in order{hint}")
    if problems:
        return _verdict(WRONG, "; ".join(problems) + ".")
    return _verdict(RIGHT, "your counts of parameters and multiply-adds agree with those taken "
                           "from the shapes of the weights and outputs.")


@_answers
def check_shifted_cnn(shifted, accuracy_shifted, network, dense, test_inputs, test_labels) -> Verdict:
    """Exercise of notebook 08: the first 2,000 test digits moved 3 pixels to the right,
    and the accuracy of the convolutional network and of the 784-200-10 network on them.
    The reference shifts with ``np.roll`` and a paper column, and reads with each
    network's own query in chunks."""
    if _is_empty(shifted) or _is_empty(accuracy_shifted):
        return _not_yet("shifted and accuracy_shifted are not both set yet.")
    images = _as_array(shifted, "shifted", (2000, 784),
                       "the first 2,000 test digits, 784 inputs each")
    digits = np.asarray(test_inputs[:2000], dtype=np.float64).reshape(-1, 28, 28)
    reference, to_the_left = np.roll(digits, 3, axis=2), np.roll(digits, -3, axis=2)
    reference[:, :, :3] = to_the_left[:, :, -3:] = 0.01
    reference = reference.reshape(-1, 784)
    if not np.allclose(images, reference, atol=1e-6):
        if np.allclose(images, to_the_left.reshape(-1, 784), atol=1e-6):
            return _verdict(WRONG, "your digits moved to the left: to the right, each column "
                                   "takes the value of the column 3 to its left.")
        return _verdict(WRONG, "shifted differs from the digits moved 3 columns to the right "
                               "with the 3 new columns on the left set to 0.01.")
    names = ("convolutional", "784-200-10")
    if not isinstance(accuracy_shifted, dict) or sorted(accuracy_shifted) != sorted(names):
        return _verdict(WRONG, 'accuracy_shifted should be a dict with the keys "convolutional" '
                               'and "784-200-10".')
    labels = np.asarray(test_labels[:2000])
    for name, net in zip(names, (network, dense)):
        answers = np.concatenate([net.query(reference[start:start + 500]).argmax(axis=1)
                                  for start in range(0, 2000, 500)])
        right = float(np.mean(answers == labels))
        value = _as_number(accuracy_shifted[name], f'accuracy_shifted["{name}"]')
        if abs(value - right) > 1e-9:
            return _verdict(WRONG, f'accuracy_shifted["{name}"] is {value:.4f}, but that network '
                                   f"reads {right:.4f} of the shifted digits right here.")
    return _verdict(RIGHT, "the shifted digits and both accuracies agree with those computed "
                           "another way.")


# -- notebook 09: pieces of ink (connected components) and their boxes --------------------
# (the checks of notebook 09, kept in a block of their own)

def _sample_masks() -> list[np.ndarray]:
    """Made-up ink (True) on paper (False): blocks and a ring, a line of pixels that touch
    only at their corners, and random ink, where many pixels touch only at a corner."""
    blocks = np.zeros((12, 16), dtype=bool)
    blocks[1:4, 1:5] = True
    blocks[6:11, 2:4] = True
    blocks[2:9, 9:15] = True
    blocks[4:7, 11:13] = False  # a hole: the ring around it is still one piece
    blocks[11, 15] = True  # one pixel in the corner of the image
    diagonal = np.eye(9, dtype=bool)  # 9 pixels in a line, each touching the next at a corner
    diagonal[0, 4:9] = True  # and a bar along the top edge, apart from the line
    speckled = np.random.default_rng(9).random((20, 24)) < 0.45
    return [blocks, diagonal, speckled]


@_answers
def check_pieces_4(label_pieces_4) -> Verdict:
    """Exercise of notebook 09: ``label_pieces_4(cores)`` returns (labels, count) as the
    notebook's flood fill does, but two pixels touch only when they share a side. Compared,
    up to the numbering of the pieces, with ``scipy.ndimage.label``'s default structure."""
    masks = _sample_masks()
    for number, mask in enumerate(masks, start=1):
        result = _run(label_pieces_4, mask.copy())
        if _is_empty(result):
            return _not_yet("label_pieces_4 returns nothing yet.")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return _verdict(WRONG, "return two things, as label_pieces does: the label image "
                                   "and the number of pieces (return labels, count).")
        labels, count = np.asarray(result[0]), result[1]
        if labels.shape != mask.shape:
            return _verdict(WRONG, f"test mask {number} is {_shape(mask)} but your labels are "
                                   f"{_shape(labels)}: give every pixel a label (0 for paper).")
        if np.any(labels[~mask] != 0):
            return _verdict(WRONG, f"test mask {number}: paper pixels (False) got a label: only "
                                   "ink pixels belong to pieces; paper stays 0.")
        if np.any(labels[mask] == 0):
            return _verdict(WRONG, f"test mask {number}: some ink pixels have no label (0): "
                                   "every ink pixel belongs to a piece.")
        reference, pieces = ndimage.label(mask)  # the default structure: 4 neighbours
        mine = len(np.unique(labels[mask]))
        same = mine == pieces == len(set(zip(labels[mask].tolist(), reference[mask].tolist())))
        if not same:
            with_corners = ndimage.label(mask, structure=np.ones((3, 3)))[1]
            if mine == with_corners and mine < pieces:
                return _verdict(WRONG, f"test mask {number}: your pieces join pixels that touch "
                                       "only at a corner. With 4 neighbours, look only above, "
                                       "below, left and right of a pixel.")
            if mine > pieces:
                return _verdict(WRONG, f"test mask {number}: some pieces are cut in two: keep "
                                       "spreading a label until no ink neighbour without a label "
                                       "is left.")
            return _verdict(WRONG, f"test mask {number}: some pixels that do not touch side to "
                                   "side share a piece.")
        if not isinstance(count, (int, np.integer)) or int(count) != mine:
            return _verdict(WRONG, f"test mask {number}: the pieces are right, but the count you "
                                   f"return ({count!r}) is not the number of labels you gave.")
    return _verdict(RIGHT, f"on {len(masks)} test masks (blocks and a ring, a diagonal line, "
                           "random ink) your pieces are those that scipy.ndimage.label finds "
                           "with 4 neighbours.")


@_answers
def check_piece_boxes(piece_boxes) -> Verdict:
    """Exercise of notebook 09: ``piece_boxes(labels)`` gives the box (left, top, right,
    bottom) of each piece 1, 2, ... of a label image, right and bottom included. Compared
    with ``scipy.ndimage.find_objects``."""
    images = [ndimage.label(mask, structure=np.ones((3, 3)))[0] for mask in _sample_masks()]
    for number, labels in enumerate(images, start=1):
        result = _run(piece_boxes, labels.copy())
        if _is_empty(result):
            return _not_yet("piece_boxes returns nothing yet.")
        reference = [(columns.start, rows.start, columns.stop - 1, rows.stop - 1)
                     for rows, columns in ndimage.find_objects(labels)]
        try:
            boxes = [tuple(int(value) for value in box) for box in result]
        except (TypeError, ValueError):
            return _verdict(WRONG, "return a list with one box per piece, each box four whole "
                                   "numbers (left, top, right, bottom).")
        if len(boxes) != len(reference):
            return _verdict(WRONG, f"test image {number} has pieces 1 to {len(reference)}, but "
                                   f"you return {len(boxes)} boxes: one box per piece, in the "
                                   "order of their labels.")
        for piece, (box, expected) in enumerate(zip(boxes, reference), start=1):
            if box == expected:
                continue
            left, top, right, bottom = expected
            if len(box) != 4:
                return _verdict(WRONG, "each box is four numbers: (left, top, right, bottom).")
            if box == (top, left, bottom, right):
                return _verdict(WRONG, "rows and columns are swapped: a box is (left, top, right, "
                                       "bottom), the columns first, as x before y.")
            if box == (left, top, right + 1, bottom + 1):
                return _verdict(WRONG, "right and bottom are one too far: they are the last "
                                       "column and row with ink, included (a slice stops one "
                                       "past its last pixel).")
            return _verdict(WRONG, f"test image {number}, piece {piece}: the box does not hold "
                                   "exactly the pixels labelled with it. Left is the first "
                                   "column with one of its pixels, right the last; top and "
                                   "bottom likewise for the rows.")
    return _verdict(RIGHT, f"on {len(images)} label images your boxes are those of "
                           "scipy.ndimage.find_objects, each piece's own.")


def _column_pairs() -> list[tuple[tuple[int, int, int, int], tuple[int, int, int, int]]]:
    """Pairs of boxes (left, top, right, bottom): side by side with a gap and touching, one
    above the other, partly overlapping, one inside the other, and random ones."""
    pairs = [((10, 5, 30, 60), (45, 8, 70, 62)),    # side by side, a gap between them
             ((10, 5, 30, 60), (31, 8, 50, 62)),    # side by side, touching columns
             ((20, 0, 60, 10), (25, 15, 58, 80)),   # a 5's bar above its body
             ((0, 0, 40, 50), (30, 0, 49, 50)),     # partly overlapping
             ((12, 40, 12, 90), (0, 0, 30, 30))]    # a box one column wide, inside the other
    rng = np.random.default_rng(9)
    for _ in range(40):
        left_a, left_b = rng.integers(0, 100, size=2)
        right_a, right_b = left_a + rng.integers(0, 40), left_b + rng.integers(0, 40)
        pairs.append(((int(left_a), 0, int(right_a), 9), (int(left_b), 20, int(right_b), 29)))
    return pairs


@_answers
def check_column_overlap(column_overlap) -> Verdict:
    """Exercise of notebook 09: ``column_overlap(box_a, box_b)`` is the share (0..1) of the
    narrower box's columns that the other box covers too, right included. Compared with the
    columns counted one by one."""
    pairs = _column_pairs()
    for box_a, box_b in pairs:
        result = _run(column_overlap, box_a, box_b)
        if _is_empty(result):
            return _not_yet("column_overlap returns nothing yet.")
        try:
            share = float(result)
        except (TypeError, ValueError):
            return _verdict(WRONG, "return one number: the share of the narrower box's columns "
                                   "that both boxes hold, from 0 to 1.")
        columns_a = set(range(box_a[0], box_a[2] + 1))
        columns_b = set(range(box_b[0], box_b[2] + 1))
        narrower = min(len(columns_a), len(columns_b))
        expected = len(columns_a & columns_b) / narrower
        if np.isclose(share, expected):
            continue
        if share < 0:
            return _verdict(WRONG, f"boxes {box_a} and {box_b} lie side by side, and your share "
                                   f"is {share:.2f}: a share of columns is never below 0. When "
                                   "the boxes share no column, return 0.")
        shared_exclusive = max(0, min(box_a[2], box_b[2]) - max(box_a[0], box_b[0]))
        widths_exclusive = min(box_a[2] - box_a[0], box_b[2] - box_b[0])
        if widths_exclusive and np.isclose(share, shared_exclusive / widths_exclusive):
            return _verdict(WRONG, "one column is missing: right is included, so a box from "
                                   "column 3 to column 5 is 3 columns wide, and two boxes that "
                                   "both reach column 5 share it.")
        if np.isclose(share, len(columns_a & columns_b) / max(len(columns_a), len(columns_b))):
            return _verdict(WRONG, "divide by the width of the narrower box, not the wider: a "
                                   "bar above a digit's body covers all of the bar's columns.")
        rows_a, rows_b = set(range(box_a[1], box_a[3] + 1)), set(range(box_b[1], box_b[3] + 1))
        if rows_a & rows_b != columns_a & columns_b and np.isclose(
                share, len(rows_a & rows_b) / min(len(rows_a), len(rows_b))):
            return _verdict(WRONG, "that is the overlap of the rows: compare the columns, left "
                                   "and right, the first and third numbers of a box.")
        return _verdict(WRONG, f"for boxes {box_a} and {box_b} your share is {share:.2f}. "
                               "Count the columns that both boxes hold (from the larger left "
                               "to the smaller right, both included) and divide by the width "
                               "of the narrower box.")
    return _verdict(RIGHT, f"on {len(pairs)} pairs of boxes (side by side, one above the other, "
                           "partly overlapping, one inside the other) your shares are those of "
                           "the columns counted one by one.")
