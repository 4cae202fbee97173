"""Probe 138 row 21: a results-ledger entry recorded no code version, so the README's ledger
numbers could not be traced to the code that made them. A new entry records, as bookkeeping,
each session's commit (with the dirty flag), library versions and machine, and its torch threads
and compile, inside ``settings`` under ``provenance``: no new field, so an older clone still
reads the entry, and no setting compared."""

from __future__ import annotations

import json

from rambo_env.ledger import INDEX_NAME, LEDGER_FORMAT, PROVENANCE, provenance, read_index
from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401 (the fixture)

#: LedgerEntry's fields before probe 138: an older clone takes an entry's keys by these names
#: (an unknown one refuses the whole index), so a new entry must hold no other.
FIELDS_BEFORE = {
    "slug", "dataset", "algo", "rollout_length", "adversary_weight", "seed", "behaviour_score",
    "bc_score", "iterations", "last10_score", "cotrain_wall_s", "critic_layer_norm", "run_dir",
    "precision", "mle_epochs", "mle_holdout_mse", "dataset_fingerprint", "model_seed", "diverged",
    "n_transitions", "settings", "planned_iterations", "status", "score_label", "dataset_source",
}  # fmt: skip


def _versions(commit: str, dirty: str = "false") -> dict[str, str]:
    return {
        "rambo_env": "0.1.0",
        "torch": "2.13.0",
        "rambo_env_commit": commit,
        "rambo_env_dirty": dirty,
        "python": "3.11.7",
        "cpu": "AMD EPYC",
    }


def _record(run_dir, commit: str, dirty: str = "false", threads: int = 1) -> None:
    saved = json.loads((run_dir / "config.json").read_text())
    saved["resolved"]["versions"] = _versions(commit, dirty)
    (run_dir / "config.json").write_text(json.dumps(saved))
    results = {
        "session_versions": [_versions(commit, dirty)],
        "session_settings": [{"torch_threads": threads, "compiled": False}],
    }
    (run_dir / "results.json").write_text(json.dumps(results))


def test_a_new_entry_records_the_code_versions_and_threads(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811 (the fixture)
):
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "run", 3, monkeypatch)
    _record(tmp_path / "run", "a" * 40, dirty="true", threads=2)
    entry = ledger_module.update_ledger(tmp_path / "run", ledger)
    kept = provenance(entry)
    assert kept == {  # was: no commit, no versions, no threads / compile
        "session_versions": [_versions("a" * 40, "true")],
        "session_settings": [{"torch_threads": 2, "compiled": False}],
    }
    index = json.loads((ledger / INDEX_NAME).read_text())
    written = index[entry.slug]
    assert written["format"] == LEDGER_FORMAT == 1  # an older clone reads format 1
    assert set(written) - {"format"} <= FIELDS_BEFORE
    assert written["settings"][PROVENANCE] == kept
    assert provenance(read_index(ledger)[entry.slug]) == kept
    # another commit is bookkeeping, not another setting: a longer run of the key replaces it
    _fake_run(tmp_path / "later", 5, monkeypatch)
    _record(tmp_path / "later", "b" * 40)
    entry = ledger_module.update_ledger(tmp_path / "later", ledger)
    assert provenance(entry)["session_versions"][0]["rambo_env_commit"] == "b" * 40


def test_an_entry_written_before_records_none_and_loads(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811 (the fixture)
):
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "run", 3, monkeypatch)  # a run that records no versions: none kept
    entry = ledger_module.update_ledger(tmp_path / "run", ledger)
    assert provenance(entry) is None and PROVENANCE not in (entry.settings or {})
    index = json.loads((ledger / INDEX_NAME).read_text())
    del index[entry.slug]["format"]  # as probe 113's ledger wrote it
    del index[entry.slug]["settings"]  # as before probe 41
    (ledger / INDEX_NAME).write_text(json.dumps(index))
    assert provenance(read_index(ledger)[entry.slug]) is None
