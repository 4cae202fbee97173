"""Probe 156 rows 1 and 5: a lock file of :func:`file_lock` (the model cache's, Minari's) that is
a link had its target truncated and overwritten with the holder's PID (a link planted in a group
folder); and releasing another user's leftover lock in a sticky folder (``unlink``: EPERM) ended a
run that had done its work with ``[Errno 1] Operation not permitted``."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from rambo_env.file_locks import file_lock


def test_a_lock_file_that_is_a_link_is_refused_and_its_target_kept(tmp_path):
    victim = tmp_path / "notes.txt"
    victim.write_text("my notes")
    (tmp_path / "x.pt.lock").symlink_to(victim)
    with pytest.raises(ValueError) as refused:
        with file_lock(tmp_path / "x.pt.lock", "training the model", "RAMBO_ENV_CACHE"):
            pass
    said = str(refused.value)
    assert f"x.pt.lock is a symbolic link (to {victim}; lock files are never opened through" in said
    assert "Too many levels" not in said  # session 51: O_NOFOLLOW's ELOOP text, not the cause
    assert victim.read_text() == "my notes"  # was: the holder's PID and host


def test_a_lock_this_user_may_not_remove_is_left_on_release(tmp_path, monkeypatch):
    lock = tmp_path / "x.pt.lock"
    unlink = Path.unlink

    def sticky_unlink(self, missing_ok=False):
        if self == lock:
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(self))
        return unlink(self, missing_ok=missing_ok)

    with file_lock(lock, "training the model", "RAMBO_ENV_CACHE"):
        monkeypatch.setattr(Path, "unlink", sticky_unlink)
    assert lock.exists()  # was: PermissionError out of the block, after the work was done
