"""Probe 66 rows 73 and 88: ActionScaler refuses swapped / equal bounds; add_critic_layer_norm
refuses a critic that has LayerNorms already."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from agents.critics import ActionScaler
from agents.fused import FusedSAC
from agents.policies import add_critic_layer_norm


@pytest.mark.parametrize("high", [-np.ones(3), np.ones(3)])
def test_action_scaler_refuses_bounds_not_low_below_high(high):
    # probe 66 row 73: swapped bounds scaled silently (flipped), equal ones gave -inf
    with pytest.raises(ValueError, match=r"^action_space: expected low < high of one shape"):
        ActionScaler(np.ones(3), high, "cpu")
    scaler = ActionScaler(-2 * np.ones(3), 2 * np.ones(3), "cpu")
    assert torch.equal(scaler.scale(torch.full((1, 3), 2.0)), torch.ones(1, 3))


def test_add_critic_layer_norm_twice_is_refused():
    # probe 66 row 88: a second LayerNorm was inserted after each one without a word
    agent = FusedSAC("MlpPolicy", "Pendulum-v1", buffer_size=10, device="cpu",
                     policy_kwargs={"net_arch": [8, 8]})  # fmt: skip
    critic = add_critic_layer_norm(agent.critic)
    layers = [type(m).__name__ for m in critic.qf0]
    with pytest.raises(ValueError, match=r"^critic: its q_networks have LayerNorm layers already"):
        add_critic_layer_norm(critic)
    assert [type(m).__name__ for m in critic.qf0] == layers
    assert layers.count("LayerNorm") == 2
