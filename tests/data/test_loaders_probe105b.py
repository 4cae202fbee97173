"""Probe 105 rows 9, 10: one trailing all-zero row (a file one row too long) and fields stored
transposed in an npz / from_arrays."""

from __future__ import annotations

import gymnasium as gym
import h5py
import numpy as np
import pytest

import rambo_env
from rambo_env.data.dataset import DatasetValidationError, OfflineDataset


def _hopper_arrays(n: int = 120, seed: int = 0) -> dict[str, np.ndarray]:
    """``n`` genuine Hopper-v5 random-action steps (episodes reset on a fall)."""
    env = gym.make("Hopper-v5")
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    rows: dict[str, list] = {k: [] for k in ("observations", "actions", "rewards")}
    rows |= {"next_observations": [], "terminals": [], "timeouts": []}
    for _ in range(n):
        action = rng.uniform(-1, 1, 3).astype(np.float32)
        nxt, reward, terminated, truncated, _ = env.step(action)
        for key, value in zip(rows, (obs, action, reward, nxt, terminated, truncated), strict=True):
            rows[key].append(value)
        obs = env.reset()[0] if terminated or truncated else nxt
    env.close()
    out = {k: np.asarray(v, np.float32) for k, v in rows.items()}
    out["terminals"], out["timeouts"] = out["terminals"] > 0, out["timeouts"] > 0
    return out


def _write(path, arrays) -> str:
    with h5py.File(path, "w") as f:
        for key, value in arrays.items():
            f[key] = value
        f.attrs["env_id"] = "Hopper-v5"
    return str(path)


def test_one_trailing_all_zero_row_is_named_as_unwritten(tmp_path, capsys):
    # probe 105 row 9: was "its terminals contradict Hopper-v5's termination rule … 1 (first:
    # row 120) … check that the data come from this env … or … non-default kwargs"
    arrays = _hopper_arrays()
    padded = {
        k: np.concatenate([v, np.zeros((1, *v.shape[1:]), v.dtype)]) for k, v in arrays.items()
    }
    data = rambo_env.load_dataset(_write(tmp_path / "zero1.hdf5", padded), env_id="Hopper-v5")
    out = capsys.readouterr().out
    assert data.n_transitions == 121  # a warning, not a refusal: the row is kept
    assert "its last row (120) is 0 in every field" in out
    assert "Trim the file to its first 120 rows" in out
    assert "contradict" not in out and "kwargs" not in out


def test_genuine_data_and_a_nonzero_last_row_get_no_unwritten_row_warning(tmp_path, capsys):
    arrays = _hopper_arrays()
    rambo_env.load_dataset(_write(tmp_path / "ok.hdf5", arrays), env_id="Hopper-v5")
    assert "is 0 in every field" not in capsys.readouterr().out
    # an all-zero row but for its reward is no unwritten row
    padded = {
        k: np.concatenate([v, np.zeros((1, *v.shape[1:]), v.dtype)]) for k, v in arrays.items()
    }
    padded["rewards"][-1] = 1.0
    rambo_env.load_dataset(_write(tmp_path / "r.hdf5", padded), env_id="Hopper-v5")
    assert "is 0 in every field" not in capsys.readouterr().out


def _transposed(arrays):
    out = dict(arrays)
    out["observations"] = arrays["observations"].T.copy()
    out["next_observations"] = arrays["next_observations"].T.copy()
    return out


def test_transposed_npz_fields_are_named_as_transposed(tmp_path):
    # probe 105 row 10: was "field 'actions' has 120 rows but 'observations' has 11" with no
    # 'stored transposed … x.T' hint (it was only in the hdf5 reader)
    path = tmp_path / "t.npz"
    np.savez(path, **_transposed(_hopper_arrays()))
    with pytest.raises(DatasetValidationError, match=r"stored transposed.*x\.T"):
        rambo_env.load_dataset(str(path), env_id="Hopper-v5")
    with pytest.raises(DatasetValidationError, match=r"'observations' \(11, 120\).*transposed"):
        OfflineDataset.from_arrays(_transposed(_hopper_arrays()))
    # without next_observations (derived from the next row): the same hint
    derived = _transposed(_hopper_arrays())
    del derived["next_observations"]
    np.savez(tmp_path / "d.npz", **derived)
    with pytest.raises(DatasetValidationError, match=r"stored transposed.*x\.T"):
        rambo_env.load_dataset(str(tmp_path / "d.npz"), env_id="Hopper-v5")


def test_other_row_count_mismatches_keep_their_message():
    arrays = _hopper_arrays()
    arrays["actions"] = arrays["actions"][:-1]
    with pytest.raises(DatasetValidationError) as err:
        OfflineDataset.from_arrays(arrays)
    assert str(err.value) == "field 'actions' has 119 rows but 'observations' has 120"
