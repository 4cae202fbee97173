"""Probe 118 row 12: ``make_agent`` under a caller's ``torch.set_default_dtype(torch.float64)``
built float64 weights without a word; after the caller restored float32, predict, learn and
evaluate_policy failed with torch's raw "mat1 and mat2 must have the same dtype". Now refused
before the agent is built, as make_mdp, learn and the model envs are (probe 23)."""

from __future__ import annotations

import pytest
import torch

from agents.fused import FusedSAC
from tests.agents.test_callback import _toy
from tests.agents.test_callback_probe112 import _agent


@pytest.fixture
def float64_default():
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(torch.float32)


def test_make_agent_refuses_a_float64_default_dtype(float64_default):
    torch.set_default_dtype(torch.float32)
    mdp, dataset = _toy()  # the model made under float32
    torch.set_default_dtype(torch.float64)
    with pytest.raises(RuntimeError, match=r"^make_agent: torch's default dtype is torch\.float64"):
        _agent(mdp, dataset)


def test_loading_an_agent_refuses_a_float64_default_dtype(tmp_path, float64_default):
    torch.set_default_dtype(torch.float32)
    mdp, dataset = _toy()
    _agent(mdp, dataset).save(tmp_path / "agent.zip")
    torch.set_default_dtype(torch.float64)
    with pytest.raises(RuntimeError, match=r"^FusedSAC\.load: torch's default dtype is"):
        FusedSAC.load(tmp_path / "agent.zip", device="cpu")
    torch.set_default_dtype(torch.float32)
    loaded = FusedSAC.load(tmp_path / "agent.zip", device="cpu")
    assert next(loaded.policy.parameters()).dtype == torch.float32
