"""Probe 50's run-layer findings: a run killed outright mid-training in the ledger."""

import json
import subprocess
import sys

from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401
from tests.scripts import load_script


def _dead_pid() -> int:
    """The PID of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _killed_run(run_dir, monkeypatch, done: int = 2, planned: int = 8) -> int:
    """A fake run at iteration ``done`` of ``planned`` whose ``.lock`` names a dead process (a
    run killed outright: SIGKILL, out of memory); returns that PID."""
    _fake_run(run_dir, done, monkeypatch)
    config = run_dir / "config.json"
    saved = json.loads(config.read_text())
    saved["config"]["n_iterations"] = planned
    config.write_text(json.dumps(saved))
    pid = _dead_pid()
    (run_dir / ".lock").write_text(f"{pid}\n")
    return pid


def test_the_ledger_notes_a_run_killed_part_way(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    """Probe 50 row 54: a run killed outright at iteration 2 of 8 (its ``.lock`` names a dead
    process, no results.json) was entered as "2 iterations, last-10 mean …" without a word that
    it died part-way; the note says so and how to continue it, as for a stopped run."""
    ledger_cli = load_script("ledger")
    run_dir = tmp_path / "run"
    pid = _killed_run(run_dir, monkeypatch)
    assert ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")]) == 0
    said = capsys.readouterr().out
    assert (
        f"so far: its run (process {pid}) stopped at iteration 2 of 8 without finishing "
        f"(killed? out of memory?); continue it with python scripts/cotrain.py --resume {run_dir}, "
        "then run python scripts/ledger.py again: the ledger entry is then replaced"
    ) in said
    (entry,) = json.loads((tmp_path / "ledger" / "index.json").read_text()).values()
    assert (entry["iterations"], entry["planned_iterations"], entry["status"]) == (
        2,
        8,
        "unfinished",
    )


def test_the_ledger_notes_a_resumed_run_killed_after_a_stop(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    """A run stopped at iteration 1 (``--stop-at-iteration``), resumed, then killed at 3: its
    results.json is the first session's; the ledger says where the run died, not "stopped at
    iteration 1 (--stop-at-iteration)"."""
    ledger_cli = load_script("ledger")
    run_dir = tmp_path / "run"
    pid = _killed_run(run_dir, monkeypatch, done=3)
    (run_dir / "results.json").write_text(
        json.dumps({"status": "stopped", "iterations_completed": 1, "n_iterations": 8})
    )
    assert ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")]) == 0
    said = capsys.readouterr().out
    assert f"its run (process {pid}) stopped at iteration 3 of 8 without finishing" in said
    assert "--stop-at-iteration" not in said
    (entry,) = json.loads((tmp_path / "ledger" / "index.json").read_text()).values()
    assert entry["status"] == "unfinished"


def test_the_ledger_says_nothing_more_of_a_finished_run_without_a_lock(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    """A run that reached its planned iterations and left no lock gets no note."""
    ledger_cli = load_script("ledger")
    run_dir = tmp_path / "run"
    _killed_run(run_dir, monkeypatch, done=3, planned=3)
    (run_dir / ".lock").unlink()
    assert ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")]) == 0
    said = capsys.readouterr().out
    assert "so far" not in said and "3 iterations, last-10 mean" in said


def test_the_ledger_notes_an_interrupted_run(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    """A run interrupted by Ctrl-C / SIGTERM at iteration 2 of 8 (its lock removed, results.json
    "interrupted") was entered as "2 iterations, last-10 mean …" without a word (fixO's note on
    probe 50); likewise a run whose lock was removed by hand."""
    ledger_cli = load_script("ledger")
    run_dir = tmp_path / "run"
    _killed_run(run_dir, monkeypatch)
    (run_dir / ".lock").unlink()
    (run_dir / "results.json").write_text(
        json.dumps({"status": "interrupted", "iterations_completed": 2, "n_iterations": 8})
    )
    assert ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")]) == 0
    said = capsys.readouterr().out
    assert (
        "so far: its run was interrupted (Ctrl-C or SIGTERM) at iteration 2 of 8; continue it "
        f"with python scripts/cotrain.py --resume {run_dir}, then run python scripts/ledger.py again"
    ) in said, said
    (run_dir / "results.json").unlink()
    assert ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")]) == 0
    said = capsys.readouterr().out
    assert "its run stopped at iteration 2 of 8 without finishing (no process runs it); " in said
