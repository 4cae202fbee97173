"""Probe 120 row 18: a plain-MBPO agent saved by an older rambo_env (no recorded adversary step
count) going on with a RamboCallback on a fresh make_mdp was told, as a fact, that "an earlier
run trained adversarially against this agent". The count is unknown: the warning now says so
(and is still given, for an older adversarially trained agent)."""

from __future__ import annotations

import warnings

from agents.callback import ADVERSARY_STEPS_ATTR
from tests.agents.test_callback import _toy
from tests.agents.test_callback_probe112 import ITERATION, _adversary, _agent, _cb


def test_an_agent_of_unknown_adversary_count_is_warned_of_as_unknown():
    mdp, dataset = _toy()
    agent = _agent(mdp, dataset)
    agent.learn(2 * ITERATION)  # plain MBPO
    delattr(agent, ADVERSARY_STEPS_ATTR)  # as an agent zip written before the count existed
    assert mdp.adversary_steps == 0  # the MLE model, as a fresh make_mdp
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        agent.learn(ITERATION, callback=_cb(_adversary(mdp, dataset)), reset_num_timesteps=False)
    texts = [str(w.message) for w in caught if "continuing a trained agent" in str(w.message)]
    assert len(texts) == 1
    assert "did not record whether an adversary trained against it" in texts[0]
    assert "if not (plain MBPO" in texts[0]
    assert "not the one an earlier run trained adversarially" not in texts[0]
