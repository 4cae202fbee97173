"""Probe 89 (p89b) row 24: ledger.py entered a run failed on a non-finite actor (results.json
``failed``, ``error.kind`` ``diverged``) with index status ``unfinished``, as a run to be
continued, while its own words (printed by the same command) say ``--resume`` likely diverges
again."""

from __future__ import annotations

from rambo_env.ledger import RUN_STATUSES, read_index
from tests.agents.test_cotrain import _shared_model_cache, tiny_hopper  # noqa: F401 (fixtures)
from tests.agents.test_cotrain_errors_probe85a import diverged_run
from tests.scripts import load_script


def test_a_run_failed_on_a_non_finite_actor_is_entered_as_diverged(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 89 row 24: was index.json status "unfinished" (like a run to be continued)
    run_dir = diverged_run(tiny_hopper, tmp_path, monkeypatch)
    capsys.readouterr()
    ledger = tmp_path / "ledger"
    assert load_script("ledger").main([str(run_dir), "--ledger", str(ledger)]) == 0
    said = capsys.readouterr().out
    (entry,) = read_index(ledger).values()
    assert entry.status == "diverged" and entry.status in RUN_STATUSES, entry
    assert entry.iterations == 1 and entry.planned_iterations == 3
    # the console keeps the run's own words (it is not resumed)
    assert "its run failed at iteration 1 of 3: diverged in iteration 2" in said, said
    assert "likely diverges again; start a new run with other settings" in said
    assert "continue it with" not in said
    # the index, read back by the next ledger.py run (the entry replaced), stays readable
    assert load_script("ledger").main([str(run_dir), "--ledger", str(ledger)]) == 0
    assert read_index(ledger)[entry.slug].status == "diverged"
