"""Probe 157 row 4: ``--agent-steps-per-iteration 100000000`` (zeros slipped in) ran without a
word, where --k and --lam far above the paper's are warned about at the start."""

from __future__ import annotations

import agents.cotrain_setup as setup
from agents.cotrain import run_cotrain
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)

AGENT = "[rambo_env] WARNING: agent_steps_per_iteration = 100000000 (--agent-steps-per-iteration)"


def test_steps_far_above_the_papers_are_said_once_each(capsys):
    setup.say_large_steps(100_000_000, 1000)
    said = capsys.readouterr()
    out = said.out + said.err
    assert out.count(AGENT) == 1, out
    assert "is far above the paper's 1000 (App. B.3; this warning is for more than 100000)" in out
    assert "were zeros slipped in? Ctrl-C now unless that is meant" in out
    assert "adversary_steps_per_iteration" not in out
    setup.say_large_steps(1000, 200_000)
    said = capsys.readouterr()
    assert "adversary_steps_per_iteration = 200000 (--adversary-steps-per-iteration)" in (
        said.out + said.err
    )
    setup.say_large_steps(100_000, 100_000)  # at the bound, and the paper's: no word
    setup.say_large_steps(1000, 0)
    said = capsys.readouterr()
    assert "WARNING" not in said.out + said.err


def test_a_run_says_it_before_its_work(
    tiny_hopper,  # noqa: F811
    tmp_path,
    capsys,
    monkeypatch,
):
    monkeypatch.setattr(setup, "LARGE_STEPS_FACTOR", 0.005)  # the tiny run's 10 steps: above 5
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1), tmp_path / "run")
    said = capsys.readouterr()
    out = said.out + said.err
    assert out.count("agent_steps_per_iteration = 10 (--agent-steps-per-iteration)") == 1, out
    assert "adversary_steps_per_iteration" not in out  # its 4: under the bound
