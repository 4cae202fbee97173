"""Probe 93 rows 42, 45, 20: a closed stdout mid-iteration, make_agent under a meta default
device, a resume at another matmul precision."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import torch

import agents.cotrain as cotrain
from agents.cotrain import RunInterrupted, run_cotrain
from agents.factory import make_agent
from agents.vec_env import RamboModelVecEnv
from rambo_env import run_io
from tests.agents.test_callback import N_ENVS, K, _toy
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)


def test_a_closed_stdout_mid_iteration_is_an_interrupt_not_a_failure(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    # probe 93 row 42: `scripts/cotrain.py … | head -n 9` (the reader gone inside iteration 2)
    # was "failed: BrokenPipeError in iteration 2", a bug's advice, exit status 1
    silenced = []
    monkeypatch.setattr(run_io, "silence_stdout", lambda: silenced.append(True))

    def reader_gone(metrics):
        if metrics["iteration"] == 1:
            err = BrokenPipeError(32, "Broken pipe")
            err.stdout_reader_gone = True  # as tolerant_console's guard marks it
            raise err

    run_dir = tmp_path / "run"
    with pytest.raises(RunInterrupted) as stop:
        run_cotrain(tiny_config(tiny_hopper, n_iterations=2), run_dir, on_iteration=reader_gone)
    results = json.loads((run_dir / "results.json").read_text())
    assert stop.value.results["status"] == results["status"] == "interrupted"
    assert "closed pipe" in results["message"] and "error" not in results
    assert silenced and (run_dir / "checkpoint.pt").is_file()


def test_another_broken_pipe_in_an_iteration_is_still_a_failure(tiny_hopper, tmp_path):  # noqa: F811
    def other_pipe(metrics):
        raise BrokenPipeError(32, "Broken pipe")  # a worker's pipe, not the script's stdout

    run_dir = tmp_path / "run"
    with pytest.raises(BrokenPipeError):
        run_cotrain(tiny_config(tiny_hopper, n_iterations=2), run_dir, on_iteration=other_pipe)
    assert json.loads((run_dir / "results.json").read_text())["status"] == "failed"


def test_the_stdout_guard_marks_a_closed_pipe_it_hands_on():
    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    guard = run_io._GuardedStdout(Closed(), own_closed_pipe=True)
    with pytest.raises(BrokenPipeError) as err:
        guard.write("x")
    assert run_io.is_closed_stdout(err.value) and guard.reader_gone
    assert not run_io.is_closed_stdout(BrokenPipeError(32, "Broken pipe"))


def test_make_agent_refuses_a_meta_default_device():
    # probe 93 row 45: was torch's raw "Cannot copy out of meta tensor; no data!"
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    torch.set_default_device("meta")
    try:
        with pytest.raises(RuntimeError, match=r"make_agent: torch's default device is meta"):
            make_agent("sac", env, dataset, mdp.normalizer, rollout_length=K, device="cpu")
    finally:
        torch.set_default_device(None)


def _session(last: dict) -> SimpleNamespace:
    return SimpleNamespace(session_settings=[last], cfg=SimpleNamespace(compiles=False))


@pytest.mark.parametrize(
    ("recorded", "now", "said"),
    [
        ({"matmul_precision": "medium"}, "highest", True),  # probe 93 row 20: was no note
        ({}, "medium", True),  # a record without it is 'highest' (torch's default)
        ({}, "highest", False),
        ({"matmul_precision": "high"}, "high", False),
    ],
)
def test_a_resume_at_another_matmul_precision_says_its_numbers_part(recorded, now, said, capsys):
    last = {"torch_threads": torch.get_num_threads(), "compiled": False} | recorded
    torch.set_float32_matmul_precision(now)
    try:
        cotrain._say_settings_changed(_session(last))
    finally:
        torch.set_float32_matmul_precision("highest")
    out = capsys.readouterr().out
    assert ("matmul" in out and "differ slightly" in out) == said
    if said:
        was = recorded.get("matmul_precision", "highest")
        assert f"torch.set_float32_matmul_precision({was!r})" in out


def test_the_script_says_a_closed_pipe_mid_iteration_as_before_training(
    tmp_path, monkeypatch, capsys
):
    # probe 93 row 42: was "[cotrain] error: BrokenPipeError in iteration 2: [Errno 32] Broken
    # pipe", exit status 1; now the closed-pipe line and the --resume hint, exit status 2
    from tests.scripts import load_script

    cli = load_script("cotrain")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / run_io.CHECKPOINT_NAME).write_bytes(b"kept")
    cfg = cotrain.CotrainConfig(dataset="hopper-random")
    results = {"status": "interrupted", "message": "interrupted (a closed pipe); kept"}

    def reader_exits(*args, **kwargs):
        raise RunInterrupted(results)

    monkeypatch.setattr(cli, "resolve_args", lambda args, parser: (cfg, run_dir, False))
    monkeypatch.setattr(cli, "check_ledger", lambda *a: None)
    monkeypatch.setattr(cli, "run_cotrain", reader_exits)
    monkeypatch.setattr(run_io, "silence_stdout", lambda: None)
    monkeypatch.setattr(cli.sys, "stdout", SimpleNamespace(reader_gone=True, write=len, flush=int))
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert "error: stdout: the program reading this output exited" in err
    assert "interrupted; the run's last checkpoint is kept: continue with: " in err
    assert "--resume" in err and "BrokenPipeError" not in err
