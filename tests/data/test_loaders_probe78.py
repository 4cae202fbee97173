"""Probe 78 (rows 7-12, 26, 35): env kwargs recorded with the data: bad values named once,
render_mode dropped, falsy flags, hdf5 root attributes, misnamed keys, D4RL scores of another
env, numpy-valued kwargs written by to_npz, kwargs of data that name no env."""

from __future__ import annotations

import json
from decimal import Decimal

import h5py
import numpy as np
import pytest

from rambo_env.data.dataset import DatasetValidationError, OfflineDataset
from rambo_env.data.loaders import load_dataset
from rambo_env.data.scores import score_label
from rambo_env.dynamics.termination import exact_rule, never_terminated
from tests.data.test_loaders_probe77 import _episodes, _npz


@pytest.fixture(scope="module")
def ant():
    return _episodes("Ant-v5", 300)


@pytest.mark.parametrize("value", ["0.2,1.2", 1.2, [0.2], ["a", "b"]])
def test_a_range_kwarg_that_is_no_pair_of_numbers_is_named(tmp_path, ant, value) -> None:
    # probe 78 row 8: was a raw "too many values to unpack" (TypeError: cannot unpack
    # non-iterable float) out of load_dataset, naming neither the field nor the kwarg
    path = _npz(tmp_path / "a.npz", ant, "Ant-v5", {"env_kwargs": {"healthy_z_range": value}})
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(path)
    said = str(err.value)
    assert "metadata['env_kwargs']" in said and "Ant-v5" in said
    assert f"healthy_z_range={value!r} is not a range of two numbers" in said


def test_render_mode_of_the_data_is_dropped_with_a_note(tmp_path, ant, capsys) -> None:
    # probe 78 row 9: render_mode='human' (the Minari reader drops it, the npz reader did not)
    # opened a window: a headless process aborted in glfw. rgb_array here (human would abort)
    meta = {"env_kwargs": {"render_mode": "rgb_array", "healthy_z_range": [0.2, 1.0]}}
    data = load_dataset(_npz(tmp_path / "a.npz", ant, "Ant-v5", meta))
    assert data.env_kwargs == {"healthy_z_range": [0.2, 1.0]}
    assert (
        "records render_mode='rgb_array' among its env kwargs: dropped" in capsys.readouterr().out
    )


def test_a_falsy_flag_is_taken_as_gymnasium_takes_it() -> None:
    # probe 78 row 10: terminate_when_unhealthy=0 (gymnasium: never ends) was tested `is False`,
    # so rollouts ended by Hopper's rule in an env that never ends
    assert exact_rule("Hopper-v5", {"terminate_when_unhealthy": 0}) is never_terminated
    assert exact_rule("Hopper-v5", {"terminate_when_unhealthy": 1}) is exact_rule("Hopper-v5")
    arrays = {
        "observations": np.zeros((4, 11), np.float32),
        "next_observations": np.zeros((4, 11), np.float32),
        "actions": np.zeros((4, 3), np.float32),
        "rewards": np.zeros(4, np.float32),
        "terminals": np.zeros(4, bool),
    }
    with pytest.raises(DatasetValidationError, match=r"terminate_when_unhealthy='False' is not a"):
        OfflineDataset.from_arrays(
            arrays,
            env_id="Hopper-v5",
            metadata={"env_kwargs": {"terminate_when_unhealthy": "False"}},
        )


def _h5(path, episodes, **attrs) -> str:
    stored = np.load(_npz(str(path) + ".npz", episodes, "Ant-v5"))
    with h5py.File(path, "w") as f:
        for key in stored.files:
            if key != "env_id":
                f[key] = stored[key]
        f.attrs.update(attrs)
    return str(path)


def test_hdf5_root_attributes_env_kwargs_and_metadata_json_are_read(tmp_path) -> None:
    # probe 78 row 11: both were ignored without a word (env_kwargs {})
    episodes = _episodes("Ant-v5", 300, healthy_z_range=(0.3, 0.9))
    kw = {"healthy_z_range": [0.3, 0.9]}
    a = _h5(tmp_path / "a.hdf5", episodes, env_id="Ant-v5", env_kwargs=json.dumps(kw))
    assert load_dataset(a).env_kwargs == kw
    meta = json.dumps({"env_kwargs": kw, "author": "me"})
    b = _h5(tmp_path / "b.hdf5", episodes, env_id="Ant-v5", metadata_json=meta)
    data = load_dataset(b)
    assert data.env_kwargs == kw and data.metadata["author"] == "me"
    d = _h5(tmp_path / "d.hdf5", episodes, env_id="Ant-v5", gym_kwargs=json.dumps(kw))
    with pytest.raises(DatasetValidationError, match=r"'gym_kwargs' .*did you mean 'env_kwargs'"):
        load_dataset(d)
    c = _h5(tmp_path / "c.hdf5", episodes, env_id="Ant-v5", env_kwargs="[1]")
    with pytest.raises(DatasetValidationError, match=r"root attribute 'env_kwargs' .* not a JSON"):
        load_dataset(c)


def test_hdf5_root_attribute_time_limits_are_read(tmp_path, ant) -> None:
    """Session 56: root attributes ``env_max_episode_steps=40`` / ``max_episode_steps=40`` were
    ignored without a word (the registered 1000-step limit evaluated the data, and the warning on
    40-step episodes said the data "record no such limit"); only ``metadata_json`` held it. Now
    either is the data's time limit, checked as the npz's; disagreeing records are refused."""
    for key in ("env_max_episode_steps", "max_episode_steps"):
        path = _h5(tmp_path / f"{key}.hdf5", ant, env_id="Ant-v5", **{key: np.int64(40)})
        data = load_dataset(path)
        assert data.env_max_episode_steps == 40
        assert type(data.metadata["env_max_episode_steps"]) is int  # not numpy's: JSON-safe
    meta = json.dumps({"env_max_episode_steps": 40})
    same = _h5(
        tmp_path / "same.hdf5", ant, env_id="Ant-v5", metadata_json=meta, max_episode_steps=40
    )
    assert load_dataset(same).env_max_episode_steps == 40
    other = _h5(
        tmp_path / "other.hdf5", ant, env_id="Ant-v5", metadata_json=meta, max_episode_steps=50
    )
    with pytest.raises(DatasetValidationError, match=r"root attribute 'max_episode_steps' \(50\) "
                       r"and the time limit recorded beside it \(40\) disagree"):  # fmt: skip
        load_dataset(other)
    bad = _h5(tmp_path / "bad.hdf5", ant, env_id="Ant-v5", env_max_episode_steps=0)
    with pytest.raises(DatasetValidationError, match=r"'env_max_episode_steps'.*0 is not an int"):
        load_dataset(bad)


@pytest.mark.parametrize("key", ["kwargs", "gym_kwargs", "env_kwarg"])
def test_env_kwargs_under_another_name_are_named(tmp_path, ant, key) -> None:
    # probe 78 row 12: kept as free metadata, env_kwargs {} and no word
    path = _npz(tmp_path / "a.npz", ant, "Ant-v5", {key: {"healthy_z_range": [0.2, 1.2]}})
    with pytest.raises(DatasetValidationError, match=rf"'{key}' .*did you mean 'env_kwargs'"):
        load_dataset(path)


def test_d4rl_scores_of_data_of_non_default_kwargs_are_labelled_so(tmp_path, capsys) -> None:
    # probe 78 row 7: HalfCheetah ctrl_cost_weight=0.2 data were scored as "D4RL-normalised"
    episodes = _episodes("HalfCheetah-v5", 300, ctrl_cost_weight=0.2)
    meta = {"env_kwargs": {"ctrl_cost_weight": 0.2}}
    data = load_dataset(_npz(tmp_path / "hc.npz", episodes, "HalfCheetah-v5", meta))
    out = capsys.readouterr().out
    assert "has ctrl_cost_weight=0.2, so these scores are not comparable with D4RL's" in out
    label = score_label(data.env_id, data.ref_min_score, data.ref_max_score, data.env_kwargs)
    assert label.startswith("D4RL-normalised (env made with non-default kwargs: ctrl_cost_weight")
    # the default value recorded: D4RL's env
    assert score_label("HalfCheetah-v5", None, None, {"ctrl_cost_weight": 0.1}) == (
        "D4RL-normalised"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"healthy_z_range": np.array([0.3, 0.9])},
        {"healthy_z_range": (np.float32(0.5), np.float32(0.9))},
        {"terminate_when_unhealthy": np.bool_(True)},
    ],
)
def test_numpy_valued_kwargs_are_written_as_json(tmp_path, kwargs) -> None:
    # probe 78 row 26: to_npz wrote them with default=str ('[0.3 0.9]', 'True') and the reload
    # failed raw
    episodes = _episodes("Ant-v5", 300, healthy_z_range=(0.3, 0.9))
    arrays = np.load(_npz(tmp_path / "src.npz", episodes, "Ant-v5"))
    data = OfflineDataset.from_arrays(
        {k: arrays[k] for k in arrays.files if k != "env_id"},
        env_id="Ant-v5",
        metadata={"env_kwargs": kwargs},
    )
    data.to_npz(tmp_path / "out.npz")
    back = load_dataset(tmp_path / "out.npz")
    key = next(iter(kwargs))
    assert back.env_kwargs[key] == np.asarray(kwargs[key]).tolist()


def test_kwargs_that_json_cannot_hold_are_refused_by_to_npz(tmp_path, ant) -> None:
    arrays = np.load(_npz(tmp_path / "src.npz", ant, "Ant-v5"))
    data = OfflineDataset.from_arrays(
        {k: arrays[k] for k in arrays.files if k != "env_id"},
        env_id="Ant-v5",
        metadata={"env_kwargs": {"reset_noise_scale": Decimal("0.1")}},  # gym.make takes it
    )
    with pytest.raises(DatasetValidationError, match=r"not written: metadata\['env_kwargs'\]"):
        data.to_npz(tmp_path / "out.npz")
    assert not (tmp_path / "out.npz").exists()


def test_kwargs_of_data_that_name_no_env_are_said_ignored(tmp_path, ant, capsys) -> None:
    # probe 78 row 35: was "records its env as gym.make(None, frame_skip=2): the checks and the
    # evaluation env are made so"
    path = tmp_path / "a.npz"
    _npz(path, ant, "Ant-v5", {"env_kwargs": {"frame_skip": 2}})
    stored = dict(np.load(path))
    stored.pop("env_id")
    np.savez(path, **stored)
    data = load_dataset(path)
    out = capsys.readouterr().out
    assert "gym.make(None" not in out
    assert "records env kwargs ({'frame_skip': 2}) but names no env, so they are ignored" in out
    assert data.env_kwargs == {}
