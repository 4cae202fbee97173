"""Probe 102 (a cluster user: preempted jobs, requeues on other nodes, shared file systems):
the run folder and cache locks."""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rambo_env import run_io
from rambo_env.run_io import LOCK_NAME, claim_run_dir, file_lock, run_holder

ROOT = str(Path(__file__).resolve().parents[1])


def _lock_of_another_host(run: Path, pid: int, host: str = "node-elsewhere-7") -> Path:
    """A ``.lock`` as a job on another node writes it: its PID, start time, the folder's
    identity (the device numbered otherwise by that NFS client) and its host."""
    st = os.stat(run)
    lock = run / LOCK_NAME
    lock.write_text(f"{pid} 123 {st.st_dev + 1}:{st.st_ino} host={host} pidns=4026531836")
    return lock


def test_a_lock_of_another_host_is_not_taken_over(tmp_path):
    # probe 102 row 2: was: the other node's PID read as dead (or as an unrelated live PID of
    # another start time) here, and the folder was taken over without a word (two writers)
    run = tmp_path / "run"
    run.mkdir()
    lock = _lock_of_another_host(run, 999_999_999)  # no such PID here
    assert run_holder(run) == 999_999_999
    with pytest.raises(ValueError) as err, claim_run_dir(run):
        pass
    said = str(err.value)
    assert "process 999999999 on host node-elsewhere-7" in said
    assert f"remove {lock}" in said and "surely gone" in said
    assert lock.read_text().startswith("999999999 ")  # left as it was
    lock.write_text(f"1 123 {os.stat(run).st_dev}:{os.stat(run).st_ino} host=node-elsewhere-7")
    with pytest.raises(ValueError, match="process 1 on host node-elsewhere-7"), claim_run_dir(run):
        pass  # PID 1 lives here, but started at another time: still not judged from here


def test_a_lock_of_another_pid_namespace_counts_as_running(tmp_path):
    # probe 102 row 2: a container (another PID namespace) of this host is another place
    run = tmp_path / "run"
    run.mkdir()
    place = run_io.lock_place()
    if "pidns=" not in place:
        pytest.skip("no PID namespaces here")
    host = place.split()[0]
    st = os.stat(run)
    (run / LOCK_NAME).write_text(f"1 123 {st.st_dev}:{st.st_ino} {host} pidns=1")
    with pytest.raises(ValueError, match="in another PID namespace"), claim_run_dir(run):
        pass


def test_the_lock_records_the_host_and_old_locks_are_judged_as_before(tmp_path):
    run = tmp_path / "run"
    with claim_run_dir(run):
        text = (run / LOCK_NAME).read_text()
        assert f"host={socket.gethostname()}" in text
        assert run_holder(run) == os.getpid()
        assert run_io.lock_elsewhere(text) is None
    (run / LOCK_NAME).write_text("999999999 123")  # an old lock, no host: stale as before
    with claim_run_dir(run):
        pass


def test_a_zombie_holder_is_dead(tmp_path):
    # probe 102 row 25: was "in use by process N; wait for it" of a killed, unreaped run
    run = tmp_path / "run"
    run.mkdir()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        start = run_io.process_start(child.pid)
        if start is None:
            pytest.skip("no /proc here")
        (run / LOCK_NAME).write_text(f"{child.pid} {start}")
        os.kill(child.pid, signal.SIGKILL)
        for _ in range(100):  # not reaped: a zombie
            if run_io.process_state(child.pid) == "Z":
                break
            time.sleep(0.05)
        assert run_io.process_state(child.pid) == "Z"
        assert not run_io.pid_alive(child.pid)
        assert run_holder(run) is None
        with claim_run_dir(run):  # the stale lock is taken over
            assert (run / LOCK_NAME).read_text().split()[0] == str(os.getpid())
    finally:
        child.kill()
        child.wait()


@pytest.mark.parametrize("code", [errno.ENOSYS, errno.ENOLCK])
def test_a_file_system_without_flock_is_one_clear_error(tmp_path, monkeypatch, code):
    # probe 102 row 17: was a bare "[Errno 38] Function not implemented"
    def no_flock(fd, op):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fcntl, "flock", no_flock)
    lock = tmp_path / "m.pt.lock"
    with (
        pytest.raises(run_io.FlockUnsupportedError) as err,
        file_lock(lock, "training the same dynamics model (x)", "RAMBO_ENV_CACHE"),
    ):
        pass
    said = str(err.value)
    assert said.startswith(f"RAMBO_ENV_CACHE: cannot lock {lock}: the file system of {tmp_path}")
    assert "does not support flock" in said and "point RAMBO_ENV_CACHE at a folder" in said


def test_the_ledger_on_a_file_system_without_flock_names_the_ledger(tmp_path, monkeypatch):
    # probe 102 row 18: was "error: RUN: [Errno 38] Function not implemented"
    from rambo_env import ledger

    def no_flock(fd, op):
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))

    monkeypatch.setattr(fcntl, "flock", no_flock)
    with pytest.raises(
        run_io.FlockUnsupportedError, match=r"--ledger: cannot lock .*led: the file"
    ):
        with ledger._ledger_lock(tmp_path / "led"):
            pass


def test_loading_waits_while_the_lock_is_held_and_is_cheap_without_one(tmp_path, capsys):
    # probe 102 row 13: was: a dataset read (old) while another process regenerated it
    lock = tmp_path / ".random-v0.generate.lock"
    run_io.wait_for_lock(lock, "generating x")  # no file: at once
    holder = (
        "import sys, time, pathlib\n"
        "from rambo_env.run_io import file_lock\n"
        "with file_lock(pathlib.Path(sys.argv[1]), 'generating x', 'MINARI_DATASETS_PATH'):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(2)\n"
    )
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    other = subprocess.Popen(
        [sys.executable, "-c", holder, str(lock)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert other.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        run_io.wait_for_lock(lock, "generating the dataset x anew (f)")
        assert time.monotonic() - t0 > 0.5  # waited for the holder
        out = capsys.readouterr().out
        assert f"waiting for process {other.pid}, which is generating the dataset x anew" in out
    finally:
        other.wait()


def test_a_lock_this_process_holds_is_not_waited_for(tmp_path):
    lock = tmp_path / "x.lock"
    done = threading.Event()
    with file_lock(lock, "generating x", "MINARI_DATASETS_PATH"):
        run_io.wait_for_lock(lock, "generating x")  # was it waited for, it never returned
        done.set()
    assert done.is_set()


def test_a_cache_lock_of_another_host_is_waited_for_without_naming_a_local_process(tmp_path):
    # probe 102 row 2: the cache / generation lock's PID alone named (and advised to kill) an
    # unrelated process of this host with that PID
    f = (tmp_path / "m.pt.lock").open("w+")
    f.write("1 host=node-elsewhere-7")
    f.flush()
    line = run_io._lock_wait_line(f, "training the same dynamics model (x)", 0.0)
    f.close()
    assert line.startswith("waiting for process 1 on host node-elsewhere-7, which is training")
    assert "kill" not in line
