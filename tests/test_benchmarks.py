"""The benchmarks' fairness checks, on a few small batches: both sides of each benchmark
run, start from the same weights and train alike (``benchmarks/common.same_losses``).

Only the arithmetic is checked here, never a time. The PyTorch side needs PyTorch, which
the course does not: without it these tests skip, except under CI, which installs it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers.data import load_mnist
from test_conv import import_torch

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load_benchmark(name: str):
    """benchmarks/<name>.py as a module (its scripts import their neighbour ``common``)."""
    import_torch()
    sys.path.insert(0, str(BENCHMARKS))
    dont_write_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = dont_write_bytecode
        sys.path.remove(str(BENCHMARKS))
    return module


@pytest.fixture(scope="module")
def test_split():
    return load_mnist("test")


def test_the_dense_benchmark_s_two_sides_train_alike(test_split):
    speed = load_benchmark("training_speed")
    inputs, labels = test_split[0][:640], test_split[1][:640]
    orders = [np.random.default_rng(0).permutation(640)]
    hand = speed.HandBuilt(inputs, labels, 32, orders)
    torch_side = speed.PyTorch(inputs, labels, 32, orders)
    hand.run(0), torch_side.run(0)
    assert len(hand.losses) == len(torch_side.losses) == 20
    agree, report = speed.same_losses(hand.losses, torch_side.losses, after=20)
    assert agree, report
    assert hand.losses[-1] < hand.losses[0]  # it learned: the check compared training runs


def test_the_cnn_benchmark_s_two_sides_train_alike(test_split):
    speed = load_benchmark("cnn_speed")
    inputs, labels = test_split
    order = np.random.default_rng(0).permutation(len(labels))
    batches = [[order[first:first + 16] for first in range(0, 12 * 16, 16)]]  # 1 + 11 timed
    hand = speed.HandBuilt(inputs, labels, batches)
    torch_side = speed.PyTorch(inputs, labels, batches)
    hand.run(0), torch_side.run(0)
    assert len(hand.losses) == len(torch_side.losses) == 12
    agree, report = speed.same_losses(hand.losses, torch_side.losses, after=12)
    assert agree, report


class RecordingProducts(np.ndarray):
    """An array that notes the shapes of every matrix product it takes part in."""

    products: list[tuple[tuple, tuple]] = []

    def __matmul__(self, other):
        RecordingProducts.products.append((self.shape, np.shape(other)))
        return np.matmul(np.asarray(self), np.asarray(other)).view(RecordingProducts)

    def __rmatmul__(self, other):
        RecordingProducts.products.append((np.shape(other), self.shape))
        return np.matmul(np.asarray(other), np.asarray(self)).view(RecordingProducts)


def test_the_cnn_benchmark_lists_the_matrix_products_the_layers_really_do(test_split):
    """``--profile`` times "the matrix products alone" from a list of their shapes: the list
    must be the products one training step really does, no more and no fewer."""
    speed = load_benchmark("cnn_speed")
    network = speed.mnist_cnn(seed=0)
    listed = sorted((left, right) for _, left, right in speed.matrix_products(network, 16))

    for layer in network.layers:  # every product touches a weight or what came from one
        for name, value in layer.parameters.items():
            layer.parameters[name] = value.view(RecordingProducts)
    RecordingProducts.products = []
    inputs, labels = test_split
    network.backpropagate(inputs[:16].view(RecordingProducts), labels[:16])
    done = sorted(RecordingProducts.products)

    assert done == listed
    assert len(done) == 2 + (2 + 25) + 3 + 3  # conv 1, conv 2, dense 1, dense 2
