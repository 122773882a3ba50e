"""Networks made of layers: each layer a small class with ``forward`` and ``backward``.

Notebook 02's :class:`helpers.network.NeuralNetwork` writes one hidden layer out in full.
To go further (more layers, ReLU, softmax, convolutions) the same two steps are cut into
pieces that snap together:

* ``forward(inputs)`` computes the layer's outputs and remembers what backward needs;
* ``backward(gradient)`` takes dLoss/d(outputs), stores dLoss/d(parameter) for each of its
  parameters in ``self.gradients`` and returns dLoss/d(inputs) for the layer before it.

A :class:`Sequential` network runs its layers in order, then a loss at the end; the
optimisers in :mod:`helpers.optimizers` change the parameters using the gradients.
``Sequential([Dense(784, 200), Sigmoid(), Dense(200, 10)], SigmoidSquaredError(), SGD(2.0))``
computes exactly what notebook 02's network computes (``tests/test_layers.py`` checks it).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, softmax

from .core import (TrainingDiverged, check_inputs, check_labels, check_size, make_targets,
                   stop_if_diverged)

#: Every layer class by name, so a saved network can be rebuilt from its ``config()``.
LAYER_TYPES: dict[str, type] = {}


class Layer:
    """A step of a network. Layers without parameters keep the empty dicts.

    A layer's ``config()`` is ``{"layer": its class name, **the arguments that build it}``:
    ``LAYER_TYPES[config["layer"]](**arguments)`` builds the same layer, untrained.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        LAYER_TYPES[cls.__name__] = cls  # every subclass, wherever it is defined

    def __init__(self) -> None:
        self.parameters: dict[str, np.ndarray] = {}
        self.gradients: dict[str, np.ndarray] = {}

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, gradient: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def config(self) -> dict:
        """What rebuilds this layer (without its trained values): its class and arguments."""
        return {"layer": type(self).__name__}

    def __repr__(self) -> str:
        arguments = {key: value for key, value in self.config().items() if key != "layer"}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})"


class Dense(Layer):
    """Every input connected to every output: ``outputs = inputs @ weights.T + bias``.

    ``weights`` has shape (outputs, inputs), as ``w_input_hidden`` in notebook 02. They start
    normal with standard deviation sqrt(gain / inputs): gain 1 suits sigmoid layers, gain 2
    ReLU layers (which zero half their inputs, so their signals would shrink otherwise).
    """

    def __init__(self, inputs: int, outputs: int, gain: float = 1.0, seed: int | None = None,
                 dtype=np.float32):
        super().__init__()
        self.inputs = check_size("Dense: inputs", inputs)
        self.outputs = check_size("Dense: outputs", outputs)
        self.gain = float(gain)
        rng = np.random.default_rng(seed)
        scale = np.sqrt(self.gain / self.inputs)
        self.parameters = {
            "weights": rng.normal(0.0, scale, (self.outputs, self.inputs)).astype(dtype),
            "bias": np.zeros(self.outputs, dtype=dtype),
        }

    def forward(self, inputs):
        if inputs.shape[-1] != self.inputs:
            raise ValueError(f"{self!r} takes {self.inputs} values per sample, but the layer "
                             f"before gives {inputs.shape[-1]}: make their sizes match")
        self._inputs = inputs
        outputs = inputs @ self.parameters["weights"].T
        outputs += self.parameters["bias"]
        return outputs

    def backward(self, gradient, first=False):
        self.gradients = {"weights": gradient.T @ self._inputs, "bias": gradient.sum(axis=0)}
        if first:  # the network's first layer: no layer before it needs dLoss/d(inputs)
            return None
        return gradient @ self.parameters["weights"]

    def config(self):
        return {"layer": "Dense", "inputs": self.inputs, "outputs": self.outputs, "gain": self.gain}


class Sigmoid(Layer):
    """``outputs = 1 / (1 + exp(-inputs))``; its slope is ``outputs * (1 - outputs)``."""

    def forward(self, inputs):
        self._outputs = expit(inputs)
        return self._outputs

    def backward(self, gradient):
        return gradient * self._outputs * (1.0 - self._outputs)


class ReLU(Layer):
    """``outputs = max(0, inputs)``; its slope is 1 where the input was positive, else 0."""

    def forward(self, inputs):
        self._positive = inputs > 0
        return np.maximum(inputs, 0)

    def backward(self, gradient):
        return gradient * self._positive


# -- losses: the last step, from the network's outputs and the labels to one number ---------

class SoftmaxCrossEntropy:
    """Softmax turns scores into probabilities; the loss is -log(probability of the label).

    The loss is computed from the log of the probabilities, worked out from the scores
    directly ("log-softmax"): ``log p = s - max(s) - log(sum(exp(s - max(s))))``. Taking the
    log of a probability computed first would fail for a sure but wrong answer, whose
    probability rounds to 0 (and log(0) is minus infinity).

    Together softmax and the loss have a simple gradient with respect to the scores:
    ``(probabilities - one_hot(labels)) / n`` for a batch of n (notebook 07 derives it).
    """

    name = "softmax_cross_entropy"

    def outputs(self, scores: np.ndarray) -> np.ndarray:
        return softmax(scores, axis=-1)

    def loss_and_gradient(self, scores: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        shifted = scores - scores.max(axis=-1, keepdims=True)  # the largest score becomes 0
        log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        rows = np.arange(len(labels))
        loss = -float(np.mean(log_probabilities[rows, labels]))
        gradient = np.exp(log_probabilities)  # the probabilities
        gradient[rows, labels] -= 1.0
        return loss, gradient / len(labels)


class SigmoidSquaredError:
    """Notebook 02's output layer and loss: sigmoid outputs, half the squared error against
    targets 0.99 (the label) and 0.01 (the others), averaged over the batch."""

    name = "sigmoid_squared_error"

    def outputs(self, scores: np.ndarray) -> np.ndarray:
        return expit(scores)

    def loss_and_gradient(self, scores: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        outputs = self.outputs(scores)
        targets = make_targets(labels, outputs.shape[-1], dtype=outputs.dtype)
        loss = 0.5 * float(np.sum((targets - outputs) ** 2)) / len(labels)
        return loss, (outputs - targets) * outputs * (1.0 - outputs) / len(labels)


LOSSES = {loss.name: loss for loss in (SoftmaxCrossEntropy, SigmoidSquaredError)}


class Sequential:
    """Layers run one after another, then a loss.

    Parameters
    ----------
    layers : the layers, first to last; the last gives one score per digit
    loss : ``SoftmaxCrossEntropy()`` or ``SigmoidSquaredError()``
    optimizer : what changes the parameters after each batch (see helpers.optimizers)
    input_nodes : the number of values per sample the network takes (784 for MNIST)

    The network computes in the float type of its parameters (float32 unless the layers
    were made with ``dtype=np.float64``, as for checking gradients).
    """

    def __init__(self, layers: list[Layer], loss, optimizer, input_nodes: int = 784):
        layers = list(layers)
        if not layers or not all(isinstance(layer, Layer) for layer in layers):
            raise TypeError(f"layers must be a list of layers (Dense, ReLU, ...), not {layers!r}")
        if not any(layer.parameters for layer in layers):
            raise ValueError("a network learns through the parameters of its layers, but none "
                             "of these layers has any: add a Dense (or Conv2D) layer")
        if not hasattr(loss, "loss_and_gradient"):
            names = ", ".join(f"{cls.__name__}()" for cls in LOSSES.values())
            raise TypeError(f"loss must be one of {names}, not {loss!r}")
        if not hasattr(optimizer, "step"):
            raise TypeError(f"optimizer must be an optimiser from helpers.optimizers, such as "
                            f"SGD(0.1) or Adam(0.001), not {optimizer!r}")
        self.layers, self.loss_function, self.optimizer = layers, loss, optimizer
        self.input_nodes = check_size("input_nodes", input_nodes)
        self.name = ""

    def __repr__(self) -> str:
        lines = [f"    {layer!r}," for layer in self.layers]
        return (f"Sequential(input_nodes={self.input_nodes}, layers=[\n" + "\n".join(lines) +
                f"\n], loss={type(self.loss_function).__name__}(), optimizer={self.optimizer!r})")

    # the names helpers.training.fit and the notebooks use for every network
    @property
    def learning_rate(self) -> float:
        return self.optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.optimizer.learning_rate = value

    @property
    def dtype(self) -> np.dtype:
        """The float type the network computes in: that of its first parameter."""
        return next((value.dtype for value in self.parameters().values()), np.dtype(np.float32))

    def parameters(self) -> dict[str, np.ndarray]:
        """Every parameter by name: "<layer number>.<name>", e.g. "0.weights"."""
        return {f"{i}.{name}": value for i, layer in enumerate(self.layers)
                for name, value in layer.parameters.items()}

    def gradients(self) -> dict[str, np.ndarray]:
        """The gradients of the last ``backward``, with the same names as ``parameters()``."""
        return {f"{i}.{name}": value for i, layer in enumerate(self.layers)
                for name, value in layer.gradients.items()}

    #: Outside training, inputs go through the layers this many samples at a time, so that
    #: answering for 10,000 images does not hold every layer's signals for all of them at once.
    CHUNK = 1000

    def scores(self, inputs) -> np.ndarray:
        """The last layer's outputs, before the loss's softmax or sigmoid."""
        inputs = np.atleast_2d(check_inputs(inputs, self.input_nodes, self.dtype))
        return np.concatenate([self._forward(inputs[first:first + self.CHUNK])
                               for first in range(0, len(inputs), self.CHUNK)])

    def _forward(self, signal: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            signal = layer.forward(signal)
        return signal

    def query(self, inputs) -> np.ndarray:
        """The network's answers: 10 values per sample (probabilities, for softmax)."""
        inputs = np.asarray(inputs)
        outputs = self.loss_function.outputs(self.scores(inputs))
        return outputs[0] if inputs.ndim == 1 else outputs

    def predict(self, inputs) -> np.ndarray:
        """The digit the network reads in each sample."""
        return np.argmax(self.query(inputs), axis=-1)

    def loss(self, inputs, labels) -> float:
        """The loss on ``inputs`` with ``labels`` (digits 0-9), without training."""
        scores = self.scores(inputs)
        labels = check_labels(labels, scores.shape[-1], len(scores))
        return self.loss_function.loss_and_gradient(scores, labels)[0]

    def backpropagate(self, inputs, labels) -> float:
        """Forward and backward through every layer; leaves the gradients in the layers."""
        inputs = np.atleast_2d(check_inputs(inputs, self.input_nodes, self.dtype))
        scores = self._forward(inputs)  # the whole batch at once, not in chunks
        loss, gradient = self.loss_function.loss_and_gradient(
            scores, check_labels(labels, scores.shape[-1], len(scores)))
        # Back from the last layer to the first that learns. The layers before it learn
        # nothing, and it need not work out the gradient of its own inputs.
        first = next(i for i, layer in enumerate(self.layers) if layer.parameters)
        for layer in reversed(self.layers[first + 1:]):
            gradient = layer.backward(gradient)
        self.layers[first].backward(gradient, first=True)
        return loss

    def train(self, inputs, labels) -> float:
        """One optimiser step on a batch; returns the batch's loss before the step.

        Raises TrainingDiverged if the numbers overflow (the learning rate is too large)."""
        with stop_if_diverged(self.learning_rate):
            loss = self.backpropagate(inputs, labels)
            if not np.isfinite(loss):
                raise TrainingDiverged(self.learning_rate, f"the loss is {loss}")
            self.optimizer.step(self.parameters(), self.gradients())
        return loss

    def config(self) -> dict:
        """What rebuilds this network untrained (helpers.saving stores it as JSON)."""
        return {"input_nodes": self.input_nodes, "loss": self.loss_function.name,
                "optimizer": self.optimizer.config(),
                "layers": [layer.config() for layer in self.layers]}
