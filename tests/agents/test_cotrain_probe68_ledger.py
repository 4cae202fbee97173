"""Probe 68a: cotrain's closing ledger line names how the ledger's run differs from this one."""

from __future__ import annotations

import json

from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401 (the fixture)
from tests.scripts import load_script


def _set_config(run_dir, **fields) -> None:
    saved = json.loads((run_dir / "config.json").read_text())
    saved["config"].update(fields)
    (run_dir / "config.json").write_text(json.dumps(saved))


def test_the_closing_line_names_other_settings_and_other_seeds(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811 (the fixture)
):
    """A ``--real-ratio 0`` run was set against the ledger's 0.5 run (which scripts/ledger.py
    refuses to tell apart), and an fp32 seed-1 run against a bf16 seed-0 one, without a word."""
    cotrain_cli = load_script("cotrain")
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "kept", 3, monkeypatch, seed=0)
    _set_config(tmp_path / "kept", real_ratio=0.5, precision="bf16")
    ledger_module.update_ledger(tmp_path / "kept", ledger)
    results = {
        "evals": [],
        "iterations_completed": 3,
        "final_score": None,
        "rollout_length": 2,
        "adversary_weight": 3e-4,
        "dataset_name": "tiny-hopper",
        "algo": "sac",
    }
    _fake_run(tmp_path / "zero", 3, monkeypatch, seed=0)
    _set_config(tmp_path / "zero", real_ratio=0.0, precision="bf16")
    line = cotrain_cli.standing_lines(results, ledger, run_dir=tmp_path / "zero")[-1]
    assert line.endswith(
        "ran with other settings: real_ratio 0.0 vs 0.5 (this run's vs its): not compared"
    )
    _fake_run(tmp_path / "other", 3, monkeypatch, seed=1)
    _set_config(tmp_path / "other", real_ratio=0.5, precision="fp32")
    line = cotrain_cli.standing_lines(results, ledger, run_dir=tmp_path / "other")[-1]
    assert line.startswith("results ledger, long run tiny-hopper")
    assert line.endswith(
        "; it differs from this run in seed 1 vs 0, precision 'fp32' vs 'bf16' (this run's vs its)"
    )
    same = cotrain_cli.standing_lines(results, ledger, run_dir=tmp_path / "kept")[-1]
    assert "differs" not in same and "not compared" not in same
