"""Helpers for the dataset tests: tiny synthetic datasets and a randomly initialised actor file."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import torch

from rambo_env.data import OfflineDataset
from rambo_env.policies import SquashedGaussianActor


def make_arrays(
    episode_lengths: list[int],
    *,
    terminal_last: list[bool],
    obs_dim: int = 11,
    action_dim: int = 3,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Flat D4RL arrays of consecutive episodes; ``next_obs[t] == obs[t + 1]`` inside each one.

    An episode that is not terminal ends with a timeout.
    """
    rng = np.random.default_rng(seed)
    parts = []
    for length, terminal in zip(episode_lengths, terminal_last, strict=True):
        obs = rng.standard_normal((length + 1, obs_dim)).astype(np.float32)  # [T + 1, O]
        end = np.zeros(length, dtype=bool)
        end[-1] = True
        parts.append(
            {
                "observations": obs[:-1],
                "next_observations": obs[1:],
                "actions": rng.uniform(-1, 1, (length, action_dim)).astype(np.float32),
                "rewards": rng.standard_normal(length).astype(np.float32),
                "terminals": end & terminal,
                "timeouts": end & (not terminal),
            }
        )
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def make_dataset(
    episode_lengths=(5, 4, 3), terminal_last=(False, True, False), **meta
) -> OfflineDataset:
    meta.setdefault("env_id", "Hopper-v5")
    arrays = make_arrays(list(episode_lengths), terminal_last=list(terminal_last))
    return OfflineDataset.from_arrays(arrays, **meta)


def save_random_actor(path: Path, env_id: str = "Hopper-v5", seed: int = 0) -> Path:
    """A randomly initialised actor in the payload format of ``agents.behaviour.save_actor``."""
    env = gym.make(env_id)
    torch.manual_seed(seed)
    obs_dim, action_dim = env.observation_space.shape[0], env.action_space.shape[0]
    actor = SquashedGaussianActor(obs_dim, action_dim, (32, 32))
    state = {
        k: v for k, v in actor.state_dict().items() if not k.startswith("action_")
    }  # SB3 keys only
    torch.save(
        {
            "state_dict": state,
            "obs_dim": obs_dim,
            "action_dim": action_dim,
            "hidden_dims": [32, 32],
            "action_low": torch.as_tensor(env.action_space.low, dtype=torch.float32),
            "action_high": torch.as_tensor(env.action_space.high, dtype=torch.float32),
        },
        path,
    )
    return path


def nothing_in_the_minari_root() -> bool:
    """No file in the (test's) Minari root: a refused ``save_minari`` wrote nothing."""
    from rambo_env.data.minari_io import minari_dataset_path

    root = minari_dataset_path("")
    return not root.exists() or not [p for p in root.rglob("*") if p.is_file()]
