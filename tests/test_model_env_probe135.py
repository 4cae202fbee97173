"""Probe 135: ``make_vec_env(..., vec_env_cls=SubprocVecEnv, start_index=1)`` (ranks 1..n) said
neither the model-returns note nor the long-k WARNING: only rank 0 spoke. The first rank (or,
without make_vec_env's frame in the worker, the first worker to claim the note) speaks now."""

from __future__ import annotations

import sys

import pytest
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import SubprocVecEnv

import rambo_env  # noqa: F401  (registers the ids)
from tests.envs.tiny_mdp import make_tiny_mdp

ID = "RamboModel-hopper-medium"


@pytest.mark.skipif(sys.platform != "linux", reason="fork / forkserver start methods")
@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_start_index_one_says_the_notes_once(capfd, method):
    mdp = make_tiny_mdp()
    capfd.readouterr()
    venv = make_vec_env(
        ID,
        n_envs=3,
        start_index=1,
        env_kwargs={"mdp": mdp, "render_mode": None, "rollout_length": 200},
        vec_env_cls=SubprocVecEnv,
        vec_env_kwargs={"start_method": method},
    )
    venv.close()
    captured = capfd.readouterr()
    said = captured.out + captured.err
    assert said.count("steps the learned model") == 1, said
    assert said.count("k = 200") == 1, said
