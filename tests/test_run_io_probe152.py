"""Probe 152: ``run_io.windows_path_problem`` took a backslash path only when the WHOLE path
existed, and looked before ``~`` was expanded: ``--run-dir 'old\\runs/r9'`` inside an existing
folder ``old\\runs``, ``curves.py --out 'bs\\dir/cmp'`` (a prefix never exists) and
``--ledger '~/p\\q'`` were refused, the advice pointing to another folder. Now only a NEW name
with a backslash (or the drive form) is refused, and the message says how to name such a folder
(``mkdir`` it first; ``./a:/b`` for a folder named ``a:``)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from rambo_env import run_io
from tests.scripts import load_script, logged_run


def test_a_new_path_inside_an_existing_backslash_folder_passes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old\\runs").mkdir()
    # was: "'old\\runs/r9' holds a backslash …; give 'old/runs/r9'"
    assert run_io.user_path("old\\runs/r9") == Path("old\\runs/r9")
    assert run_io.user_path("old\\runs/a/b") == Path("old\\runs/a/b")
    with pytest.raises(argparse.ArgumentTypeError) as err:  # a new backslash name: refused
        run_io.user_path("old\\runs/new\\x/r9")
    assert "give 'old/runs/new/x/r9'" in str(err.value)
    assert "make it first: mkdir -p 'old\\runs/new\\x'" in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old\\runs"]


def test_a_home_path_is_looked_at_expanded(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "p\\q").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    assert run_io.user_path("~/p\\q") == home / "p\\q"  # was: refused (looked at ./~/p\q)
    assert run_io.user_path("~/p\\q/new") == home / "p\\q" / "new"
    with pytest.raises(argparse.ArgumentTypeError):
        run_io.user_path("~/n\\q")


def test_a_drive_like_folder_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(argparse.ArgumentTypeError) as err:
        run_io.user_path("a:/b/cmp")
    assert "or './a:/b/cmp' for a folder named 'a:' here" in str(err.value)  # was: no way out
    assert run_io.user_path("./a:/b/cmp") is not None
    (tmp_path / "a:").mkdir()
    assert run_io.user_path("a:/b/cmp") == Path("a:/b/cmp")  # an existing a: is taken


def test_curves_out_inside_an_existing_backslash_folder(tmp_path, monkeypatch, capsys):
    run = logged_run(tmp_path / "r1")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bs\\dir").mkdir()
    curves = load_script("curves")
    assert curves.main(["--out", "bs\\dir/cmp", f"A={run}"]) in (0, None)  # was: refused
    assert (tmp_path / "bs\\dir" / "cmp.png").is_file()
    assert (tmp_path / "bs\\dir" / "cmp-A.csv").is_file()
    (tmp_path / "x\\y.png").write_bytes(b"")  # a prefix with a backslash, written before
    (tmp_path / "x\\y-A.csv").write_text("")
    (tmp_path / "x\\y.curves.json").write_text('{"csvs": ["x\\\\y-A.csv"]}\n')
    capsys.readouterr()
    assert curves.main(["--out", "x\\y", f"A={run}"]) in (0, None)
    assert (tmp_path / "x\\y.png").stat().st_size > 0
    with pytest.raises(SystemExit) as stop:
        curves.main(["--out", "new\\z/cmp", f"A={run}"])
    assert stop.value.code == 2
    assert "'new\\z/cmp' holds a backslash" in capsys.readouterr().err
