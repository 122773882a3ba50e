"""What every network of the course and its training loop share.

Notebook 02's :class:`~helpers.network.NeuralNetwork` and the layered
:class:`~helpers.layers.Sequential` networks of notebooks 07 and 08 are built on the same
few pieces, kept here once:

* the targets that sigmoid outputs learn from, :func:`make_targets`: 0.99 for the label,
  0.01 elsewhere;
* the checks that turn a mistake (a wrong shape, a NaN, a label of 12, a learning rate of
  0) into an error that says what is wrong, instead of a traceback from deep inside NumPy;
* :class:`TrainingDiverged` and :func:`stop_if_diverged`: training that blows up stops
  with advice, rather than going on with infinities.

Every network trains the same way: ``network.train(inputs, labels)``, one step on a batch
of images and their digits. Each network makes from the labels whatever its loss needs.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

#: The target value of the right output and of the wrong ones. Sigmoid outputs never
#: reach 0 or 1, so asking for them would push the weights to grow without end.
TARGET_ON, TARGET_OFF = 0.99, 0.01


def make_targets(labels, output_nodes: int = 10, dtype=np.float32) -> np.ndarray:
    """Target vectors for ``labels``: 0.99 at the label's position, 0.01 elsewhere."""
    is_label = np.asarray(labels)[..., None] == np.arange(output_nodes)  # one-hot, True/False
    value = np.dtype(dtype).type
    return np.where(is_label, value(TARGET_ON), value(TARGET_OFF))


class TrainingDiverged(FloatingPointError):
    """Training went wrong beyond repair: the numbers overflowed, or every output is stuck
    at exactly 0 or 1 so that no gradient is left to learn from. The cure is a smaller
    learning rate."""

    def __init__(self, learning_rate: float, what: str):
        super().__init__(learning_rate, what)
        self.learning_rate, self.what = learning_rate, what

    def __str__(self) -> str:
        return (f"training diverged with learning_rate={self.learning_rate:g}: {self.what}. "
                f"Start again from a new network with a smaller learning rate (try ten times "
                f"smaller, {self.learning_rate / 10:g}, and again if it still diverges)")


@contextlib.contextmanager
def stop_if_diverged(learning_rate: float):
    """A ``with`` block in which a number too large for the network's float type stops
    training with a :class:`TrainingDiverged` error, rather than going on with infinities
    and NaNs (and a page of warnings)."""
    try:
        with np.errstate(over="raise", invalid="raise"):
            yield
    except TrainingDiverged:
        raise
    except FloatingPointError as error:
        raise TrainingDiverged(learning_rate, f"the numbers grew too large ({error})") from None


# -- checks: clear errors instead of tracebacks from deep inside NumPy -------------------------

def check_size(name: str, size) -> int:
    """``size`` as an int, or a ValueError unless it is a whole number of at least 1."""
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {size!r}")
    return int(size)


def check_layer_sizes(*sizes) -> tuple[int, ...]:
    """The sizes of notebook 02's three layers as whole numbers, or a ValueError that says
    which is wrong."""
    names = ("input_nodes", "hidden_nodes", "output_nodes")
    return tuple(check_size(name, size) for name, size in zip(names, sizes))


def check_learning_rate(learning_rate) -> float:
    """``learning_rate`` as a float, or a ValueError if it is not a number greater than 0."""
    try:
        value = float(learning_rate)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"learning_rate must be a number greater than 0, not {learning_rate!r}: "
                         "it is the size of each step downhill (0.1 to 2 are typical)")
    return value


def check_dtype(dtype) -> np.dtype:
    """``dtype`` if it is float32 or float64, else a ValueError."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 (fast) or float64 (precise), not {dtype}")
    return dtype


def check_inputs(inputs, input_nodes: int, dtype) -> np.ndarray:
    """``inputs`` as an array of ``dtype`` of shape (input_nodes,) or (n, input_nodes).

    Raises a ValueError, that says what was expected, for any other shape and for NaN or
    infinite values."""
    inputs = np.asarray(inputs, dtype=dtype)
    if inputs.ndim not in (1, 2) or inputs.shape[-1] != input_nodes or inputs.size == 0:
        raise ValueError(
            f"inputs have shape {inputs.shape}, but this network expects {input_nodes} values "
            f"per sample: shape ({input_nodes},) for one sample or (n, {input_nodes}) for n "
            f"samples{' (an MNIST image is 28 x 28 = 784 pixels)' if input_nodes == 784 else ''}")
    if not np.isfinite(inputs).all():
        raise ValueError("inputs contain NaN or infinite values; inputs must be finite numbers "
                         "(MNIST pixels scaled to 0.01..1.0: see helpers.data.scale_pixels)")
    return inputs


def check_labels(labels, classes: int = 10, samples: int | None = None,
                 name: str = "labels") -> np.ndarray:
    """``labels`` as a 1-D array of whole numbers 0 to ``classes - 1`` (np.intp).

    A single label (a number) counts as one. Whole numbers stored as floats (3.0) are
    accepted. ``samples``, if given, is how many there must be: one per sample. Raises a
    ValueError that says what is wrong, and hints at the usual slip of passing target
    vectors (10 values per sample) where the digits themselves belong.
    """
    labels = np.atleast_1d(np.asarray(labels))
    if labels.ndim != 1 or (samples is not None and len(labels) != samples):
        count = "" if samples is None else f" ({samples} sample{'s' * (samples != 1)} here)"
        hint = (f": it holds {classes} values per sample, like target vectors or a network's "
                "outputs. Give the digits themselves (a network makes its own targets from "
                "them; network.predict, not network.query, gives the digits a network reads)"
                if labels.shape[-1:] == (classes,) and labels.size == (samples or 1) * classes
                or labels.ndim == 2 and labels.shape[-1] == classes else "")
        raise ValueError(f"{name} must be one whole number 0 to {classes - 1} per sample"
                         f"{count}, not an array of shape {labels.shape}{hint}")
    if labels.size == 0:
        raise ValueError(f"{name} is empty: give one digit per sample")
    if labels.dtype.kind in "iu" and labels.min() >= 0 and labels.max() < classes:
        return labels.astype(np.intp, copy=False)  # the usual case, checked quickly
    if labels.dtype == bool or not np.issubdtype(labels.dtype, np.number):
        raise ValueError(f"{name} must be whole numbers 0 to {classes - 1}, "
                         f"not values of type {labels.dtype}")
    if labels.dtype.kind in "fc":  # floats are fine if they are whole numbers, such as 3.0
        whole = np.isfinite(labels) & (labels == np.round(labels.real))
    else:
        whole = np.ones(labels.shape, dtype=bool)
    outside = ~whole | (labels.real < 0) | (labels.real >= classes)
    if outside.any():
        position = int(np.flatnonzero(outside)[0])
        how_many = f" ({outside.sum()} of the {labels.size} are not)" if labels.size > 1 else ""
        raise ValueError(f"{name}[{position}] is {labels[position].item()}, but labels must be "
                         f"whole numbers 0 to {classes - 1}{how_many}")
    return labels.real.astype(np.intp)


def check_batch(inputs, labels, input_nodes: int, classes: int, dtype):
    """``inputs`` as a 2-D array of ``dtype``, one row per sample, and ``labels`` as one
    digit per sample (:func:`check_labels`), or a ValueError that says what is wrong."""
    inputs = np.atleast_2d(check_inputs(inputs, input_nodes, dtype))
    return inputs, check_labels(labels, classes, samples=len(inputs))
