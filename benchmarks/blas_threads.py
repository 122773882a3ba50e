"""When does a second BLAS thread pay for the course's work?

Times each kind of work the course does on one BLAS thread and on two (or ``--threads``),
side by side in one run, alternating, so that both see the same load: the drawing pad's
answer to one drawing (notebook 03's network and notebook 08's convolutional network),
training notebook 03's 784-200-10 network in batches of 16 and 64, notebook 07's dense
784-256-128-10 network (Adam) in batches of 64, and notebook 08's convolutional network in
batches of 128. ``helpers.threads`` uses one thread where the second does not pay.

Usage, from the top folder of the course::

    python benchmarks/blas_threads.py            # one thread against two
    python benchmarks/blas_threads.py --busy 2   # the same while 2 other processes spin

``--busy N`` starts N processes that keep a core busy each, as other learners' kernels
or other people's work on a shared computer would.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from helpers.conv import mnist_cnn  # noqa: E402
from helpers.data import load_mnist  # noqa: E402
from helpers.layers import Dense, ReLU, Sequential, SoftmaxCrossEntropy  # noqa: E402
from helpers.network import NeuralNetwork  # noqa: E402
from helpers.optimizers import Adam  # noqa: E402
from helpers.own_digits import read_digit  # noqa: E402
from helpers.saving import BEST_MODEL, DEFAULT_MODEL, load_network  # noqa: E402

SAMPLE_DRAWING = ROOT / "data" / "own_digits" / "3_a.png"


def training_work(network, inputs, labels, batch_size: int, batches: int):
    """A function that trains ``network`` on ``batches`` batches of ``batch_size``."""
    def work():
        for first in range(0, batch_size * batches, batch_size):
            network.train(inputs[first:first + batch_size], labels[first:first + batch_size])
    return work


def workloads(inputs, labels, scale: float):
    """(name, batch size, batches per call, function) for each kind of the course's work."""
    small, cnn = load_network(DEFAULT_MODEL), load_network(BEST_MODEL)
    dense_07 = Sequential([Dense(784, 256, gain=2.0, seed=1), ReLU(),
                           Dense(256, 128, gain=2.0, seed=2), ReLU(),
                           Dense(128, 10, seed=3)], SoftmaxCrossEntropy(), Adam(0.001))
    training = [
        ("train 784-200-10 (notebook 03)", 16, 200,
         NeuralNetwork(784, 200, 10, learning_rate=2.0, seed=42)),
        ("train 784-200-10", 64, 50, NeuralNetwork(784, 200, 10, learning_rate=2.0, seed=42)),
        ("train 784-256-128-10, Adam (notebook 07)", 64, 50, dense_07),
        ("train CNN (notebook 08)", 128, 8, mnist_cnn()),
    ]
    return [
        ("pad answer, notebook 03 network", 1, 1, lambda: read_digit(small, SAMPLE_DRAWING)),
        ("pad answer, notebook 08 CNN", 1, 1, lambda: read_digit(cnn, SAMPLE_DRAWING)),
    ] + [(name, batch_size, max(1, round(batches * scale)),
          training_work(network, inputs, labels, batch_size, max(1, round(batches * scale))))
         for name, batch_size, batches, network in training]


def time_call(work, threads: int, calls: int) -> float:
    """The median time of one call of ``work`` on ``threads`` BLAS threads, in seconds."""
    with threadpool_limits(limits=threads, user_api="blas"):
        work()  # warm up: the first call may start threads, fill caches
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2,
                        help="the number of threads to compare with one (default: 2)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of one-then-many; the best round of each counts "
                             "(default: 5)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply the batches timed per call (default: 1)")
    parser.add_argument("--busy", type=int, default=0,
                        help="other processes that keep a core busy each while this runs")
    args = parser.parse_args(argv)
    if args.threads < 2 or args.rounds < 1 or args.busy < 0 or args.scale <= 0:
        parser.error("--threads must be at least 2, --rounds 1, --busy 0, --scale above 0")

    inputs, labels = load_mnist("train")
    blas = [pool for pool in threadpool_info()
            if pool["user_api"] == "blas" and "numpy" in pool["filepath"]]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"NumPy {np.__version__} with {blas[0]['internal_api']} {blas[0]['version']}")
    print(f"load average before the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{args.busy} busy process(es) started by this run")
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(args.busy)]
    try:
        rows = []
        for name, batch_size, batches, work in workloads(inputs, labels, args.scale):
            calls = 50 if batches == 1 else 1
            one, many = [], []
            for _ in range(args.rounds):
                one.append(time_call(work, 1, calls) / batches)
                many.append(time_call(work, args.threads, calls) / batches)
            rows.append((name, batch_size, min(one), min(many)))
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()

    print(f"\nms per batch (the pad: per answer, preparing the drawing included), "
          f"best of {args.rounds} rounds")
    print(f"{'work':42} | batch | {'1 thread':>9} | {f'{args.threads} threads':>9} | "
          f"{args.threads} threads / 1")
    print("-" * 86)
    for name, batch_size, one, many in rows:
        print(f"{name:42} | {batch_size:5} | {1000 * one:9.3f} | {1000 * many:9.3f} | "
              f"{many / one:6.2f}")
    print(f"\nload average after the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
