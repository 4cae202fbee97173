"""The shipped behaviour policies load without SB3 and act inside Hopper-v5's action space."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from rambo_env.policies import load_actor, shipped_policy_path


def test_shipped_hopper_medium_policy_acts_in_the_real_env():
    path = shipped_policy_path("hopper", "medium")
    if not path.is_file():
        pytest.fail(f"{path} is missing: the default dataset cannot be generated without it")
    actor = load_actor(path)
    env = gym.make("Hopper-v5")
    obs, _ = env.reset(seed=0)
    generator = torch.Generator().manual_seed(0)
    total = 0.0
    for _ in range(50):
        action = actor.act(obs[None], generator=generator)[0]
        assert action.shape == env.action_space.shape
        assert env.action_space.contains(action.astype(np.float32))
        obs, reward, terminated, truncated, _ = env.step(action)
        total += reward
        if terminated or truncated:
            break
    # A trained hopper policy keeps moving forward for 50 steps; a random one falls quickly.
    assert total > 50.0
    deterministic = actor.act(obs[None], deterministic=True)
    np.testing.assert_array_equal(deterministic, actor.act(obs[None], deterministic=True))
