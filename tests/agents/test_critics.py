"""PolicyFns adapters: action scaling, critic reduction per algorithm, CrossQ eval mode, dispatch."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces
from sb3_contrib import TQC, CrossQ
from stable_baselines3 import DDPG, SAC, TD3
from stable_baselines3.common.env_util import DummyVecEnv
from stable_baselines3.common.noise import NormalActionNoise

from agents.critics import ActionScaler, algorithm_spec, exploration_std, policy_fns

LOW, HIGH = np.array([-2.0, 0.0], np.float32), np.array([2.0, 1.0], np.float32)


class _BoxEnv(gym.Env):
    """Minimal env: only the spaces matter here."""

    observation_space = spaces.Box(-np.inf, np.inf, (3,), np.float32)
    action_space = spaces.Box(LOW, HIGH, dtype=np.float32)

    def reset(self, *, seed=None, options=None):
        return np.zeros(3, np.float32), {}

    def step(self, action):
        return np.zeros(3, np.float32), 0.0, False, False, {}


def _agent(cls, **kwargs):
    env = DummyVecEnv([_BoxEnv])
    return cls("MlpPolicy", env, policy_kwargs={"net_arch": [8, 8]}, seed=0, device="cpu", **kwargs)


OBS = torch.randn(16, 3, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("cls", [SAC, TD3, DDPG, TQC, CrossQ])
def test_mean_action_is_env_scale_and_matches_predict(cls):
    model = _agent(cls)
    fns = policy_fns(model)
    mean = fns.mean(OBS)
    assert mean.shape == (16, 2)
    assert (mean >= torch.as_tensor(LOW)).all() and (mean <= torch.as_tensor(HIGH)).all()
    predicted, _ = model.predict(OBS.numpy(), deterministic=True)  # SB3's numpy path
    np.testing.assert_allclose(mean.numpy(), predicted, rtol=1e-5, atol=1e-5)
    sample = fns.sample(OBS)
    assert (sample >= torch.as_tensor(LOW)).all() and (sample <= torch.as_tensor(HIGH)).all()


def test_q_reductions_use_scaled_actions():
    action = torch.as_tensor(
        np.random.default_rng(0).uniform(LOW, HIGH, (16, 2)), dtype=torch.float32
    )
    scaled = ActionScaler(LOW, HIGH, "cpu").scale(action)
    with torch.no_grad():
        for cls in (SAC, TD3):
            model = _agent(cls)
            q1, q2 = model.critic(OBS, scaled)
            torch.testing.assert_close(
                policy_fns(model).q(OBS, action), torch.minimum(q1, q2)[:, 0]
            )
        ddpg = _agent(DDPG)
        (q,) = ddpg.critic(OBS, scaled)
        torch.testing.assert_close(policy_fns(ddpg).q(OBS, action), q[:, 0])
        tqc = _agent(TQC)
        quantiles = tqc.critic(OBS, scaled)
        assert quantiles.shape == (16, 2, 25)  # [B, n_critics, n_quantiles]
        torch.testing.assert_close(policy_fns(tqc).q(OBS, action), quantiles.mean(dim=(1, 2)))


def test_crossq_is_evaluated_in_eval_mode_and_mode_is_restored():
    model = _agent(CrossQ)
    action = torch.zeros(16, 2)
    model.policy.set_training_mode(False)
    with torch.no_grad():
        expected = torch.minimum(*model.critic(OBS, ActionScaler(LOW, HIGH, "cpu").scale(action)))[
            :, 0
        ]
    model.policy.set_training_mode(True)
    q = policy_fns(model).q(OBS, action)
    torch.testing.assert_close(q, expected)
    assert model.policy.actor.training and model.policy.critic.training  # restored
    model.policy.set_training_mode(False)
    policy_fns(model).mean(OBS)
    assert not model.policy.actor.training


def test_action_scaler_round_trip():
    scaler = ActionScaler(LOW, HIGH, "cpu")
    torch.testing.assert_close(
        scaler.scale(torch.tensor([[-2.0, 1.0], [0.0, 0.5]])),
        torch.tensor([[-1.0, 1.0], [0.0, 0.0]]),
    )
    x = torch.rand(8, 2) * 2 - 1
    torch.testing.assert_close(scaler.scale(scaler.unscale(x)), x)


def test_deterministic_actor_samples_with_its_exploration_noise():
    model = _agent(TD3, action_noise=NormalActionNoise(np.zeros(2), 0.3 * np.ones(2)))
    assert exploration_std(model) == pytest.approx(0.3)
    fns = policy_fns(model)
    obs = OBS[:1].expand(4000, 3)
    scaler = ActionScaler(LOW, HIGH, "cpu")
    noise = scaler.scale(fns.sample(obs)) - scaler.scale(fns.mean(obs))
    assert 0.2 < float(noise.std()) < 0.31  # σ = 0.3 in scaled units, a little clipped at ±1
    assert exploration_std(_agent(TD3)) == 0.0
    torch.testing.assert_close(
        policy_fns(_agent(TD3)).sample(OBS), policy_fns(_agent(TD3)).mean(OBS)
    )


def test_dispatch_is_by_class_including_subclasses():
    class MySAC(SAC):
        pass

    assert algorithm_spec(_agent(MySAC)).name == "sac"
    assert algorithm_spec(_agent(DDPG)).name == "ddpg"  # not its base TD3
    with pytest.raises(ValueError, match="unsupported algorithm"):
        algorithm_spec(object())
