"""A classroom on one computer: several learners train at once, and their drawing pads answer.

Each learner is a process of its own, as each learner's kernel is on a JupyterHub: it
imports the course (which chooses its BLAS threads, see helpers/threads.py), loads MNIST
and runs notebook 03's main training (the 784-200-10 network, batches of 16, learning rate
2.0 times 0.9 each epoch, helpers.training.fit). Beside each learner, another process
plays their drawing pad (as a Voila page would): it draws a digit with
helpers.drawing_pad.DrawingPad every 50 ms and records the time each answer took.

It runs, one after another:

1. one learner alone: the time everything else is compared with;
2. ``--learners`` learners at once: each one's time against the fair share, that is
   learners / cores x the time of one alone (a computer with 2 cores can at best run 4
   learners in twice the time of one), and each learner's slowest pad answer;
3. one learner inside a CPU quota of one core (a cgroup made for the run, as Binder and
   JupyterHub limit a learner's container) against the same learner pinned to one core
   with its affinity (as ``taskset -c 0`` does), in a cgroup of its own without a quota
   so that both meet the computer's other work alike: the quota should cost no more than
   the core. Making cgroups needs root and a writable cgroup file system (v2, or v1's cpu
   controller); where it cannot, the run says so and skips this part;
4. one drawing pad while another process keeps both cores busy (notebook 08's
   convolutional network training on 2 BLAS threads): the pad's 95th-percentile answer.

Usage, from the top folder of the course::

    python benchmarks/classroom_load.py                 # 4 learners, 12 epochs as notebook 03
    python benchmarks/classroom_load.py --epochs 3      # shorter: the ratios are what count

The goals, on a 2-core computer: 4 learners within 1.3x of the fair share; inside the
quota within 1.3x of the pinned run; the pad under 20 ms at the 95th percentile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve()

#: A 3 as a learner might draw it on the pad's 280-pixel canvas, in strokes of (x, y).
DRAWING = [[(90, 60), (150, 45), (195, 80), (160, 130), (120, 140)],
           [(160, 135), (200, 180), (170, 230), (100, 235)]]
PAD_INTERVAL = 0.05  # seconds between two answers: a pen moving, with the pad's throttle


# -- the two kinds of process: a learner's training, a learner's pad --------------------------

def learner(epochs: int, images: int) -> None:
    """Train notebook 03's network; report the seconds of training (not of loading)."""
    sys.path.insert(0, str(ROOT))
    from helpers import threads
    from helpers.data import load_mnist
    from helpers.network import NeuralNetwork
    from helpers.training import fit

    inputs, labels = load_mnist("train")
    inputs, labels = inputs[:images], labels[:images]
    network = NeuralNetwork(784, 200, 10, learning_rate=2.0, seed=42)
    print("ready", flush=True)
    sys.stdin.readline()  # "go": every learner starts at once
    start = time.perf_counter()
    fit(network, inputs, labels, epochs=epochs, batch_size=16, learning_rate_decay=0.9,
        seed=42, progress=False)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "threads": threads.CHOICE.reason}), flush=True)


def pad(stop_file: str) -> None:
    """Draw on a pad every PAD_INTERVAL until ``stop_file`` exists; report answer times."""
    sys.path.insert(0, str(ROOT))
    from helpers.drawing_pad import DrawingPad

    drawing_pad = DrawingPad()
    drawing_pad.draw_strokes(DRAWING)  # the first answer may pay for setting things up
    print("ready", flush=True)
    times = []
    while not os.path.exists(stop_file):
        drawing_pad.clear()
        drawing_pad.draw_strokes(DRAWING)
        times.append(drawing_pad.last_compute_ms)
        time.sleep(PAD_INTERVAL)
    print(json.dumps({"network": drawing_pad.network.name or "notebook 03's network",
                      "answers_ms": times}), flush=True)


def busy(seconds: float) -> None:
    """Keep both cores busy: train notebook 08's network on 2 BLAS threads."""
    os.environ["OPENBLAS_NUM_THREADS"] = "2"  # before NumPy loads: the course keeps it
    sys.path.insert(0, str(ROOT))
    from helpers.conv import mnist_cnn
    from helpers.data import load_mnist

    inputs, labels = load_mnist("test")
    network = mnist_cnn()
    print("ready", flush=True)
    end = time.perf_counter() + seconds
    first = 0
    while time.perf_counter() < end:
        network.train(inputs[first:first + 128], labels[first:first + 128])
        first = (first + 128) % 9_984
    print(json.dumps({}), flush=True)


# -- running them -----------------------------------------------------------------------------

def start(role: list[str], preexec=None) -> subprocess.Popen:
    env = {name: value for name, value in os.environ.items()
           if name not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    return subprocess.Popen([sys.executable, str(SCRIPT), *role], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
                            preexec_fn=preexec)


def wait_ready(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        line = process.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"a process of the benchmark failed to start (it said {line!r})")


def result(process: subprocess.Popen) -> dict:
    line = process.stdout.readline()
    process.wait()
    if process.returncode != 0 or not line:
        raise RuntimeError(f"a process of the benchmark failed (exit status {process.returncode})")
    return json.loads(line)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def classroom(learners: int, epochs: int, images: int, pads: bool = True,
              preexec=None) -> list[dict]:
    """Run ``learners`` learners at once (each with a pad); one dict per learner."""
    with tempfile.TemporaryDirectory() as folder:
        stop_file = os.path.join(folder, "stop")
        trainers = [start(["--role", "learner", "--epochs", str(epochs), "--images", str(images)],
                          preexec) for _ in range(learners)]
        drawers = [start(["--role", "pad", "--stop-file", stop_file]) for _ in range(learners)
                   if pads]
        wait_ready(trainers + drawers)
        for trainer in trainers:
            trainer.stdin.write("go\n")
            trainer.stdin.flush()
        done = [result(trainer) for trainer in trainers]
        Path(stop_file).touch()
        for entry, drawer in zip(done, drawers):
            entry.update(result(drawer))
    return done


def make_cgroup(cpus: float | None, tag: str) -> tuple[Path | None, str]:
    """A new cgroup limited to ``cpus`` CPUs (None: no limit): (the file a process writes
    its pid to, what was made), or (None, why it could not be made)."""
    name = f"digits-by-hand-classroom-{os.getpid()}-{tag}"
    period = 100_000
    quota = "no quota" if cpus is None else f"a quota of {round(cpus * period)} per {period} us"
    # cgroup v2, where its cpu controller can be given to a new child of the top cgroup
    top = Path("/sys/fs/cgroup")
    if (top / "cgroup.controllers").is_file():
        try:
            if "cpu" in (top / "cgroup.controllers").read_text().split():
                (top / "cgroup.subtree_control").write_text("+cpu")
                folder = top / name
                folder.mkdir()
                if cpus is not None:
                    (folder / "cpu.max").write_text(f"{round(cpus * period)} {period}")
                return folder / "cgroup.procs", f"cgroup v2 {folder.name}, {quota}"
            v2_problem = f"cgroup v2 at {top} offers no cpu controller"
        except OSError as error:
            v2_problem = f"cgroup v2 at {top}: {error}"
    else:
        v2_problem = "no cgroup v2 at /sys/fs/cgroup"
    # cgroup v1, with its cpu controller mounted on its own or with cpuacct
    for mount in (top / "cpu", top / "cpu,cpuacct"):
        if (mount / "cpu.cfs_quota_us").is_file():
            try:
                folder = mount / name
                folder.mkdir()
                if cpus is not None:
                    (folder / "cpu.cfs_period_us").write_text(str(period))
                    (folder / "cpu.cfs_quota_us").write_text(str(round(cpus * period)))
                return folder / "cgroup.procs", f"cgroup v1 {folder.name}, {quota}"
            except OSError as error:
                return None, f"{v2_problem}; cgroup v1 at {mount}: {error}"
    return None, f"{v2_problem}; no cgroup v1 cpu controller either"


def remove_cgroup(procs: Path) -> None:
    try:
        procs.parent.rmdir()
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=4, help="learners at once (default: 4)")
    parser.add_argument("--epochs", type=int, default=12,
                        help="epochs each learner trains (default: 12, as notebook 03)")
    parser.add_argument("--images", type=int, default=60_000,
                        help="training images per epoch (default: all 60,000)")
    parser.add_argument("--busy-seconds", type=float, default=30.0,
                        help="how long the pad is timed beside a busy process (default: 30)")
    parser.add_argument("--role", choices=["learner", "pad", "busy"], help=argparse.SUPPRESS)
    parser.add_argument("--stop-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "learner":
        learner(args.epochs, args.images)
        return 0
    if args.role == "pad":
        pad(args.stop_file)
        return 0
    if args.role == "busy":
        busy(args.busy_seconds)
        return 0
    if args.learners < 1 or args.epochs < 1 or not 16 <= args.images <= 60_000:
        parser.error("--learners and --epochs must be at least 1, --images 16 to 60000")

    cores = len(os.sched_getaffinity(0))
    print(f"Classroom load: {platform.machine()}, {cores} cores, Python {platform.python_version()}")
    print(f"load average before the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          "(1, 5, 15 minutes; other work on this computer counts too)")
    print(f"each learner: notebook 03's main training, {args.epochs} epoch(s) of "
          f"{args.images:,} images, batch 16; each pad draws every {PAD_INTERVAL * 1000:.0f} ms\n")

    rows = []
    alone = classroom(1, args.epochs, args.images)[0]
    print(f"BLAS threads of a learner: {alone['threads']}")
    print(f"the pads read with: {alone['network']}\n")
    rows.append(("1 learner alone", alone["seconds"], None, alone["answers_ms"]))

    together = classroom(args.learners, args.epochs, args.images)
    fair = alone["seconds"] * max(1.0, args.learners / cores)
    slowest = max(together, key=lambda entry: entry["seconds"])
    answers = [time_ms for entry in together for time_ms in entry["answers_ms"]]
    rows.append((f"{args.learners} learners at once (slowest)", slowest["seconds"],
                 (fair, "fair share", slowest["seconds"] / fair), answers))
    worst_pads = [max(entry["answers_ms"]) for entry in together if entry["answers_ms"]]

    # The pinned learner and the learner under a quota each run in a cgroup of their own,
    # so that both meet other work on the computer in the same way; only the limit differs.
    first_core = min(os.sched_getaffinity(0))
    pinned_procs, pinned_how = make_cgroup(None, "pinned")
    quota_procs, quota_how = make_cgroup(1.0, "quota")
    if pinned_procs is None or quota_procs is None:
        for procs in (pinned_procs, quota_procs):
            if procs is not None:
                remove_cgroup(procs)
        quota_note = f"NOT RUN: could not make a cgroup with a CPU quota ({quota_how or pinned_how})"
    else:
        try:
            def pin():
                pinned_procs.write_text(str(os.getpid()))
                os.sched_setaffinity(0, {first_core})

            pinned = classroom(1, args.epochs, args.images, pads=False, preexec=pin)[0]
            quota = classroom(1, args.epochs, args.images, pads=False,
                              preexec=lambda: quota_procs.write_text(str(os.getpid())))[0]
        finally:
            remove_cgroup(pinned_procs)
            remove_cgroup(quota_procs)
        rows.append(("1 learner pinned to 1 core", pinned["seconds"], None, []))
        rows.append(("1 learner in a 1-CPU quota", quota["seconds"],
                     (pinned["seconds"], "pinned run", quota["seconds"] / pinned["seconds"]), []))
        quota_note = (f"pinned: {pinned_how}, affinity core {first_core}; quota: {quota_how}; "
                      f"the learner in the quota chose: {quota['threads']}")

    with tempfile.TemporaryDirectory() as folder:
        stop_file = os.path.join(folder, "stop")
        hog = start(["--role", "busy", "--busy-seconds", str(args.busy_seconds)])
        drawer = start(["--role", "pad", "--stop-file", stop_file])
        wait_ready([hog, drawer])
        result(hog)
        Path(stop_file).touch()
        beside_busy = result(drawer)["answers_ms"]

    print(f"{'run':40} | {'training s':>10} | {'compared with':>24} | {'ratio':>5} | "
          f"{'pad p95 ms':>10} | {'pad max ms':>10}")
    print("-" * 116)
    for name, seconds, against, pad_ms in rows:
        compared = f"{against[1]} {against[0]:.1f} s" if against else ""
        ratio = f"{against[2]:.2f}" if against else ""
        p95 = f"{percentile(pad_ms, 0.95):.1f}" if pad_ms else ""
        worst = f"{max(pad_ms):.1f}" if pad_ms else ""
        print(f"{name:40} | {seconds:10.1f} | {compared:>24} | {ratio:>5} | {p95:>10} | {worst:>10}")
    print(f"{'1 pad beside a process on both cores':40} | {'':>10} | {'':>24} | {'':>5} | "
          f"{percentile(beside_busy, 0.95):10.1f} | {max(beside_busy):10.1f}")
    print(f"\neach learner's slowest pad answer while {args.learners} trained (ms): "
          + ", ".join(f"{value:.1f}" for value in worst_pads))
    print(quota_note)
    print(f"pad answers timed: {len(answers)} while {args.learners} learners trained, "
          f"{len(beside_busy)} beside the busy process")
    print(f"load average after the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\ngoals: learners within 1.3x of the fair share, the quota within 1.3x of the pinned "
          "run, the pad beside a busy process under 20 ms at the 95th percentile")
    return 0


if __name__ == "__main__":
    sys.exit(main())
