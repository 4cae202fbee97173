"""MLE pretraining (Alg. 1 line 1): fits a synthetic linear system, budget / early-stop rules,
best-snapshot restore, elites, determinism, data validation and per-epoch checkpoint / resume."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from rambo_env.adversary import AdversaryConfig
from rambo_env.data.dataset import OfflineDataset
from rambo_env.dynamics import training
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


def fit(
    data: OfflineDataset, cfg: MLEConfig, seed: int = 0, checkpoint_path: Path | None = None
) -> tuple[GaussianEnsemble, object]:
    model = GaussianEnsemble(3, 2, TINY, generator=torch.Generator().manual_seed(seed))
    norm = ObsNormalizer.from_dataset(data)
    report = train_mle(
        model, data, norm, cfg, "cpu", progress=False, checkpoint_path=checkpoint_path
    )
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


def test_pretraining_that_does_not_improve_the_model_is_warned_about(capsys) -> None:
    """Issue 14 (probe 33): ``--mle-lr 1e-12`` (a typo for 1e-3) early-stopped at the untrained
    model's holdout MSE, and the agent trained in it without a word."""
    data = linear_dataset(300)
    _, report = fit(data, MLEConfig(lr=1e-12, patience=1, max_epochs=50))
    out = capsys.readouterr().out
    assert report.stopped_by == "early_stop"
    assert report.initial_holdout_mse == pytest.approx(np.mean(report.holdout_mse), rel=1e-4)
    assert out.count("WARNING") == 1, out
    assert (
        f"[rambo_env] WARNING: MLE pretraining on dataset 'custom' did not improve the model: mean "
        f"holdout MSE "
        f"{np.mean(report.holdout_mse):.5g} after {report.epochs} epoch(s) (early_stop) vs "
        f"{report.initial_holdout_mse:.5g} untrained (a drop of " in out
    ), out
    assert "check the learning rate (--mle-lr, MLEConfig.lr: 1e-12; official 3e-4)\n" in out
    _, report = fit(data, MLEConfig(lr=1e-12, max_epochs=2))  # a budget stop: same advice + more
    assert "(max_epochs) vs" in capsys.readouterr().out
    _, report = fit(data, MLEConfig(max_epochs=1))  # one normal epoch: nothing said
    assert np.mean(report.holdout_mse) < report.initial_holdout_mse
    assert "did not improve" not in capsys.readouterr().out


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
    data.next_observations.setflags(write=True)  # datasets are read-only: bypassed, to reach
    data.next_observations[17, 1] = np.nan  # training's own guard
    with pytest.raises(ValueError, match=r"dataset.next_observations\[17\] is not finite"):
        fit(data, MLEConfig(max_epochs=1))


def test_config_validation() -> None:
    with pytest.raises(ValueError, match=r"MLEConfig\.holdout_ratio"):
        MLEConfig(holdout_ratio=1.5)
    with pytest.raises(ValueError, match=r"MLEConfig\.max_epochs"):
        MLEConfig(max_epochs=0)


# ------------------------------------------------------------------------- checkpoint and resume


def _killed_after(
    monkeypatch, epoch: int, data: OfflineDataset, cfg: MLEConfig, path: Path
) -> None:
    """Train with a checkpoint at ``path`` and "kill" the process right after ``epoch``'s
    checkpoint was written (KeyboardInterrupt from the save hook)."""
    save = training._save_checkpoint

    def save_then_die(p: Path, state: dict) -> None:
        save(p, state)
        if state["epoch"] == epoch:
            raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(training, "_save_checkpoint", save_then_die)
        with pytest.raises(KeyboardInterrupt):
            fit(data, cfg, checkpoint_path=path)
    assert path.is_file()


def _same_model(a: GaussianEnsemble, b: GaussianEnsemble) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_resume_after_kill_is_bitwise_the_uninterrupted_run(tmp_path, monkeypatch, capsys) -> None:
    data, cfg, path = linear_dataset(400), MLEConfig(max_epochs=4), tmp_path / "m.partial.pt"
    straight_model, straight = fit(data, cfg)
    _killed_after(monkeypatch, 2, data, cfg, path)
    saved = torch.load(path, weights_only=True)
    assert saved["epoch"] == 2 and saved["gen_state"].dtype == torch.uint8
    capsys.readouterr()
    model, report = fit(data, cfg, checkpoint_path=path)
    assert "resuming MLE pretraining from epoch 2 (" in capsys.readouterr().out
    assert _same_model(model, straight_model)  # weights, input stats and elites
    assert report.holdout_history == straight.holdout_history
    assert report.train_loss == straight.train_loss and report.holdout_mse == straight.holdout_mse
    assert report.elites == straight.elites and report.stopped_by == "max_epochs"
    # Time continues from the first session: its two epoch ends are kept, then later ones.
    ends = report.epoch_end_s
    assert ends[:2] == tuple(saved["epoch_end_s"]) and ends[1] < ends[2] < ends[3] <= report.wall_s
    assert torch.load(path, weights_only=True)["epoch"] == 4  # a budget stop keeps it


def test_a_larger_budget_continues_where_a_finished_smaller_one_stopped(tmp_path, capsys) -> None:
    """Budgets share one checkpoint: a run capped at 2 epochs finishes (its checkpoint stays),
    then a 4-epoch budget trains epochs 3-4 only and ends with the uninterrupted 4-epoch model;
    an uncapped run (official early stop) continues the same way and removes the checkpoint."""
    data, path = linear_dataset(400), tmp_path / "m.partial.pt"
    straight_model, straight = fit(data, MLEConfig(max_epochs=4))
    _, capped = fit(data, MLEConfig(max_epochs=2), checkpoint_path=path)
    assert capped.epochs == 2 and torch.load(path, weights_only=True)["epoch"] == 2
    capsys.readouterr()
    model, report = fit(data, MLEConfig(max_epochs=4), checkpoint_path=path)
    assert "resuming MLE pretraining from epoch 2 (" in capsys.readouterr().out
    assert _same_model(model, straight_model) and report.holdout_history == straight.holdout_history
    early = MLEConfig(max_epochs=None, max_time_s=None)  # the official rule, no budget
    straight_model, straight = fit(data, early)
    model, report = fit(data, early, checkpoint_path=path)
    assert report.stopped_by == "early_stop" and report.epochs == straight.epochs > 4
    assert _same_model(model, straight_model) and report.holdout_history == straight.holdout_history
    assert not path.exists()  # converged: nothing left to continue


def test_resume_with_a_larger_epoch_budget(tmp_path, monkeypatch) -> None:
    data, path = linear_dataset(400), tmp_path / "m.partial.pt"
    straight_model, straight = fit(data, MLEConfig(max_epochs=4))
    _killed_after(monkeypatch, 2, data, MLEConfig(max_epochs=2), path)  # budgets are not identity
    model, report = fit(data, MLEConfig(max_epochs=4), checkpoint_path=path)
    assert _same_model(model, straight_model) and report.holdout_history == straight.holdout_history


def test_time_budget_counts_earlier_sessions(tmp_path, monkeypatch) -> None:
    data, path = linear_dataset(400), tmp_path / "m.partial.pt"
    _killed_after(monkeypatch, 2, data, MLEConfig(max_epochs=4), path)
    saved = torch.load(path, weights_only=True)
    saved["elapsed_s"] = 1000.0  # the first session ran 1000 s
    torch.save(saved, path)
    _, report = fit(data, MLEConfig(max_epochs=4, max_time_s=1000.0), checkpoint_path=path)
    assert report.stopped_by == "max_time" and report.epochs == 2  # no epoch in this session
    assert report.wall_s >= 1000.0 and torch.load(path, weights_only=True)["epoch"] == 2


def test_a_checkpoint_beyond_the_budget_is_neither_resumed_nor_overwritten(
    tmp_path, monkeypatch, capsys
) -> None:
    """Budgets share one checkpoint, so a smaller budget may find a larger one's: a 2-epoch run
    must not return the 4-epoch model (nor a 500 s run one of 1000 s), and must leave it as is."""
    data, path = linear_dataset(400), tmp_path / "m.partial.pt"
    fit(data, MLEConfig(max_epochs=4), checkpoint_path=path)
    saved = torch.load(path, weights_only=True)
    straight_model, straight = fit(data, MLEConfig(max_epochs=2))
    capsys.readouterr()
    model, report = fit(data, MLEConfig(max_epochs=2), checkpoint_path=path)
    out = capsys.readouterr().out
    assert "is at epoch 4, beyond this run's max_epochs 2" in out and "resuming" not in out
    assert _same_model(model, straight_model) and report.holdout_history == straight.holdout_history
    assert torch.load(path, weights_only=True)["history"] == saved["history"]  # untouched
    saved["elapsed_s"] = 1000.0
    torch.save(saved, path)
    _, report = fit(data, MLEConfig(max_epochs=5, max_time_s=500.0), checkpoint_path=path)
    assert "is at 1000.0 s, beyond this run's max_time_s 500" in capsys.readouterr().out
    assert report.epochs == 5 and report.wall_s < 500.0
    assert torch.load(path, weights_only=True)["elapsed_s"] == 1000.0


def test_checkpoint_of_other_config_or_data_is_not_resumed(tmp_path, monkeypatch, capsys) -> None:
    data, path = linear_dataset(400), tmp_path / "m.partial.pt"
    for other_data, other_cfg in (
        (data, MLEConfig(max_epochs=3, lr=3e-4)),
        (data, MLEConfig(max_epochs=3, seed=1)),
        (linear_dataset(400, seed=1), MLEConfig(max_epochs=3)),
    ):
        _killed_after(monkeypatch, 2, data, MLEConfig(max_epochs=3), path)
        capsys.readouterr()
        model, report = fit(other_data, other_cfg, checkpoint_path=path)
        out = capsys.readouterr().out
        assert "belongs to another dataset, model or config" in out and "resuming" not in out
        fresh_model, fresh = fit(other_data, other_cfg)
        assert _same_model(model, fresh_model) and report.holdout_history == fresh.holdout_history
    _killed_after(monkeypatch, 2, data, MLEConfig(max_epochs=3), path)
    capsys.readouterr()
    fit(data, MLEConfig(max_epochs=3), seed=1, checkpoint_path=path)  # other initial weights
    assert "belongs to another" in capsys.readouterr().out


@pytest.mark.parametrize("damage", ["truncated", "missing_key"])
def test_damaged_checkpoint_means_a_fresh_start(tmp_path, monkeypatch, capsys, damage) -> None:
    data, cfg, path = linear_dataset(400), MLEConfig(max_epochs=3), tmp_path / "m.partial.pt"
    fresh_model, fresh = fit(data, cfg)
    _killed_after(monkeypatch, 2, data, cfg, path)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    else:  # readable, right fingerprint, but fails half-way through restoring the state
        saved = torch.load(path, weights_only=True)
        del saved["tracker"]
        torch.save(saved, path)
    capsys.readouterr()
    model, report = fit(data, cfg, checkpoint_path=path)
    out = capsys.readouterr().out
    assert out.count("is unreadable") == 1 and "starting MLE pretraining afresh" in out
    assert "resuming" not in out
    assert _same_model(model, fresh_model) and report.holdout_history == fresh.holdout_history
    assert torch.load(path, weights_only=True)["epoch"] == 3  # rewritten by the fresh run


@pytest.mark.parametrize(
    ("cfg", "stopped_by"),
    [
        (MLEConfig(max_epochs=2), "max_epochs"),
        (MLEConfig(improvement_threshold=0.99, patience=1, max_epochs=50), "early_stop"),
        (MLEConfig(max_time_s=1e-6, max_epochs=50), "max_time"),
    ],
)
def test_checkpoint_written_every_epoch_and_removed_only_at_the_early_stop(
    tmp_path, monkeypatch, cfg, stopped_by
) -> None:
    data, path = linear_dataset(300), tmp_path / "sub" / "m.partial.pt"
    save, epochs = training._save_checkpoint, []

    def spy(p: Path, state: dict) -> None:
        save(p, state)
        epochs.append(state["epoch"])

    monkeypatch.setattr(training, "_save_checkpoint", spy)
    _, report = fit(data, cfg, checkpoint_path=path)
    assert report.stopped_by == stopped_by and epochs == list(range(1, len(epochs) + 1))
    kept = [path] if stopped_by != "early_stop" and epochs else []  # a budget stop keeps it
    assert list(path.parent.iterdir()) == kept  # no stray temporary files
    if kept:  # its last complete epoch (a cut-short epoch is not resumable)
        assert torch.load(path, weights_only=True)["epoch"] == epochs[-1]


def test_compiled_mle_loss_trains_the_same_model_to_float32_rounding() -> None:
    """Issue 12: ``train_mle(..., compile=True)`` runs the per-batch loss through torch.compile
    (the last, shorter batch of an epoch included) and ends with the eager run's model."""
    data = linear_dataset(700)  # 7 x 256-row member batches per epoch: the last one is shorter
    norm = ObsNormalizer.from_dataset(data)
    cfg = MLEConfig(max_epochs=2, max_time_s=None, seed=0)
    reports, states = [], []
    for compile in (False, True):
        model = GaussianEnsemble(3, 2, TINY, generator=torch.Generator().manual_seed(0))
        reports.append(train_mle(model, data, norm, cfg, "cpu", progress=False, compile=compile))
        states.append(model.state_dict())
    eager, compiled = reports
    assert compiled.epochs == eager.epochs == 2 and compiled.elites == eager.elites
    np.testing.assert_allclose(compiled.train_loss, eager.train_loss, rtol=1e-4)
    np.testing.assert_allclose(compiled.holdout_mse, eager.holdout_mse, rtol=1e-4)
    for key, value in states[0].items():
        torch.testing.assert_close(states[1][key], value, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MLEConfig(lr=math.inf), r"MLEConfig\.lr: expected a finite number > 0, got inf"),
        (lambda: MLEConfig(batch_size=2.5), r"MLEConfig\.batch_size: expected an int, got float"),
        (lambda: MLEConfig(max_epochs=True), r"MLEConfig\.max_epochs: expected an int, got bool"),
        (lambda: MLEConfig(seed=-1), r"MLEConfig\.seed: expected an int in \[0, 2\*\*63\), got -1"),
        (lambda: MLEConfig(max_time_s="60"), r"MLEConfig\.max_time_s: expected a number"),
        (lambda: EnsembleConfig(hidden_dims=(8.5,) * 4), r"hidden_dims: expected a tuple of ints"),
        (lambda: EnsembleConfig(logvar_penalty=math.nan), r"logvar_penalty: expected a finite"),
        (
            lambda: EnsembleConfig(weight_decays=(-1,) * 5),
            r"weight_decays: expected a tuple of fin",
        ),
        (lambda: EnsembleConfig(n_members=7.0), r"n_members: expected an int"),
        (lambda: AdversaryConfig("3e-4", 2), r"adversary_weight: expected a number, got '3e-4'"),
    ],
)
def test_model_configs_refuse_wrong_types_and_non_finite_values(make, message):
    """Probe 9: each was accepted (lr=inf, a truncated 8.5, max_epochs=True as 1, a negative seed,
    a NaN penalty, negative weight decays) or a raw TypeError without the field."""
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("lr", math.nan, "a finite number > 0"),
        ("lr", 0.0, "a finite number > 0"),
        ("seed", 2**63, "an int in [0, 2**63)"),
        ("batch_size", 0, "an int >= 1"),
        ("holdout_ratio", 1.0, "a number in (0, 1)"),
        ("holdout_ratio", math.nan, "a number in (0, 1)"),
        ("max_holdout", 0, "an int >= 1"),
        ("improvement_threshold", -0.5, "a number in [0, 1)"),
        ("patience", -1, "an int >= 0"),
        ("max_epochs", 0, "an int >= 1 or None"),
        ("max_time_s", math.nan, "a number > 0 (seconds) or None"),
    ],
)
def test_mle_config_errors_name_the_range_they_take(field, value, expected):
    """Issue 14: ``MLEConfig(lr=nan)`` said only "invalid value nan", not what it takes (as
    AdversaryConfig's errors, with the same helper)."""
    with pytest.raises(ValueError) as info:
        MLEConfig(**{field: value})
    assert str(info.value) == f"MLEConfig.{field}: expected {expected}, got {value!r}"


def test_wrong_objects_or_dims_are_named_before_any_training() -> None:
    """Probe 11: ``train_mle(None, …)`` / a dict config / a str dataset gave raw AttributeErrors,
    an ensemble of other dims "input mean: expected shape (8,), got (5,)";
    ``GaussianEnsemble(0, 2)`` and ``GaussianEnsemble("3", 2)`` were accepted."""
    data = linear_dataset(50)
    norm = ObsNormalizer.from_dataset(data)
    model = GaussianEnsemble(3, 2, TINY)
    for args, message in (
        ((None, data, norm), "ensemble: expected a GaussianEnsemble"),
        ((model, "x.npz", norm), "dataset: expected an OfflineDataset"),
        ((model, data, None), "normalizer: expected an ObsNormalizer"),
        ((model, data, norm, {"max_epochs": 1}), "cfg: expected an MLEConfig or None, got dict"),
        ((GaussianEnsemble(4, 2, TINY), data, norm), "ensemble: built for obs_dim=4, action_dim=2"),
        ((model, data, ObsNormalizer.from_observations(np.zeros((5, 4)))), "fitted on obs_dim=4"),
    ):
        with pytest.raises(ValueError, match=message):
            train_mle(*args, progress=False)
    for dims, message in (((0, 2), "obs_dim: expected an int >= 1"), (("3", 2), "got str '3'")):
        with pytest.raises(ValueError, match=message):
            GaussianEnsemble(*dims, TINY)
    with pytest.raises(ValueError, match="config: expected an EnsembleConfig or None, got dict"):
        GaussianEnsemble(3, 2, {"n_members": 3})
    with pytest.raises(ValueError, match="dataset: expected an OfflineDataset"):
        ObsNormalizer.from_dataset("x.npz")


def test_a_progress_switch_that_is_not_a_bool_is_refused() -> None:
    """Probe 21: train_mle(progress="no") was truthy and showed the bar (check_flag, as compile)."""
    data = linear_dataset(200)
    ensemble = GaussianEnsemble(3, 2, TINY)
    with pytest.raises(ValueError, match="progress: expected True or False, got str 'no'"):
        train_mle(ensemble, data, ObsNormalizer.from_dataset(data), progress="no")


@pytest.mark.parametrize("path", [5, "folder", "/proc/x/mle.pt"])
def test_a_checkpoint_path_that_cannot_be_written_is_refused_before_training(path, tmp_path):
    """Probe 21: checkpoint_path=5 was a raw TypeError; a folder or an unwritable path failed
    only at the first epoch's save."""
    data = linear_dataset(200)
    path = tmp_path if path == "folder" else path
    norm = ObsNormalizer.from_dataset(data)
    with pytest.raises(ValueError, match="checkpoint_path: "):
        train_mle(GaussianEnsemble(3, 2, TINY), data, norm, progress=False, checkpoint_path=path)


def test_fewer_rows_than_one_batch_are_warned_about(capsys) -> None:
    """Probes 31, 32: a 2-row dataset trained a model, its elites picked on 1 row, without a word.
    A training split smaller than one batch, or a holdout smaller than n_elites, is warned about
    (fewer than 2 rows are refused)."""
    fit(linear_dataset(2), MLEConfig(max_epochs=1))
    assert (
        "[rambo_env] WARNING: MLE pretraining on dataset 'custom': 2 transitions leave 1 for "
        "training after the 1-transition holdout, fewer than one batch (MLEConfig.batch_size 256): "
        "the model fits so few transitions that its rollouts mean little; its 2 elites are picked "
        "by their error on 1 transition(s); use a dataset of at least 284 transitions (the "
        "paper's hold about 1M)"
    ) in capsys.readouterr().out
    fit(linear_dataset(20), MLEConfig(max_epochs=1, batch_size=10))  # 18 train rows, 2 held out
    assert "WARNING" not in capsys.readouterr().out
    fit(linear_dataset(10), MLEConfig(max_epochs=1, batch_size=9))  # 9 train rows, 1 held out
    out = capsys.readouterr().out
    assert "fewer than one batch" not in out
    assert "its 2 elites are picked by their error on 1 transition(s); use a dataset of at " in out
    assert "least 20 transitions" in out
    fit(linear_dataset(20), MLEConfig(max_epochs=1, batch_size=19))  # 18 train rows
    assert "fewer than one batch (MLEConfig.batch_size 19)" in capsys.readouterr().out
