"""Tests of helpers/network.py (and the loop of helpers/training.py).

* backpropagation against central differences, in float64, for all four parameters;
* the network learns XOR, which no network without a hidden layer can;
* a mini-batch step is the mean of the per-sample steps;
* the same seed gives the same weights, another seed other weights;
* bad inputs and diverging training give clear errors;
* the methods that notebook 02 builds are, character for character, those of the module
  (the check itself is tests/notebook_cells.py).
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

from helpers.data import DATA_DIR, load_mnist, read_mnist_csv, scale_pixels
from helpers.core import TrainingDiverged, make_targets
from helpers.network import NeuralNetwork
from helpers.training import check_not_stuck, fit
from gradient_check import numerical_gradient, relative_error

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_02 = ROOT / "notebooks" / "02_network_by_hand.ipynb"
PARAMETERS = NeuralNetwork.PARAMETERS


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """The first 100 training digits: inputs (float32, 0.01..1.0) and labels."""
    frame = read_mnist_csv(DATA_DIR / "mnist_train_100.csv")
    return scale_pixels(frame.drop(columns="label").to_numpy()), frame["label"].to_numpy()


def copy_parameters(network) -> dict[str, np.ndarray]:
    return {name: getattr(network, name).copy() for name in PARAMETERS}


# -- backpropagation against central differences --------------------------------------------

def independent_loss(network, inputs, targets) -> float:
    """The loss computed here from the weights, with the sigmoid written out: no network code."""
    def sigma(z):
        return 1.0 / (1.0 + np.exp(-z))
    hidden = sigma(inputs @ network.w_input_hidden.T + network.b_hidden)
    outputs = sigma(hidden @ network.w_hidden_output.T + network.b_output)
    return 0.5 * np.sum((targets - outputs) ** 2) / len(inputs)


def network_numerical_gradient(network, name, inputs, targets, indices=None) -> np.ndarray:
    """Central differences of the independent loss for a parameter (or its entries ``indices``)."""
    return numerical_gradient(lambda: independent_loss(network, inputs, targets),
                              getattr(network, name), epsilon=1e-5, indices=indices)


def test_independent_loss_is_the_network_loss(digits):
    inputs, labels = digits
    network = NeuralNetwork(784, 20, 10, seed=3, dtype=np.float64)
    targets = make_targets(labels[:7], dtype=np.float64)
    assert network.loss(inputs[:7], labels[:7]) == pytest.approx(
        independent_loss(network, inputs[:7].astype(np.float64), targets), rel=1e-12)


def test_gradients_of_a_small_network_match_central_differences_everywhere():
    rng = np.random.default_rng(0)
    network = NeuralNetwork(5, 4, 3, seed=1, dtype=np.float64)
    network.b_hidden[:] = rng.normal(size=4)  # non-zero biases, so that they are tested too
    network.b_output[:] = rng.normal(size=3)
    inputs, labels = rng.random((6, 5)), rng.integers(0, 3, 6)
    targets = make_targets(labels, 3, np.float64)
    backprop = network.gradients(inputs, labels)
    for name in PARAMETERS:
        numerical = network_numerical_gradient(network, name, inputs, targets)
        assert backprop[name].shape == getattr(network, name).shape
        assert relative_error(backprop[name], numerical) < 1e-6, name


@pytest.mark.parametrize("samples", [1, 5])
def test_gradients_of_the_full_network_match_central_differences(digits, samples):
    inputs, labels = digits
    inputs = inputs[:samples].astype(np.float64)
    targets = make_targets(labels[:samples], dtype=np.float64)
    network = NeuralNetwork(784, 200, 10, seed=2, dtype=np.float64)
    backprop = network.gradients(inputs, labels[:samples])
    rng = np.random.default_rng(samples)
    for name in PARAMETERS:
        parameter = getattr(network, name)
        picks = [np.unravel_index(i, parameter.shape)
                 for i in rng.choice(parameter.size, size=min(30, parameter.size), replace=False)]
        numerical = network_numerical_gradient(network, name, inputs, targets, indices=picks)
        assert relative_error(np.array([backprop[name][i] for i in picks]), numerical) < 1e-6, name


def test_the_gradient_check_catches_a_wrong_gradient():
    """The check above must be able to fail: a gradient that is off by a little is caught."""
    rng = np.random.default_rng(0)
    network = NeuralNetwork(5, 4, 3, seed=1, dtype=np.float64)
    inputs, labels = rng.random((6, 5)), rng.integers(0, 3, 6)
    targets = make_targets(labels, 3, np.float64)
    wrong = network.gradients(inputs, labels)["w_input_hidden"] * 1.001
    numerical = network_numerical_gradient(network, "w_input_hidden", inputs, targets)
    assert relative_error(wrong, numerical) > 1e-6


# -- learning -------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 42])
def test_a_small_network_learns_xor(seed):
    inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    labels = np.array([0, 1, 1, 0])  # XOR: 1 when exactly one input is 1
    network = NeuralNetwork(2, 4, 2, learning_rate=2.0, seed=seed)
    first_loss = network.loss(inputs, labels)
    for _ in range(3000):
        network.train(inputs, labels)
    assert network.predict(inputs).tolist() == labels.tolist()
    assert network.loss(inputs, labels) < 0.01 < first_loss


def test_train_steps_against_the_gradient_and_returns_the_loss_before(digits):
    inputs, labels = digits
    network = NeuralNetwork(784, 50, 10, learning_rate=0.3, seed=4, dtype=np.float64)
    before, gradients = copy_parameters(network), network.gradients(inputs[:8], labels[:8])
    loss_before = network.loss(inputs[:8], labels[:8])
    assert network.train(inputs[:8], labels[:8]) == pytest.approx(loss_before, rel=1e-12)
    for name in PARAMETERS:
        np.testing.assert_allclose(getattr(network, name), before[name] - 0.3 * gradients[name],
                                   rtol=1e-12, atol=1e-15)
    assert network.loss(inputs[:8], labels[:8]) < loss_before


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_a_mini_batch_step_is_the_mean_of_the_per_sample_steps(digits, dtype, tolerance):
    inputs, labels = digits
    batch = slice(10, 26)  # 16 digits
    network = NeuralNetwork(784, 200, 10, learning_rate=0.5, seed=5, dtype=dtype)
    before = copy_parameters(network)
    # each sample's own step, all from the same starting weights
    steps = []
    for x, label in zip(inputs[batch], labels[batch]):
        one = NeuralNetwork(784, 200, 10, learning_rate=0.5, seed=5, dtype=dtype)
        one.train(x, label)
        steps.append({name: getattr(one, name) - before[name] for name in PARAMETERS})
    network.train(inputs[batch], labels[batch])
    for name in PARAMETERS:
        batch_step = getattr(network, name) - before[name]
        mean_step = np.mean([step[name] for step in steps], axis=0)
        scale = np.abs(mean_step).max()
        assert np.abs(batch_step - mean_step).max() <= tolerance * scale, name
        assert scale > 0


def test_one_sample_as_a_vector_or_as_a_batch_of_one_is_the_same(digits):
    inputs, labels = digits
    vector, row = NeuralNetwork(seed=6), NeuralNetwork(seed=6)
    vector.train(inputs[0], labels[0])
    row.train(inputs[:1], labels[:1])
    for name in PARAMETERS:
        assert np.array_equal(getattr(vector, name), getattr(row, name))
    assert vector.query(inputs[0]).shape == (10,)
    assert vector.query(inputs[:3]).shape == (3, 10)
    assert vector.predict(inputs[0]).shape == ()


# -- seeds ----------------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_weights_and_another_seed_others():
    first, again, other = NeuralNetwork(seed=11), NeuralNetwork(seed=11), NeuralNetwork(seed=12)
    for name in PARAMETERS:
        assert np.array_equal(getattr(first, name), getattr(again, name))
    for name in ("w_input_hidden", "w_hidden_output"):  # the biases start at 0 for every seed
        assert not np.array_equal(getattr(first, name), getattr(other, name))


def test_the_first_weights_have_standard_deviation_one_over_root_fan_in():
    network = NeuralNetwork(784, 200, 10, seed=0)
    assert network.w_input_hidden.std() == pytest.approx(784 ** -0.5, rel=0.01)
    assert network.w_hidden_output.std() == pytest.approx(200 ** -0.5, rel=0.05)
    assert abs(network.w_input_hidden.mean()) < 0.001
    assert not network.b_hidden.any() and not network.b_output.any()
    assert network.w_input_hidden.dtype == np.float32


def test_the_same_seed_trains_to_the_same_weights(digits):
    inputs, labels = digits
    results = []
    for _ in range(2):
        network = NeuralNetwork(784, 30, 10, learning_rate=1.0, seed=7)
        fit(network, inputs, labels, epochs=2, batch_size=8, seed=3, progress=False)
        results.append(copy_parameters(network))
    for name in PARAMETERS:
        assert np.array_equal(results[0][name], results[1][name])


def test_fit_is_the_shuffled_loop_of_notebook_03(digits):
    inputs, labels = digits
    by_hand = NeuralNetwork(784, 30, 10, learning_rate=1.0, seed=8)
    rng = np.random.default_rng(9)
    for epoch in range(2):
        by_hand.learning_rate = 1.0 * 0.5 ** epoch
        order = rng.permutation(len(labels))
        for first in range(0, len(labels), 16):
            by_hand.train(inputs[order[first:first + 16]], labels[order[first:first + 16]])
    with_fit = NeuralNetwork(784, 30, 10, learning_rate=1.0, seed=8)
    history = fit(with_fit, inputs, labels, epochs=2, batch_size=16, learning_rate_decay=0.5,
                  seed=9, progress=False)
    for name in PARAMETERS:
        assert np.array_equal(getattr(by_hand, name), getattr(with_fit, name))
    assert history["learning_rate"] == [1.0, 0.5]
    assert history["train_accuracy"][-1] == np.mean(with_fit.predict(inputs) == labels)


# -- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(783,), (785,), (28, 28), (2, 783), (2, 2, 784), (0, 784)])
def test_inputs_of_the_wrong_shape_say_784(shape):
    network = NeuralNetwork()
    with pytest.raises(ValueError, match="expects 784 values per sample") as error:
        network.query(np.full(shape, 0.5))
    assert "(784,)" in str(error.value) and str(shape) in str(error.value)
    with pytest.raises(ValueError, match="784"):
        network.train(np.full(shape, 0.5), [1])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinite_inputs_are_refused(bad):
    network = NeuralNetwork()
    inputs = np.full((3, 784), 0.5)
    inputs[1, 100] = bad
    before = copy_parameters(network)
    attempts = (lambda: network.query(inputs),
                lambda: network.train(inputs, [0, 1, 2]))
    for attempt in attempts:
        with pytest.raises(ValueError, match="NaN or infinite"):
            attempt()
    for name in PARAMETERS:  # a refused batch changes nothing
        assert np.array_equal(getattr(network, name), before[name])


@pytest.mark.parametrize("labels, message", [
    (make_targets([1, 2, 3]), r"0 to 9 per sample \(3 samples here\).*like target vectors"),
    ([1, 2], r"0 to 9 per sample \(3 samples here\), not an array of shape \(2,\)"),
    ([1, 2, 10], r"labels\[2\] is 10"),
    ([1, np.nan, 3], r"labels\[1\] is nan"),
    ([1, 2.5, 3], r"labels\[1\] is 2.5"),
    (["1", "2", "3"], "not values of type"),
])
def test_labels_that_are_not_one_digit_per_sample_are_refused(labels, message):
    network = NeuralNetwork()
    before = copy_parameters(network)
    inputs = np.full((3, 784), 0.5)
    for attempt in (network.train, network.loss, network.gradients):
        with pytest.raises(ValueError, match=message):
            attempt(inputs, labels)
    for name in PARAMETERS:  # a refused batch changes nothing
        assert np.array_equal(getattr(network, name), before[name])


def test_labels_stored_as_whole_floats_train_like_integers(digits):
    inputs, labels = digits
    as_integers, as_floats = NeuralNetwork(seed=6), NeuralNetwork(seed=6)
    as_integers.train(inputs[:8], labels[:8])
    as_floats.train(inputs[:8], labels[:8].astype(np.float64))
    for name in PARAMETERS:
        assert np.array_equal(getattr(as_integers, name), getattr(as_floats, name))


@pytest.mark.parametrize("learning_rate", [0, 0.0, -0.1, -5, np.nan, np.inf, "fast", None])
def test_a_learning_rate_of_zero_or_below_or_not_a_number_is_refused(learning_rate):
    with pytest.raises(ValueError, match="learning_rate must be a number greater than 0"):
        NeuralNetwork(learning_rate=learning_rate)


def test_a_learning_rate_set_to_zero_later_is_refused_at_the_next_step():
    network = NeuralNetwork()
    network.learning_rate = 0
    with pytest.raises(ValueError, match="learning_rate must be a number greater than 0"):
        network.train(np.full(784, 0.5), 3)


@pytest.mark.parametrize("sizes, name", [
    ((0, 200, 10), "input_nodes"), ((784, 2.5, 10), "hidden_nodes"),
    ((784, 200, True), "output_nodes"), ((784, "200", 10), "hidden_nodes")])
def test_layer_sizes_must_be_whole_numbers_of_at_least_one(sizes, name):
    with pytest.raises(ValueError, match=f"{name} must be a whole number"):
        NeuralNetwork(*sizes)


def test_the_dtype_must_be_a_float():
    with pytest.raises(ValueError, match="float32"):
        NeuralNetwork(dtype=np.int32)


# -- diverging training ---------------------------------------------------------------------

def train_without_warnings(network, inputs, labels, batch_size=16):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail the test
        for first in range(0, len(inputs), batch_size):
            network.train(inputs[first:first + batch_size], labels[first:first + batch_size])


@pytest.mark.parametrize("learning_rate", [1e38, 3e38])
def test_an_overflow_stops_training_with_advice_and_no_warnings(digits, learning_rate):
    inputs, labels = digits
    network = NeuralNetwork(learning_rate=learning_rate, seed=1)
    with pytest.raises(TrainingDiverged, match="smaller learning rate") as error:
        train_without_warnings(network, inputs, labels)
    assert "too large" in str(error.value)
    assert f"{learning_rate / 10:g}" in str(error.value)


@pytest.mark.parametrize("batch_size", [1, 16])
def test_outputs_stuck_at_exactly_0_or_1_stop_training(digits, batch_size):
    """With learning rate 100, the first steps throw every output to exactly 0 or 1: every
    gradient is then 0, and nothing could ever change again."""
    inputs, labels = digits
    network = NeuralNetwork(learning_rate=100, seed=1)
    with pytest.raises(TrainingDiverged, match="stuck at exactly 0 or 1.*smaller learning rate"):
        train_without_warnings(network, inputs, labels, batch_size)


def test_fit_stops_a_network_whose_sigmoids_have_saturated():
    """With learning rate 10, the weights stay finite but within an epoch every output sinks
    into the flat ends of the sigmoid: the network answers the same for every image and
    has stopped learning. fit says so after the epoch, with advice."""
    inputs, labels = load_some_digits(5000)
    network = NeuralNetwork(learning_rate=10, seed=42)
    with pytest.raises(TrainingDiverged, match=r"after epoch 1.*saturated.*every image.*"
                                               r"smaller learning rate \(try ten times smaller, 1,"):
        fit(network, inputs, labels, epochs=3, batch_size=16, progress=False)
    outputs = network.query(inputs)
    assert len(np.unique(outputs.argmax(axis=1))) == 1  # what the check saw, checked here


def test_fit_leaves_a_healthy_network_alone():
    inputs, labels = load_some_digits(5000)
    network = NeuralNetwork(learning_rate=1.0, seed=42)
    history = fit(network, inputs, labels, epochs=2, batch_size=16, progress=False)
    assert history["train_accuracy"][-1] > 0.85
    assert history["train_loss"][-1] < history["train_loss"][0]


def test_check_not_stuck_tells_saturated_from_sure():
    network = NeuralNetwork()
    labels = np.arange(100) % 10
    sure = np.full((100, 10), 0.0005)
    sure[np.arange(100), labels] = 0.9995  # very sure, and right: every output saturated
    check_not_stuck(network, sure, labels, epoch=1)
    stuck = np.full((100, 10), 0.0001)
    stuck[:, 3] = 0.9999  # the same answer for every image, every output saturated
    with pytest.raises(TrainingDiverged, match="answers 3 for every image"):
        check_not_stuck(network, stuck, labels, epoch=2)


def test_check_not_stuck_stops_a_saturated_network_that_reads_at_chance():
    """Batches of 64 at learning rate 4.0 (notebook 03's exercise) leave every output
    saturated and a network that answers 1 or 6, right for about one image in ten: it has
    stopped learning although it does not give one answer for every image."""
    network = NeuralNetwork(learning_rate=4.0)
    labels = np.arange(100) % 10
    two_answers = np.full((100, 10), 0.0001)
    two_answers[np.arange(100), np.where(np.arange(100) < 30, 1, 6)] = 0.9999
    with pytest.raises(TrainingDiverged, match=r"after epoch 1.*saturated.*reads only 10\.0% of "
                                               r"the images right.*try ten times smaller, 0\.4,"):
        check_not_stuck(network, two_answers, labels, epoch=1)


def test_check_not_stuck_leaves_slow_or_unsure_networks_alone():
    """At chance but not saturated (a learning rate too small, after one epoch), or
    saturated on most outputs but reading well: training goes on."""
    network = NeuralNetwork()
    labels = np.arange(100) % 10
    unsure = np.full((100, 10), 0.5)
    unsure[:, 7] = 0.6  # answers 7 for every image, but every output can still move
    check_not_stuck(network, unsure, labels, epoch=1)
    mostly_sure = np.full((100, 10), 0.0001)
    mostly_sure[np.arange(100), labels] = 0.9999
    mostly_sure[:25] = 0.5  # a quarter unsure: reads 75% right
    check_not_stuck(network, mostly_sure, labels, epoch=1)


def load_some_digits(count: int):
    inputs, labels = load_mnist("test")  # 10,000 digits, quicker to read than the training set
    return inputs[:count], labels[:count]


# -- notebook 02 and the module stay the same code ------------------------------------------
# tests/test_notebook_cells.py checks it, for every notebook that builds a piece of helpers
# (the methods notebook 02 builds are listed in tests/notebook_cells.py, BUILT_BY_HAND).


def test_notebook_02_builds_exactly_the_methods_of_helpers_network():
    from notebook_cells import BUILT_BY_HAND, differences
    nb = nbformat.read(NOTEBOOK_02, as_version=4)
    assert not differences(NOTEBOOK_02.name, nb)
    # a changed line in the module is noticed
    methods = BUILT_BY_HAND[NOTEBOOK_02.name]["network"]
    assert set(methods) >= {"NeuralNetwork.train", "NeuralNetwork.backward"}
    changed = copy.deepcopy(nb)
    for cell in changed.cells:
        if cell.cell_type == "code" and cell.source.startswith("# helpers/network.py: "
                                                               "NeuralNetwork.forward"):
            cell.source = cell.source.replace("batch", "bunch")
    assert any("NeuralNetwork.forward differs" in problem
               for problem in differences(NOTEBOOK_02.name, changed))
