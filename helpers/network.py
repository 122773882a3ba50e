"""A neural network with one hidden layer, written by hand in NumPy.

This is the network that notebook 02 builds line by line::

    inputs (784) --w_input_hidden, b_hidden--> hidden (200, sigmoid)
                 --w_hidden_output, b_output--> outputs (10, sigmoid)

The names follow the notebook's maths:

* ``hidden = sigmoid(inputs @ w_input_hidden.T + b_hidden)``
* ``outputs = sigmoid(hidden @ w_hidden_output.T + b_output)``
* the error is half the squared difference between targets and outputs,
  averaged over the samples of a batch.

``train`` takes one sample (a vector of 784) or a mini-batch (an array of shape (n, 784))
and makes one gradient-descent step; ``query`` answers for one sample or many.
"""

from __future__ import annotations

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
    """Raised when the weights stop being finite numbers during training."""


class NeuralNetwork:
    """A fully connected network: inputs, one sigmoid hidden layer, sigmoid outputs.

    Parameters
    ----------
    input_nodes, hidden_nodes, output_nodes : sizes of the three layers
    learning_rate : the step size of gradient descent (greater than 0)
    seed : seeds the random initial weights, so the same seed gives the same network
    dtype : float32 (fast, the default) or float64 (for checking gradients)
    """

    def __init__(
        self,
        input_nodes: int = 784,
        hidden_nodes: int = 200,
        output_nodes: int = 10,
        learning_rate: float = 0.1,
        seed: int | None = 42,
        dtype=np.float32,
    ):
        for name, value in [("input_nodes", input_nodes), ("hidden_nodes", hidden_nodes),
                            ("output_nodes", output_nodes)]:
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
        self.input_nodes, self.hidden_nodes, self.output_nodes = (
            int(input_nodes), int(hidden_nodes), int(output_nodes))
        self.learning_rate = learning_rate  # checked by the property below
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(seed)
        # Normal weights with standard deviation 1/sqrt(fan-in): the weighted sum of a
        # node then has about the same spread whatever the number of its inputs, so the
        # sigmoid starts in its sensitive middle range rather than flat at 0 or 1.
        self.w_input_hidden = rng.normal(
            0.0, self.input_nodes ** -0.5, (self.hidden_nodes, self.input_nodes)).astype(self.dtype)
        self.w_hidden_output = rng.normal(
            0.0, self.hidden_nodes ** -0.5, (self.output_nodes, self.hidden_nodes)).astype(self.dtype)
        self.b_hidden = np.zeros(self.hidden_nodes, dtype=self.dtype)
        self.b_output = np.zeros(self.output_nodes, dtype=self.dtype)

    # -- the parameters, by name ------------------------------------------------------
    PARAMETERS = ("w_input_hidden", "b_hidden", "w_hidden_output", "b_output")

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"learning_rate must be a number greater than 0, not {value!r}")
        self._learning_rate = float(value)

    def parameters(self) -> dict[str, np.ndarray]:
        """The weights and biases by name (the arrays themselves, not copies)."""
        return {name: getattr(self, name) for name in self.PARAMETERS}

    def __repr__(self) -> str:
        return (f"NeuralNetwork(input_nodes={self.input_nodes}, hidden_nodes={self.hidden_nodes}, "
                f"output_nodes={self.output_nodes}, learning_rate={self.learning_rate})")

    # -- forward ---------------------------------------------------------------------
    def _check_inputs(self, inputs) -> np.ndarray:
        inputs = np.asarray(inputs, dtype=self.dtype)
        if inputs.ndim not in (1, 2) or inputs.shape[-1] != self.input_nodes:
            raise ValueError(
                f"inputs have shape {inputs.shape}, expected {self.input_nodes} values per "
                f"sample: shape ({self.input_nodes},) for one sample or (n, {self.input_nodes}) for n")
        if not np.isfinite(inputs).all():
            raise ValueError("inputs contain NaN or infinite values; scale pixels to 0.01..1.0 first")
        return inputs

    def forward(self, inputs) -> tuple[np.ndarray, np.ndarray]:
        """The hidden and output signals for ``inputs`` (one sample or a batch)."""
        return self._forward(self._check_inputs(inputs))

    def _forward(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hidden = sigmoid(inputs @ self.w_input_hidden.T + self.b_hidden)
        outputs = sigmoid(hidden @ self.w_hidden_output.T + self.b_output)
        return hidden, outputs

    def query(self, inputs) -> np.ndarray:
        """The network's outputs (10 values between 0 and 1 per sample)."""
        return self.forward(inputs)[1]

    def predict(self, inputs) -> np.ndarray:
        """The digit the network reads in each sample: the index of its largest output."""
        return np.argmax(self.query(inputs), axis=-1)

    def loss(self, inputs, targets) -> float:
        """Half the squared error, summed over the outputs, averaged over the samples."""
        outputs = self.query(inputs)
        return float(0.5 * np.mean(np.sum((np.asarray(targets) - outputs) ** 2, axis=-1)))

    # -- backward --------------------------------------------------------------------
    def gradients(self, inputs, targets) -> dict[str, np.ndarray]:
        """Backpropagation: the gradient of :meth:`loss` with respect to each parameter."""
        return self._backpropagate(inputs, targets)[0]

    def _backpropagate(self, inputs, targets) -> tuple[dict[str, np.ndarray], float]:
        """The gradients, and the loss of the batch before the step."""
        batch = np.atleast_2d(self._check_inputs(inputs))
        targets = np.atleast_2d(np.asarray(targets, dtype=self.dtype))
        if targets.shape != (batch.shape[0], self.output_nodes):
            raise ValueError(f"targets have shape {targets.shape}, expected "
                             f"{(batch.shape[0], self.output_nodes)}: one row of "
                             f"{self.output_nodes} values per sample (see make_targets)")
        n = batch.shape[0]
        hidden, outputs = self._forward(batch)
        # dE/d(output sum): error times the sigmoid's slope o(1 - o)
        delta_output = (outputs - targets) * outputs * (1.0 - outputs)
        # the output errors, sent back through the weights that carried the signal forward
        delta_hidden = (delta_output @ self.w_hidden_output) * hidden * (1.0 - hidden)
        gradients = {
            "w_input_hidden": delta_hidden.T @ batch / n,
            "b_hidden": delta_hidden.sum(axis=0) / n,
            "w_hidden_output": delta_output.T @ hidden / n,
            "b_output": delta_output.sum(axis=0) / n,
        }
        loss = 0.5 * float(np.sum((targets - outputs) ** 2)) / n
        return gradients, loss

    def train(self, inputs, targets) -> float:
        """One step of gradient descent on one sample or a mini-batch.

        Returns the batch's loss before the step (handy for plotting)."""
        step = self.dtype.type(self.learning_rate)
        gradients, loss = self._backpropagate(inputs, targets)
        for name, gradient in gradients.items():
            getattr(self, name)[...] -= step * gradient
        if not np.isfinite(self.b_output).all():
            raise TrainingDiverged(
                f"training diverged: the weights became NaN or infinite with learning_rate="
                f"{self.learning_rate}. Try a smaller learning rate (say {self.learning_rate / 10:g}).")
        return loss
