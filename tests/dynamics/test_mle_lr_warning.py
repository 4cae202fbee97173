"""Session 51's open item: ``--mle-lr 3e4`` (3e-4 with its exponent's sign lost) was told only
after pretraining (hours at 1M rows), as a model no better than untrained or non-finite weights;
now one WARNING before the first epoch."""

from __future__ import annotations

import pytest
import torch

from rambo_env.dynamics import training
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import LARGE_LR, MLEConfig, train_mle, warn_large_lr
from rambo_env.normalization import ObsNormalizer
from tests.dynamics.test_mle_training import TINY, linear_dataset

SAID = "[rambo_env] WARNING: MLE learning rate 30000 (--mle-lr, MLEConfig.lr) is far above"


def test_a_learning_rate_far_above_the_officials_is_said_before_the_first_epoch(
    monkeypatch, capsys
):
    def no_epoch(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C at the first epoch: the warning must be out by then

    monkeypatch.setattr(training, "_run_epoch", no_epoch)
    data = linear_dataset(300)
    model = GaussianEnsemble(3, 2, TINY, generator=torch.Generator().manual_seed(0))
    with pytest.raises(KeyboardInterrupt):
        train_mle(model, data, ObsNormalizer.from_dataset(data), MLEConfig(lr=3e4), "cpu",
                  progress=False)  # fmt: skip
    said = capsys.readouterr()
    out = said.out + said.err
    assert out.count(SAID) == 1, out
    assert "the official 3e-4 and the default 1e-3 (this warning is for more than 0.1)" in out
    assert "was an exponent's sign lost (0.0003)? Ctrl-C now unless that is meant" in out


@pytest.mark.parametrize("lr", [3e-4, 1e-3, LARGE_LR])
def test_the_official_the_default_and_the_bound_say_nothing(lr, capsys):
    warn_large_lr(MLEConfig(lr=lr))
    said = capsys.readouterr()
    assert "WARNING" not in said.out + said.err


def test_a_large_rate_without_a_positive_exponent_names_no_sign(capsys):
    warn_large_lr(MLEConfig(lr=0.5))  # diverges on the linear system (holdout MSE 8375 vs 2.3)
    said = capsys.readouterr()
    out = said.out + said.err
    assert "MLE learning rate 0.5 (--mle-lr" in out
    assert "sign lost" not in out and "found only after pretraining; Ctrl-C now" in out
