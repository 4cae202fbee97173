"""Probe 126 row 60: SB3's ``EvalCallback`` beside ``RamboCallback`` evaluating in the model env
(``RamboModelEnv(mdp=mdp)``, the SB3 habit of evaluating in the training env) reported "New best
mean reward!" and kept ``best_model`` on k-step returns of the adversarially trained model without
a word (``_warn_raw_evaluation`` skipped a model env on purpose). It is now warned of, with the
real-env evaluation to use instead; an EvalCallback on the normalised real env stays quiet."""

from __future__ import annotations

import warnings

import gymnasium as gym
import pytest
from stable_baselines3.common.callbacks import EvalCallback
from stable_baselines3.common.monitor import Monitor

from agents.callback import RamboCallback
from agents.factory import make_agent
from agents.vec_env import RamboModelVecEnv
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from rambo_env.envs.model_env import RamboModelEnv
from rambo_env.evaluation import NormalizedObservation
from tests.envs.tiny_mdp import make_tiny_dataset, make_tiny_mdp

K, N_ENVS = 5, 4


def tiny_sac_and_adversary():
    """A tiny model env's SAC agent and its adversary: ``(dataset, mdp, agent, adversary)``."""
    dataset = make_tiny_dataset()
    mdp = make_tiny_mdp(dataset)
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    agent = make_agent(
        "sac",
        env,
        dataset,
        mdp.normalizer,
        rollout_length=K,
        device="cpu",
        gradient_steps=2,
        batch_size=32,
        policy_kwargs={"net_arch": [8, 8]},
    )
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=2, batch_size=32))
    return dataset, mdp, agent, adversary


def _learn(eval_env):
    _, mdp, agent, adversary = tiny_sac_and_adversary()
    evaluation = EvalCallback(eval_env(mdp), eval_freq=10**6, n_eval_episodes=1)
    agent.learn(K * N_ENVS, callback=[RamboCallback(adversary, q_eval_size=8), evaluation])


@pytest.mark.parametrize(
    "eval_env",
    [
        lambda mdp: Monitor(RamboModelEnv(mdp=mdp, rollout_length=K)),
        lambda mdp: RamboModelVecEnv(mdp, 2, rollout_length=K),
    ],
    ids=["RamboModelEnv", "RamboModelVecEnv"],
)
def test_an_eval_callback_in_the_model_env_is_warned_of(eval_env):
    with pytest.warns(UserWarning) as got:
        _learn(eval_env)
    said = [
        str(w.message) for w in got if "EvalCallback evaluates in the model env" in str(w.message)
    ]
    assert len(said) == 1
    assert f"are {K}-step returns of the learned model" in said[0]
    assert "adversary" in said[0] and "not Hopper-v5's scores" in said[0]
    assert "NormalizedObservation(gym.make('Hopper-v5'), mdp.normalizer)" in said[0]
    assert "evaluate_policy(lambda o: agent.predict(o, deterministic=True)[0]," in said[0]


def test_an_eval_callback_in_the_normalised_real_env_is_not():
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*EvalCallback evaluates")
        _learn(lambda mdp: Monitor(NormalizedObservation(gym.make("Hopper-v5"), mdp.normalizer)))
