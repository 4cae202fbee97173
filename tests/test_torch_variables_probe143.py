"""Probe 143 (findings 3, 4): ``run_io.TORCH_INT_VARIABLES`` missed a dozen variables torch's
compiler config reads with ``int()`` (``TORCHINDUCTOR_MULTI_KERNEL=abc`` was the raw
``invalid literal for int()``), and the library entry points (``make_mdp``, ``gym.make``,
``make_agent``) checked none of them."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import gymnasium as gym
import pytest

import rambo_env
from rambo_env import run_io
from tests.agents.test_factory_probe65 import _make, parts  # noqa: F401 (the fixture)


def _scanned_names() -> set[str]:
    folder = Path(importlib.util.find_spec("torch").submodule_search_locations[0])
    names = set()
    for name in ("_inductor/config.py", "_dynamo/config.py"):
        text = (folder / name).read_text()
        names |= set(re.findall(r'int\(\s*os\.(?:environ\.get|getenv)\(\s*"(\w+)"', text))
        names |= set(re.findall(r'int\(\s*os\.environ\[\s*"(\w+)"', text))
    return names


@pytest.fixture
def clean(monkeypatch):
    for name in _scanned_names() | set(run_io.TORCH_INT_VARIABLES) | {"TORCH_COMPILE_DEBUG"}:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_every_int_variable_of_the_installed_torch_is_checked(clean):
    checked = {name for name, _ in run_io.torch_int_variables()}
    assert set(run_io.TORCH_INT_VARIABLES) <= checked
    assert _scanned_names() <= checked
    for name in sorted(_scanned_names() | {"TORCHINDUCTOR_MULTI_KERNEL"}):
        clean.setenv(name, "abc")
        with pytest.raises(ValueError, match=rf"^{name}='abc': torch reads it as a whole number"):
            run_io.check_torch_int_variables()
        clean.setenv(name, " 3 ")  # what int() takes is taken
        run_io.check_torch_int_variables()
        clean.delenv(name)


def test_a_fallback_variable_is_checked_only_where_torch_reads_it(clean):
    """``int(os.environ.get("INDUCTOR_PROVENANCE", os.environ.get("TORCH_COMPILE_DEBUG", "0")))``"""
    pairs = dict(run_io.torch_int_variables())
    if pairs.get("TORCH_COMPILE_DEBUG") != "INDUCTOR_PROVENANCE":
        pytest.skip("this torch reads TORCH_COMPILE_DEBUG otherwise")
    clean.setenv("TORCH_COMPILE_DEBUG", "yes")
    with pytest.raises(ValueError, match=r"^TORCH_COMPILE_DEBUG='yes'"):
        run_io.check_torch_int_variables()
    clean.setenv("INDUCTOR_PROVENANCE", "0")  # then torch reads INDUCTOR_PROVENANCE alone
    run_io.check_torch_int_variables()


def test_the_library_entry_points_name_the_variable(clean, tmp_path, parts):  # noqa: F811
    clean.setenv("TORCHINDUCTOR_COMPILE_THREADS", "abc")
    missing = str(tmp_path / "missing.npz")  # refused before any dataset load
    match = r"^TORCHINDUCTOR_COMPILE_THREADS='abc': torch reads it as a whole number"
    with pytest.raises(ValueError, match=match):
        rambo_env.make_mdp(missing)
    with pytest.raises(ValueError, match=match):
        gym.make("RamboModel-hopper-medium", dataset=missing)
    with pytest.raises(ValueError, match=match):
        _make(parts)
    clean.setenv("TORCHINDUCTOR_COMPILE_THREADS", "1")
    _make(parts)
