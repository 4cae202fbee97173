"""Probe 92b row 42: runs of two agents of one dataset, (k, λ) and seed in one runs folder."""

from __future__ import annotations

import pytest

from rambo_env.sweep_report import build_report
from tests.test_sweep_report import A, results, write_runs


def _two_agents(tmp_path):
    return write_runs(
        tmp_path,
        [
            results(A, 0, 10.0, [1.0, 2.0]) | {"algo": "sac"},
            results(A, 0, 30.0, [1.0]) | {"algo": "tqc"},
        ],
    )


def test_agent_selects_the_runs_of_that_agent(tmp_path, capsys):
    """Row 42: ``build_report(root, agent='sac')`` called the tqc run a duplicate seed of the
    sac run ("move one of them out"), and agent= did not select."""
    report = build_report(_two_agents(tmp_path), agent="sac")
    assert report.agent == "sac"
    (row,) = report.rows
    assert [c.score_mean for c in row.cells] == [10.0]
    out = capsys.readouterr().out
    assert (
        "[sweep] WARNING: 1 run of other agents (tqc) below the runs folder left out of the " in out
    )
    assert build_report(tmp_path, agent="tqc").rows[0].cells[0].score_mean == 30.0


def test_without_agent_two_agents_runs_are_named_as_such(tmp_path):
    with pytest.raises(
        ValueError,
        match=r"^runs: .*run\d and .*run\d are runs of different agents \((sac vs tqc|tqc vs sac)\) "
        r"of hopper-medium with k = 2, λ = 3e-4 and seed 0; table one agent at a time: pass agent=",
    ):
        build_report(_two_agents(tmp_path))
