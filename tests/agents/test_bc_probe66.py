"""Probe 66 rows 70-72: behaviour_clone says when the batch is cut to the dataset, refuses an
agent of another env before any work, and names a diverged warm start."""

from __future__ import annotations

import dataclasses

import gymnasium as gym
import pytest
from stable_baselines3 import SAC
from stable_baselines3.common.env_util import DummyVecEnv

from agents.bc import BCConfig, behaviour_clone
from tests.agents.test_bc import _agent, _data


def test_batch_larger_than_the_dataset_is_said(capsys):
    # probe 66 row 70: was trained as the dataset's rows without a word
    dataset, norm, _ = _data()
    n = dataset.n_transitions
    behaviour_clone(_agent(SAC), dataset, norm, BCConfig(epochs=1, batch_size=n + 100))
    assert (
        f"WARNING: behaviour_clone: BCConfig.batch_size {n + 100} > the dataset's {n} rows: "
        f"using batches of {n}"
    ) in capsys.readouterr().out


def test_agent_of_another_env_is_refused():
    # probe 66 row 71: was torch's raw "mat1 and mat2 shapes cannot be multiplied"
    dataset, norm, _ = _data()
    env = DummyVecEnv([lambda: gym.make("Pendulum-v1")])
    pendulum = SAC("MlpPolicy", env, policy_kwargs={"net_arch": [8]}, device="cpu")
    with pytest.raises(
        ValueError,
        match=r"^model: observation space \(3,\) / action space \(1,\) do not match the dataset's obs_dim 3 / action_dim 2",
    ):
        behaviour_clone(pendulum, dataset, norm, BCConfig(epochs=1))


def test_a_diverging_lr_is_named():
    # probe 66 row 72: was torch.distributions' raw "Expected parameter loc … invalid values"
    dataset, norm, _ = _data()
    cfg = dataclasses.replace(BCConfig(), epochs=3, batch_size=64, lr=1e6)
    with pytest.raises(
        ValueError,
        match=r"^behaviour_clone: the actor's outputs became NaN / inf by batch \d+ \(BCConfig\.lr 1e\+06 too large\?\)",
    ):
        behaviour_clone(_agent(SAC), dataset, norm, cfg)
