"""Probe 98 (fixer h): the adversary's batch size checked against the dataset as the agent's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rambo_env.adversary import AdversaryConfig, ModelAdversary, real_transitions
from rambo_env.data.dataset import OfflineDataset
from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
from rambo_env.model import LearnedMDP
from rambo_env.normalization import ObsNormalizer


def _never(raw_next_obs: torch.Tensor) -> torch.Tensor:
    return torch.zeros(raw_next_obs.shape[0], dtype=torch.bool, device=raw_next_obs.device)


@pytest.fixture(scope="module")
def small() -> tuple[LearnedMDP, OfflineDataset]:
    """An untrained 2-member ensemble on 120 rows (only construction is checked)."""
    rng = np.random.default_rng(0)
    s = rng.uniform(-1, 1, (120, 1)).astype(np.float32)
    a = rng.uniform(-0.3, 0.3, (120, 1)).astype(np.float32)
    dataset = OfflineDataset.from_arrays(
        {
            "observations": s,
            "actions": a,
            "rewards": s[:, 0],
            "next_observations": s + a,
            "terminals": np.zeros(120, bool),
            "timeouts": np.zeros(120, bool),
        }
    )
    norm = ObsNormalizer.from_dataset(dataset)
    cfg = EnsembleConfig(n_members=2, n_elites=2, hidden_dims=(8, 8), weight_decays=(0, 0, 0))
    ensemble = GaussianEnsemble(1, 1, cfg, generator=torch.Generator().manual_seed(0))
    real = real_transitions(dataset, norm, "cpu")
    return LearnedMDP(ensemble, norm, _never, real.obs, device="cpu"), dataset


def test_adversary_batch_beyond_the_dataset_refused(small) -> None:
    # probe 98 row 38: was AdversaryConfig(batch_size=5000) on 1200 rows taken without a word,
    # while make_agent(batch_size=4096) was refused as "more than the 1520 rows …"
    mdp, dataset = small
    with pytest.raises(ValueError) as err:
        ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, 2, n_updates=1, batch_size=500))
    msg = str(err.value)
    assert msg.startswith("AdversaryConfig.batch_size: 500 is more than the 120 rows ")
    assert "every batch would repeat each row ~4 times; give at most 120" in msg


def test_adversary_batch_within_the_dataset_and_default_taken(small) -> None:
    mdp, dataset = small
    ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, 2, n_updates=1, batch_size=120))
    ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, 2, n_updates=1))  # 256: the default
