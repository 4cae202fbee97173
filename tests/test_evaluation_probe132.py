"""Probe 132 row 5: ``evaluate_policy(…, scorer=ds)`` with a dataset carrying no reference
scores returned ``normalized_score`` None without a word, although ``load_dataset`` / ``make_mdp``
of the same data score on D4RL's pair of its env (with a note). The same fallback and note apply
now; a scorer left without scores is said to give none."""

from __future__ import annotations

import numpy as np
import pytest

from rambo_env import evaluation
from rambo_env.data.dataset import OfflineDataset
from rambo_env.data.scores import REF_SCORES
from rambo_env.evaluation import evaluate_policy
from rambo_env.normalization import ObsNormalizer


def _dataset(env_id: str, obs_dim: int, action_dim: int) -> OfflineDataset:
    rng = np.random.default_rng(0)
    n = 20
    return OfflineDataset.from_arrays(
        {
            "observations": rng.normal(size=(n, obs_dim)).astype(np.float32),
            "actions": rng.uniform(-0.5, 0.5, (n, action_dim)).astype(np.float32),
            "rewards": np.zeros(n, np.float32),
            "next_observations": rng.normal(size=(n, obs_dim)).astype(np.float32),
            "terminals": np.zeros(n, bool),
            "timeouts": np.ones(n, bool),
        },
        env_id=env_id,
    )


def _evaluate(dataset: OfflineDataset, env_id: str, action_dim: int):
    return evaluate_policy(
        lambda obs: np.zeros((len(obs), action_dim), np.float32),
        env_id,
        ObsNormalizer.from_dataset(dataset),
        scorer=dataset,
        n_episodes=2,
        max_episode_steps=5,
    )


def test_a_dataset_without_reference_scores_scores_on_d4rls_pair(capsys):
    dataset = _dataset("Hopper-v5", 11, 3)
    assert dataset.ref_min_score is None
    result = _evaluate(dataset, "Hopper-v5", 3)
    low, high = REF_SCORES["hopper"]
    assert result.normalized_score == pytest.approx(
        100 * (result.mean_return - low) / (high - low), rel=1e-6
    )
    assert "carries no reference scores; using D4RL's hopper returns" in capsys.readouterr().out
    assert dataset.ref_min_score is None  # the caller's dataset is not changed


def test_a_scorer_left_without_scores_is_said_once(capsys, monkeypatch):
    monkeypatch.setattr(evaluation, "_UNSCORED_SAID", set())
    dataset = _dataset("InvertedPendulum-v5", 4, 1)  # no D4RL pair
    assert _evaluate(dataset, "InvertedPendulum-v5", 1).normalized_score is None
    out = capsys.readouterr().out
    assert "scorer OfflineDataset 'custom' carries no reference scores (ref_min_score" in out
    assert "normalized_score is None" in out
    _evaluate(dataset, "InvertedPendulum-v5", 1)  # cotrain evaluates every iteration: said once
    assert "carries no reference scores" not in capsys.readouterr().out
