"""MLE pretraining (Alg. 1 line 1): fits a synthetic linear system, budget / early-stop rules,
best-snapshot restore, elites, determinism and data validation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rambo_env.data.dataset import OfflineDataset
from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
from rambo_env.dynamics.training import (
    MLEConfig,
    _BestSnapshots,
    _split,
    model_tensors,
    train_mle,
)
from rambo_env.normalization import ObsNormalizer

TINY = EnsembleConfig(
    n_members=4, n_elites=2, hidden_dims=(32, 32), weight_decays=(1e-5, 1e-5, 1e-5)
)


def linear_dataset(n: int, seed: int = 0, noise: float = 0.01) -> OfflineDataset:
    """next_obs = A obs + B action + ε, reward = c·obs + d·action; terminals and timeouts mixed in."""
    rng = np.random.default_rng(seed)
    a = np.eye(3) + 0.1 * rng.normal(size=(3, 3))
    b = rng.normal(size=(2, 3))
    obs = rng.normal(size=(n, 3)) * [1.0, 3.0, 0.5] + [0.0, 1.0, 2.0]
    action = rng.uniform(-1, 1, size=(n, 2))
    next_obs = obs @ a.T + action @ b + noise * rng.normal(size=(n, 3))
    reward = obs @ [0.5, -0.2, 1.0] + action @ [1.0, 0.3]
    terminals, timeouts = np.zeros(n, bool), np.zeros(n, bool)
    terminals[::50], timeouts[25::50] = True, True
    f32 = np.float32
    return OfflineDataset(
        obs.astype(f32), action.astype(f32), reward.astype(f32), next_obs.astype(f32),
        terminals, timeouts,
    )  # fmt: skip


def fit(data: OfflineDataset, cfg: MLEConfig, seed: int = 0) -> tuple[GaussianEnsemble, object]:
    model = GaussianEnsemble(3, 2, TINY, generator=torch.Generator().manual_seed(seed))
    report = train_mle(model, data, ObsNormalizer.from_dataset(data), cfg, "cpu", progress=False)
    return model, report


def test_fits_linear_system() -> None:
    data = linear_dataset(2000)
    norm = ObsNormalizer.from_dataset(data)
    _, y = model_tensors(data, norm, torch.device("cpu"))
    model, report = fit(data, MLEConfig(max_epochs=60, patience=60, lr=3e-3))
    assert report.stopped_by == "max_epochs" and report.epochs == 60
    # Holdout MSE of the mean far below the target variance (what a constant predictor achieves).
    assert max(report.holdout_mse) < 0.01 * float(y.var(0).mean())
    assert report.train_loss[-1] < report.train_loss[0]
    assert report.n_holdout == 200 and report.n_train == 1800  # terminal/timeout rows all used
    # Elites are the n_elites members with the lowest holdout MSE, best first.
    order = np.argsort(report.holdout_mse)
    assert list(report.elites) == order[:2].tolist() == model.elite_idx.tolist()
    # Input statistics come from the training split of (obs_norm, action).
    assert model.input_mean[:3].abs().max() < 0.1 and (model.input_std[:3] - 1).abs().max() < 0.1


def test_early_stop_and_time_budget() -> None:
    data = linear_dataset(300)
    # Nothing can improve by 99 % after the first epoch: stops once patience (1) is exceeded.
    _, report = fit(data, MLEConfig(improvement_threshold=0.99, patience=1, max_epochs=50))
    assert report.stopped_by == "early_stop" and report.epochs == 3
    ends = report.epoch_end_s  # time-to-quality: seconds at each epoch's end
    assert len(ends) == 3 and 0 < ends[0] < ends[1] < ends[2] <= report.wall_s
    _, report = fit(data, MLEConfig(max_time_s=1e-6, max_epochs=50))
    assert report.stopped_by == "max_time" and report.epochs == 1
    assert report.wall_s > 0 and len(report.train_loss) == len(report.holdout_history) == 1


def test_same_seed_same_result() -> None:
    data = linear_dataset(400)
    cfg = MLEConfig(max_epochs=3, seed=5)
    model_a, report_a = fit(data, cfg)
    model_b, report_b = fit(data, cfg)
    assert report_a.train_loss == report_b.train_loss
    assert report_a.holdout_mse == report_b.holdout_mse
    for p, q in zip(model_a.parameters(), model_b.parameters(), strict=True):
        assert torch.equal(p, q)
    _, report_c = fit(data, MLEConfig(max_epochs=3, seed=6))
    assert report_c.train_loss != report_a.train_loss


def test_best_snapshots_restore_each_member() -> None:
    model = GaussianEnsemble(3, 2, TINY)
    tracker = _BestSnapshots(model, threshold=0.01)
    weight = model.hidden[0].weight
    with torch.no_grad():
        weight.fill_(1.0)
    tracker.update(torch.tensor([1.0, 1.0, 1.0, 1.0]))  # first epoch: everyone improves on inf
    with torch.no_grad():
        weight.fill_(2.0)
    tracker.update(torch.tensor([0.5, 0.995, 2.0, 0.98]))  # 0 and 3 improve > 1 %; 1 by only 0.5 %
    assert tracker.since_improved == 0
    with torch.no_grad():
        weight.fill_(3.0)
    tracker.update(torch.tensor([0.6, 0.9999, 5.0, 0.99]))  # nobody improves
    assert tracker.since_improved == 1
    tracker.restore()
    assert weight[:, 0, 0].tolist() == [2.0, 1.0, 1.0, 2.0]
    assert tracker.best.tolist() == pytest.approx([0.5, 1.0, 1.0, 0.98])


def test_holdout_size_rule() -> None:
    gen = torch.Generator().manual_seed(0)
    for n, expected in ((50, 5), (2000, 200), (30000, 1000)):
        x, y = torch.arange(n).float()[:, None], torch.zeros(n, 1)
        x_train, _, x_hold, _ = _split(x, y, MLEConfig(), gen)
        assert x_hold.shape[0] == expected and x_train.shape[0] == n - expected
        assert sorted(torch.cat([x_train, x_hold]).squeeze(1).long().tolist()) == list(range(n))


def test_rejects_non_finite_data() -> None:
    data = linear_dataset(100)
    data.next_observations[17, 1] = np.nan
    with pytest.raises(ValueError, match=r"dataset.next_observations\[17\] is not finite"):
        fit(data, MLEConfig(max_epochs=1))


def test_config_validation() -> None:
    with pytest.raises(ValueError, match=r"MLEConfig\.holdout_ratio"):
        MLEConfig(holdout_ratio=1.5)
    with pytest.raises(ValueError, match=r"MLEConfig\.max_epochs"):
        MLEConfig(max_epochs=0)
