"""Probe 113 rows 30-34: the ledger's index.json recorded no format, so code older than its
writer said "is not a ledger index … move it away to start a new ledger" of a valid newer
ledger. Each entry now records the ledger format; an entry of a newer format is refused as a
newer rambo_env's, and a run whose config.json is of a newer format is not entered as this code
knows it. Entries written before (no format) are read as before."""

from __future__ import annotations

import json

import pytest

from rambo_env import run_io
from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401 (the fixture)


def test_ledger_entries_record_their_format_and_a_newer_one_is_refused(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811
):
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "run", 4, monkeypatch)
    entry = ledger_module.update_ledger(tmp_path / "run", ledger)
    saved = json.loads((ledger / "index.json").read_text())
    assert saved[entry.slug]["format"] == ledger_module.LEDGER_FORMAT
    assert ledger_module.read_index(ledger) == {entry.slug: entry}
    del saved[entry.slug]["format"]  # an entry written before probe 113: read as before
    (ledger / "index.json").write_text(json.dumps(saved))
    assert ledger_module.read_index(ledger) == {entry.slug: entry}
    newer = ledger_module.LEDGER_FORMAT + 1
    saved[entry.slug] |= {"format": newer, "added_later": 1}
    (ledger / "index.json").write_text(json.dumps(saved))
    with pytest.raises(ValueError) as refused:
        ledger_module.read_index(ledger)
    assert str(refused.value) == (
        f"ledger: {ledger / 'index.json'} (entry {entry.slug!r}) was written by a newer rambo_env "
        f"(ledger format {newer} > {ledger_module.LEDGER_FORMAT}, this code's): update the code "
        "(git pull) to read or update it"
    )  # was: "is not a ledger index (… unexpected keyword argument …); … move it away"


def test_ledger_refuses_a_run_of_a_newer_config_format(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811
):
    _fake_run(tmp_path / "run", 4, monkeypatch)
    path = tmp_path / "run" / "config.json"
    saved = json.loads(path.read_text())
    path.write_text(json.dumps({**saved, "format": run_io.CONFIG_FORMAT + 1}))
    with pytest.raises(ValueError, match=r"config.json was written by a newer rambo_env \(config"):
        ledger_module.update_ledger(tmp_path / "run", tmp_path / "ledger")
    assert not (tmp_path / "ledger").exists()
