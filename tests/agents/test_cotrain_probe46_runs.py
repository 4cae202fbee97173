"""Probe 46's run-layer findings: the ledger's dataset size, a resume of a run whose tb/ holds
another run's event files, the ``tb/CURVES_LOST`` marker in ledger.py and curves.py."""

import dataclasses
import json
import shutil

import pytest

from agents.cotrain import run_cotrain
from tests.agents.test_cotrain import _shared_model_cache, tiny_config, tiny_hopper  # noqa: F401
from tests.scripts import load_script


def test_the_results_ledger_refuses_a_short_name_run_on_fewer_transitions_than_the_protocol(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    """Probe 46 row 27: a run on 300 transitions of rambo/hopper/random-v0 (``--dataset
    hopper-random``) was entered as hopper-random among the protocol-size runs, its size
    recorded nowhere. Another ledger takes it, its size recorded; runs recorded before the size
    was (no ``n_transitions``) are taken as before."""
    from rambo_env import ledger

    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    saved = json.loads((run_dir / "config.json").read_text())
    saved["resolved"]["dataset"]["name"] = "hopper-random"  # as --dataset hopper-random
    (run_dir / "config.json").write_text(json.dumps(saved))
    results = tmp_path / "results-ledger"
    monkeypatch.setattr(ledger, "DEFAULT_LEDGER_DIR", results)
    with pytest.raises(ValueError) as refused:
        ledger.update_ledger(run_dir, results)
    assert str(refused.value) == (
        f"run_dir: {run_dir} trained on 300 transitions of hopper-random (its config.json), not "
        f"the protocol's 1,000,000; the results ledger {results} compares protocol-size runs "
        "only: enter it in a ledger of its own (--ledger DIR for small-data runs)"
    )
    assert not (results / "index.json").exists()
    entry = ledger.update_ledger(run_dir, tmp_path / "small")
    assert entry.n_transitions == 300
    index = json.loads((tmp_path / "small" / "index.json").read_text())
    assert index[entry.slug]["n_transitions"] == 300
    del saved["resolved"]["dataset"]["n_transitions"]  # a run from before the size was saved
    (run_dir / "config.json").write_text(json.dumps(saved))
    assert ledger.update_ledger(run_dir, results).n_transitions is None
    assert "n_transitions" not in json.loads((results / "index.json").read_text())[entry.slug]
    assert ledger.protocol_transitions("hopper-medium-expert") == 2_000_000
    assert ledger.protocol_transitions("rambo/hopper/random-v0") == 1_000_000
    assert ledger.protocol_transitions("hopper-medium-replay") is None


def test_resume_of_a_run_whose_tb_holds_another_runs_event_file_is_refused_before_the_setup(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    """Probe 46 row 32: ``--resume`` went on without a word; ledger.py and curves.py refused the
    same folder later. The ledger's check runs at the resume, before the setup."""
    from agents import cotrain

    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, run_dir)
    tb = run_dir / "tb"
    (own,) = tb.glob("events.out.tfevents.*")
    (tb / "other").mkdir()
    shutil.copy(own, tb / "other" / own.name)  # another run's log from its warm start on
    monkeypatch.setattr(cotrain, "build_session", lambda *a, **k: pytest.fail("setup ran"))
    resumed = dataclasses.replace(cfg, stop_at_iteration=None)
    with pytest.raises(ValueError) as refused:
        run_cotrain(resumed, run_dir, resume=True)
    said = str(refused.value)
    assert said.startswith(f"run_dir: {tb} holds the TensorBoard logs of more than one run: ")
    assert said.endswith("move the event files that are not this run's out of tb/")
    shutil.rmtree(tb / "other")
    with pytest.raises(pytest.fail.Exception, match="setup ran"):  # past the check
        run_cotrain(resumed, run_dir, resume=True)


def test_curves_lost_is_honoured_by_the_ledger_and_curves_py(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    """Probe 46 rows 28 and 34: curves.py wrote a curve without the iterations lost before a
    resume and said nothing; a finished run with an emptied tb/ and ``tb/CURVES_LOST`` was
    refused by the ledger ("restore tb/ from a copy"), the marker neither honoured nor named."""
    from rambo_env.ledger import update_ledger

    curves_cli = load_script("curves")
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2, eval_every=1)
    run_cotrain(cfg, run_dir)
    tb = run_dir / "tb"
    shutil.rmtree(tb)
    tb.mkdir()
    (tb / "CURVES_LOST").touch()
    results = run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)
    capsys.readouterr()
    assert curves_cli.main([f"a={run_dir}", "--out", str(tmp_path / "cv" / "t1")]) == 0
    said = capsys.readouterr().out
    assert (
        f"[curves] WARNING: {tb} lacks the evaluations of 1 iteration (1) that its results.json "
        "records (tb/CURVES_LOST: its curves were lost): a's curve lacks them"
    ) in said
    for events in tb.glob("events.out.tfevents.*"):
        events.unlink()  # the curves of all iterations lost, and said so
    entry = update_ledger(run_dir, tmp_path / "ledger")
    assert entry.iterations == 2
    assert entry.last10_score == pytest.approx(results["final_score"], rel=1e-6)
    said = capsys.readouterr().out
    assert (
        f"[ledger] WARNING: {tb} lacks the evaluations of 2 iterations (1, 2) that its "
        "results.json records (tb/CURVES_LOST: its curves were lost): the last-10 mean is taken "
        "from results.json; the ledger's curve has only their scores"
    ) in said
    assert curves_cli.main([f"a={run_dir}", "--out", str(tmp_path / "cv" / "t2")]) == 0
    assert "a's curve holds only their scores" in capsys.readouterr().out
    (tb / "CURVES_LOST").unlink()
    with pytest.raises(ValueError) as refused:
        update_ledger(run_dir, tmp_path / "ledger")
    assert str(refused.value).endswith(
        "hold none (damaged or replaced); restore tb/ from a copy of the run, or, to go on "
        f"without the curves, touch {tb / 'CURVES_LOST'} (the evaluations are then taken from "
        "its results.json)"
    )


def test_the_closing_summary_sets_a_run_only_against_a_ledger_run_on_as_many_transitions(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
):
    """Probe 46 rows 26–27: cotrain's closing lines set a run on 300 transitions labelled
    hopper-random against the ledger's long run of hopper-random as if on the same data. A
    ledger run on as many transitions is compared; one on another size (or recorded before the
    size was: a protocol-size run) is named and not compared."""
    from rambo_env import ledger

    cotrain_cli = load_script("cotrain")
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    saved = json.loads((run_dir / "config.json").read_text())
    saved["resolved"]["dataset"]["name"] = "hopper-random"
    (run_dir / "config.json").write_text(json.dumps(saved))
    ledger.update_ledger(run_dir, tmp_path / "small")  # records 300 transitions
    del saved["resolved"]["dataset"]["n_transitions"]  # an entry from before sizes were saved
    (run_dir / "config.json").write_text(json.dumps(saved))
    ledger.update_ledger(run_dir, tmp_path / "old-same")  # on this run's very data (fingerprint)
    del saved["resolved"]["dataset"]["fingerprint"]  # ... and older still: a protocol-size run
    (run_dir / "config.json").write_text(json.dumps(saved))
    ledger.update_ledger(run_dir, tmp_path / "old")
    results = json.loads((run_dir / "results.json").read_text())
    assert results["dataset_n_transitions"] == 300
    results["dataset_name"] = "hopper-random"
    same = cotrain_cli.standing_lines(results, tmp_path / "small")[-1]
    assert same.startswith("results ledger, long run hopper-random / "), same
    other = cotrain_cli.standing_lines(results, tmp_path / "old")[-1]
    assert other.startswith(f"results ledger ({tmp_path / 'old'}): its run of hopper-random / ")
    assert other.endswith("trained on 1,000,000 transitions, this run on 300: not compared"), other
    # probe 72 row 3: an entry without a size but on this run's data was "trained on 1,000,000"
    same_data = cotrain_cli.standing_lines(results, tmp_path / "old-same")[-1]
    assert same_data.startswith("results ledger, long run hopper-random / "), same_data
