"""Probe 77 rows 6, 21, 22, 26: data of an env made with non-default kwargs (an npz's
``metadata_json`` / a Minari dataset's ``env_spec`` kwargs) are checked, ended and evaluated in
that env; data without them whose terminals contradict a new exact rule are warned about, naming
non-default kwargs; score labels of data without reference scores."""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import pytest

from rambo_env.data.dataset import DatasetValidationError, OfflineDataset
from rambo_env.data.loaders import load_dataset


def _episodes(env_id: str, n: int, limit: int = 200, **kwargs) -> list[dict]:
    """Random-action episodes (fixed seeds) of ``gym.make(env_id, **kwargs)``, ``n`` steps."""
    env = gym.make(env_id, max_episode_steps=limit, **kwargs)
    env.action_space.seed(0)
    episodes, steps, i = [], 0, 0
    while steps < n:
        obs, _ = env.reset(seed=i)
        ep = {"observations": [obs], "actions": [], "rewards": [], "terms": [], "truncs": []}
        while True:
            action = env.action_space.sample()
            obs, reward, terminated, truncated, _ = env.step(action)
            ep["observations"].append(obs)
            ep["actions"].append(action)
            ep["rewards"].append(reward)
            ep["terms"].append(terminated)
            ep["truncs"].append(truncated)
            steps += 1
            if terminated or truncated:
                break
        episodes.append({k: np.asarray(v) for k, v in ep.items()})
        i += 1
    env.close()
    return episodes


def _npz(path, episodes: list[dict], env_id: str, metadata: dict | None = None) -> str:
    arrays = {
        "observations": np.concatenate([e["observations"][:-1] for e in episodes]),
        "next_observations": np.concatenate([e["observations"][1:] for e in episodes]),
        "actions": np.concatenate([e["actions"] for e in episodes]),
        "rewards": np.concatenate([e["rewards"] for e in episodes]),
        "terminals": np.concatenate([e["terms"] for e in episodes]),
        "timeouts": np.concatenate([e["truncs"] for e in episodes]),
    }
    extra = {"metadata_json": np.asarray(json.dumps(metadata))} if metadata else {}
    np.savez(path, **arrays, env_id=np.asarray(env_id), **extra)
    return str(path)


def _minari(dataset_id: str, env_id: str, n: int, **kwargs) -> None:
    import minari
    from minari.data_collector import EpisodeBuffer

    env = gym.make(env_id, max_episode_steps=200, **kwargs)
    buffers = [
        EpisodeBuffer(
            id=i,
            observations=e["observations"],
            actions=e["actions"],
            rewards=e["rewards"],
            terminations=e["terms"],
            truncations=e["truncs"],
        )
        for i, e in enumerate(_episodes(env_id, n, **kwargs))
    ]
    minari.create_dataset_from_buffers(
        dataset_id=dataset_id, buffer=buffers, env=env, algorithm_name="random", author="p77",
        author_email="p@example.com", code_permalink="none",
    )  # fmt: skip


def test_ant_data_of_another_healthy_range_are_warned_about(tmp_path, capsys) -> None:
    # probe 77 row 6: Ant-v5(healthy_z_range=(0.2, 1.2)) data (rows alive above the default
    # 1.0) loaded with only the load line
    episodes = _episodes("Ant-v5", 1500, healthy_z_range=(0.2, 1.2))
    load_dataset(_npz(tmp_path / "ant.npz", episodes, "Ant-v5"))
    out = capsys.readouterr().out
    assert "WARNING: dataset 'custom': its terminals contradict Ant-v5's termination rule" in out
    assert "or the data come from this env made with non-default kwargs" in out
    # the kwargs recorded: no warning, a note; the rule follows them
    made = {"env_kwargs": {"healthy_z_range": [0.2, 1.2]}}
    data = load_dataset(_npz(tmp_path / "ant_kw.npz", episodes, "Ant-v5", made))
    out = capsys.readouterr().out
    assert "WARNING" not in out
    assert "records its env as gym.make('Ant-v5', healthy_z_range=[0.2, 1.2])" in out
    assert data.env_kwargs == {"healthy_z_range": [0.2, 1.2]}
    from rambo_env.dynamics.termination import get_termination_fn

    assert get_termination_fn(data.env_id, data).high == 1.2


def test_minari_data_of_non_default_kwargs_load_in_that_env(capsys) -> None:
    # probe 77 row 21: 12-dim Hopper-v5(exclude_current_positions_from_observation=False) data
    # were refused with "fix the env_id stored with the data"; row 22: Ant-v5 data of another
    # healthy_z_range loaded, their kwargs dropped
    _minari(
        "p77/hopper12/random-v0", "Hopper-v5", 400, exclude_current_positions_from_observation=False
    )
    data = load_dataset("p77/hopper12/random-v0")
    assert data.observations.shape[1] == 12
    assert data.env_kwargs == {"exclude_current_positions_from_observation": False}
    out = capsys.readouterr().out
    assert "gym.make('Hopper-v5', exclude_current_positions_from_observation=False)" in out
    assert "model rollouts end by a classifier" in out  # Hopper's rule reads obs[0] as height

    from rambo_env.evaluation import evaluate_policy
    from rambo_env.normalization import ObsNormalizer

    result = evaluate_policy(
        lambda obs: np.zeros((len(obs), 3), np.float32), data.env_id,
        ObsNormalizer.from_dataset(data), n_episodes=1, env_kwargs=data.env_kwargs,
    )  # fmt: skip
    assert result.to_dict()  # the 12-dim env, made with the data's kwargs

    _minari("p77/antz/random-v0", "Ant-v5", 600, healthy_z_range=(0.2, 1.2))
    data = load_dataset("p77/antz/random-v0")
    assert data.env_kwargs == {"healthy_z_range": [0.2, 1.2]}
    assert "records its env as gym.make('Ant-v5', healthy_z_range=[0.2, 1.2])" in (
        capsys.readouterr().out
    )


def test_a_12_dim_hopper_npz_without_kwargs_is_told_about_them(tmp_path) -> None:
    # probe 77 row 21: the advice was only "fix the env_id stored with the data"
    episodes = _episodes("Hopper-v5", 200, exclude_current_positions_from_observation=False)
    with pytest.raises(
        DatasetValidationError,
        match="exclude_current_positions_from_observation=False: record the kwargs",
    ):
        load_dataset(_npz(tmp_path / "hop12.npz", episodes, "Hopper-v5"))
    made = {"env_kwargs": {"exclude_current_positions_from_observation": False}}
    data = load_dataset(_npz(tmp_path / "hop12_kw.npz", episodes, "Hopper-v5", made))
    assert data.obs_dim == 12


def test_env_kwargs_that_are_no_dict_are_refused() -> None:
    z = np.zeros((3, 11), np.float32)
    with pytest.raises(DatasetValidationError, match=r"metadata\['env_kwargs'\]: expected a dict"):
        OfflineDataset(
            z, np.zeros((3, 3), np.float32), np.zeros(3, np.float32), z, np.zeros(3, bool),
            np.zeros(3, bool), env_id="Hopper-v5", metadata={"env_kwargs": [1, 2]},
        ).validate()  # fmt: skip


def test_score_label_of_data_without_reference_scores() -> None:
    # probe 77 row 26: Reacher data's results.json said 'D4RL-normalised' beside ref_scores null
    from rambo_env.data.scores import NO_REF_SCORES, score_label

    assert score_label("Reacher-v5", None, None) == NO_REF_SCORES
    assert score_label("Hopper-v5", None, None) == "D4RL-normalised"  # D4RL's pair is used


def test_swimmer_data_of_another_forward_weight_are_warned_about(tmp_path, capsys) -> None:
    # probe 77 row 25: Swimmer-v5(forward_reward_weight=5.0) data loaded with only the load line
    weighted = _episodes("Swimmer-v5", 600, forward_reward_weight=5.0)
    load_dataset(_npz(tmp_path / "fw.npz", weighted, "Swimmer-v5"))
    out = capsys.readouterr().out
    assert "its rewards follow Swimmer-v5's forward velocity at weight 5" in out
    assert "not the env's forward_reward_weight 1: collected with non-default env kwargs?" in out
    load_dataset(_npz(tmp_path / "own.npz", _episodes("Swimmer-v5", 600), "Swimmer-v5"))
    assert "WARNING" not in capsys.readouterr().out  # the env's own rewards
    made = {"env_kwargs": {"forward_reward_weight": 5.0}}
    data = load_dataset(_npz(tmp_path / "fw_kw.npz", weighted, "Swimmer-v5", made))
    assert "WARNING" not in capsys.readouterr().out and data.env_kwargs == made["env_kwargs"]
