"""Probe 83 (p83a) row 36: the Gymnasium entry point checks k against the data's recorded time
limit, as cotrain does."""

from __future__ import annotations

import gymnasium as gym
import pytest

import rambo_env  # noqa: F401 (registers the RamboModel envs)
from rambo_env.data.loaders import load_dataset
from tests.data.test_minari_env_spec_probe81a_spec import _mes20


def test_gym_make_refuses_k_above_the_data_time_limit(monkeypatch) -> None:
    # probe 83 row 36: gym.make('RamboModel-hopper-medium', dataset=<20-step data>,
    # rollout_length=30) was made without a word (the registered 1000 steps were the bound)
    import rambo_env.envs.model_env as model_env

    monkeypatch.setattr(model_env, "make_mdp", lambda *a, **k: pytest.fail("model trained"))
    _mes20()
    for dataset in ("p81/hop/mes20-v0", load_dataset("p81/hop/mes20-v0")):
        with pytest.raises(
            ValueError,
            match=r"rollout_length: k = 30 exceeds Hopper-v5's episode limit of 20 steps \(the "
            r"data's recorded max_episode_steps\)",
        ):
            gym.make("RamboModel-hopper-medium", dataset=dataset, rollout_length=30)
