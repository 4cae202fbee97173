"""Probe 98 row 30: a RamboCallback subclass whose __init__ never calls super().__init__."""

from __future__ import annotations

import pytest

from agents.callback import RamboCallback
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from tests.agents.test_factory_probe65 import K, _make, parts  # noqa: F401 (the fixture)


class NoInit(RamboCallback):
    def __init__(self, adversary):
        self.adv = adversary  # forgets super().__init__


def test_a_subclass_that_skips_super_init_is_named(parts):  # noqa: F811
    """Row 30: was a raw AttributeError: 'NoInit' object has no attribute 'parent'."""
    env, dataset, _ = parts
    agent = _make(parts, batch_size=8, gradient_steps=1)
    adversary = ModelAdversary(
        env.mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8)
    )
    with pytest.raises(
        TypeError,
        match=r"^callback: NoInit, a subclass of RamboCallback, never ran RamboCallback\.__init__:"
        r" call super\(\)\.__init__\(adversary, \.\.\.\) in its __init__$",
    ):
        agent.learn(2 * K * env.num_envs, callback=NoInit(adversary))
    assert agent.num_timesteps == 0
