"""Probe 97 rows 24, 29, 37, 50: the run-folder check before a run names exactly what the run
cannot write: only the files a run replaces (not another user's diagnose.py report), its tb/
folder too, a read-only folder of this user's own as not writable (not "another user's"), and a
new run into a folder holding a run gets the usual "already holds a run". Tests run as root (no
permission check): another user is a faked ``os.geteuid``, a folder this user cannot write a
faked ``os.access``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import rambo_env.run_io as run_io


def _run_folder(path: Path) -> Path:
    path.mkdir()
    for name in (run_io.CONFIG_NAME, run_io.CHECKPOINT_NAME, run_io.RESULTS_NAME):
        (path / name).write_text("{}")
    (path / run_io.TB_DIR).mkdir()
    return path


def _cannot_write(monkeypatch, *folders: Path) -> None:
    """This user may not write ``folders`` (``os.access`` as a non-root user would say)."""
    real = os.access
    blocked = {str(f) for f in folders}

    def access(path, mode, *args, **kwargs):
        if str(path) in blocked and mode & os.W_OK:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_another_users_stray_report_does_not_refuse_a_resume(tmp_path, monkeypatch):
    # probe 97 row 29: was "holds files of another user that a run there must replace but this
    # user cannot (diagnostics-it2.json; …)": a resume never touches diagnose.py's report
    run_dir = _run_folder(tmp_path / "sr")
    (run_dir / "diagnostics-it2.json").write_text("{}")
    run_dir.chmod(0o1777)
    me = run_dir.stat().st_uid + 1
    for name in (run_io.CONFIG_NAME, run_io.CHECKPOINT_NAME, run_io.RESULTS_NAME):
        os.chown(run_dir / name, me, me)
    os.chown(run_dir / run_io.TB_DIR, me, me)
    monkeypatch.setattr(os, "geteuid", lambda: me)
    run_io.check_run_files_replaceable(run_dir)  # no error
    with run_io.claim_run_dir(run_dir):
        pass


def test_another_users_unwritable_tb_folder_refuses_the_resume_up_front(tmp_path, monkeypatch):
    # probe 97 row 24: was accepted (the top-level files removable), then after the dataset and
    # model load a raw "[Errno 13] Permission denied: b'…/tb/events.out.tfevents…'"
    run_dir = _run_folder(tmp_path / "rrun")
    run_dir.chmod(0o777)
    monkeypatch.setattr(os, "geteuid", lambda: run_dir.stat().st_uid + 1)
    _cannot_write(monkeypatch, run_dir / run_io.TB_DIR)
    with pytest.raises(ValueError) as caught:
        with run_io.claim_run_dir(run_dir):
            pass
    text = str(caught.value)
    assert text.startswith(f"run_dir: {run_dir / run_io.TB_DIR} is another user's folder")
    assert "TensorBoard" in text and "resume the copy" in text
    assert not (run_dir / run_io.LOCK_NAME).exists()  # refused before the lock


def test_a_new_run_into_another_users_run_gets_the_usual_advice(tmp_path, monkeypatch):
    # probe 97 row 37: a new run (no --resume) was told "copy the run folder … and resume the
    # copy"; the folder holds a run, which agents.cotrain refuses as "already holds a run"
    run_dir = _run_folder(tmp_path / "rrun")
    run_dir.chmod(0o1777)
    monkeypatch.setattr(os, "geteuid", lambda: run_dir.stat().st_uid + 1)
    with run_io.claim_run_dir(run_dir, resume=False):  # no ownership refusal for a new run
        pass
    with pytest.raises(ValueError, match="resume the copy"):
        with run_io.claim_run_dir(run_dir):
            pass
    # a start that did not finish (config.json only) is cleared by a new run: the new run's advice
    (run_dir / run_io.CHECKPOINT_NAME).unlink()
    (run_dir / run_io.RESULTS_NAME).unlink()
    with pytest.raises(ValueError) as caught:
        run_io.check_run_files_replaceable(run_dir, resume=False)
    assert "pick a folder of your own" in str(caught.value)
    assert "resume" not in str(caught.value)


def test_this_users_own_read_only_run_folder_is_not_called_another_users(tmp_path, monkeypatch):
    # probe 97 row 50: was "holds files of another user … or run as its owner (uid 1001)" of
    # this user's own run folder made read-only (chmod 555); 1001 was this user
    run_dir = _run_folder(tmp_path / "ro")
    run_dir.chmod(0o555)
    _cannot_write(monkeypatch, run_dir)
    with pytest.raises(ValueError) as caught:
        with run_io.claim_run_dir(run_dir):
            pass
    text = str(caught.value)
    assert text.startswith(f"run_dir: {run_dir} is not writable") and "this user's" in text
    assert f"chmod u+w {run_dir}" in text
    assert "another user" not in text and "run as its owner" not in text


def test_a_read_only_file_system_is_named(tmp_path, monkeypatch):
    # probe 97 row 50: a read-only mount read the same as another user's files
    run_dir = _run_folder(tmp_path / "ro")
    _cannot_write(monkeypatch, run_dir)

    class _ReadOnly:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(os, "statvfs", lambda path: _ReadOnly())
    with pytest.raises(ValueError) as caught:
        run_io.check_run_files_replaceable(run_dir)
    text = str(caught.value)
    assert "is on a read-only file system" in text and "resume the copy" in text
    assert "another user" not in text
