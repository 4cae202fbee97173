"""Probe 132 row 7: ``train_mle(…, model_seed=…)`` never checked ``model_seed``: "x" was int()'s
raw error (with a checkpoint_path), 1.7 was recorded as 1, -5 / "1" were taken, and without a
checkpoint_path anything was. It is checked as every other seed parameter, naming it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
from rambo_env.dynamics.training import MLEConfig, checkpoint_settings, train_mle
from tests.agents.test_callback import _toy

BAD = ["x", 1.7, -5, "1", True]


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("with_checkpoint", [False, True])
def test_train_mle_refuses_a_bad_model_seed(tmp_path, bad, with_checkpoint):
    mdp, dataset = _toy()
    cfg = EnsembleConfig(n_members=2, n_elites=1, hidden_dims=(8,))
    ensemble = GaussianEnsemble(3, 2, cfg, generator=torch.Generator().manual_seed(0))
    path = tmp_path / "ck.pt" if with_checkpoint else None
    with pytest.raises(ValueError, match=r"^model_seed: expected an int >= 0, got "):
        train_mle(
            ensemble,
            dataset,
            mdp.normalizer,
            MLEConfig(max_epochs=1),
            device="cpu",
            progress=False,
            checkpoint_path=path,
            model_seed=bad,
        )
    assert path is None or not path.exists()


def test_checkpoint_settings_checks_model_seed_and_takes_numpy_ints():
    for bad in [*BAD, False]:
        with pytest.raises(ValueError, match=r"^model_seed: expected an int >= 0"):
            checkpoint_settings(None, MLEConfig(), (8,), "fp32", model_seed=bad)
    settings = checkpoint_settings(None, MLEConfig(), (8,), "fp32", model_seed=np.int64(3))
    assert settings["model_seed"] == 3 and type(settings["model_seed"]) is int
    assert "model_seed" not in checkpoint_settings(None, MLEConfig(), (8,), "fp32")
