"""Probe 109 rows 1-2: a missing declared dependency is named in one error with all the others
missing, and the printed ``pip install`` is the requirement pyproject.toml declares."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from rambo_env import requirements
from tests.test_requirements_probe107 import _run

ROOT = Path(__file__).parents[1]


def _missing(monkeypatch, *modules):
    real = requirements._importable
    monkeypatch.setattr(requirements, "_importable", lambda m: m not in modules and real(m))


def test_the_error_at_import_names_every_missing_dependency_sb3_s_included(monkeypatch):
    # probe 109 row 1: `import rambo_env` named h5py only; after installing it, `import agents`
    # was a second error naming stable-baselines3, sb3-contrib, tensorboard
    _missing(monkeypatch, "h5py", "stable_baselines3", "sb3_contrib", "tensorboard")
    with pytest.raises(requirements.MissingDependencyError) as err:
        requirements.check_dependencies("torch", "numpy", "h5py")  # rambo_env's own few
    text = str(err.value)
    assert text.startswith(
        "rambo-env needs stable-baselines3, sb3-contrib, h5py, tensorboard (declared dependencies)"
    ), text
    assert "pip install 'stable-baselines3>=2.7' 'sb3-contrib>=2.7' 'h5py>=3.8' " in text
    requirements.check_dependencies("torch", "numpy")  # none of these missing: no error


def test_missing_mujoco_is_named_with_the_gymnasium_extra_that_installs_it(monkeypatch):
    # probe 109 row 2: mujoco was not checked (gymnasium's DependencyNotInstalled at the first
    # env) and the advice was pip install 'gymnasium>=1.1' (no [mujoco], no <2)
    _missing(monkeypatch, "mujoco")
    with pytest.raises(requirements.MissingDependencyError) as err:
        requirements.check_dependencies("mujoco")
    assert "rambo-env needs mujoco (from gymnasium[mujoco]) (declared dependency)" in str(err.value)
    assert "install it: pip install 'gymnasium[mujoco]>=1.1,<2' (or" in str(err.value)
    _missing(monkeypatch, "mujoco", "gymnasium")  # one requirement for both
    with pytest.raises(requirements.MissingDependencyError) as err:
        requirements.check_dependencies("gymnasium")
    assert str(err.value).count("'gymnasium[mujoco]>=1.1,<2'") == 1, str(err.value)


def test_import_rambo_env_checks_mujoco_and_names_sb3_too(tmp_path):
    done = _run(tmp_path, "\nimport rambo_env\n", missing=["mujoco", "tensorboard"])
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert "rambo-env needs mujoco (from gymnasium[mujoco]), tensorboard (declared " in last, last
    assert "pip install 'gymnasium[mujoco]>=1.1,<2' 'tensorboard>=2.12'" in last


def test_a_script_names_every_missing_dependency_in_its_one_error_line(tmp_path):
    # probe 109 row 1: cotrain.py --help named the 8 rambo_env checks; SB3's came on a rerun
    script = str(ROOT / "scripts" / "cotrain.py")
    done = _run(tmp_path, script, "--help", missing=["h5py", "stable_baselines3"])
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(
        "error: rambo-env needs stable-baselines3, h5py (declared dependencies)"
    ), done.stderr


def test_the_printed_requirements_are_the_ones_pyproject_declares():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for dep in deps:
        dist = re.match(r"[A-Za-z0-9_.-]+", dep).group(0)
        assert requirements.install_spec(dist) == dep.replace(" ", "")


def test_the_upgrade_advice_keeps_the_extra_and_upper_bound(monkeypatch):
    real = metadata.version
    monkeypatch.setattr(
        requirements.metadata, "version", lambda d: "1.0.0" if d == "gymnasium" else real(d)
    )
    with pytest.raises(ImportError, match=re.escape("pip install -U 'gymnasium[mujoco]>=1.1,<2'")):
        requirements.check_installed("gymnasium")
