"""Probe 149 row 1: the declared ``torch>=2.2`` was false (``rambo_env.adversary`` imports
``torch.nn.utils.get_total_norm``, new in torch 2.6): a torch below 2.6 is now one error naming
the installed version and the floor, and pyproject's floor is the one checked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from rambo_env import requirements
from tests.scripts import python_path

REPO = Path(__file__).parents[1]


def test_pyprojects_torch_floor_is_the_checked_one_and_is_2_6():
    tomllib = pytest.importorskip("tomllib")
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    (torch_dep,) = [d for d in deps if re.match(r"torch\b", d)]
    declared = re.fullmatch(r"torch>=([0-9.]+)", torch_dep).group(1)
    assert declared == requirements.FLOORS["torch"] == requirements.DEPENDENCIES["torch"][1]
    assert requirements.version_tuple(declared) >= (2, 6)  # get_total_norm
    readme = (REPO / "README.md").read_text()
    assert f"its declared floor, {declared}," in readme


def test_a_torch_below_the_floor_is_one_error_naming_both_versions(monkeypatch):
    monkeypatch.setattr(torch, "__version__", "2.5.1")
    with pytest.raises(ImportError) as info:
        requirements.check_installed("torch")
    said = str(info.value)
    assert said.startswith(
        "rambo-env needs torch>=2.6 (torch.nn.utils.get_total_norm is new in torch 2.6), but "
        "torch 2.5.1 is installed; upgrade it: pip install torch==2.13.0"
    ), said
    monkeypatch.setattr(torch, "__version__", "2.6.0+cu124")
    requirements.check_installed("torch")  # the floor itself passes


def _child(code: str) -> subprocess.CompletedProcess:
    """``code`` run by a fresh interpreter with this checkout importable."""
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": python_path(), "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_rambo_env_names_a_too_old_torch_before_the_adversary_import():
    code = (
        "import torch, torch.nn.utils as u\n"
        "torch.__version__ = '2.5.1'\n"
        "del u.get_total_norm\n"
        "import rambo_env\n"
    )
    done = _child(code)
    assert done.returncode == 1
    assert "ImportError: rambo-env needs torch>=2.6" in done.stderr, done.stderr[-800:]
    assert "torch 2.5.1 is installed" in done.stderr


def test_the_adversary_import_names_a_too_old_torch_not_get_total_norm():
    """Where the torch in use changed after ``import rambo_env`` checked it (the backstop)."""
    code = (
        "import rambo_env, torch, torch.nn.utils as u\n"
        "torch.__version__ = '2.5.1'\n"
        "del u.get_total_norm\n"
        "import rambo_env.adversary\n"
    )
    done = _child(code)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: rambo-env needs torch>=2.6"), done.stderr[-800:]
    assert "torch 2.5.1 is installed" in last
