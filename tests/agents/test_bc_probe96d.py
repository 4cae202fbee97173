"""Probe 96a row 24: the BC warm start called after RL training."""

from __future__ import annotations

from stable_baselines3 import SAC

from agents.bc import BCConfig, behaviour_clone
from tests.agents.test_bc import _agent, _data

WARNED = "[rambo_env] WARNING: behaviour_clone: the agent has already taken"


def test_bc_after_training_is_said_once(capsys):
    # probe 96a row 24: was accepted without a word: the RL-trained actor pulled back toward the
    # behaviour policy, the critics left as trained
    dataset, norm, _ = _data()
    model = _agent(SAC)
    behaviour_clone(model, dataset, norm, BCConfig(epochs=1, max_steps=2, batch_size=128))
    assert WARNED not in capsys.readouterr().out  # before learn: the warm start, quiet
    model.learning_starts = 8
    model.learn(16)
    assert model._n_updates > 0
    behaviour_clone(model, dataset, norm, BCConfig(epochs=1, max_steps=2, batch_size=128))
    out = capsys.readouterr().out
    assert out.count(WARNED) == 1
    assert "before agent.learn" in out and "critics stay as trained" in out
