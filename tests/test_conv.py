"""Tests of helpers/conv.py: the layers of notebook 08's convolutional network.

* every layer's backward against central differences, in float64, for its inputs and its
  parameters, and a whole small convolutional network with softmax the same way;
* Conv2D's forward against a convolution written as plain nested loops, and (when PyTorch
  is installed) forward and backward against ``torch.nn.functional.conv2d``;
* MaxPool2D against a loop over the blocks, and where its gradient goes when values tie;
* ``config()`` rebuilds each layer through ``LAYER_TYPES``;
* inputs of the wrong shape give errors that say what to do;
* the shipped ``models/mnist_cnn.npz`` is notebook 08's network and reads over 99 % of the
  test digits.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from helpers.conv import Conv2D, Flatten, MaxPool2D, Reshape, mnist_cnn
from helpers.data import load_mnist
from helpers.layers import LAYER_TYPES, Dense, ReLU, Sequential, SoftmaxCrossEntropy
from helpers.optimizers import Adam
from helpers.saving import MODELS_DIR, load_network
from gradient_check import numerical_gradient, relative_error

TOLERANCE = 1e-6  # the largest relative error allowed between backprop and the differences


def check_layer_gradients(layer, inputs: np.ndarray) -> dict[str, float]:
    """Relative errors of ``layer``'s backprop gradients (inputs and each parameter).

    The loss is ``sum(outputs * weights)`` for fixed random ``weights``, so that every
    output matters, each with its own weight; its gradient with respect to the outputs is
    ``weights``.
    """
    outputs = layer.forward(inputs)
    weights = np.random.default_rng(99).normal(size=outputs.shape)

    def loss() -> float:
        return float(np.sum(layer.forward(inputs) * weights))

    layer.forward(inputs)
    input_gradient = layer.backward(weights)
    backprop = {"inputs": input_gradient, **{name: value.copy()
                                             for name, value in layer.gradients.items()}}
    numeric = {"inputs": numerical_gradient(loss, inputs),
               **{name: numerical_gradient(loss, value)
                  for name, value in layer.parameters.items()}}
    assert backprop.keys() == numeric.keys()
    for name in backprop:
        assert backprop[name].shape == numeric[name].shape, name
    return {name: relative_error(backprop[name], numeric[name]) for name in backprop}


def random_conv(channels: int, filters: int, kernel_size: int, seed: int) -> Conv2D:
    """A float64 Conv2D whose biases are not all 0 (so that a wrong bias gradient shows)."""
    layer = Conv2D(channels, filters, kernel_size, seed=seed, dtype=np.float64)
    layer.parameters["bias"][:] = np.random.default_rng(seed).normal(size=filters)
    return layer


# -- gradients against central differences ----------------------------------------------------

@pytest.mark.parametrize("channels, filters, kernel_size, height, width", [
    (1, 3, 3, 6, 6),   # one input channel, like the first layer of an MNIST network
    (3, 4, 3, 7, 5),   # several channels, a non-square image
    (2, 2, 2, 4, 4),   # an even kernel
    (4, 5, 1, 3, 3),   # a 1 x 1 kernel: a Dense layer applied to each pixel
])
def test_conv2d_gradients_match_central_differences(channels, filters, kernel_size, height, width):
    rng = np.random.default_rng(channels * 10 + filters)
    layer = random_conv(channels, filters, kernel_size, seed=1)
    inputs = rng.normal(size=(2, channels, height, width))
    errors = check_layer_gradients(layer, inputs)
    assert errors.keys() == {"inputs", "weights", "bias"}
    assert max(errors.values()) < TOLERANCE, errors


def test_conv2d_gradients_with_inputs_laid_out_channels_last_in_memory():
    """Inside a network, a convolution's input is the previous one's output: a transposed
    view (channels last in memory). The result must not depend on the memory layout."""
    rng = np.random.default_rng(5)
    channels_last = rng.normal(size=(2, 6, 6, 3))
    inputs = channels_last.transpose(0, 3, 1, 2)
    assert not inputs.flags.c_contiguous
    errors = check_layer_gradients(random_conv(3, 4, 3, seed=2), inputs)
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize("size, shape", [(2, (2, 3, 4, 6)), (3, (1, 2, 6, 9))])
def test_maxpool_gradients_match_central_differences(size, shape):
    inputs = np.random.default_rng(size).normal(size=shape)  # no ties among random values
    errors = check_layer_gradients(MaxPool2D(size), inputs)
    assert errors.keys() == {"inputs"}
    assert errors["inputs"] < TOLERANCE, errors


@pytest.mark.parametrize("layer, shape", [
    (Reshape((1, 4, 4)), (3, 16)),
    (Reshape((2, 3, 2)), (2, 12)),
    (Flatten(), (3, 2, 4, 4)),
    (Flatten(), (2, 5)),
])
def test_reshape_and_flatten_gradients_match_central_differences(layer, shape):
    inputs = np.random.default_rng(0).normal(size=shape)
    errors = check_layer_gradients(layer, inputs)
    assert errors["inputs"] < TOLERANCE, errors


def small_conv_network(seed: int = 0) -> Sequential:
    """8 x 8 images -> conv 3x3 (3 filters) -> ReLU -> pool -> conv 2x2 (4) -> ReLU -> dense -> 5
    scores, softmax: every kind of layer of notebook 08, small enough to check everywhere."""
    network = Sequential([
        Reshape((1, 8, 8)),
        random_conv(1, 3, 3, seed=seed), ReLU(), MaxPool2D(2),  # 3 maps of 6x6 -> 3x3
        random_conv(3, 4, 2, seed=seed + 1), ReLU(),  # 4 maps of 2x2
        Flatten(),
        Dense(16, 5, gain=2.0, seed=seed + 2, dtype=np.float64),
    ], SoftmaxCrossEntropy(), Adam(), input_nodes=64)
    network.layers[-1].parameters["bias"][:] = np.linspace(-0.5, 0.5, 5)
    return network


def test_a_whole_conv_network_with_softmax_matches_central_differences():
    rng = np.random.default_rng(3)
    network = small_conv_network()
    inputs, labels = rng.random((4, 64)).astype(np.float32), rng.integers(0, 5, 4)
    network.backpropagate(inputs, labels)
    backprop = {name: value.copy() for name, value in network.gradients().items()}
    parameters = network.parameters()
    assert backprop.keys() == parameters.keys() == {
        "1.weights", "1.bias", "4.weights", "4.bias", "7.weights", "7.bias"}
    errors = {name: relative_error(backprop[name], numerical_gradient(
        lambda: network.loss(inputs, labels), parameters[name])) for name in parameters}
    assert all(value.dtype == np.float64 for value in backprop.values())
    assert max(errors.values()) < TOLERANCE, errors


def test_conv2d_as_a_first_layer_gives_the_same_parameter_gradients_and_no_input_gradient():
    rng = np.random.default_rng(6)
    layer = random_conv(2, 3, 3, seed=5)
    inputs = rng.normal(size=(2, 2, 6, 7))
    gradient = rng.normal(size=layer.forward(inputs).shape)
    input_gradient = layer.backward(gradient)
    all_gradients = {name: value.copy() for name, value in layer.gradients.items()}
    assert input_gradient.shape == inputs.shape
    assert layer.backward(gradient, first=True) is None
    for name, value in layer.gradients.items():
        assert np.array_equal(value, all_gradients[name]), name


def test_conv2d_keeps_no_columns_after_forward():
    """The im2col columns hold every pixel k x k times: a network that only answers must
    not keep them. After forward the layer holds no array larger than its inputs."""
    layer = Conv2D(8, 16, 5, seed=0)
    inputs = np.random.default_rng(0).random((50, 8, 12, 12), dtype=np.float32)
    layer.forward(inputs)
    kept = [value for value in vars(layer).values() if isinstance(value, np.ndarray)]
    assert kept and max(value.nbytes for value in kept) <= inputs.nbytes
    assert sum(value.nbytes for value in kept) < 2 * inputs.nbytes


def test_the_gradient_check_catches_a_wrong_conv_gradient(monkeypatch):
    """A check that cannot fail proves nothing: break the weight gradient a little."""
    original = Conv2D.backward

    def off_by_a_bit(self, gradient):
        result = original(self, gradient)
        self.gradients["weights"] = self.gradients["weights"] * 1.001
        return result

    monkeypatch.setattr(Conv2D, "backward", off_by_a_bit)
    errors = check_layer_gradients(random_conv(2, 3, 3, seed=4),
                                   np.random.default_rng(4).normal(size=(2, 2, 5, 5)))
    assert errors["weights"] > 100 * TOLERANCE
    assert errors["inputs"] < TOLERANCE


# -- forward against independent computations -------------------------------------------------

def convolve_by_loops(inputs: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The definition of the layer, one output pixel at a time (no im2col)."""
    n, _, height, width = inputs.shape
    filters, _, k, _ = weights.shape
    outputs = np.zeros((n, filters, height - k + 1, width - k + 1))
    for image in range(n):
        for f in range(filters):
            for y in range(height - k + 1):
                for x in range(width - k + 1):
                    patch = inputs[image, :, y:y + k, x:x + k]
                    outputs[image, f, y, x] = np.sum(patch * weights[f]) + bias[f]
    return outputs


@pytest.mark.parametrize("channels, filters, kernel_size", [(1, 4, 5), (3, 2, 3), (2, 3, 1)])
def test_conv2d_forward_is_the_nested_loop_convolution(channels, filters, kernel_size):
    rng = np.random.default_rng(kernel_size)
    layer = random_conv(channels, filters, kernel_size, seed=7)
    inputs = rng.normal(size=(3, channels, 9, 8))
    outputs = layer.forward(inputs)
    assert outputs.shape == (3, filters, 10 - kernel_size, 9 - kernel_size)
    expected = convolve_by_loops(inputs, layer.parameters["weights"], layer.parameters["bias"])
    np.testing.assert_allclose(outputs, expected, rtol=1e-12, atol=1e-12)


def import_torch():
    """PyTorch, which the course does not need: the cross-checks skip without it, except
    under CI (``CI=true``), which installs it (``pip install -e .[crosscheck]``) to run them."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("PyTorch is missing: under CI the cross-check with PyTorch must run "
                        "(.ci/run installs it with pip install -e .[crosscheck])")
        pytest.skip("PyTorch is not installed (pip install -e .[crosscheck] to run this check)")
    return torch


def test_conv2d_forward_and_backward_match_pytorch():
    torch = import_torch()
    rng = np.random.default_rng(11)
    layer = random_conv(3, 5, 5, seed=8)
    inputs = rng.normal(size=(4, 3, 12, 10))
    outputs = layer.forward(inputs)
    gradient = rng.normal(size=outputs.shape)
    input_gradient = layer.backward(gradient)

    torch_inputs = torch.tensor(inputs, requires_grad=True)
    torch_weights = torch.tensor(layer.parameters["weights"], requires_grad=True)
    torch_bias = torch.tensor(layer.parameters["bias"], requires_grad=True)
    torch_outputs = torch.nn.functional.conv2d(torch_inputs, torch_weights, torch_bias)
    torch_outputs.backward(torch.tensor(gradient))

    np.testing.assert_allclose(outputs, torch_outputs.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(input_gradient, torch_inputs.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.gradients["weights"], torch_weights.grad.numpy(),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.gradients["bias"], torch_bias.grad.numpy(), rtol=1e-10)


def pool_by_loops(inputs: np.ndarray, size: int) -> np.ndarray:
    n, channels, height, width = inputs.shape
    outputs = np.zeros((n, channels, height // size, width // size))
    for image in range(n):
        for c in range(channels):
            for y in range(height // size):
                for x in range(width // size):
                    block = inputs[image, c, y * size:(y + 1) * size, x * size:(x + 1) * size]
                    outputs[image, c, y, x] = block.max()
    return outputs


@pytest.mark.parametrize("size", [1, 2, 3])
def test_maxpool_forward_is_the_largest_of_each_block(size):
    inputs = np.random.default_rng(size).normal(size=(2, 3, 6, 12))
    outputs = MaxPool2D(size).forward(inputs)
    assert np.array_equal(outputs, pool_by_loops(inputs, size))


def test_maxpool_sends_a_tied_block_s_gradient_to_its_first_largest_value_only():
    layer = MaxPool2D(2)
    inputs = np.array([[[[1.0, 1.0, 0.0, 2.0],
                         [0.0, 1.0, 2.0, 2.0]]]])  # two blocks: three 1s tie, three 2s tie
    assert np.array_equal(layer.forward(inputs), [[[[1.0, 2.0]]]])
    input_gradient = layer.backward(np.array([[[[5.0, 7.0]]]]))
    assert np.array_equal(input_gradient, [[[[5.0, 0.0, 0.0, 7.0],
                                             [0.0, 0.0, 0.0, 0.0]]]])


def test_reshape_and_flatten_undo_each_other():
    inputs = np.arange(2 * 784, dtype=np.float32).reshape(2, 784)
    images = Reshape((1, 28, 28)).forward(inputs)
    assert images.shape == (2, 1, 28, 28)
    assert images[1, 0, 2, 3] == inputs[1, 2 * 28 + 3]  # row by row, as in the CSV files
    assert np.array_equal(Flatten().forward(images), inputs)


# -- float32, seeds and starting weights -------------------------------------------------------

def test_a_float32_network_computes_in_float32():
    network = Sequential([Reshape((1, 28, 28)), Conv2D(1, 4, 5, seed=1), ReLU(), MaxPool2D(2),
                          Flatten(), Dense(4 * 12 * 12, 10, seed=2)],
                         SoftmaxCrossEntropy(), Adam())
    inputs = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    assert network.scores(inputs).dtype == np.float32
    network.backpropagate(inputs, [1, 2, 3])
    assert all(value.dtype == np.float32 for value in network.gradients().values())


def test_conv2d_starts_with_he_weights_and_zero_biases():
    layer = Conv2D(16, 64, 5, seed=0)  # fan-in 16 * 5 * 5 = 400
    weights = layer.parameters["weights"]
    assert weights.shape == (64, 16, 5, 5) and weights.dtype == np.float32
    assert np.std(weights) == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert abs(np.mean(weights)) < 0.002
    assert np.array_equal(layer.parameters["bias"], np.zeros(64))
    assert np.array_equal(Conv2D(16, 64, 5, seed=0).parameters["weights"], weights)
    assert not np.array_equal(Conv2D(16, 64, 5, seed=1).parameters["weights"], weights)


# -- config() rebuilds the layer ---------------------------------------------------------------

@pytest.mark.parametrize("layer", [Reshape((1, 28, 28)), Conv2D(3, 8, 5, gain=1.5, seed=0),
                                   MaxPool2D(3), Flatten()],
                         ids=lambda layer: type(layer).__name__)
def test_config_rebuilds_the_layer_through_layer_types(layer):
    config = layer.config()
    assert config["layer"] == type(layer).__name__
    assert LAYER_TYPES[config["layer"]] is type(layer)
    config = json.loads(json.dumps(config))  # plain numbers, lists and text only
    arguments = {key: value for key, value in config.items() if key != "layer"}
    rebuilt = LAYER_TYPES[config["layer"]](**arguments)
    assert rebuilt.config() == config
    assert {name: value.shape for name, value in rebuilt.parameters.items()} == \
        {name: value.shape for name, value in layer.parameters.items()}
    inputs = np.random.default_rng(0).random((2, 3, 12, 12)) if not isinstance(layer, Reshape) \
        else np.random.default_rng(0).random((2, 784))
    rebuilt.parameters.update({name: value.copy() for name, value in layer.parameters.items()})
    assert np.array_equal(rebuilt.forward(inputs), layer.forward(inputs))


def test_a_conv_network_s_config_lists_its_layers():
    config = small_conv_network().config()
    assert [layer["layer"] for layer in config["layers"]] == [
        "Reshape", "Conv2D", "ReLU", "MaxPool2D", "Conv2D", "ReLU", "Flatten", "Dense"]
    assert config["layers"][4] == {"layer": "Conv2D", "channels": 3, "filters": 4,
                                   "kernel_size": 2, "gain": 2.0}


# -- errors that say what to do ---------------------------------------------------------------

@pytest.mark.parametrize("layer, shape, words", [
    (Conv2D(1, 4, 5), (2, 784), ["(n, channels, height, width)", "Reshape((1, 28, 28))"]),
    (Conv2D(3, 4, 5), (2, 1, 28, 28), ["3 input channel(s)", "with 1", "filters"]),
    (Conv2D(1, 4, 5), (2, 1, 4, 28), ["5 x 5", "4 x 28"]),
    (MaxPool2D(2), (2, 4, 24), ["(n, channels, height, width)"]),
    (MaxPool2D(2), (2, 4, 7, 8), ["multiples of 2", "7 x 8"]),
    (Reshape((1, 28, 28)), (2, 783), ["784 values per sample", "(2, 783)"]),
])
def test_inputs_of_the_wrong_shape_say_what_is_wrong(layer, shape, words):
    with pytest.raises(ValueError) as error:
        layer.forward(np.zeros(shape, dtype=np.float32))
    for word in words:
        assert word in str(error.value)


@pytest.mark.parametrize("arguments", [(0, 4, 5), (1, 0, 5), (1, 4, 0)])
def test_conv2d_sizes_must_be_at_least_one(arguments):
    with pytest.raises(ValueError, match="at least 1"):
        Conv2D(*arguments)


def test_maxpool_size_must_be_at_least_one():
    with pytest.raises(ValueError, match="at least 1"):
        MaxPool2D(0)


# -- notebook 08's network and the one that ships ------------------------------------------------

def test_mnist_cnn_takes_rows_of_784_pixels_and_gives_10_probabilities():
    network = mnist_cnn(seed=0)
    assert sum(value.size for value in network.parameters().values()) == 184_586
    inputs = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    outputs = network.query(inputs)
    assert outputs.shape == (3, 10) and outputs.dtype == np.float32
    np.testing.assert_allclose(outputs.sum(axis=1), 1, rtol=1e-5)
    assert network.query(inputs[0]).shape == (10,)  # one image, as the drawing pad asks
    assert np.array_equal(mnist_cnn(seed=0).parameters()["4.weights"],
                          network.parameters()["4.weights"])


def test_the_shipped_conv_network_is_notebook_08_s_and_reads_over_99_percent():
    network = load_network(MODELS_DIR / "mnist_cnn.npz")
    assert network.config()["layers"] == mnist_cnn().config()["layers"]
    inputs, labels = load_mnist("test")
    predictions = np.concatenate([network.predict(inputs[first:first + 1000])
                                  for first in range(0, len(labels), 1000)])
    assert np.mean(predictions == labels) >= 0.990
