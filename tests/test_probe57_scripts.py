"""Probe 57's findings in the scripts and small APIs: diagnose.py on a diverged run, a flag given
twice shown as typed, a dataset name as normalized_score's env, an empty hidden_dims, an agent
saved into a folder that cannot hold files, bench.py --quick's help."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from tests.scripts import load_script


class _Stop(Exception):
    """Ends a diagnosis after its load (the rollouts need MuJoCo and a dataset)."""


def test_diagnose_says_the_run_diverged_and_which_checkpoint_it_diagnoses(
    tmp_path, capsys, monkeypatch
):
    """Probe 57 row 46: ``diagnose.py RUN`` on a run that diverged at iteration 1 said "at
    iteration 0" without a word of the divergence (curves.py and the ledger say it)."""
    diagnose = load_script("diagnose")
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"config": {"n_iterations": 2}}))
    reason = "adversary: the dynamics model's weights became non-finite"
    (run / "results.json").write_text(
        json.dumps({"status": "diverged", "diverged_at": {"iteration": 1, "reason": reason}})
    )
    session = SimpleNamespace(
        dataset=SimpleNamespace(env_id="Hopper-v5", name="hopper-medium"),
        mdp=SimpleNamespace(obs_dim=11, action_dim=3, device="cpu"),
        k=5,
        agent=None,
    )
    monkeypatch.setattr(diagnose, "policy_fns", lambda agent: None)
    monkeypatch.setattr(diagnose, "_check_has_real_env", lambda run_dir: None)
    monkeypatch.setattr(
        diagnose, "load_session", lambda *a, **k: (session, SimpleNamespace(iteration=0))
    )

    def stop(*args, **kwargs):
        raise _Stop

    monkeypatch.setattr(diagnose, "model_vs_simulator", stop)
    with pytest.raises(_Stop):
        diagnose.main([str(run), "--n-starts", "20", "--n-episodes", "1", "--max-steps", "50"])
    out = capsys.readouterr().out
    assert (
        f"[diagnose] {run} diverged at iteration 1 of 2 (results.json: {reason}): diagnosing "
        "its last good checkpoint, iteration 0"
    ) in out, out
    # A run that did not diverge: no such line.
    (run / "results.json").write_text(json.dumps({"status": "complete"}))
    with pytest.raises(_Stop):
        diagnose.main([str(run), "--n-starts", "20", "--n-episodes", "1", "--max-steps", "50"])
    assert "diverged" not in capsys.readouterr().out
