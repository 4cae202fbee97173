"""Probe 112: RamboCallback refuses a fresh agent on a model an adversary already trained
against another agent (one ModelAdversary / mdp reused, e.g. built once outside an optuna
objective), and warns when a trained agent goes on with an adversary that has taken no step (a
resume from SB3's CheckpointCallback with a fresh make_mdp / ModelAdversary). Continuing the same
agent stays allowed."""

from __future__ import annotations

import copy
import warnings

import pytest

from agents.callback import RamboCallback
from agents.factory import make_agent
from agents.fused import FusedSAC
from agents.vec_env import RamboModelVecEnv
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from tests.agents.test_callback import N_ENVS, K, _toy

KW = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}, "batch_size": 8}
ITERATION = K * N_ENVS


def _agent(mdp, dataset):
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    return make_agent("sac", env, dataset, mdp.normalizer, gradient_steps=2, **KW)


def _adversary(mdp, dataset, weight=3e-4):
    return ModelAdversary(mdp, dataset, AdversaryConfig(weight, K, n_updates=2, batch_size=8))


def _cb(adversary):
    return RamboCallback(adversary, q_eval_size=8)


def test_a_fresh_agent_on_an_adversarially_trained_model_is_warned_of():
    # probe 115: a warning, not an error (weights restored by hand leave the update count at 0
    # too); make_agent says it as the agent is built on the trained mdp, the callback not again
    mdp, dataset = _toy()
    adversary = _adversary(mdp, dataset)
    first = _agent(mdp, dataset)
    first.learn(2 * ITERATION, callback=_cb(adversary))
    trained = adversary.n_steps
    assert trained > 0
    with pytest.warns(UserWarning, match=r"adversary: a new agent \(0 updates\) on an mdp a "
                      r"ModelAdversary already trained against another agent.*fresh mdp"):  # fmt: skip
        second = _agent(mdp, dataset)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*has not trained yet")
        second.learn(ITERATION, callback=_cb(adversary))
    assert adversary.n_steps > trained and second._n_updates > 0
    trained = adversary.n_steps
    # the same agent goes on: with its callback, a new one, and reset_num_timesteps=False
    callback = _cb(adversary)
    first.learn(ITERATION, callback=callback, reset_num_timesteps=False)
    first.learn(ITERATION, callback=callback, reset_num_timesteps=False)
    first.learn(ITERATION, callback=_cb(adversary))
    assert adversary.n_steps > trained
    # a fresh model for the new agent (a copy, on purpose, too) is fine
    fresh = copy.deepcopy(mdp)
    third = _agent(fresh, dataset)
    third.learn(ITERATION, callback=_cb(_adversary(fresh, dataset)))
    assert third._n_updates > 0


def test_a_trained_agent_with_a_fresh_adversary_is_warned_of(tmp_path):
    mdp, dataset = _toy()
    agent = _agent(mdp, dataset)
    adversary = _adversary(mdp, dataset)
    agent.learn(2 * ITERATION, callback=_cb(adversary))
    agent.save(tmp_path / "agent.zip")
    state = adversary.state_dict()
    restarted, _ = _toy()  # a fresh make_mdp: the MLE model again
    env = RamboModelVecEnv(restarted, N_ENVS, rollout_length=K, seed=0)
    loaded = FusedSAC.load(tmp_path / "agent.zip", env=env, dataset=dataset, device="cpu")
    with pytest.warns(UserWarning, match=r"continuing a trained agent \(\d+ updates\) with a "
                      r"ModelAdversary that has taken no step"):  # fmt: skip
        loaded.learn(ITERATION, callback=_cb(_adversary(restarted, dataset)))
    # restored adversary state: no word; λ = 0 (no adversary at all): no word either
    for weight, restore in ((3e-4, True), (0.0, False)):
        loaded = FusedSAC.load(tmp_path / "agent.zip", env=env, dataset=dataset, device="cpu")
        fresh = _adversary(restarted, dataset, weight)
        if restore:
            fresh.load_state_dict(state)
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*continuing a trained agent")
            loaded.learn(ITERATION, callback=_cb(fresh), reset_num_timesteps=False)
