"""Probe 95 row 35, and the flat cache's clean-up: a Minari folder this user may not enter is
one error naming MINARI_DATASETS_PATH; another user's older flat cache is left, not deleted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import rambo_env.data.loaders as loaders
import rambo_env.data.minari_io as minari_io


def _denied(*args, **kwargs):
    raise PermissionError(13, "Permission denied", str(args[0]) if args else "")


def test_a_namespace_folder_this_user_cannot_enter_is_named(tmp_path, monkeypatch):
    # probe 95 row 35: was a raw "PermissionError: [Errno 13] Permission denied: '…/metadata.json'"
    # (cotrain: "error: [Errno 13] …", naming no variable and no way out)
    root = tmp_path / "minari"
    hopper = root / "rambo" / "hopper"
    (hopper / "random-v0" / "data").mkdir(parents=True)
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    monkeypatch.setattr(os, "geteuid", lambda: hopper.stat().st_uid + 1)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **kw: Path(p) != hopper and real_access(p, m))
    monkeypatch.setattr(Path, "is_file", _denied)
    with pytest.raises(ValueError) as caught:
        minari_io.minari_dataset_exists("rambo/hopper/random-v0")
    text = str(caught.value)
    assert text.startswith(f"MINARI_DATASETS_PATH: {hopper} cannot be entered by this user")
    assert "owner uid" in text and f"chmod a+rx {hopper}" in text


class _Flat:
    def to_npz(self, path: Path) -> None:
        path.write_bytes(b"new")


def _cache_in(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "datasets" / "mine__hopper__x-v0"
    folder.mkdir(parents=True)
    monkeypatch.setattr(minari_io, "_cache_path", lambda dataset_id: folder / "new.npz")
    monkeypatch.setattr(loaders, "validate_for_env", lambda dataset: None)
    return folder


def test_another_users_older_flat_cache_is_left(tmp_path, monkeypatch):
    # probe 95: the clean-up of older caches deleted another user's file in a shared cache
    folder = _cache_in(tmp_path, monkeypatch)
    theirs = folder / "old.npz"
    theirs.write_bytes(b"old")
    monkeypatch.setattr(os, "geteuid", lambda: theirs.stat().st_uid + 1)
    minari_io.write_flat_cache("mine/hopper/x-v0", _Flat())
    assert theirs.read_bytes() == b"old" and (folder / "new.npz").read_bytes() == b"new"


def test_an_older_flat_cache_that_cannot_be_removed_does_not_stop_the_write(
    tmp_path, monkeypatch, capsys
):
    # probe 95: a failed unlink of an older cache failed the write of the new one
    folder = _cache_in(tmp_path, monkeypatch)
    (folder / "old.npz").write_bytes(b"old")
    monkeypatch.setattr(Path, "unlink", _denied)
    minari_io.write_flat_cache("mine/hopper/x-v0", _Flat())
    assert (
        folder / "new.npz"
    ).read_bytes() == b"new" and "not written" not in capsys.readouterr().out
