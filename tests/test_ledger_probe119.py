"""Probe 119 row 35: a ledger entry of the same run under an old dataset name (or an older key
form) that an older rambo_env filed before ``dataset_fingerprint`` was recorded was never
replaced: the same run drawn twice, unsaid. Entries before the fingerprint are taken as the same
data, so it is replaced as one with a matching fingerprint is."""

from __future__ import annotations

import json

from tests.agents.test_cotrain import ledger_module  # noqa: F401 (the fixture)
from tests.test_ledger_probe116 import _entered_then_renamed


def _drop_fingerprints(ledger) -> None:
    path = ledger / "index.json"
    saved = json.loads(path.read_text())
    entries = saved["entries"] if "entries" in saved else saved
    for entry in entries.values():
        entry.pop("dataset_fingerprint", None)
    path.write_text(json.dumps(saved))


def test_an_entry_without_a_fingerprint_of_the_same_run_is_replaced(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811
):
    ledger, run, old = _entered_then_renamed(tmp_path, monkeypatch, ledger_module)
    _drop_fingerprints(ledger)
    assert ledger_module.read_index(ledger)[old.slug].dataset_fingerprint is None
    capsys.readouterr()
    new = ledger_module.update_ledger(run, ledger)
    assert list(ledger_module.read_index(ledger)) == [new.slug]  # was: old.slug kept beside
    assert not (ledger / f"{old.slug}.csv").exists()
    assert f"[ledger] {old.slug} is replaced by {new.slug}: the same run" in capsys.readouterr().out


def test_an_entry_without_a_fingerprint_matches_only_the_same_folder_and_settings(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811
):
    ledger, _, old = _entered_then_renamed(tmp_path, monkeypatch, ledger_module)
    entry = ledger_module.read_index(ledger)[old.slug]

    def stale(**changes):
        return entry.__class__(
            **{**vars(entry), "slug": "older", "dataset_fingerprint": None, **changes}
        )

    def same(index, entry, recorded):
        return ledger_module._same_run_entries(index, entry, recorded)[0]

    assert same({"older": stale()}, entry, None) == [stale()]
    assert same({"older": stale(run_dir=str(tmp_path / "elsewhere"))}, entry, None) == []
    assert same({"older": stale(seed=entry.seed + 1)}, entry, None) == []
    assert same({"older": stale(dataset_fingerprint="f" * 16)}, entry, "a" * 16) == []
