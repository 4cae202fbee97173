"""Probe 104 rows 12, 17, 28, 29: hdf5 / npz files of other writers (virtual datasets with a
missing source, lossy scale-offset fields, transposed fields, a preallocated unwritten tail)."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import rambo_env
from rambo_env.data.dataset import DatasetValidationError, OfflineDataset
from tests.data.test_loaders_probe104a import _d4rl_arrays

LENGTHS = [30, 12, 30, 9, 30, 30, 14, 30, 20]
FALLS = [False, True, False, True, False, False, True, False, True]


def _arrays() -> dict[str, np.ndarray]:
    arrays = _d4rl_arrays(LENGTHS, FALLS)
    nxt = np.roll(arrays["observations"], -1, axis=0)
    ends = arrays["terminals"] | arrays["timeouts"]
    nxt[ends] = np.random.default_rng(1).normal(size=(int(ends.sum()), 11))  # own last states
    return {**arrays, "next_observations": nxt}


def _write(path, arrays, **options) -> None:
    with h5py.File(path, "w") as f:
        for key, value in arrays.items():
            f.create_dataset(key, data=value, **options.get(key, {}))
        f.attrs["env_id"] = "Hopper-v5"


def test_virtual_dataset_with_a_missing_source_is_refused(tmp_path):
    # probe 104 row 12: was 600 all-zero rows loaded (HDF5's fill value), warned about as a wrong
    # env, reordered actions, duplicated rows and two time limits
    arrays = _arrays()
    n, half = len(arrays["rewards"]), 100
    for i, (a, b) in enumerate(((0, half), (half, n))):
        _write(tmp_path / f"part{i}.hdf5", {k: v[a:b] for k, v in arrays.items()})
    with h5py.File(tmp_path / "all.hdf5", "w") as f:
        for key, value in arrays.items():
            layout = h5py.VirtualLayout(shape=value.shape, dtype=value.dtype)
            for i, (a, b) in enumerate(((0, half), (half, n))):
                shape = (b - a, *value.shape[1:])
                layout[a:b] = h5py.VirtualSource(str(tmp_path / f"part{i}.hdf5"), key, shape=shape)
            f.create_virtual_dataset(key, layout, fillvalue=0)
        f.attrs["env_id"] = "Hopper-v5"
    assert rambo_env.load_dataset(str(tmp_path / "all.hdf5")).n_transitions > 0  # intact: loads
    (tmp_path / "part1.hdf5").rename(tmp_path / "moved.hdf5")
    with pytest.raises(DatasetValidationError) as err:
        rambo_env.load_dataset(str(tmp_path / "all.hdf5"))
    message = str(err.value)
    assert "field 'observations' is a virtual dataset" in message
    assert f"source file {tmp_path / 'part1.hdf5'} is missing" in message


def test_lossy_scaleoffset_fields_are_noted(tmp_path, capsys):
    # probe 104 row 17: was only "observations and next_observations disagree … was one field
    # changed …?", naming another cause
    lossy = {"scaleoffset": 1, "chunks": (50, 11)}
    _write(tmp_path / "so.hdf5", _arrays(), observations=lossy, next_observations=lossy)
    rambo_env.load_dataset(str(tmp_path / "so.hdf5"))
    out = capsys.readouterr().out
    assert (
        "field(s) 'observations' (1 decimal(s)), 'next_observations' (1 decimal(s)) stored " in out
    )
    assert "lossy scale-offset filter" in out
    _write(tmp_path / "plain.hdf5", _arrays(), observations={"compression": "gzip"})
    rambo_env.load_dataset(str(tmp_path / "plain.hdf5"))
    assert "scale-offset" not in capsys.readouterr().out


def test_transposed_fields_are_named_as_transposed(tmp_path):
    # probe 104 row 28: was "field 'actions' has 3 rows but 'observations' has 11" only
    arrays = _arrays()
    for key in ("observations", "actions", "next_observations"):
        arrays[key] = np.ascontiguousarray(arrays[key].T)
    _write(tmp_path / "t.hdf5", arrays)
    with pytest.raises(
        DatasetValidationError, match=r"stored transposed \(column-major writer\?\)"
    ):
        rambo_env.load_dataset(str(tmp_path / "t.hdf5"))
    arrays = _arrays()
    arrays["actions"] = arrays["actions"][:-5]  # a short field is no transposition
    _write(tmp_path / "short.hdf5", arrays)
    with pytest.raises(DatasetValidationError) as err:
        rambo_env.load_dataset(str(tmp_path / "short.hdf5"))
    assert "stored transposed" not in str(err.value)


@pytest.mark.parametrize("derived", [False, True])
def test_preallocated_unwritten_tail_is_refused(tmp_path, derived):
    # probe 104 row 29: was 800 all-zero rows of 2000 loaded, warned about as duplicates,
    # unflagged episode ends and two time limits
    arrays = _arrays()
    if derived:
        del arrays["next_observations"]
    n = len(arrays["rewards"])
    tail = {
        k: np.concatenate([v, np.zeros((40, *v.shape[1:]), v.dtype)]) for k, v in arrays.items()
    }
    _write(tmp_path / "pre.hdf5", tail)
    match = rf"last 40 of {n + 40} rows \(from row {n} on\) are 0 in every field"
    with pytest.raises(DatasetValidationError, match=match):
        rambo_env.load_dataset(str(tmp_path / "pre.hdf5"))
    np.savez(tmp_path / "pre.npz", env_id="Hopper-v5", **tail)
    with pytest.raises(DatasetValidationError, match=match):
        rambo_env.load_dataset(str(tmp_path / "pre.npz"))


def test_one_zero_last_row_or_written_data_still_load(tmp_path):
    arrays = _arrays()
    one = {k: np.concatenate([v, np.zeros((1, *v.shape[1:]), v.dtype)]) for k, v in arrays.items()}
    one["timeouts"][-1] = False
    _write(tmp_path / "one.hdf5", one)
    assert rambo_env.load_dataset(str(tmp_path / "one.hdf5")).n_transitions == len(one["rewards"])
    assert OfflineDataset.from_arrays(arrays, env_id="Hopper-v5").n_transitions == sum(LENGTHS)
