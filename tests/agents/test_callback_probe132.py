"""Probe 132 rows 2-3: ``RamboCallback.load_state_dict`` took ``n_iterations`` 2.5 / -1 / "3"
(as 2 / -1 / 3: learn continued the count from there) and met None / "x" or a ``last_stats`` of
"x" with a raw TypeError / ValueError naming no key; each key is checked now, as
``ModelAdversary.load_state_dict`` checks ``n_steps``, before anything changes."""

from __future__ import annotations

import numpy as np
import pytest

from agents.callback import RamboCallback
from tests.agents.test_callback import STEPS_PER_ITERATION, _setup


@pytest.fixture(scope="module")
def trained():
    agent, callback, _ = _setup()
    agent.learn(total_timesteps=2 * STEPS_PER_ITERATION, callback=callback)
    return callback


@pytest.mark.parametrize("bad", [None, "x", 2.5, -1, "3", True, np.float64(2.0)])
def test_a_bad_n_iterations_is_named_and_nothing_changes(trained, bad):
    state = trained.state_dict()
    state["n_iterations"] = bad
    fresh = RamboCallback(trained.adversary, q_eval_size=64, seed=99)
    q_state = fresh._q_generator.get_state()
    with pytest.raises(ValueError, match=r"^state\['n_iterations'\]: expected an int >= 0, got "):
        fresh.load_state_dict(state)
    assert fresh.n_iterations == 0 and fresh.last_stats == {}
    assert bool((fresh._q_generator.get_state() == q_state).all())


@pytest.mark.parametrize("bad", ["x", None, [("q_avg", 1.0)], {"q_avg": "1.0"}, {1: 1.0}])
def test_a_bad_last_stats_is_named(trained, bad):
    state = trained.state_dict()
    state["last_stats"] = bad
    fresh = RamboCallback(trained.adversary, q_eval_size=64, seed=99)
    with pytest.raises(ValueError, match=r"^state\['last_stats'\]: expected a dict of stat name"):
        fresh.load_state_dict(state)
    assert fresh.n_iterations == 0 and fresh.last_stats == {}


def test_a_bad_q_generator_is_named_and_the_counters_stay(trained):
    state = trained.state_dict()
    state["q_generator"] = "x"
    fresh = RamboCallback(trained.adversary, q_eval_size=64, seed=99)
    with pytest.raises(ValueError, match=r"^state\['q_generator'\]: expected a torch generator"):
        fresh.load_state_dict(state)
    assert fresh.n_iterations == 0


def test_its_own_state_and_numpy_counts_still_load(trained):
    state = trained.state_dict()
    state["n_iterations"] = np.int64(state["n_iterations"])
    fresh = RamboCallback(trained.adversary, q_eval_size=64, seed=99)
    fresh.load_state_dict(state)
    assert type(fresh.n_iterations) is int and fresh.n_iterations == 2
    assert fresh.last_stats == trained.last_stats and fresh.last_stats is not state["last_stats"]
