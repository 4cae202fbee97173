"""Probe 113 (leftover): a resumed run an older rambo_env recorded under its data's old name
(``hopper-random`` for ``rambo/hopper/mine-v0``) keeps that name for its own files, but
cotrain's closing comparison looked for the ledger's runs of the old name too, so it found no run
of today's name (the one scripts/ledger.py files it under). It now compares under the name and
fingerprint the ledger files the run under."""

from __future__ import annotations

import json

from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401 (the fixture)
from tests.agents.test_cotrain_probe71_ledger import _results
from tests.scripts import load_script

OLD, NEW = "a" * 16, "b" * 16


def _named(run_dir, name: str, fingerprint: str) -> None:
    path = run_dir / "config.json"
    saved = json.loads(path.read_text())
    saved["resolved"]["dataset"] |= {"name": name, "fingerprint": fingerprint}
    path.write_text(json.dumps(saved))


def test_the_closing_comparison_uses_the_name_the_ledger_files_the_run_under(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811
):
    cotrain_cli = load_script("cotrain")
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "today", 3, monkeypatch, seed=1)  # a run of today's name
    _named(tmp_path / "today", "hopper-mine", NEW)
    kept = ledger_module.update_ledger(tmp_path / "today", ledger)
    run = tmp_path / "run"
    _fake_run(run, 3, monkeypatch, seed=0)
    _named(run, "hopper-random", OLD)  # as the older rambo_env recorded it

    def renamed(config_path, dataset_arg, env_id, record):  # as _checked_rename finds it
        if record.get("name") != "hopper-random":
            return None
        return {**record, "name": "hopper-mine", "fingerprint": NEW}

    monkeypatch.setattr(ledger_module, "_renamed_dataset", renamed)
    results = _results(dataset_name="hopper-random", dataset_fingerprint=OLD)
    line = cotrain_cli.standing_lines(results, ledger, run_dir=run)[-1]
    # was: "results ledger (…): no long run of hopper-random / sac (…) yet"
    assert line.startswith(f"results ledger, long run hopper-mine / {kept.label}: "), line
    assert ledger_module.update_ledger(run, ledger).dataset == "hopper-mine"  # the same name
    # a folder that cannot be read as a run: its results.json's name, as before
    line = cotrain_cli.standing_lines(results, ledger, run_dir=tmp_path / "gone")[-1]
    assert "no long run of hopper-random / sac" in line
