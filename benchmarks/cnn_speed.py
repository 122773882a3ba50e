"""How fast does notebook 08's hand-built convolutional network train, next to PyTorch?

Times training of the convolutional network of ``helpers.conv.mnist_cnn`` (conv 5x5 x 32,
ReLU, max pool, conv 5x5 x 64, ReLU, max pool, dense 128, ReLU, dense 10, softmax cross
entropy, Adam) and of the same network in PyTorch on the CPU, in the same run: the PyTorch
model is built layer by layer from the hand-built network's ``config()`` and starts from
the same weights; both see the same batches in the same order, with the same batch size,
learning rate, optimiser and loss, and use the same number of threads (set and read back
with threadpoolctl). Their losses must agree on the first batch and after all the timed
steps (see ``benchmarks/common.py``).

By default each network trains on ``--batches`` 100 batches of 128 images (12,800 of the
60,000) after one batch of warm-up, ``--repeat`` 3 times, the two networks taking turns;
the fastest run of each counts, and its time is scaled to a whole epoch (60,000 images,
469 batches). ``--batches 469`` times whole epochs. ``--profile`` also times each layer's
forward and backward pass of the hand-built network, and the matrix products of one of its
training steps on their own: what the step would cost if everything else were free.

Usage, from the top folder of the course::

    python benchmarks/cnn_speed.py                 # a minute or two on 2 cores
    python benchmarks/cnn_speed.py --threads 1     # both on one thread
    python benchmarks/cnn_speed.py --batches 469 --repeat 1   # one whole epoch each

The last line is ``ratio_vs_pytorch=<hand-built seconds / PyTorch seconds>`` (below 1: the
hand-built network is faster); ``nan`` without PyTorch. PyTorch is not part of the
course: ``pip install -e .[crosscheck]`` to compare.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

from common import add_thread_argument, alternate, same_losses, torch, use_threads

from helpers.conv import Conv2D, mnist_cnn  # noqa: E402 (common puts the course on the path)
from helpers.data import load_mnist  # noqa: E402
from helpers.layers import Dense  # noqa: E402

BATCH_SIZE = 128  # notebook 08's recipe
LEARNING_RATE = 0.002
SEED = 42
SAMPLES = 60_000  # one epoch
BATCHES_PER_EPOCH = math.ceil(SAMPLES / BATCH_SIZE)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=100,
                        help=f"batches of {BATCH_SIZE} timed per run, scaled to an epoch of "
                             f"{BATCHES_PER_EPOCH} (default: 100)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs timed per network; the fastest counts (default: 3)")
    parser.add_argument("--profile", action="store_true",
                        help="also time each layer of the hand-built network")
    add_thread_argument(parser)
    args = parser.parse_args(argv)
    if not 10 <= args.batches <= BATCHES_PER_EPOCH:
        parser.error(f"--batches must be 10 to {BATCHES_PER_EPOCH}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def torch_copy(network):
    """The same network in PyTorch, layer by layer from its config(), with its weights."""
    nn = torch.nn
    build = {
        "Reshape": lambda shape: nn.Unflatten(1, shape),
        "Conv2D": lambda channels, filters, kernel_size, gain: nn.Conv2d(channels, filters,
                                                                         kernel_size),
        "ReLU": nn.ReLU,
        "MaxPool2D": lambda size: nn.MaxPool2d(size),
        "Flatten": nn.Flatten,
        "Dense": lambda inputs, outputs, gain: nn.Linear(inputs, outputs),
    }
    modules = []
    for layer, config in zip(network.layers, network.config()["layers"]):
        arguments = {key: value for key, value in config.items() if key != "layer"}
        module = build[config["layer"]](**arguments)
        if layer.parameters:
            with torch.no_grad():
                module.weight.copy_(torch.from_numpy(layer.parameters["weights"]))
                module.bias.copy_(torch.from_numpy(layer.parameters["bias"]))
        modules.append(module)
    return nn.Sequential(*modules)


def matrix_products(network, batch_size: int) -> list[tuple[int, tuple, tuple]]:
    """The matrix products of one training step of ``network`` on a batch of
    ``batch_size``, as (layer number, left shape, right shape), in the way the layers of
    ``helpers/conv.py`` and ``helpers/layers.py`` compute them:

    * Conv2D: outputs = columns @ kernel matrix.T; weight gradient = gradient rows.T @
      columns; input gradient = one product of the gradient rows with each of the k x k
      kernel positions' (filters, channels) weights.
    * Dense: outputs = inputs @ weights.T; weight gradient = gradient.T @ inputs; input
      gradient = gradient @ weights.

    The first layer that learns makes no input gradient (``Sequential.backpropagate``)."""
    layers = network.layers
    first = next(i for i, layer in enumerate(layers) if layer.parameters)
    signal = np.zeros((batch_size, network.input_nodes), dtype=network.dtype)
    products = []
    for i, layer in enumerate(layers):
        if isinstance(layer, Conv2D):
            n, channels, height, width = signal.shape
            k, filters = layer.kernel_size, layer.filters
            rows, patch = n * (height - k + 1) * (width - k + 1), k * k * channels
            products += [(i, (rows, patch), (patch, filters)), (i, (filters, rows), (rows, patch))]
            if i != first:
                products += [(i, (rows, filters), (filters, channels))] * (k * k)
        elif isinstance(layer, Dense):
            n = len(signal)
            products += [(i, (n, layer.inputs), (layer.inputs, layer.outputs)),
                         (i, (layer.outputs, n), (n, layer.inputs))]
            if i != first:
                products += [(i, (n, layer.outputs), (layer.outputs, layer.inputs))]
        signal = layer.forward(signal)
    return products


def time_matrix_products(network, batch_size: int, repeat: int = 10) -> dict[int, float]:
    """Seconds per layer of the matrix products of one training step (``matrix_products``),
    done on their own with random float32 operands of the same shapes (contiguous, where
    the layers' are often transposed views): for each layer, the fastest of ``repeat``."""
    rng = np.random.default_rng(0)
    products = [(i, rng.random(left, dtype=np.float32), rng.random(right, dtype=np.float32))
                for i, left, right in matrix_products(network, batch_size)]
    best = {}
    for _ in range(repeat):
        times = {}
        for i, left, right in products:
            start = time.perf_counter()
            left @ right
            times[i] = times.get(i, 0.0) + time.perf_counter() - start
        best = {i: min(seconds, best.get(i, math.inf)) for i, seconds in times.items()}
    return best


class HandBuilt:
    """Runs of the hand-built network: each from new, on its own order of the images."""

    def __init__(self, inputs, labels, batches):
        self.inputs, self.labels, self.batches = inputs, labels, batches
        self.losses = []  # of the last run, one per batch (the warm-up's first)

    def run(self, round_: int) -> float:
        network = mnist_cnn(learning_rate=LEARNING_RATE, seed=SEED)
        warm_up, *timed = self.batches[round_]
        self.losses = [network.train(self.inputs[warm_up], self.labels[warm_up])]
        start = time.perf_counter()
        for batch in timed:
            self.losses.append(network.train(self.inputs[batch], self.labels[batch]))
        return time.perf_counter() - start


class PyTorch(HandBuilt):
    """The same runs in PyTorch."""

    def run(self, round_: int) -> float:
        inputs, labels = torch.from_numpy(self.inputs), torch.from_numpy(self.labels)
        model = torch_copy(mnist_cnn(learning_rate=LEARNING_RATE, seed=SEED))
        optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        loss_function = torch.nn.CrossEntropyLoss()  # softmax, -log(probability), batch mean

        def train(batch):
            loss = loss_function(model(inputs[batch]), labels[batch])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            return loss.item()

        warm_up, *timed = [torch.from_numpy(batch) for batch in self.batches[round_]]
        self.losses = [train(warm_up)]
        start = time.perf_counter()
        for batch in timed:
            self.losses.append(train(batch))
        return time.perf_counter() - start


def profile(inputs, labels, batches) -> float:
    """Print the time of each layer's forward and backward pass of the hand-built network
    (the fastest of the timed batches), of the loss and the optimiser, and of its matrix
    products on their own; return the seconds of those products per batch."""
    network = mnist_cnn(learning_rate=LEARNING_RATE, seed=SEED)
    layers = network.layers
    first = next(i for i, layer in enumerate(layers) if layer.parameters)
    forward, backward = np.full((2, len(layers), len(batches)), np.inf)
    rest = np.full((2, len(batches)), np.inf)
    for b, batch in enumerate(batches):
        signal = inputs[batch]
        for i, layer in enumerate(layers):
            start = time.perf_counter()
            signal = layer.forward(signal)
            forward[i, b] = time.perf_counter() - start
        start = time.perf_counter()
        _, gradient = network.loss_function.loss_and_gradient(signal, labels[batch])
        rest[0, b] = time.perf_counter() - start
        for i in range(len(layers) - 1, first - 1, -1):  # as Sequential.backpropagate
            start = time.perf_counter()
            gradient = layers[i].backward(gradient, first=True) if i == first \
                else layers[i].backward(gradient)
            backward[i, b] = time.perf_counter() - start
        start = time.perf_counter()
        network.optimizer.step(network.parameters(), network.gradients())
        rest[1, b] = time.perf_counter() - start
    forward, backward = forward[:, 1:].min(axis=1), backward[:, 1:].min(axis=1)  # not the 1st
    rest = rest[:, 1:].min(axis=1)
    backward[np.isinf(backward)] = 0.0  # the layers before the first that learns
    total = forward.sum() + backward.sum() + rest.sum()
    print(f"Per layer, ms per batch (fastest of {len(batches) - 1} batches; "
          f"sum {total * 1000:.1f}):")
    for layer, ahead, back in zip(layers, forward, backward):
        print(f"  {layer!r:<55} forward {ahead * 1000:6.2f}  backward {back * 1000:6.2f}"
              f"  ({(ahead + back) / total:5.1%})")
    print(f"  {'loss (softmax cross entropy)':<55} {rest[0] * 1000:14.2f}"
          f"{'':18}({rest[0] / total:5.1%})")
    print(f"  {'Adam step':<55} {rest[1] * 1000:14.2f}{'':18}({rest[1] / total:5.1%})")
    print()
    products = time_matrix_products(network, len(batches[0]))
    print(f"Its matrix products alone, ms per batch (the same shapes with random numbers, "
          f"fastest of 10; sum {sum(products.values()) * 1000:.1f}):")
    for i, seconds in products.items():
        print(f"  {layers[i]!r:<55} {seconds * 1000:14.2f}")
    print()
    return sum(products.values())


def main() -> int:
    args = parse_arguments()
    threads = use_threads(args.threads)
    inputs, labels = load_mnist("train")
    rng = np.random.default_rng(SEED)
    batches = []  # per round: a warm-up batch, then the timed batches
    for _ in range(args.repeat):
        order = rng.permutation(len(labels))
        batches.append([order[first:first + BATCH_SIZE]
                        for first in range(0, (args.batches + 1) * BATCH_SIZE, BATCH_SIZE)])
    network = mnist_cnn(seed=SEED)
    layers = " -> ".join(config["layer"] for config in network.config()["layers"])
    scale = BATCHES_PER_EPOCH / args.batches

    print(f"Training speed of notebook 08's convolutional network: {layers}")
    print(f"{sum(value.size for value in network.parameters().values()):,} parameters, batch "
          f"size {BATCH_SIZE}, Adam with learning rate {LEARNING_RATE}, softmax cross entropy")
    print(f"Timed: {args.batches} batches ({args.batches * BATCH_SIZE:,} images) after 1 "
          f"batch of warm-up, {args.repeat} runs each, taking turns, the fastest counts; "
          f"seconds per epoch = that time x {BATCHES_PER_EPOCH} / {args.batches}")
    print(threads)
    if torch is None:
        print("PyTorch: not installed (pip install -e .[crosscheck]), so only the hand-built "
              "network runs")
    print()
    products = profile(inputs, labels, batches[0][:min(args.batches, 20) + 1]) \
        if args.profile else None

    sides = {"hand-built (NumPy)": HandBuilt(inputs, labels, batches)}
    if torch is not None:
        sides["PyTorch (CPU)"] = PyTorch(inputs, labels, batches)
    best = alternate({name: side.run for name, side in sides.items()}, args.repeat)
    for name, seconds in best.items():
        print(f"{name + ':':<20}{seconds * scale:7.2f} s per epoch "
              f"({seconds / args.batches * 1000:.1f} ms per batch)")
    ratio = math.nan
    if torch is not None:
        hand, pytorch = sides.values()
        agree, report = same_losses(hand.losses, pytorch.losses, after=len(hand.losses))
        print(f"the same training: {report}")
        if not agree:
            print("error: the two networks do not train alike, so the times do not compare",
                  file=sys.stderr)
            return 1
        ratio = best["hand-built (NumPy)"] / best["PyTorch (CPU)"]
        print(f"the hand-built network takes {ratio:.2f} times as long as PyTorch's")
        if products is not None:
            print(f"its matrix products alone take {products * 1000:.1f} ms per batch, "
                  f"{products / (best['PyTorch (CPU)'] / args.batches):.2f} times PyTorch's "
                  "whole step")
    print()
    print(f"ratio_vs_pytorch={ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
