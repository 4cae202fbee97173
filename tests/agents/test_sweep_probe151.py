"""Probe 151 row 1: a NEW sweep in an existing (empty) ``--sweep-dir`` under ``umask 277`` was not
refused up front: its datasets were prepared, then a local Ray timed out (non-root) or every trial
errored with the umask refusal and the folder was left non-empty (root). It is one error, exit 2,
before "[sweep] … ->", the datasets and Ray, and nothing is made."""

from __future__ import annotations

import os

import pytest

import agents.sweep as sweep_mod
from tests.agents.test_sweep import sweep_cli, tiny_spec


def _no_work(monkeypatch):
    def refused(*args, **kwargs):
        raise RuntimeError("datasets or Ray would start")

    monkeypatch.setattr(sweep_mod, "_fit", refused)
    monkeypatch.setattr(sweep_mod, "_prepare_datasets", refused)


@pytest.mark.parametrize("extra", [[], ["--resume-if-started"]])
def test_a_new_sweep_in_an_existing_folder_under_umask_277_is_refused(
    tmp_path, monkeypatch, capsys, extra
):
    _no_work(monkeypatch)
    folder = tmp_path / "s"
    folder.mkdir()
    argv = ["--datasets", "hopper-medium", "--configs", "2:3e-4", "--seeds", "0"]
    old = os.umask(0o277)
    try:
        code = sweep_cli.main([*argv, "--sweep-dir", str(folder), *extra])
    finally:
        os.umask(old)
    out, err = capsys.readouterr()
    assert code == 2 and "->" not in out, (out, err)
    assert err.startswith(f"error: {folder} cannot be used for a sweep: umask 277 leaves no write")
    assert "none of its new files (sweep.json" in err and err.count("umask 277") == 1
    assert list(folder.iterdir()) == []


def test_run_sweep_refuses_an_existing_folder_under_umask_277(tmp_path, monkeypatch):
    pytest.importorskip("ray")
    _no_work(monkeypatch)
    folder = tmp_path / "s"
    folder.mkdir()
    old = os.umask(0o277)
    try:
        with pytest.raises(sweep_mod.run_io.UmaskError, match="cannot be used for a sweep"):
            sweep_mod.run_sweep(tiny_spec("hopper-medium"), folder, address=None)
    finally:
        os.umask(old)
    assert list(folder.iterdir()) == []
