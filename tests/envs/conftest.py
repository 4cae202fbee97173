"""Session-wide tiny fixtures for the model-env tests (built once: training dominates)."""

from __future__ import annotations

import pytest

from rambo_env.data.dataset import OfflineDataset
from rambo_env.model import LearnedMDP
from tests.envs.tiny_mdp import make_tiny_dataset, make_tiny_mdp


@pytest.fixture(scope="session")
def tiny_dataset() -> OfflineDataset:
    return make_tiny_dataset()


@pytest.fixture(scope="session")
def tiny_mdp(tiny_dataset: OfflineDataset) -> LearnedMDP:
    """Shared by many tests: do not modify its ensemble (monkeypatching methods is fine)."""
    return make_tiny_mdp(tiny_dataset)
