"""The number of BLAS threads the course chooses (helpers/threads.py).

The CPU quota is read from made-up cgroup files in a temporary folder, laid out as Linux
lays them out; the affinity is set for real in a child process. No test times anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import threads

ROOT = Path(__file__).resolve().parent.parent


# -- the CPU quota, from made-up cgroup files -------------------------------------------------

def fake_proc(tmp_path: Path, cgroup: str, mounts: list[str]) -> Path:
    """A folder like /proc/self with the files ``cgroup`` and ``mountinfo``."""
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "cgroup").write_text(cgroup)
    (proc / "mountinfo").write_text("".join(line + "\n" for line in mounts))
    return proc


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def test_cgroup_v2_quota_is_the_smallest_from_the_process_up(tmp_path):
    # a JupyterHub-like tree: the user's slice allows 1.5 CPUs, the learner's scope has none
    mount = tmp_path / "sys fs cgroup"  # a space, as mountinfo writes it: \040
    write(mount / "cpu.max", "max 100000")  # the top has no quota
    write(mount / "user.slice" / "cpu.max", "150000 100000")
    write(mount / "user.slice" / "learner.scope" / "cpu.max", "max 100000")
    proc = fake_proc(tmp_path, "0::/user.slice/learner.scope\n", [
        f"30 25 0:26 / {str(mount).replace(' ', chr(92) + '040')} rw,nosuid - cgroup2 cgroup2 "
        "rw,nsdelegate"])
    assert threads.cgroup_cpu_limit(proc) == 1.5
    assert threads.usable_cpus(cores=16, quota=1.5) == 1


def test_cgroup_v2_half_a_cpu(tmp_path):
    mount = tmp_path / "cgroup"
    write(mount / "cpu.max", "50000 100000")
    proc = fake_proc(tmp_path, "0::/\n", [f"30 25 0:26 / {mount} rw - cgroup2 cgroup2 rw"])
    assert threads.cgroup_cpu_limit(proc) == 0.5
    assert threads.usable_cpus(cores=64, quota=0.5) == 1


def test_cgroup_v1_quota_in_a_container_that_sees_only_its_own_cgroup(tmp_path):
    # Docker without a cgroup namespace: /proc/self/cgroup names /docker/abc, and that
    # cgroup is mounted at the mount point itself (mountinfo's root field is /docker/abc)
    mount = tmp_path / "cpu,cpuacct"
    write(mount / "cpu.cfs_quota_us", "200000")
    write(mount / "cpu.cfs_period_us", "100000")
    proc = fake_proc(tmp_path, "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n", [
        f"40 30 0:35 /docker/abc {mount} ro,nosuid - cgroup cgroup rw,cpu,cpuacct",
        f"41 30 0:36 /docker/abc {tmp_path / 'memory'} ro - cgroup cgroup rw,memory"])
    assert threads.cgroup_cpu_limit(proc) == 2.0


def test_cgroup_v1_without_a_quota_and_a_hybrid_v2_without_cpu_max(tmp_path):
    # what this course's own test machine looks like: v1 for cpu, v2 mounted beside it
    v1, v2 = tmp_path / "cpu", tmp_path / "unified"
    write(v1 / "course" / "cpu.cfs_quota_us", "-1")
    write(v1 / "course" / "cpu.cfs_period_us", "100000")
    write(v1 / "cpu.cfs_quota_us", "-1")
    write(v1 / "cpu.cfs_period_us", "100000")
    (v2 / "course").mkdir(parents=True)
    proc = fake_proc(tmp_path, "1:cpu:/course\n0::/course\n", [
        f"32 31 0:29 / {v1} rw,relatime - cgroup cgroup rw,cpu",
        f"41 31 0:38 / {v2} rw,relatime - cgroup2 cgroup2 rw"])
    assert threads.cgroup_cpu_limit(proc) is None


def test_cgroup_v1_quota_of_a_parent_counts(tmp_path):
    v1 = tmp_path / "cpu"
    write(v1 / "class" / "cpu.cfs_quota_us", "100000")
    write(v1 / "class" / "cpu.cfs_period_us", "100000")
    write(v1 / "class" / "learner" / "cpu.cfs_quota_us", "-1")
    write(v1 / "class" / "learner" / "cpu.cfs_period_us", "100000")
    proc = fake_proc(tmp_path, "1:cpu:/class/learner\n", [
        f"32 31 0:29 / {v1} rw - cgroup cgroup rw,cpu"])
    assert threads.cgroup_cpu_limit(proc) == 1.0


def test_no_proc_files_means_no_quota(tmp_path):
    assert threads.cgroup_cpu_limit(tmp_path / "nowhere") is None


# -- the choice -------------------------------------------------------------------------------

def test_the_course_uses_the_threads_that_pay_for_its_work():
    choice = threads.choose(environ={}, blas_threads=64, cores=64, quota=None)
    assert choice.threads == threads.COURSE_THREADS == 1
    assert choice.reason == ("1 BLAS thread(s), as many as pay for the course's work (this "
                             "process may run on 64 core(s), with no CPU quota)")


@pytest.mark.parametrize("cores, quota, blas, expected", [
    (2, None, 2, 2),      # a laptop: all its cores
    (64, 1.0, 64, 1),     # a Binder or JupyterHub container on a big node: its quota
    (64, 0.5, 64, 1),     # half a CPU: still one thread
    (64, 2.5, 64, 2),     # two and a half CPUs: two threads
    (1, None, 2, 1),      # pinned to one core (taskset)
    (4, 2.0, 64, 2),      # OpenBLAS started more threads than the machine has cores
])
def test_more_threads_would_be_capped_by_cores_and_quota(monkeypatch, cores, quota, blas, expected):
    monkeypatch.setattr(threads, "COURSE_THREADS", 8)  # as if larger work paid for 8
    choice = threads.choose(environ={}, blas_threads=blas, cores=cores, quota=quota)
    assert choice.threads == expected
    assert f"may run on {cores} core(s)" in choice.reason
    said = "with no CPU quota" if quota is None else f"with a CPU quota of {quota:g} CPU"
    assert said in choice.reason


@pytest.mark.parametrize("variable", threads.LEARNER_VARIABLES)
def test_a_learners_variable_is_kept(variable):
    choice = threads.choose(environ={variable: "3"}, blas_threads=3, cores=64, quota=1.0)
    assert choice.threads is None
    assert f"{variable}=3" in choice.reason


def test_fewer_threads_set_before_the_course_are_kept():
    choice = threads.choose(environ={}, blas_threads=2, cores=8, quota=None)
    assert choice.threads is None and "kept the 2 BLAS thread" in choice.reason


def test_without_blas_nothing_is_set():
    assert threads.choose(environ={}, blas_threads=None, cores=4, quota=None).threads is None


# -- for real, in a child process --------------------------------------------------------------

REPORT = """
import json, numpy, scipy.linalg
from threadpoolctl import threadpool_info
before = max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
from helpers import threads
print(json.dumps([threads.CHOICE.threads, before, threads.blas_thread_count(),
                  threads.CHOICE.reason]))
"""


def child_report(env_changes: dict[str, str], cores: set[int] | None = None,
                 before: str = "") -> list:
    """In a fresh Python, with ``env_changes`` and the affinity ``cores``: what `import
    helpers` chose, the BLAS threads before and after it, and why."""
    env = {name: value for name, value in os.environ.items()
           if name not in threads.LEARNER_VARIABLES}
    env.update(env_changes)
    env["PYTHONPATH"] = str(ROOT)
    preexec = (lambda: os.sched_setaffinity(0, cores)) if cores else None
    result = subprocess.run([sys.executable, "-c", before + REPORT], env=env, text=True,
                            capture_output=True, timeout=120, preexec_fn=preexec, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs Linux's affinity")
def test_a_process_pinned_to_one_core_gets_one_thread():
    chosen, _, after, reason = child_report({}, cores={min(os.sched_getaffinity(0))})
    assert (chosen, after) == (1, 1), reason
    assert "this process may run on 1 core(s)" in reason


@pytest.mark.parametrize("variable", ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"])
def test_a_learners_own_setting_survives_import_helpers(variable):
    chosen, before, after, reason = child_report({variable: "1"})
    assert reason == f"kept your own setting, {variable}=1"
    assert chosen is None and before == after == 1


def test_a_learners_threadpoolctl_limit_survives_import_helpers():
    learner = ("import numpy, scipy.linalg\nfrom threadpoolctl import threadpool_limits\n"
               "threadpool_limits(1, user_api='blas')")
    chosen, before, after, reason = child_report({}, before=learner)
    assert before == after == 1
    if threads.cores_allowed() > 1:  # on one core, 1 is also what the course would choose
        assert chosen is None and "kept the 1 BLAS thread" in reason
