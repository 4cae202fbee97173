"""Probe 78 rows 17 / 18 (and 19, the library path): real shares of the agent's 256-row batch
that round to no real row, or to a whole-real batch with λ > 0."""

from __future__ import annotations

import pytest

from agents.cotrain_setup import CotrainConfig, check_adversary_steps
from tests.agents.test_callback import _setup


@pytest.mark.parametrize(
    ("real_ratio", "n_real", "what"),
    [(0.999, 256, "no model row"), (0.001, 0, "no real row"), (0.0019, 0, "no real row")],
)
def test_cotrain_config_refuses_a_share_rounding_to_none_or_all(real_ratio, n_real, what):
    """Rows 17 / 18: was accepted (0.999: all 256 rows real, the situation 1.0 is refused for;
    0.001: 0 real rows, as real_ratio 0, while the config recorded 0.001)."""
    with pytest.raises(
        ValueError,
        match=rf"^real_ratio: {real_ratio:g} at batch_size 256 \(the agent's\) gives "
        rf"round\({real_ratio:g} · 256\) = {n_real} of the 256 rows real, {what}",
    ):
        CotrainConfig(dataset="walker2d-random", real_ratio=real_ratio, adversary_weight=3e-4)
    CotrainConfig(dataset="walker2d-random", real_ratio=0.998, adversary_weight=3e-4)


def test_check_adversary_steps_counts_the_rounded_real_rows():
    with pytest.raises(
        ValueError,
        match=r"^real_ratio: 0\.999 \(round\(0\.999 · 256\) = 256 of the 256 rows\), but "
        r"adversary_weight λ = 0\.0003 \(config\): every agent batch is real data",
    ):
        check_adversary_steps(1000, 3e-4, real_ratio=0.999)
    with pytest.raises(ValueError, match=r"^real_ratio: 1, but adversary_weight λ = 0\.0003"):
        check_adversary_steps(1000, 3e-4, real_ratio=1.0)
    check_adversary_steps(1000, 0.0, real_ratio=1.0)  # λ = 0: a run on the real data alone
    check_adversary_steps(1000, 3e-4, real_ratio=0.998)


def test_rambo_callback_refuses_an_adversary_whose_work_never_reaches_the_agent():
    """Row 19: make_agent(real_ratio=1.0) + RamboCallback(λ 3e-4) learnt and ran the adversary
    without a word; cotrain refuses the same combination."""
    agent, callback, _ = _setup()
    agent.replay_buffer.real_ratio = 1.0  # as make_agent(…, real_ratio=1.0) builds it
    with pytest.raises(
        ValueError,
        match=r"^real_ratio: 1, but adversary_weight λ = 0\.0003 \(AdversaryConfig\): every agent "
        r"batch is real data, so the model rollouts \(and λ\) never reach the agent; give "
        r"real_ratio <= 0\.9687 \(paper: 0\.5\), or AdversaryConfig\(adversary_weight=0\)",
    ):
        agent.learn(16, callback=callback)
    agent, callback, _ = _setup(weight=0.0)
    agent.replay_buffer.real_ratio = 1.0
    agent.learn(16, callback=callback)  # λ = 0 on real data alone: kept
