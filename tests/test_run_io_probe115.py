"""Probe 115: a run folder's ``.lock`` decides its holder by its contents (the PID), so it is
0644 whatever the umask (was 0666: any local user could rewrite a live run's PID, and a second
session then ran in the live folder); a stale lock is replaced, not rewritten, so another user's
stale lock in a folder this user may write is still taken over. The flock-based locks stay 0666."""

from __future__ import annotations

import os
import stat

import pytest

import rambo_env.file_locks as file_locks
import rambo_env.run_folders as run_folders
import rambo_env.run_io as run_io

OTHER_UID = 4_000_001


@pytest.fixture
def umask_000():
    old = os.umask(0)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_run_lock_is_writable_by_its_owner_only(tmp_path, umask_000):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with run_io.hold_folder(run_dir, "in use by {pid}"):
        assert _mode(run_dir / run_io.LOCK_NAME) == 0o644
    lock = tmp_path / "dynamics-abc.pt.lock"
    with run_io.file_lock(lock, "training the same dynamics model (x)", "RAMBO_ENV_CACHE"):
        assert _mode(lock) == 0o666


def test_another_users_stale_run_lock_is_replaced_not_rewritten(tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o777)
    lock = run_dir / run_io.LOCK_NAME
    lock.write_text("999999 host=elsewhere-gone\n")  # a process that no longer runs
    lock.chmod(0o644)
    os.chown(lock, OTHER_UID, OTHER_UID)
    real_open = os.open

    def os_open(path, flags, *args, **kwargs):  # this user may not write the other's file
        if os.fspath(path) == os.fspath(lock) and not flags & os.O_CREAT and flags & os.O_WRONLY:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(run_folders, "_live_lock_pid", lambda text: None)
    monkeypatch.setattr(file_locks, "_live_lock_pid", lambda text: None)
    with run_io.hold_folder(run_dir, "in use by {pid}"):
        assert lock.read_text().split()[0] == str(os.getpid())
        assert lock.stat().st_uid == os.geteuid() and _mode(lock) == 0o644
