"""Probe 58: the ledger's reading of a run's results.json status and of a stale .lock."""

import json
import subprocess

import pytest

from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401
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
        "finished, stopped, diverged, interrupted (what cotrain writes); restore it\n"
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
