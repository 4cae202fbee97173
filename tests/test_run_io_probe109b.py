"""Probe 109: a run / sweep folder held by a process of another host or PID namespace (its
``.lock`` records where) was judged by THIS host's ``/proc/<pid>``: a stopped local process with
that PID made ledger.py / curves.py / sweep.py / hold_folder call the other host's run stopped
(and advise ``kill -CONT`` of an unrelated local process). Such a holder is never "stopped"."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from rambo_env import run_io
from rambo_env.run_io import LOCK_NAME, FolderInUseError, hold_folder, process_stopped
from tests.scripts import load_script


@pytest.fixture
def stopped_pid():
    """A stopped (SIGSTOP) process of this host."""
    proc = subprocess.Popen(["sleep", "60"])
    os.kill(proc.pid, signal.SIGSTOP)
    for _ in range(200):
        if run_io.process_state(proc.pid) in ("T", "t"):
            break
        os.sched_yield()
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def _lock(folder, pid, place):
    st = os.stat(folder)
    (folder / LOCK_NAME).write_text(f"{pid} 12345 {st.st_dev}:{st.st_ino} {place}")


@pytest.mark.parametrize("other", ["host", "pidns"])
def test_a_holder_elsewhere_is_never_called_stopped(tmp_path, stopped_pid, other):
    run = tmp_path / "run"
    run.mkdir()
    (run / run_io.CONFIG_NAME).write_text("{}")
    _, here = run_io._split_place(run_io.lock_place())
    place = "host=otherhost pidns=1" if other == "host" else f"host={here['host']} pidns=1"
    _lock(run, stopped_pid, place)
    assert run_io.run_holder(run) == stopped_pid  # held: it cannot be looked at from here
    state = load_script("curves").run_state(run, 3)
    assert state.startswith(f"its run (process {stopped_pid} on host "), state
    assert "stopped" not in state and "kill -CONT" not in state  # was: "its run is stopped at …"
    with pytest.raises(FolderInUseError) as err, hold_folder(run, "in use by {pid}"):
        pass
    assert "kill -CONT" not in str(err.value) and "is stopped" not in str(err.value)
    assert process_stopped(stopped_pid)  # this host's process of that PID is stopped ...
    assert not process_stopped(stopped_pid, run)  # ... the holder elsewhere is not known to be


def test_a_stopped_holder_of_this_host_is_still_said(tmp_path, stopped_pid):
    run = tmp_path / "run"
    run.mkdir()
    (run / run_io.CONFIG_NAME).write_text("{}")
    start = run_io.process_start(stopped_pid)
    st = os.stat(run)
    (run / LOCK_NAME).write_text(
        f"{stopped_pid} {start} {st.st_dev}:{st.st_ino} {run_io.lock_place()}"
    )
    assert process_stopped(stopped_pid, run)
    assert load_script("curves").run_state(run, 3).startswith("its run is stopped at iteration 3")


def test_a_holder_elsewhere_with_this_process_s_pid_is_another_process(tmp_path):
    # was: taken for this process (container PIDs are small and often equal, e.g. 1): a
    # behaviour agent's folder trained in another container was not "in use", and a live run
    # there was loaded without the "still being trained" note
    from agents.behaviour import check_out_dir_free

    out = tmp_path / "behaviour"
    out.mkdir()
    _lock(out, os.getpid(), "host=otherhost pidns=1")
    with pytest.raises(FolderInUseError, match=f"in use by process {os.getpid()}"):
        check_out_dir_free(out)
    assert run_io.other_holder(out) == os.getpid()
    (out / LOCK_NAME).write_text(run_io.lock_text(out))  # this process's own claim
    assert run_io.other_holder(out) is None
    check_out_dir_free(out)
