"""Probe 71b: set_critic_lr's actor_lr (row 10), make_agent's log_std_min (row 32)."""

from __future__ import annotations

import pytest

from agents.factory import set_critic_lr
from tests.agents.test_factory_probe65 import _make, parts  # noqa: F401 (the fixture)


def test_set_critic_lr_refuses_an_actor_lr_other_than_the_agents_learning_rate(parts):  # noqa: F811
    """Row 10: was taken, only ``lr_scale = critic_lr / actor_lr`` set: on an agent of
    learning_rate 1e-4, ``(1e-5, 2e-5)`` left the actor at 1e-4 and gave the critic 5e-5."""
    agent = _make(parts, actor_lr=1e-4, critic_lr=3e-4)
    with pytest.raises(
        ValueError,
        match=r"^actor_lr: 2e-05, but the agent's learning_rate \(its actor lr\) is 0\.0001; only "
        r"critic_lr / actor_lr is stored, so the critic would get 5e-05: pass actor_lr=0\.0001",
    ):
        set_critic_lr(agent, 1e-5, 2e-5)
    scales = [g["lr_scale"] for g in agent.critic.optimizer.param_groups]
    assert scales == [pytest.approx(3.0)] * len(scales)  # unchanged
    set_critic_lr(agent, 1e-5, 1e-4)  # the agent's actor lr: the critic's lr set
    assert agent.critic.optimizer.param_groups[0]["lr_scale"] == pytest.approx(0.1)


@pytest.mark.parametrize("algo", ["td3", "ddpg", "crossq"])
def test_an_explicit_log_std_min_is_refused_for_agents_without_a_floor(parts, algo):  # noqa: F811
    """Row 32: ``log_std_min=-20.0`` (the library value) was taken for td3 / ddpg / crossq while
    any other value was refused, and cotrain.py refuses it (--log-std-min -20 with --algo td3)."""
    for value in (-20.0, -5.0):
        with pytest.raises(
            ValueError,
            match=rf"^log_std_min: only \['sac', 'tqc'\] have a log-σ floor, not '{algo}' "
            rf"\(got {value!r}\); leave it out",
        ):
            _make(parts, algo, log_std_min=value)
    _make(parts, algo)  # left out: the agent's own


def test_sac_keeps_its_log_std_min_behaviour(parts):  # noqa: F811
    """Row 32's fix leaves sac / tqc alone: -20 is the library floor (no policy_kwargs entry)."""
    agent = _make(parts, log_std_min=-20.0, critic_layer_norm=False)
    assert "log_std_min" not in agent.policy_kwargs
    agent = _make(parts, log_std_min=-5.0)
    assert agent.policy_kwargs["log_std_min"] == -5.0
