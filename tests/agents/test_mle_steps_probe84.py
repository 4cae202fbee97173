"""Probe 84 (recheck of session 38's MLE step budget and compile record): an old sweep's trials
keep their MLE budget, sweep.py takes counts as cotrain.py does, the log-variance warning names
the budget that stopped pretraining, and a model saved today stays readable by older code."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from agents import cotrain_setup
from agents.sweep import cotrain_trainable, trial_run_dir
from rambo_env.dynamics import io
from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
from rambo_env.dynamics.training import MLEConfig, MLEReport
from rambo_env.normalization import ObsNormalizer
from tests.agents.test_cotrain import _shared_model_cache, tiny_hopper  # noqa: F401 (fixtures)
from tests.agents.test_sweep import TWO_CONFIGS, FakeTune, tiny_spec
from tests.dynamics.test_mle_training import linear_dataset

#: MLEConfig's and MLEReport's fields at a18b4d1 (session 37's code): what older code reads.
OLD_MLE_CONFIG = {
    "lr", "batch_size", "holdout_ratio", "max_holdout", "improvement_threshold", "patience",
    "max_epochs", "max_time_s", "seed",
}  # fmt: skip
OLD_REPORT = {
    "epochs", "holdout_mse", "elites", "wall_s", "stopped_by", "train_loss", "holdout_history",
    "n_train", "n_holdout", "epoch_end_s", "initial_holdout_mse",
}  # fmt: skip


def test_a_trial_of_a_sweep_saved_before_the_step_budget_keeps_its_budget(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    # probe 84 row 31: was the new default mle_max_steps 10000 for an old sweep's trials
    tune = pytest.importorskip("ray.tune")
    base = dataclasses.asdict(tiny_spec(tiny_hopper, n_iterations=1).base)
    del base["mle_max_steps"]  # as a sweep started before session 38 stored it
    params = {
        "dataset": tiny_hopper,
        "k_lambda": [5, 0.0],
        "seed": 0,
        "base": base,
        "runs_root": str(tmp_path / "runs"),
    }
    FakeTune(tmp_path / "store").install(monkeypatch, tune)
    cotrain_trainable(params)
    run_dir = trial_run_dir(tmp_path / "runs", tiny_hopper, TWO_CONFIGS[1], 0)
    assert json.loads((run_dir / "config.json").read_text())["config"]["mle_max_steps"] is None


def test_sweep_counts_take_1e3(capsys) -> None:
    # probe 84 row 13: was argparse's "invalid int value: '1e3'" (cotrain.py takes it)
    import runpy

    parser = runpy.run_path("scripts/sweep.py")["build_parser"]()
    args = parser.parse_args(["--mle-max-steps", "1e3", "--n-rollouts", "5e4"])
    assert (args.mle_max_steps, args.n_rollouts) == (1000, 50_000)
    assert parser.parse_args(["--mle-max-steps", "none"]).mle_max_steps is None


@pytest.mark.parametrize(
    ("stopped_by", "said", "not_said"),
    [
        ("max_steps", "Train longer: --mle-max-steps / --mle-max-epochs", "early stop ended"),
        ("early_stop", "The official early stop ended it", "Train longer"),
    ],
)
def test_the_logvar_warning_advice_fits_what_stopped_pretraining(
    capsys, stopped_by, said, not_said
) -> None:
    # probe 84 row 14: was "Train longer: --mle-max-epochs / --mle-max-time-s" after a step-
    # budget stop (neither names it) and after an early stop (no budget to raise)
    cotrain_setup.print_logvar_warning(3, 12, stopped_by)
    out = capsys.readouterr().out
    assert said in out and not_said not in out


def test_a_saved_model_holds_only_what_older_code_reads(tmp_path) -> None:
    # probe 84 row 32: a model saved with max_steps / compiled recorded was "unreadable" to
    # a18b4d1's code (MLEConfig.__init__() got an unexpected keyword argument 'max_steps'), which
    # deleted it and trained anew
    data = linear_dataset(300)
    model = GaussianEnsemble(3, 2, EnsembleConfig(n_members=2, n_elites=1, hidden_dims=(8,)))
    report = MLEReport(
        epochs=2, holdout_mse=(0.1, 0.2), elites=(0,), wall_s=1.0, stopped_by="max_steps",
        train_loss=(1.0, 0.5), holdout_history=(0.3, 0.2), n_train=270, n_holdout=30,
        epoch_end_s=(0.5, 1.0), initial_holdout_mse=0.9, compiled=(False, True),
    )  # fmt: skip
    path = io.save_model(
        tmp_path / "m.pt", model, ObsNormalizer.from_dataset(data), MLEConfig(), report
    )
    saved = torch.load(path, weights_only=True)
    assert set(saved["mle_config"]) <= OLD_MLE_CONFIG and set(saved["report"]) <= OLD_REPORT
    loaded = io.load_model(path, "cpu")
    assert loaded.report.compiled == (False, True) and loaded.mle_config == MLEConfig()
    stepped = io.save_model(
        tmp_path / "s.pt", model, ObsNormalizer.from_dataset(data), MLEConfig(max_steps=5), report
    )
    assert io.load_model(stepped, "cpu").mle_config.max_steps == 5  # recorded where it is set
