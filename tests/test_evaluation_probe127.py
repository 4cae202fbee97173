"""Probe 127 (N3): ``evaluate_policy`` with an agent of another env (a Walker2d-v5 agent, obs
(17,), on Hopper-v5's (11,)) names that case first, with the envs of that obs dim (was: blamed on
frame stacking / wrapped observations only)."""

from __future__ import annotations

import gymnasium as gym
import pytest
from stable_baselines3 import SAC

from rambo_env.evaluation import evaluate_policy
from tests.envs.tiny_mdp import make_tiny_mdp

KW = {"policy_kwargs": {"net_arch": [8, 8]}, "learning_starts": 0, "verbose": 0, "seed": 0}


def test_an_agent_of_another_env_is_named_as_such():
    mdp = make_tiny_mdp()  # Hopper-v5's normaliser
    walker = SAC("MlpPolicy", gym.make("Walker2d-v5"), **KW)
    with pytest.raises(ValueError) as got:
        evaluate_policy(
            lambda o: walker.predict(o, deterministic=True)[0],
            "Hopper-v5",
            mdp.normalizer,
            n_episodes=1,
        )
    said = str(got.value)
    assert said.startswith(
        "act: its policy takes observations of shape (17,), but Hopper-v5's normalised "
        "observations have shape (11,): an agent of another env (obs dim 17: "
    ), said
    assert "Walker2d-v5's" in said and "HalfCheetah-v5's" in said and "Hopper-v5's?" not in said
    assert "or one trained on wrapped observations (stacked frames" in said
    assert "evaluate_policy(act, <its env id>, <its normalizer>)" in said
