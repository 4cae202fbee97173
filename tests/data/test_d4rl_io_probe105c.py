"""Probe 105 row 9, without next_observations: a D4RL-layout file (hdf5 or npz) one row too
long, its last row preallocated and never written (0 in every field). The next states are
derived from the following row, so the row before became a step into the all-zero state: kept,
said only as "next_observations[119, 0] = 0 is far outside … a corrupt reading?" of a field the
file lacks. Now the row is dropped with one warning naming it and the trim."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import rambo_env
from tests.data.test_loaders_probe105b import _hopper_arrays


def _padded(arrays):
    """D4RL's v0 layout (no next_observations) with one all-zero row appended."""
    return {
        k: np.concatenate([v, np.zeros((1, *v.shape[1:]), v.dtype)])
        for k, v in arrays.items()
        if k != "next_observations"
    }


def _write(path, arrays) -> str:
    if path.suffix == ".npz":
        np.savez(path, **arrays)
    else:
        with h5py.File(path, "w") as f:
            for key, value in arrays.items():
                f[key] = value
            f.attrs["env_id"] = "Hopper-v5"
    return str(path)


@pytest.mark.parametrize("suffix", [".hdf5", ".npz"])
def test_an_unwritten_last_row_is_no_step_s_next_state(tmp_path, capsys, suffix):
    arrays = _hopper_arrays()
    data = rambo_env.load_dataset(
        _write(tmp_path / f"z{suffix}", _padded(arrays)), env_id="Hopper-v5"
    )
    out = capsys.readouterr().out
    # was: 120 transitions, row 119's next state all zero (a jump the model would learn)
    assert data.n_transitions == 119
    assert np.any(data.next_observations != 0, axis=1).all()
    np.testing.assert_array_equal(data.next_observations[-1], arrays["observations"][119])
    assert data.timeouts[-1]  # its successor is unknown: the last stored step of its episode
    assert "its last row (120) is 0 in every field" in out, out
    assert "trim the file to its first 120 rows (f[key][:120])" in out
    assert "corrupt reading" not in out


def test_a_last_row_with_data_or_an_all_zero_state_elsewhere_is_kept(tmp_path, capsys):
    arrays = _hopper_arrays()
    rewarded = _padded(arrays)
    rewarded["rewards"][-1] = 1.0  # written: a real (if odd) state
    data = rambo_env.load_dataset(_write(tmp_path / "r.hdf5", rewarded), env_id="Hopper-v5")
    assert data.n_transitions == 120
    zero_state = _padded(arrays)
    zero_state["observations"][50] = 0.0  # this env's data hold an all-zero state elsewhere
    data = rambo_env.load_dataset(_write(tmp_path / "s.hdf5", zero_state), env_id="Hopper-v5")
    assert data.n_transitions == 120
    assert "is 0 in every field" not in capsys.readouterr().out
