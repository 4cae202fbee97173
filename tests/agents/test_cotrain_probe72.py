"""Probe 72 (upgrading mid-project): a run folder written by an older version, read now."""

from __future__ import annotations

import json
from pathlib import Path

from tests.scripts import load_script


def test_a_resume_of_a_run_whose_config_names_no_ledger_field_says_so(tmp_path):
    """Probe 72 row 17: a run started with ``--ledger L`` by a version whose config.json did not
    record the ledger was said to have been "started with the default ledger"."""
    cli = load_script("cotrain")
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"config": {"seed": 0}, "resolved": {}}))
    assert cli._config_names_ledger(run) is False
    ledger, line = cli.resume_ledger(None, Path("L"), cli._config_names_ledger(run))
    assert ledger == Path("L")
    assert "written before runs recorded their ledger, names none" in line, line
    assert "started with the default ledger" not in line
    (run / "config.json").write_text(json.dumps({"config": {"ledger": None}, "resolved": {}}))
    assert cli._config_names_ledger(run) is True
    _, line = cli.resume_ledger(None, Path("L"), cli._config_names_ledger(run))
    assert "the run was started with the default ledger, which its config.json keeps" in line
