"""Probe 98 (fixer h): a user termination rule written in numpy, named before any training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rambo_env.model as model_mod
from rambo_env.data.dataset import OfflineDataset
from rambo_env.dynamics import termination as T
from rambo_env.dynamics.ensemble import EnsembleConfig
from rambo_env.dynamics.training import MLEConfig


def rule_np(x):
    return np.linalg.norm(np.asarray(x)[:, :2], axis=1) < 0.1


def rule_ok(x: torch.Tensor) -> torch.Tensor:
    return x[:, :2].norm(dim=1) < 0.1


def _dataset() -> OfflineDataset:
    rng = np.random.default_rng(0)
    s = rng.standard_normal((64, 3)).astype(np.float32)
    return OfflineDataset.from_arrays(
        {
            "observations": s,
            "actions": rng.uniform(-1, 1, (64, 1)).astype(np.float32),
            "rewards": s[:, 0],
            "next_observations": s + 0.1,
            "terminals": np.zeros(64, bool),
            "timeouts": np.r_[np.zeros(63, bool), True],
        },
        env_id="Pendulum-v1",
    )


def test_numpy_rule_named_before_the_mle(monkeypatch) -> None:
    # probe 98 row 7: was torch's "Can't call numpy() on Tensor that requires grad" at the
    # first mdp.transition, after the MLE pretraining, naming neither the rule nor the env
    monkeypatch.setitem(T.TERMINATION_FNS, "Pendulum-v1", rule_np)

    def no_training(*args, **kwargs):
        raise AssertionError("the MLE ran before the rule was checked")

    monkeypatch.setattr(model_mod, "_cached_or_trained_ensemble", no_training)
    with pytest.raises(ValueError) as err:
        model_mod.make_mdp(_dataset(), device="cpu", progress=False, cache=False)
    msg = str(err.value)
    assert "termination rule rule_np of 'Pendulum-v1'" in msg
    assert "must return a torch bool tensor" in msg and "no numpy" in msg


def test_torch_rule_taken(monkeypatch) -> None:
    monkeypatch.setitem(T.TERMINATION_FNS, "Pendulum-v1", rule_ok)
    assert T.get_termination_fn("Pendulum-v1", _dataset()) is rule_ok
    mdp = model_mod.make_mdp(
        _dataset(),
        device="cpu",
        progress=False,
        cache=False,
        ensemble_config=EnsembleConfig(
            n_members=2, n_elites=2, hidden_dims=(8,), weight_decays=(0, 0)
        ),
        mle_config=MLEConfig(max_epochs=1),
    )
    assert mdp.termination_fn is rule_ok
