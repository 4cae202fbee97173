"""Probe 148: a venv's interpreter (a link to its base) started as ``venv/bin/python`` with the
base interpreter first on ``PATH`` was recorded as ``python`` (the same file, another
environment: pasted, the base ran without the venv's packages); and the library's printed
``--resume`` lines (``command_line.script_line``) always said ``python`` while the recorded
command named the venv's interpreter."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rambo_env import command_line, provenance


def _linked(folder: Path, venv: bool) -> Path:
    (folder / "bin").mkdir(parents=True)
    link = folder / "bin" / "python"
    link.symlink_to(os.path.realpath(sys.executable))
    if venv:
        (folder / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return link


def test_a_venv_linked_to_the_base_on_path_is_named_by_its_path(tmp_path, monkeypatch):
    base, venv = _linked(tmp_path / "base", False), _linked(tmp_path / "venv", True)
    monkeypatch.setenv("PATH", str(base.parent))
    monkeypatch.setattr(sys, "executable", str(venv))
    assert provenance._python_word() == str(venv)  # was: "python" (the base's)
    monkeypatch.setenv("PATH", str(venv.parent))  # the venv activated
    assert provenance._python_word() == "python"


def test_two_links_to_one_interpreter_outside_venvs_are_one(tmp_path, monkeypatch):
    a, b = _linked(tmp_path / "a", False), _linked(tmp_path / "b", False)
    monkeypatch.setenv("PATH", str(a.parent))
    monkeypatch.setattr(sys, "executable", str(b))
    assert provenance._python_word() == "python"


def test_printed_lines_name_the_interpreter_as_the_record_does(monkeypatch):
    monkeypatch.setattr(provenance, "_python_word", lambda: "/opt/my venv/bin/python")
    line = command_line.script_line("cotrain.py")
    assert line.startswith("'/opt/my venv/bin/python' ")  # was: "python scripts/cotrain.py"
    assert line.endswith("cotrain.py")
