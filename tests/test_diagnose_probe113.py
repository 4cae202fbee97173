"""Probe 113 rows 5-9: no artefact but config.json recorded a format, so older code met a newer
one's file with a misleading error. diagnose.py's report now records its format, and a report
of a newer format is not replaced by this (older) code: one error saying so, before the work."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from tests.scripts import load_script


class _Stop(Exception):
    """Ends a diagnosis after its checks (the rollouts need MuJoCo and a dataset)."""


def _diagnose(tmp_path, monkeypatch):
    diagnose = load_script("diagnose")
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"config": {"n_iterations": 2}}))
    session = SimpleNamespace(
        dataset=SimpleNamespace(env_id="Hopper-v5", name="hopper-medium"),
        mdp=SimpleNamespace(obs_dim=11, action_dim=3, device="cpu"),
        k=5,
        agent=None,
    )
    monkeypatch.setattr(diagnose, "_check_has_real_env", lambda run_dir: None)
    monkeypatch.setattr(
        diagnose, "load_session", lambda run_dir, **kw: (session, SimpleNamespace(iteration=2))
    )
    monkeypatch.setattr(diagnose, "policy_fns", lambda agent: None)

    def stop(*args, **kwargs):
        raise _Stop

    monkeypatch.setattr(diagnose, "model_vs_simulator", stop)
    return diagnose, run


def test_diagnose_refuses_to_replace_a_newer_rambo_envs_report(tmp_path, monkeypatch, capsys):
    diagnose, run = _diagnose(tmp_path, monkeypatch)
    report = run / "diagnostics-it2.json"
    newer = {"format": diagnose.REPORT_FORMAT + 1, "iteration": 2, "arguments": {}}
    report.write_text(json.dumps(newer))
    argv = [str(run), "--n-starts", "20", "--n-episodes", "1", "--max-steps", "50"]
    assert diagnose.main(argv) == 2
    err = capsys.readouterr().err
    assert (
        f"report: {report} was written by a newer rambo_env (diagnostics report format "
        f"{diagnose.REPORT_FORMAT + 1} > {diagnose.REPORT_FORMAT}, this code's): update the code "
        "(git pull)"
    ) in err, err
    assert json.loads(report.read_text()) == newer  # kept
    # a report of this format, or of one written before formats were recorded: replaced as before
    for older in ({"format": diagnose.REPORT_FORMAT, "iteration": 2}, {"iteration": 2}):
        report.write_text(json.dumps(older))
        with pytest.raises(_Stop):
            diagnose.main(argv)
