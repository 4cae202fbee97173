"""Probe 148 row 4: a ``--resume`` under a umask that takes the owner's own permission away
(``umask 277``) went on, rc 0, with TensorBoard logging switched off at its first iteration
("make …/events.out.tfevents… writable (chmod u+w)", the umask unnamed) and a 0400 event file;
it is refused before any work, as a new run folder is."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os

import pytest

import agents.cotrain as cotrain
from agents.cotrain import run_cotrain
from rambo_env import run_io
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)
from tests.scripts import load_script


@contextlib.contextmanager
def _umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def stopped_run(tiny_hopper, tmp_path):  # noqa: F811
    run_dir = tmp_path / "runs" / "k277"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2, stop_at_iteration=1), run_dir)
    return run_dir


def _listing(run_dir):
    return sorted(
        (str(p.relative_to(run_dir)), p.stat().st_mtime_ns, p.stat().st_mode)
        for p in run_dir.rglob("*")
    )


def test_a_resume_under_umask_277_is_refused_before_any_work(stopped_run, capsys):
    before = _listing(stopped_run)
    cli = load_script("cotrain")
    capsys.readouterr()
    with _umask(0o277):
        code = cli.main(["--resume", str(stopped_run), "--n-iterations", "2"])
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "resuming run" not in out and err.count("umask 277") == 1
    assert f"error: run_dir: {stopped_run} cannot be resumed: umask 277 leaves no write" in err
    assert "files 400" in err and "set umask 022 (or 077" in err and "nothing was changed" in err
    assert _listing(stopped_run) == before


@pytest.mark.parametrize("mask", [0o277, 0o477])
def test_run_cotrain_refuses_a_resume_under_such_a_umask(stopped_run, mask):
    before = _listing(stopped_run)
    cfg = dataclasses.replace(cotrain.load_config(stopped_run, resume=True), stop_at_iteration=None)
    with _umask(mask), pytest.raises(run_io.UmaskError, match=rf"umask {mask:03o} leaves no"):
        run_cotrain(cfg, stopped_run, resume=True)
    assert _listing(stopped_run) == before
    with _umask(0o077):  # the owner keeps everything: the resume goes on
        assert run_cotrain(cfg, stopped_run, resume=True)["iterations_completed"] == 2


def test_a_new_run_in_an_existing_folder_is_refused_too(tiny_hopper, tmp_path):  # noqa: F811
    folder = tmp_path / "empty"
    folder.mkdir()
    with _umask(0o277), pytest.raises(run_io.UmaskError, match=r"cannot be used for a run"):
        run_cotrain(tiny_config(tiny_hopper, n_iterations=1), folder)
    assert list(folder.iterdir()) == []


def test_the_tensorboard_warning_names_the_umask(tmp_path, capsys):
    writer = cotrain.TolerantTensorBoard(tmp_path / "tb")
    event = tmp_path / "tb" / "events.out.tfevents.1.host.1.0"
    with _umask(0o277):
        writer._switch_off(PermissionError(errno.EACCES, "Permission denied", str(event)), 5)
    err = capsys.readouterr().out
    assert "TensorBoard logs not written at iteration 5" in err
    assert "umask 277 leaves no write permission for you on the files made (mode 400)" in err
    assert "set umask 022 (or 077" in err and f"make {event} writable (chmod u+rw)" in err
