"""Probe 137: scripts/cotrain.py under an address-space limit (``ulimit -v``): a MemoryError (or
``SystemError`` / MuJoCo's error) before training was an 56-123-line traceback before the stop
line, the limit not named; one in an iteration named no limit."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest

from agents.cotrain import failure_message
from rambo_env import host_limits, requirements, run_io
from tests.scripts import REPO, load_script, python_path

cotrain = load_script("cotrain")

FLAGS = ["--dataset", "hopper-medium", "--seed", "3", "--iterations", "4", "--no-progress"]
LIMIT = " (address-space limit ulimit -v = 900000 kB)"


@pytest.fixture
def limited(monkeypatch):
    monkeypatch.setattr(requirements, "address_space_limit_text", lambda: LIMIT)
    monkeypatch.setattr(run_io, "address_space_limit_text", lambda: LIMIT)
    monkeypatch.setattr(host_limits, "address_space_limit_text", lambda: LIMIT)
    monkeypatch.delenv("RAMBO_ENV_TRACEBACK", raising=False)


@pytest.mark.parametrize(
    "error",
    [
        MemoryError(),  # import torch._dynamo in the optimizer's setup
        ValueError(  # the warm start's evaluation env
            "not enough memory to create the Hopper-v5 simulator" + LIMIT + ": RuntimeError: "
            "Caught an unknown exception!; raise the limit (ulimit -v unlimited, or the batch "
            "system's memory request)"
        ),
    ],
)
def test_out_of_memory_before_training_is_one_line(limited, monkeypatch, tmp_path, capsys, error):
    def run(cfg, run_dir, resume=False, on_iteration=None, invocation=None):
        raise error

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cotrain, "run_cotrain", run)
    status = cotrain.main([*FLAGS, "--run-dir", "runs/a"])
    said = capsys.readouterr().err
    assert status in (1, 2)
    assert "Traceback" not in said, said
    assert LIMIT in said.splitlines()[0]
    assert "raise the limit (ulimit -v unlimited" in said


def test_a_bug_before_training_keeps_its_traceback(limited, monkeypatch, tmp_path, capsys):
    def run(cfg, run_dir, resume=False, on_iteration=None, invocation=None):
        raise RuntimeError("a bug")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cotrain, "run_cotrain", run)
    assert cotrain.main([*FLAGS, "--run-dir", "runs/a"]) == 1
    said = capsys.readouterr().err
    assert "Traceback" in said and "RuntimeError: a bug" in said


def test_out_of_memory_in_an_iteration_names_the_limit(limited):
    what, how = failure_message(MemoryError(), 3, "model rollouts", resume="--resume R")
    assert what == f"out of memory in iteration 3 (model rollouts){LIMIT}"
    assert how.startswith("the last checkpoint (iteration 2) is kept: raise the limit")
    said = "not enough memory to create the Hopper-v5 simulator" + LIMIT + ": X; raise the limit"
    what, _ = failure_message(ValueError(said), 3, "evaluation", resume="--resume R")
    assert (
        what
        == f"iteration 3 (evaluation): not enough memory to create the Hopper-v5 simulator{LIMIT}: X"
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux keeps it")
def test_a_too_small_limit_is_said_first_whatever_fails_next(tmp_path):
    """End to end: whichever phase the allocation fails in (imports, OpenBLAS's C exit, the
    simulator), the limit is named first and no traceback is printed."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (400_000 * 1024, resource.RLIM_INFINITY))

    env = {**os.environ, "PYTHONPATH": python_path(), "OMP_NUM_THREADS": "1"}
    env.pop("RAMBO_ENV_TRACEBACK", None)
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "cotrain.py"), *FLAGS],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, preexec_fn=cap,
    )  # fmt: skip
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith("[cotrain] note: the address-space limit (ulimit -v = 400000 kB)")
