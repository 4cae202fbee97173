"""Probe 122 row 22: root (sudo) ``scripts/make_dataset.py`` into a user's Minari root left the
namespace folders and their ``namespace_metadata.json`` root's: :func:`generation_lock` had made
the folders before :func:`save_minari` looked, so the save counted them as there before it. The
folders the command makes (the lock's included) take the Minari root's owner; a folder root made
before the command stays root's (probe 120 row 26)."""

from __future__ import annotations

import os

import pytest

from rambo_env.data.minari_io import dataset_to_episodes, generation_lock, save_minari
from tests.data.data_helpers import make_dataset
from tests.data.test_minari_io_probe119 import USER, _owners

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root (chown)"
)


def test_namespace_folders_the_generation_lock_made_are_the_users(tmp_path, monkeypatch):
    root = tmp_path / "datasets"
    root.mkdir()
    os.chown(root, USER, USER)
    (root / "curated").mkdir()  # root's, on purpose, before the command
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    with generation_lock("curated/lab/hopper/a-v0"):  # as generate_dataset saves
        save_minari(
            "curated/lab/hopper/a-v0", dataset_to_episodes(make_dataset()), env_id="Hopper-v5"
        )
    owners = _owners(root)
    assert owners["curated"] == 0  # there before the command: root's
    for made in ("curated/lab", "curated/lab/hopper"):  # was: root's
        assert owners[made] == USER
        assert owners[f"{made}/namespace_metadata.json"] == USER
    assert owners["curated/lab/hopper/a-v0/data/main_data.hdf5"] == USER
