"""Probe 59: diagnose.py's repeatability under --seed and its report path checked before the
rollouts; a hand-edited results.json of a finished run."""

import json

import pytest

from agents.cotrain import CotrainConfig, run_cotrain
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _run_files_only,
    _shared_model_cache,
    ledger_module,
    tiny_config,
    tiny_hopper,
)
from tests.agents.test_cotrain_probe58_runs import _finished_run
from tests.scripts import load_script


def test_diagnose_with_the_same_seed_writes_the_same_report(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    """Probe 59 row 49: the same --seed gave different numbers (the stochastic actor drew from
    torch's unseeded global generator); row 50: a folder where the report goes was refused only
    after the whole diagnosis."""
    diagnose = load_script("diagnose")
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1, n_eval_episodes=1), run_dir)
    argv = [str(run_dir), "--n-starts", "8", "--n-episodes", "2", "--max-steps", "20"]
    out = run_dir / "diagnostics-it1.json"
    reports = []
    for _ in range(2):
        assert diagnose.main(argv) == 0
        reports.append(json.loads(out.read_text()))
    assert reports[0] == reports[1]
    assert diagnose.main([*argv, "--seed", "1"]) == 0
    assert json.loads(out.read_text()) != reports[0]  # the seed is used
    capsys.readouterr()
    out.unlink()
    out.mkdir()
    monkeypatch.setattr(diagnose, "model_vs_simulator", lambda *a, **k: pytest.fail("rolled out"))
    assert diagnose.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: report: {out} is a folder; move it away"), err


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("final_score", "abc", "final_score is 'abc'"),
        ("q_history", [1.0, float("inf")], "q_history[1] is inf"),
        ("final_return", float("nan"), "final_return is nan"),
        ("q_history", "x", "q_history is 'x'"),
    ],
)
def test_a_hand_edited_results_json_is_named_by_resume_and_the_ledger(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
    field,
    value,
    named,
):
    """Probe 59 row 56: a finished run's results.json hand-edited (final_score 'abc', q_history
    [Infinity, Infinity]) was kept by --resume ("results unchanged") and taken by the ledger."""
    cotrain_cli, ledger_cli = load_script("cotrain"), load_script("ledger")
    n = CotrainConfig(precision="fp32").n_iterations
    results = {"status": "finished", "iterations_completed": n, "q_history": [1.0], field: value}
    run_dir = _run_files_only(tmp_path / "run", results=results)
    path = run_dir / "results.json"
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 2  # was 0: "results unchanged"
    err = capsys.readouterr().err
    assert err.startswith(f"error: run_dir: {path}: {named}, not a finite number or null"), err
    assert "restore it from a copy of the run folder, or rerun the run" in err
    ledger_run = tmp_path / "ledger_run"
    _finished_run(ledger_run, monkeypatch)
    saved = json.loads((ledger_run / "results.json").read_text())
    (ledger_run / "results.json").write_text(json.dumps({**saved, field: value}))
    with pytest.raises(SystemExit) as exit_info:
        ledger_cli.main([str(ledger_run), "--ledger", str(tmp_path / "ledger")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert f"run_dir: {ledger_run / 'results.json'}: {named}, not a finite number" in err, err
