"""Probe 96b: the scripts' start under the declared floors.

Rows 14, 15: under SB3 2.7 (whose logger imports ``matplotlib.figure`` at ``import agents``) a
bad ``MPLBACKEND`` was matplotlib's raw ValueError, status 1, before the scripts' own check.
Rows 10, 11: a library below its floor was requirements.py's clear ImportError as the last line of
a 7-line traceback, status 1, not the scripts' one ``error:`` line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rambo_env.requirements import install_spec
from tests.scripts import REPO, python_path

#: A sitecustomize that makes ``import stable_baselines3`` import ``matplotlib.figure`` first,
#: as SB3 2.7's logger does.
_SB3_27 = """
import builtins
_real = builtins.__import__
def _import(name, *args, **kwargs):
    if name == "stable_baselines3" or name.startswith("stable_baselines3."):
        import matplotlib.figure  # noqa: F401
    return _real(name, *args, **kwargs)
builtins.__import__ = _import
"""

#: A sitecustomize reporting one distribution below its floor to importlib.metadata.
_BELOW = """
from importlib import metadata
_real = metadata.version
def _version(dist):
    return {below!r} if dist == {dist!r} else _real(dist)
metadata.version = _version
"""


def _run(tmp_path: Path, site: str, script: str, **env: str) -> subprocess.CompletedProcess:
    (tmp_path / "site").mkdir(exist_ok=True)
    (tmp_path / "site" / "sitecustomize.py").write_text(site)
    path = os.pathsep.join([str(tmp_path / "site"), python_path()])
    full = {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1", **env}
    full.pop("RAMBO_ENV_TRACEBACK", None)
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / script), "--help"],
        env=full, cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize("script", ["cotrain.py", "toys.py", "sweep.py", "diagnose.py"])
def test_a_bad_mplbackend_is_named_before_sb3_imports_matplotlib(tmp_path, script):
    # probe 96b rows 14, 15: was matplotlib's "ValueError: Key backend: 'banana' …", rc 1
    done = _run(tmp_path, _SB3_27, script, MPLBACKEND="banana")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: MPLBACKEND: 'banana' is not a matplotlib backend"), (
        done.stderr
    )
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("dist", "below", "floor", "script"),
    [
        ("gymnasium", "1.0.0", "1.1", "ledger.py"),
        ("stable-baselines3", "2.6.0", "2.7", "cotrain.py"),
    ],
)
def test_a_library_below_its_floor_is_one_error_line_from_a_script(
    tmp_path, dist, below, floor, script
):
    # probe 96b rows 10, 11: was a 7-line traceback ending in this ImportError, rc 1
    done = _run(tmp_path, _BELOW.format(dist=dist, below=below), script)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[0] == (
        f"error: rambo-env needs {dist}>={floor}, but {dist} {below} is installed; upgrade it: "
        f"pip install -U '{install_spec(dist)}'"  # probe 109: gymnasium[mujoco]>=1.1,<2
    ), done.stderr
    assert "Traceback" not in done.stderr


def test_a_library_below_its_floor_still_raises_importerror_outside_the_scripts(tmp_path):
    """A library user (``import rambo_env`` from python -c) keeps the ImportError."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(
        _BELOW.format(dist="gymnasium", below="1.0.0")
    )
    path = os.pathsep.join([str(tmp_path / "site"), python_path()])
    done = subprocess.run(
        [sys.executable, "-c", "import rambo_env"], env={**os.environ, "PYTHONPATH": path},
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1 and done.stderr.rstrip().endswith(
        "ImportError: rambo-env needs gymnasium>=1.1, but gymnasium 1.0.0 is installed; upgrade "
        "it: pip install -U 'gymnasium[mujoco]>=1.1,<2'"  # probe 109: the declared spec
    ), done.stderr
