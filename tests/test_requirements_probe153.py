"""Probe 153: the torch floor check at ``import rambo_env`` (probe 149) read pip's metadata, the
first ``torch-*.dist-info`` on ``sys.path``: a stale 2.2.2 record before a working torch 2.13
refused it; an unparseable version string was refused as too old; a 2.6.0a0 development build
without ``get_total_norm`` got the raw ImportError."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import torch

from rambo_env import requirements
from tests.test_requirements_probe149 import _child


def _torch_elsewhere(tmp_path: Path, monkeypatch, version: str, recorded: str) -> None:
    """``import torch`` would load a torch whose version.py says ``version`` while pip's first
    record says ``recorded``; torch not yet imported."""
    package = tmp_path / "torch"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "version.py").write_text(
        f"from typing import Optional\n\n__version__ = '{version}'\ndebug = False\n",
        encoding="utf-8",
    )
    spec = type("Spec", (), {"origin": str(package / "__init__.py")})()
    monkeypatch.setattr(requirements.importlib.util, "find_spec", lambda name: spec)
    monkeypatch.setattr(requirements.metadata, "version", lambda dist: recorded)
    monkeypatch.delitem(sys.modules, "torch")


def test_the_torch_that_loads_is_checked_not_the_first_metadata(tmp_path, monkeypatch):
    _torch_elsewhere(tmp_path, monkeypatch, "2.13.0+cpu", recorded="2.2.2")
    assert requirements._installed_version("torch") == "2.13.0+cpu"
    requirements.check_installed("torch")  # was: "but torch 2.2.2 is installed"


def test_an_old_torch_that_loads_is_still_refused(tmp_path, monkeypatch):
    _torch_elsewhere(tmp_path, monkeypatch, "2.5.1", recorded="2.13.0")
    assert requirements._too_old(["torch"]) == [("torch", "2.5.1")]


def test_without_a_version_file_the_metadata_is_read(monkeypatch):
    monkeypatch.setattr(requirements.importlib.util, "find_spec", lambda name: None)
    monkeypatch.delitem(sys.modules, "torch")
    assert requirements._installed_version("torch") == metadata.version("torch")


def test_an_unparseable_version_is_left_to_the_imports(monkeypatch):
    for version in ("", "v2.6.0", "unknown"):
        monkeypatch.setattr(torch, "__version__", version)
        assert requirements._too_old(["torch"]) == [], version
        requirements.check_installed("torch")


def test_a_development_build_without_get_total_norm_is_named():
    done = _child(
        "import rambo_env, torch, torch.nn.utils as u\n"
        "torch.__version__ = '2.6.0a0+git1234abc'\n"
        "del u.get_total_norm\n"
        "import rambo_env.adversary\n"
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: rambo-env needs torch.nn.utils.get_total_norm"), last
    assert "torch 2.6.0a0+git1234abc" in last and "pip install torch==2.13.0" in last
