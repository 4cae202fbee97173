"""Probe 150: a Windows path given to a path flag on Linux / WSL (``--run-dir 'C:\\runs\\x'``,
``runs\\y``, ``D:/data/x``) made one folder literally named so in the working folder, and the
run went on without a word. Every path flag read by ``run_io.user_path`` refuses it now, naming
the flag, the value and the POSIX path to give instead."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from rambo_env import run_io
from tests.scripts import REPO, python_path


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("C:\\runs\\x", "'C:\\runs\\x' is a Windows path (drive C:)"),
        ("D:/data/runs/x", "such as '/mnt/d/data/runs/x'"),
        ("runs\\y", "'runs\\y' holds a backslash"),
    ],
)
def test_a_windows_path_is_refused(tmp_path, monkeypatch, text, said):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(argparse.ArgumentTypeError) as err:
        run_io.user_path(text)  # was: taken as one name in the working folder
    assert said in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_posix_paths_and_an_existing_name_pass(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for text in ("runs/x", "C:runs", "./c:/x"):
        assert run_io.user_path(text) is not None
    (tmp_path / "old\\run").mkdir()  # made by an older version: still named as it is
    assert run_io.user_path("old\\run").name == "old\\run"


def _script(tmp_path, *words: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": python_path(), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / words[0]), *words[1:]], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_cotrain_run_dir_and_ledger_name_the_flag(tmp_path):
    done = _script(tmp_path, "cotrain.py", "--run-dir", "C:\\runs\\x", "--help")
    assert done.returncode == 2, done.stdout[-300:]  # was: the help, exit 0 (then a run)
    assert "error: argument --run-dir: 'C:\\runs\\x' is a Windows path" in done.stderr
    assert done.stderr.count("error:") == 1
    done = _script(tmp_path, "ledger.py", "runs/x", "--ledger", "docs\\ledger")
    assert done.returncode == 2
    assert "error: argument --ledger: 'docs\\ledger' holds a backslash" in done.stderr
    done = _script(tmp_path, "curves.py", "--out", "plots\\cmp", "a=runs/r1")
    assert done.returncode == 2
    assert "error: --out: 'plots\\cmp' holds a backslash" in done.stderr  # the prefix given
    assert "give 'plots/cmp'" in done.stderr
    assert list(tmp_path.iterdir()) == []
