"""Probe 47's run-layer findings: a run stopped part-way in the ledger, the empty panel of a run
whose curves were lost, the advice for two datasets of one name, a damaged event file at a resume
and in ledger.py."""

import dataclasses
import json

import pytest

from agents.cotrain import run_cotrain
from rambo_env import curves
from tests.agents.test_cotrain import (  # noqa: F401
    _fake_run,
    _set_fingerprint,
    _shared_model_cache,
    ledger_module,
    tiny_config,
    tiny_hopper,
)
from tests.scripts import load_script


def test_the_ledger_notes_a_run_stopped_part_way(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    """Probe 47 row 61: a run stopped at iteration 1 of 2 (``--stop-at-iteration``) was entered
    like a finished run, without a word. It is entered (long runs are ledgered as they go), with
    a note."""
    ledger_cli = load_script("ledger")
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2), run_dir)
    capsys.readouterr()
    assert ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")]) == 0
    said = capsys.readouterr().out
    assert (
        f"so far: {run_dir} stopped at iteration 1 of 2 (--stop-at-iteration); finish it with "
        f"python scripts/cotrain.py --resume {run_dir}, then run python scripts/ledger.py again: the ledger "
        "entry is then replaced"
    ) in said
    # probe 48 row 18: index.json said only "iterations": 1, like a finished 1-iteration run
    index = json.loads((tmp_path / "ledger" / "index.json").read_text())
    (entry,) = index.values()
    assert (entry["iterations"], entry["planned_iterations"], entry["status"]) == (1, 2, "stopped")


def test_the_ledger_index_records_planned_iterations_and_status(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811 (the fixture)
):
    """Probe 48 row 18: an entry records the run's planned iterations and whether it reached
    them; an index.json written before these fields reads as before (unknown)."""
    ledger = tmp_path / "ledger"
    for name, done, status in (("full", 3, "complete"), ("cut", 2, "unfinished")):
        _fake_run(tmp_path / name, done, monkeypatch, seed=done)
        config = tmp_path / name / "config.json"
        saved = json.loads(config.read_text())
        saved["config"]["n_iterations"] = 3
        config.write_text(json.dumps(saved))
        entry = ledger_module.update_ledger(tmp_path / name, ledger)
        assert (entry.iterations, entry.planned_iterations, entry.status) == (done, 3, status)
    index_path = ledger / "index.json"
    index = json.loads(index_path.read_text())
    assert sorted((e["planned_iterations"], e["status"]) for e in index.values()) == [
        (3, "complete"),
        (3, "unfinished"),
    ]
    for entry in index.values():  # an index.json from before the fields
        del entry["planned_iterations"], entry["status"]
    index_path.write_text(json.dumps(index))
    assert {
        (e.planned_iterations, e.status) for e in ledger_module.read_index(ledger).values()
    } == {(None, None)}


def test_the_ledger_says_a_lost_curves_empty_panel_was_lost(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    """Probe 47 row 21: a SAC run with an emptied tb/ and ``tb/CURVES_LOST`` had its empty q_avg
    panel put down to "an agent without it, e.g. TD3 has no ent_coef?"."""
    from rambo_env.ledger import update_ledger

    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1, eval_every=1), run_dir)
    tb = run_dir / "tb"
    for events in tb.glob("events.out.tfevents.*"):
        events.unlink()
    (tb / "CURVES_LOST").touch()
    capsys.readouterr()
    update_ledger(run_dir, tmp_path / "ledger")
    said = capsys.readouterr().out
    assert "no run has a q_avg value: its panel is empty; " in said
    assert "'s curves were lost (tb/CURVES_LOST): only its evaluations are kept" in said
    assert "TD3 has no ent_coef" not in said


def test_two_datasets_of_one_name_are_told_advice_that_works(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811 (the fixture)
):
    """Probe 47 row 22: the refusal advised "give your data another name … e.g. make_dataset.py
    --dataset-id", which does not rename a generated dataset (it is named after its env and
    level). The advice is a ledger of their own (or --replace for the same key)."""
    ledger = tmp_path / "ledger"
    for name, fingerprint, seed in (("a", "aaaa1111", 0), ("c", "bbbb2222", 1)):
        _fake_run(tmp_path / name, 3, monkeypatch, seed=seed)
        _set_fingerprint(tmp_path / name, fingerprint)
    ledger_module.update_ledger(tmp_path / "a", ledger)
    with pytest.raises(ValueError) as refused:
        ledger_module.update_ledger(tmp_path / "c", ledger)
    said = str(refused.value)
    assert said.endswith(
        "the kept run stays (keep these runs in a ledger of their own: --ledger DIR; renaming the "
        "data does not help a generated dataset: make_dataset.py names it after its env and "
        "level, whatever its --dataset-id)"
    ), said


def _damaged_run(tiny_hopper, tmp_path):  # noqa: F811 (the fixture's value)
    """A run stopped at iteration 1 of 2 whose event file is cut by 40 bytes."""
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2, eval_every=1)
    run_cotrain(cfg, run_dir)
    (events,) = (run_dir / "tb").glob("events.out.tfevents.*")
    events.write_bytes(events.read_bytes()[:-40])  # cut: its last records damaged
    return cfg, run_dir, f"[rambo_env] WARNING: {events} is damaged ("


def test_ledger_py_says_a_damaged_event_file_once(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
    monkeypatch,
):
    """Probe 47 row 48: ledger.py printed a damaged event file's warning twice."""
    ledger_cli = load_script("ledger")
    _, run_dir, warning = _damaged_run(tiny_hopper, tmp_path)
    monkeypatch.setattr(curves, "_SAID_DAMAGED", set(), raising=False)
    capsys.readouterr()
    assert ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")]) == 0
    assert capsys.readouterr().out.count(warning) == 1


def test_a_resume_over_a_damaged_event_file_says_so(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
    monkeypatch,
):
    """Probe 47 row 49: a ``--resume`` over a damaged event file went on without a word
    (ledger.py and curves.py warned afterwards); it says so, with the ledger's warning, before
    the setup."""
    from agents import cotrain

    cfg, run_dir, warning = _damaged_run(tiny_hopper, tmp_path)
    monkeypatch.setattr(curves, "_SAID_DAMAGED", set(), raising=False)
    monkeypatch.setattr(cotrain, "build_session", lambda *a, **k: pytest.fail("setup ran"))
    capsys.readouterr()
    with pytest.raises(pytest.fail.Exception, match="setup ran"):
        run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)
    said = capsys.readouterr().out
    assert said.count(warning) == 1
    assert "the iterations logged after that point are missing from the curves" in said
