"""The test command itself: ``pytest -n auto``'s worker count (``conftest``'s xdist hook) and the
README's test command being the one CI runs (``.ci/run``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rambo_env import host_limits
from tests import conftest

ROOT = Path(__file__).resolve().parents[1]
WORKERS_FILE = str(Path(__file__).resolve())
GiB = 2**30


@pytest.fixture
def machine(monkeypatch):
    """``machine(cores, shared_bytes, own_bytes=None)``: what ``allocated_cores`` reports, the
    host's free memory and this process's ``ulimit -v`` room."""
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)

    def set_machine(cores: int, shared: int | None, own: int | None = None) -> None:
        monkeypatch.setattr(host_limits, "allocated_cores", lambda: (cores, ""))
        monkeypatch.setattr(host_limits, "_host_room", lambda: shared)
        monkeypatch.setattr(host_limits, "_cgroup_room", lambda: None)
        monkeypatch.setattr(host_limits, "_address_space_room", lambda: own)

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


def test_a_per_process_address_space_limit_is_not_divided_among_the_workers(machine):
    """Probe 57a: under ``ulimit -v`` 4.3 GiB ``-n auto`` made one worker (the controller's
    3.7 GiB room divided by 2 GiB), though each worker has the whole limit for itself."""
    machine(2, 20 * GiB, own=3 * GiB)
    assert conftest.pytest_xdist_auto_num_workers(None) == 2


def test_xdists_own_variable_decides_when_set(machine, monkeypatch):
    machine(16, 64 * GiB)
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "3")
    assert conftest.pytest_xdist_auto_num_workers(None) is None  # xdist's hook reads it


@pytest.mark.parametrize("wanted", ["abc", "2.5"])
def test_a_variable_that_is_no_number_is_said_and_the_cores_decide(machine, monkeypatch, wanted):
    """Probe 57a: xdist warned (``… is not a number: {env_var!r}. Ignoring it.``) and then counted
    the CPU affinity only, leaving out the cgroup quota, SLURM's count and the memory cap."""
    machine(3, 64 * GiB)
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", wanted)
    with pytest.warns(pytest.PytestConfigWarning, match=f"AUTO_NUM_WORKERS={wanted!r} is not a"):
        assert conftest.pytest_xdist_auto_num_workers(None) == 3


def _pytest(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args, WORKERS_FILE],
        cwd=ROOT,
        env={**os.environ, "OMP_NUM_THREADS": "1", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_xdist_asks_the_hook_for_its_worker_count():
    """The hook is not only callable: ``-n auto`` under ``SLURM_CPUS_PER_TASK=1`` (2 cores here
    or more) makes one worker, which xdist's own count (the affinity) would not. The worker also
    writes bytecode caches under ``PYTHONDONTWRITEBYTECODE=1`` (the bytecode test below)."""
    done = _pytest(
        "-n", "auto", "-k", "README or bytecode", SLURM_CPUS_PER_TASK="1",
        PYTHONDONTWRITEBYTECODE="1",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "created: 1/1 worker" in done.stdout
    assert re.search(r"\b3 passed\b", done.stdout), done.stdout


def test_a_worker_writes_bytecode_caches():
    """Each pytest process (and the child processes it starts) writes bytecode caches, whatever
    ``PYTHONDONTWRITEBYTECODE`` said to the pytest command (run so by the test above)."""
    assert not sys.dont_write_bytecode
    assert "PYTHONDONTWRITEBYTECODE" not in os.environ


def test_the_suite_writes_bytecode_caches_where_the_environment_says_not_to(monkeypatch):
    """Session 58: with ``PYTHONDONTWRITEBYTECODE=1`` (this machine's and CI's environment) every
    worker rewrote all test modules again (25 s of collection each, 11 s with caches) and every
    child process compiled the package again."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    conftest._cache_bytecode()
    assert not sys.dont_write_bytecode
    assert "PYTHONDONTWRITEBYTECODE" not in os.environ


def test_without_xdist_pytest_names_the_missing_plugin_and_no_internal_error():
    """Probe 57a: a ``.[test]`` install from before ``-n auto`` (no pytest-xdist) stopped every
    pytest run with ``INTERNALERROR … unknown hook 'pytest_xdist_auto_num_workers'``, and ``-n``
    was only "unrecognized arguments"; now pytest names the plugin to install (the project's
    ``required_plugins``), and with xdist present but blocked (``-p no:xdist``) a run without
    ``-n`` works."""
    done = _pytest("-n", "auto", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert "Missing required plugins" in said and "pytest-xdist>=3.8" in said, said
    assert "INTERNALERROR" not in said
    done = _pytest("-p", "no:xdist", "-k", "README")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr


def test_the_readme_test_command_is_the_one_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Tests \(the same command CI runs.*?```bash\n(.*?)\n```", readme, re.S)
    assert block, "the README's test command block is missing"
    readme_test = block.group(1).split("&&")[-1].strip()
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    ci_test = [line for line in ci_lines if "pytest" in line and not line.startswith("#")]
    assert ci_test == [readme_test]
    assert "-n auto" in readme_test  # one worker per core (the hook above)
