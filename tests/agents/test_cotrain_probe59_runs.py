"""Probe 59: diagnose.py's repeatability under --seed and its report path checked before the
rollouts; a hand-edited results.json of a finished run."""

import json

import pytest

from agents.cotrain import run_cotrain
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)
from tests.scripts import load_script


def test_diagnose_with_the_same_seed_writes_the_same_report(
    tiny_hopper, tmp_path, monkeypatch, capsys
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
