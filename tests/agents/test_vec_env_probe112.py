"""Probe 112: Gymnasium wrappers on the model-env rows of a DummyVecEnv (make_agent / set_env /
RamboCallback) that change the rows' actions or spaces are refused, naming the wrapper."""

from __future__ import annotations

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


@pytest.mark.parametrize(
    ("wrap", "name", "says"),
    [
        (lambda e: wrappers.RescaleAction(e, -0.5, 0.5), "RescaleAction", "agent's actions"),
        (lambda e: wrappers.RescaleAction(e, -2.0, 2.0), "RescaleAction", "agent's actions"),
        (wrappers.ClipAction, "ClipAction", "agent's actions"),  # was SB3's raw AssertionError
        (
            lambda e: wrappers.TransformAction(e, lambda a: 0.5 * a, e.action_space),
            "TransformAction",
            "agent's actions",
        ),
        (  # was "dataset: obs shape … do not match the spaces", naming no wrapper
            lambda e: wrappers.FrameStackObservation(e, 2),
            "FrameStackObservation",
            r"observation_space .* into .*\(2, 3\)",
        ),
    ],
)
def test_row_wrappers_that_change_actions_or_spaces_are_refused(wrap, name, says):
    mdp, dataset = _toy()
    rows = _rows(mdp, wrap)
    pattern = rf"vec_env: row 0 is wrapped in Gymnasium's {name}, which .*{says}"
    with pytest.raises(ValueError, match=pattern):
        make_agent("sac", rows, dataset, mdp.normalizer, **KW)
    agent = make_agent("sac", RamboModelVecEnv(mdp, 2, K), dataset, mdp.normalizer, **KW)
    with pytest.raises(ValueError, match=pattern):
        agent.set_env(rows)
    agent.env = rows  # swapped by hand: the callback's start refuses it as well
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8))
    with pytest.raises(ValueError, match=pattern):
        agent.learn(K * 2, callback=RamboCallback(adversary, q_eval_size=8))
    assert agent._n_updates == 0


def test_row_wrappers_that_leave_the_rows_alone_stay_allowed():
    from stable_baselines3.common.monitor import Monitor

    mdp, dataset = _toy()
    rows = _rows(
        mdp,
        lambda e: Monitor(
            wrappers.RecordEpisodeStatistics(wrappers.TimeLimit(e, K)), allow_early_resets=True
        ),
    )
    agent = make_agent("sac", rows, dataset, mdp.normalizer, **KW)
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8))
    agent.learn(K * 2, callback=RamboCallback(adversary, q_eval_size=8))
    assert agent._n_updates > 0 and adversary.n_steps > 0
