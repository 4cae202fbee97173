"""Probe 98 row 25: an evaluated run whose data carry no reference scores, beside a D4RL one."""

from __future__ import annotations

from rambo_env.curves import plot_curves
from rambo_env.data.scores import NO_REF_SCORES


def test_a_run_without_reference_scores_is_said_so_not_an_agent_that_does_not_log_it(
    tmp_path, capsys
):
    """Row 25: was "own has no normalized_score value (an agent that does not log it?)"."""
    own = [{"iteration": i, "return_mean": -17.0 + i, "q_avg": 1.0} for i in range(3)]
    hop = [
        {"iteration": i, "return_mean": 31.0, "normalized_score": 1.6, "q_avg": 1.0}
        for i in range(3)
    ]
    plot_curves(
        tmp_path / "c.png",
        {"own": own, "hop": hop},
        columns=["q_avg", "normalized_score"],
        score_labels={"own": NO_REF_SCORES, "hop": "D4RL-normalised"},
    )
    out = capsys.readouterr().out
    assert "an agent that does not log it" not in out
    assert (
        "own has no normalized_score value (own: its data carry no reference scores and D4RL "
        "has none for its env, so its evaluations are raw returns only (results.json); compare "
        "returns with --columns ... return_mean)" in out
    )
