"""Probe 100 row 42 (p100r): ``RealTransitions.sample(n, generator)`` checks ``n``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rambo_env.adversary import real_transitions
from rambo_env.data.dataset import OfflineDataset
from rambo_env.normalization import ObsNormalizer


def _real():
    rng = np.random.default_rng(0)
    s = rng.uniform(-1, 1, (50, 2)).astype(np.float32)
    dataset = OfflineDataset.from_arrays(
        {
            "observations": s,
            "actions": np.zeros((50, 2), np.float32),
            "rewards": s[:, 0],
            "next_observations": s,
            "terminals": np.zeros(50, bool),
            "timeouts": np.zeros(50, bool),
        }
    )
    return real_transitions(dataset, ObsNormalizer.from_dataset(dataset), "cpu")


@pytest.mark.parametrize("n", [-1, 0, True, 2.5, "3"])
def test_sample_refuses_a_row_count_below_one_or_not_an_int(n):
    # probe 100 row 42: -1 was torch's "Trying to create tensor with negative dimension -1",
    # 0 an empty [0, obs_dim] batch without a word
    real = _real()
    generator = torch.Generator().manual_seed(0)
    before = generator.get_state()
    with pytest.raises(ValueError, match=rf"^n: expected a positive int, got {n!r}"):
        real.sample(n, generator)
    assert torch.equal(generator.get_state(), before)


def test_sample_of_a_valid_count_is_as_before():
    real = _real()
    rows = real.sample(np.int64(4), torch.Generator().manual_seed(0))
    assert rows.obs.shape == (4, 2) and rows.reward.shape == (4,)
