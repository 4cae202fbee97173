"""Probe 130 R4: ``make_dataset.py`` under a ``MUJOCO_GL`` backend that cannot start here
(``osmesa`` without the OSMesa library) printed a raw ``glGetError`` traceback; its first
``gym.make`` (:func:`env_dims`) now says what the loader and cotrain say."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_env_dims_names_a_renderer_backend_that_cannot_start():
    code = (
        "from rambo_env.data.generate import env_dims\n"
        "try:\n    env_dims('hopper')\nexcept ValueError as err:\n    print('VALUE', err)\n"
        "else:\n    print('MADE')\n"
    )
    env = {**os.environ, "MUJOCO_GL": "osmesa", "PYTHONPATH": str(ROOT)}
    env.pop("PYOPENGL_PLATFORM", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    if "MADE" in out.stdout:
        pytest.skip("this machine has OSMesa: MUJOCO_GL=osmesa starts")
    assert "VALUE env: 'Hopper-v5' cannot be made here" in out.stdout, out.stdout + out.stderr
    assert "MUJOCO_GL=osmesa cannot start" in out.stdout
    assert "unset MUJOCO_GL" in out.stdout
