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
    """Call the learner's code. Returns (result, None), or (None, a verdict) if it stopped."""
    try:
        return function(*arguments), None
    except NotImplementedError:
        return None, _not_yet("your code is not written yet (it raised NotImplementedError).")
    except Exception as error:  # the learner's code: say what happened, in words
        return None, _verdict(WRONG, f"your code stopped with {type(error).__name__}: {error}")


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
    global _TRAINING_PIXELS
    if _TRAINING_PIXELS is None:
        from .data import mnist_path, read_mnist_csv

        _TRAINING_PIXELS = read_mnist_csv(mnist_path("train")).drop(columns="label").to_numpy()
    return _TRAINING_PIXELS


_TRAINING_PIXELS = None


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


def check_scaling(scale) -> Verdict:
    """Exercise of notebook 01: ``scale(pixels)`` turns pixels 0..255 into inputs 0.01..1.0.

    First on 100 images (the shape, the type, where paper and full ink go), then on all
    60,000 training images, in chunks to spare memory: the mean and spread of the inputs
    must be those that MNIST's known statistics give, 0.01 + 0.99 * 0.1307 and 0.99 * 0.3081.
    """
    from .data import DATA_DIR, read_mnist_csv

    sample = read_mnist_csv(DATA_DIR / "mnist_train_100.csv").drop(columns="label").to_numpy()
    kept = sample.copy()
    inputs, stopped = _run(scale, sample)
    if stopped is not None:
        return stopped
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
        inputs, stopped = _run(scale, chunk)
        if stopped is not None:
            return stopped
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
    gradients, stopped = _run(backward, network, inputs, hidden.copy(), outputs.copy(), targets)
    if stopped is not None:
        return stopped
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

def check_batches(batches) -> Verdict:
    """Exercise of notebook 03: ``batches(count, batch_size, rng)`` returns the indices
    0..count-1, shuffled with ``rng``, cut into batches of ``batch_size`` (the last may be
    smaller). Checked by counting how often each index comes."""
    count, size = 103, 16
    result, stopped = _run(batches, count, size, np.random.default_rng(0))
    if stopped is not None:
        return stopped
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

def check_confusion_matrix(confusion_matrix_by_hand) -> Verdict:
    """Exercise of notebook 04: ``confusion_matrix_by_hand(labels, predictions)`` returns the
    10 x 10 matrix whose row i, column j counts the images of digit i read as j. Compared
    with the matrix counted another way (``np.bincount`` of ``10 * label + prediction``)."""
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 9, size=600)  # the digit 9 never occurs: its row stays 0
    predictions = np.where(rng.random(600) < 0.7, labels, rng.integers(0, 10, size=600))
    matrix, stopped = _run(confusion_matrix_by_hand, labels, predictions)
    if stopped is not None:
        return stopped
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


def check_centring(centre_by_mass) -> Verdict:
    """Exercise of notebook 05: ``centre_by_mass(box)`` puts a 20 x 20 image (ink 0..1,
    paper 0) into a 28 x 28 image with its centre of mass at pixel (14, 14), by whole
    pixels, as MNIST was made. Measured with ``scipy.ndimage.center_of_mass``."""
    for number, box in enumerate(_sample_boxes(), start=1):
        result, stopped = _run(centre_by_mass, box.copy())
        if stopped is not None:
            return stopped
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

def check_logit(logit_by_hand) -> Verdict:
    """Exercise of notebook 06: ``logit_by_hand(y)`` undoes the sigmoid, elementwise:
    ``sigmoid(logit_by_hand(y))`` gives ``y`` back for every y between 0 and 1."""
    y = np.linspace(0.01, 0.99, 99)
    result, stopped = _run(logit_by_hand, y)
    if stopped is not None:
        if not stopped.message.startswith(NOT_YET):
            single, _ = _run(logit_by_hand, 0.5)
            if single is not None and np.ndim(single) == 0:
                return _verdict(WRONG, "it works on one number but not on an array: use "
                                       "NumPy's functions (np.log), not those of math.")
        return stopped
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
    layer, stopped = _run(layer_class)
    if stopped is not None:
        return stopped
    outputs, stopped = _run(layer.forward, inputs.copy())
    if stopped is not None:
        return stopped
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
    gradient, stopped = _run(layer.backward, G.copy())
    if stopped is not None:
        return stopped
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


def check_tanh_layer(Tanh) -> Verdict:
    """Exercise of notebook 07: a ``Tanh`` layer, forward against ``np.tanh`` and backward
    against the numerical gradient, on random inputs in float64."""
    inputs = np.random.default_rng(0).normal(size=(3, 5))
    return _review_layer(Tanh, inputs, np.tanh(inputs), "np.tanh")


def check_average_pooling(AveragePool2D) -> Verdict:
    """Exercise of notebook 08: an ``AveragePool2D`` layer (2 x 2 blocks), forward against
    the block means computed by reshaping, backward against the numerical gradient."""
    inputs = np.random.default_rng(0).normal(size=(2, 3, 4, 6))
    means = (inputs[:, :, 0::2, 0::2] + inputs[:, :, 0::2, 1::2] +
             inputs[:, :, 1::2, 0::2] + inputs[:, :, 1::2, 1::2]) / 4
    return _review_layer(AveragePool2D, inputs, means, "the means of the 2 x 2 blocks")



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


def check_pieces_4(label_pieces_4) -> Verdict:
    """Exercise of notebook 09: ``label_pieces_4(cores)`` returns (labels, count) as the
    notebook's flood fill does, but two pixels touch only when they share a side. Compared,
    up to the numbering of the pieces, with ``scipy.ndimage.label``'s default structure."""
    masks = _sample_masks()
    for number, mask in enumerate(masks, start=1):
        result, stopped = _run(label_pieces_4, mask.copy())
        if stopped is not None:
            return stopped
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


def check_piece_boxes(piece_boxes) -> Verdict:
    """Exercise of notebook 09: ``piece_boxes(labels)`` gives the box (left, top, right,
    bottom) of each piece 1, 2, ... of a label image, right and bottom included. Compared
    with ``scipy.ndimage.find_objects``."""
    images = [ndimage.label(mask, structure=np.ones((3, 3)))[0] for mask in _sample_masks()]
    for number, labels in enumerate(images, start=1):
        result, stopped = _run(piece_boxes, labels.copy())
        if stopped is not None:
            return stopped
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


def check_column_overlap(column_overlap) -> Verdict:
    """Exercise of notebook 09: ``column_overlap(box_a, box_b)`` is the share (0..1) of the
    narrower box's columns that the other box covers too, right included. Compared with the
    columns counted one by one."""
    pairs = _column_pairs()
    for box_a, box_b in pairs:
        result, stopped = _run(column_overlap, box_a, box_b)
        if stopped is not None:
            return stopped
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
