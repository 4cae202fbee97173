"""Probe 147 R6: the interpreter a recorded / printed command names."""

from __future__ import annotations

import sys
from pathlib import Path

from rambo_env.provenance import script_command


def test_the_interpreter_on_path_is_named_by_its_name(monkeypatch):
    """The README's main job: ``python scripts/cotrain.py`` where that name finds this Python."""
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    assert script_command("scripts/cotrain.py").split()[0] == Path(sys.executable).name


def test_an_interpreter_not_on_path_is_named_by_its_path(monkeypatch, tmp_path):
    """Was ``python …`` for ``/venv/bin/python scripts/cotrain.py``: pasted in a shell without
    the venv, ``python: not found`` or another interpreter."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert script_command("scripts/cotrain.py").split()[0] == sys.executable
