"""Probe 69b: the other agents end to end (exploration noise, α's cap after load)."""

from __future__ import annotations

import numpy as np
import pytest
from stable_baselines3.common.noise import (
    NormalActionNoise,
    OrnsteinUhlenbeckActionNoise,
    VectorizedActionNoise,
)

from agents.critics import exploration_std
from agents.factory import make_agent
from agents.fused import FusedSAC
from agents.vec_env import RamboModelVecEnv
from tests.agents.test_callback import N_ENVS, K, _toy


@pytest.fixture(scope="module")
def parts():
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    return env, dataset, mdp.normalizer


def _make(parts, algo, **kw):
    env, dataset, normalizer = parts
    return make_agent(algo, env, dataset, normalizer, rollout_length=K, device="cpu", **kw)


def test_a_users_gaussian_noise_keeps_its_sigma_once_sb3_wraps_it(parts):
    """Silent rows 1-2: SB3 wraps a user's NormalActionNoise per env at learn, and the adversary
    then read σ 0.0 (it trained against a noiseless actor while collection used σ 0.3); an
    Ornstein-Uhlenbeck noise had no σ for it at all."""
    dim = parts[0].action_space.shape[0]
    agent = _make(parts, "td3", action_noise=NormalActionNoise(np.zeros(dim), 0.3 * np.ones(dim)))
    assert exploration_std(agent) == pytest.approx(0.3)
    agent.action_noise = VectorizedActionNoise(agent.action_noise, N_ENVS)  # what learn does
    assert exploration_std(agent) == pytest.approx(0.3)
    with pytest.raises(ValueError, match=r"^action_noise: OrnsteinUhlenbeckActionNoise is not"):
        _make(parts, "td3", action_noise=OrnsteinUhlenbeckActionNoise(np.zeros(dim), np.ones(dim)))


def test_a_loaded_sac_keeps_its_entropy_cap(parts, tmp_path):
    """Silent row 3: ``FusedSAC.load`` rebuilt α's optimizer as a plain Adam, which ignores the
    saved cap: α reached 0.5048 where the saved agent stays at 0.5."""
    agent = _make(parts, "sac", ent_coef_max=0.5)
    agent.save(tmp_path / "a.zip")
    loaded = FusedSAC.load(tmp_path / "a.zip", device="cpu")
    group = loaded.ent_coef_optimizer.param_groups[0]
    assert type(loaded.ent_coef_optimizer).__name__ == "LrScaledAdam"
    assert group["max_value"] == pytest.approx(np.log(0.5))


def test_an_entropy_cap_on_an_agent_without_entropy_says_to_leave_it_out(parts):
    """Raw row 1: ``make_agent('td3', ent_coef_max=1.0)`` advised ``ent_coef='auto'``, which TD3
    does not take."""
    with pytest.raises(ValueError, match=r"TD3 has no learned entropy coefficient \(only agents"):
        _make(parts, "td3", ent_coef_max=1.0)
    with pytest.raises(ValueError, match=r"use ent_coef='auto'"):
        _make(parts, "sac", ent_coef=0.2, ent_coef_max=1.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [("batch_norm_momentum", 2.0), ("batch_norm_momentum", 0.0), ("batch_norm_eps", -1.0)],
)
def test_crossq_batch_renorm_settings_out_of_range_are_named(parts, name, value):
    """Raw row 2: ``batch_norm_momentum=2.0`` was taken, then torch's "Expected parameter loc …
    found invalid values: nan" at the first learn."""
    with pytest.raises(ValueError, match=rf"^policy_kwargs\['{name}'\]: expected a number"):
        _make(parts, "crossq", policy_kwargs={name: value})
    assert _make(parts, "crossq", policy_kwargs={"batch_norm_momentum": 0.5}) is not None


@pytest.mark.parametrize(
    ("argv", "flag", "algo"),
    [
        (["--algo", "td3", "--ent-coef", "auto"], "--ent-coef", "td3"),
        (["--algo", "crossq", "--log-std-min", "-20"], "--log-std-min", "crossq"),
        (["--algo", "ddpg", "--ent-coef-max", "none"], "--ent-coef-max", "ddpg"),
        (["--algo", "ddpg", "--bc-loss", "nll"], "--bc-loss", "ddpg"),
    ],
)
def test_a_flag_the_agent_does_not_use_is_refused_at_its_default_too(argv, flag, algo, capsys):
    """Silent rows 5-6: the default value typed for an agent without the setting ran without a
    word (another value was already refused by the config's checks)."""
    from tests.scripts import load_script

    cli = load_script("cotrain")
    parser = cli.build_parser()
    with pytest.raises(SystemExit):
        cli.resolve_args(parser.parse_args(argv), parser)
    assert f"{flag}: {algo} does not use it (only " in capsys.readouterr().err
    cli.resolve_args(parser.parse_args(["--algo", "sac", "--ent-coef", "auto"]), parser)


@pytest.mark.parametrize(
    ("mean", "sigma", "match"),
    [
        (0.5, [0.1, 0.1, 0.1], r"with zero mean and one σ for every dim"),
        (0.0, [0.05, 0.1, 0.1], r"with zero mean and one σ for every dim"),
        (None, None, r"of mean shape \(\) and sigma shape \(\); give both of the action's shape"),
    ],
)
def test_a_gaussian_noise_the_adversary_cannot_mirror_is_refused(parts, mean, sigma, match):
    """Probe 70 rows 8-10: a mean of 0.5 shifted every collected action while the adversary drew
    zero-mean noise; per-dim σ became its largest; 0-d arrays failed at the first learn."""
    dim = parts[0].action_space.shape[0]
    if mean is None:
        noise = NormalActionNoise(np.array(0.0), np.array(0.2))
    else:
        noise = NormalActionNoise(mean * np.ones(dim), np.array(sigma[:dim]))
    with pytest.raises(ValueError, match=rf"^action_noise: .*{match}"):
        _make(parts, "td3", action_noise=noise)
