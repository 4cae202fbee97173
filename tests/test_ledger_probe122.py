"""Probe 122 row 20: an entry an older rambo_env filed without the data's fingerprint that
recorded neither behaviour score nor holdout MSE was kept beside the run with a line saying its
behaviour score and model "do not tie it" (nothing was recorded to compare), and the advice left
out the old dataset's plot. The line (said at each ledger.py of the run until index.json is
mended) now says it records nothing that could tie it, and names the plot."""

from __future__ import annotations

import json

from tests.agents.test_cotrain import ledger_module  # noqa: F401 (the fixture)
from tests.test_ledger_probe116 import _entered_then_renamed
from tests.test_ledger_probe119 import _drop_fingerprints


def _forget_scores(ledger) -> None:
    _drop_fingerprints(ledger)
    path = ledger / "index.json"
    saved = json.loads(path.read_text())
    for entry in (saved["entries"] if "entries" in saved else saved).values():
        entry["behaviour_score"] = None
        entry.pop("mle_holdout_mse", None)
    path.write_text(json.dumps(saved))


def test_an_entry_recording_nothing_to_compare_is_said_so(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811
):
    ledger, run, old = _entered_then_renamed(tmp_path, monkeypatch, ledger_module)
    _forget_scores(ledger)
    capsys.readouterr()
    new = ledger_module.update_ledger(run, ledger)
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if f"{old.slug} is kept beside {new.slug}" in x)
    assert "records nothing that could tie it" in line
    assert "do not tie" not in line  # was: said of values never recorded
    assert str(ledger / "tiny-old.png") in line  # was: the old dataset's plot not named
    assert (ledger / "tiny-old.png").exists()  # kept with the entry


def test_an_entry_whose_score_differs_keeps_the_other_reason(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811
):
    ledger, _, old = _entered_then_renamed(tmp_path, monkeypatch, ledger_module)
    entry = ledger_module.read_index(ledger)[old.slug]
    other = entry.__class__(
        **{**vars(entry), "slug": "older", "behaviour_score": entry.behaviour_score + 1.0}
    )
    assert "differ from this run's" in ledger_module._untied_reason(other, entry)
