"""Tests of helpers/inside.py: rescale, backquery and hidden_activity_by_digit.

The backquery of a tiny network is checked against the same steps written out with
Python's math module, number by number; hidden_activity_by_digit against a plain loop that
runs the network on one image at a time. On the shipped network, the tests pin what
notebook 06 tells the learner: the backqueried images stay in 0.01..0.99, and what the
network reads in them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.data import load_mnist
from helpers.inside import (
    backquery,
    backquery_steps,
    check_targets,
    hidden_activity_by_digit,
    rescale,
)
from helpers.network import NeuralNetwork
from helpers.saving import DEFAULT_MODEL, load_network

DIGITS = np.arange(10)


@pytest.fixture(scope="module")
def shipped() -> NeuralNetwork:
    return load_network(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def test_set() -> tuple[np.ndarray, np.ndarray]:
    return load_mnist("test")


@pytest.fixture(scope="module")
def imagined(shipped) -> np.ndarray:
    """The shipped network's backquery of each digit, one row per digit."""
    return np.array([backquery(shipped, digit) for digit in DIGITS])


# -- rescale ------------------------------------------------------------------------------

def test_rescale_maps_smallest_to_low_and_largest_to_high_in_between_linearly():
    signal = np.array([-3.0, 0.0, 1.0, 5.0])
    assert rescale(signal).tolist() == pytest.approx([0.01, 0.01 + 0.98 * 3 / 8,
                                                      0.01 + 0.98 * 4 / 8, 0.99])
    assert rescale(signal).min() == 0.01 and rescale(signal).max() == 0.99
    # shifting and stretching the signal (by a positive factor) changes nothing
    assert np.allclose(rescale(7 * signal - 2), rescale(signal))
    assert rescale(signal, low=0.2, high=0.6).tolist() == pytest.approx([0.2, 0.35, 0.4, 0.6])


def test_rescale_never_steps_outside_the_range_through_rounding():
    signal = np.random.default_rng(0).normal(size=(1000, 784))
    for row in signal:
        rescaled = rescale(row)
        assert rescaled.min() == 0.01 and rescaled.max() == 0.99


def test_rescale_of_a_constant_signal_is_the_middle_of_the_range():
    assert rescale(np.full(5, 2.5)).tolist() == [0.5] * 5


@pytest.mark.parametrize("signal", [[], [1.0, np.nan], [np.inf, 0.0]])
def test_rescale_rejects_empty_and_non_finite_signals(signal):
    with pytest.raises(ValueError, match="empty or holds NaN or infinite"):
        rescale(np.array(signal))


@pytest.mark.parametrize("low, high", [(0.0, 0.99), (0.01, 1.0), (0.6, 0.4)])
def test_rescale_rejects_ranges_where_the_logit_is_infinite(low, high):
    with pytest.raises(ValueError, match="0 < low < high < 1"):
        rescale([1.0, 2.0], low=low, high=high)


# -- backquery, by hand ------------------------------------------------------------------------

def by_hand(network: NeuralNetwork, targets: list[float]) -> list[float]:
    """The backquery written out with Python floats and loops, independent of NumPy."""
    def logit(p):
        return math.log(p / (1 - p))

    def stretch(values):
        smallest, largest = min(values), max(values)
        return [0.01 + 0.98 * (v - smallest) / (largest - smallest) for v in values]

    w_ho, b_o = network.w_hidden_output.tolist(), network.b_output.tolist()
    w_ih, b_h = network.w_input_hidden.tolist(), network.b_hidden.tolist()
    z_output = [logit(t) - b for t, b in zip(targets, b_o)]
    hidden = stretch([sum(z_output[k] * w_ho[k][j] for k in range(len(z_output)))
                      for j in range(len(b_h))])
    z_hidden = [logit(h) - b for h, b in zip(hidden, b_h)]
    return stretch([sum(z_hidden[j] * w_ih[j][i] for j in range(len(z_hidden)))
                    for i in range(len(w_ih[0]))])


def tiny_network() -> NeuralNetwork:
    network = NeuralNetwork(input_nodes=6, hidden_nodes=4, output_nodes=3, seed=7,
                            dtype=np.float64)
    network.b_hidden[:] = [0.3, -0.2, 0.1, -0.5]  # biases not 0, so that they count
    network.b_output[:] = [-0.4, 0.2, 0.0]
    return network


@pytest.mark.parametrize("label_or_targets, targets", [
    (0, [0.99, 0.01, 0.01]), (2, [0.01, 0.01, 0.99]), ([0.3, 0.6, 0.2], [0.3, 0.6, 0.2])])
def test_backquery_equals_the_steps_written_out_by_hand(label_or_targets, targets):
    network = tiny_network()
    assert backquery(network, label_or_targets) == pytest.approx(by_hand(network, targets),
                                                                 abs=1e-12)


def test_backquery_steps_undo_the_sigmoid_and_the_bias():
    network = tiny_network()
    steps = backquery_steps(network, 1)
    # forwards, z_output would come out as the queried outputs
    assert 1 / (1 + np.exp(-(steps["z_output"] + network.b_output))) == pytest.approx(
        steps["outputs"])
    assert steps["outputs"].tolist() == [0.01, 0.99, 0.01]
    assert np.allclose(steps["hidden_signal"], steps["z_output"] @ network.w_hidden_output)
    assert np.allclose(steps["input_signal"], steps["z_hidden"] @ network.w_input_hidden)
    assert np.array_equal(steps["inputs"], backquery(network, 1))


def test_a_digit_and_its_targets_give_the_same_backquery(shipped):
    targets = np.full(10, 0.01)
    targets[4] = 0.99
    assert np.array_equal(backquery(shipped, 4), backquery(shipped, targets))
    assert np.array_equal(backquery(shipped, np.int64(4)), backquery(shipped, 4))


# -- backquery of the shipped network -----------------------------------------------------------

def test_backquery_keeps_hidden_and_inputs_in_the_range_where_logit_is_finite(shipped):
    for digit in DIGITS:
        steps = backquery_steps(shipped, digit)
        assert steps["inputs"].shape == (784,)
        for name in ("hidden", "inputs"):
            assert steps[name].min() == 0.01 and steps[name].max() == 0.99, (digit, name)
        assert np.isfinite(steps["z_hidden"]).all()
        assert np.abs(steps["z_hidden"] + shipped.b_hidden).max() == pytest.approx(
            math.log(0.99 / 0.01))


def test_each_backqueried_image_drives_its_own_output_hardest(shipped, imagined):
    outputs = shipped.query(imagined)
    # column d: output d for each of the ten images; it is largest for the image of d
    assert outputs.argmax(axis=0).tolist() == DIGITS.tolist()


def test_the_network_reads_half_of_its_backqueried_digits(shipped, imagined):
    # What notebook 06 shows: the grey images are read right for 0, 2, 3, 5 and 8 only,
    # 1 and 7 are read as 3, 4 and 9 as 8, 6 as 5.
    read = shipped.predict(imagined)
    assert read.tolist() == [0, 3, 2, 3, 8, 5, 5, 3, 8, 8]
    assert (read == DIGITS).sum() == 5


def test_ink_only_backqueries_are_read_right_for_all_but_the_six(shipped):
    # Notebook 06's repair: pixels with a negative input_signal become paper (0.01).
    ink_only = np.array([rescale(np.clip(backquery_steps(shipped, digit)["input_signal"],
                                         0, None)) for digit in DIGITS])
    read = shipped.predict(ink_only)
    assert read.tolist() == [0, 1, 2, 3, 4, 5, 5, 7, 8, 9]


def resemblance(images: np.ndarray, test_set) -> np.ndarray:
    """The correlation of each image (row) with the average test image of each digit."""
    inputs, labels = test_set
    averages = np.array([inputs[labels == digit].mean(axis=0) for digit in DIGITS])
    return np.corrcoef(images, averages)[:len(images), len(images):]


def test_backqueries_resemble_their_average_digit_only_after_training(imagined, test_set):
    # Notebook 06 tells the learner this: the trained network's 0, 1, 2, 3, 5, 6 and 7 look
    # most like the average test image of their own digit; its 4, 8 and 9 do not.
    trained = resemblance(imagined, test_set)
    assert np.flatnonzero(trained.argmax(axis=1) == DIGITS).tolist() == [0, 1, 2, 3, 5, 6, 7]
    assert np.diag(trained).max() > 0.5
    # A network that never learned imagines noise: like no digit at all.
    untrained = NeuralNetwork(seed=1)
    noise = np.array([backquery(untrained, digit) for digit in DIGITS])
    assert np.abs(resemblance(noise, test_set)).max() < 0.15


def test_even_an_untrained_network_drives_each_output_hardest_with_its_backquery():
    # So "the network reads its own backquery" is partly built into backquery itself:
    # the images are made from the weights into each output.
    untrained = NeuralNetwork(seed=1)
    outputs = untrained.query(np.array([backquery(untrained, digit) for digit in DIGITS]))
    assert outputs.argmax(axis=0).tolist() == DIGITS.tolist()
    assert outputs.max() < 0.75  # but it is never sure of anything


# -- wrong targets -------------------------------------------------------------------------

@pytest.mark.parametrize("bad, message", [
    (10, "there is no digit 10"),
    (-1, "there is no digit -1"),
    (True, "must be a digit 0 to 9"),
    (3.0, r"shape \(\), expected \(10,\)"),
    (np.full(9, 0.5), r"shape \(9,\), expected \(10,\)"),
    (np.full((2, 10), 0.5), r"shape \(2, 10\)"),
    (np.r_[1.0, np.full(9, 0.01)], "strictly between 0 and 1"),
    (np.r_[0.0, np.full(9, 0.5)], "strictly between 0 and 1"),
    (np.r_[np.nan, np.full(9, 0.5)], "strictly between 0 and 1"),
])
def test_wrong_targets_are_refused_with_a_message(shipped, bad, message):
    with pytest.raises(ValueError, match=message):
        check_targets(shipped, bad)
    with pytest.raises(ValueError, match=message):
        backquery(shipped, bad)


# -- hidden_activity_by_digit -----------------------------------------------------------------

def test_hidden_activity_by_digit_equals_a_plain_loop(shipped, test_set):
    inputs, labels = test_set[0][:300], test_set[1][:300]
    sums = [[0.0] * shipped.hidden_nodes for _ in DIGITS]
    counts = [0] * 10
    for image, label in zip(inputs, labels):
        hidden, _ = shipped.forward(image)
        counts[label] += 1
        for j, value in enumerate(hidden.tolist()):
            sums[label][j] += value
    expected = np.array([[total / counts[d] for total in sums[d]] for d in DIGITS])

    activity = hidden_activity_by_digit(shipped, inputs, labels)

    assert min(counts) > 0
    assert activity.shape == (10, 200)
    assert np.allclose(activity, expected, atol=1e-6)


def test_hidden_activity_of_the_whole_test_set(shipped, test_set):
    activity = hidden_activity_by_digit(shipped, *test_set)
    hidden, _ = shipped.forward(test_set[0])
    assert np.allclose(activity[7], hidden[test_set[1] == 7].mean(axis=0), atol=1e-6)
    assert ((activity > 0) & (activity < 1)).all()  # sigmoid signals, averaged
    # every digit has hidden units that prefer it, and together they cover all 200
    preferred = activity.argmax(axis=0)
    assert sorted(set(preferred.tolist())) == DIGITS.tolist()


@pytest.mark.parametrize("labels, message", [
    (np.arange(5) % 10, r"labels must be one whole number 0 to 9 per sample \(20 samples "
                        r"here\), not an array of shape \(5,\)"),
    (np.arange(20).reshape(2, 10) % 10, r"not an array of shape \(2, 10\)"),
    (np.arange(20) % 10 + 0.5, r"labels\[0\] is 0.5"),
    (np.arange(20) % 2 == 0, "whole numbers 0 to 9"),
    (np.arange(20) % 11, r"labels\[10\] is 10"),
    (np.arange(20) % 9, r"no images of the digits \[9\]"),
])
def test_hidden_activity_by_digit_refuses_bad_labels(shipped, test_set, labels, message):
    with pytest.raises(ValueError, match=message):
        hidden_activity_by_digit(shipped, test_set[0][:20], labels)
