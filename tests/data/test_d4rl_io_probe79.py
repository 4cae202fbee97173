"""Probe 79 row 16: D4RL v0 / v1 are advised under the file names and folders D4RL serves."""

from __future__ import annotations

import pytest

from rambo_env.data.d4rl_io import d4rl_file_name, d4rl_url, find_d4rl_file
from rambo_env.data.dataset import DatasetUnavailableError
from rambo_env.data.loaders import load_dataset

BASE = "http://rail.eecs.berkeley.edu/datasets/offline_rl"


def test_d4rl_file_names_and_folders_of_each_version():
    # d4rl/infos.py DATASET_URLS
    assert d4rl_url("hopper", "medium", 0) == f"{BASE}/gym_mujoco/hopper_medium.hdf5"
    assert d4rl_file_name("hopper", "medium-replay", 0) == "hopper_mixed.hdf5"
    assert d4rl_file_name("walker2d", "medium-replay", 0) == "walker_mixed.hdf5"
    assert d4rl_file_name("halfcheetah", "medium-expert", 0) == "halfcheetah_medium_expert.hdf5"
    assert d4rl_url("hopper", "medium", 1) == f"{BASE}/gym_mujoco_v1/hopper_medium-v1.hdf5"
    assert d4rl_url("walker2d", "medium-replay", 2) == (
        f"{BASE}/gym_mujoco_v2/walker2d_medium_replay-v2.hdf5"
    )


def test_a_downloaded_v0_file_is_found(tmp_path):
    # probe 79 row 16: was looked for as hopper_medium-v0.hdf5 only
    (tmp_path / "hopper_medium.hdf5").write_bytes(b"")
    (tmp_path / "walker_mixed.hdf5").write_bytes(b"")
    assert find_d4rl_file("hopper", "medium", 0, tmp_path) == tmp_path / "hopper_medium.hdf5"
    assert find_d4rl_file("walker2d", "medium-replay", 0, tmp_path) == (
        tmp_path / "walker_mixed.hdf5"
    )
    assert find_d4rl_file("hopper", "medium", 2, tmp_path) is None


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("hopper-medium-v0", f"{BASE}/gym_mujoco/hopper_medium.hdf5"),
        ("hopper-medium-v1", f"{BASE}/gym_mujoco_v1/hopper_medium-v1.hdf5"),
    ],
)
def test_an_old_d4rl_name_is_advised_its_own_file_and_the_v2_presets(name, url, monkeypatch):
    # probe 79 row 16: was "no file hopper_medium-v0.hdf5 … (…/gym_mujoco_v2/)"
    monkeypatch.delenv("D4RL_DATASET_DIR", raising=False)
    with pytest.raises(DatasetUnavailableError) as err:
        load_dataset(name, generate=False)
    text = str(err.value)
    assert f"no file {url.rsplit('/', 1)[1]} is in d4rl_dir" in text
    assert f"({url}) (Table 5's (k, λ) presets were tuned on the -v2 data)" in text
    with pytest.raises(DatasetUnavailableError, match="D4RL has no v0 of hopper-full-replay"):
        load_dataset("hopper-full-replay-v0", generate=False)
