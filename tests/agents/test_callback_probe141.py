"""Probe 141, the library path (make_agent + RamboCallback + learn) at the edges of legal settings:
an agent learning rate so large that the actor turns NaN in the agent's own gradient step was
torch's raw "Expected parameter loc … Normal … invalid values" from inside the adversary's update;
a diverging critic (critic_lr 1e6: critic loss 1e25) and a policy_delay longer than the whole
learn (the actor never updated) finished without a word."""

from __future__ import annotations

import math
import warnings

import pytest

from agents.callback import NonFiniteActorError, RamboCallback
from agents.cotrain import _failure_phase
from agents.factory import make_agent
from agents.vec_env import RamboModelVecEnv
from tests.agents.test_callback import N_ENVS, K, _toy
from tests.agents.test_callback_probe112 import ITERATION, KW, _adversary


def _agent(mdp, dataset, algo="sac", **kwargs):
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    return make_agent(algo, env, dataset, mdp.normalizer, gradient_steps=2, **KW, **kwargs)


def _learn(agent, mdp, dataset, iterations, **callback_kwargs):
    callback = RamboCallback(_adversary(mdp, dataset), q_eval_size=8, **callback_kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        agent.learn(iterations * ITERATION, callback=callback)
    return [str(w.message) for w in caught]


def test_an_actor_made_non_finite_by_its_learning_rate_is_named_before_the_adversary():
    mdp, dataset = _toy()
    agent = _agent(mdp, dataset, actor_lr=1e6)
    adversary_steps = []
    with pytest.raises(NonFiniteActorError) as err:
        callback = RamboCallback(_adversary(mdp, dataset), q_eval_size=8)
        callback.on_iteration_end.append(lambda cb: adversary_steps.append(cb.adversary.n_steps))
        agent.learn(4 * ITERATION, callback=callback)
    text = str(err.value)
    assert "the actor's weights" in text and "became non-finite in the agent's gradient" in text
    assert "before the adversary's phase" in text
    assert "actor_lr 1e+06 (above make_agent's default 0.0001)" in text
    assert "critic_lr 0.0003" in text and "lower the learning rate above its default" in text
    assert "Expected parameter" not in text
    # cotrain (whose RamboCallback this is too) calls it a divergence of the gradient steps
    assert _failure_phase(err.value) == "the agent's gradient steps"
    # the adversary never ran on the NaN actor of that iteration
    assert callback.adversary.n_steps == (adversary_steps[-1] if adversary_steps else 0)


def test_an_average_q_past_the_limit_is_warned_of_once_and_training_goes_on():
    mdp, dataset = _toy()
    agent = _agent(mdp, dataset, critic_lr=1e6)
    said = [t for t in _learn(agent, mdp, dataset, 6) if "past the limit" in t]
    assert len(said) == 1, said
    assert "the critic is diverging" in said[0]
    assert "critic_lr 1e+06 (above make_agent's default 0.0003)" in said[0]
    assert agent._n_updates == 12  # a warning: the learn went to its end
    # the default limit is cotrain's: 100 · max(max|r|, 1) / (1 − γ) of the data's rewards
    callback = RamboCallback(_adversary(mdp, dataset))
    expected = 100 * max(float(abs(dataset.rewards).max()), 1.0) / (1 - 0.99)
    assert callback.q_limit == pytest.approx(expected, rel=1e-5)
    # q_limit=inf: no warning (cotrain's own monitor stops its run instead)
    agent = _agent(mdp, dataset, critic_lr=1e6)
    assert not [t for t in _learn(agent, mdp, dataset, 6, q_limit=math.inf) if "past the" in t]


@pytest.mark.parametrize("q_limit", [0, -1.0, float("nan"), "1", True])
def test_a_q_limit_out_of_range_is_refused(q_limit):
    mdp, dataset = _toy()
    with pytest.raises(ValueError, match=r"q_limit: expected a number > 0"):
        RamboCallback(_adversary(mdp, dataset), q_limit=q_limit)


@pytest.mark.parametrize("algo", ["td3", "crossq"])
def test_a_policy_delay_longer_than_the_learn_is_warned_of_once(algo):
    mdp, dataset = _toy()
    agent = _agent(mdp, dataset, algo, policy_delay=1000)
    said = [t for t in _learn(agent, mdp, dataset, 3) if "policy_delay" in t]
    assert len(said) == 1, said
    assert "policy_delay: 1000, but this learn takes 6 gradient steps" in said[0]
    assert "the actor is never updated" in said[0] and "policy_delay <= 6" in said[0]
    assert agent._n_updates == 6
    # a delay the learn reaches (TD3's default 2, CrossQ's 3) is not told
    agent = _agent(mdp, dataset, algo)
    assert not [t for t in _learn(agent, mdp, dataset, 3) if "policy_delay" in t]
