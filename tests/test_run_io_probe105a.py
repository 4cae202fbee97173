"""Probe 105 row 4: a run folder's ``.lock`` carries a heartbeat (its mtime), so that a lock of
another host or PID namespace left by a job killed outright is taken over once it is stale."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from rambo_env import file_locks, run_folders, run_io
from rambo_env.run_io import LOCK_NAME, claim_run_dir, hold_folder, run_holder


def _lock_of_a_dead_container(run: Path, age_s: float) -> Path:
    """A ``.lock`` a job killed (-9) in a container of another host wrote, its heartbeat (mtime)
    ``age_s`` seconds old."""
    st = os.stat(run)
    lock = run / LOCK_NAME
    lock.write_text(f"7 12345 {st.st_dev}:{st.st_ino} host=3f2a9c1d0b7e pidns=4026532999")
    then = time.time() - age_s
    os.utime(lock, (then, then))
    return lock


def test_a_stale_lock_of_another_container_is_taken_over_with_a_note(tmp_path, capsys):
    # probe 105 row 4: was: "run_dir: RUN is in use: process 7 on host 3f2a9c1d0b7e holds it …"
    # for good: a run killed in a container and requeued in a new one needed the lock removed
    run = tmp_path / "run"
    run.mkdir()
    _lock_of_a_dead_container(run, run_io.LOCK_STALE_S + 120)
    assert run_holder(run) is None  # readers (ledger, curves) say it ended as well
    with claim_run_dir(run):
        assert run_holder(run) == os.getpid()
    out = capsys.readouterr().out
    assert out.count("[rambo_env] note:") == 1
    assert "held by process 7 on host 3f2a9c1d0b7e, whose heartbeat is 12 min old" in out
    assert "taken over" in out
    assert not [p for p in run.iterdir() if p.name.endswith(".tmp")]  # the clock probe is gone


def test_a_fresh_lock_of_another_container_stays_refused_and_says_when(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    lock = _lock_of_a_dead_container(run, 30)
    assert run_holder(run) == 7
    with pytest.raises(ValueError) as err, claim_run_dir(run):
        pass
    assert "taken over once that is older than 10 min" in str(err.value)
    assert lock.read_text().startswith("7 12345 ")  # left as it was
    _lock_of_a_dead_container(run, 30)  # a sweep folder: the same rule
    with pytest.raises(run_io.FolderInUseError, match="heartbeat"), hold_folder(run, "in use"):
        pass
    _lock_of_a_dead_container(run, run_io.LOCK_STALE_S + 60)
    with hold_folder(run, "in use"):
        pass


def test_a_held_lock_gets_a_heartbeat_that_stops_on_release(tmp_path, monkeypatch):
    monkeypatch.setattr(run_folders, "LOCK_HEARTBEAT_S", 0.05)
    monkeypatch.setattr(file_locks, "LOCK_HEARTBEAT_S", 0.05)
    run = tmp_path / "run"
    lock = run / LOCK_NAME
    with claim_run_dir(run):
        old = time.time() - 3600
        os.utime(lock, (old, old))
        deadline = time.time() + 5
        while lock.stat().st_mtime < old + 60 and time.time() < deadline:
            time.sleep(0.02)
        assert lock.stat().st_mtime > old + 60  # refreshed while held
        lock.write_text("999999999 host=elsewhere")  # another's lock now: never touched
        os.utime(lock, (old, old))
        time.sleep(0.2)
        assert lock.stat().st_mtime == pytest.approx(old)
        lock.write_text(run_io.lock_text(run))
    assert not lock.exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("lock heartbeat")]
