"""Probe 127 (N1): the note of a model id built by gym.make was said once per process, so SB3's
``make_vec_env(..., vec_env_cls=SubprocVecEnv)`` printed it once per worker (the rl-zoo's
``--vec-env subproc``, ``n_envs`` 8: 8 copies). It is now said once for make_vec_env's workers: by
rank 0's worker."""

from __future__ import annotations

import sys

import pytest
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import SubprocVecEnv

import rambo_env  # noqa: F401  (registers the ids)
from tests.envs.tiny_mdp import make_tiny_mdp

ID = "RamboModel-hopper-medium"


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_subproc_workers_say_the_note_once(capfd):
    mdp = make_tiny_mdp()
    capfd.readouterr()
    venv = make_vec_env(
        ID,
        n_envs=3,
        env_kwargs={"mdp": mdp, "render_mode": None},
        vec_env_cls=SubprocVecEnv,
        vec_env_kwargs={"start_method": "fork"},
    )
    venv.close()
    out = capfd.readouterr().out
    assert out.count("steps the learned model") == 1, out
