"""Probe 119 row 8: root (sudo) saving a dataset into a user's Minari root
(``MINARI_DATASETS_PATH`` inside their home) left Minari's tree root's: the namespace folders,
their ``namespace_metadata.json``, the dataset folder, ``data/`` and ``main_data.hdf5``; the
user's next save into that namespace, or ``--force``, was refused. They take the root's owner."""

from __future__ import annotations

import os

import pytest

from rambo_env.data.minari_io import dataset_to_episodes, save_minari
from tests.data.data_helpers import make_dataset

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root (chown)"
)

USER = 4242


def _owners(top):
    return {str(path.relative_to(top)): path.lstat().st_uid for path in [top, *top.rglob("*")]}


def test_what_root_saves_in_a_users_minari_root_is_the_users(tmp_path, monkeypatch):
    root = tmp_path / "datasets"
    root.mkdir()
    os.chown(root, USER, USER)
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    final = save_minari(
        "rambo/hopper/r2-v0", dataset_to_episodes(make_dataset()), env_id="Hopper-v5"
    )
    owners = _owners(root)
    assert (final / "data" / "main_data.hdf5").is_file()
    assert "rambo/hopper/namespace_metadata.json" in owners
    assert {path for path, uid in owners.items() if uid != USER} == set()  # was: all but "."


def test_root_in_its_own_minari_root_keeps_its_files(tmp_path, monkeypatch):
    root = tmp_path / "datasets"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    save_minari("mine/hopper/r2-v0", dataset_to_episodes(make_dataset()), env_id="Hopper-v5")
    assert set(_owners(root).values()) == {0}
