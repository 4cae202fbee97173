"""Probe 108 row 10 (probe 108's leftover): a resumed session's start-of-session estimate left
out an iteration the process was stopped in (SIGSTOP / Ctrl-Z) only within the session that
saw it; the next session's "median of this run's earlier iteration(s)" priced it."""

from __future__ import annotations

import dataclasses

import pytest

from agents.cotrain import run_cotrain
from agents.run_callbacks import RunHistory
from rambo_env.run_io import load_checkpoint
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401
from tests.agents.test_cotrain_probe106 import continued_in_iteration_1


def test_the_suspended_iterations_are_kept_with_the_history():
    history = RunHistory(iteration=3, iteration_s=[4.0, 24.5, 5.0], suspended=[2])
    assert RunHistory.from_state_dict(history.state_dict()) == history
    assert history.timed() == [4.0, 5.0] and history.timed(1) == [5.0]
    old = {k: v for k, v in history.state_dict().items() if k != "suspended"}
    assert RunHistory.from_state_dict(old).suspended == []  # a checkpoint saved before
    with pytest.raises(ValueError, match=r"^RunHistory\.suspended: expected a list of iter"):
        RunHistory.from_state_dict({**history.state_dict(), "suspended": [4]})


def test_a_resumed_sessions_estimate_leaves_out_a_suspended_iteration(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    # was: "estimated wall time: 73 s for the 3 remaining iteration(s) at 24.5 s each (median
    # of this run's 1 earlier iteration(s), …)" for 4.3 s iterations
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, n_iterations=3, stop_at_iteration=1)
    with pytest.MonkeyPatch.context() as mp:
        continued_in_iteration_1(mp)  # the only iteration of the first session
        run_cotrain(cfg, run_dir)
    assert load_checkpoint(run_dir / "checkpoint.pt")["history"]["suspended"] == [1]
    capsys.readouterr()
    run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)
    out = capsys.readouterr().out
    assert "earlier iteration(s)" not in out  # its only earlier iteration was suspended
    assert "[cotrain] no iteration of these sizes timed on this machine yet" in out
    assert load_checkpoint(run_dir / "checkpoint.pt")["history"]["suspended"] == [1]
