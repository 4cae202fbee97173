"""Probe 96a rows 12, 49, 53, 64: h5py handles of a closed file, episode-major stacked arrays,
recorded env kwargs of the wrong value type and recorded time limits that are no int >= 1."""

from __future__ import annotations

import json

import gymnasium as gym
import h5py
import numpy as np
import pytest

from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.loaders import load_dataset
from rambo_env.data.minari_io import minari_dataset_path
from tests.data.data_helpers import make_arrays
from tests.data.test_minari_env_spec_probe81a_spec import _make
from tests.data.test_minari_io_probe83a_entry import _damage_eval_env_spec, _with_spec


def test_h5py_datasets_of_a_closed_file_are_named(tmp_path):
    # probe 96a row 12: was h5py's raw RuntimeError "Unable to synchronously get dataspace"
    path = tmp_path / "d.hdf5"
    with h5py.File(path, "w") as f:
        for key, value in make_arrays([30, 30], terminal_last=[False, True]).items():
            f[key] = value
    with h5py.File(path, "r") as f:
        data = {k: f[k] for k in f}
    with pytest.raises(DatasetValidationError) as info:
        load_dataset(data, env_id="Hopper-v5")
    said = str(info.value)
    assert "field 'observations' is an h5py Dataset of a file that was closed" in said
    assert "{k: f[k][()] for k in f}" in said
    with h5py.File(path, "r") as f:  # read inside the block: loaded
        assert load_dataset({k: f[k][()] for k in f}, env_id="Hopper-v5").n_transitions == 60


def _stacked(episode_major: bool) -> dict[str, np.ndarray]:
    """Three 10-step episodes stacked [3, 10, …] (episode-major) or as SB3's [10, 3, …]."""
    arrays = make_arrays([10] * 3, terminal_last=[False] * 3)
    stacked = {k: np.stack([v[i * 10 : (i + 1) * 10] for i in range(3)]) for k, v in arrays.items()}
    return stacked if episode_major else {k: v.swapaxes(0, 1).copy() for k, v in stacked.items()}


def test_episode_major_arrays_are_advised_a_plain_reshape():
    # probe 96a row 49: was "axis 1 (size 10) … is a vectorised env's …:
    # observations.swapaxes(0, 1).reshape(-1, 11)", which interleaves the episodes
    with pytest.raises(DatasetValidationError) as info:
        load_dataset(_stacked(True), env_id="Hopper-v5")
    said = str(info.value)
    assert "read as episode-major" in said and "observations.reshape(-1, 11) directly" in said
    assert "swapaxes(0, 1)" not in said
    with pytest.raises(DatasetValidationError) as info:  # SB3's layout: still its advice
        load_dataset(_stacked(False), env_id="Hopper-v5")
    said = str(info.value)
    assert "observations.swapaxes(0, 1).reshape(-1, 11)" in said and "episode-major" not in said


def test_stacked_arrays_that_do_not_tell_get_both_readings():
    # probe 96a row 49: the data's layout named only where they tell it
    arrays = _stacked(True)
    rng = np.random.default_rng(0)
    arrays["next_observations"] = rng.standard_normal((3, 10, 11)).astype(np.float32)
    arrays["terminals"] = np.zeros((3, 10), bool)
    arrays["timeouts"] = np.zeros((3, 10), bool)
    with pytest.raises(DatasetValidationError) as info:
        load_dataset(arrays, env_id="Hopper-v5")
    said = str(info.value)
    assert "do not tell which of two layouts" in said
    assert "observations.reshape(-1, 11) directly" in said
    assert "observations.swapaxes(0, 1).reshape(-1, 11)" in said


def _npz(tmp_path, metadata) -> str:
    path = tmp_path / "kw.npz"
    arrays = make_arrays([30, 30], terminal_last=[False, False])
    np.savez(path, env_id="Hopper-v5", metadata_json=json.dumps(metadata), **arrays)
    return str(path)


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"forward_reward_weight": "1.0"}, "forward_reward_weight='1.0' is str, not a real number"),
        ({"frame_skip": 2.0}, "frame_skip=2.0 is float, not an int (Hopper-v5's frame_skip"),
        ({"frame_skip": True}, "frame_skip=True is bool, not an int"),
    ],
)
def test_recorded_env_kwargs_of_the_wrong_type_are_refused_at_load(tmp_path, kwargs, said):
    # probe 96a row 53: was a note, then a raw TypeError at the env's first step (numpy's
    # "can't multiply sequence" / mujoco's "mj_step(): incompatible function arguments")
    with pytest.raises(DatasetValidationError) as info:
        load_dataset(_npz(tmp_path, {"env_kwargs": kwargs}), progress=False)
    assert said in str(info.value) and "kw.npz" in str(info.value)
    assert "metadata['env_kwargs']" in str(info.value)


def test_recorded_env_kwargs_of_the_default_types_load(tmp_path):
    # probe 96a row 53: an int for a float default is a real number (taken)
    kwargs = {"forward_reward_weight": 2, "frame_skip": 4, "healthy_z_range": [0.7, 2.0]}
    dataset = load_dataset(_npz(tmp_path, {"env_kwargs": kwargs}), progress=False)
    assert dataset.env_kwargs == kwargs


@pytest.mark.parametrize(
    ("limit", "hint"), [("20", "remove it"), (20.0, "e.g. 20"), (0, "remove it"), (-5, "remove it")]
)
def test_a_recorded_time_limit_that_is_no_int_is_refused(tmp_path, limit, hint):
    # probe 96a row 64: was loaded without a word, the limit dropped (1000 steps evaluated)
    with pytest.raises(DatasetValidationError) as info:
        load_dataset(_npz(tmp_path, {"env_max_episode_steps": limit}), progress=False)
    said = str(info.value)
    assert (
        f"metadata['env_max_episode_steps'] (the time limit of the data's env Hopper-v5): {limit!r} is not an int >= 1"
        in said
    )
    assert hint in said and "kw.npz" in said
    assert (
        load_dataset(
            _npz(tmp_path, {"env_max_episode_steps": 30}), progress=False
        ).env_max_episode_steps
        == 30
    )


@pytest.mark.parametrize("limit", ["20", 20.0, 0])
def test_a_minari_env_spec_time_limit_that_is_no_int_is_refused(limit) -> None:
    # probe 96a row 64: a Minari env_spec's "20" / 20.0 / 0 was dropped without a word
    name = f"p96a/hop/lim{str(limit).replace('.', '_')}-v0"
    _make(name, gym.make("Hopper-v5", max_episode_steps=20), n_eps=3)
    path = minari_dataset_path(name) / "data" / "metadata.json"
    meta = json.loads(path.read_text())
    meta["env_spec"] = json.dumps({**json.loads(meta["env_spec"]), "max_episode_steps": limit})
    path.write_text(json.dumps(meta))
    with pytest.raises(ValueError) as info:
        load_dataset(name)
    said = str(info.value)
    assert f"its env_spec's max_episode_steps is {limit!r}, not an int >= 1 (nor null)" in said
    assert "correct or remove the 'env_spec' entry" in said


def test_a_recorded_evaluation_env_kwarg_of_the_wrong_type_is_refused_at_load() -> None:
    # probe 96a rows 53, 54: the recorded evaluation env's kwargs (Minari's eval_env_spec) were
    # checked for ranges and flags only: frame_skip 2.0 failed raw at the first evaluation step
    evaluation = gym.make("Hopper-v5", max_episode_steps=50, healthy_z_range=(0.3, 2.0))
    _make("p96a/evkw-v0", gym.make("Hopper-v5"), eval_env=evaluation)
    _damage_eval_env_spec("p96a/evkw-v0", _with_spec(kwargs={"frame_skip": 2.0}))
    with pytest.raises(ValueError) as info:
        load_dataset("p96a/evkw-v0")
    said = str(info.value)
    assert "its eval_env_spec's kwargs: frame_skip=2.0 is float, not an int" in said
