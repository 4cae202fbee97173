"""Probe 98 (fixer h): the adversary's batch size checked against the dataset as the agent's."""

from __future__ import annotations

import pytest

from rambo_env.adversary import AdversaryConfig, ModelAdversary
from rambo_env.data.dataset import OfflineDataset
from rambo_env.model import LearnedMDP
from tests.agents.test_adversary_probe100 import _small


@pytest.fixture(scope="module")
def small() -> tuple[LearnedMDP, OfflineDataset]:
    """An untrained 2-member ensemble on 120 rows (only construction is checked)."""
    return _small(dim=1)


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
