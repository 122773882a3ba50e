"""A neural network with one hidden layer, written by hand in NumPy.

This is the network that notebook 02 builds line by line::

    inputs (784) --w_input_hidden, b_hidden--> hidden (200, sigmoid)
                 --w_hidden_output, b_output--> outputs (10, sigmoid)

The names follow the notebook's maths:

* ``hidden = sigmoid(inputs @ w_input_hidden.T + b_hidden)``
* ``outputs = sigmoid(hidden @ w_hidden_output.T + b_output)``
* the loss is half the squared difference between targets and outputs, summed over the
  outputs and averaged over the samples of a batch.

``train(inputs, labels)`` takes one sample (a vector of 784) or a mini-batch (an array of
shape (n, 784)) with the digits they show, and makes one step of gradient descent towards
their targets (0.99 for the digit, 0.01 for the others); ``query`` answers for one sample
or many. Every network of the course trains the same way (see :mod:`helpers.core`).

The methods of :class:`NeuralNetwork` are the code of notebook 02, cell for cell
(``tests/test_network.py`` fails if the two differ). The checks they call come from
:mod:`helpers.core`: they turn a mistake (a wrong shape, a NaN, a label of 12, a learning
rate of 0) into an error that says what is wrong.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit as sigmoid

from .core import (TrainingDiverged, check_batch, check_dtype, check_inputs, check_layer_sizes,
                   check_learning_rate, make_targets, stop_if_diverged)


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

    def loss(self, inputs, labels):
        """Half the squared error between the outputs and the targets of ``labels``, summed
        over the outputs, averaged over the samples."""
        inputs, labels = check_batch(inputs, labels, self.input_nodes, self.output_nodes,
                                     self.dtype)
        targets = make_targets(labels, self.output_nodes, self.dtype)
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

    def gradients(self, inputs, labels):
        """The gradient of loss(inputs, labels) with respect to each weight and bias."""
        inputs, labels = check_batch(inputs, labels, self.input_nodes, self.output_nodes,
                                     self.dtype)
        targets = make_targets(labels, self.output_nodes, self.dtype)
        hidden, outputs = self.forward(inputs)
        totals = self.backward(inputs, hidden, outputs, targets)
        return {name: total / len(inputs) for name, total in totals.items()}

    def train(self, inputs, labels):
        """One step of gradient descent on one sample or a mini-batch and their digits.

        Returns the loss of the batch before the step (handy for plotting)."""
        inputs, labels = check_batch(inputs, labels, self.input_nodes, self.output_nodes,
                                     self.dtype)
        targets = make_targets(labels, self.output_nodes, self.dtype)
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
