"""Probe 141: ``make_agent(…, seed=2**40)`` (or 2**63 - 1) passed the seed check (the
generators' 2**63) and then failed in SB3's ``set_random_seed`` with numpy's raw "Seed must be
between 0 and 2**32 - 1". The agent's seed range is checked by name: [0, 2**32)."""

from __future__ import annotations

import pytest

from agents.factory import make_agent
from agents.vec_env import RamboModelVecEnv
from rambo_env.run_io import AGENT_SEED_LIMIT, RUN_SEED_LIMIT, SEED_LIMIT
from tests.agents.test_callback import N_ENVS, K, _toy
from tests.agents.test_callback_probe112 import KW


def _make(seed):
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    return make_agent("sac", env, dataset, mdp.normalizer, seed=seed, **KW)


@pytest.mark.parametrize("seed", [2**32, 2**40, 2**63 - 1])
def test_a_seed_beyond_32_bits_is_refused_by_name(seed):
    with pytest.raises(ValueError, match=rf"^seed: {seed} is too large: expected an int in "
                       r"\[0, 2\*\*32\)$"):  # fmt: skip
        _make(seed)


def test_the_largest_agent_seed_builds_and_the_limits_nest():
    assert _make(2**32 - 1).seed == 2**32 - 1
    # every run seed (cotrain, sweeps, scripts) is a valid agent seed, every agent seed a
    # valid generator seed (the model env, the adversary)
    assert RUN_SEED_LIMIT < AGENT_SEED_LIMIT < SEED_LIMIT
