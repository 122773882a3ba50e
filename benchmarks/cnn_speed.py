"""How fast does notebook 08's hand-built convolutional network train, next to PyTorch?

Times training of the convolutional network of ``helpers.conv.mnist_cnn`` (conv 5x5 x 32,
ReLU, max pool, conv 5x5 x 64, ReLU, max pool, dense 128, ReLU, dense 10, softmax cross
entropy, Adam) and of the same network in PyTorch on the CPU, in the same run: the PyTorch
model is built layer by layer from the hand-built network's ``config()`` and starts from
the same weights; both see the same batches in the same order, with the same batch size,
learning rate, optimiser and loss, and use the same number of threads.

By default each network trains on ``--batches`` 100 batches of 128 images (12,800 of the
60,000), best of ``--repeat`` 3 runs after one batch of warm-up, and the time is scaled to
a whole epoch (60,000 images, 469 batches). ``--batches 469`` times whole epochs.

Usage, from the top folder of the course::

    python benchmarks/cnn_speed.py                 # a minute or two on 2 cores
    python benchmarks/cnn_speed.py --threads 1     # both on one thread
    python benchmarks/cnn_speed.py --batches 469 --repeat 1   # one whole epoch each

The last line is ``ratio_vs_pytorch=<hand-built seconds / PyTorch seconds>`` (below 1: the
hand-built network is faster); ``nan`` without PyTorch. PyTorch is not part of the
course: ``pip install torch`` to compare.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

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
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="threads for NumPy's BLAS and for PyTorch (default: all cores, "
                             f"here {os.cpu_count()})")
    args = parser.parse_args(argv)
    if not 1 <= args.batches <= BATCHES_PER_EPOCH:
        parser.error(f"--batches must be 1 to {BATCHES_PER_EPOCH}")
    if args.repeat < 1 or args.threads < 1:
        parser.error("--repeat and --threads must be at least 1")
    return args


ARGS = parse_arguments()
# before NumPy starts its BLAS, which reads these once
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(ARGS.threads)

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.conv import mnist_cnn  # noqa: E402
from helpers.data import load_mnist  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


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


def batches(order: np.ndarray):
    """The first ``ARGS.batches`` batches of ``order``, plus one ahead for warm-up."""
    return [order[first:first + BATCH_SIZE]
            for first in range(0, (ARGS.batches + 1) * BATCH_SIZE, BATCH_SIZE)]


def hand_built_seconds(inputs, labels, orders) -> tuple[float, float]:
    """Best seconds of the timed batches, and the loss of the very first batch."""
    times, first_loss = [], None
    for order in orders:
        network = mnist_cnn(learning_rate=LEARNING_RATE, seed=SEED)
        warm_up, *timed = batches(order)
        loss = network.train(inputs[warm_up], labels[warm_up])
        first_loss = loss if first_loss is None else first_loss
        start = time.perf_counter()
        for batch in timed:
            network.train(inputs[batch], labels[batch])
        times.append(time.perf_counter() - start)
    return min(times), first_loss


def torch_seconds(inputs, labels, orders) -> tuple[float, float]:
    """Best seconds of the timed batches in PyTorch, and the loss of the very first batch."""
    inputs, labels = torch.from_numpy(inputs), torch.from_numpy(labels)
    loss_function = torch.nn.CrossEntropyLoss()  # softmax, then -log(probability), batch mean
    times, first_loss = [], None
    for order in orders:
        model = torch_copy(mnist_cnn(learning_rate=LEARNING_RATE, seed=SEED))
        optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)

        def train(batch):
            loss = loss_function(model(inputs[batch]), labels[batch])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            return loss.detach().item()

        warm_up, *timed = [torch.from_numpy(batch) for batch in batches(order)]
        loss = train(warm_up)
        first_loss = loss if first_loss is None else first_loss
        start = time.perf_counter()
        for batch in timed:
            train(batch)
        times.append(time.perf_counter() - start)
    return min(times), first_loss


def main() -> int:
    if torch is not None:
        torch.set_num_threads(ARGS.threads)
    inputs, labels = load_mnist("train")
    rng = np.random.default_rng(SEED)
    orders = [rng.permutation(len(labels)) for _ in range(ARGS.repeat)]
    network = mnist_cnn(seed=SEED)
    layers = " -> ".join(config["layer"] for config in network.config()["layers"])
    scale = BATCHES_PER_EPOCH / ARGS.batches

    print(f"Training speed of notebook 08's convolutional network: {layers}")
    print(f"{sum(value.size for value in network.parameters().values()):,} parameters, batch "
          f"size {BATCH_SIZE}, Adam with learning rate {LEARNING_RATE}, softmax cross entropy")
    print(f"Timed: {ARGS.batches} batches ({ARGS.batches * BATCH_SIZE:,} images) after 1 "
          f"batch of warm-up, best of {ARGS.repeat}; seconds per epoch = that time x "
          f"{BATCHES_PER_EPOCH} / {ARGS.batches}")
    print(f"Threads: {ARGS.threads} (OPENBLAS_NUM_THREADS for NumPy {np.__version__}"
          + (f", torch.set_num_threads for PyTorch {torch.__version__}: now "
             f"{torch.get_num_threads()})" if torch is not None else ")"))
    if torch is None:
        print("PyTorch: not installed (pip install torch), so only the hand-built network runs")
    print()

    seconds, hand_loss = hand_built_seconds(inputs, labels, orders)
    print(f"hand-built (NumPy): {seconds * scale:7.2f} s per epoch "
          f"({seconds / ARGS.batches * 1000:.1f} ms per batch)", flush=True)
    ratio = math.nan
    if torch is not None:
        pytorch, torch_loss = torch_seconds(inputs, labels, orders)
        print(f"PyTorch (CPU):      {pytorch * scale:7.2f} s per epoch "
              f"({pytorch / ARGS.batches * 1000:.1f} ms per batch)")
        print(f"the same start: loss of the first batch {hand_loss:.6f} (hand-built), "
              f"{torch_loss:.6f} (PyTorch)")
        if not math.isclose(hand_loss, torch_loss, rel_tol=1e-4):
            print("warning: the two networks do not compute the same loss", file=sys.stderr)
        ratio = seconds / pytorch
        print(f"the hand-built network takes {ratio:.2f} times as long as PyTorch's")
    print()
    print(f"ratio_vs_pytorch={ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
