"""Probe 109 nits: the holder of a run folder on another host / PID namespace is named with
where it runs, and explicit torch threads above the Slurm allotment are said to be."""

from __future__ import annotations

import os

from rambo_env import host_limits, run_io
from rambo_env.run_io import LOCK_NAME, holder_text, resolve_torch_threads
from tests.scripts import load_script


def _lock(run, place):
    st = os.stat(run)
    (run / LOCK_NAME).write_text(f"4 12345 {st.st_dev}:{st.st_ino} {place}")


def test_a_run_held_elsewhere_is_named_with_its_host(tmp_path):
    # was: "its run (process 4) is still going" (ledger.py, curves.py, diagnose.py): a PID
    # that names another process here
    run = tmp_path / "run"
    run.mkdir()
    _lock(run, "host=otherhost pidns=4026532999")
    assert holder_text(run, 4) == "process 4 on host otherhost"
    curves = load_script("curves")
    assert curves.run_state(run, 3).startswith(
        "its run (process 4 on host otherhost) is still going (iteration 3"
    )
    _, here = run_io._split_place(run_io.lock_place())
    _lock(run, f"host={here['host']} pidns=1")
    assert holder_text(run, 4).endswith(", in another PID namespace (a container)")
    (run / LOCK_NAME).write_text(run_io.lock_text(run))  # this process: the PID alone
    assert holder_text(run, os.getpid()) == f"process {os.getpid()}"


def test_explicit_threads_above_slurm_cpus_per_task_are_said(monkeypatch):
    # was: "as configured", unsaid (the warning compared with the CPU affinity only)
    monkeypatch.setattr(host_limits, "usable_cores", lambda: 2)
    monkeypatch.setattr(host_limits, "cgroup_cpu_limit", lambda: None)
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "1")
    threads, why = resolve_torch_threads(2)
    assert threads == 2
    assert why == (
        "as configured; more than the 1 usable core(s) (SLURM_CPUS_PER_TASK=1, of 2 in the CPU "
        "affinity): expect a slowdown"
    )
    assert resolve_torch_threads(1) == (1, "as configured")
    monkeypatch.delenv("SLURM_CPUS_PER_TASK")
    assert resolve_torch_threads(2) == (2, "as configured")
