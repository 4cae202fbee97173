"""Probe 78 row 14: a gSDE actor's samples for the adversary (Eq. 5 / Eq. 9 rollouts)."""

from __future__ import annotations

import pytest
import torch

from agents.critics import policy_fns
from tests.agents.test_factory_probe65 import _make, parts  # noqa: F401 (the fixture)


@pytest.mark.parametrize("algo", ["sac", "tqc"])
def test_gsde_samples_draw_noise_per_row_and_call_leaving_the_agents_own(parts, algo):  # noqa: F811
    """Was: every row of a call (and every call of a train phase) used the one exploration matrix
    of the agent's last reset_noise, so the same state gave the same action throughout."""
    agent = _make(parts, algo, use_sde=True, batch_size=32)
    agent.actor.reset_noise(4)
    dist = agent.actor.action_dist
    own = {name: getattr(dist, name) for name in ("exploration_mat", "exploration_matrices")}
    copies = {name: value.clone() for name, value in own.items()}
    fns = policy_fns(agent)
    obs = torch.zeros(16, parts[0].observation_space.shape[0]) + 0.3  # one state, 16 times
    first, second = fns.sample(obs), fns.sample(obs)
    assert len({tuple(row.tolist()) for row in first}) == 16  # each row its own noise
    assert not torch.equal(first, second)  # and each call
    for name, value in own.items():  # the agent's training / collection noise untouched
        assert getattr(dist, name) is value and torch.equal(value, copies[name])
    assert torch.equal(fns.mean(obs), fns.mean(obs))
