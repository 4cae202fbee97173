"""Probe 91 row 18: an id of ours registered by the caller before ``import rambo_env``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_id_taken_before_the_import_is_said_once():
    # probe 91 row 18: was skipped without a word; gym.make then built the caller's class
    out = _run(
        """
        import gymnasium as gym
        class Mine(gym.Env):
            pass
        gym.register("RamboModel-hopper-medium", entry_point=Mine)
        import rambo_env
        rambo_env.register_envs()
        print("spec", gym.spec("RamboModel-hopper-medium").entry_point is Mine)
        """
    )
    said = [line for line in out.splitlines() if "WARNING" in line]
    assert said == [
        "[rambo_env] WARNING: the Gymnasium id RamboModel-hopper-medium was already registered "
        "(entry point Mine), so rambo_env did not register its own: "
        "gym.make('RamboModel-hopper-medium') builds that one; register yours under another id, "
        "or build rambo_env.RamboModelEnv(dataset=…) directly"
    ]
    assert "spec True" in out


def test_a_reload_of_rambo_env_stays_quiet():
    out = _run(
        """
        import importlib
        import rambo_env
        importlib.reload(rambo_env)
        rambo_env.register_envs()
        print("ok")
        """
    )
    assert "WARNING" not in out and "ok" in out
