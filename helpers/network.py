"""A neural network with one hidden layer, written by hand in NumPy.

This is the network that notebook 02 builds line by line::

    inputs (784) --w_input_hidden, b_hidden--> hidden (200, sigmoid)
                 --w_hidden_output, b_output--> outputs (10, sigmoid)

The names follow the notebook's maths:

* ``hidden = sigmoid(inputs @ w_input_hidden.T + b_hidden)``
* ``outputs = sigmoid(hidden @ w_hidden_output.T + b_output)``
* the loss is half the squared difference between targets and outputs, summed over the
  outputs and averaged over the samples of a batch.

``train`` takes one sample (a vector of 784) or a mini-batch (an array of shape (n, 784))
and makes one step of gradient descent; ``query`` answers for one sample or many.

The methods of :class:`NeuralNetwork` are the code of notebook 02, cell for cell
(``tests/test_network.py`` fails if the two differ). The ``check_...`` functions before
the class are the plumbing around them: they turn a mistake (a wrong shape, a NaN, a
learning rate of 0) into an error that says what is wrong.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
from scipy.special import expit as sigmoid

#: The target value of the right output and of the wrong ones. Sigmoid outputs never
#: reach 0 or 1, so asking for them would push the weights to grow without end.
TARGET_ON, TARGET_OFF = 0.99, 0.01


def make_targets(labels, output_nodes: int = 10, dtype=np.float32) -> np.ndarray:
    """Target vectors for ``labels``: 0.99 at the label's position, 0.01 elsewhere."""
    labels = np.asarray(labels)
    targets = np.full(labels.shape + (output_nodes,), TARGET_OFF, dtype=dtype)
    np.put_along_axis(targets, labels[..., None].astype(np.intp), TARGET_ON, axis=-1)
    return targets


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


# -- checks: clear errors instead of tracebacks from deep inside NumPy -------------------------

def check_layer_sizes(*sizes) -> tuple[int, ...]:
    """The sizes of the layers as whole numbers, or a ValueError that says which is wrong."""
    names = ("input_nodes", "hidden_nodes", "output_nodes")
    for name, size in zip(names, sizes):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, not {size!r}")
    return tuple(int(size) for size in sizes)


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


def check_batch(inputs, targets, input_nodes: int, output_nodes: int, dtype):
    """``inputs`` and ``targets`` as 2-D arrays of ``dtype``, one row per sample, or a
    ValueError that says what is wrong."""
    inputs = np.atleast_2d(check_inputs(inputs, input_nodes, dtype))
    targets = np.atleast_2d(np.asarray(targets, dtype=dtype))
    if targets.shape != (len(inputs), output_nodes):
        raise ValueError(
            f"targets have shape {targets.shape}, expected {(len(inputs), output_nodes)}: one "
            f"row of {output_nodes} values per sample (make_targets(labels) makes them)")
    if not np.isfinite(targets).all():
        raise ValueError("targets contain NaN or infinite values")
    return inputs, targets


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


# -- the network ----------------------------------------------------------------------------

class NeuralNetwork:
    """A fully connected network: inputs, one sigmoid hidden layer, sigmoid outputs.

    Parameters
    ----------
    input_nodes, hidden_nodes, output_nodes : sizes of the three layers
    learning_rate : the step size of gradient descent (greater than 0)
    seed : seeds the random initial weights, so the same seed gives the same network
    dtype : float32 (fast, the default) or float64 (for checking gradients)
    """

    #: The weights and biases, by name.
    PARAMETERS = ("w_input_hidden", "b_hidden", "w_hidden_output", "b_output")

    def __init__(self, input_nodes=784, hidden_nodes=200, output_nodes=10, learning_rate=0.1,
                 seed=42, dtype=np.float32):
        """A new network with random weights (the same ones for the same seed)."""
        self.input_nodes, self.hidden_nodes, self.output_nodes = check_layer_sizes(
            input_nodes, hidden_nodes, output_nodes)
        self.learning_rate = check_learning_rate(learning_rate)
        self.dtype = check_dtype(dtype)
        rng = np.random.default_rng(seed)
        # Normal weights with standard deviation 1/sqrt(fan-in): the weighted sum of a node
        # then has about the same spread whatever the number of its inputs, so the sigmoid
        # starts in its sensitive middle range rather than flat at 0 or 1.
        self.w_input_hidden = rng.normal(0.0, self.input_nodes ** -0.5,
                                         (self.hidden_nodes, self.input_nodes)).astype(self.dtype)
        self.w_hidden_output = rng.normal(0.0, self.hidden_nodes ** -0.5,
                                          (self.output_nodes, self.hidden_nodes)).astype(self.dtype)
        # Biases start at 0: the random weights already make the nodes differ.
        self.b_hidden = np.zeros(self.hidden_nodes, dtype=self.dtype)
        self.b_output = np.zeros(self.output_nodes, dtype=self.dtype)

    def parameters(self) -> dict[str, np.ndarray]:
        """The weights and biases by name (the arrays themselves, not copies)."""
        return {name: getattr(self, name) for name in self.PARAMETERS}

    def targets_for(self, labels) -> np.ndarray:
        """What ``train`` and ``loss`` take for ``labels``: target vectors (:func:`make_targets`)."""
        return make_targets(labels, self.output_nodes, dtype=self.dtype)

    def __repr__(self) -> str:
        return (f"NeuralNetwork(input_nodes={self.input_nodes}, hidden_nodes={self.hidden_nodes}, "
                f"output_nodes={self.output_nodes}, learning_rate={self.learning_rate:g})")

    # -- the methods that notebook 02 builds, in its order -----------------------------------

    def forward(self, inputs):
        """The signals of the hidden layer and of the output layer, for one sample or a batch."""
        inputs = check_inputs(inputs, self.input_nodes, self.dtype)
        hidden = sigmoid(inputs @ self.w_input_hidden.T + self.b_hidden)
        outputs = sigmoid(hidden @ self.w_hidden_output.T + self.b_output)
        return hidden, outputs

    def query(self, inputs):
        """The network's answer: 10 outputs between 0 and 1 for each sample."""
        return self.forward(inputs)[1]

    def predict(self, inputs):
        """The digit the network reads in each sample: the position of its largest output."""
        return np.argmax(self.query(inputs), axis=-1)

    def loss(self, inputs, targets):
        """Half the squared error, summed over the outputs, averaged over the samples."""
        inputs, targets = check_batch(inputs, targets, self.input_nodes, self.output_nodes,
                                      self.dtype)
        outputs = self.query(inputs)
        return 0.5 * float(np.sum((targets - outputs) ** 2)) / len(inputs)

    def backward(self, inputs, hidden, outputs, targets):
        """Backpropagation: the gradient of each parameter, summed over the samples."""
        # delta = dE/dz, how much the loss E changes with each node's weighted sum z
        delta_output = (outputs - targets) * outputs * (1.0 - outputs)
        # the output deltas, sent back through the weights that carried the signal forward
        delta_hidden = (delta_output @ self.w_hidden_output) * hidden * (1.0 - hidden)
        # np.dot rather than @: for a single sample, NumPy's @ misses the fast routine
        return {
            "w_input_hidden": np.dot(delta_hidden.T, inputs),
            "b_hidden": delta_hidden.sum(axis=0),
            "w_hidden_output": np.dot(delta_output.T, hidden),
            "b_output": delta_output.sum(axis=0),
        }

    def gradients(self, inputs, targets):
        """The gradient of loss(inputs, targets) with respect to each weight and bias."""
        inputs, targets = check_batch(inputs, targets, self.input_nodes, self.output_nodes,
                                      self.dtype)
        hidden, outputs = self.forward(inputs)
        totals = self.backward(inputs, hidden, outputs, targets)
        return {name: total / len(inputs) for name, total in totals.items()}

    def train(self, inputs, targets):
        """One step of gradient descent on one sample or a mini-batch.

        Returns the loss of the batch before the step (handy for plotting)."""
        inputs, targets = check_batch(inputs, targets, self.input_nodes, self.output_nodes,
                                      self.dtype)
        with stop_if_diverged(self.learning_rate):
            hidden, outputs = self.forward(inputs)
            loss = 0.5 * float(np.sum((targets - outputs) ** 2)) / len(inputs)
            totals = self.backward(inputs, hidden, outputs, targets)
            if not totals["w_hidden_output"].any():
                raise TrainingDiverged(self.learning_rate, "every output is stuck at exactly "
                                       "0 or 1, so every gradient is 0 and nothing can change")
            # the mean gradient (total / n) times the learning rate, in one go
            step = check_learning_rate(self.learning_rate) / len(inputs)
            for name, total in totals.items():
                total *= step  # in place: no new array
                parameter = getattr(self, name)
                parameter -= total  # in place too: the network's own array changes
        return loss
