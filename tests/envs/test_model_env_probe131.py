"""Probe 131 R5: SB3's ``make_vec_env("RamboModel-…", vec_env_cls=SubprocVecEnv)`` without
``render_mode`` in ``env_kwargs`` failed in each worker on the ``render_mode="rgb_array"`` SB3
passes by itself, and the caller saw only ``ConnectionResetError: [Errno 104]``. SB3's own default
is now taken as None (the envs render nothing); a ``render_mode`` the user gives is still refused."""

from __future__ import annotations

import sys

import pytest
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import SubprocVecEnv

import rambo_env  # noqa: F401  (registers the ids)
from rambo_env.envs.toys import ILLUSTRATIVE_ID
from tests.envs.tiny_mdp import make_tiny_mdp

ID = "RamboModel-hopper-medium"


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_subproc_make_vec_env_without_render_mode_works():
    mdp = make_tiny_mdp()
    venv = make_vec_env(
        ID,
        n_envs=2,
        env_kwargs={"mdp": mdp, "rollout_length": 2},
        vec_env_cls=SubprocVecEnv,
        vec_env_kwargs={"start_method": "fork"},
    )
    try:
        assert venv.reset().shape == (2, mdp.obs_dim)
    finally:
        venv.close()


def test_only_sb3s_own_default_is_taken_as_none():
    venv = make_vec_env(ILLUSTRATIVE_ID, n_envs=2)
    assert venv.reset().shape == (2, 1)
    venv.close()
    from rambo_env.envs.registration import sb3_default_render_mode

    assert not sb3_default_render_mode("rgb_array")  # outside make_vec_env: the user's
    with pytest.raises(ValueError, match="render_mode: 'rgb_array'"):
        make_vec_env(ILLUSTRATIVE_ID, n_envs=1, env_kwargs={"render_mode": "rgb_array"})
    with pytest.raises(ValueError, match="render_mode: 'human'"):
        make_vec_env(ILLUSTRATIVE_ID, n_envs=1, env_kwargs={"render_mode": "human"})
