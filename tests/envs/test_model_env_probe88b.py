"""Probe 88 row 55: a closed vector env's ClosedEnvironmentError advised the single env's
constructors (``gym.make / RamboModelEnv(…)``)."""

from __future__ import annotations

import re

import gymnasium as gym
import numpy as np
import pytest

from rambo_env.envs.model_env import RamboModelEnv
from rambo_env.envs.vector_env import RamboModelVectorEnv


def test_a_closed_env_names_its_own_kind_of_constructor(tiny_mdp):
    from agents.vec_env import RamboModelVecEnv

    # probe 88 row 55: was "make a new one (gym.make / RamboModelEnv(…))" for all three
    for env, make, action in (
        (RamboModelEnv(mdp=tiny_mdp), "gym.make / RamboModelEnv(…)", np.zeros(3, np.float32)),
        (RamboModelVectorEnv(mdp=tiny_mdp, num_envs=2), "gym.make_vec / RamboModelVectorEnv(…)",
         np.zeros((2, 3), np.float32)),
        (RamboModelVecEnv(tiny_mdp, 2), "RamboModelVecEnv(…)", np.zeros((2, 3), np.float32)),
    ):  # fmt: skip
        env.reset()
        env.close()
        with pytest.raises(gym.error.ClosedEnvironmentError) as info:
            env.step(action)
        assert str(info.value).endswith(f"make a new one ({make})"), info.value
        with pytest.raises(gym.error.ClosedEnvironmentError, match=re.escape(f"({make})")):
            env.reset()
