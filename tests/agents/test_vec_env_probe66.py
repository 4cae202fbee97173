"""Probe 66 rows 85-86: RamboModelVecEnv.load_rollout_state checks the state before taking it."""

from __future__ import annotations

import numpy as np
import pytest

from agents.vec_env import RamboModelVecEnv
from tests.envs.tiny_mdp import make_tiny_mdp


def test_load_rollout_state_refuses_another_row_count_and_a_foreign_dict():
    mdp = make_tiny_mdp()
    env = RamboModelVecEnv(mdp, 4, rollout_length=2, seed=0)
    env.reset()
    other = RamboModelVecEnv(mdp, 2, rollout_length=2, seed=0)
    other.reset()
    before = env.rollout_state()
    # probe 66 row 85: was taken, then no action shape could step the env until reset()
    with pytest.raises(
        ValueError,
        match=r"^state\['env_n_steps'\]: expected a tensor of shape \(4,\) \(this env has 4 rows\), got \(2,\)",
    ):
        env.load_rollout_state(other.rollout_state())
    # probe 66 row 86: was a raw KeyError: 'env_rng'
    with pytest.raises(
        ValueError,
        match=r"^state: not a rollout_state\(\) dict \(a dict missing env_rng, env_obs, env_n_steps\)",
    ):
        env.load_rollout_state({})
    assert env.rollout_state()["env_rng"] == before["env_rng"]  # nothing taken
    env.load_rollout_state({**before, "last_obs": None})  # cotrain's extra keys are fine
    env.step_async(np.zeros((4, env.action_space.shape[0]), np.float32))
    assert env.step_wait()[0].shape[0] == 4
