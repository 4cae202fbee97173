"""Probe 139 row 3: the model-returns note (and the long-k WARNING) was said twice when the caller's
own process and an SB3 ``SubprocVecEnv`` both made the env (an eval env in the main process,
training envs in workers), in either order and under any start method but main-first fork: the
workers claimed the note among themselves, the caller's process never took part."""

from __future__ import annotations

import sys

import pytest

from tests.scripts import run_python_file

ID = "RamboModel-hopper-medium"

SCRIPT = """
import gymnasium as gym
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import SubprocVecEnv
import rambo_env
from tests.envs.tiny_mdp import make_tiny_mdp

if __name__ == "__main__":
    mdp = make_tiny_mdp()
    def main_env():
        env = gym.make("{id}", mdp=mdp, rollout_length=200, render_mode=None)
        env.reset(seed=0)
        return env
    env = main_env() if "{order}" == "main-first" else None
    venv = make_vec_env(
        "{id}", n_envs=2, env_kwargs={{"mdp": mdp, "render_mode": None, "rollout_length": 200}},
        vec_env_cls=SubprocVecEnv, vec_env_kwargs={{"start_method": "{method}"}},
    )
    venv.reset()
    if env is None:
        env = main_env()
    venv.close()
"""


@pytest.mark.skipif(sys.platform != "linux", reason="fork / forkserver start methods")
@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
@pytest.mark.parametrize("order", ["main-first", "workers-first"])
def test_main_process_and_workers_say_the_notes_once(tmp_path, method, order):
    script = tmp_path / "both.py"
    script.write_text(SCRIPT.format(id=ID, method=method, order=order))
    done = run_python_file(script, timeout=240)
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert said.count("steps the learned model") == 1, said
    assert said.count("k = 200") == 1, said
