"""Probe 102 row 13: a dataset is not read while another process regenerates it."""

from __future__ import annotations

import pytest

from rambo_env.data import minari_io


def test_read_minari_waits_for_a_generation_first(tmp_path, monkeypatch):
    # probe 102 row 13: was: the old data read without a word while make_dataset.py --force
    # regenerated the dataset under its generation lock
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path))
    waited = []

    def wait(lock, doing):
        waited.append((lock, doing))
        raise RuntimeError("stop here")

    monkeypatch.setattr(minari_io, "wait_for_lock", wait)
    with pytest.raises(RuntimeError, match="stop here"):
        minari_io.read_minari("rambo/hopper/random-v0")
    ((lock, doing),) = waited
    assert lock.name == ".random-v0.generate.lock" and lock.parent.name == "hopper"
    assert doing.startswith("generating the dataset rambo/hopper/random-v0 anew")
