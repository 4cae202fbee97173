"""Probe 79 (rows 7-9, 13, 16): the (k, λ) preset is the data's, not a file name's."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from agents.cotrain import CotrainConfig
from agents.cotrain_setup import build_session, generated_as, k_lambda_from, resolve
from rambo_env.data.dataset import OfflineDataset


def _hopper_npz(path, name: str, level: str | None) -> str:
    """250 random-action Hopper-v5 transitions saved as ``path`` (in-file name ``name``)."""
    env = gym.make("Hopper-v5", max_episode_steps=40)
    rng = np.random.default_rng(0)
    rows: dict[str, list] = {k: [] for k in ("observations", "actions", "rewards", "terminals")}
    rows |= {"next_observations": [], "timeouts": []}
    obs, _ = env.reset(seed=0)
    for _ in range(250):
        act = rng.uniform(-0.5, 0.5, env.action_space.shape).astype(np.float32)
        nxt, rew, term, trunc, _ = env.step(act)
        for key, value in zip(rows, (obs, act, rew, term, nxt, trunc), strict=True):
            rows[key].append(value)
        obs = env.reset()[0] if term or trunc else nxt
    data = OfflineDataset.from_arrays(
        {k: np.asarray(v) for k, v in rows.items()},
        env_id="Hopper-v5",
        name=name,
        metadata={"level": level} if level else {},
    )
    return str(data.to_npz(path))


def test_the_data_metadata_win_over_the_file_name_with_one_warning(capsys):
    # probe 79 row 7: was walker2d-medium's (5, 0) for hopper-medium data (env Hopper-v5) in a
    # file named walker2d-medium.npz, with no word of the contradiction
    cfg = CotrainConfig(dataset="/d/walker2d-medium.npz")
    k, lam, origin = resolve(
        cfg, "hopper-medium", metadata_name="hopper-medium", env_id="Hopper-v5"
    )
    assert (k, lam) == (5, 3e-4)
    assert (
        origin == "preset hopper-medium (the data's metadata; the file name says walker2d-medium)"
    )
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1
    assert "the file name says walker2d-medium but the data's metadata says hopper-medium" in out
    assert "using hopper-medium's (k, λ) = (5, 0.0003), not walker2d-medium's (5, 0)" in out


def test_the_data_level_wins_over_the_file_name_level(capsys):
    # probe 79 row 8: was (5, 3e-4) of hopper-medium-expert for hopper-random data
    cfg = CotrainConfig(dataset="/d/hopper-medium-expert.npz")
    k, lam, origin = resolve(
        cfg, "hopper-random", metadata_name="hopper-random", env_id="Hopper-v5"
    )
    assert (k, lam) == (2, 3e-4) and origin.startswith("preset hopper-random (")
    assert "not hopper-medium-expert's (5, 0.0003)" in capsys.readouterr().out
    # the in-file name alone (no metadata level) also wins over the file name
    k, lam, origin = resolve(cfg, "hopper-random", env_id="Hopper-v5")
    assert (k, lam) == (2, 3e-4)
    assert "the data's own name ('hopper-random')" in capsys.readouterr().out


def test_a_file_name_of_another_env_than_the_data_is_refused(capsys):
    # probe 79 row 9: --env-id Hopper-v5 with a file named walker2d-medium got walker2d's pair
    cfg = CotrainConfig(dataset="/d/walker2d-medium.npz", env_id="Hopper-v5")
    with pytest.raises(ValueError) as err:
        resolve(cfg, "walker2d-medium", env_id="Hopper-v5")
    text = str(err.value)
    assert (
        "'/d/walker2d-medium.npz': its name says walker2d-medium, a preset of another env" in text
    )
    assert "hopper's presets (Table 5) are random --k 2" in text
    with pytest.raises(ValueError, match="another env"):  # the early check: --env-id alone
        resolve(CotrainConfig(dataset="walker2d-medium", env_id="Hopper-v5"))
    # names and env agreeing: the preset as before, no warning
    cfg = CotrainConfig(dataset="/d/hopper-medium.npz", env_id="Hopper-v5")
    assert resolve(cfg, "hopper-medium", metadata_name="hopper-medium", env_id="Hopper-v5") == (
        5,
        3e-4,
        "preset hopper-medium",
    )
    assert "WARNING" not in capsys.readouterr().out


def test_k_lambda_from_names_where_each_value_came_from():
    # probe 79 row 13: was "preset hopper-medium" for --k 3 with the preset's λ
    cfg = CotrainConfig(dataset="hopper-medium", rollout_length=3)
    k, lam, origin = resolve(cfg)
    assert (k, lam) == (3, 3e-4)
    assert k_lambda_from(cfg, origin) == "k from config, λ from preset hopper-medium"
    lam_only = CotrainConfig(dataset="hopper-medium", adversary_weight=0.0)
    assert k_lambda_from(lam_only, resolve(lam_only)[2]) == (
        "k from preset hopper-medium, λ from config"
    )
    assert k_lambda_from(CotrainConfig(dataset="hopper-medium"), "preset hopper-medium") == (
        "preset hopper-medium"
    )
    both = CotrainConfig(dataset="hopper-medium", rollout_length=1, adversary_weight=0.1)
    assert k_lambda_from(both, resolve(both)[2]) == "config"


def test_old_d4rl_data_are_said_to_get_the_v2_pair(capsys):
    # probe 79 row 16: v0 / v1 data got Table 5's (-v2) pair without a word
    assert resolve(CotrainConfig(dataset="walker2d-medium-replay-v1"))[:2] == (5, 0.0)
    assert "is D4RL v1 data: the (k, λ) of walker2d-medium-replay" in capsys.readouterr().out
    resolve(CotrainConfig(dataset="hopper-medium-v2"))
    resolve(CotrainConfig(dataset="mujoco/hopper/medium-v0"))  # a Minari version: not D4RL's
    assert "D4RL v" not in capsys.readouterr().out


def test_a_cotrain_run_records_the_data_preset(tmp_path, monkeypatch, capsys):
    # probe 79 row 7, end to end: config.json's record and the run's (k, λ)
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "cache"))
    path = _hopper_npz(tmp_path / "walker2d-medium.npz", "hopper-medium", "medium")
    cfg = CotrainConfig(
        dataset=path,
        n_iterations=1,
        agent_steps_per_iteration=2,
        adversary_steps_per_iteration=2,
        n_rollouts=8,
        bc_epochs=1,
        bc_max_steps=1,
        ensemble_hidden=8,
        mle_max_epochs=1,
        torch_threads=1,
        progress=False,
    )
    session = build_session(cfg)
    assert generated_as(session.dataset) == "hopper-medium"
    assert (session.k, session.resolved["adversary_weight"]) == (5, 3e-4)
    assert session.resolved["k_lambda_from"].startswith("preset hopper-medium (the data's metadata")
    assert capsys.readouterr().out.count("WARNING: dataset:") == 1
