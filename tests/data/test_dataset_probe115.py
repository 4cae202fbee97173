"""Probe 115: Minari data recorded through ``ClipAction`` (actions beyond the env's bounds, which
ClipAction clipped before the env stepped) were told to register the env inside ClipAction,
whose gymnasium-1.x action space is unbounded and then refused. Now the advice is to clip the
recorded actions to the env's bounds, which is what the env ran on."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from rambo_env.data.dataset import DatasetValidationError, OfflineDataset
from rambo_env.data.loaders import load_dataset

minari = pytest.importorskip("minari")
from tests.data.test_minari_io_probe110 import _episodes  # noqa: E402
from tests.data.test_minari_io_probe114b import Drift  # noqa: E402, F401 (registers the env)


def test_clip_action_data_are_told_to_clip_the_actions() -> None:
    env = gym.wrappers.ClipAction(gym.make("P114bTDrift-v0"))
    dataset_id = "p115t/clipaction/random-v0"
    minari.create_dataset_from_buffers(
        dataset_id=dataset_id, buffer=_episodes(env, 200), env=env, algorithm_name="random"
    )
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(dataset_id)
    msg = str(err.value)
    assert "the data record their env inside ClipAction" in msg
    assert "clip the recorded ones to [-1, 1]" in msg and "register" not in msg
    # the advice: the clipped actions fit the env the data name
    data = minari.load_dataset(dataset_id)
    episodes = list(data.iterate_episodes())
    arrays = {
        "observations": np.concatenate([e.observations[:-1] for e in episodes]),
        "next_observations": np.concatenate([e.observations[1:] for e in episodes]),
        "actions": np.clip(np.concatenate([e.actions for e in episodes]), -1, 1),
        "rewards": np.concatenate([e.rewards for e in episodes]),
        "terminals": np.concatenate([e.terminations for e in episodes]),
    }
    ds = OfflineDataset.from_arrays(arrays, name="clipped", env_id="P114bTDrift-v0")
    ds.validate(env.unwrapped.observation_space, gym.make("P114bTDrift-v0").action_space)
