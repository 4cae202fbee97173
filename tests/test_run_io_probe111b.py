"""Probe 111 (several users sharing folders): a run folder this user may not enter is said to be
one, with its owner and mode, by one helper every entry point uses; a store under HOME names
HOME; an unwritable folder of another user names its owner and mode."""

from __future__ import annotations

import os

import pytest

import rambo_env.run_io as run_io
from tests.other_user import closed_folder
from tests.scripts import load_script


def test_a_closed_folder_above_the_run_is_named_with_its_owner(tmp_path, monkeypatch):
    # probe 111 row 3: a run under another user's 0700 home was a raw [Errno 13] / traceback
    home = closed_folder(tmp_path / "home" / "u1", monkeypatch)
    run = home / "runs" / "r1"
    assert run_io.unenterable_folder(run) == home
    with pytest.raises(PermissionError) as caught:
        run_io.check_run_folder(run)
    text = str(caught.value)
    assert f"{home} cannot be entered by this user (mode drwx------, owner uid " in text
    assert f"neither can {run} inside it" in text and f"chmod a+x {home}" in text
    assert f"chmod -R a+rX {run}" in text and "Errno" not in text


def test_a_closed_run_folder_itself_is_named(tmp_path, monkeypatch):
    run = closed_folder(tmp_path / "runs" / "u1a", monkeypatch)
    with pytest.raises(ValueError, match=r"u1a cannot be entered by this user \(mode drwx------"):
        run_io.refuse_unenterable(run, "run_dir: ")
    assert run_io.runs_below(run) == ""  # was: PermissionError while formatting an error
    assert run_io.unenterable_folder(tmp_path / "runs") is None
    run_io.refuse_unenterable(tmp_path / "runs", "run_dir: ")  # an open folder passes


def test_curves_names_the_closed_run_folder(tmp_path, monkeypatch, capsys):
    # probe 111 row 3e: was a PermissionError traceback (check_run_folder's is_dir)
    curves = load_script("curves")
    home = closed_folder(tmp_path / "home" / "u1", monkeypatch)
    with pytest.raises(SystemExit) as stop:
        curves.main([f"a={home / 'runs' / 'r1'}", "--out", str(tmp_path / "c")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "cannot be entered by this user" in err and "Traceback" not in err


def test_a_store_under_home_names_home_not_the_unset_variable(tmp_path, monkeypatch):
    # probe 111: useradd -M / HOME=/ / sudo without -H said "RAMBO_ENV_CACHE: …" (unset)
    monkeypatch.setenv("HOME", str(tmp_path / "u3"))
    what, hint = run_io.home_store_words("RAMBO_ENV_CACHE", "model cache", "~/.cache/rambo_env")
    assert what.startswith("HOME: model cache (~/.cache/rambo_env, as RAMBO_ENV_CACHE is unset")
    assert f"HOME={tmp_path / 'u3'}, which does not exist" in what
    assert "set RAMBO_ENV_CACHE" in hint and "HOME" in hint
    (tmp_path / "u3").mkdir()
    monkeypatch.setattr(os, "geteuid", lambda: (tmp_path / "u3").stat().st_uid + 1)
    what, _ = run_io.home_store_words("RAMBO_ENV_CACHE", "model cache", "~/.cache/rambo_env")
    assert "another user's folder (mode" in what


def test_an_unwritable_folder_of_another_user_names_its_owner(tmp_path, monkeypatch):
    # probe 111: a read-only cache of another user on a cache miss named no owner or mode
    import tempfile

    folder = tmp_path / "u1cache"
    folder.mkdir()

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", denied)
    monkeypatch.setattr(os, "geteuid", lambda: folder.stat().st_uid + 1)
    with pytest.raises(ValueError) as caught:
        run_io.check_writable(folder, "RAMBO_ENV_CACHE: model cache", "set RAMBO_ENV_CACHE")
    assert "is not writable (Permission denied; mode drwx" in str(caught.value)
    assert "owner uid" in str(caught.value)
