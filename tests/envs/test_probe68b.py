"""Probe 68b: promises of the public API's docstrings (rows of raw errors and silent results)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from rambo_env.evaluation import evaluate_policy
from rambo_env.ledger import standing
from rambo_env.normalization import ObsNormalizer
from rambo_env.presets import RamboPreset


def test_transition_names_an_action_of_another_width(tiny_mdp):
    """``mdp.transition(s, torch.zeros(3, 2), rng)`` on 3 action dims was torch's raw "The size of
    tensor a (2) must match the size of tensor b (3)" (a wrong row count was already named)."""
    obs = tiny_mdp.initial(3, np.random.default_rng(0))
    rng = np.random.default_rng(0)
    with pytest.raises(
        ValueError, match=r"^action: expected shape \[B, 3\] \(action_dim 3\), got \(3, 2\)"
    ):
        tiny_mdp.transition(obs, torch.zeros(3, 2), rng)
    next_obs, reward, _ = tiny_mdp.transition(obs, torch.zeros(3, 3), rng)
    assert next_obs.shape == (3, obs.shape[1]) and reward.shape == (3,)


def test_evaluate_policy_names_a_factory_that_needs_arguments():
    """``env=gym.make`` was Python's bare "make() missing 1 required positional argument: 'id'"."""
    normalizer = ObsNormalizer(mean=np.zeros(11), std=np.ones(11))
    act = lambda obs: np.zeros((len(obs), 3), np.float32)  # noqa: E731
    with pytest.raises(ValueError, match=r"^env: make\(.*needs arguments; pass a zero-argument"):
        evaluate_policy(act, gym.make, normalizer, n_episodes=1)
    result = evaluate_policy(act, lambda: gym.make("Hopper-v5"), normalizer, n_episodes=1)
    assert np.isfinite(result.mean_return)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"iteration": "2"}, r"^iteration: expected an int >= 0, got '2'"),
        ({"iteration": -1}, r"^iteration: expected an int >= 0, got -1"),
        ({"iteration": 2.5}, r"^iteration: expected an int >= 0, got 2.5"),
        ({"iteration": True}, r"^iteration: expected an int >= 0, got True"),
        ({"algo": "SAC"}, r"^algo: unknown agent 'SAC'.*; the ledger's runs are of \['sac'"),
    ],
)
def test_ledger_standing_names_a_bad_iteration_or_agent(tmp_path, kwargs, match):
    """``'2'`` was a raw TypeError; -1 / 2.5 / True gave a standing; ``'SAC'`` returned None, as
    if the ledger held no such run."""
    args = {"iteration": 2, "algo": "sac", **kwargs}
    with pytest.raises(ValueError, match=match):
        standing("hopper-medium", args["algo"], RamboPreset(5, 3e-4), args["iteration"], tmp_path)
    assert standing("hopper-medium", "sac", RamboPreset(5, 3e-4), 2, tmp_path) is None
