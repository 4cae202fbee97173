"""Probe 107: rambo-env installed as a package (a wheel / ``pip install .``), not worked on in
the clone."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _sources():
    for folder in ("rambo_env", "agents", "scripts"):
        yield from (ROOT / folder).rglob("*.py")


def test_requires_python_covers_the_3_11_features_the_code_uses():
    # probe 107 row 26: was requires-python ">=3.10" while BaseException.add_note (3.11+) is used
    # (run_io's atomic replace, cotrain's resume notes): on 3.10 an AttributeError replaced them
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["requires-python"] == ">=3.11"
    assert project["tool"]["ruff"]["target-version"] == "py311"
    used = {p.name for p in _sources() if re.search(r"\.add_note\(", p.read_text())}
    assert used  # the reason for the floor is still there (else the floor can be lowered)
