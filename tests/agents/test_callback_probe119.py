"""Probe 119 rows 18-21: "continuing a trained agent … with a ModelAdversary that has taken no
step: its mdp is … the MLE model of make_mdp" was said where nothing was to be restored: a λ
schedule from λ = 0, plain MBPO (``learn`` without a RamboCallback) before RAMBO, a learn
interrupted after the agent's first update and before the adversary's first step; and of a
restored adversarially trained model (``LearnedMDP.load``) as "the MLE model". Now only an agent
an adversary has trained against, going on with a fresh adversary on a model provably untouched
(``mdp.adversary_steps == 0``), is warned of."""

from __future__ import annotations

import warnings

import pytest
from stable_baselines3.common.callbacks import BaseCallback

from agents.callback import ADVERSARY_STEPS_ATTR
from agents.fused import FusedSAC
from agents.vec_env import RamboModelVecEnv
from rambo_env.model import LearnedMDP
from tests.agents.test_callback import N_ENVS, K, _toy
from tests.agents.test_callback_probe112 import ITERATION, _adversary, _agent, _cb

FALSE_ALARM = ".*continuing a trained agent"


def test_a_lambda_schedule_from_zero_is_not_warned_of():
    mdp, dataset = _toy()
    agent = _agent(mdp, dataset)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=FALSE_ALARM)
        agent.learn(2 * ITERATION, callback=_cb(_adversary(mdp, dataset, 0.0)))
        assert agent._n_updates > 0 and getattr(agent, ADVERSARY_STEPS_ATTR) == 0
        adversary = _adversary(mdp, dataset, 3e-4)
        agent.learn(ITERATION, callback=_cb(adversary), reset_num_timesteps=False)
    assert adversary.n_steps > 0 and getattr(agent, ADVERSARY_STEPS_ATTR) == adversary.n_steps


def test_plain_mbpo_then_rambo_is_not_warned_of():
    mdp, dataset = _toy()
    agent = _agent(mdp, dataset)
    agent.learn(2 * ITERATION)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=FALSE_ALARM)
        agent.learn(ITERATION, callback=_cb(_adversary(mdp, dataset)), reset_num_timesteps=False)


class _Stop(BaseCallback):
    """The stop button at the second rollout's start: after the agent's first update, before
    RamboCallback's (after it in the list) adversary step."""

    def _on_rollout_start(self) -> None:
        if self.model._n_updates > 0:
            raise KeyboardInterrupt

    def _on_step(self) -> bool:
        return True


def test_a_rerun_after_an_interrupt_before_the_first_adversary_step_is_not_warned_of():
    mdp, dataset = _toy()
    agent, adversary = _agent(mdp, dataset), _adversary(mdp, dataset)
    with pytest.raises(KeyboardInterrupt):
        agent.learn(2 * ITERATION, callback=[_Stop(), _cb(adversary)])
    assert agent._n_updates > 0 and adversary.n_steps == 0
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=FALSE_ALARM)
        agent.learn(2 * ITERATION, callback=_cb(adversary))
    assert adversary.n_steps > 0


def test_a_restored_trained_model_is_not_called_the_mle_model(tmp_path):
    mdp, dataset = _toy()
    agent = _agent(mdp, dataset)
    agent.learn(2 * ITERATION, callback=_cb(_adversary(mdp, dataset)))
    assert mdp.adversary_steps > 0
    agent.save(tmp_path / "agent.zip")
    mdp.save(tmp_path / "mdp.pt")
    restored = LearnedMDP.load(tmp_path / "mdp.pt", dataset)
    assert restored.adversary_steps == mdp.adversary_steps
    env = RamboModelVecEnv(restored, N_ENVS, rollout_length=K, seed=0)
    loaded = FusedSAC.load(tmp_path / "agent.zip", env=env, dataset=dataset, device="cpu")
    assert getattr(loaded, ADVERSARY_STEPS_ATTR) > 0  # saved with the agent
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=FALSE_ALARM)
        loaded.learn(ITERATION, callback=_cb(_adversary(restored, dataset)))


def test_a_saved_mle_model_is_still_the_mle_model(tmp_path):
    # the true positive through a file: a loaded, adversarially trained agent on a restored
    # model no adversary had trained
    fresh, dataset = _toy()
    fresh.save(tmp_path / "mle.pt")
    mdp, _ = _toy()
    agent = _agent(mdp, dataset)
    agent.learn(2 * ITERATION, callback=_cb(_adversary(mdp, dataset)))
    agent.save(tmp_path / "agent.zip")
    mle = LearnedMDP.load(tmp_path / "mle.pt", dataset)
    assert mle.adversary_steps == 0
    env = RamboModelVecEnv(mle, N_ENVS, rollout_length=K, seed=0)
    loaded = FusedSAC.load(tmp_path / "agent.zip", env=env, dataset=dataset, device="cpu")
    with pytest.warns(UserWarning, match=r"continuing a trained agent \(\d+ updates\)"):
        loaded.learn(ITERATION, callback=_cb(_adversary(mle, dataset)))
