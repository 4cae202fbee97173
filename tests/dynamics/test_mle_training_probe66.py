"""Probe 66 rows 20-22: MLE pretraining names the setting that makes its holdout small, and
refuses a normaliser not fitted on the dataset."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
from rambo_env.dynamics.training import MLEConfig, train_mle
from rambo_env.normalization import ObsNormalizer
from tests.dynamics.test_mle_training import linear_dataset

TINY = EnsembleConfig(n_members=3, n_elites=2, hidden_dims=(8, 8))


def fit(cfg: MLEConfig, normalizer: ObsNormalizer | None = None) -> None:
    data = linear_dataset(600)
    model = GaussianEnsemble(3, 2, TINY, generator=torch.Generator().manual_seed(0))
    norm = normalizer if normalizer is not None else ObsNormalizer.from_dataset(data)
    train_mle(model, data, norm, cfg, "cpu", progress=False)


def test_a_tiny_holdout_ratio_is_named(capsys) -> None:
    # probe 66 row 20: was "use a dataset of at least 2000000000 transitions"
    fit(MLEConfig(holdout_ratio=1e-9, max_epochs=1, batch_size=64))
    out = capsys.readouterr().out
    assert "its 2 elites are picked by their error on 1 transition(s); raise " in out
    assert "MLEConfig.holdout_ratio (now 1e-09; the default 0.1 holds out 60 of these rows)" in out
    assert "use a dataset" not in out


def test_a_max_holdout_below_n_elites_is_warned(capsys) -> None:
    # probe 66 row 21: was no warning at all
    fit(MLEConfig(max_holdout=1, max_epochs=1, batch_size=64))
    out = capsys.readouterr().out
    assert "its 2 elites are picked by their error on 1 transition(s); raise " in out
    assert "MLEConfig.max_holdout (now 1) to at least n_elites=2" in out


def test_a_normalizer_of_other_data_is_refused() -> None:
    # probe 66 row 22: trained to a holdout MSE of 2e5, the warning blamed the learning rate
    other = ObsNormalizer(mean=np.full(3, 100.0), std=np.full(3, 0.001))
    with pytest.raises(
        ValueError,
        match=r"normalizer: not fitted on this dataset \(or on too few of its rows\): .*from_dataset",
    ):
        fit(MLEConfig(max_epochs=1), other)
