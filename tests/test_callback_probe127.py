"""Probe 127 (N2): RamboCallback's warning of an EvalCallback in a model env whose LearnedMDP is
a separate copy (not the adversary's) no longer says the adversary trains that model (was: "…
returns of the learned model, which the adversary trains to lower the agent's values" for any
model env); an EvalCallback on the adversary's own model is still told so."""

from __future__ import annotations

import warnings

import pytest
from stable_baselines3.common.callbacks import EvalCallback
from stable_baselines3.common.monitor import Monitor

from agents.callback import RamboCallback
from rambo_env.envs.model_env import RamboModelEnv
from tests.envs.tiny_mdp import make_tiny_mdp
from tests.test_callback_probe126 import tiny_sac_and_adversary

K, N_ENVS = 5, 4


def _said(separate: bool) -> str:
    dataset, mdp, agent, adversary = tiny_sac_and_adversary()
    eval_mdp = make_tiny_mdp(dataset) if separate else mdp
    assert (eval_mdp is mdp) is not separate
    evaluation = EvalCallback(
        Monitor(RamboModelEnv(mdp=eval_mdp, rollout_length=K)), eval_freq=10**6, n_eval_episodes=1
    )
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        agent.learn(K * N_ENVS, callback=[RamboCallback(adversary, q_eval_size=8), evaluation])
    (said,) = [
        str(w.message) for w in got if "EvalCallback evaluates in the model env" in str(w.message)
    ]
    return said


@pytest.mark.parametrize("separate", [True, False], ids=["separate-copy", "adversarys-mdp"])
def test_only_the_adversarys_own_model_is_said_to_be_trained_by_it(separate):
    said = _said(separate)
    assert f"are {K}-step returns of" in said and "not Hopper-v5's scores" in said
    if separate:
        assert "adversary trains" not in said, said
        assert "another LearnedMDP than the adversary's: a separate copy" in said
    else:
        assert "which the adversary trains to lower the agent's values" in said
