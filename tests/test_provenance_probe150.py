"""Probe 150 (1022f46 residual): a conda-like environment, whose ``bin/python`` is a hard link of
the base's (conda links package files from its pkgs/ cache into each env; no ``pyvenv.cfg``),
run by its path with the base first on ``PATH``, was recorded and printed as ``python``: the same
file (inode), but pasted, ``python`` ran the base, with other site-packages. Hard links in other
folders are other environments now; a venv activated, and one interpreter's symbolic links
(tests/test_provenance_probe148.py), stay ``python``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from rambo_env import command_line, provenance


def _interpreter(folder: Path) -> Path:
    (folder / "bin").mkdir(parents=True)
    exe = folder / "bin" / "python"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    return exe


def test_a_conda_env_hard_linked_to_the_base_on_path_is_named_by_its_path(tmp_path, monkeypatch):
    base = _interpreter(tmp_path / "conda")
    env = tmp_path / "conda" / "envs" / "rl" / "bin" / "python"
    env.parent.mkdir(parents=True)
    try:
        os.link(base, env)
    except OSError as err:
        pytest.skip(f"no hard links here: {err}")
    monkeypatch.setenv("PATH", str(base.parent))
    monkeypatch.setattr(sys, "executable", str(env))
    assert provenance._python_word() == str(env)  # was: "python" (the base's)
    assert command_line.script_line("cotrain.py").startswith(f"{env} ")
    monkeypatch.setenv("PATH", str(env.parent))  # the env activated
    assert provenance._python_word() == "python"
