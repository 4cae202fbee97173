"""Probe 110 rows 32, 33: the model's action space built from a float64 / float16 env's bounds
left the cast to gymnasium: its raw "Box low's precision lowered by casting to float32" warning
(float64) and numpy's "overflow encountered in cast" (float16) reached the user."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from rambo_env.data.dataset import OfflineDataset
from rambo_env.model import _float32_box, dataset_action_space


class Drift(gym.Env):
    def __init__(self, dtype=np.float32) -> None:
        self.observation_space = spaces.Box(-np.inf, np.inf, (3,), dtype)
        self.action_space = spaces.Box(-2.0, 0.5, (2,), dtype)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros(3, self.observation_space.dtype), {}

    def step(self, a):
        return np.zeros(3, self.observation_space.dtype), 0.0, False, False, {}


for _name, _dtype in (("P110tF64-v0", np.float64), ("P110tF16-v0", np.float16)):
    if _name not in gym.registry:
        gym.register(_name, entry_point=Drift, kwargs={"dtype": _dtype}, max_episode_steps=20)


@pytest.mark.parametrize("env_id", ("P110tF64-v0", "P110tF16-v0"))
def test_action_space_of_float64_float16_bounds_without_warnings(env_id) -> None:
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(40, 3)).astype(np.float32)
    dataset = OfflineDataset.from_arrays(
        {
            "observations": obs,
            "actions": rng.uniform(-2.0, 0.5, (40, 2)).astype(np.float32),
            "rewards": np.zeros(40, np.float32),
            "next_observations": obs + 0.1,
            "terminals": np.zeros(40, bool),
            "timeouts": np.r_[np.zeros(39, bool), True],
        },
        env_id=env_id,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        space = dataset_action_space(dataset)
    assert [str(w.message) for w in caught] == []
    assert space.dtype == np.float32
    assert space.low.tolist() == [-2.0, -2.0] and space.high.tolist() == [0.5, 0.5]


def test_bounds_beyond_float32_kept_finite_and_inf_kept() -> None:
    space = spaces.Box(
        np.array([-1e39, -np.inf, 0.1]), np.array([1e39, np.inf, 0.2]), (3,), np.float64
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        box = _float32_box(space)
    big = np.finfo(np.float32).max
    assert box.low.tolist() == [-big, -np.inf, np.float32(0.1)]
    assert box.high.tolist() == [big, np.inf, np.float32(0.2)]
