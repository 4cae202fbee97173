"""Probe 115: ``load_replay_buffer`` compared real ratios with an exact ``!=``: a buffer of 0.3
into an agent built with ``1 - 0.7`` (0.30000000000000004) was refused, the message saying 0.3
twice. Ratios a rounding apart load; ratios that differ are named with the digits that differ."""

from __future__ import annotations

import pytest

from tests.agents.test_callback import N_ENVS, K, _toy
from tests.agents.test_fused_probe112 import _agent


def _saved(tmp_path, mdp, dataset, real_ratio):
    source = _agent(mdp, dataset, real_ratio=real_ratio)
    source.learn(K * N_ENVS)
    source.save_replay_buffer(tmp_path / "rb.pkl")
    return tmp_path / "rb.pkl"


def test_a_ratio_a_rounding_apart_loads(tmp_path):
    mdp, dataset = _toy()
    path = _saved(tmp_path, mdp, dataset, 0.3)
    agent = _agent(mdp, dataset, real_ratio=1 - 0.7)
    agent.load_replay_buffer(path)
    assert agent.replay_buffer.size() > 0 and agent.replay_buffer.real_ratio == 1 - 0.7


def test_close_but_different_ratios_are_named_apart(tmp_path):
    mdp, dataset = _toy()
    path = _saved(tmp_path, mdp, dataset, 0.3)
    agent = _agent(mdp, dataset, real_ratio=0.3000001)
    with pytest.raises(ValueError, match=r"real_ratio 0\.3 .*real_ratio 0\.3000001,"):
        agent.load_replay_buffer(path)
