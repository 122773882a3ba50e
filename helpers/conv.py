"""The layers of a convolutional network: Reshape, Conv2D, MaxPool2D and Flatten.

Notebook 08 builds these step by step. Like the layers of :mod:`helpers.layers` each is a
small class with ``forward`` and ``backward``, so they snap into a
:class:`helpers.layers.Sequential` next to ``Dense`` and ``ReLU``.

Images travel through a convolutional network as 4-D arrays of shape
(n, channels, height, width): n images, each a stack of ``channels`` pictures of
height x width pixels. An MNIST digit starts as 1 channel of 28 x 28 pixels; each
convolution turns a stack of pictures into a stack of feature maps, one per filter.

The network still takes (n, 784) inputs, like every network of the course, so that the
drawing pad and ``python -m helpers predict`` need not know what is inside: its first
layer, ``Reshape((1, 28, 28))``, turns each row of 784 pixels back into an image.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .layers import Dense, Layer, ReLU, Sequential, SoftmaxCrossEntropy
from .optimizers import Adam


def _check_images(layer: str, inputs: np.ndarray, channels: int | None = None) -> None:
    """Raise a ValueError that a learner can act on if ``inputs`` is not (n, channels, h, w)."""
    if inputs.ndim != 4:
        raise ValueError(
            f"{layer} takes images of shape (n, channels, height, width), not an array of "
            f"shape {inputs.shape}. Put Reshape((1, 28, 28)) before it to turn rows of 784 "
            "pixels into 1-channel images.")
    if channels is not None and inputs.shape[1] != channels:
        raise ValueError(
            f"{layer} was built for {channels} input channel(s) but got images with "
            f"{inputs.shape[1]} (shape {inputs.shape}): its channels must be the number of "
            "filters of the convolution before it (1 for the first)")


class Reshape(Layer):
    """Give each sample the shape ``shape``: ``Reshape((1, 28, 28))`` turns rows of 784
    pixels into images of 1 channel, 28 x 28. Backward turns the gradient back."""

    def __init__(self, shape: tuple[int, ...]):
        super().__init__()
        self.shape = tuple(int(size) for size in shape)

    def forward(self, inputs):
        size = math.prod(self.shape)
        if inputs.ndim < 1 or math.prod(inputs.shape[1:]) != size:
            raise ValueError(f"Reshape({self.shape}) needs {size} values per sample, but got "
                             f"inputs of shape {inputs.shape}")
        self._input_shape = inputs.shape
        return inputs.reshape(len(inputs), *self.shape)

    def backward(self, gradient):
        return gradient.reshape(self._input_shape)

    def config(self):
        return {"layer": "Reshape", "shape": list(self.shape)}


class Flatten(Layer):
    """Lay each sample's values out in one row, (n, ...) -> (n, values), for a Dense layer."""

    def forward(self, inputs):
        self._input_shape = inputs.shape
        return inputs.reshape(len(inputs), -1)

    def backward(self, gradient):
        return gradient.reshape(self._input_shape)


class Conv2D(Layer):
    """Slide ``filters`` small kernels over the images; each gives one feature map.

    Output pixel (y, x) of feature map f is the sum over the input channels c and the
    kernel's rows i and columns j of ``weights[f, c, i, j] * inputs[c, y + i, x + j]``,
    plus ``bias[f]``. There is no padding and the kernel moves 1 pixel at a time
    (stride 1), so a k x k kernel turns an h x w image into (h - k + 1) x (w - k + 1).

    The sums are done as one matrix product per batch ("im2col"): every k x k patch of
    the input becomes one row of a big matrix, ``columns``; the weights become a matrix
    with one row per filter; and ``columns @ kernel_matrix.T`` gives every output pixel
    of every filter at once.

    Parameters
    ----------
    channels : the input's channels (1 for a grey image, the previous layer's filters after)
    filters : the number of kernels, and so of feature maps
    kernel_size : k, the side of each square kernel
    gain : the weights start normal with standard deviation sqrt(gain / (channels k k));
        2 (He initialisation) suits a convolution followed by ReLU
    seed : seeds the starting weights
    dtype : float32 to train, float64 to check gradients numerically
    """

    def __init__(self, channels: int, filters: int, kernel_size: int = 5, gain: float = 2.0,
                 seed: int | None = None, dtype=np.float32):
        super().__init__()
        self.channels, self.filters = int(channels), int(filters)
        self.kernel_size, self.gain = int(kernel_size), float(gain)
        if min(self.channels, self.filters, self.kernel_size) < 1:
            raise ValueError("channels, filters and kernel_size must be whole numbers of at "
                             f"least 1, not {channels!r}, {filters!r}, {kernel_size!r}")
        fan_in = self.channels * self.kernel_size ** 2  # the inputs of one output pixel
        rng = np.random.default_rng(seed)
        shape = (self.filters, self.channels, self.kernel_size, self.kernel_size)
        self.parameters = {
            "weights": rng.normal(0.0, np.sqrt(self.gain / fan_in), shape).astype(dtype),
            "bias": np.zeros(self.filters, dtype=dtype),
        }

    def _kernel_matrix(self) -> np.ndarray:
        """The weights as a (filters, k * k * channels) matrix, one row per kernel, its
        values in the order of a row of ``columns``: row, column, then channel."""
        return self.parameters["weights"].transpose(0, 2, 3, 1).reshape(self.filters, -1)

    def _columns(self, inputs: np.ndarray) -> np.ndarray:
        """"im2col": one row per output pixel (image, y, x) with the values of its k x k
        patch, pixel by pixel and for each pixel its channels."""
        k = self.kernel_size
        # (n, channels, out_height, out_width, k, k): every k x k patch, without copying
        patches = sliding_window_view(inputs, (k, k), axis=(2, 3))
        # the reshape copies each patch into its row: the one copy
        return patches.transpose(0, 2, 3, 4, 5, 1).reshape(-1, k * k * self.channels)

    def forward(self, inputs):
        _check_images("Conv2D", inputs, self.channels)
        n, channels, height, width = inputs.shape
        k = self.kernel_size
        if height < k or width < k:
            raise ValueError(f"Conv2D's {k} x {k} kernels do not fit in images of "
                             f"{height} x {width} pixels (input shape {inputs.shape})")
        out_height, out_width = height - k + 1, width - k + 1
        outputs = self._columns(inputs) @ self._kernel_matrix().T  # (n y x, filters)
        outputs += self.parameters["bias"]
        # Keep the inputs for backward, not the columns: those hold each pixel k * k times,
        # too much memory to keep for nothing when the network is only answering.
        self._inputs = inputs
        # (n y x, filters) -> (n, filters, out_height, out_width), a view: no copy
        return outputs.reshape(n, out_height, out_width, self.filters).transpose(0, 3, 1, 2)

    def backward(self, gradient, first=False):
        n, channels, height, width = self._inputs.shape
        k = self.kernel_size
        out_height, out_width = gradient.shape[2:]
        # one row per output pixel, lined up with the rows of the columns
        rows = gradient.transpose(0, 2, 3, 1).reshape(-1, self.filters)
        kernel_gradient = rows.T @ self._columns(self._inputs)  # (filters, k * k * channels)
        self.gradients = {
            "weights": kernel_gradient.reshape(self.filters, k, k, channels).transpose(0, 3, 1, 2),
            "bias": rows.sum(axis=0),
        }
        if first:  # the network's first layer: no layer before it needs dLoss/d(inputs)
            return None
        # dLoss/d(inputs): value (i, j) of every kernel met input pixel (y + i, x + j) when
        # it made output pixel (y, x). A pixel meets up to k x k kernel values, so its shares add up.
        input_gradient = np.zeros((n, height, width, channels), dtype=gradient.dtype)
        for i in range(k):
            for j in range(k):
                kernel_values = self.parameters["weights"][:, :, i, j]  # (filters, channels)
                shares = (rows @ kernel_values).reshape(n, out_height, out_width, channels)
                input_gradient[:, i:i + out_height, j:j + out_width] += shares
        return input_gradient.transpose(0, 3, 1, 2)

    def config(self):
        return {"layer": "Conv2D", "channels": self.channels, "filters": self.filters,
                "kernel_size": self.kernel_size, "gain": self.gain}


class MaxPool2D(Layer):
    """Keep the largest value of each ``size`` x ``size`` block of every feature map.

    With size 2 a 24 x 24 map becomes 12 x 12. Backward sends each output's gradient to
    the one input that was the largest of its block (the first, row by row, if several
    tie); the other inputs had no effect on the output, so their gradient is 0.
    """

    def __init__(self, size: int = 2):
        super().__init__()
        self.size = int(size)
        if self.size < 1:
            raise ValueError(f"size must be a whole number of at least 1, not {size!r}")

    def _corners(self, array: np.ndarray):
        """For each position (i, j) inside a block: that value of every block, a view of
        shape (n, channels, height / size, width / size)."""
        s = self.size
        for i in range(s):
            for j in range(s):
                yield array[:, :, i::s, j::s]

    def forward(self, inputs):
        _check_images("MaxPool2D", inputs)
        height, width = inputs.shape[2:]
        if height % self.size or width % self.size:
            raise ValueError(f"MaxPool2D({self.size}) needs feature maps whose height and "
                             f"width are multiples of {self.size}, not {height} x {width} "
                             f"(input shape {inputs.shape})")
        corners = self._corners(inputs)
        outputs = next(corners)
        for corner in corners:
            outputs = np.maximum(outputs, corner)
        self._inputs, self._outputs = inputs, outputs
        return outputs

    def backward(self, gradient):
        # Every array here is laid out in memory like the inputs (empty_like and zeros_like
        # keep the layout; a convolution's outputs lie channels last): NumPy goes through
        # arrays laid out alike in step, and through differently laid out ones far slower.
        gradient_like_outputs = np.empty_like(self._outputs)
        gradient_like_outputs[...] = gradient
        input_gradient = np.empty_like(self._inputs)  # the corners below fill all of it
        routed = np.zeros_like(self._outputs, dtype=bool)  # blocks whose gradient has gone
        for corner, corner_gradient in zip(self._corners(self._inputs),
                                           self._corners(input_gradient)):
            winner = (corner == self._outputs) & ~routed  # the first largest of its block
            np.multiply(gradient_like_outputs, winner, out=corner_gradient)
            routed |= winner
        return input_gradient

    def config(self):
        return {"layer": "MaxPool2D", "size": self.size}


def mnist_cnn(filters: tuple[int, int] = (32, 64), hidden_nodes: int = 128,
              learning_rate: float = 0.002, seed: int | None = 42) -> Sequential:
    """Notebook 08's convolutional network for MNIST, untrained, with an Adam optimiser.

    784 inputs -> Reshape to 1 x 28 x 28 -> conv 5x5 (``filters[0]`` maps of 24 x 24) ->
    ReLU -> max pool 2 (12 x 12) -> conv 5x5 (``filters[1]`` maps of 8 x 8) -> ReLU ->
    max pool 2 (4 x 4) -> Flatten -> dense ``hidden_nodes`` -> ReLU -> dense 10 scores,
    then softmax cross entropy. Each layer with weights gets its own seed from ``seed``.
    """
    first, second = filters
    seeds = [None] * 4 if seed is None else [seed + i for i in range(4)]
    layers = [
        Reshape((1, 28, 28)),
        Conv2D(1, first, 5, seed=seeds[0]), ReLU(), MaxPool2D(2),
        Conv2D(first, second, 5, seed=seeds[1]), ReLU(), MaxPool2D(2),
        Flatten(),
        Dense(second * 4 * 4, hidden_nodes, gain=2.0, seed=seeds[2]), ReLU(),
        Dense(hidden_nodes, 10, seed=seeds[3]),
    ]
    return Sequential(layers, SoftmaxCrossEntropy(), Adam(learning_rate=learning_rate))
