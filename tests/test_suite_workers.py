"""The test command itself: ``pytest -n auto``'s worker count (``conftest``'s xdist hook) and the
README's test command being the one CI runs (``.ci/run``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rambo_env import host_limits
from tests import conftest

ROOT = Path(__file__).resolve().parents[1]
GiB = 2**30


@pytest.fixture
def machine(monkeypatch):
    """``machine(cores, free_bytes)``: what ``allocated_cores`` and ``available_memory_bytes``
    report."""
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)

    def set_machine(cores: int, free: int | None) -> None:
        monkeypatch.setattr(host_limits, "allocated_cores", lambda: (cores, ""))
        monkeypatch.setattr(host_limits, "available_memory_bytes", lambda: free)

    return set_machine


def test_one_worker_per_allocated_core_when_memory_holds_them(machine):
    machine(2, 20 * GiB)
    assert conftest.pytest_xdist_auto_num_workers(None) == 2
    machine(16, None)  # memory unknown: the cores decide
    assert conftest.pytest_xdist_auto_num_workers(None) == 16


def test_free_memory_caps_the_workers_and_one_always_runs(machine):
    machine(16, 5 * GiB)
    assert conftest.pytest_xdist_auto_num_workers(None) == 5 * GiB // conftest.WORKER_MEMORY_BYTES
    machine(4, GiB // 2)
    assert conftest.pytest_xdist_auto_num_workers(None) == 1


def test_xdists_own_variable_decides_when_set(machine, monkeypatch):
    machine(16, 64 * GiB)
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "3")
    assert conftest.pytest_xdist_auto_num_workers(None) is None  # xdist's hook reads it


def test_the_readme_test_command_is_the_one_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Tests \(the same command CI runs.*?```bash\n(.*?)\n```", readme, re.S)
    assert block, "the README's test command block is missing"
    readme_test = block.group(1).split("&&")[-1].strip()
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    ci_test = [line for line in ci_lines if "pytest" in line and not line.startswith("#")]
    assert ci_test == [readme_test]
    assert "-n auto" in readme_test  # one worker per core (the hook above)
