"""Probe 74 row 10: sweep reports of runs scored on a reference pair other than D4RL's."""

from __future__ import annotations

import csv
import io
import json

import pytest

from rambo_env.sweep_report import PAPER_CONFIGS, build_report, to_csv, to_markdown
from tests.test_sweep_report import results

A = PAPER_CONFIGS[0]
PAIR = "normalised on the data's reference returns 0 / 1000, not D4RL's hopper -20.2723 / 3234.3"


def _write(root, name, data, config=None):
    (root / name).mkdir(parents=True)
    (root / name / "results.json").write_text(json.dumps(data))
    if config is not None:
        (root / name / "config.json").write_text(json.dumps(config))


def test_runs_on_different_pairs_are_not_added_up_and_the_pair_is_named(tmp_path):
    """Row 10: a run on D4RL's pair (1.8) and one on its data's 0 / 1000 (3.8) made a Table 1
    'total | 5.5 | 5.5' row; the pair was named nowhere (nor in the CSV)."""
    _write(tmp_path, "d4rl", {**results(A, 0, 1.8, [1.0]), "dataset": "tiny-d4rl"})
    _write(tmp_path, "pair", {**results(A, 0, 3.8, [1.0]), "dataset": "tiny-pair",
                              "ref_scores": [0.0, 1000.0], "score_label": PAIR})  # fmt: skip
    report = build_report(tmp_path)
    markdown = to_markdown(report)
    assert "| total |" not in markdown, markdown
    assert (
        f"The rows are scored on different reference pairs (tiny-d4rl: D4RL-normalised; "
        f"tiny-pair: {PAIR}): scores on different pairs are on different scales"
    ) in markdown, markdown
    assert f"| tiny-pair ({PAIR}) | 3.8 ± 0.0 (k = 2, λ = 3e-4) |" in markdown, markdown
    assert "| tiny-d4rl | 1.8 ± 0.0 (k = 2, λ = 3e-4) |" in markdown, markdown
    labels = {r["dataset"]: r["score_label"] for r in csv.DictReader(io.StringIO(to_csv(report)))}
    assert labels == {"tiny-d4rl": "D4RL-normalised", "tiny-pair": PAIR}


def test_runs_all_on_one_non_d4rl_pair_say_it_and_keep_the_total(tmp_path):
    """Row 10: ... tables whose runs share one pair (here recorded only in config.json, as a run
    before probe 71) say which in their heading."""
    config = {
        "config": {"env_id": None},
        "resolved": {
            "dataset": {"env_id": "Hopper-v5", "ref_min_score": 0.0, "ref_max_score": 1000.0}
        },
    }
    _write(tmp_path, "a", {**results(A, 0, 3.8, [1.0]), "dataset": "x"}, config)
    _write(tmp_path, "b", {**results(A, 0, 2.0, [1.0]), "dataset": "y", "score_label": PAIR})
    markdown = to_markdown(build_report(tmp_path))
    assert f"Final normalised score, {PAIR} (mean ± std over seeds" in markdown, markdown
    assert "| total | 5.8 | 5.8 |" in markdown, markdown


def test_runs_of_one_dataset_on_different_pairs_are_refused(tmp_path):
    """Row 10: seeds of one dataset on two pairs were averaged into one cell."""
    _write(tmp_path, "s0", results(A, 0, 1.8, [1.0]))
    _write(tmp_path, "s1", {**results(A, 1, 3.8, [1.0]), "score_label": PAIR})
    with pytest.raises(ValueError, match="both runs of hopper-medium, but their scores are on "
                       "different reference pairs") as err:  # fmt: skip
        build_report(tmp_path)
    assert str(tmp_path / "s0") in str(err.value) and PAIR in str(err.value)


def test_d4rl_pair_runs_read_as_before(tmp_path):
    """Row 10: runs on D4RL's pair (recorded or not): the tables as before, with the total."""
    _write(tmp_path, "a", {**results(A, 0, 10.0, [1.0]), "score_label": "D4RL-normalised"})
    _write(tmp_path, "b", {**results(A, 0, 20.0, [1.0]), "dataset": "walker2d-medium"})
    markdown = to_markdown(build_report(tmp_path))
    assert "| total | 30.0 | 30.0 |" in markdown
    assert "Final normalised score (mean ± std" in markdown and "reference pairs" not in markdown


def test_a_dataset_without_reference_scores_keeps_the_others_scores_and_no_total(tmp_path):
    """Session 56: a sweep over a Hopper dataset (scored) and a Pendulum one (no reference
    scores) tabled both in returns (the Hopper row lost its score) and added the two returns up
    in a 'total' row. Now each row on its own scale — the Pendulum row its return, named so —
    and no total; the CSV names each row's scale; its curves plot its returns."""
    from rambo_env.sweep_report import RETURNS_PAIR, write_report

    _write(tmp_path / "runs", "hop", {**results(A, 0, 1.7, [1.0]), "dataset": "tiny-hopper"})
    pend = {**results(A, 0, None, [1.0]), "dataset": "pend", "final_return": -1250.1}
    _write(tmp_path / "runs", "pend", pend)
    report = build_report(tmp_path / "runs")
    assert report.score_label == "normalised score"
    markdown = to_markdown(report)
    assert "| tiny-hopper | **1.7 ± 0.0**" in markdown, markdown
    assert f"| pend ({RETURNS_PAIR}) | **-1250.1 ± 0.0**" in markdown, markdown
    assert "| total |" not in markdown and "different scales" in markdown, markdown
    labels = {r["dataset"]: r["score_label"] for r in csv.DictReader(io.StringIO(to_csv(report)))}
    assert labels == {"tiny-hopper": "D4RL-normalised", "pend": RETURNS_PAIR}
    write_report(tmp_path / "out", tmp_path / "runs")
    assert (tmp_path / "out" / "curves" / "pend.png").is_file()
    # all rows in returns (no dataset scored): the returns of several datasets are not summed
    _write(tmp_path / "raw", "pend", pend)
    _write(tmp_path / "raw", "pend2", {**pend, "dataset": "pend2", "final_return": -900.0})
    raw = to_markdown(build_report(tmp_path / "raw"))
    assert "Final return (mean" in raw and "| total |" not in raw, raw
