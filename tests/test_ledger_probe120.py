"""Probe 120 row 21: an entry an older rambo_env filed without the data's fingerprint was taken
as the same run as any new run of its folder and settings, so a run folder reused for other
data (``rm -rf run``, a new run on another dataset into it) replaced the other dataset's entry
and deleted its CSV and plot, called "the same run … under its dataset's old name". Such an
entry is now the same run only where its behaviour score / model's holdout MSE tie it to the
run; else both are kept and one line says so."""

from __future__ import annotations

import json
import shutil

from tests.agents.test_cotrain import ledger_module  # noqa: F401 (the fixture)
from tests.test_ledger_probe116 import _entered_then_renamed, _run
from tests.test_ledger_probe119 import _drop_fingerprints


def test_a_folder_reused_for_other_data_keeps_the_older_entry(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811
):
    ledger = tmp_path / "ledger"
    run = _run(tmp_path, "run", monkeypatch)
    old = ledger_module.update_ledger(run, ledger)
    _drop_fingerprints(ledger)
    shutil.rmtree(run)
    run = _run(tmp_path, "run", monkeypatch, fingerprint="c" * 16)  # the folder reused
    path = run / "config.json"
    saved = json.loads(path.read_text())
    saved["resolved"]["dataset"] |= {"name": "tiny-other", "behaviour_score": 20.0}
    path.write_text(json.dumps(saved))
    capsys.readouterr()
    new = ledger_module.update_ledger(run, ledger)
    assert new.dataset == "tiny-other"
    assert sorted(ledger_module.read_index(ledger)) == sorted([old.slug, new.slug])
    assert (ledger / f"{old.slug}.csv").exists()  # was: removed, with the old data's plot
    out = capsys.readouterr().out
    assert "is replaced by" not in out
    assert f"[ledger] {old.slug} is kept beside {new.slug}" in out


def test_what_ties_an_entry_without_a_fingerprint(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811
):
    ledger, _, old = _entered_then_renamed(tmp_path, monkeypatch, ledger_module)
    entry = ledger_module.read_index(ledger)[old.slug]
    assert entry.behaviour_score is not None

    def stale(**changes):
        return entry.__class__(
            **{**vars(entry), "slug": "older", "dataset_fingerprint": None, **changes}
        )

    def same(index, entry, recorded):
        return ledger_module._same_run_entries(index, entry, recorded)[0]

    def untold(index, entry, recorded):
        return ledger_module._same_run_entries(index, entry, recorded)[1]

    assert same({"older": stale()}, entry, None) == [stale()]  # probe 119 row 35 still
    other_data = stale(behaviour_score=entry.behaviour_score + 1.0)
    assert same({"older": other_data}, entry, None) == []
    assert untold({"older": other_data}, entry, None) == [other_data]
    nothing = stale(behaviour_score=None, mle_holdout_mse=None)
    assert same({"older": nothing}, entry, None) == []
    assert untold({"older": nothing}, entry, None) == [nothing]
    sized = entry.__class__(**{**vars(entry), "n_transitions": 300})
    assert same({"older": stale(n_transitions=300)}, sized, None) == [stale(n_transitions=300)]
    assert same({"older": stale(n_transitions=301)}, sized, None) == []
