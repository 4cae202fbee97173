"""Probe 128: a bare ``ruff check`` / ``ruff format --check .`` at the repository root (what a
contributor or a pre-commit hook runs) looked at the historical A/B scripts under docs/results
(225 errors, 16 files to reformat) and at the README's python blocks."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_leaves_the_records_and_the_readme_to_themselves():
    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    assert "docs/results" in ruff.get("extend-exclude", [])
    assert "*.md" in ruff.get("format", {}).get("exclude", [])


@pytest.mark.skipif(shutil.which("ruff") is None, reason="needs ruff")
def test_bare_ruff_at_the_root_looks_at_the_projects_code_only():
    listed = subprocess.run(
        ["ruff", "check", "--show-files"], cwd=ROOT, capture_output=True, text=True, timeout=120
    ).stdout
    assert "rambo_env/run_io.py" in listed  # the project's code is checked
    assert "docs/results" not in listed
    formatted = subprocess.run(
        ["ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    said = formatted.stdout + formatted.stderr
    assert "docs/results" not in said and "README.md" not in said, said
