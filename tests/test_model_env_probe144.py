"""Probe 144 row 10: in a PID namespace without its own ``/proc`` (``unshare --pid --fork``, the
host's ``/proc`` left mounted), a forkserver SubprocVecEnv's workers read another namespace's
pids there, did not find the forkserver's parent, and the note the caller's process claimed was
said by a worker too. The worker's caller is now the pid multiprocessing hands it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.scripts import REPO, python_path

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux abstract sockets")

TREE = """
import sys, gymnasium as gym, numpy as np
from stable_baselines3.common.vec_env import SubprocVecEnv
from rambo_env.envs import model_env
KEY = ("returns", "probe144-tree")

class E(gym.Env):
    observation_space = gym.spaces.Box(-1, 1, (1,))
    action_space = gym.spaces.Box(-1, 1, (1,))
    def __init__(self):
        if not model_env._said_in_tree(KEY):
            model_env._SAID_MADE.add(KEY)
            print("SAYS", flush=True)
    def reset(self, seed=None, options=None):
        return np.zeros(1, np.float32), {}
    def step(self, a):
        return np.zeros(1, np.float32), 0.0, False, False, {}

if __name__ == "__main__":
    E()  # the eval env in the caller's process, then the workers
    SubprocVecEnv([E, E], start_method="forkserver").close()
"""


def test_a_forkserver_worker_in_a_pid_namespace_without_its_proc_stays_quiet(tmp_path):
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    if subprocess.run(["unshare", "--pid", "--fork", "true"]).returncode != 0:
        pytest.skip("unshare --pid is not allowed here")
    (tmp_path / "tree.py").write_text(TREE)
    env = {**os.environ, "PYTHONPATH": python_path(), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        ["unshare", "--pid", "--fork", sys.executable, str(tmp_path / "tree.py")],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["SAYS"], done.stdout + done.stderr  # was: said twice
