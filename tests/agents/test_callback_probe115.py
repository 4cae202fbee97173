"""Probe 115: a new ModelAdversary on the model an earlier adversary trained against the same
agent (a λ schedule, a chunked learn loop) is not warned of as "the MLE model"; a fresh agent
given trained weights by hand (set_parameters) with its restored model and adversary learns, with
a warning naming both cases instead of an error; make_agent on an adversarially trained mdp says
so also when the agent then learns without a RamboCallback."""

from __future__ import annotations

import warnings

import pytest

from rambo_env.model import LearnedMDP
from tests.agents.test_callback import _toy
from tests.agents.test_callback_probe112 import ITERATION, _adversary, _agent, _cb


def test_a_new_adversary_on_the_trained_mdp_is_not_called_the_mle_model():
    mdp, dataset = _toy()
    agent = _agent(mdp, dataset)
    agent.learn(2 * ITERATION, callback=_cb(_adversary(mdp, dataset)))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*continuing a trained agent")
        for weight in (1e-3, 3e-4):  # a λ schedule: one new adversary per chunk
            adversary = _adversary(mdp, dataset, weight)
            agent.learn(ITERATION, callback=_cb(adversary), reset_num_timesteps=False)
            assert adversary.n_steps > 0


def test_weights_restored_by_hand_are_warned_of_not_refused(tmp_path):
    mdp, dataset = _toy()
    agent, adversary = _agent(mdp, dataset), _adversary(mdp, dataset)
    agent.learn(2 * ITERATION, callback=_cb(adversary))
    agent.save(tmp_path / "agent.zip")
    mdp.save(tmp_path / "mdp.pt")
    state = adversary.state_dict()
    restored = LearnedMDP.load(tmp_path / "mdp.pt", dataset)
    resumed = _agent(restored, dataset)
    resumed.set_parameters(str(tmp_path / "agent.zip"))
    again = _adversary(restored, dataset)
    again.load_state_dict(state)
    with pytest.warns(UserWarning, match=r"has not trained yet \(0 updates\), but this "
                      r"ModelAdversary has taken \d+ steps.*fresh mdp.*restored by hand"):  # fmt: skip
        resumed.learn(ITERATION, callback=_cb(again))
    assert resumed._n_updates > 0 and again.n_steps > adversary.n_steps


def test_make_agent_on_a_trained_mdp_warns_without_a_callback_too():
    mdp, dataset = _toy()
    _agent(mdp, dataset).learn(2 * ITERATION, callback=_cb(_adversary(mdp, dataset)))
    with pytest.warns(UserWarning, match=r"a new agent \(0 updates\) on an mdp a ModelAdversary"):
        plain = _agent(mdp, dataset)
    plain.learn(ITERATION)
    fresh, _ = _toy()  # an untouched mdp: no word
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*new agent")
        _agent(fresh, dataset)
