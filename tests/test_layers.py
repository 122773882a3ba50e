"""Tests of helpers/layers.py, helpers/optimizers.py and helpers/augment.py, and of what
helpers/training.py and helpers/saving.py do with a Sequential network.

* every layer and loss, and whole networks, against central differences, in float64;
* a Sequential network of Dense, Sigmoid and SigmoidSquaredError computes exactly what
  notebook 02's NeuralNetwork computes, and fit trains both to the same weights;
* Momentum, Adam and weight decay against steps worked out by hand;
* augmented images keep their shape and range, and move as they should;
* a Sequential network saves and loads back exactly; damaged files are refused clearly;
* a ReLU / softmax network learns XOR; bad inputs give errors that say what is wrong.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from helpers.augment import random_rotations_and_shifts, rotate_and_shift
from helpers.data import DATA_DIR, read_mnist_csv, scale_pixels
from helpers.layers import (LAYER_TYPES, Dense, ReLU, Sequential, Sigmoid, SigmoidSquaredError,
                            SoftmaxCrossEntropy)
from helpers.conv import Conv2D, Flatten, MaxPool2D, Reshape
from helpers.core import TrainingDiverged
from helpers.network import NeuralNetwork
from helpers.optimizers import OPTIMIZERS, SGD, Adam, Momentum
from helpers.saving import ModelFileError, load_network, save_network
from helpers.training import fit
from gradient_check import numerical_gradient, relative_error

LOSSES = [SoftmaxCrossEntropy, SigmoidSquaredError]


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """The first 100 training digits: inputs (float32, 0.01..1.0) and labels."""
    frame = read_mnist_csv(DATA_DIR / "mnist_train_100.csv")
    return scale_pixels(frame.drop(columns="label").to_numpy()), frame["label"].to_numpy()


def small_network(loss, hidden=(5, 4), activation=ReLU, inputs=6, outputs=3, seed=0,
                  dtype=np.float64, optimizer=None) -> Sequential:
    sizes = [inputs, *hidden]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers += [Dense(n_in, n_out, gain=2.0, seed=seed + i, dtype=dtype), activation()]
    layers.append(Dense(sizes[-1], outputs, seed=seed + len(hidden), dtype=dtype))
    return Sequential(layers, loss, optimizer or SGD(0.1), input_nodes=inputs)


# -- gradients against central differences, in float64 ---------------------------------------

@pytest.mark.parametrize("make_layer", [lambda: Dense(5, 4, seed=1, dtype=np.float64), Sigmoid, ReLU],
                         ids=["Dense", "Sigmoid", "ReLU"])
def test_each_layer_s_backward_is_its_numerical_gradient(make_layer):
    """For a layer y = L(x) and any upstream gradient G, backward(G) is d(sum(G * y))/dx and
    the stored gradients are d(sum(G * y))/d(parameter)."""
    rng = np.random.default_rng(0)
    layer = make_layer()
    x = rng.normal(size=(3, 5))
    x[np.abs(x) < 0.05] = 0.5  # keep away from ReLU's kink at 0, where it has no slope
    upstream = rng.normal(size=layer.forward(x).shape)

    def f():
        return float(np.sum(upstream * layer.forward(x)))

    layer.forward(x)
    backprop = layer.backward(upstream)
    assert backprop.shape == x.shape
    assert relative_error(backprop, numerical_gradient(f, x)) < 1e-6
    for name, parameter in layer.parameters.items():
        assert relative_error(layer.gradients[name], numerical_gradient(f, parameter)) < 1e-6, name


@pytest.mark.parametrize("loss", LOSSES, ids=lambda cls: cls.__name__)
def test_each_loss_s_gradient_is_its_numerical_gradient(loss):
    rng = np.random.default_rng(1)
    scores, labels = rng.normal(size=(4, 3)) * 2, np.array([0, 2, 1, 2])
    _, gradient = loss().loss_and_gradient(scores.copy(), labels)
    numerical = numerical_gradient(lambda: loss().loss_and_gradient(scores.copy(), labels)[0],
                                     scores)
    assert relative_error(gradient, numerical) < 1e-6


def test_softmax_cross_entropy_is_minus_log_of_the_label_s_probability():
    scores = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss, gradient = SoftmaxCrossEntropy().loss_and_gradient(scores, np.array([2, 0]))
    assert loss == pytest.approx(-(np.log(probabilities[0, 2]) + np.log(1 / 3)) / 2)
    one_hot = np.array([[0, 0, 1], [1, 0, 0]])
    assert np.allclose(gradient, (probabilities - one_hot) / 2)
    # the outputs of a softmax network are probabilities: each row adds up to 1
    assert np.allclose(SoftmaxCrossEntropy().outputs(scores).sum(axis=1), 1)


def test_the_first_layer_that_learns_works_out_no_gradient_for_the_network_s_inputs(
        monkeypatch):
    """Nothing before the first Dense layer learns, so backpropagation stops there: that
    layer is asked for its parameters' gradients only (the same ones as when asked for all)."""
    rng = np.random.default_rng(4)
    network = small_network(SoftmaxCrossEntropy())
    inputs, labels = rng.random((5, 6)), rng.integers(0, 3, 5)
    asked = []
    original = Dense.backward

    def spy(layer, gradient, first=False):
        asked.append((network.layers.index(layer), first))
        return original(layer, gradient, first=first)

    monkeypatch.setattr(Dense, "backward", spy)
    network.backpropagate(inputs, labels)
    assert asked == [(4, False), (2, False), (0, True)]
    first_layer = network.layers[0]
    upstream = rng.normal(size=(5, first_layer.outputs))
    first_layer.forward(inputs)
    assert original(first_layer, upstream, first=True) is None
    only_parameters = {name: value.copy() for name, value in first_layer.gradients.items()}
    assert original(first_layer, upstream).shape == inputs.shape
    for name, value in first_layer.gradients.items():
        assert np.array_equal(value, only_parameters[name]), name


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_cross_entropy_of_a_sure_wrong_answer_is_its_full_size(dtype):
    """The label's probability rounds to 0 here (e**-1000): the loss must still be the
    exact -log p = 1000 (and 500 on average over two samples), not capped nor infinite."""
    scores = np.array([[1000.0, 0.0, 0.0], [0.0, 0.0, 0.0]], dtype=dtype)
    loss, gradient = SoftmaxCrossEntropy().loss_and_gradient(scores, np.array([1, 0]))
    assert loss == pytest.approx((1000.0 + np.log(3)) / 2, rel=1e-6)
    assert np.allclose(gradient, [[0.5, -0.5, 0.0], [1 / 6 - 0.5, 1 / 6, 1 / 6]])
    assert gradient.dtype == dtype


@pytest.mark.parametrize("loss", LOSSES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("activation", [ReLU, Sigmoid])
def test_a_whole_network_s_gradients_are_its_numerical_gradients(loss, activation):
    rng = np.random.default_rng(2)
    network = small_network(loss(), activation=activation)
    inputs, labels = rng.random((7, 6)), rng.integers(0, 3, 7)
    network.backpropagate(inputs, labels)
    backprop = network.gradients()
    assert set(backprop) == set(network.parameters()) and len(backprop) == 6
    for name, parameter in network.parameters().items():
        numerical = numerical_gradient(lambda: network.loss(inputs, labels), parameter)
        assert backprop[name].dtype == np.float64
        assert relative_error(backprop[name], numerical) < 1e-6, name


def test_the_network_computes_in_the_float_type_of_its_parameters():
    inputs = np.random.default_rng(3).random((2, 6))
    assert small_network(SoftmaxCrossEntropy()).query(inputs).dtype == np.float64
    network32 = small_network(SoftmaxCrossEntropy(), dtype=np.float32)
    assert network32.dtype == np.float32 and network32.query(inputs).dtype == np.float32
    network32.train(inputs, [0, 1])
    assert all(value.dtype == np.float32 for value in network32.parameters().values())


# -- the same computation as notebook 02's network -------------------------------------------

def twin_of(network: NeuralNetwork, learning_rate: float) -> Sequential:
    """A Sequential network with the weights of ``network`` (copies) and its layers and loss."""
    hidden = Dense(network.input_nodes, network.hidden_nodes, dtype=network.dtype)
    output = Dense(network.hidden_nodes, network.output_nodes, dtype=network.dtype)
    hidden.parameters = {"weights": network.w_input_hidden.copy(), "bias": network.b_hidden.copy()}
    output.parameters = {"weights": network.w_hidden_output.copy(),
                         "bias": network.b_output.copy()}
    return Sequential([hidden, Sigmoid(), output], SigmoidSquaredError(), SGD(learning_rate),
                      input_nodes=network.input_nodes)


NAMES = {"0.weights": "w_input_hidden", "0.bias": "b_hidden",
         "2.weights": "w_hidden_output", "2.bias": "b_output"}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_sigmoid_squared_error_is_notebook_02_s_network_exactly(digits, dtype):
    """Same outputs, loss and gradients to the last bit. (A batch of 8 and a learning rate of
    0.5: dividing by powers of 2 is exact, so the two orders of the same sums agree.)"""
    inputs, labels = digits[0][:8], digits[1][:8]
    original = NeuralNetwork(784, 30, 10, learning_rate=0.5, seed=5, dtype=dtype)
    twin = twin_of(original, learning_rate=0.5)
    assert np.array_equal(twin.query(inputs), original.query(inputs))
    assert twin.loss(inputs, labels) == original.loss(inputs, labels)
    twin.backpropagate(inputs, labels)
    expected = original.gradients(inputs, labels)
    for name, gradient in twin.gradients().items():
        assert gradient.dtype == dtype
        assert np.array_equal(gradient, expected[NAMES[name]]), name
    for _ in range(3):
        assert twin.train(inputs, labels) == original.train(inputs, labels)
    for name, value in twin.parameters().items():
        assert np.array_equal(value, getattr(original, NAMES[name])), name


def test_fit_trains_both_kinds_of_network_to_the_same_weights(digits):
    inputs, labels = digits
    original = NeuralNetwork(784, 30, 10, learning_rate=1.0, seed=8)
    twin = twin_of(original, learning_rate=1.0)
    histories = [fit(network, inputs, labels, epochs=2, batch_size=16, learning_rate_decay=0.5,
                     seed=9, progress=False) for network in (original, twin)]
    for name, value in twin.parameters().items():
        assert np.array_equal(value, getattr(original, NAMES[name])), name
    assert histories[0] == {**histories[1], "seconds": histories[0]["seconds"]}
    assert histories[1]["learning_rate"] == [1.0, 0.5]


def test_both_kinds_of_network_refuse_the_same_bad_labels_with_the_same_words():
    """One label check for every network: the words a learner reads do not depend on which
    network they train."""
    inputs = np.full((2, 784), 0.5)
    networks = (NeuralNetwork(784, 5, 10), twin_of(NeuralNetwork(784, 5, 10), learning_rate=0.1))
    for labels in ([3, 10], [3], np.eye(10)[:2], [0.5, 1]):
        messages = []
        for network in networks:
            with pytest.raises(ValueError) as error:
                network.train(inputs, labels)
            messages.append(str(error.value))
        assert messages[0] == messages[1]


# -- optimisers against steps worked out by hand ----------------------------------------------

def one_parameter():
    return {"w": np.array([[1.0, -2.0]]), "b": np.array([0.5])}


def test_sgd_steps_downhill():
    parameters = one_parameter()
    SGD(0.1).step(parameters, {"w": np.array([[2.0, -1.0]]), "b": np.array([4.0])})
    assert np.allclose(parameters["w"], [[1.0 - 0.2, -2.0 + 0.1]])
    assert np.allclose(parameters["b"], [0.5 - 0.4])


def test_momentum_against_two_steps_by_hand():
    parameters = one_parameter()
    optimizer = Momentum(learning_rate=0.1, momentum=0.9)
    optimizer.step(parameters, {"w": np.array([[2.0, -1.0]]), "b": np.array([4.0])})
    # v = 0.9 * 0 - 0.1 g = (-0.2, 0.1), b: -0.4
    assert np.allclose(parameters["w"], [[0.8, -1.9]]) and np.allclose(parameters["b"], [0.1])
    optimizer.step(parameters, {"w": np.array([[1.0, 1.0]]), "b": np.array([0.0])})
    # v = 0.9 * (-0.2, 0.1) - 0.1 * (1, 1) = (-0.28, -0.01); b: 0.9 * -0.4 = -0.36
    assert np.allclose(parameters["w"], [[0.8 - 0.28, -1.9 - 0.01]])
    assert np.allclose(parameters["b"], [0.1 - 0.36])


def test_adam_against_two_steps_by_hand():
    parameters = {"w": np.array([3.0])}
    optimizer = Adam(learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8)
    # step 1, g = 2: m = 0.2, v = 0.004; corrected: m_hat = 2, v_hat = 4, so the step is
    # 0.01 * 2 / (2 + 1e-8): the first step moves each parameter by the learning rate
    optimizer.step(parameters, {"w": np.array([2.0])})
    assert parameters["w"][0] == pytest.approx(3.0 - 0.01 * 2 / (2 + 1e-8), abs=1e-15)
    # step 2, g = -1: m = 0.9 * 0.2 + 0.1 * -1 = 0.08, v = 0.999 * 0.004 + 0.001 * 1 = 0.004996
    m_hat, v_hat = 0.08 / (1 - 0.9 ** 2), 0.004996 / (1 - 0.999 ** 2)
    expected = parameters["w"][0] - 0.01 * m_hat / (math.sqrt(v_hat) + 1e-8)
    optimizer.step(parameters, {"w": np.array([-1.0])})
    assert parameters["w"][0] == pytest.approx(expected, abs=1e-15)
    assert optimizer.t == 2


@pytest.mark.parametrize("optimizer", [SGD(0.1, weight_decay=0.5), Momentum(0.1, weight_decay=0.5),
                                       Adam(0.1, weight_decay=0.5)], ids=lambda o: type(o).__name__)
def test_weight_decay_shrinks_weights_but_not_biases(optimizer):
    """With zero gradients only the decay acts: w -= learning_rate * weight_decay * w."""
    parameters = one_parameter()
    zero = {name: np.zeros_like(value) for name, value in parameters.items()}
    for _ in range(2):
        optimizer.step(parameters, zero)
    assert np.allclose(parameters["w"], np.array([[1.0, -2.0]]) * (1 - 0.1 * 0.5) ** 2)
    assert parameters["b"][0] == 0.5


def test_weight_decay_keeps_a_trained_network_s_weights_smaller(digits):
    inputs, labels = digits
    sizes = []
    for decay in (0.0, 2.0):
        network = Sequential([Dense(784, 20, gain=2, seed=1), ReLU(), Dense(20, 10, seed=2)],
                             SoftmaxCrossEntropy(), Adam(0.01, weight_decay=decay))
        fit(network, inputs, labels, epochs=5, batch_size=20, progress=False)
        sizes.append(np.linalg.norm(network.parameters()["0.weights"]))
    assert sizes[1] < 0.8 * sizes[0]


def test_optimizers_keep_float32_and_have_a_config():
    parameters = {"w": np.ones((2, 2), dtype=np.float32)}
    for optimizer in (SGD(0.1, 0.01), Momentum(0.1), Adam(0.001)):
        optimizer.step(parameters, {"w": np.full((2, 2), 0.5, dtype=np.float32)})
        assert parameters["w"].dtype == np.float32
        config = optimizer.config()
        rebuilt = OPTIMIZERS[config.pop("optimizer")](**config)
        assert rebuilt.config() == optimizer.config()
    assert Adam(0.002).config() == {"optimizer": "Adam", "learning_rate": 0.002,
                                    "weight_decay": 0.0, "beta1": 0.9, "beta2": 0.999,
                                    "epsilon": 1e-8}


@pytest.mark.parametrize("make, message", [
    (lambda: SGD(0), "learning_rate must be a number greater than 0"),
    (lambda: SGD(float("nan")), "learning_rate"),
    (lambda: SGD(0.1, weight_decay=-1), "weight_decay must be a number at least 0"),
    (lambda: Momentum(0.1, momentum=1.0), "momentum must be a number at least 0 and less than 1"),
    (lambda: Adam(beta2=1.5), "beta2"),
    (lambda: Adam(epsilon=0), "epsilon"),
])
def test_bad_optimizer_settings(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# -- augmentation -------------------------------------------------------------------------------

def test_augmented_images_keep_shape_type_and_range_and_move(digits):
    images = digits[0][:50]
    moved = random_rotations_and_shifts(images, np.random.default_rng(0))
    assert moved.shape == images.shape and moved.dtype == np.float32
    assert moved.min() >= 0.01 and moved.max() <= 1.0
    changed = np.abs(moved - images).max(axis=1) > 0.1
    assert changed.all()  # every image moved
    assert np.isclose(moved[:, :28].min(), 0.01)  # the background stays 0.01
    # the amount of ink stays about the same: a turn and a shift neither add nor remove it
    ink_before, ink_after = (images - 0.01).sum(axis=1), (moved - 0.01).sum(axis=1)
    assert np.allclose(ink_after, ink_before, rtol=0.1)
    again = random_rotations_and_shifts(images, np.random.default_rng(0))
    assert np.array_equal(moved, again)  # the same generator state gives the same images


def test_rotate_and_shift_against_numpy_s_own_moves(digits):
    images = digits[0][:5]
    square = images.reshape(5, 28, 28)
    assert np.array_equal(rotate_and_shift(images, 0, (0, 0)), images)
    turned = rotate_and_shift(images, 90, (0, 0)).reshape(5, 28, 28)
    assert np.allclose(turned, np.rot90(square, axes=(1, 2)), atol=1e-6)  # anticlockwise
    shifted = rotate_and_shift(images, 0, (1, -2)).reshape(5, 28, 28)  # 1 down, 2 left
    expected = np.full_like(square, 0.01)
    expected[:, 1:, :-2] = square[:, :-1, 2:]
    assert np.array_equal(shifted, expected)
    assert np.allclose(rotate_and_shift(images, 0, (40, 0)), 0.01)  # moved out of the picture
    # one angle and shift per image
    each = rotate_and_shift(images[:2], [0, 90], [(0, 0), (0, 0)]).reshape(2, 28, 28)
    assert np.array_equal(each[0], square[0]) and np.allclose(each[1], np.rot90(square[1]))


def test_a_half_pixel_shift_mixes_neighbours(digits):
    image = digits[0][:1]
    half = rotate_and_shift(image, 0, (0, 0.5)).reshape(28, 28)
    square = image.reshape(28, 28)
    assert np.allclose(half[:, 1:], (square[:, :-1] + square[:, 1:]) / 2)


def test_augment_wants_network_inputs():
    with pytest.raises(ValueError, match=r"shape \(n, 784\)"):
        random_rotations_and_shifts(np.zeros((2, 28, 28)), np.random.default_rng(0))


def test_fit_augments_every_batch_with_its_own_generator(digits):
    inputs, labels = digits
    seen = []

    def augment(batch, rng):
        seen.append(len(batch))
        assert isinstance(rng, np.random.Generator)
        return random_rotations_and_shifts(batch, rng)

    runs = []
    for _ in range(2):
        network = small_network(SoftmaxCrossEntropy(), hidden=(20,), inputs=784, outputs=10,
                                dtype=np.float32, optimizer=Adam(0.001))
        fit(network, inputs, labels, epochs=2, batch_size=32, progress=False, augment=augment)
        runs.append(network.parameters()["0.weights"])
    assert seen == [32, 32, 32, 4] * 4
    assert np.array_equal(*runs)  # the seed of fit fixes the augmentation too


# -- saving and loading a Sequential network ------------------------------------------------

def trained_network(dtype=np.float32) -> Sequential:
    rng = np.random.default_rng(4)
    network = Sequential([Dense(784, 12, gain=2.0, seed=1, dtype=dtype), ReLU(),
                          Dense(12, 8, gain=2.0, seed=2, dtype=dtype), ReLU(),
                          Dense(8, 10, seed=3, dtype=dtype)],
                         SoftmaxCrossEntropy(), Adam(0.003, weight_decay=0.01))
    for _ in range(3):
        network.train(rng.random((16, 784)), rng.integers(0, 10, 16))
    return network


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_sequential_network_saves_and_loads_back_exactly(tmp_path, dtype):
    network = trained_network(dtype)
    path = save_network(network, tmp_path / "layers.npz", name="a layered network")
    loaded = load_network(path)
    assert type(loaded) is Sequential and loaded.name == "a layered network"
    assert loaded.config() == network.config()
    assert [type(layer) for layer in loaded.layers] == [Dense, ReLU, Dense, ReLU, Dense]
    assert isinstance(loaded.optimizer, Adam) and loaded.optimizer.weight_decay == 0.01
    for name, value in network.parameters().items():
        assert loaded.parameters()[name].dtype == dtype
        assert np.array_equal(loaded.parameters()[name], value), name
    inputs = np.random.default_rng(5).random((4, 784))
    assert np.array_equal(loaded.query(inputs), network.query(inputs))
    with np.load(path, allow_pickle=False) as archive:
        assert str(archive["kind"]) == "Sequential"
        assert json.loads(str(archive["config"])) == network.config()
        assert "parameter/0.weights" in archive.files


def test_a_conv_network_saves_and_loads_back(tmp_path):
    network = Sequential([Reshape((1, 28, 28)), Conv2D(1, 2, 5, seed=1), ReLU(),
                          MaxPool2D(2), Flatten(), Dense(288, 10, seed=2)],
                         SoftmaxCrossEntropy(), Adam())
    loaded = load_network(save_network(network, tmp_path / "conv.npz"))
    inputs = np.random.default_rng(6).random((2, 784))
    assert np.array_equal(loaded.query(inputs), network.query(inputs))


def rewrite(path, tmp_path, change) -> str:
    """A copy of the file ``path`` with ``change`` made to its arrays; its path."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = dict(archive)
    change(arrays)
    changed = tmp_path / "changed.npz"
    np.savez(changed, **arrays)
    return changed


def with_config(change):
    def changed(arrays):
        config = json.loads(str(arrays["config"]))
        change(config)
        arrays["config"] = np.array(json.dumps(config))
    return changed


@pytest.mark.parametrize("change, message", [
    (lambda a: a.pop("parameter/2.bias"), "missing the array parameter/2.bias"),
    (lambda a: a.update({"parameter/0.weights": np.zeros((12, 783))}),
     r"parameter/0.weights has shape \(12, 783\), expected \(12, 784\)"),
    (lambda a: a.update({"parameter/4.bias": np.full(10, np.nan)}), "must hold finite"),
    (lambda a: a.update({"parameter/5.weights": np.zeros(3)}), "holds parameter/5.weights, which"),
    (lambda a: a.update({"config": np.array("{not json")}), "no readable config"),
    (lambda a: a.pop("config"), "no readable config"),
    (with_config(lambda c: c.pop("optimizer")), "no readable config.*KeyError"),
    (with_config(lambda c: c["layers"][1].update(layer="Swish")),
     "layer 1 is a 'Swish', which this course does not know.*Dense"),
    (with_config(lambda c: c["layers"][0].update(outputs=-1)), "layer 0, Dense, cannot be built"),
    (with_config(lambda c: c["layers"][0].update(colour="red")), "layer 0, Dense, cannot be built"),
    (with_config(lambda c: c.update(loss="hinge")), "the loss 'hinge'.*unknown"),
    (with_config(lambda c: c["optimizer"].update(optimizer="Lion")), "the optimiser 'Lion'"),
    (with_config(lambda c: c["optimizer"].update(learning_rate=-1)), "cannot build.*learning_rate"),
])
def test_a_damaged_sequential_file_is_refused_clearly(tmp_path, change, message):
    path = save_network(trained_network(), tmp_path / "layers.npz")
    changed = rewrite(path, tmp_path, change)
    with pytest.raises(ModelFileError, match=message) as error:
        load_network(changed)
    assert str(changed) in str(error.value)


def test_the_shipped_networks_load():
    from helpers.saving import BEST_DENSE_MODEL, DEFAULT_MODEL
    assert isinstance(load_network(DEFAULT_MODEL), NeuralNetwork)
    best = load_network(BEST_DENSE_MODEL)
    assert isinstance(best, Sequential) and "notebook 07" in best.name
    assert best.input_nodes == 784 and best.query(np.full(784, 0.01)).shape == (10,)


# -- learning, and errors that say what is wrong -----------------------------------------------

def test_a_relu_softmax_network_learns_xor():
    inputs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0])
    network = Sequential([Dense(2, 8, gain=2.0, seed=0, dtype=np.float64), ReLU(),
                          Dense(8, 2, seed=1, dtype=np.float64)],
                         SoftmaxCrossEntropy(), Adam(0.05), input_nodes=2)
    first_loss = network.loss(inputs, labels)
    for _ in range(300):
        network.train(inputs, labels)
    assert np.array_equal(network.predict(inputs), labels)
    assert network.loss(inputs, labels) < 0.05 * first_loss
    assert np.allclose(network.query(inputs).sum(axis=1), 1)


def test_a_relu_network_reads_digits_after_a_little_training(digits):
    inputs, labels = digits
    network = small_network(SoftmaxCrossEntropy(), hidden=(32,), inputs=784, outputs=10,
                            dtype=np.float32, optimizer=Adam(0.003))
    history = fit(network, inputs, labels, epochs=10, batch_size=10, progress=False)
    assert history["train_accuracy"][-1] >= 0.95  # it learns the 100 digits
    assert history["train_loss"][-1] < 0.2 * history["train_loss"][0]


@pytest.mark.parametrize("inputs, message", [
    (np.zeros((2, 5)), r"inputs have shape \(2, 5\), but this network expects 6 values per sample"),
    (np.zeros((2, 2, 6)), "expects 6 values per sample"),
    (np.zeros((0, 6)), "expects 6 values"),
    (np.full((1, 6), np.nan), "NaN or infinite"),
])
def test_bad_inputs(inputs, message):
    with pytest.raises(ValueError, match=message):
        small_network(SoftmaxCrossEntropy()).query(inputs)


@pytest.mark.parametrize("labels, message", [
    ([0, 3], r"labels\[1\] is 3, but labels must be whole numbers 0 to 2"),
    ([0, -1], r"labels\[1\] is -1"),
    ([0.5, 1.0], r"labels\[0\] is 0.5"),
    ([0], r"one whole number 0 to 2 per sample \(2 samples here\)"),
    (np.eye(3)[:2], "like target vectors"),
])
def test_bad_labels(labels, message):
    network = small_network(SoftmaxCrossEntropy())
    with pytest.raises(ValueError, match=message):
        network.train(np.zeros((2, 6)), labels)


def test_layers_that_do_not_fit_together_say_so():
    network = Sequential([Dense(6, 5), ReLU(), Dense(4, 3)], SoftmaxCrossEntropy(), SGD(0.1),
                         input_nodes=6)
    with pytest.raises(ValueError, match=r"Dense\(inputs=4, outputs=3, gain=1.0\) takes 4 values "
                                         r"per sample, but the layer before gives 5"):
        network.query(np.zeros(6))


@pytest.mark.parametrize("build, message", [
    (lambda: Sequential([], SoftmaxCrossEntropy(), SGD()), "layers must be a list of layers"),
    (lambda: Sequential([Dense(6, 3), "relu"], SoftmaxCrossEntropy(), SGD()), "list of layers"),
    (lambda: Sequential([Dense(6, 3)], "cross-entropy", SGD()), "loss must be one of"),
    (lambda: Sequential([Dense(6, 3)], SoftmaxCrossEntropy(), 0.1), "optimizer must be"),
    (lambda: Sequential([Dense(6, 3)], SoftmaxCrossEntropy(), SGD(), input_nodes=0),
     "input_nodes must be"),
    (lambda: Sequential([ReLU()], SoftmaxCrossEntropy(), SGD(), input_nodes=6),
     "none of these layers has any"),
    (lambda: Dense(784, 0), "outputs must be a whole number"),
    (lambda: Dense(78.4, 10), "inputs must be a whole number"),
])
def test_bad_building_blocks(build, message):
    with pytest.raises((TypeError, ValueError), match=message):
        build()


def test_a_learning_rate_far_too_large_stops_training_with_advice():
    rng = np.random.default_rng(7)
    network = small_network(SoftmaxCrossEntropy(), optimizer=SGD(1e30), dtype=np.float32)
    inputs, labels = rng.random((8, 6)), rng.integers(0, 3, 8)
    with pytest.raises(TrainingDiverged, match="smaller learning rate"):
        for _ in range(5):
            network.train(inputs, labels)


def test_layers_rebuild_from_their_config_and_show_it():
    for layer in (Dense(784, 10, gain=2.0), Sigmoid(), ReLU()):
        config = json.loads(json.dumps(layer.config()))
        arguments = {key: value for key, value in config.items() if key != "layer"}
        assert LAYER_TYPES[config["layer"]](**arguments).config() == layer.config()
    assert repr(Dense(784, 10)) == "Dense(inputs=784, outputs=10, gain=1.0)"
    assert repr(ReLU()) == "ReLU()"
    text = repr(small_network(SoftmaxCrossEntropy(), hidden=(4,)))
    assert "Dense(inputs=6, outputs=4, gain=2.0)" in text and "SoftmaxCrossEntropy()" in text
    assert "SGD(learning_rate=0.1" in text
