"""Probe 111 rows 8, 10, 11, 12, 34, 35, 36, 41: lock files are made readable and writable by every user
(mode 0666) whatever the umask, so another user's process waits for a live holder instead of
being told to remove its lock; a lock file this user may not open is removed only when it is
provably stale; a holder that is another user's process is said to be theirs to continue or
end. Tests run as root: another user is a faked owner / ``os.geteuid``."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import time

import pytest

import rambo_env.file_locks as file_locks
import rambo_env.run_folders as run_folders
import rambo_env.run_io as run_io
from tests.other_user import closed_folder

OTHER_UID = 4_000_001


@pytest.fixture
def umask_077():
    old = os.umask(0o077)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_file_lock_is_0666_and_run_lock_0644_under_umask_077(tmp_path, umask_077):
    # probe 111 rows 35, 36: a 0600 lock made another user's process call it a leftover
    lock = tmp_path / "dynamics-abc.pt.lock"
    with run_io.file_lock(lock, "training the same dynamics model (x)", "RAMBO_ENV_CACHE"):
        assert _mode(lock) == 0o666
        assert lock.read_text().split()[0] == str(os.getpid())
    assert not lock.exists()
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with run_io.hold_folder(run_dir, "in use by {pid}"):  # probe 115: owner-writable only
        assert _mode(run_dir / run_io.LOCK_NAME) == 0o644


def _denied(*args, **kwargs):
    raise PermissionError(errno.EACCES, "Permission denied", str(args[0]) if args else "")


def _unwritable_for_this_user(monkeypatch, lock, readable: bool) -> None:
    """``lock`` is another user's file this user may not write (nor read, unless ``readable``)."""
    os.chown(lock, OTHER_UID, OTHER_UID)
    real_open = os.open

    def os_open(path, flags, *args, **kwargs):
        if (
            os.fspath(path) == os.fspath(lock)
            and os.path.exists(lock)
            and os.stat(lock).st_uid == OTHER_UID
            and not flags & os.O_EXCL  # an existing file: EEXIST first
            and (flags & os.O_ACCMODE or not readable)
        ):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(run_folders, "open", _denied, raising=False)  # the old way it was opened
    if not readable:
        real_read = run_io.Path.read_text

        def read_text(path, *args, **kwargs):
            if os.fspath(path) == os.fspath(lock):
                _denied(path)
            return real_read(path, *args, **kwargs)

        monkeypatch.setattr(run_io.Path, "read_text", read_text)


def test_another_users_readable_leftover_lock_is_taken_over(tmp_path, monkeypatch):
    # probe 111 rows 10, 12 (and 95 row 36): a lock this user may read but not write was "another
    # user's lock file …: remove it" — flock needs no write permission: it is locked read-only,
    # found free (a leftover), and replaced
    lock = tmp_path / ".lk2-v0.generate.lock"
    lock.write_text("4000000")
    _unwritable_for_this_user(monkeypatch, lock, readable=True)
    ran = []
    with run_io.file_lock(lock, "generating the same dataset x", "MINARI_DATASETS_PATH"):
        ran.append(True)
        monkeypatch.undo()
        assert lock.stat().st_uid == os.geteuid()  # this process's own lock now
    assert ran and not lock.exists()


def test_unopenable_lock_of_a_live_holder_is_waited_for_not_called_leftover(
    tmp_path, monkeypatch, capsys
):
    # probe 111 rows 35, 36: u1's live 0600 lock was "another user's lock file …: remove it
    # (rm …) and rerun (a leftover lock file of a finished process means nothing)"; following
    # that, both users trained the same model at once
    lock = tmp_path / "dynamics-abc.pt.lock"
    lock.write_text("")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_EX); "
            "print('held', flush=True); time.sleep(1.5)",
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    _unwritable_for_this_user(monkeypatch, lock, readable=False)
    monkeypatch.setattr(file_locks, "LOCK_POLL_S", 0.05)
    monkeypatch.setattr(file_locks, "_uid_processes", lambda uid: 3)
    start = time.monotonic()
    with pytest.raises(ValueError) as caught:  # its holder ended, the file left unopenable
        with run_io.file_lock(lock, "training the same dynamics model (x)", "RAMBO_ENV_CACHE"):
            pass
    holder.wait()
    assert time.monotonic() - start > 0.5  # it waited for the holder
    out = capsys.readouterr().out
    assert f"waiting for process {holder.pid}" in out and "cannot open" in out
    text = str(caught.value)
    assert "cannot read" in text and "probably held" in text and f"uid {OTHER_UID}" in text
    assert "rm " not in text and "means nothing" not in text


def test_unopenable_lock_is_called_stale_only_when_its_heartbeat_is_old(tmp_path, monkeypatch):
    lock = tmp_path / "dynamics-abc.pt.lock"
    lock.write_text("")
    _unwritable_for_this_user(monkeypatch, lock, readable=False)
    monkeypatch.setattr(file_locks, "_uid_processes", lambda uid: 3)
    fresh = run_io.other_users_lock(lock)
    assert "probably held" in fresh and "rm " not in fresh
    old = time.time() - 2 * run_io.LOCK_STALE_S
    os.utime(lock, (old, old))
    stale = run_io.other_users_lock(lock)
    assert "stale" in stale and f"rm {lock}" in stale
    monkeypatch.setattr(file_locks, "_uid_processes", lambda uid: 0)
    os.utime(lock)
    assert "runs no process on this host" in run_io.other_users_lock(lock)


def test_file_lock_heartbeat_refreshes_the_mtime(tmp_path, monkeypatch):
    # what tells a user who cannot read the lock that it is held
    monkeypatch.setattr(run_folders, "LOCK_HEARTBEAT_S", 0.05)
    monkeypatch.setattr(file_locks, "LOCK_HEARTBEAT_S", 0.05)
    lock = tmp_path / "x.lock"
    with run_io.file_lock(lock, "doing x", "RAMBO_ENV_CACHE"):
        old = time.time() - 100
        os.utime(lock, (old, old))
        time.sleep(0.3)
        assert time.time() - lock.stat().st_mtime < 50


def test_another_users_holder_is_theirs_to_continue_or_end(monkeypatch):
    # probe 111 rows 8, 11, 34, 41: "kill -CONT N" / "kill N" of u1's process, which u2 may not
    monkeypatch.setattr(file_locks, "process_uid", lambda pid: OTHER_UID, raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    text = run_io.stopped_text(1234)
    assert f"another user's process: uid {OTHER_UID}" in text
    assert "this user cannot continue or end it: ask its owner (or root)" in text

    class Held:
        name = "x.lock"

        def fileno(self):
            return 0

    monkeypatch.setattr(run_io, "flock_holder", lambda fd: 1234)
    monkeypatch.setattr(file_locks, "flock_holder", lambda fd: 1234)
    monkeypatch.setattr(run_io, "process_stopped", lambda pid: False)
    monkeypatch.setattr(file_locks, "process_stopped", lambda pid: False)
    line = run_io._lock_wait_line(Held(), "doing x", 0)
    assert "another user's process" in line and "ask its owner (or root) to end it" in line
    monkeypatch.setattr(os, "geteuid", lambda: OTHER_UID)  # this user's own: as before
    assert "ask its owner" not in run_io.stopped_text(1234)


def test_free_room_check_below_an_unenterable_folder_says_nothing(tmp_path, monkeypatch):
    # probe 111 row 4: Path.exists() below another user's 0700 folder raised PermissionError
    folder = tmp_path / "random-v0"
    (folder / "data").mkdir(parents=True)
    closed_folder(folder, monkeypatch)
    run_io.check_free_space(folder / "data" / "main_data.hdf5", 10, "the dataset")
    assert run_io.unenterable_folder(folder / "data") == folder
