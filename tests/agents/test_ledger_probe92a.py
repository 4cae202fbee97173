"""Probe 92 rows 33, 34: a ledger entry of an older ledger.py (no settings record) whose run
folder is gone, compared with and replaced by today's runs."""

from __future__ import annotations

import json

from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401 (the fixture)
from tests.agents.test_cotrain_probe71_ledger import _results
from tests.scripts import load_script


def test_an_old_entry_whose_folder_is_gone_is_said_to_have_unknown_settings(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    # probe 92 rows 33, 34: was compared (cotrain's closing line) and replaced (ledger.py) without
    # a word, though its settings (real_ratio, MLE budgets) could not be known
    cotrain_cli = load_script("cotrain")
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "old", 3, monkeypatch, seed=0)
    ledger_module.update_ledger(tmp_path / "old", ledger)
    index_path = ledger / "index.json"
    index = json.loads(index_path.read_text())
    entries = index.values() if isinstance(index, dict) else index
    for entry in entries:  # as session 16's ledger.py wrote it, its run folder since deleted
        entry.pop("settings", None)
        entry["run_dir"] = str(tmp_path / "gone")
    index_path.write_text(json.dumps(index))
    _fake_run(tmp_path / "new", 4, monkeypatch, seed=0)
    line = cotrain_cli.standing_lines(_results(), ledger, run_dir=tmp_path / "new")[-1]
    assert line.endswith(
        f"its settings are unknown (its entry was written before the ledger recorded settings, "
        f"and {tmp_path / 'gone'} no longer holds its config.json): compared on the key alone"
    ), line
    capsys.readouterr()
    ledger_module.update_ledger(tmp_path / "new", ledger)
    out = capsys.readouterr().out
    assert "is replaced by" in out and "(the settings could not be compared: its entry" in out
    # today's entry records its settings: nothing said
    _fake_run(tmp_path / "newer", 4, monkeypatch, seed=0)
    line = cotrain_cli.standing_lines(_results(), ledger, run_dir=tmp_path / "newer")[-1]
    assert "unknown" not in line, line
