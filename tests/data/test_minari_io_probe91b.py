"""Probe 91 rows 4, 30: the flat dataset cache follows the model cache's rule: only bad bytes
are a damaged file (removed and rebuilt); any other error while reading it is raised."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rambo_env.data.minari_io as minari_io
from rambo_env.data.dataset import OfflineDataset


def _fail(*args, **kwargs):
    raise MemoryError("Unable to allocate 2.00 GiB")


def test_a_flat_cache_is_kept_when_memory_runs_out(tmp_path, monkeypatch, capsys):
    # probe 91 rows 4, 30: was "flat cache … is unreadable (MemoryError); removing it"
    cache = tmp_path / "cache.npz"
    np.savez(cache, x=np.zeros(3))
    monkeypatch.setattr(minari_io, "_cache_path", lambda dataset_id: Path(cache))
    monkeypatch.setattr(minari_io, "_check_id_matches_folder", lambda dataset_id: None)
    monkeypatch.setattr(OfflineDataset, "_load_npz", staticmethod(_fail))
    with pytest.raises(MemoryError):
        minari_io.read_minari("mine/hopper/x-v0")
    assert cache.is_file() and "unreadable" not in capsys.readouterr().out
