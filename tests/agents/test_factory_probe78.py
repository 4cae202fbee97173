"""Probe 78: the mixed buffer's rounded real share (rows 8 / 9), n-step returns (row 12)."""

from __future__ import annotations

import pytest

from tests.agents.test_buffer import _buffer, _fill, dataset  # noqa: F401 (the fixture)
from tests.agents.test_factory_probe65 import _make, parts  # noqa: F401 (the fixture)


@pytest.mark.parametrize(
    ("batch_size", "real_ratio", "match"),
    [
        # row 8: was 0 real rows of 1 (round(0.5) = 0) and of 3 (round(0.3) = 0), silently
        (1, 0.5, r"round\(0\.5 · 1\) = 0 of the 1 rows real, no real row: .* give real_ratio 0 "
         r"or 1, or batch_size >= 2"),
        (3, 0.1, r"round\(0\.1 · 3\) = 0 of the 3 rows real, no real row: .* give real_ratio >= "
         r"0\.3334, or 0 for model rows only \(or a larger batch_size\)"),
        # row 9: was 1 real row of 1 (round(0.6) = 1): the model pool never sampled
        (1, 0.6, r"round\(0\.6 · 1\) = 1 of the 1 rows real, no model row: the model pool is "
         r"never sampled"),
        (256, 0.999, r"round\(0\.999 · 256\) = 256 of the 256 rows real, no model row: .* give "
         r"real_ratio <= 0\.996, or 1 for real data only \(or a larger batch_size\)"),
    ],
)  # fmt: skip
def test_make_agent_refuses_a_real_share_rounding_to_none_or_all(
    parts,  # noqa: F811
    batch_size,
    real_ratio,
    match,
):
    with pytest.raises(ValueError, match=rf"^real_ratio: {real_ratio:g} at batch_size "):
        _make(parts, batch_size=batch_size, real_ratio=real_ratio)
    with pytest.raises(ValueError, match=match):
        _make(parts, batch_size=batch_size, real_ratio=real_ratio)


def test_make_agent_keeps_real_shares_that_mix_and_the_pure_ones(parts):  # noqa: F811
    for batch_size, real_ratio in ((1, 0.0), (1, 1.0), (7, 0.5), (3, 0.2), (32, 0.98)):
        agent = _make(parts, batch_size=batch_size, real_ratio=real_ratio)
        assert agent.replay_buffer.real_ratio == real_ratio


def test_a_buffer_built_directly_refuses_a_batch_its_share_rounds_to_none(dataset):  # noqa: F811
    """Rows 8 / 9 for a buffer an SB3 agent was given directly: its first sample says so."""
    buf = _buffer(dataset, real_ratio=0.5)
    _fill(buf, 2)
    with pytest.raises(ValueError, match=r"^real_ratio: 0\.5 at batch_size 1 gives round"):
        buf.sample(1)
    assert buf.sample(2).rewards.shape == (2, 1)


@pytest.mark.parametrize("n_steps", [3, 0, 2.5])
def test_make_agent_refuses_n_step_returns(parts, n_steps):  # noqa: F811
    """Row 12: was SB3's UserWarning only (n_steps ignored with a custom buffer, advice the
    buffer refuses); the agent saved n_steps=3 while it trained 1-step."""
    with pytest.raises(
        ValueError,
        match=rf"^n_steps: {n_steps!r}, but RAMBO's mixed replay buffer .* samples 1-step "
        r"transitions \(the paper's SAC\): n-step returns are not supported; leave n_steps out",
    ):
        _make(parts, n_steps=n_steps)
    assert _make(parts, n_steps=1).n_steps == 1
