"""Probes 135 / 136 S1: the model-returns note (and the long-k WARNING) of ``gym.make("RamboModel-…")``
was said once per ``make_vec_env(..., vec_env_cls=SubprocVecEnv)`` call, and once per worker of a
hand-built ``SubprocVecEnv([lambda: gym.make(...)] * n)``. Every SubprocVecEnv worker of one process
now claims the note, and only the first claimant says it."""

from __future__ import annotations

import sys

import gymnasium as gym
import pytest
from stable_baselines3.common.vec_env import SubprocVecEnv

import rambo_env  # noqa: F401  (registers the ids)
from tests.envs.tiny_mdp import make_tiny_mdp
from tests.scripts import run_python_file

ID = "RamboModel-hopper-medium"
linux = pytest.mark.skipif(sys.platform != "linux", reason="fork / forkserver start methods")


def _said(capfd) -> str:
    captured = capfd.readouterr()
    return captured.out + captured.err


SCRIPT = """
import sys
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import SubprocVecEnv
import rambo_env
from tests.envs.tiny_mdp import make_tiny_mdp

if __name__ == "__main__":
    kwargs = {{"mdp": make_tiny_mdp(), "render_mode": None, "rollout_length": 200}}
    venvs = [
        make_vec_env(
            "{id}", n_envs=2, start_index=start, env_kwargs=kwargs,
            vec_env_cls=SubprocVecEnv, vec_env_kwargs={{"start_method": "{method}"}},
        )
        for start in (0, 1)
    ]
    for venv in venvs:
        venv.close()
"""


@linux
@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_two_make_vec_env_calls_say_the_notes_once(tmp_path, method):
    # in a process of its own: a forkserver's workers write to the streams the forkserver had
    # when it started (an earlier test's captured ones, in this pytest process)
    script = tmp_path / "two_calls.py"
    script.write_text(SCRIPT.format(id=ID, method=method))
    done = run_python_file(script, timeout=240)
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert said.count("steps the learned model") == 1, said
    assert said.count("k = 200") == 1, said


@linux
def test_hand_built_subproc_vec_env_says_the_note_once(capfd):
    mdp = make_tiny_mdp()
    capfd.readouterr()
    venv = SubprocVecEnv(
        [lambda: gym.make(ID, mdp=mdp, rollout_length=2) for _ in range(3)], start_method="fork"
    )
    assert venv.reset().shape == (3, mdp.obs_dim)
    venv.close()
    said = _said(capfd)
    assert said.count("steps the learned model") == 1, said
