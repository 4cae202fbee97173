"""Probe 66a: the conditions a program runs under (console encoding, environment variables,
path lengths)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rambo_env import run_io
from rambo_env.dynamics import io as dynamics_io
from tests.scripts import python_path

REPO = Path(__file__).resolve().parents[1]


def test_an_ascii_console_gets_escapes_not_a_unicode_error(tmp_path):
    """Rows 3, 5: a library note naming a path with ``ü`` raised UnicodeEncodeError on an ASCII
    console (``gym.make`` after training and caching the model, and on every later call)."""
    env = {
        **os.environ,
        "PYTHONPATH": python_path(),
        "PYTHONIOENCODING": "ascii",
        "RAMBO_ENV_CACHE": "rel ü",
    }
    code = "import rambo_env\nfrom rambo_env.dynamics.io import cache_dir\ncache_dir()"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "RAMBO_ENV_CACHE=rel \\xfc is a relative path" in done.stdout


def test_an_unknown_traceback_value_is_said(monkeypatch, capsys):
    """Row 51: ``RAMBO_ENV_TRACEBACK=maybe`` turned tracebacks on without a word."""
    monkeypatch.setenv("RAMBO_ENV_TRACEBACK", "maybe")
    assert run_io.tracebacks_wanted()
    assert "RAMBO_ENV_TRACEBACK='maybe' is not 1 / true / yes / on nor 0" in capsys.readouterr().err
    for value, wanted in (("1", True), ("on", True), ("off", False), ("", False)):
        monkeypatch.setenv("RAMBO_ENV_TRACEBACK", value)
        assert run_io.tracebacks_wanted() is wanted
    assert capsys.readouterr().err == ""


def test_a_tilde_or_relative_inductor_cache_is_named(monkeypatch, tmp_path, capsys):
    """Row 53: torch made a folder literally named ``~`` (or ./relind) in the working folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", "~/ind")
    with pytest.raises(ValueError, match=r"^TORCHINDUCTOR_CACHE_DIR='~/ind': torch does not"):
        run_io.check_torch_compile_cache()
    assert not (tmp_path / "~").exists()
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", "relind")
    run_io.check_torch_compile_cache()
    assert "TORCHINDUCTOR_CACHE_DIR=relind is a relative path" in capsys.readouterr().out


def test_a_relative_xdg_cache_home_is_said_to_be_ignored(monkeypatch, capsys):
    """Row 33: a relative or ``~`` XDG_CACHE_HOME was ignored (the XDG spec) without a word,
    while matplotlib made that folder in the working folder."""
    monkeypatch.delenv("RAMBO_ENV_CACHE", raising=False)
    monkeypatch.setattr(dynamics_io, "_XDG_SAID", set())
    for value in ("relxdg", "~/xdg"):
        monkeypatch.setenv("XDG_CACHE_HOME", value)
        folder = dynamics_io.cache_dir()
        out = capsys.readouterr().out
        assert f"XDG_CACHE_HOME={value!r} is not an absolute path" in out
        assert f"ignored, as the XDG spec says; the model cache is {folder}" in out
    assert ("'~' is not expanded" in out) and dynamics_io.cache_dir() == folder
    assert capsys.readouterr().out == ""  # once per value


def test_a_run_folder_must_leave_room_for_its_files(tmp_path):
    """Row 29: a 4076-byte --run-dir passed; config.json then failed after the MLE pretraining."""
    deep = str(tmp_path) + "/" + "/".join(["d" * 240] * 16)
    with pytest.raises(argparse.ArgumentTypeError, match=r"bytes for the files written inside"):
        run_io.user_folder_path(deep)
    assert run_io.user_folder_path(str(tmp_path / "run")) == tmp_path / "run"
    assert run_io.user_path(deep)  # a file's path may be that long
    done = subprocess.run(
        [sys.executable, "scripts/cotrain.py", "--run-dir", deep],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": python_path()},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "argument --run-dir: " in done.stderr
