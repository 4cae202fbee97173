"""Offline datasets: the :class:`OfflineDataset` type, loaders (Minari, D4RL, npz), D4RL scores
and D4RL-protocol dataset generation (issue 2).

Heavy pieces (Minari, h5py, torch, MuJoCo) are imported only when a loader or generator runs.
"""

from __future__ import annotations

from rambo_env.data.dataset import (
    DatasetUnavailableError,
    DatasetValidationError,
    OfflineDataset,
)
from rambo_env.data.loaders import SHORT_NAMES, load_dataset
from rambo_env.data.scores import (
    ENV_IDS,
    LEVELS,
    REF_SCORES,
    env_name_from_id,
    normalized_score,
    ref_scores,
)

__all__ = [
    "ENV_IDS",
    "LEVELS",
    "REF_SCORES",
    "SHORT_NAMES",
    "DatasetUnavailableError",
    "DatasetValidationError",
    "OfflineDataset",
    "env_name_from_id",
    "load_dataset",
    "normalized_score",
    "ref_scores",
]
