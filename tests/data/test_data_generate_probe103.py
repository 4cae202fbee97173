"""Probe 103 row 25: policy_act_fn takes a Gymnasium MuJoCo env's own float64 observations."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import torch

from rambo_env.data.generate import load_behaviour_policy, policy_act_fn

POLICY = Path(__file__).resolve().parents[2] / "rambo_env" / "policies" / "hopper_medium.pt"


def _act():
    actor = load_behaviour_policy(POLICY, "cpu", "Hopper-v5")
    return policy_act_fn(actor, torch.Generator().manual_seed(0))


def test_float64_observations_are_cast_to_the_actors_dtype():
    obs, _ = gym.make("Hopper-v5").reset(seed=0)
    assert obs.dtype == np.float64
    # probe 103 row 25: was torch's raw "mat1 and mat2 must have the same dtype"
    action = _act()(obs[None])
    assert action.shape == (1, 3) and action.dtype == np.float32
    assert np.array_equal(action, _act()(obs[None].astype(np.float32)))  # the same draw


def test_bad_observations_are_named():
    act = _act()
    with pytest.raises(TypeError, match=r"obs: expected a numeric array .* dtype <U1"):
        act(np.array([["a"] * 11]))
    with pytest.raises(
        ValueError, match=r"obs: expected a batch of shape \[n, 11\], got shape \(1, 5\)"
    ):
        act(np.zeros((1, 5)))
