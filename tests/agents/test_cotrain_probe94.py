"""Probe 94 row 13: a resumed session's wall-time estimate called its measured iteration "this
run's first iteration"."""

from __future__ import annotations

import dataclasses

from agents.cotrain import run_cotrain
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401 (fixtures)


def test_a_resumed_sessions_estimate_names_the_sessions_first_iteration(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
    monkeypatch,
):
    # probe 94 row 13: was "(this run's first iteration, …)" after iteration 2 of a resumed run
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "cache"))
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, n_iterations=3, stop_at_iteration=1)
    run_cotrain(cfg, run_dir)
    capsys.readouterr()  # the first session
    run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)
    out = capsys.readouterr().out
    assert "after iteration 2: estimated wall time:" in out
    assert "this session's first iteration" in out
    assert "this run's first iteration" not in out
