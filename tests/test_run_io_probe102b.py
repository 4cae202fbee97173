"""Probe 102 rows 7, 22-24: auto torch threads under a scheduler's CPU allocation (cgroup CPU quota,
``SLURM_CPUS_PER_TASK``), and a failure to start a thread or process told as the per-user process
limit."""

from __future__ import annotations

import errno

from rambo_env import host_limits, run_io


def _fake_proc(tmp_path, mount_line: str, cgroup_line: str):
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "mountinfo").write_text(
        f"31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n{mount_line}\n"
    )
    (proc / "cgroup").write_text(f"{cgroup_line}\n")
    return proc


def test_cgroup_v2_cpu_max_is_read(tmp_path):
    root = tmp_path / "cg2"
    (root / "job").mkdir(parents=True)
    (root / "job" / "cpu.max").write_text("100000 100000\n")
    proc = _fake_proc(tmp_path, f"40 31 0:40 / {root} rw - cgroup2 cgroup2 rw", "0::/job")
    assert run_io.cgroup_cpu_limit(proc) == 1.0
    (root / "job" / "cpu.max").write_text("max 100000\n")  # no quota
    assert run_io.cgroup_cpu_limit(proc) is None


def test_cgroup_v1_quota_of_a_parent_cgroup_is_read(tmp_path):
    root = tmp_path / "cpu"
    (root / "slurm" / "job1").mkdir(parents=True)
    (root / "slurm" / "cpu.cfs_quota_us").write_text("150000\n")
    (root / "slurm" / "cpu.cfs_period_us").write_text("100000\n")
    (root / "slurm" / "job1" / "cpu.cfs_quota_us").write_text("-1\n")  # none here
    (root / "slurm" / "job1" / "cpu.cfs_period_us").write_text("100000\n")
    line = f"32 31 0:29 / {root} rw - cgroup cgroup rw,cpu,cpuacct"
    proc = _fake_proc(tmp_path, line, "3:cpu,cpuacct:/slurm/job1")
    assert run_io.cgroup_cpu_limit(proc) == 1.5


def _two_idle_cores(monkeypatch):
    monkeypatch.setattr(run_io.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(host_limits, "torch_processes", lambda: [])
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("SLURM_CPUS_PER_TASK", raising=False)


def test_auto_threads_keep_to_slurm_cpus_per_task(monkeypatch):
    # probe 102 row 7: was (2, 'auto: 2 core(s), no other torch process') under SLURM_CPUS_PER_TASK=1
    _two_idle_cores(monkeypatch)
    monkeypatch.setattr(host_limits, "cgroup_cpu_limit", lambda: None, raising=False)
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "1")
    threads, why = run_io.resolve_torch_threads(None)
    assert threads == 1 and "SLURM_CPUS_PER_TASK=1" in why, why


def test_auto_threads_keep_to_the_cgroup_cpu_quota(monkeypatch):
    # probe 102 row 7: was 2 threads under a 1-CPU cgroup quota (only the affinity mask was read)
    _two_idle_cores(monkeypatch)
    monkeypatch.setattr(host_limits, "cgroup_cpu_limit", lambda: 1.0, raising=False)
    threads, why = run_io.resolve_torch_threads(None)
    assert threads == 1 and "cgroup CPU quota" in why, why


def test_auto_threads_without_an_allocation_are_unchanged(monkeypatch):
    _two_idle_cores(monkeypatch)
    monkeypatch.setattr(host_limits, "cgroup_cpu_limit", lambda: None, raising=False)
    assert run_io.resolve_torch_threads(None) == (2, "auto: 2 core(s), no other torch process")
    monkeypatch.setattr(
        host_limits, "cgroup_cpu_limit", lambda: 4.0, raising=False
    )  # above affinity
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "8")
    assert run_io.resolve_torch_threads(None) == (2, "auto: 2 core(s), no other torch process")


def test_a_failure_to_start_a_thread_or_process_is_told_as_the_process_limit():
    # probe 102 rows 22-24: was "[Errno 11] Resource temporarily unavailable", a pool's thread
    # error, or blamed on the env id
    assert run_io.process_limit(BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable"))
    assert run_io.process_limit(RuntimeError("can't start new thread"))
    try:
        try:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        except OSError as inner:
            raise ValueError("gym.make failed") from inner
    except ValueError as err:
        assert run_io.process_limit(err)
    assert not run_io.process_limit(ValueError("bad id"))
    assert not run_io.process_limit(OSError(errno.ENOSPC, "No space left on device"))
    text = run_io.process_limit_text(RuntimeError("can't start new thread"), "do it", "--workers 1")
    assert "per-user process limit" in text and "ulimit -u" in text and "--workers 1" in text
