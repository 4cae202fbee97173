"""Probe 118 rows 14-15: warnings meant once per agent (or per call) were said once per process:
Python's default action keeps a warning of the same text from the same code line away after the
first, so trials 2, 3 … of an optuna-like loop making trial 1's mistake ("a new agent on an mdp a
ModelAdversary already trained", "predict: the observations look raw") were told nothing."""

from __future__ import annotations

import warnings

from tests.agents.test_callback import _toy
from tests.agents.test_callback_probe112 import ITERATION, _adversary, _agent, _cb


def _default_filters():
    warnings.resetwarnings()
    warnings.simplefilter("default")


def test_every_fresh_agent_on_a_trained_mdp_is_warned_of():
    mdp, dataset = _toy()
    _agent(mdp, dataset).learn(ITERATION, callback=_cb(_adversary(mdp, dataset)))
    with warnings.catch_warnings(record=True) as seen:
        _default_filters()
        for _trial in range(3):
            _agent(mdp, dataset)  # one call site, as an optuna objective's
    said = [w for w in seen if "a new agent (0 updates) on an mdp" in str(w.message)]
    assert len(said) == 3


def test_raw_observations_are_warned_of_once_per_agent():
    mdp, dataset = _toy(loc=5.0)  # a dimension far from 0 in its std: raw and normalised differ
    raw = dataset.observations[:100]
    with warnings.catch_warnings(record=True) as seen:
        _default_filters()
        for _agent_number in range(3):
            agent = _agent(mdp, dataset)
            agent.predict(raw, deterministic=True)
            agent.predict(raw, deterministic=True)  # the same agent again: not again
    said = [w for w in seen if "the observations look raw" in str(w.message)]
    assert len(said) == 3
