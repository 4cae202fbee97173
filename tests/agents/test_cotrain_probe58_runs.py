"""Probe 58: the ledger's reading of a run's results.json status and of a stale .lock;
load_session on a diverged run."""

import json
import subprocess

import pytest

from agents.cotrain import load_session, run_cotrain
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _fake_run,
    _shared_model_cache,
    ledger_module,
    tiny_config,
    tiny_hopper,
)
from tests.scripts import load_script


def _finished_run(run_dir, monkeypatch, status: str = "finished") -> None:
    """A fake run (:func:`_fake_run`) of 2 planned iterations, all done, with ``status``."""
    _fake_run(run_dir, 2, monkeypatch)
    saved = json.loads((run_dir / "config.json").read_text())
    saved["config"]["n_iterations"] = 2
    (run_dir / "config.json").write_text(json.dumps(saved))
    results = {"status": status, "iterations_completed": 2, "n_iterations": 2}
    (run_dir / "results.json").write_text(json.dumps(results))


def test_the_ledger_refuses_a_results_status_cotrain_never_writes(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    """Probe 58 row 44: results.json's status hand-edited to 'banana' was entered as a normal
    finished run, without a word."""
    ledger_cli = load_script("ledger")
    run_dir = tmp_path / "run"
    _finished_run(run_dir, monkeypatch, status="banana")
    with pytest.raises(SystemExit) as exit_info:
        ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err == (
        f"error: {run_dir}: run_dir: {run_dir / 'results.json'}: status 'banana' is not one of "
        "finished, stopped, diverged, interrupted, running, failed (what cotrain writes); restore it\n"
    ), err


def test_a_finished_run_wins_over_a_stale_bare_pid_lock(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    """Probe 58 row 71: a finished run (2 of 2 iterations) whose .lock names a live unrelated
    process by a bare PID (no start time: a reused PID) was entered as "still going"."""
    ledger_cli = load_script("ledger")
    run_dir = tmp_path / "run"
    _finished_run(run_dir, monkeypatch)
    other = subprocess.Popen(["sleep", "60"])
    try:
        (run_dir / ".lock").write_text(f"{other.pid}\n")
        assert ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")]) == 0
        out = capsys.readouterr().out
        assert (
            f"[ledger] note: {run_dir / '.lock'} names process {other.pid}, but the run finished "
            "all its iterations (results.json): the lock is stale (its PID was reused); entered "
            "as finished; remove the .lock\n"
        ) in out, out
        assert "still going" not in out and out.endswith(": 2 iterations, last-10 mean 1.5\n")
        index = json.loads((tmp_path / "ledger" / "index.json").read_text())
        assert [e["status"] for e in index.values()] == ["complete"]
        # an extension in progress (config.json plans more): the lock is its run's
        saved = json.loads((run_dir / "config.json").read_text())
        saved["config"]["n_iterations"] = 3
        (run_dir / "config.json").write_text(json.dumps(saved))
        assert ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")]) == 0
        assert f"its run (process {other.pid}) is still going" in capsys.readouterr().out
    finally:
        other.kill()
        other.wait()


def test_load_session_says_the_run_diverged_and_which_checkpoint_it_loads(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    """Probe 58 row 59: ``load_session`` of a run that diverged at iteration 2 loaded its
    iteration-1 checkpoint without a word of the divergence (diagnose.py, the ledger, curves.py
    and cotrain --resume say it)."""
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, stop_at_iteration=1), run_dir)
    capsys.readouterr()
    load_session(run_dir)
    assert "diverged" not in capsys.readouterr().out
    results = json.loads((run_dir / "results.json").read_text())
    reason = "adversary: the dynamics model's weights became non-finite"
    results |= {"status": "diverged", "diverged_at": {"iteration": 2, "reason": reason}}
    (run_dir / "results.json").write_text(json.dumps(results))
    _, history = load_session(run_dir)
    assert history.iteration == 1
    assert (
        f"[cotrain] {run_dir} diverged at iteration 2 of 4 (results.json: {reason}): loading its "
        "last good checkpoint, iteration 1\n"
    ) in capsys.readouterr().out
