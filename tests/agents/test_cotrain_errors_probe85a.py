"""Probe 85 (second part): an exception raised inside a co-training iteration (a bug, out of
memory, a full disk, a non-finite actor) was reported as bad input or a bare traceback, and no
results.json recorded that the run had died of it."""

from __future__ import annotations

import errno
import json
import os

import pytest

import agents.cotrain as cotrain_mod
from agents.cotrain import load_config, run_cotrain
from agents.fused import FusedSAC
from rambo_env.adversary import ModelAdversary
from tests.agents.test_cotrain import _shared_model_cache, tiny_hopper  # noqa: F401 (fixtures)
from tests.agents.test_cotrain_probe33 import _tiny_argv, cotrain_cli
from tests.scripts import load_script

#: What torch raises for a Normal built from a non-finite actor's mean.
NAN_ACTOR = (
    "Expected parameter loc (Tensor of shape (256, 3)) of distribution Normal(loc: "
    "torch.Size([256, 3]), scale: torch.Size([256, 3])) to satisfy the constraint Real(), but "
    "found invalid values:\ntensor([[nan, nan, nan]])"
)


def _fail_on_call(monkeypatch, owner, name: str, n: int, error: BaseException) -> None:
    """``owner.name`` raises ``error`` on its ``n``-th call from now (as the probe's fault.py)."""
    real, calls = getattr(owner, name), []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise error
        return real(*args, **kwargs)

    failing.__name__ = name
    monkeypatch.setattr(owner, name, failing)


def diverged_run(hopper, tmp_path, monkeypatch):
    """A run of 3 iterations stopped after 1, whose resumed session fails in iteration 2 on a
    non-finite actor (cotrain exit 1); the run folder."""
    run_dir = tmp_path / "run"
    argv = _tiny_argv(hopper, run_dir, "--iterations", "3", "--stop-at-iteration", "1")
    assert cotrain_cli.main(argv) == 0
    _fail_on_call(monkeypatch, FusedSAC, "train", 1, ValueError(NAN_ACTOR))
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 1
    return run_dir


def _results(run_dir) -> dict:
    return json.loads((run_dir / "results.json").read_text())


def test_an_oserror_in_the_adversary_update_is_not_a_bad_input_error(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 85 row 7: was "error: [Errno 28] No space left on device (injected)", exit 2 (the
    # bad-input code), no iteration, no checkpoint named, no results.json
    run_dir = tmp_path / "run"
    _fail_on_call(
        monkeypatch,
        ModelAdversary,
        "update",
        2,
        OSError(errno.ENOSPC, "No space left on device (injected)"),
    )
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "3")) == 1
    err = capsys.readouterr().err
    results = _results(run_dir)
    done = results["iterations_completed"]
    assert results["status"] == "failed"
    assert results["error"]["type"] == "OSError" and results["error"]["iteration"] == done + 1
    assert results["error"]["phase"] == "the adversary update"
    assert (
        f"[cotrain] error: OSError in iteration {done + 1} (the adversary update): [Errno 28] "
        "No space left on device (injected)"
    ) in err, err
    assert f"the last checkpoint (iteration {done}) is kept" in err
    assert f"continue with python scripts/cotrain.py --resume {run_dir}" in err
    assert "Traceback" not in err and "RAMBO_ENV_TRACEBACK=1" in err


def test_out_of_memory_in_the_agent_update_is_one_line(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 85 row 8: was a raw traceback ending "MemoryError: injected", no advice, no resume
    run_dir = tmp_path / "run"
    _fail_on_call(monkeypatch, FusedSAC, "train", 2, MemoryError("injected"))
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "3")) == 1
    err = capsys.readouterr().err
    done = _results(run_dir)["iterations_completed"]
    assert "Traceback" not in err
    assert (
        f"[cotrain] error: out of memory in iteration {done + 1} (the agent's gradient steps)"
    ) in err, err
    assert f"the last checkpoint (iteration {done}) is kept: free memory" in err
    assert f"--resume {run_dir}" in err and "--n-rollouts" in err
    assert _results(run_dir)["status"] == "failed"


def test_a_non_finite_actor_in_a_resumed_session_says_the_run_diverged(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 85 row 25: was "error: Expected parameter loc …" + exit 2, as bad input; no
    # iteration, no word of a divergence; results.json stayed "running … it was killed"
    run_dir = tmp_path / "run"
    argv = _tiny_argv(tiny_hopper, run_dir, "--iterations", "3", "--stop-at-iteration", "1")
    assert cotrain_cli.main(argv) == 0
    capsys.readouterr()
    _fail_on_call(monkeypatch, FusedSAC, "train", 1, ValueError(NAN_ACTOR))
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 1
    err = capsys.readouterr().err
    assert "[cotrain] error: the run diverged in iteration 2" in err, err
    assert "the actor's outputs became non-finite (torch: Expected parameter loc" in err
    assert "the last checkpoint (iteration 1) is kept, from before the divergence" in err
    assert "Traceback" not in err
    results = _results(run_dir)
    assert results["status"] == "failed" and results["iterations_completed"] == 1
    assert "running" not in results["message"] and "killed" not in results["message"]


def test_a_bug_in_an_evaluation_is_recorded_in_results_json_and_by_the_ledger(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 85 rows 2, 4, 13: a first session wrote no results.json; a resumed (or extending)
    # one left "running … if no process runs the run, it was killed"; the ledger said "stopped
    # … without finishing", the error named nowhere
    run_dir = tmp_path / "run"
    real = cotrain_mod._evaluate
    _fail_on_call(monkeypatch, cotrain_mod, "_evaluate", 3, RuntimeError("injected"))
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "3")) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: injected" in err  # a bug keeps its traceback
    assert "[cotrain] error: RuntimeError in iteration 2 (the evaluation): injected" in err
    results = _results(run_dir)
    assert results["status"] == "failed" and results["iterations_completed"] == 1
    assert results["message"] == (
        "failed: RuntimeError in iteration 2 (the evaluation): injected; the last checkpoint "
        "(iteration 1) is kept: once the cause is fixed, continue with --resume"
    )
    ledger = tmp_path / "ledger"
    assert load_script("ledger").main([str(run_dir), "--ledger", str(ledger)]) == 0
    said = capsys.readouterr().out
    assert (
        (
            "its run failed at iteration 1 of 3: RuntimeError in iteration 2 (the evaluation): "
            "injected; the last checkpoint (iteration 1) is kept: once the cause is fixed, continue "
            f"with python scripts/cotrain.py --resume {run_dir}"  # probe 87 row 12: the run's own advice
        )
        in said
    ), said
    assert load_script("curves").main([f"a={run_dir}", "--out", str(tmp_path / "cv")]) == 0
    said = capsys.readouterr().out
    assert "a: its run failed at iteration 1 of 3: RuntimeError in iteration 2" in said, said
    # the resumed session that extends it (row 13) fails too: "failed", not "running"
    monkeypatch.setattr(cotrain_mod, "_evaluate", real)
    _fail_on_call(monkeypatch, cotrain_mod, "_evaluate", 2, RuntimeError("again"))
    assert cotrain_cli.main(["--resume", str(run_dir), "--n-iterations", "4"]) == 1
    err = capsys.readouterr().err
    assert "RuntimeError in iteration 3 (the evaluation): again" in err
    assert f"continue with python scripts/cotrain.py --resume {run_dir}" in err
    results = _results(run_dir)
    assert results["status"] == "failed" and results["n_iterations"] == 4
    assert results["iterations_completed"] == 2
    monkeypatch.setattr(cotrain_mod, "_evaluate", real)
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0  # and the run finishes
    assert _results(run_dir)["status"] == "finished"


def test_a_caller_that_catches_the_error_leaves_no_running_record(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 85 row 17: a notebook that caught the error left "running (process PID)" with
    # that PID alive, never "failed"
    run_dir = tmp_path / "run"
    argv = _tiny_argv(tiny_hopper, run_dir, "--iterations", "3", "--stop-at-iteration", "1")
    assert cotrain_cli.main(argv) == 0
    _fail_on_call(monkeypatch, cotrain_mod, "_evaluate", 1, RuntimeError("injected"))
    cfg = load_config(run_dir, resume=True)
    import dataclasses

    with pytest.raises(RuntimeError, match="injected") as caught:
        run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)
    assert any("resume=True" in note for note in caught.value.__notes__)
    results = _results(run_dir)
    assert results["status"] == "failed", results["message"]
    assert f"process {os.getpid()}" not in results["message"]
    assert results["error"] == {
        "type": "RuntimeError",
        "message": "injected",
        "iteration": 2,
        "phase": "the evaluation",
        "kind": "bug",  # probe 87: out_of_memory | diverged | os_error | callback | bug
    }
    assert not (run_dir / ".lock").exists()


def test_an_error_in_the_setup_of_a_first_session_says_rerun_the_same_command(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 85 row 21: was a traceback alone (Ctrl-C there says "rerun the same command")
    import agents.bc

    run_dir = tmp_path / "run"
    argv, real = _tiny_argv(tiny_hopper, run_dir, "--iterations", "1"), agents.bc.behaviour_clone
    _fail_on_call(monkeypatch, agents.bc, "behaviour_clone", 1, MemoryError("injected"))
    assert cotrain_cli.main(argv) == 1
    err = capsys.readouterr().err
    # probe 137: out of memory is one line (was its traceback); the stop line as before
    assert "[cotrain] error: out of memory (MemoryError: injected)" in err
    assert "before training (its folder is removed): once the cause is fixed, rerun the" in err
    assert not run_dir.exists()
    monkeypatch.setattr(agents.bc, "behaviour_clone", real)
    assert cotrain_cli.main(argv) == 0  # the same command then runs
