"""Probe 97 row 37: a new run (no ``--resume``) into another user's run folder in a sticky
folder gets the usual "already holds a run … or pick a new folder", not a resume's advice.
Tests run as root: another user is a faked ``os.geteuid``."""

from __future__ import annotations

import os

import pytest

from agents.cotrain import run_cotrain
from rambo_env import run_io
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401


def test_new_run_into_another_users_run_says_already_holds(tiny_hopper, tmp_path, monkeypatch):  # noqa: F811
    # probe 97 row 37: was "holds files of another user … copy the run folder … and resume the
    # copy" for a run started without --resume
    run_dir = tmp_path / "rrun"
    run_dir.mkdir()
    for name in (run_io.CONFIG_NAME, run_io.CHECKPOINT_NAME, run_io.RESULTS_NAME):
        (run_dir / name).write_text("{}")
    run_dir.chmod(0o1777)
    monkeypatch.setattr(os, "geteuid", lambda: run_dir.stat().st_uid + 1)
    with pytest.raises(ValueError) as caught:
        run_cotrain(tiny_config(tiny_hopper), run_dir)
    text = str(caught.value)
    assert "already holds a run" in text and "pick a new folder" in text
    assert "resume the copy" not in text
