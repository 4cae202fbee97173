"""Probe 110 row 13: ``cotrain.py --env-id mymodule:MyEnv-v0`` run from the folder holding
``mymodule.py`` failed with "install the package that registers the env, or fix the module name":
Python puts a script's folder on ``sys.path``, not the working folder. The error now says so
(``PYTHONPATH=.``), without adding the working folder to ``sys.path`` itself."""

from __future__ import annotations

import sys

import pytest

from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.loaders import load_dataset
from tests.test_evaluation_probe110 import collect

REGISTERS = (
    "import gymnasium as gym\n"
    "gym.register('P110tCwd-v0', entry_point='gymnasium.envs.classic_control:PendulumEnv',"
    " max_episode_steps=200)\n"
)


@pytest.fixture
def script_path(tmp_path, monkeypatch):
    """``tmp_path`` as the working folder, not on ``sys.path`` (as for ``python script.py``)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(tmp_path))])
    return tmp_path


def _error(env_id: str) -> str:
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(collect("Pendulum-v1", 50), env_id=env_id)
    return str(err.value)


def test_module_in_the_working_folder_told_pythonpath(script_path) -> None:
    (script_path / "p110t_cwd_envs.py").write_text(REGISTERS)
    msg = _error("p110t_cwd_envs:P110tCwd-v0")
    assert "'p110t_cwd_envs' is in the working folder" in msg
    assert "PYTHONPATH=." in msg
    assert "fix the module name" not in msg
    assert str(script_path) not in sys.path and "p110t_cwd_envs" not in sys.modules  # not added


def test_module_nowhere_told_pythonpath_or_install(script_path) -> None:
    msg = _error("p110t_nowhere:P110tCwd-v0")
    assert "put the folder holding the module on PYTHONPATH" in msg
    assert "fix the module name" in msg


def test_missing_dependency_and_module_error_named(script_path) -> None:
    sys.path.insert(0, str(script_path))  # importable: its own imports fail
    (script_path / "p110t_needs_dep.py").write_text("import p110t_no_such_dep\n")
    (script_path / "p110t_raises.py").write_text("raise RuntimeError('boom')\n")
    msg = _error("p110t_needs_dep:P110tCwd-v0")
    assert "install 'p110t_no_such_dep', which it imports" in msg  # was: "fix the module name"
    msg = _error("p110t_raises:P110tCwd-v0")
    assert "(RuntimeError: boom); fix the error in that module" in msg
