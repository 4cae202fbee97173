"""Probe 120 row 26: root (sudo) saving into a user's Minari root handed every root-owned
namespace folder on the dataset's path to the user, also one root had made there itself
beforehand, on purpose (``mkdir …/curated`` as root). Only what the save made is given away."""

from __future__ import annotations

import os

import pytest

from rambo_env.data.minari_io import dataset_to_episodes, save_minari
from tests.data.data_helpers import make_dataset
from tests.data.test_minari_io_probe119 import USER, _owners

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root (chown)"
)


def test_a_namespace_folder_root_made_beforehand_stays_roots(tmp_path, monkeypatch):
    root = tmp_path / "datasets"
    root.mkdir()
    os.chown(root, USER, USER)
    (root / "curated").mkdir()  # root's, on purpose
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    final = save_minari("curated/lab/c-v0", dataset_to_episodes(make_dataset()), env_id="Hopper-v5")
    owners = _owners(root)
    assert owners["curated"] == 0  # was: the user's
    assert owners["curated/lab"] == USER  # made by this save
    assert owners["curated/lab/namespace_metadata.json"] == USER
    assert owners["curated/namespace_metadata.json"] == 0  # in root's folder: root's
    assert owners[str(final.relative_to(root) / "data" / "main_data.hdf5")] == USER
