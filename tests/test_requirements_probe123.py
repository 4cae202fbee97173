"""Probe 123 row 6: every declared dependency missing (the project's venv not active) and the
pip advice for a missing torch."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rambo_env import requirements

README = (Path(__file__).parents[1] / "README.md").read_text()


def _error(monkeypatch, importable) -> str:
    monkeypatch.setattr(requirements, "_importable", importable)
    with pytest.raises(requirements.MissingDependencyError) as err:
        requirements.check_dependencies("torch", "numpy")
    return str(err.value)


def test_every_dependency_missing_asks_about_the_venv(monkeypatch):
    text = _error(monkeypatch, lambda module: False)
    assert text.startswith(
        f"none of rambo-env's dependencies is importable by {sys.executable}: is the project's "
        "virtual environment active? (source .venv/bin/activate); rambo-env needs torch"
    )
    # the README's setup rule: torch's pinned CPU build first, then the rest
    assert f"pip install {requirements.TORCH_FIRST} && pip install 'numpy>=" in text
    assert "'torch>=" not in text
    assert f"pip install {requirements.TORCH_FIRST} && pip install -e" in README


def test_some_missing_is_not_blamed_on_the_venv(monkeypatch):
    text = _error(monkeypatch, lambda module: module not in ("torch", "tqdm"))
    assert text.startswith("rambo-env needs torch, tqdm (declared dependencies)")
    assert f"pip install {requirements.TORCH_FIRST} && pip install 'tqdm>=" in text
    text = _error(monkeypatch, lambda module: module != "numpy")
    assert "pip install 'numpy>=" in text and "torch==" not in text
