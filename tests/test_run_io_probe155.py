"""Probe 155 (review): curves.py asks :func:`windows_path_problem` of its ``--out`` prefix once;
the names made from it are checked by :func:`user_path` without asking again (was: a
``written`` list threaded through ``user_path`` for that one caller)."""

from __future__ import annotations

import argparse

import pytest

from rambo_env.run_io import user_path
from tests.scripts import load_script, logged_run


def test_user_path_asks_the_windows_question_unless_told_it_was_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(argparse.ArgumentTypeError, match="holds a backslash"):
        user_path("p\\q.png")
    assert user_path("p\\q.png", windows=False).name == "p\\q.png"


def test_a_prefix_whose_files_exist_is_written_again(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = logged_run(tmp_path / "r1")
    curves = load_script("curves")
    (tmp_path / "p\\q.png").write_bytes(b"")  # an earlier output of this very prefix
    assert curves.main(["--out", "p\\q", f"a={run}"]) in (0, None)
    assert (tmp_path / "p\\q-a.csv").is_file()
    with pytest.raises(SystemExit):  # a new backslash prefix: still refused
        curves.main(["--out", "s\\t", f"a={run}"])
