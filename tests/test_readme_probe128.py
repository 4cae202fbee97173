"""Probe 128: the README against the repository (rows 'README cites a measurement file that is
not in the repo', 'README Layout omits modules', 'collect count vs README')."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _tracked() -> set[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):  # an unpacked sdist: no git
        pytest.skip("needs the git checkout")
    if not any(t.startswith("rambo_env/") for t in listed):  # an sdist inside another repo
        pytest.skip("needs the git checkout")
    return set(listed)


def _expand(path: str) -> list[str]:
    """``a-{x,y}.json`` -> ``a-x.json``, ``a-y.json``."""
    brace = re.search(r"\{([^{}]*)\}", path)
    if brace is None:
        return [path]
    head, tail = path[: brace.start()], path[brace.end() :]
    return [p for alt in brace.group(1).split(",") for p in _expand(head + alt + tail)]


def test_every_docs_results_file_the_readme_cites_is_committed():
    """Row: README cited docs/results/bench-epyc-session9-{eager,compile}-1t.json, never
    committed."""
    tracked = _tracked()
    folders = {str(p) for t in tracked for p in Path(t).parents}
    missing = [
        path
        for cited in re.findall(r"`(docs/results/[^`\s]*)`", README)
        for path in _expand(cited.rstrip("/"))
        if "<" not in path and "*" not in path and path not in tracked and path not in folders
    ]
    assert not missing, missing


def _layout_sections() -> dict[str, str]:
    """The README's Layout block, by its top-level entry (``rambo_env/``, ``agents/``, …)."""
    block = README.split("\n## Layout\n", 1)[1].split("```", 2)[1]
    sections: dict[str, str] = {}
    name = None
    for line in block.splitlines():
        if line and not line[0].isspace():
            name, line = line.split(None, 1)[0], line.split(None, 1)[-1]
        if name is not None:
            sections[name] = sections.get(name, "") + " " + line
    return sections


@pytest.mark.parametrize("package", ["rambo_env", "agents", "scripts"])
def test_the_layout_names_every_module(package):
    """Row: rambo_env/logging.py, optim.py and progress.py were missing from the Layout block."""
    text = _layout_sections()[f"{package}/"]
    modules = sorted(
        Path(t).stem
        for t in _tracked()
        if re.fullmatch(rf"{package}/[^/]+\.py", t) and not t.endswith("__init__.py")
    )
    assert modules
    unnamed = [m for m in modules if not re.search(rf"\b{m}\b", text)]
    assert not unnamed, f"{package}/: {unnamed} not in README 'Layout'"


def test_the_sdist_row_states_no_test_count_that_goes_stale():
    """Row: 'collects what the clone does (3048 tests)' while the clone collected 3152."""
    row = next(line for line in README.splitlines() if "collects what the clone does" in line)
    assert not re.search(r"collects what the clone does \(\d+ tests?\)", row)
