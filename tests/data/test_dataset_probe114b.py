"""Probe 114 R3: an env's float64 action bounds beyond float32's range (``Box(-1e39, 1e39)``)
gave numpy's "overflow encountered in cast" twice from the data's bounds check. S1: integer Box
actions (``Box(0, 5, (2,), int64)``) loaded without a word and were treated as continuous."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from rambo_env import load_dataset
from rambo_env.data.dataset import DatasetValidationError


class Actions(gym.Env):
    def __init__(self, space: spaces.Box) -> None:
        self.observation_space = spaces.Box(-1e39, 1e39, (3,), np.float64)
        self.action_space = space

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros(3), {}

    def step(self, a):
        return np.zeros(3), 0.0, False, False, {}


SPACES = {
    "P114bHuge-v0": spaces.Box(-1e39, 1e39, (2,), np.float64),
    "P114bInt-v0": spaces.Box(0, 5, (2,), np.int64),
}
for _id, _space in SPACES.items():
    if _id not in gym.registry:
        gym.register(_id, entry_point=lambda s=_space: Actions(s), max_episode_steps=20)


def _rows(n: int = 60, high: float = 1.0) -> dict:
    rng = np.random.default_rng(0)
    obs = np.cumsum(rng.normal(size=(n + 1, 3)), 0).astype(np.float32)
    timeouts = np.zeros(n, bool)
    timeouts[19::20] = True
    return dict(observations=obs[:-1], actions=rng.uniform(0, high, (n, 2)).astype(np.float32),
                rewards=np.zeros(n, np.float32), next_observations=obs[1:],
                terminals=np.zeros(n, bool), timeouts=timeouts)  # fmt: skip


def test_bounds_beyond_float32_checked_without_numpy_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was: RuntimeWarning: overflow encountered in cast (x2)
        ds = load_dataset(_rows(), env_id="P114bHuge-v0")
    assert ds.action_dim == 2


def test_integer_box_actions_refused_naming_the_dtype() -> None:
    # was: loaded and treated as continuous actions
    with pytest.raises(DatasetValidationError, match=r"holds int64 \(integer\) actions: discrete"):
        load_dataset(_rows(high=5.0), env_id="P114bInt-v0")
