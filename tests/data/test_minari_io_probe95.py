"""Probe 95 rows 8, 9, 33, 34: another user's flat cache or Minari files this user may not read
are not damaged: the cache is left (not deleted) and the Minari files read; unreadable Minari
files say so, with the owner, instead of advice to re-create them (--force)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import rambo_env.data.minari_io as minari_io
import rambo_env.path_checks as path_checks
from rambo_env.data.dataset import OfflineDataset
from rambo_env.data.minari_io import DatasetUnavailableError


def _denied(*args, **kwargs):
    raise PermissionError(13, "Permission denied", str(args[0]) if args else "")


def test_another_users_flat_cache_is_left_and_minari_read(tmp_path, monkeypatch, capsys):
    # probe 95 rows 8, 9: was "flat cache … is unreadable (ValueError); removing it …": root's
    # file deleted, or a raw PermissionError from its unlink
    cache = tmp_path / "cache.npz"
    np.savez(cache, x=np.zeros(3))
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: Path(p) != cache and real_access(p, mode, **kw)
    )
    monkeypatch.setattr(minari_io, "_cache_path", lambda dataset_id: Path(cache))
    monkeypatch.setattr(minari_io, "_check_id_matches_folder", lambda dataset_id: None)
    monkeypatch.setattr(minari_io, "minari_folder_there", lambda dataset_id: False)
    monkeypatch.setattr(minari_io, "misplaced_root", lambda dataset_id: None)
    monkeypatch.setattr(OfflineDataset, "_load_npz", staticmethod(_denied))
    with pytest.raises(DatasetUnavailableError):  # the Minari files are read (none here)
        minari_io.read_minari("mine/hopper/x-v0")
    out = capsys.readouterr().out
    assert cache.is_file() and "not readable by this user" in out and "removing" not in out


def test_unreadable_minari_files_say_not_readable_not_damaged(tmp_path, monkeypatch):
    # probe 95 rows 33, 34: was "its episode data are unreadable (PermissionError …)" / "is
    # damaged (PermissionError …); re-create it (… --force)"
    data = tmp_path / "mine" / "hopper" / "x-v0" / "data"
    data.mkdir(parents=True)
    (data / "metadata.json").write_text("{}")
    (data / "main_data.hdf5").write_bytes(b"x")
    monkeypatch.setattr(minari_io, "minari_dataset_path", lambda dataset_id: data.parent)
    monkeypatch.setattr(path_checks, "open", _denied, raising=False)  # check_readable's
    with pytest.raises(ValueError) as caught:
        minari_io._check_files_readable("mine/hopper/x-v0", PermissionError(13, "denied"))
    text = str(caught.value)
    assert "not readable by this user" in text and "owner uid" in text
    assert "--force" not in text and "damaged" not in text
    minari_io._check_files_readable("mine/hopper/x-v0", OSError("truncated"))  # not a permission
