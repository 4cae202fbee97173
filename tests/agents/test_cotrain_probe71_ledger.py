"""Probe 71 rows 16, 22: scores on a reference pair other than D4RL's are labelled as such and
the ledger does not compare runs on different pairs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rambo_env.data.scores import REF_SCORES
from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401 (the fixture)
from tests.scripts import load_script

OTHER = (-19.0, 3500.0)  # a Minari dataset's own pair (probe 71's stand-in)


def _set_pair(run_dir, pair) -> None:
    saved = json.loads((run_dir / "config.json").read_text())
    saved["resolved"]["dataset"]["env_id"] = "Hopper-v5"
    if pair is not None:
        saved["resolved"]["dataset"].update(ref_min_score=pair[0], ref_max_score=pair[1])
    (run_dir / "config.json").write_text(json.dumps(saved))


def _results(**more) -> dict:
    return {
        "evals": [],
        "iterations_completed": 3,
        "final_score": 4.4,
        "final_return": 137.5,
        "rollout_length": 2,
        "adversary_weight": 3e-4,
        "dataset_name": "tiny-hopper",
        "algo": "sac",
        **more,
    }


def test_runs_on_another_reference_pair_are_not_compared(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811 (the fixture)
):
    # probe 71 row 22: a run on D4RL's pair was set against the ledger's run on the data's own
    # pair (-19 / 3500) as one scale, and ledger.py replaced the one by the other unsaid
    cotrain_cli = load_script("cotrain")
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "kept", 3, monkeypatch, seed=0)
    _set_pair(tmp_path / "kept", None)  # an entry before pairs were recorded: D4RL's
    ledger_module.update_ledger(tmp_path / "kept", ledger)
    _fake_run(tmp_path / "other", 3, monkeypatch, seed=0)
    _set_pair(tmp_path / "other", OTHER)
    line = cotrain_cli.standing_lines(_results(), ledger, run_dir=tmp_path / "other")[-1]
    assert line.endswith(
        "ran with other settings: ref_scores [-19.0, 3500.0] vs [-20.272305, 3234.3] (this "
        "run's vs its): not compared"
    )
    with pytest.raises(ValueError, match=r"other settings .*ref_scores \[-19\.0, 3500\.0\] vs"):
        ledger_module.update_ledger(tmp_path / "other", ledger)
    _fake_run(tmp_path / "d4rl", 3, monkeypatch, seed=0)
    _set_pair(tmp_path / "d4rl", REF_SCORES["hopper"])  # the legitimate run: compared
    same = cotrain_cli.standing_lines(_results(), ledger, run_dir=tmp_path / "d4rl")[-1]
    assert "not compared" not in same and "ref_scores" not in same
    ledger_module.update_ledger(tmp_path / "d4rl", ledger, replace=True)
    index = json.loads((ledger / "index.json").read_text())
    (entry,) = index.values() if isinstance(index, dict) else index
    assert entry["settings"]["ref_scores"] == list(REF_SCORES["hopper"])


def test_the_closing_lines_say_which_pair_the_scores_are_on(tmp_path, capsys):
    # probe 71 row 16: was "D4RL-normalised score of the final policy: 4.4" on the pair -19 / 3500
    from rambo_env.data.scores import score_label

    cotrain_cli = load_script("cotrain")
    label = score_label("Hopper-v5", *OTHER)
    assert label == (
        "normalised on the data's reference returns -19 / 3500, not D4RL's hopper -20.2723 / 3234.3"
    )
    lines = cotrain_cli.standing_lines(_results(score_label=label), tmp_path / "none")
    assert lines[0].startswith(f"where this stands ({label}): ")
    assert cotrain_cli._score_of(_results(score_label=label), "the final policy") == (
        f"score of the final policy ({label})"
    )
    d4rl = score_label("Hopper-v5", *REF_SCORES["hopper"])
    assert d4rl == "D4RL-normalised" == score_label("Hopper-v5", None, None)
    for results in (_results(score_label=d4rl), _results()):  # a run before the label: D4RL's
        assert cotrain_cli.standing_lines(results, tmp_path / "none")[0].startswith(
            "where this stands (D4RL-normalised): "
        )
        assert cotrain_cli._score_of(results, "x") == "D4RL-normalised score of x"


def test_data_on_their_own_pair_are_noted_once_at_load(tmp_path, capsys):
    import rambo_env
    from tests.data.data_helpers import make_dataset

    for name, pair in (("own", OTHER), ("d4rl", REF_SCORES["hopper"])):
        data = make_dataset(
            episode_lengths=(20, 20),
            terminal_last=(False, False),
            ref_min_score=pair[0],
            ref_max_score=pair[1],
        )
        data.to_npz(tmp_path / f"{name}.npz")
        capsys.readouterr()
        loaded = rambo_env.load_dataset(str(tmp_path / f"{name}.npz"))
        said = capsys.readouterr().out
        assert np.isclose(loaded.ref_min_score, pair[0])
        if name == "own":
            assert said.count("carries its own reference returns (-19 / 3500, not D4RL") == 1
            assert "not D4RL's hopper" in said
        else:
            assert "reference" not in said
