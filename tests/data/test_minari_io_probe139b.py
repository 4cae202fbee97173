"""Probe 139 (a row left by probes 137 / 139): under ``ulimit -v 850000`` reading the flat
dataset cache failed with an allocation failure inside numpy's read, which the npz reader turned
into a bare ``ValueError`` ("unreadable (MemoryError); re-create or re-download it"): the cache
entry was called damaged, deleted and rebuilt. An allocation failure is now the project's
out-of-memory error and the entry is kept; real damage is still removed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rambo_env.data.minari_io as minari_io
from rambo_env.data.dataset import OfflineDataset
from rambo_env.run_io import damaged_file


def _in_numpy(*args, **kwargs):
    raise MemoryError()  # numpy's read of a member under the limit


@pytest.fixture
def flat_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache.npz"
    np.savez(cache, x=np.zeros(3))
    monkeypatch.setattr(minari_io, "_cache_path", lambda dataset_id: Path(cache))
    monkeypatch.setattr(minari_io, "_check_id_matches_folder", lambda dataset_id: None)
    return cache


def test_an_allocation_failure_inside_the_read_keeps_the_cache(flat_cache, monkeypatch, capsys):
    monkeypatch.setattr(np, "load", _in_numpy)
    with pytest.raises(ValueError, match="not enough memory to read the npz file") as caught:
        minari_io.read_minari("mine/hopper/x-v0")
    assert not damaged_file(caught.value)  # a memory error, as every script reports it
    assert flat_cache.is_file() and "unreadable" not in capsys.readouterr().out  # was: removed


def test_an_npz_read_under_memory_names_no_damage(tmp_path, monkeypatch):
    path = tmp_path / "d.npz"
    np.savez(path, observations=np.zeros((2, 3)))
    monkeypatch.setattr(np, "load", _in_numpy)
    with pytest.raises(ValueError) as caught:
        OfflineDataset._load_npz(path)
    said = str(caught.value)
    assert "not enough memory" in said and "re-create" not in said, said


def test_a_damaged_cache_is_still_removed(flat_cache, capsys):
    flat_cache.write_bytes(flat_cache.read_bytes()[:40])  # cut short
    with pytest.raises(Exception):  # noqa: B017  (then the Minari files, absent here)
        minari_io.read_minari("mine/hopper/x-v0")
    assert not flat_cache.exists() and "removing it" in capsys.readouterr().out
