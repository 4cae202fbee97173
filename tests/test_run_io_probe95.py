"""Probe 95: a file of another user that this user may not read is not a damaged file (never
removed), and the advice names what its owner can do (chmod a+r), not ``chmod u+r``."""

from __future__ import annotations

import os

import pytest

import rambo_env.path_checks as path_checks
import rambo_env.run_io as run_io


def _denied(*args, **kwargs):
    raise PermissionError(13, "Permission denied", str(args[0]) if args else "")


def _not_readable(path, monkeypatch) -> ValueError:
    monkeypatch.setattr(path_checks, "open", _denied, raising=False)  # check_readable's
    with pytest.raises(ValueError) as caught:
        run_io.check_readable(path, "cached model")
    return caught.value


def test_another_users_file_advises_its_owner_chmod_a_r(tmp_path, monkeypatch):
    # probe 95 rows 7, 25, 32, 37, 40: was "make it readable (chmod u+r …)" (the owner has u+r)
    path = tmp_path / "dynamics.pt"
    path.write_bytes(b"x")
    monkeypatch.setattr(os, "geteuid", lambda: path.stat().st_uid + 1)
    text = str(_not_readable(path, monkeypatch))
    assert "not readable by this user" in text and f"chmod a+r {path}" in text
    assert "its owner" in text and "chmod u+r" not in text


def test_own_file_still_advises_chmod_u_r(tmp_path, monkeypatch):
    path = tmp_path / "dynamics.pt"
    path.write_bytes(b"x")
    monkeypatch.setattr(os, "geteuid", lambda: path.stat().st_uid)
    assert f"chmod u+r {path}" in str(_not_readable(path, monkeypatch))


def test_a_file_not_readable_is_not_damaged(tmp_path, monkeypatch):
    # probe 95 rows 8, 9: was damaged_file(...) True: another user's cache deleted (or its
    # unlink raised); every caller (model cache, MLE checkpoint, checkpoints) asks this
    path = tmp_path / "dynamics.pt"
    path.write_bytes(b"x")
    assert not run_io.damaged_file(_not_readable(path, monkeypatch))
    assert not run_io.damaged_file(PermissionError(13, "Permission denied"))
    assert run_io.damaged_file(ValueError("not an npz (zip) archive"))
    assert run_io.damaged_file(EOFError())
