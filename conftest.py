"""How many processes `pytest` runs the tests in (pytest-xdist's ``-n auto``, set in
pyproject.toml).

The course runs NumPy on one thread per process (helpers/threads.py), so the tests use the
other cores by running side by side in separate processes: one per CPU this process may
really use (its affinity, fewer under a container's CPU quota: the same count that
helpers.threads reads), and no more than four, since each may hold a notebook's kernel of
over 1 GiB and the nine notebooks and a few long tests do not split any finer.
"""

from helpers import threads

MOST_WORKERS = 4


def pytest_xdist_auto_num_workers(config):
    return min(MOST_WORKERS, threads.usable_cpus(threads.cores_allowed(),
                                                 threads.cgroup_cpu_limit()))
