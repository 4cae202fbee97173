"""Probe 115 row 13: wrappers that leave a model-env row as it is (a rescale onto the row's own
action bounds, a cast to its own observation dtype) are allowed on the rows of a DummyVecEnv;
the ones that change the rows stay refused."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium import wrappers
from stable_baselines3.common.vec_env import DummyVecEnv

from agents.callback import RamboCallback
from agents.factory import make_agent
from agents.vec_env import RamboModelVecEnv
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from rambo_env.envs.model_env import RamboModelEnv
from tests.agents.test_callback import SMALL_AGENT_KW as KW
from tests.agents.test_callback import K, _toy


def _rows(mdp, wrap):
    return DummyVecEnv([lambda: wrap(RamboModelEnv(mdp=mdp, rollout_length=K))] * 2)


def _same_bounds(e):
    return wrappers.RescaleAction(e, e.action_space.low, e.action_space.high)


def _same_dtype(e):
    return wrappers.DtypeObservation(e, e.observation_space.dtype)


def _same_shape(e):
    return wrappers.ReshapeObservation(e, e.observation_space.shape)


@pytest.mark.parametrize("wrap", [_same_bounds, _same_dtype, _same_shape])
def test_identity_row_wrappers_are_allowed(wrap):
    mdp, dataset = _toy()
    rows = _rows(mdp, wrap)
    agent = make_agent("sac", rows, dataset, mdp.normalizer, **KW)  # was: refused
    agent.set_env(_rows(mdp, wrap))
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8))
    agent.learn(K * 2, callback=RamboCallback(adversary, q_eval_size=8))
    assert agent._n_updates > 0 and adversary.n_steps > 0


def test_identity_rescale_steps_the_agents_action_unchanged():
    mdp, _ = _toy()
    env = RamboModelEnv(mdp=mdp, rollout_length=K)
    wrapped = _same_bounds(env)
    action = np.linspace(-0.9, 0.9, env.action_space.shape[0]).astype(env.action_space.dtype)
    np.testing.assert_array_equal(wrapped.action(action), action)


@pytest.mark.parametrize(
    ("wrap", "name"),
    [
        (lambda e: wrappers.RescaleAction(e, -0.5, 0.5), "RescaleAction"),
        (lambda e: wrappers.DtypeObservation(e, np.float64), "DtypeObservation"),
        (lambda e: wrappers.ReshapeObservation(e, (1, *e.observation_space.shape)), "Reshape"),
    ],
)
def test_the_same_wrappers_that_change_the_rows_stay_refused(wrap, name):
    mdp, dataset = _toy()
    agent = make_agent("sac", RamboModelVecEnv(mdp, 2, K), dataset, mdp.normalizer, **KW)
    with pytest.raises(ValueError, match=rf"vec_env: row 0 is wrapped in Gymnasium's {name}"):
        agent.set_env(_rows(mdp, wrap))
