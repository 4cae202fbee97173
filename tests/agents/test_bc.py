"""Behaviour-cloning warm start (App. B.4): NLL for squashed-Gaussian actors, MSE for TD3/DDPG."""

from __future__ import annotations

import dataclasses
import re

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces
from sb3_contrib import TQC
from stable_baselines3 import DDPG, SAC, TD3
from stable_baselines3.common.env_util import DummyVecEnv

from agents.bc import BCConfig, behaviour_clone
from agents.cotrain_setup import CotrainConfig
from rambo_env.data.dataset import OfflineDataset
from rambo_env.normalization import ObsNormalizer

N = 2048


class _Env(gym.Env):
    observation_space = spaces.Box(-np.inf, np.inf, (3,), np.float32)
    action_space = spaces.Box(-2.0, 2.0, (2,), np.float32)

    def reset(self, *, seed=None, options=None):
        return np.zeros(3, np.float32), {}

    def step(self, action):
        return np.zeros(3, np.float32), 0.0, False, False, {}


def _agent(cls):
    return cls(
        "MlpPolicy", DummyVecEnv([_Env]), policy_kwargs={"net_arch": [32, 32]}, seed=0, device="cpu"
    )


def _data(saturated: bool = False):
    """Scaled dataset action = 0.6 · (tanh s0, -0.5 tanh s1) + N(0, 0.1²); env scale is 2x."""
    rng = np.random.default_rng(0)
    s = rng.normal(size=(N, 3)).astype(np.float32)
    mean = 0.6 * np.stack([np.tanh(s[:, 0]), -0.5 * np.tanh(s[:, 1])], 1).astype(np.float32)
    scaled = np.clip(mean + 0.1 * rng.normal(size=(N, 2)), -0.98, 0.98)
    if saturated:
        scaled[:, 0] = 1.0  # every row at the bound: atanh infinite
    dataset = OfflineDataset.from_arrays(
        {
            "observations": s,
            "actions": 2.0 * scaled,
            "rewards": np.zeros(N),
            "next_observations": s,
            "terminals": np.zeros(N, bool),
        }
    )
    return dataset, ObsNormalizer.from_dataset(dataset), torch.as_tensor(mean)


def _mean_action_error(model, norm, dataset, target) -> float:
    obs = norm.normalize(torch.tensor(dataset.observations))
    with torch.no_grad():
        pred = (
            model.actor(obs, deterministic=True)
            if isinstance(model, SAC | TQC)
            else model.actor(obs)
        )
    return float((pred - target).square().mean())


FAST = BCConfig(epochs=100, max_steps=300, lr=1e-3, batch_size=128)


def test_sac_nll_fits_the_mean_and_keeps_sigma():
    dataset, norm, target = _data()
    model = _agent(SAC)
    before = _mean_action_error(model, norm, dataset, target)
    loss = behaviour_clone(model, dataset, norm, FAST)
    assert np.isfinite(loss) and loss < 0  # a log-density above 0 for a σ ≈ 0.1 fit
    assert _mean_action_error(model, norm, dataset, target) < before / 20
    with torch.no_grad():
        _, log_std, _ = model.actor.get_action_dist_params(
            norm.normalize(torch.tensor(dataset.observations))
        )
    sigma = log_std.exp().mean(0)
    assert ((sigma > 0.07) & (sigma < 0.25)).all(), sigma  # ≈ the data's noise: not collapsed


@pytest.mark.parametrize("cls", [TD3, DDPG])
def test_deterministic_actor_mse_and_target_sync(cls):
    dataset, norm, target = _data()
    model = _agent(cls)
    before = _mean_action_error(model, norm, dataset, target)
    behaviour_clone(model, dataset, norm, BCConfig(max_steps=150, lr=1e-3, batch_size=128))
    assert _mean_action_error(model, norm, dataset, target) < before / 10
    for p, q in zip(model.actor.parameters(), model.actor_target.parameters(), strict=True):
        assert torch.equal(p, q)


def test_saturated_batches_are_skipped_or_clipped(capsys):
    """Probe 36 row 83: bang-bang data (every action at a bound) skipped every batch with a bare
    UserWarning whose advice (BCConfig(skip_saturated=False)) cotrain.py could not follow, and
    the warm start left the actor untrained. Every batch saturated now clips instead, said once;
    some batches skipped are said with advice the CLI can follow."""
    dataset, norm, _ = _data(saturated=True)
    model = _agent(SAC)
    before = [p.clone() for p in model.actor.parameters()]
    capsys.readouterr()  # the dataset's own warnings (toy rows)
    loss = behaviour_clone(model, dataset, norm, BCConfig(max_steps=5, batch_size=128))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1 and (
        "[rambo_env] WARNING: behaviour_clone: every batch holds a saturated action (|a| >= 1 at "
        f"the action bounds: {N} of {N} dataset rows; bang-bang or clipped data?), so skipping "
        "them (the official warm start) would leave the actor untrained: their actions are "
        "clipped to within the bounds instead" in out
    ), out
    assert np.isfinite(loss)
    assert not all(torch.equal(p, q) for p, q in zip(model.actor.parameters(), before, strict=True))
    loss = behaviour_clone(
        model, dataset, norm, BCConfig(max_steps=5, batch_size=128, skip_saturated=False)
    )
    assert np.isfinite(loss) and capsys.readouterr().out == ""

    actions = dataset.actions.copy()
    actions[:, 0] = np.where(np.arange(N) % 100 == 0, 2.0, 0.5)  # 1 row in 100 at the bound
    some = dataclasses.replace(dataset, actions=actions)
    behaviour_clone(_agent(SAC), some, norm, BCConfig(max_steps=16, batch_size=128))
    out = capsys.readouterr().out
    assert re.search(
        r"\[rambo_env\] WARNING: behaviour_clone: skipped (\d+) of 16 batches holding a saturated "
        r"action \(\|a\| >= 1 at the action bounds: 21 of 2048 dataset rows\), as the official "
        r"warm start does: the actor learned from \d+ batch\(es\) only; .* cotrain.py --bc-loss "
        r"mse_sample \(skips none\)",
        out,
    ), out


def test_config_validation():
    with pytest.raises(ValueError, match="epochs"):
        BCConfig(epochs=0)
    with pytest.raises(ValueError, match="max_steps"):
        BCConfig(max_steps=0)
    # probe 18: 2.5 / True / "no" / -1 were taken (skip_saturated="no" skipped), "3" / "1e-4"
    # raw TypeErrors naming no field
    for kwargs, match in (
        ({"epochs": 2.5}, "BCConfig.epochs: expected int, got 2.5"),
        ({"epochs": "3"}, "BCConfig.epochs: expected int, got '3'"),
        ({"lr": "1e-4"}, "BCConfig.lr: expected float, got '1e-4'"),
        ({"skip_saturated": "no"}, "BCConfig.skip_saturated: expected bool, got 'no'"),
        ({"batch_size": True}, "BCConfig.batch_size: expected int, got True"),
        ({"seed": -1}, "BCConfig.seed: expected an int >= 0, got -1"),
    ):
        with pytest.raises(ValueError, match=match):
            BCConfig(**kwargs)
    with pytest.raises(ValueError, match=r"cfg: expected an agents.bc.BCConfig or None, got dict"):
        behaviour_clone(None, None, None, {"epochs": 1})
    assert (BCConfig().epochs, BCConfig().lr) == (50, 1e-4)  # official


def test_sac_mse_sample_fits_the_mean_and_shrinks_sigma_below_the_data_noise():
    """OfflineRL-Kit's BC (MSE of a sampled action) rewards a small σ, unlike the NLL."""
    dataset, norm, target = _data()
    model = _agent(SAC)
    behaviour_clone(model, dataset, norm, dataclasses.replace(FAST, loss="mse_sample"))
    assert _mean_action_error(model, norm, dataset, target) < 0.01
    with torch.no_grad():
        _, log_std, _ = model.actor.get_action_dist_params(
            norm.normalize(torch.tensor(dataset.observations))
        )
    assert (log_std.exp().mean(0) < 0.07).all()  # NLL keeps ≈ 0.1 (the data's noise)
    with pytest.raises(ValueError, match=r"BCConfig\.loss"):
        BCConfig(loss="l1")


@pytest.mark.parametrize("cls", [TD3, DDPG])
def test_mse_sample_with_a_deterministic_actor_is_refused(cls):
    """Probe 11: ``--algo td3 --bc-loss mse_sample`` (or ``BCConfig(loss="mse_sample")`` with a
    TD3 / DDPG agent) was silently the MSE of the action."""
    dataset, norm, _ = _data()
    with pytest.raises(ValueError, match="is a loss of stochastic actors"):
        behaviour_clone(_agent(cls), dataset, norm, dataclasses.replace(FAST, loss="mse_sample"))
    with pytest.raises(ValueError, match="bc_loss: mse_sample is a BC loss of stochastic actors"):
        CotrainConfig(algo=cls.__name__.lower(), bc_loss="mse_sample")


def test_progress_shows_a_bar_over_the_budget_and_is_off_by_default(capsys):
    """Probe 44 row 70: the README's library example ran minutes in silence through the warm
    start; ``progress=True`` counts its batches (skipped ones too), the same weights either way."""
    dataset, norm, _ = _data()
    cfg = BCConfig(max_steps=7, batch_size=128)
    quiet, shown = _agent(SAC), _agent(SAC)
    capsys.readouterr()
    behaviour_clone(quiet, dataset, norm, cfg)
    assert "BC" not in capsys.readouterr().err
    behaviour_clone(shown, dataset, norm, cfg, progress=True)
    err = capsys.readouterr().err
    assert "BC (App. B.4)" in err and "7/7" in err, err
    for p, q in zip(quiet.actor.parameters(), shown.actor.parameters(), strict=True):
        assert torch.equal(p, q)
    with pytest.raises(ValueError, match="progress: expected True or False, got str 'no'"):
        behaviour_clone(shown, dataset, norm, cfg, progress="no")
