"""Probe 121: table.md's bold choice must be visible in the printed digits, and the
sweep curve must show where its mean is over fewer seeds."""

from __future__ import annotations

from rambo_env import sweep_report
from rambo_env.sweep_report import (
    PAPER_CONFIGS,
    RunRecord,
    plot_sweep_curves,
    summarise,
    to_markdown,
)

A, B, C = PAPER_CONFIGS  # (2, 3e-4), (5, 3e-4), (5, 0)


def record(config, seed, score, q_history, status="finished", evals=None):
    evals = evals or [(0, 1.0), (2, score)]
    return RunRecord.from_results(
        {
            "status": status,
            "dataset": "hopper-medium",
            "seed": seed,
            "rollout_length": config.rollout_length,
            "adversary_weight": config.adversary_weight,
            "final_score": score,
            "final_return": 10.0 * score,
            "evals": [
                {"iteration": i, "normalized_score": s, "return_mean": 10.0 * s} for i, s in evals
            ],
            "q_history": q_history,
        },
        f"run-{config.rollout_length}-{config.adversary_weight}-{seed}",
    )


def table6_row(report):
    return next(line for line in to_markdown(report).splitlines() if "| hopper-medium |" in line)


def test_heuristics_equal_at_one_decimal_get_the_digits_that_show_the_choice():
    # heuristic = last Q + var over the history (one value: var 0): 3.18447 vs 3.18260
    report = summarise([record(A, 0, 2.2, [3.18447]), record(B, 0, 2.4, [3.18260])])
    (row,) = report.rows
    assert row.rambo_off == B  # the lower, listed second
    line = table6_row(report)
    # was "| 2.2 ± 0.0 (3.2) | **2.4 ± 0.0** (**3.2**) |": the printed tie goes to A by the rule
    assert "(3.184)" in line and "(**3.183**)" in line, line
    assert "Both are chosen on the unrounded values (table.csv holds them" in to_markdown(report)


def test_scores_equal_at_one_decimal_get_the_digits_that_show_the_choice():
    report = summarise([record(A, 0, 40.04, [1.0]), record(B, 0, 40.01, [2.0])])
    (row,) = report.rows
    assert row.rambo == A
    line = table6_row(report)
    assert "**40.04 ± 0.00** (**1.0**)" in line and "40.01 ± 0.00 (2.0)" in line, line
    table1 = to_markdown(report).splitlines()[-2]
    assert table1.startswith("| hopper-medium | 40.04 ± 0.00 (k = 2"), table1


def test_distinct_values_keep_one_decimal_and_exact_ties_stay_equal():
    report = summarise(
        [record(A, 0, 10.0, [5.0]), record(B, 0, 10.0, [5.0]), record(C, 0, 3.0, [9.0])]
    )
    line = table6_row(report)
    # an exact tie: the first listed is chosen, so printing equal values agrees with the rule
    assert line.startswith("| hopper-medium | **10.0 ± 0.0** (**5.0**) | 10.0 ± 0.0 (5.0) |"), line
    assert "3.0 ± 0.0 (9.0)" in line


def test_large_heuristics_get_more_mantissa_digits():
    report = summarise([record(A, 0, 1.0, [123_456.0]), record(B, 0, 2.0, [123_400.0])])
    line = table6_row(report)
    assert "(1.235e5)" in line and "(**1.234e5**)" in line, line


def plotted_axes(monkeypatch, tmp_path, records):
    figures = []
    real = sweep_report.headless_figure

    def keep(*args, **kwargs):
        figures.append(real(*args, **kwargs))
        return figures[-1]

    monkeypatch.setattr(sweep_report, "headless_figure", keep)
    plot_sweep_curves(tmp_path / "c.png", records, "hopper-medium", [A, B])
    return figures[0].axes[0]


def test_sweep_curve_shows_where_its_mean_is_over_fewer_seeds(monkeypatch, tmp_path):
    full = [(i, 1.0 + i) for i in range(7)]
    records = [record(A, s, 7.0, [1.0], evals=full) for s in range(3)]
    records.append(record(A, 3, 4.0, [1.0], status="diverged", evals=full[:4]))
    records += [record(B, s, 7.0, [1.0], evals=full) for s in range(2)]
    ax = plotted_axes(monkeypatch, tmp_path, records)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    # was "k = 2, λ = 3e-4 (4)" over a mean of 4 seeds at 0-3 and of 3 at 4-6
    assert labels == [
        "k = 2, λ = 3e-4 (4; 3 from iteration 4; 1/4 diverged, − in the table)",
        "k = 5, λ = 3e-4 (2)",
    ]
    solid = next(ln for ln in ax.lines if ln.get_label().startswith("k = 2"))
    ys = solid.get_ydata()
    assert list(ys[:4]) == [1.0, 2.0, 3.0, 4.0] and all(y != y for y in ys[4:])  # NaN from 4
    dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert len(dashed) == 1 and dashed[0].get_color() == solid.get_color()


def test_sweep_curve_names_a_middle_stretch(monkeypatch, tmp_path):
    records = [
        record(A, 0, 3.0, [1.0], evals=[(0, 1.0), (2, 2.0), (3, 2.5), (4, 3.0)]),
        record(A, 1, 3.0, [1.0], evals=[(0, 1.0), (4, 3.0)]),
    ]
    ax = plotted_axes(monkeypatch, tmp_path, records)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "k = 2, λ = 3e-4 (2; 1 at iterations 2–3)"
    ]
