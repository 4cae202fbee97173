"""Probe 86 (rows 15, 19): a partial sweep's table.csv says it is partial; a curve PNG that cannot
be drawn is one WARNING after the tables, not a traceback beside an older PNG."""

from __future__ import annotations

import csv
import io

import pytest

import rambo_env.sweep_report as sweep_report
from rambo_env.sweep_report import summarise, to_csv, write_report
from tests.test_sweep_report import A, B, records, results, write_runs

GRID = [("hopper-medium", c, 0) for c in (A, B)]


def _csv_line(report) -> dict[str, str]:
    (line,) = list(csv.DictReader(io.StringIO(to_csv(report))))
    return line


def test_a_partial_sweeps_csv_says_how_many_trials_finished():
    # probe 86 row 15: was rambo_* / rambo_off_* filled from the one finished configuration,
    # with no column saying the table is partial (only table.md said "Partial tables")
    runs = [results(A, 0, 10.0, [1.0])]
    line = _csv_line(summarise(records(runs), grid=GRID))
    assert (line["n_trials"], line["n_trials_finished"], line["complete"]) == ("2", "1", "False")
    assert line["rambo_k"] == "2"  # still the finished configurations' choice, as table.md
    full = _csv_line(summarise(records([*runs, results(B, 0, 20.0, [1.0])]), grid=GRID))
    assert (full["n_trials"], full["n_trials_finished"], full["complete"]) == ("2", "2", "True")
    no_grid = _csv_line(summarise(records(runs)))  # whether it is complete is not known
    assert (no_grid["n_trials"], no_grid["n_trials_finished"], no_grid["complete"]) == ("", "", "")


def test_pandas_reads_the_complete_column_as_bool(tmp_path):
    pd = pytest.importorskip("pandas")
    report = summarise(records([results(A, 0, 10.0, [1.0])]), grid=GRID)
    frame = pd.read_csv(io.StringIO(to_csv(report)))
    assert frame["complete"].dtype == bool and not frame["complete"].iloc[0]


def test_a_curve_that_cannot_be_drawn_is_one_warning_after_the_tables(
    tmp_path, monkeypatch, capsys
):
    # probe 86 row 19: was a raw traceback after table.md / table.csv were rewritten, and the
    # partial sweep's curves/<dataset>.png left beside the new tables without a word
    root = write_runs(tmp_path / "runs", [results(A, 0, 10.0, [1.0]), results(B, 0, 20.0, [1.0])])
    png = tmp_path / "curves" / "hopper-medium.png"
    png.parent.mkdir()
    png.write_bytes(b"an older report's curves")

    def fails(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(sweep_report, "plot_sweep_curves", fails)
    report, files = write_report(tmp_path, root, grid=GRID)
    assert not report.partial and set(files) == {"markdown", "csv"}
    assert "Partial" not in (tmp_path / "table.md").read_text()
    assert not png.exists()  # not the older report's curves beside the new tables
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1
    assert (
        f"[sweep] WARNING: {png} was not drawn (RuntimeError: injected); the tables are written; "
        "any older hopper-medium.png was removed; draw it again with: python scripts/sweep.py "
        f"--report-only {tmp_path}"
    ) in out


@pytest.mark.parametrize("status", ["failed", "interrupted"])
def test_a_trial_that_ended_before_its_first_iteration_is_missing_not_damaged(tmp_path, status):
    # found reproducing probe 86 row 15: a trial whose results.json says failed with an empty
    # q_history (cotrain's record of an exception before the first iteration) was "damaged
    # results.json": the sweep ended with that error instead of its partial tables
    early = {**results(B, 0, None, [], status=status), "evals": []}
    root = write_runs(tmp_path / "runs", [results(A, 0, 10.0, [1.0]), early])
    report, _ = write_report(tmp_path, root, grid=GRID)
    assert report.partial.startswith("1 of 2 trials finished")
    assert len(report.incomplete) == 1
    assert _csv_line(report)["complete"] == "False"
