"""Probe 95 rows 27, 28, 30, 36: another user's lock file or run files in a folder this user may
write (a sticky shared one, or the user's own cache) are named as another user's, with what to
do, instead of "pick a writable folder" / "is not a file" / a failed write after the setup.
Tests run as root (no permission check): another user is a faked ``os.geteuid``."""

from __future__ import annotations

import os
import time

import pytest

import rambo_env.run_folders as run_folders
import rambo_env.run_io as run_io


def _denied(*args, **kwargs):
    raise PermissionError(13, "Permission denied", str(args[0]) if args else "")


def _deny_opening(monkeypatch, folder) -> None:
    """Opening (or making) a file in ``folder`` is denied to this user (reading it too)."""
    real_open, real_read = os.open, run_io.Path.read_text

    def os_open(path, *args, **kwargs):
        if os.path.dirname(os.fspath(path)) == os.fspath(folder):
            _denied(path)
        return real_open(path, *args, **kwargs)

    def read_text(path, *args, **kwargs):
        if path.parent == folder:
            _denied(path)
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(run_io.Path, "read_text", read_text)


def _another_user(monkeypatch, path) -> None:
    """This process runs as a user other than the owner of ``path``."""
    owner = path.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)


def test_another_users_stale_run_lock_in_a_sticky_folder_is_named(tmp_path, monkeypatch):
    # probe 95 row 30: was "run_dir: cannot write …/.lock (Permission denied); pick a writable
    # folder" of a writable (1777) folder holding root's stale lock of a dead process
    run_dir = tmp_path / "k1"
    run_dir.mkdir()
    run_dir.chmod(0o1777)
    (run_dir / run_io.LOCK_NAME).write_text("4000000 65024:3383300")
    _another_user(monkeypatch, run_dir)
    monkeypatch.setattr(run_folders, "_take_lock", _denied)
    with pytest.raises(ValueError) as caught:
        with run_io.claim_run_dir(run_dir):
            pass
    text = str(caught.value)
    assert "another user's lock file" in text and "owner uid" in text
    assert "process 4000000 (stale: gone)" in text and "is sticky" in text
    assert "pick a writable folder" not in text


def test_another_users_run_files_in_a_sticky_folder_refuse_the_resume_up_front(
    tmp_path, monkeypatch
):
    # probe 95 row 27: was accepted, then after the dataset and model load "config.json: not
    # written (Operation not permitted); check that … is a writable folder"
    run_dir = tmp_path / "stop"
    run_dir.mkdir()
    for name in (run_io.CONFIG_NAME, run_io.CHECKPOINT_NAME, run_io.RESULTS_NAME):
        (run_dir / name).write_text("{}")
    run_dir.chmod(0o1777)
    _another_user(monkeypatch, run_dir)
    with pytest.raises(ValueError) as caught:
        with run_io.claim_run_dir(run_dir):
            pass
    text = str(caught.value)
    assert "config.json" in text and "is sticky" in text and "cp -r" in text
    assert "resume the copy" in text and "run as its owner" in text
    assert not (run_dir / run_io.LOCK_NAME).exists()  # refused before the lock


def test_another_users_leftover_file_lock_is_named_not_called_not_a_file(tmp_path, monkeypatch):
    # probe 95 row 36: was "RAMBO_ENV_CACHE: …pt.lock is not a file (Permission denied), …"
    lock = tmp_path / "dynamics-abc.pt.lock"
    lock.write_text("")
    old = time.time() - 2 * run_io.LOCK_STALE_S  # probe 111: an unreadable lock with a fresh
    os.utime(lock, (old, old))  # heartbeat (mtime) is probably held: a leftover is stale
    _another_user(monkeypatch, lock)
    _deny_opening(monkeypatch, tmp_path)
    with pytest.raises(ValueError) as caught:
        with run_io.file_lock(lock, "training the same dynamics model (x)", "RAMBO_ENV_CACHE"):
            pass
    text = str(caught.value)
    assert text.startswith("RAMBO_ENV_CACHE: ") and "another user's lock file" in text
    assert f"rm {lock}" in text and "is not a file" not in text


def test_file_lock_in_another_users_folder_names_the_folder(tmp_path, monkeypatch):
    # probe 95 row 28: was ".random-v0.generate.lock cannot be made (Permission denied), …;
    # remove it" — there was no lock file; the folder is another user's
    lock = tmp_path / ".random-v0.generate.lock"
    _another_user(monkeypatch, tmp_path)
    _deny_opening(monkeypatch, tmp_path)
    with pytest.raises(ValueError) as caught:
        with run_io.file_lock(lock, "generating the same dataset x", "MINARI_DATASETS_PATH"):
            pass
    text = str(caught.value)
    assert f"its folder {tmp_path} is not writable by this user" in text and "owner uid" in text
    assert "remove it" not in text and "MINARI_DATASETS_PATH at a folder" in text
