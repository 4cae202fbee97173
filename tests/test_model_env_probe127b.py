"""Probe 127 (N1): the note of a model id built by gym.make was said once per process, so SB3's
``make_vec_env(..., vec_env_cls=SubprocVecEnv)`` printed it once per worker (the rl-zoo's
``--vec-env subproc``, ``n_envs`` 8: 8 copies). It is now said once per process tree: by rank 0's
worker, and not again in a child of a process that said it (an inherited variable); a process
started afresh still says it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import SubprocVecEnv

import rambo_env  # noqa: F401  (registers the ids)
from rambo_env.envs import model_env
from tests.envs.tiny_mdp import make_tiny_mdp

ID = "RamboModel-hopper-medium"


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


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


def test_a_child_of_a_process_that_said_it_stays_quiet(monkeypatch, capsys):
    key = ("returns", ID)
    assert not model_env._said_in_tree(key)  # a fresh process: no variable
    model_env.note_made_by_gym(SimpleNamespace(id=ID), 5, SimpleNamespace(env_id=None), "gym.make")
    assert "steps the learned model" in capsys.readouterr().out
    pid, _, said = os.environ[model_env.SAID_VARIABLE].partition(" ")
    assert int(pid) == os.getpid() and ["returns", ID] in json.loads(said)
    # what a child process sees: the variable of a live parent (here: our own parent)
    monkeypatch.setattr(model_env, "_SAID_MADE", set())
    monkeypatch.setenv(model_env.SAID_VARIABLE, f"{os.getppid()} {json.dumps([list(key)])}")
    assert model_env._said_in_tree(key)
    assert not model_env._said_in_tree(("returns", "another-id"))
    # a left-over variable of a process no longer running is not honoured
    monkeypatch.setenv(model_env.SAID_VARIABLE, f"{_dead_pid()} {json.dumps([list(key)])}")
    assert not model_env._said_in_tree(key)
