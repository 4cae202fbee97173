"""Probe 66 (rows 42, 43, 45): the exported D4RL hdf5 reader and file finder check what they get."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from rambo_env.data.d4rl_io import find_d4rl_file, read_d4rl_hdf5
from rambo_env.data.dataset import DatasetUnavailableError, DatasetValidationError
from tests.data.data_helpers import make_arrays


def _write(path, attrs=None):
    a = make_arrays([5, 4], terminal_last=[False, True])  # Hopper dims: 11 / 3
    with h5py.File(path, "w") as f:
        for key, value in a.items():
            f[key] = value
        for key, value in (attrs or {}).items():
            f.attrs[key] = value
    return path


def test_data_that_do_not_fit_the_env_of_the_name_or_metadata_are_refused(tmp_path):
    # probe 66 row 42: was returned as Walker2d data with Walker2d's reference scores
    ok = read_d4rl_hdf5(_write(tmp_path / "hopper_medium-v2.hdf5"))
    assert (ok.env_id, ok.name, ok.obs_dim) == ("Hopper-v5", "hopper-medium", 11)
    with pytest.raises(
        DatasetValidationError,
        match=r"walker2d_medium-v2.hdf5: field 'observations' has obs_dim 11 .*\(env_id="
        r"'Walker2d-v5'\), the env its file name gives; fix the env_id stored in the file",
    ):
        read_d4rl_hdf5(_write(tmp_path / "walker2d_medium-v2.hdf5"))
    with pytest.raises(DatasetValidationError, match=r"c5.hdf5: .* the env its metadata gives"):
        read_d4rl_hdf5(_write(tmp_path / "c5.hdf5", {"env_id": "Walker2d-v5"}))


def test_a_missing_file_another_format_or_a_folder_is_named(tmp_path, monkeypatch):
    # probe 66 row 43: h5py's raw "Unable to synchronously open file" (~ not expanded),
    # "file signature not found", IsADirectoryError
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(DatasetUnavailableError, match=rf"{tmp_path}/nonexist.hdf5 does not exist"):
        read_d4rl_hdf5("~/nonexist.hdf5")
    npz = tmp_path / "x.npz"
    np.savez(npz, observations=np.zeros((2, 11)))
    with pytest.raises(ValueError, match=r"x.npz: an npz \(zip\) archive, not an HDF5 file"):
        read_d4rl_hdf5(npz)
    with pytest.raises(DatasetUnavailableError, match=r"is a folder, not a file"):
        read_d4rl_hdf5(tmp_path)
    with pytest.raises(ValueError, match=r"path: expected the path .* got int 5"):
        read_d4rl_hdf5(5)
    _write(tmp_path / "hopper_medium-v2.hdf5")
    assert read_d4rl_hdf5("~/hopper_medium-v2.hdf5").n_transitions == 9  # ~ expanded


def test_a_d4rl_dir_that_is_missing_or_a_file_is_named(tmp_path, monkeypatch):
    # probe 66 row 45: was None, as if the dataset were not there (a short name then generated)
    a_file = _write(tmp_path / "hopper_medium-v2.hdf5")
    assert find_d4rl_file("hopper", "medium", 2, tmp_path) == a_file
    assert find_d4rl_file("hopper", "expert", 2, tmp_path) is None  # not there: no error
    with pytest.raises(ValueError, match=r"d4rl_dir: .*hopper_medium-v2.hdf5 is not a folder"):
        find_d4rl_file("hopper", "medium", 2, a_file)
    with pytest.raises(ValueError, match=r"d4rl_dir: .*nonexist does not exist; pass the folder"):
        find_d4rl_file("hopper", "medium", 2, tmp_path / "nonexist")
    monkeypatch.setenv("D4RL_DATASET_DIR", str(a_file))
    with pytest.raises(DatasetUnavailableError, match=r"D4RL_DATASET_DIR \(= .*not a folder\)"):
        find_d4rl_file("hopper", "medium", 2, None)
    monkeypatch.setenv("D4RL_DATASET_DIR", str(tmp_path / "not-yet"))  # a default not made yet
    assert find_d4rl_file("hopper", "medium", 2, None) is None
