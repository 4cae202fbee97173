"""Probe 52's ledger findings: a damaged checkpoint.pt, a finished run without results.json."""

import json

import torch

from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401
from tests.agents.test_cotrain_probe50_runs import _dead_pid
from tests.scripts import load_script


def test_the_ledger_warns_of_an_unreadable_checkpoint(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    """Probe 52 row 53: a run whose checkpoint.pt was truncated was entered without a word
    (``--resume`` says it cannot resume from it); it is still entered (its curves are whole),
    with one WARNING that config.json was not checked against it and that it cannot be resumed."""
    ledger_cli = load_script("ledger")
    run_dir, ledger = tmp_path / "run", tmp_path / "ledger"
    _fake_run(run_dir, 2, monkeypatch)
    path = run_dir / "checkpoint.pt"
    torch.save({"identity": {"config": {"seed": 0}}, "agent": torch.zeros(64)}, path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    assert ledger_cli.main([str(run_dir), "--ledger", str(ledger)]) == 0
    out = capsys.readouterr().out
    assert (
        out.startswith(f"[ledger] WARNING: {path} is unreadable (")
        and (
            "): whether config.json matches the run was not checked, and the run cannot be continued "
            "with --resume (checkpoints are written atomically, so this file was damaged or replaced "
            "after it was written); its curves and evaluations are entered as they are\n"
        )
        in out
    ), out
    assert "tiny-hopper_sac_k2-lam3e-4_s0: 2 iterations" in out
    path.write_bytes(whole)  # a whole checkpoint: no warning
    assert ledger_cli.main([str(run_dir), "--ledger", str(ledger)]) == 0
    assert "WARNING" not in capsys.readouterr().out


def _ended_run(run_dir, monkeypatch, done: int, planned: int) -> None:
    _fake_run(run_dir, done, monkeypatch)
    config = run_dir / "config.json"
    saved = json.loads(config.read_text())
    saved["config"]["n_iterations"] = planned
    config.write_text(json.dumps(saved))


def test_the_ledger_warns_of_a_finished_run_without_results_json(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    """Probe 52 row 51: a run that reached its planned iterations, no process on it, whose
    results.json was removed was entered without a word (a damaged one is warned of: its
    diverged mark and status come from it). Not said of a run with its results.json, of a
    killed run (a dead lock: its own note) or of one stopped part-way (its own note)."""
    ledger_cli = load_script("ledger")
    run_dir, ledger = tmp_path / "run", tmp_path / "ledger"
    _ended_run(run_dir, monkeypatch, done=2, planned=2)
    missing = "results.json is missing although the run ended"
    assert ledger_cli.main([str(run_dir), "--ledger", str(ledger)]) == 0
    out = capsys.readouterr().out
    assert (
        f"[rambo_env] WARNING: {run_dir / 'results.json'} is missing although the run ended (its "
        "logged iterations reach its planned ones and no process runs it): whether it finished "
        "or diverged is not known, so its ledger entry is not marked diverged; restore the file "
        "if you have it\n"
    ) in out, out
    (run_dir / "results.json").write_text(json.dumps({"status": "finished"}))
    assert ledger_cli.main([str(run_dir), "--ledger", str(ledger)]) == 0
    assert "WARNING" not in capsys.readouterr().out
    (run_dir / "results.json").unlink()
    (run_dir / ".lock").write_text(f"{_dead_pid()}\n")  # killed after its last iteration
    assert ledger_cli.main([str(run_dir), "--ledger", str(ledger)]) == 0
    assert missing not in capsys.readouterr().out
    part = tmp_path / "part"
    _ended_run(part, monkeypatch, done=2, planned=8)  # no lock: "stopped … without finishing"
    assert ledger_cli.main([str(part), "--ledger", str(tmp_path / "other")]) == 0
    out = capsys.readouterr().out
    assert missing not in out and "without finishing" in out, out
