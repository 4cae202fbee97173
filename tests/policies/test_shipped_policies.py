"""The shipped behaviour policies load without SB3 and act inside their env's action space."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from rambo_env.policies import load_actor, shipped_policy_path

#: (env, Gymnasium id) of every shipped medium policy. A trained policy collects far more reward in
#: 50 steps than a random one (hopper falls, halfcheetah flails at about -0.3 per step).
SHIPPED = [("hopper", "Hopper-v5"), ("halfcheetah", "HalfCheetah-v5"), ("walker2d", "Walker2d-v5")]


@pytest.mark.parametrize(("env_name", "env_id"), SHIPPED)
def test_shipped_medium_policy_acts_in_the_real_env(env_name, env_id):
    path = shipped_policy_path(env_name, "medium")
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: the {env_name}-medium dataset cannot be generated without it"
        )
    actor = load_actor(path)
    env = gym.make(env_id)
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
    assert total > 50.0
    deterministic = actor.act(obs[None], deterministic=True)
    np.testing.assert_array_equal(deterministic, actor.act(obs[None], deterministic=True))
