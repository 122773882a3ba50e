"""How fast does the hand-built network train, next to the same network in PyTorch?

Times one epoch (all 60,000 MNIST training images) of the course's 784-200-10 sigmoid
network at batch sizes 1, 16, 32 and 64, and, when PyTorch is installed, of the same
network in PyTorch on the CPU: same layers, same initial weights, same batches in the same
order, same learning rate and same loss (half the squared error, summed over the outputs
and averaged over the batch), plain stochastic gradient descent. Both use the same number
of threads (set and read back with threadpoolctl), take turns epoch by epoch, and must
agree on the loss of the first batch and of the last batches (``benchmarks/common.py``).

It also measures this machine's matrix-multiply peak (a large float32 matrix product, in
NumPy and in PyTorch) and shows what fraction of it each reaches while training, counting
the matrix products of training (forward pass, backpropagated deltas, weight gradients).

Usage, from the top folder of the course::

    python benchmarks/training_speed.py               # the full run (a few minutes)
    python benchmarks/training_speed.py --samples 6000 --repeat 1   # a quick look
    python benchmarks/training_speed.py --threads 1   # both on one thread

The last two lines are ``fraction_of_peak=<the hand-built network's share of the peak>`` at
batch size 64 and ``ratio_vs_pytorch=<hand-built seconds / PyTorch seconds>`` at batch size
32 (below 1: the hand-built network is faster; ``nan`` without PyTorch). PyTorch is not
part of the course: ``pip install -e .[crosscheck]`` to compare.
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np

from common import add_thread_argument, alternate, same_losses, seconds, torch, use_threads

from helpers.data import load_mnist  # noqa: E402 (common puts the course on the path)
from helpers.core import make_targets  # noqa: E402
from helpers.network import NeuralNetwork  # noqa: E402
from helpers.training import accuracy  # noqa: E402

BATCH_SIZES = (1, 16, 32, 64)
RATIO_BATCH_SIZE = 32
PEAK_BATCH_SIZE = 64
LAYERS = (784, 200, 10)
LEARNING_RATE = 0.1
PEAK_SIZE = 2048  # the side of the square matrices that measure the peak


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=60_000,
                        help="training images per epoch (default: all 60,000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="epochs timed per setting, the fastest counts (default: 3; one "
                             "for batch size 1, whose epoch is long enough on its own)")
    add_thread_argument(parser)
    args = parser.parse_args(argv)
    if not 6400 <= args.samples <= 60_000:
        parser.error("--samples must be 6400 to 60000")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


# -- the peak -------------------------------------------------------------------------------

def blas_name() -> str:
    """NumPy's BLAS library, e.g. "scipy-openblas 0.3.31"."""
    try:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{config['name']} {config['version']}"
    except Exception:  # older NumPy, or another layout of its configuration
        return "unknown"


def matmul_peak() -> dict[str, float]:
    """GFLOP/s of a large float32 matrix product in NumPy (and PyTorch), the fastest of 7
    products each, taking turns: the machine's peak."""
    rng = np.random.default_rng(0)
    a = rng.random((PEAK_SIZE, PEAK_SIZE), dtype=np.float32)
    b = rng.random((PEAK_SIZE, PEAK_SIZE), dtype=np.float32)
    sides = {"NumPy": lambda round_: seconds(lambda: a @ b)}
    if torch is not None:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        sides["PyTorch"] = lambda round_: seconds(lambda: ta @ tb)
    alternate(sides, 1)  # warm up
    flops = 2 * PEAK_SIZE ** 3
    return {name: flops / best / 1e9 for name, best in alternate(sides, 7).items()}


def training_flops(samples: int) -> float:
    """Floating-point operations of the matrix products of one epoch of training.

    Per sample: the forward pass (784 x 200 and 200 x 10 multiply-adds), the deltas sent
    back to the hidden layer (10 x 200) and the two weight gradients (200 x 784, 10 x 200).
    Each multiply-add is 2 operations. The element-wise work (sigmoid and so on) is not
    counted: it is small next to these."""
    inputs, hidden, outputs = LAYERS
    multiply_adds = 2 * inputs * hidden + 3 * hidden * outputs
    return 2.0 * multiply_adds * samples


# -- one epoch, hand-built and in PyTorch ---------------------------------------------------

class HandBuilt:
    """Epochs of the hand-built network, each from new on its own order of the images."""

    def __init__(self, inputs, labels, batch_size, orders):
        self.inputs, self.labels = inputs, labels  # the network makes its targets itself
        self.batch_size, self.orders = batch_size, orders
        self.losses, self.network = [], None  # of the last epoch

    def batches(self, round_: int):
        order = self.orders[round_]
        return [order[first:first + self.batch_size]
                for first in range(0, len(order), self.batch_size)]

    def run(self, round_: int) -> float:
        network = NeuralNetwork(*LAYERS, learning_rate=LEARNING_RATE, seed=42)
        batches, losses = self.batches(round_), []

        def epoch():
            for batch in batches:
                losses.append(network.train(self.inputs[batch], self.labels[batch]))

        time = seconds(epoch)
        self.losses, self.network = losses, network
        return time

    def accuracy(self, inputs, labels) -> float:
        return accuracy(self.network, inputs, labels)


class PyTorch(HandBuilt):
    """The same epochs in PyTorch."""

    def run(self, round_: int) -> float:
        # the targets the hand-built network makes inside train(), made the same way
        inputs = torch.from_numpy(self.inputs)
        targets = torch.from_numpy(make_targets(self.labels))
        like = NeuralNetwork(*LAYERS, learning_rate=LEARNING_RATE, seed=42)
        model = torch.nn.Sequential(torch.nn.Linear(LAYERS[0], LAYERS[1]), torch.nn.Sigmoid(),
                                    torch.nn.Linear(LAYERS[1], LAYERS[2]), torch.nn.Sigmoid())
        with torch.no_grad():
            model[0].weight.copy_(torch.from_numpy(like.w_input_hidden))
            model[0].bias.copy_(torch.from_numpy(like.b_hidden))
            model[2].weight.copy_(torch.from_numpy(like.w_hidden_output))
            model[2].bias.copy_(torch.from_numpy(like.b_output))
        optimiser = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
        batches = [torch.from_numpy(batch) for batch in self.batches(round_)]
        losses = []

        def epoch():
            for batch in batches:
                batch_inputs, batch_targets = inputs[batch], targets[batch]
                outputs = model(batch_inputs)
                loss = 0.5 * ((batch_targets - outputs) ** 2).sum() / len(batch)
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
                losses.append(loss.item())

        time = seconds(epoch)
        self.losses, self.network = losses, model
        return time

    def accuracy(self, inputs, labels) -> float:
        with torch.no_grad():
            answers = self.network(torch.from_numpy(inputs)).argmax(dim=1).numpy()
        return float(np.mean(answers == labels))


# -- the report -----------------------------------------------------------------------------

def main() -> int:
    args = parse_arguments()
    threads = use_threads(args.threads)
    train_inputs, train_labels = load_mnist("train")
    test_inputs, test_labels = load_mnist("test")
    samples = args.samples
    inputs, labels = train_inputs[:samples], train_labels[:samples]

    print(f"Training speed of the {'-'.join(map(str, LAYERS))} sigmoid network: one epoch of "
          f"{samples:,} MNIST images, learning rate {LEARNING_RATE}, best of {args.repeat} "
          "epochs (of 1 at batch size 1), the two sides taking turns")
    print(f"NumPy's BLAS: {blas_name()}")
    print(threads)
    if torch is None:
        print("PyTorch: not installed (pip install -e .[crosscheck]), so only the hand-built "
              "network runs")
    peaks = matmul_peak()
    peak = max(peaks.values())
    print(f"Matrix-multiply peak, float32 {PEAK_SIZE} x {PEAK_SIZE}: "
          + ", ".join(f"{name} {value:.1f} GFLOP/s" for name, value in peaks.items())
          + f"; the peak is {peak:.1f} GFLOP/s")
    flops = training_flops(samples)
    print(f"Work of one epoch: {flops / 1e9:.1f} GFLOP of matrix products")
    print()

    header = (f"{'batch':>5} | {'hand-built s/epoch':>18} {'% of peak':>9} {'test acc':>8} | "
              f"{'PyTorch s/epoch':>15} {'% of peak':>9} {'test acc':>8} | {'hand/PyTorch':>12}")
    print(header)
    print("-" * len(header))
    ratios, fractions, reports = {}, {}, []
    for batch_size in BATCH_SIZES:
        rng = np.random.default_rng(42)
        repeat = 1 if batch_size == 1 else args.repeat
        orders = [rng.permutation(samples) for _ in range(repeat)]
        sides = {"hand": HandBuilt(inputs, labels, batch_size, orders)}
        if torch is not None:
            sides["torch"] = PyTorch(inputs, labels, batch_size, orders)
        best = alternate({name: side.run for name, side in sides.items()}, repeat)
        fractions[batch_size] = flops / best["hand"] / 1e9 / peak
        row = (f"{batch_size:>5} | {best['hand']:>18.3f} {fractions[batch_size]:>9.1%} "
               f"{sides['hand'].accuracy(test_inputs, test_labels):>8.4f} | ")
        if torch is None:
            row += f"{'-':>15} {'-':>9} {'-':>8} | {'-':>12}"
        else:
            ratios[batch_size] = best["hand"] / best["torch"]
            row += (f"{best['torch']:>15.3f} {flops / best['torch'] / 1e9 / peak:>9.1%} "
                    f"{sides['torch'].accuracy(test_inputs, test_labels):>8.4f} | "
                    f"{ratios[batch_size]:>12.2f}")
            agree, report = same_losses(sides["hand"].losses, sides["torch"].losses,
                                        after=len(sides["hand"].losses))
            reports.append((batch_size, agree, report))
        print(row, flush=True)
    print()
    for batch_size, agree, report in reports:
        print(f"batch {batch_size}, the same training: {report}")
    if not all(agree for _, agree, _ in reports):
        print("error: the two networks do not train alike, so the times do not compare",
              file=sys.stderr)
        return 1
    print()
    print(f"fraction_of_peak={fractions[PEAK_BATCH_SIZE]:.3f}")
    print(f"ratio_vs_pytorch={ratios.get(RATIO_BATCH_SIZE, math.nan):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
