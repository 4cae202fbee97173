"""Tiny synthetic Hopper-shaped data and a tiny trained ensemble, shared by the env and VecEnv tests
(imported by tests/envs/conftest.py and tests/agents/test_vec_env.py)."""

from __future__ import annotations

import numpy as np

from rambo_env.data.dataset import OfflineDataset
from rambo_env.dynamics.ensemble import EnsembleConfig
from rambo_env.dynamics.training import MLEConfig
from rambo_env.model import LearnedMDP, make_mdp

__all__ = ["TINY_ENSEMBLE", "TINY_MLE", "make_tiny_dataset", "make_tiny_mdp"]

TINY_ENSEMBLE = EnsembleConfig(
    n_members=3, n_elites=2, hidden_dims=(16, 16), weight_decays=(2.5e-5, 5e-5, 1e-4)
)
TINY_MLE = MLEConfig(max_epochs=2, max_holdout=200, batch_size=128, seed=0)

OBS_DIM, ACTION_DIM = 11, 3
# Hopper standing pose: height 1.25, everything else 0 (far from Hopper-v5's termination bounds).
NOMINAL = np.array([1.25] + [0.0] * (OBS_DIM - 1), dtype=np.float64)


def make_tiny_dataset(
    n_transitions: int = 2000, episode_len: int = 100, seed: int = 0
) -> OfflineDataset:
    """Hopper-v5-shaped episodes of a stable linear system around the standing pose.

    ``s' = nominal + 0.9 (s - nominal) + 0.02 B a + noise``; reward = 1 + forward velocity obs[5].
    Every episode ends in a timeout (no terminals).
    """
    rng = np.random.default_rng(seed)
    n_episodes = n_transitions // episode_len
    b = rng.normal(0.0, 1.0, (OBS_DIM, ACTION_DIM))  # [O, A]
    obs = np.empty((n_episodes, episode_len + 1, OBS_DIM))  # [E, L + 1, O]
    obs[:, 0] = NOMINAL + rng.normal(0.0, 0.01, (n_episodes, OBS_DIM))
    actions = rng.uniform(-1.0, 1.0, (n_episodes, episode_len, ACTION_DIM))  # [E, L, A]
    for t in range(episode_len):
        noise = rng.normal(0.0, 0.002, (n_episodes, OBS_DIM))
        obs[:, t + 1] = NOMINAL + 0.9 * (obs[:, t] - NOMINAL) + 0.02 * actions[:, t] @ b.T + noise
    rewards = 1.0 + obs[:, 1:, 5]  # [E, L]
    timeouts = np.zeros((n_episodes, episode_len), dtype=bool)
    timeouts[:, -1] = True
    return OfflineDataset.from_arrays(
        {
            "observations": obs[:, :-1].reshape(-1, OBS_DIM),
            "actions": actions.reshape(-1, ACTION_DIM),
            "rewards": rewards.reshape(-1),
            "next_observations": obs[:, 1:].reshape(-1, OBS_DIM),
            "terminals": np.zeros(n_episodes * episode_len, dtype=bool),
            "timeouts": timeouts.reshape(-1),
        },
        env_id="Hopper-v5",
        name="tiny-hopper",
        source="synthetic (tests)",
    )


def make_tiny_mdp(dataset: OfflineDataset | None = None, cache: bool = False) -> LearnedMDP:
    """A 3-member (2 elites) 2 x 16 ensemble trained for 2 epochs on the tiny dataset, on CPU."""
    return make_mdp(
        dataset if dataset is not None else make_tiny_dataset(),
        device="cpu",
        ensemble_config=TINY_ENSEMBLE,
        mle_config=TINY_MLE,
        seed=0,
        cache=cache,
        progress=False,
    )
