"""Probe 92b rows 61-64: agent attributes changed after make_agent, checked where RamboCallback
starts the training."""

from __future__ import annotations

import pytest

from agents.callback import RamboCallback
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from tests.agents.test_factory_probe65 import K, _make, parts  # noqa: F401 (the fixture)


def _learn(parts, agent):  # noqa: F811
    env, dataset, _ = parts
    # λ = 0: the fixture's mdp stays the MLE model for the next fresh agent (probe 112 refuses a
    # fresh agent on a model an adversary already trained)
    adversary = ModelAdversary(env.mdp, dataset, AdversaryConfig(0.0, K, n_updates=1, batch_size=8))
    agent.learn(2 * K * env.num_envs, callback=RamboCallback(adversary))


@pytest.mark.parametrize(
    ("algo", "name", "value", "expect"),
    [
        ("sac", "tau", 2.0, r"a number in \(0\.0, 1\.0\], got 2\.0"),
        ("sac", "target_update_interval", 0, r"an int >= 1, got 0"),
        ("td3", "policy_delay", 0, r"an int >= 1, got 0"),
        ("td3", "target_policy_noise", -1.0, r"a number >= 0\.0, got -1\.0"),
    ],
)
def test_an_attribute_out_of_range_set_after_make_agent_is_refused(
    parts,  # noqa: F811
    algo,
    name,
    value,
    expect,
):
    """Rows 61-63: ``agent.tau = 2.0`` trained without a word; ``target_update_interval = 0`` /
    ``policy_delay = 0`` were ZeroDivisionErrors and ``target_policy_noise = -1`` torch's
    "normal expects std >= 0.0", after the first collect."""
    agent = _make(parts, algo, batch_size=8, gradient_steps=1)
    setattr(agent, name, value)
    with pytest.raises(
        ValueError,
        match=rf"^model\.{name}: expected {expect} \(an attribute of the agent, e\.g\. set after "
        r"make_agent, which refuses it too\); set it back",
    ):
        _learn(parts, agent)
    assert agent.num_timesteps == 0  # before the first collect


def test_an_ent_coef_set_after_make_agent_is_warned_about(parts, capsys):  # noqa: F811
    """Row 64: ``agent.ent_coef = 0.5`` on an ``auto`` agent trained on with the learned α,
    without a word (SB3 reads ent_coef only when the agent is built)."""
    agent = _make(parts, batch_size=8, gradient_steps=1)
    agent.ent_coef = 0.5
    _learn(parts, agent)
    assert (
        "[rambo_env] WARNING: model.ent_coef is 0.5, but the agent trains with the learned α: "
        "SB3 reads ent_coef only when the agent is built" in capsys.readouterr().out
    )
    kept = _make(parts, batch_size=8, gradient_steps=1, ent_coef="1e-1")
    _learn(parts, kept)  # as built: no word
    assert "WARNING: model.ent_coef" not in capsys.readouterr().out
