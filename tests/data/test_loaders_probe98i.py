"""Probe 98 rows 54 and 57: own data in a file named like a D4RL dataset; own HalfCheetah data of
an observation-only env kwarg."""

from __future__ import annotations

import json

import gymnasium as gym
import h5py
import numpy as np
import pytest

from rambo_env import load_dataset
from tests.agents.test_cotrain_setup_probe79 import _hopper_npz


@pytest.mark.parametrize("name", ["walker2d_medium-v2.hdf5", "hopper-random.npz"])
def test_a_small_file_named_like_d4rl_data_is_warned_about(tmp_path, capsys, name):
    # probe 98 row 54: 2000 random-policy rows in walker2d_medium-v2.hdf5 were walker2d-medium
    # (its preset, D4RL's reference scores, the ledger key) without a word
    env = "hopper" if name.startswith("hopper") else "walker2d"
    level = "random" if env == "hopper" else "medium"
    if name.endswith(".hdf5"):
        # Walker2d data: 250 random-action rows of Walker2d-v5
        gym_env = gym.make("Walker2d-v5", max_episode_steps=40)
        rng = np.random.default_rng(0)
        rows = {k: [] for k in ("observations", "actions", "rewards", "next_observations")}
        rows |= {"terminals": [], "timeouts": []}
        obs, _ = gym_env.reset(seed=0)
        for _ in range(250):
            act = rng.uniform(-0.5, 0.5, 6).astype(np.float32)
            nxt, rew, term, trunc, _ = gym_env.step(act)
            for key, value in zip(
                rows, (obs, act, rew, nxt, term, trunc and not term), strict=True
            ):
                rows[key].append(value)
            obs = gym_env.reset()[0] if term or trunc else nxt
        rows["timeouts"][-1] = not rows["terminals"][-1]
        path = tmp_path / name
        with h5py.File(path, "w") as f:
            for key, value in rows.items():
                f.create_dataset(key, data=np.asarray(value))
    else:
        path = _hopper_npz(tmp_path / name, "hopper-random", None)
    capsys.readouterr()
    dataset = load_dataset(path)
    assert dataset.name == f"{env}-{level}"  # not refused: the name still decides
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1
    assert (
        f"[rambo_env] WARNING: {path}: named like D4RL's {env}-{level} (1,000,000 transitions), "
        f"but it holds {dataset.n_transitions:,}: the name decides the (k, λ) preset, the "
        f"reference scores and the ledger key ({env}-{level}); if these are not D4RL's "
        f"{env}-{level} data, rename the file" in out
    )


def test_a_file_not_named_like_d4rl_data_is_not_warned_about(tmp_path, capsys):
    load_dataset(_hopper_npz(tmp_path / "mine.npz", "mine", None))
    assert "WARNING" not in capsys.readouterr().out


def _halfcheetah_npz(path, kwargs: dict) -> str:
    env = gym.make("HalfCheetah-v5", max_episode_steps=50, **kwargs)
    rng = np.random.default_rng(0)
    rows = {k: [] for k in ("observations", "actions", "rewards", "next_observations")}
    rows |= {"terminals": [], "timeouts": []}
    obs, _ = env.reset(seed=0)
    for _ in range(100):
        act = rng.uniform(-1, 1, 6).astype(np.float32)
        nxt, rew, term, trunc, _ = env.step(act)
        for key, value in zip(rows, (obs, act, rew, nxt, term, trunc and not term), strict=True):
            rows[key].append(value)
        obs = env.reset()[0] if term or trunc else nxt
    rows["timeouts"][-1] = True
    arrays = {k: np.asarray(v) for k, v in rows.items()}
    np.savez(
        path, **arrays, env_id="HalfCheetah-v5", metadata_json=json.dumps({"env_kwargs": kwargs})
    )
    return str(path)


def test_an_observation_only_kwarg_keeps_the_returns_comparable(tmp_path, capsys):
    # probe 98 row 57: was "so these scores are not comparable with D4RL's" for
    # exclude_current_positions_from_observation=False, which changes the observation only
    load_dataset(
        _halfcheetah_npz(tmp_path / "x.npz", {"exclude_current_positions_from_observation": False})
    )
    out = capsys.readouterr().out
    assert "not comparable" not in out
    assert (
        "the data's env has exclude_current_positions_from_observation=False, which changes the "
        "observation only, not the reward or the dynamics: the returns stay comparable with "
        "D4RL's, but the agent sees another observation than D4RL's" in out
    )


def test_a_reward_kwarg_is_still_not_comparable(tmp_path, capsys):
    load_dataset(_halfcheetah_npz(tmp_path / "c.npz", {"ctrl_cost_weight": 0.2}))
    out = capsys.readouterr().out
    assert (
        "but the data's env has ctrl_cost_weight=0.2, so these scores are not comparable with "
        "D4RL's (results are labelled so)" in out
    )
