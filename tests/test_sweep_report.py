"""Sweep report (Table 6 / Table 1 layouts, RAMBO and RAMBO-OFF selection) on hand-made runs."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from rambo_env.presets import RamboPreset
from rambo_env.sweep_report import (
    PAPER_CONFIGS,
    RunRecord,
    config_label,
    config_slug,
    load_runs,
    summarise,
    to_csv,
    to_markdown,
    write_report,
)

A, B, C = PAPER_CONFIGS  # (2, 3e-4), (5, 3e-4), (5, 0)


def results(config, seed, score, q_history, status="finished", dataset="hopper-medium"):
    """A results.json as run_cotrain writes it (only the fields the report reads)."""
    return {
        "status": status,
        "dataset": dataset,
        "seed": seed,
        "rollout_length": config.rollout_length,
        "adversary_weight": config.adversary_weight,
        "final_score": score,
        "final_return": None if score is None else 10.0 * score,
        "evals": [
            {"iteration": 0, "normalized_score": 1.0, "return_mean": 10.0},
            {"iteration": 2, "normalized_score": score, "return_mean": 20.0},
        ],
        "q_history": q_history,
    }


def write_runs(root, runs):
    for i, data in enumerate(runs):
        run_dir = root / f"run{i}"
        run_dir.mkdir(parents=True)
        (run_dir / "results.json").write_text(json.dumps(data))
    return root


def records(runs):
    return [RunRecord.from_results(r, f"run{i}") for i, r in enumerate(runs)]


def test_known_numbers_give_known_table(tmp_path):
    runs = [
        # A: scores 10, 20 -> 15 ± 5; heuristic: q [3, 5] -> 5 + var 1 = 6 (both seeds) -> 6
        results(A, 0, 10.0, [3.0, 5.0]),
        results(A, 1, 20.0, [3.0, 5.0]),
        # B: scores 30, 50 -> 40 ± 10 (best); heuristic: q [0, 10] -> 10 + 25 = 35, q [1, 1] -> 1
        results(B, 0, 30.0, [0.0, 10.0]),
        results(B, 1, 50.0, [1.0, 1.0]),
    ]
    root = write_runs(tmp_path / "runs", runs)
    report, files = write_report(tmp_path, root)
    assert report.configs == (A, B)  # Table 6 order: k ascending, then λ descending
    (row,) = report.rows
    cell_a, cell_b = row.cells
    assert (cell_a.score_mean, cell_a.score_std, cell_a.heuristic) == (15.0, 5.0, 6.0)
    assert (cell_b.score_mean, cell_b.score_std, cell_b.heuristic) == (40.0, 10.0, 18.0)
    assert cell_a.seeds == (0, 1) and cell_a.n_diverged == 0
    assert (row.rambo, row.rambo_off) == (B, A)

    markdown = (tmp_path / "table.md").read_text()
    assert markdown == to_markdown(report)
    assert "| k = 2, λ = 3e-4 | k = 5, λ = 3e-4 |" in markdown
    assert "| hopper-medium | 15.0 ± 5.0 (**6.0**) | **40.0 ± 10.0** (18.0) | 2 |" in markdown
    assert (
        "| hopper-medium | 40.0 ± 10.0 (k = 5, λ = 3e-4) | 15.0 ± 5.0 (k = 2, λ = 3e-4) |"
        in markdown
    )
    assert "| total | 40.0 | 15.0 |" in markdown

    (line,) = list(csv.DictReader(io.StringIO((tmp_path / "table.csv").read_text())))
    assert line["dataset"] == "hopper-medium"
    assert float(line["k2-lam3e-4_mean"]) == 15.0 and float(line["k5-lam3e-4_std"]) == 10.0
    assert float(line["k5-lam3e-4_heuristic"]) == 18.0 and line["k2-lam3e-4_n_seeds"] == "2"
    assert (line["rambo_k"], float(line["rambo_lambda"]), float(line["rambo_mean"])) == (
        "5",
        3e-4,
        40.0,
    )
    assert (line["rambo_off_k"], float(line["rambo_off_mean"])) == ("2", 15.0)
    png = files["curves:hopper-medium"]
    assert png == tmp_path / "curves" / "hopper-medium.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_ties_go_to_the_earlier_configuration():
    runs = [results(c, 0, 50.0, [2.0, 2.0]) for c in (C, B, A)]  # same score, same heuristic
    (row,) = summarise(records(runs)).rows
    assert (row.rambo, row.rambo_off) == (A, A)
    (row,) = summarise(records(runs), configs=(C, B, A)).rows  # a given order decides
    assert (row.rambo, row.rambo_off) == (C, C)


def test_diverged_or_non_finite_heuristic_is_never_chosen():
    runs = [
        # A: best score and lowest Q in seed 0, but seed 1 diverged -> "−", heuristic inf
        results(A, 0, 90.0, [0.0, 0.0]),
        results(A, 1, 80.0, [1.0], status="diverged"),
        # B: a non-finite Q in the log (null in JSON) -> heuristic inf, but a finite score
        results(B, 0, 60.0, [1.0, None]),
        # C: the only finite heuristic, and a large one
        results(C, 0, 20.0, [1e6, 1e6]),
    ]
    report = summarise(records(runs))
    (row,) = report.rows
    cell_a, cell_b, _ = row.cells
    assert cell_a.score_mean is None and cell_a.n_diverged == 1 and cell_a.heuristic == math.inf
    assert cell_b.heuristic == math.inf and cell_b.score_mean == 60.0
    assert (row.rambo, row.rambo_off) == (B, C)
    markdown = to_markdown(report)
    assert "| − (inf) [1/2 diverged] | **60.0 ± 0.0** (inf) | 20.0 ± 0.0 (**1.0e6**) |" in markdown
    line = next(csv.DictReader(io.StringIO(to_csv(report))))
    assert line["k2-lam3e-4_mean"] == "" and line["k2-lam3e-4_heuristic"] == "inf"
    assert line["k2-lam3e-4_n_diverged"] == "1"

    all_diverged = [results(A, 0, 5.0, [1.0], status="diverged")]
    (row,) = summarise(records(all_diverged)).rows
    assert (row.rambo, row.rambo_off) == (None, None)
    assert "| hopper-medium | − | − |" in to_markdown(summarise(records(all_diverged)))


def test_incomplete_runs_are_listed_not_counted(tmp_path):
    runs = [results(A, 0, 10.0, [1.0]), results(A, 1, 99.0, [1.0], status="interrupted")]
    root = write_runs(tmp_path, runs)
    complete, incomplete = load_runs(root)
    assert [r.seed for r in complete] == [0] and incomplete == [root / "run1"]
    report = summarise(complete, incomplete=incomplete)
    assert report.rows[0].cells[0].score_mean == 10.0
    assert "Incomplete runs (not in the tables): 1" in to_markdown(report)


def test_rows_and_columns_follow_the_given_order_and_skip_missing():
    runs = [
        results(A, 0, 10.0, [1.0], dataset="walker2d-medium"),
        results(C, 0, 20.0, [1.0], dataset="hopper-medium"),
    ]
    report = summarise(records(runs), datasets=["hopper-medium", "nope", "walker2d-medium"])
    assert [r.dataset for r in report.rows] == ["hopper-medium", "walker2d-medium"]
    assert report.configs == (A, C)
    assert report.rows[0].cells[0] is None and report.rows[1].cells[1] is None
    with pytest.raises(ValueError, match="configs"):
        summarise(records(runs), configs=[A])


def test_return_is_used_without_reference_scores():
    runs = [results(A, 0, None, [1.0]), results(B, 0, 3.0, [1.0])]
    report = summarise(records(runs))
    assert report.score_label == "return"
    assert [c.score_mean for c in report.rows[0].cells] == [None, 30.0]


def test_labels_and_errors_name_the_field(tmp_path):
    assert config_label(RamboPreset(5, 0.0)) == "k = 5, λ = 0"
    assert config_slug(RamboPreset(2, 1.5e-4)) == "k2-lam1.5e-4"
    bad = results(A, 0, 1.0, [1.0])
    del bad["seed"]
    with pytest.raises(ValueError, match="'seed' missing"):
        RunRecord.from_results(bad, tmp_path)
    with pytest.raises(FileNotFoundError, match="runs_root"):
        load_runs(tmp_path / "missing")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{bad", r"JSONDecodeError: Expecting property name"),
        ("[1, 2]", r"ValueError: field 'dataset' missing"),
        (
            '{"dataset": "x", "rollout_length": "a", "adversary_weight": 0, "seed": 0, '
            '"status": "finished"}',
            # probe 66 row 93: was int()'s "invalid literal for int()"
            r"ValueError: field 'rollout_length': expected an int >= 1, got 'a'",
        ),
    ],
)
def test_a_damaged_trial_results_json_names_the_file(tmp_path, text, reason):
    """Probe 10: was "error: Expecting value: …" / "invalid literal for int() …" from
    ``sweep.py --report-only``, naming no file."""
    path = tmp_path / "runs" / "x" / "k2-lam0" / "s0" / "results.json"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"s0/results.json: damaged results.json \({reason}"):
        load_runs(tmp_path / "runs")


def test_two_runs_of_one_seed_are_refused_not_counted_twice(tmp_path):
    """Probe 20: a trial folder copied inside the sweep's runs folder (same dataset, (k, λ) and
    seed) was counted as a second seed: mean ± std over (0, 0), silently."""
    runs = [results(A, 0, 10.0, [1.0]), results(A, 1, 20.0, [1.0]), results(A, 0, 10.0, [1.0])]
    complete, _ = load_runs(write_runs(tmp_path, runs))
    message = r"runs: .*run0 and .*run2 are both runs of hopper-medium with k = 2, λ = 3e-4 and"
    with pytest.raises(ValueError, match=message + r" seed 0; the table counts one run per seed"):
        summarise(complete)
    other = [results(A, 0, 10.0, [1.0]), results(A, 0, 20.0, [1.0], dataset="walker2d-medium")]
    assert len(summarise(records(other)).rows) == 2  # one seed of two datasets: taken


def test_a_diverged_run_does_not_decide_the_unit():
    """Probe 24: one diverged configuration (``--configs 2:1e300,2:3e-4``: no final score)
    switched the whole table from normalised scores to raw returns."""
    runs = [results(A, 0, None, [1.0], status="diverged"), results(B, 0, 30.0, [1.0])]
    runs[0]["final_return"] = None
    report = summarise(records(runs))
    assert report.score_label == "normalised score"
    assert [c.score_mean for c in report.rows[0].cells] == [None, 30.0]  # "−", then the score
    assert "Final normalised score" in to_markdown(report)


def test_runs_of_the_grid_without_a_result_are_named():
    """Probe 24: a half-finished sweep's table (some trials without results.json) looked
    complete; an interrupted run (results.json) was listed, a missing one was not."""
    runs = [results(A, 0, 10.0, [1.0]), results(A, 1, 20.0, [1.0], status="interrupted")]
    grid = [("hopper-medium", c, seed) for c in (A, B) for seed in (0, 1)]
    report = summarise(records(runs), grid=grid)
    assert report.n_expected == 4  # the interrupted run (seed 1) is missing, as B's never run
    assert report.missing == (
        "hopper-medium/k2-lam3e-4/s1",
        "hopper-medium/k5-lam3e-4/s0",
        "hopper-medium/k5-lam3e-4/s1",
    )
    partial = (
        "1 of 4 trials finished; missing/unfinished: hopper-medium/k2-lam3e-4/s1, "
        "hopper-medium/k5-lam3e-4/s0, hopper-medium/k5-lam3e-4/s1"
    )
    assert report.partial == partial
    assert f"**Partial tables: {partial}.**" in to_markdown(report)
    complete = summarise(records(runs[:1]), grid=grid[:1])
    assert complete.partial == "" and "Partial" not in to_markdown(complete)


def test_the_tables_name_the_agent_of_the_runs():
    """Probe 28: the tables of a td3 (tqc, crossq, ddpg) sweep were titled RAMBO / RAMBO-OFF and
    named no agent; only sweep.json and the folder name did."""
    runs = [results(A, 0, 10.0, [1.0, 2.0]), results(B, 0, 20.0, [1.0, 1.0])]
    report = summarise(records([r | {"algo": "td3"} for r in runs]))
    assert report.agent == "td3"
    markdown = to_markdown(report)
    assert "## RAMBO per (k, λ) configuration (paper Table 6 layout), agent: td3\n" in markdown
    assert "## RAMBO and RAMBO-OFF (paper Table 1 layout), agent: td3\n" in markdown
    assert "| dataset | RAMBO (td3) | RAMBO-OFF (td3) |" in markdown
    line = next(csv.DictReader(io.StringIO(to_csv(report))))
    assert line["agent"] == "td3"
    assert summarise(records(runs), agent="tqc").agent == "tqc"  # a sweep's own, given
    mixed = summarise(records([runs[0] | {"algo": "td3"}, runs[1] | {"algo": "sac"}]))
    assert "agent: sac, td3" in to_markdown(mixed)
    unnamed = summarise(records(runs))  # runs of an older results.json: as before
    assert unnamed.agent is None and "| dataset | RAMBO | RAMBO-OFF |" in to_markdown(unnamed)
    assert next(csv.DictReader(io.StringIO(to_csv(unnamed))))["agent"] == ""


def test_a_run_never_evaluated_is_not_shown_as_diverged():
    """Probe 42: a finished run on data naming no env (never evaluated: no score, no return)
    showed "−", whose legend says "the value function diverged"; in both tables."""
    runs = [results(A, 0, None, [1.0]), results(B, 0, None, [1.0])]
    for run in runs:
        run["evals"] = []
    markdown = to_markdown(summarise(records(runs)))
    assert "| hopper-medium | n/a (**1.0**) | n/a (1.0) | 1 |" in markdown
    assert "| hopper-medium | n/a | n/a (k = 2, λ = 3e-4) |" in markdown
    legend = "n/a: not evaluated (the data name no env: pass --env-id)."
    assert markdown.count(legend) == 2
    diverged = [results(A, 0, None, [1.0], status="diverged"), results(B, 0, 30.0, [1.0])]
    diverged[0]["final_return"] = None
    markdown = to_markdown(summarise(records(diverged)))
    assert "| − (inf) [1/1 diverged] |" in markdown and "n/a" not in markdown


def test_runs_of_the_grid_with_other_iterations_than_the_sweep_are_named():
    """Probe 46 row 35: a trial of a 2-iteration sweep resumed by hand for a third iteration
    was shown as the sweep's result, without a word."""
    runs = [results(A, 0, 10.0, [1.0]), results(A, 1, 20.0, [1.0])]
    runs[0]["iterations_completed"], runs[1]["iterations_completed"] = 3, 2
    grid = [("hopper-medium", A, seed) for seed in (0, 1)]
    report = summarise(records(runs), grid=grid, n_iterations=2)
    assert report.other_iterations == ("hopper-medium/k2-lam3e-4/s0 (3 iterations)",)
    note = (
        "WARNING: 1 run of the grid ran other than the sweep's 2 iterations (extended or cut by "
        "hand?): hopper-medium/k2-lam3e-4/s0 (3 iterations); their scores are in the tables but "
        "are not the sweep's setting (rerun them with the sweep's iterations for a like-for-like "
        "table)"
    )
    assert report.iterations_note == note
    assert f"**{note}.**" in to_markdown(report)
    same = summarise(records(runs[1:]), grid=grid[1:], n_iterations=2)
    assert same.iterations_note == "" and "WARNING" not in to_markdown(same)


def test_a_trial_folder_holding_another_trials_run_is_left_out(tmp_path, capsys):
    """Probe 52 row 64: a cotrain run of another dataset copied into a sweep's trial folder
    became a row of the tables (a dataset the sweep never ran), without a word; it is now one
    WARNING naming the folder, what it holds and what the trial is, and the trial counts as
    missing."""
    from rambo_env.sweep_report import build_report

    root = tmp_path / "runs"
    grid = [("hopper-medium", A, 0), ("hopper-medium", A, 1)]
    planned = {
        0: results(A, 0, 10.0, [1.0]),
        1: results(A, 0, 20.0, [1.0], dataset="hopper-random"),  # copied in
    }
    for seed, data in planned.items():
        run_dir = root / "hopper-medium" / config_slug(A) / f"s{seed}"
        run_dir.mkdir(parents=True)
        (run_dir / "results.json").write_text(json.dumps({**data, "iterations_completed": 1}))
    report = build_report(root, datasets=["hopper-medium"], configs=[A], grid=grid)
    out = capsys.readouterr().out
    foreign = root / "hopper-medium" / "k2-lam3e-4" / "s1"
    assert out == (
        f"[sweep] WARNING: {foreign} holds a run of hopper-random (k = 2, λ = 3e-4, seed 0, 1 "
        "iteration), not this sweep's trial hopper-medium (k = 2, λ = 3e-4, seed 1): copied "
        "in?; left out of the tables; put back the trial's own run, or remove the folder and "
        "continue the sweep (scripts/sweep.py --resume)\n"
    ), out
    assert [row.dataset for row in report.rows] == ["hopper-medium"]
    assert report.missing == ("hopper-medium/k2-lam3e-4/s1",)
    assert "hopper-random" not in to_markdown(report)
    # the trial's own run: no warning, counted
    (foreign / "results.json").write_text(json.dumps(results(A, 1, 20.0, [1.0])))
    report = build_report(root, datasets=["hopper-medium"], configs=[A], grid=grid)
    assert capsys.readouterr().out == "" and report.missing == ()


def test_a_finished_trial_with_a_nan_score_is_named_and_left_out(tmp_path, capsys):
    """Probe 58 row 15: a finished trial whose results.json holds final_score NaN (hand-edited
    or damaged: cotrain writes a finite score) was tabled as "nan ± nan" without a word; it is
    now one WARNING naming the file, and the trial counts as missing."""
    from rambo_env.sweep_report import build_report

    root = tmp_path / "runs"
    grid = [("hopper-medium", A, 0), ("hopper-medium", A, 1)]
    for seed, score in ((0, 10.0), (1, float("nan"))):
        run_dir = root / "hopper-medium" / config_slug(A) / f"s{seed}"
        run_dir.mkdir(parents=True)
        (run_dir / "results.json").write_text(json.dumps(results(A, seed, score, [1.0])))
    report = build_report(root, datasets=["hopper-medium"], configs=[A], grid=grid)
    damaged = root / "hopper-medium" / "k2-lam3e-4" / "s1" / "results.json"
    assert capsys.readouterr().out == (
        f"[sweep] WARNING: {damaged}: final_score is NaN though status is finished; left out of "
        "the tables; restore it or rerun the trial (remove its folder and continue the sweep: "
        "scripts/sweep.py --resume)\n"
    )
    assert report.missing == ("hopper-medium/k2-lam3e-4/s1",)
    assert "nan" not in to_markdown(report) and report.rows[0].cells[0].score_mean == 10.0
