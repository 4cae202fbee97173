"""Probe 114 R7: a run folder still starting (a ``.lock``, no config.json yet) held by a run on
another host names that host (was: "its run (process 4) is still starting", a PID that names
another process here). R9/R10: another user's run whose files are 0600 (umask 077) is refused
with every file this user cannot read named at once and no advice to copy it (was: config.json
alone, one a round, or "copy the run folder", which fails on those files)."""

from __future__ import annotations

import os

import pytest

import rambo_env.run_io as run_io
from rambo_env.run_io import LOCK_NAME, check_not_starting
from tests.scripts import load_script


def test_a_starting_run_held_on_another_host_is_named_with_its_host(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    st = os.stat(run)
    (run / LOCK_NAME).write_text(f"4 12345 {st.st_dev}:{st.st_ino} host=otherhost pidns=4026532999")
    with pytest.raises(ValueError, match=r"its run \(process 4 on host otherhost\) is still"):
        check_not_starting(run, "plot it after its first iteration")


def _another_users_run(path, monkeypatch, closed: tuple[str, ...], unwritable: bool = True):
    """q1's run folder (0755) whose ``closed`` entries are 0600 / 0700 (umask 077), as another
    user sees it: ``os.access`` says no (tests run as root)."""
    path.mkdir()
    for name in (run_io.CONFIG_NAME, run_io.CHECKPOINT_NAME, run_io.RESULTS_NAME):
        (path / name).write_text("{}")
    (path / run_io.TB_DIR).mkdir()
    (path / run_io.TB_DIR / "events.out").write_text("")
    blocked = {str(path / n) for n in closed}
    real = os.access

    def access(p, mode, *args, **kwargs):
        if str(p) in blocked or (unwritable and str(p) == str(path) and mode & os.W_OK):
            return False
        return real(p, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    owner = path.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1001)
    return path


PRIVATE = (run_io.CHECKPOINT_NAME, run_io.RESULTS_NAME, run_io.TB_DIR)


def test_resume_of_a_run_with_unreadable_files_names_them_all_without_copy_advice(
    tmp_path, monkeypatch
):
    # probe 114 R10: was "… or copy the run folder … (cp -r RUN COPY …)", which fails on them
    run = _another_users_run(tmp_path / "r3", monkeypatch, PRIVATE)
    with pytest.raises(ValueError) as caught:
        run_io.check_run_files_replaceable(run)
    text = str(caught.value)
    assert "cannot read" in text and "cp -r" not in text and f"chmod -R a+rX {run}" in text
    for name in ("checkpoint.pt (mode", "results.json (mode", "tb/ (mode"):
        assert name in text


def test_an_unreadable_config_names_every_unreadable_run_file(tmp_path, monkeypatch):
    # probe 114 R10: --resume, ledger.py and load_session named config.json alone, a round each
    from agents.cotrain import load_config
    from rambo_env.ledger import _read_run

    run = _another_users_run(tmp_path / "r3", monkeypatch, (run_io.CONFIG_NAME, *PRIVATE))
    for read in (lambda: load_config(run, resume=True), lambda: _read_run(run)):
        with pytest.raises(ValueError, match="holds files this user cannot read") as caught:
            read()
        assert all(f"{n} (mode" in str(caught.value) for n in ("config.json", "checkpoint.pt"))
    with pytest.raises(ValueError, match=r"checkpoint\.pt \(mode.*results\.json \(mode"):
        run_io.load_checkpoint(run / run_io.CHECKPOINT_NAME)


def test_diagnose_names_unreadable_run_files_not_not_writable(tmp_path, monkeypatch, capsys):
    # probe 114 R9: was "is not writable …; make it writable or copy the run folder"
    run = _another_users_run(tmp_path / "r3", monkeypatch, (run_io.CONFIG_NAME, *PRIVATE))
    assert load_script("diagnose").main([str(run)]) == 2
    err = capsys.readouterr().err
    assert "config.json (mode" in err and "checkpoint.pt (mode" in err
    assert "copy the run folder" not in err and f"chmod -R a+rX {run}" in err


def test_a_readable_run_passes(tmp_path, monkeypatch):
    run = _another_users_run(tmp_path / "r3", monkeypatch, ())
    run_io.check_run_readable(run)
    assert run_io.unreadable_run_entries(run) == []


def test_root_keeps_a_users_run_files_theirs(tmp_path):
    # probe 114 L1: root resuming a user's run replaced config.json, checkpoint.pt, results.json
    # and learning_curve.png with root:root 0600 files the owner could no longer read
    if os.geteuid() != 0:
        pytest.skip("only root may give a file to another user")
    run = tmp_path / "r2"
    run.mkdir()
    os.chown(run, 4242, 4343)
    config = run / run_io.CONFIG_NAME
    config.write_text("{}")
    config.chmod(0o600)
    os.chown(config, 4242, 4343)
    run_io.write_json(config, {"config": {}})
    run_io.save_checkpoint(run / run_io.CHECKPOINT_NAME, {"iteration": 1})  # a new file there
    for path in (config, run / run_io.CHECKPOINT_NAME):
        st = path.stat()
        assert (st.st_uid, st.st_gid) == (4242, 4343)
    assert config.stat().st_mode & 0o777 == 0o600
    own = tmp_path / "root-run"  # root's own folder: its files stay root's
    own.mkdir()
    run_io.write_json(own / run_io.RESULTS_NAME, {})
    assert (own / run_io.RESULTS_NAME).stat().st_uid == 0
