"""Probe 71b row 17: the note of a run without a column names that column in its example."""

from __future__ import annotations

from rambo_env.curves import plot_curves


def test_the_note_of_a_missing_column_names_that_column(tmp_path, capsys):
    """Row 17: "td3, ddpg have no actor_log_std value (an agent without it, e.g. TD3 has no
    ent_coef?)": the example named ent_coef in every column's note."""
    sac = [{"iteration": 1, "q_avg": 1.0, "actor_log_std": -1.0, "td_gap": 0.5}]
    td3 = [{"iteration": 1, "q_avg": 2.0}]
    columns = ["actor_log_std", "td_gap"]
    plot_curves(tmp_path / "a.png", {"sac": sac, "td3": td3, "ddpg": td3}, columns=columns)
    out = capsys.readouterr().out
    assert (
        "[rambo_env] note: td3, ddpg have no actor_log_std value (an agent without it, e.g. TD3 "
        "has no actor_log_std?): not in that panel"
    ) in out, out
    assert "td3, ddpg have no td_gap value (an agent that does not log it?)" in out, out
    assert "ent_coef" not in out
    plot_curves(tmp_path / "b.png", {"td3": td3}, columns=["actor_log_std"])
    assert (
        "no run has an actor_log_std value: its panel is empty; no run logged it (an agent "
        "without it, e.g. TD3 has no actor_log_std?)"
    ) in capsys.readouterr().out
