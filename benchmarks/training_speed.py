"""How fast does the hand-built network train, next to the same network in PyTorch?

Times one epoch (all 60,000 MNIST training images) of the course's 784-200-10 sigmoid
network at batch sizes 1, 16, 32 and 64, and, when PyTorch is installed, of the same
network in PyTorch on the CPU: same layers, same initial weights, same batches in the same
order, same learning rate and same loss (half the squared error, summed over the outputs
and averaged over the batch), plain stochastic gradient descent. Both use the same number
of threads: PyTorch is set to the number that NumPy's BLAS uses.

It also measures this machine's matrix-multiply peak (a large float32 matrix product, in
NumPy and in PyTorch) and shows what fraction of it each reaches while training, counting
the matrix products of training (forward pass, backpropagated deltas, weight gradients).

Usage, from the top folder of the course::

    python benchmarks/training_speed.py               # the full run (a minute or two)
    python benchmarks/training_speed.py --samples 6000 --repeat 1   # a quick look
    python benchmarks/training_speed.py --threads 1   # both on one thread

The last line is ``ratio_vs_pytorch=<hand-built seconds / PyTorch seconds>`` at batch size
32 (below 1: the hand-built network is faster); ``nan`` without PyTorch. PyTorch is not
part of the course: ``pip install torch`` to compare.
"""

from __future__ import annotations

import argparse
import ctypes
import math
import os
import sys
import time
from pathlib import Path

BATCH_SIZES = (1, 16, 32, 64)
RATIO_BATCH_SIZE = 32
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
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for NumPy's BLAS and PyTorch (default: BLAS's own choice)")
    args = parser.parse_args(argv)
    if not 1 <= args.samples <= 60_000:
        parser.error("--samples must be 1 to 60000")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


ARGS = parse_arguments()
if ARGS.threads:  # before NumPy starts its BLAS, which reads these once
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.data import load_mnist  # noqa: E402
from helpers.network import NeuralNetwork, make_targets  # noqa: E402
from helpers.training import accuracy  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


# -- threads and the peak -------------------------------------------------------------------

def blas_threads() -> tuple[int, str]:
    """The number of threads NumPy's BLAS uses, and how we know it."""
    try:
        from threadpoolctl import threadpool_info
        counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
        if counts:
            return counts[0], "threadpoolctl"
    except ImportError:
        pass
    # The OpenBLAS inside NumPy's wheels can be asked directly.
    folder = Path(np.__file__).resolve().parent
    for library in sorted(folder.parent.glob("numpy.libs/*openblas*")) + sorted(
            folder.glob(".dylibs/*openblas*")):
        blas = ctypes.CDLL(str(library))
        for name in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                     "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(blas, name):
                return int(getattr(blas, name)()), f"{library.name}"
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(variable, "").isdigit():
            return int(os.environ[variable]), variable
    return os.cpu_count() or 1, "os.cpu_count(), a guess"


def blas_name() -> str:
    """NumPy's BLAS library, e.g. "scipy-openblas 0.3.31"."""
    try:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{config['name']} {config['version']}"
    except Exception:  # older NumPy, or another layout of its configuration
        return "unknown"


def best_seconds(work, repeat: int) -> float:
    """The shortest time of ``repeat`` runs of ``work()``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def matmul_peak() -> dict[str, float]:
    """GFLOP/s of a large float32 matrix product in NumPy (and PyTorch): the machine's peak."""
    rng = np.random.default_rng(0)
    a = rng.random((PEAK_SIZE, PEAK_SIZE), dtype=np.float32)
    b = rng.random((PEAK_SIZE, PEAK_SIZE), dtype=np.float32)
    flops = 2 * PEAK_SIZE ** 3
    a @ b  # warm up
    peaks = {"NumPy": flops / best_seconds(lambda: a @ b, 7) / 1e9}
    if torch is not None:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        ta @ tb
        peaks["PyTorch"] = flops / best_seconds(lambda: ta @ tb, 7) / 1e9
    return peaks


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

def epoch_orders(samples: int, repeat: int) -> list[np.ndarray]:
    """The shuffled order of the images for each timed epoch (the same for both)."""
    rng = np.random.default_rng(42)
    return [rng.permutation(samples) for _ in range(repeat)]


def hand_built_epochs(inputs, targets, batch_size: int, orders) -> tuple[float, NeuralNetwork]:
    """Best seconds of one epoch of the hand-built network, and the network after its last epoch."""
    times, network = [], None
    for order in orders:
        network = NeuralNetwork(*LAYERS, learning_rate=LEARNING_RATE, seed=42)
        start = time.perf_counter()
        for first in range(0, len(order), batch_size):
            batch = order[first:first + batch_size]
            network.train(inputs[batch], targets[batch])
        times.append(time.perf_counter() - start)
    return min(times), network


def torch_network(like: NeuralNetwork):
    """The same network in PyTorch, starting from the same weights as ``like``."""
    model = torch.nn.Sequential(torch.nn.Linear(LAYERS[0], LAYERS[1]), torch.nn.Sigmoid(),
                                torch.nn.Linear(LAYERS[1], LAYERS[2]), torch.nn.Sigmoid())
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(like.w_input_hidden))
        model[0].bias.copy_(torch.from_numpy(like.b_hidden))
        model[2].weight.copy_(torch.from_numpy(like.w_hidden_output))
        model[2].bias.copy_(torch.from_numpy(like.b_output))
    return model


def torch_epochs(inputs, targets, batch_size: int, orders):
    """Best seconds of one epoch of the PyTorch network, and the model after its last epoch."""
    inputs, targets = torch.from_numpy(inputs), torch.from_numpy(targets)
    times, model = [], None
    for order in orders:
        model = torch_network(NeuralNetwork(*LAYERS, learning_rate=LEARNING_RATE, seed=42))
        optimiser = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
        order = torch.from_numpy(order)
        start = time.perf_counter()
        for first in range(0, len(order), batch_size):
            batch = order[first:first + batch_size]
            batch_inputs, batch_targets = inputs[batch], targets[batch]
            outputs = model(batch_inputs)
            loss = 0.5 * ((batch_targets - outputs) ** 2).sum() / len(batch)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
        times.append(time.perf_counter() - start)
    return min(times), model


def torch_accuracy(model, inputs, labels) -> float:
    with torch.no_grad():
        answers = model(torch.from_numpy(inputs)).argmax(dim=1).numpy()
    return float(np.mean(answers == labels))


# -- the report -----------------------------------------------------------------------------

def main() -> int:
    threads, source = blas_threads()
    if torch is not None:
        torch.set_num_threads(threads)
    train_inputs, train_labels = load_mnist("train")
    test_inputs, test_labels = load_mnist("test")
    samples = ARGS.samples
    inputs, targets = train_inputs[:samples], make_targets(train_labels[:samples])

    print(f"Training speed of the {'-'.join(map(str, LAYERS))} sigmoid network: one epoch of "
          f"{samples:,} MNIST images, learning rate {LEARNING_RATE}, best of {ARGS.repeat} "
          "epochs (of 1 at batch size 1)")
    print(f"NumPy {np.__version__} with {blas_name()}: {threads} BLAS thread(s) (from {source})")
    if torch is None:
        print("PyTorch: not installed (pip install torch), so only the hand-built network runs")
    else:
        print(f"PyTorch {torch.__version__}: torch.set_num_threads({threads}), the same as "
              f"NumPy's BLAS (now {torch.get_num_threads()})")
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
    ratios = {}
    for batch_size in BATCH_SIZES:
        orders = epoch_orders(samples, 1 if batch_size == 1 else ARGS.repeat)
        seconds, network = hand_built_epochs(inputs, targets, batch_size, orders)
        row = (f"{batch_size:>5} | {seconds:>18.3f} {flops / seconds / 1e9 / peak:>9.1%} "
               f"{accuracy(network, test_inputs, test_labels):>8.4f} | ")
        if torch is None:
            row += f"{'-':>15} {'-':>9} {'-':>8} | {'-':>12}"
        else:
            torch_seconds, model = torch_epochs(inputs, targets, batch_size, orders)
            ratios[batch_size] = seconds / torch_seconds
            row += (f"{torch_seconds:>15.3f} {flops / torch_seconds / 1e9 / peak:>9.1%} "
                    f"{torch_accuracy(model, test_inputs, test_labels):>8.4f} | "
                    f"{ratios[batch_size]:>12.2f}")
        print(row, flush=True)
    print()
    print(f"ratio_vs_pytorch={ratios.get(RATIO_BATCH_SIZE, math.nan):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
