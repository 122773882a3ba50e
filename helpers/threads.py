"""How many threads NumPy's matrix products use, chosen for the machine the course runs on.

NumPy hands every matrix product to a BLAS library (OpenBLAS, in NumPy's wheels). OpenBLAS
starts one thread per core it sees, and it sees every core of the computer, not the share
a learner may use: a Binder or JupyterHub container limited to one CPU on a 64-core node,
a Colab session whose two cores are shared, a classroom where thirty kernels train at
once. Threads that wait for a core they cannot have make the work slower, not faster.

So ``import helpers`` sets the number of BLAS threads, with threadpoolctl: as many as pay
for the course's work (:data:`COURSE_THREADS`), and never more than the CPUs this process
may really use (:func:`usable_cpus`): the cores it may run on (its *affinity*) and, in a
container, its CPU quota (a *cgroup* limit, :func:`cgroup_cpu_limit`). A learner who chose a
number of threads keeps it: when ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` or
``MKL_NUM_THREADS`` is set, or the BLAS already runs fewer threads than the process may
use (someone called threadpoolctl first), the course changes nothing.

The course's work is small: it runs as fast or faster on one thread even on a quiet
machine, because splitting a small matrix product between two threads costs about as much
as it saves, and many times slower on two threads when the cores are busy with other work,
because each thread keeps waiting for the other. Measured with
``python benchmarks/blas_threads.py`` on a 2-core x86-64 virtual machine (NumPy 2.4.6,
OpenBLAS 0.3.31), each kind of work on one BLAS thread and on two, side by side; the time
on two threads divided by the time on one (above 1: the second thread costs)::

    work (batch size)                          run with priority    as it came
                                               load 12 on 2 cores   load 8-10
    pad answer, notebook 03 network (1)              0.89               1.28
    pad answer, notebook 08 CNN (1)                  1.01               5.32
    train 784-200-10, notebook 03 (16)               1.22              20.33
    train 784-200-10 (64)                            0.92              12.99
    train 784-256-128-10 Adam, notebook 07 (64)      1.30               8.23
    train CNN, notebook 08 (128)                     1.00               2.26

"Run with priority" ran at nice -15 in its own scheduling group, as near to a quiet machine
as a shared one gets; "as it came" ran at the same priority as the others. The second
thread paid 11 % at best and cost up to 20 times as much, so the course uses one thread.
One number for the whole course also keeps results the same whichever way a learner
trains: a product split between threads may add its terms in another order, and so differ
in the last bits from the same product on one thread.

``helpers.threads.CHOICE`` says what was chosen and why (notebook 00 shows it).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

#: The environment variables with which a learner sets the number of BLAS threads
#: themselves. When one is set, the course leaves the threads alone.
LEARNER_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

#: The BLAS threads that pay for the course's work: a second thread gained nothing for any
#: of it (batches of 1 to 128, measured: see above).
COURSE_THREADS = 1


# -- the CPUs this process may use -----------------------------------------------------------

def cgroup_cpu_limit(proc: Path = Path("/proc/self")) -> float | None:
    """The CPU quota of this process's control group, in CPUs (such as 1.0 or 0.5), or
    None where there is none.

    A container's quota lives in its cgroup's files: ``cpu.max`` ("50000 100000": 50 ms
    of CPU time every 100 ms, so half a CPU; "max 100000": no quota) in cgroup v2, and
    ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` (a quota of -1: none) in cgroup v1. Which
    cgroup the process is in comes from ``proc/cgroup``, where its file system is mounted
    from ``proc/mountinfo``. A parent's quota limits its children, so the smallest quota
    from the process's own cgroup up to the top counts. ``proc`` is a folder like
    ``/proc/self``, so that tests can hand it made-up files.
    """
    try:
        memberships = (proc / "cgroup").read_text().splitlines()
        mounts = (proc / "mountinfo").read_text().splitlines()
    except OSError:
        return None  # not Linux, or no /proc
    limits = []
    for line in mounts:
        fields, _, after = line.partition(" - ")
        fields, after = fields.split(), after.split()
        if len(fields) < 5 or len(after) < 3:
            continue
        root, mount_point = fields[3], Path(decode_mount_path(fields[4]))
        file_system, options = after[0], after[2].split(",")
        if file_system == "cgroup2":
            files, read = ("cpu.max",), read_cpu_max
            path = cgroup_path(memberships, lambda hierarchy, controllers: hierarchy == "0")
        elif file_system == "cgroup" and "cpu" in options:
            files, read = ("cpu.cfs_quota_us", "cpu.cfs_period_us"), read_cfs_quota
            path = cgroup_path(memberships,
                               lambda hierarchy, controllers: "cpu" in controllers.split(","))
        else:
            continue
        if path is None:
            continue
        # the process's cgroup as a folder under the mount point (the mount may show only a
        # part of the tree, from `root` down; then the folder is the mount point itself)
        relative = Path(path).relative_to(root) if Path(path).is_relative_to(root) else Path()
        folder = mount_point / relative
        while True:
            if all((folder / file).is_file() for file in files):
                limit = read(*(folder / file for file in files))
                if limit is not None:
                    limits.append(limit)
            if folder == mount_point or folder == folder.parent:
                break
            folder = folder.parent
    return min(limits) if limits else None


def cgroup_path(memberships: list[str], wanted) -> str | None:
    """The cgroup path from the line of ``/proc/self/cgroup`` ("hierarchy:controllers:path")
    for which ``wanted(hierarchy, controllers)`` holds."""
    for line in memberships:
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if wanted(hierarchy, controllers):
            return path
    return None


def decode_mount_path(text: str) -> str:
    r"""A path from ``/proc/self/mountinfo``, where a space is written ``\040``."""
    return text.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n") \
        .replace("\\134", "\\")


def read_cpu_max(path: Path) -> float | None:
    """A cgroup v2 ``cpu.max`` ("quota period", quota "max" for none) in CPUs, or None."""
    quota, _, period = path.read_text().strip().partition(" ")
    if quota == "max":
        return None
    return int(quota) / int(period or 100_000)


def read_cfs_quota(quota_path: Path, period_path: Path) -> float | None:
    """A cgroup v1 ``cpu.cfs_quota_us`` (-1 for none) over ``cpu.cfs_period_us``, in CPUs."""
    quota, period = int(quota_path.read_text()), int(period_path.read_text())
    return None if quota <= 0 or period <= 0 else quota / period


def cores_allowed() -> int:
    """How many cores this process may run on (its affinity, which ``taskset`` sets)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # macOS and Windows: no affinity to read


def usable_cpus(cores: int, quota: float | None) -> int:
    """The number of CPUs a process can keep busy: its ``cores`` (:func:`cores_allowed`),
    or fewer under a ``quota`` (:func:`cgroup_cpu_limit`; None for none).

    A quota of 1.5 CPUs gives 1 (a second thread would be throttled half the time), and
    any quota gives at least 1.
    """
    if quota is None:
        return max(1, cores)
    return max(1, min(cores, math.floor(quota)))


# -- the choice ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThreadChoice:
    """What the course chose for NumPy's BLAS threads.

    ``threads`` is the number the course set, or None where it left them alone;
    ``reason`` says why, in one line.
    """

    threads: int | None
    reason: str


def choose(environ, blas_threads: int | None, cores: int, quota: float | None) -> ThreadChoice:
    """Decide the number of BLAS threads, without changing anything.

    ``environ`` is the environment (``os.environ``), ``blas_threads`` how many threads the
    BLAS runs now (None if there is no BLAS to set), ``cores`` and ``quota`` as for
    :func:`usable_cpus`. Fewer threads than the process may use were set by someone on
    purpose, and stay.
    """
    own = [f"{name}={environ[name]}" for name in LEARNER_VARIABLES if environ.get(name)]
    if own:
        return ThreadChoice(None, f"kept your own setting, {', '.join(own)}")
    if blas_threads is None:
        return ThreadChoice(None, "found no BLAS library to set")
    usable = usable_cpus(cores, quota)
    where = f"this process may run on {cores} core(s)" + (
        ", with no CPU quota" if quota is None else f", with a CPU quota of {quota:g} CPU")
    if blas_threads < usable:
        return ThreadChoice(None, f"kept the {blas_threads} BLAS thread(s) set before the "
                                  f"course started ({where})")
    threads = min(usable, COURSE_THREADS)
    return ThreadChoice(threads, f"{threads} BLAS thread(s), as many as pay for the course's "
                                 f"work ({where})")


# -- setting it ------------------------------------------------------------------------------

_controller = None  # threadpoolctl's handle on the BLAS libraries that NumPy loaded
CHOICE = ThreadChoice(None, "not chosen yet: helpers.threads.apply() chooses")


def blas_thread_count() -> int | None:
    """How many threads NumPy's BLAS runs now (the largest, if several are loaded)."""
    if _controller is None:
        return None
    counts = [pool.num_threads for pool in _controller.lib_controllers]
    return max(counts) if counts else None


def apply() -> ThreadChoice:
    """Choose the BLAS threads (:func:`choose`) and set them. ``import helpers`` calls it."""
    global _controller, CHOICE
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        CHOICE = ThreadChoice(None, "left the BLAS threads alone: threadpoolctl is missing "
                                    "(pip install -r requirements.txt installs it)")
        return CHOICE
    # NumPy and SciPy each bring an OpenBLAS of their own: load both, so that threadpoolctl
    # finds both (the course imports them anyway)
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401

    _controller = ThreadpoolController().select(user_api="blas")
    CHOICE = choose(os.environ, blas_thread_count(), cores_allowed(), cgroup_cpu_limit())
    if CHOICE.threads is not None:
        _controller.limit(limits=CHOICE.threads)
    return CHOICE
