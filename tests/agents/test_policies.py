"""Agent options of issue 15: the actor's log-σ floor, the entropy-coefficient cap, critic LayerNorm."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces
from sb3_contrib import TQC
from stable_baselines3 import SAC, TD3
from stable_baselines3.common.env_util import DummyVecEnv

from agents.cotrain_setup import CotrainConfig
from agents.factory import LrScaledAdam, set_ent_coef_max
from agents.policies import (
    INFERENCE_CHUNK,
    FlooredSACPolicy,
    FlooredTQCPolicy,
    check_log_std_min,
)


class _BoxEnv(gym.Env):
    observation_space = spaces.Box(-np.inf, np.inf, (3,), np.float32)
    action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, *, seed=None, options=None):
        return np.zeros(3, np.float32), {}

    def step(self, action):
        return np.zeros(3, np.float32), 0.0, False, False, {}


def _agent(cls, policy="MlpPolicy", **policy_kwargs):
    return cls(
        policy,
        DummyVecEnv([_BoxEnv]),
        policy_kwargs={"net_arch": [8, 8], "optimizer_class": LrScaledAdam, **policy_kwargs},
        learning_starts=0,
        batch_size=8,
        seed=0,
        device="cpu",
    )


OBS = torch.randn(16, 3, generator=torch.Generator().manual_seed(0))


def _push_log_std_down(model) -> None:
    with torch.no_grad():
        model.actor.log_std.weight.zero_()
        model.actor.log_std.bias.fill_(-30.0)


@pytest.mark.parametrize(("cls", "policy"), [(SAC, FlooredSACPolicy), (TQC, FlooredTQCPolicy)])
def test_log_std_floor_clamps_where_the_library_does_not(cls, policy):
    library, floored = _agent(cls), _agent(cls, policy, log_std_min=-5.0)
    for model in (library, floored):
        _push_log_std_down(model)
    _, log_std_library, _ = library.actor.get_action_dist_params(OBS)
    _, log_std_floored, _ = floored.actor.get_action_dist_params(OBS)
    assert torch.all(log_std_library == -20.0)
    assert torch.all(log_std_floored == -5.0)
    # Above the floor the floored policy is the library policy.
    floored.actor.load_state_dict(library.actor.state_dict())
    with torch.no_grad():
        library.actor.log_std.bias.fill_(-1.0)
        floored.actor.log_std.bias.fill_(-1.0)
    a = library.actor.get_action_dist_params(OBS)
    b = floored.actor.get_action_dist_params(OBS)
    torch.testing.assert_close(a[0], b[0])
    torch.testing.assert_close(a[1], b[1])


@pytest.mark.parametrize(("cls", "policy"), [(SAC, FlooredSACPolicy), (TQC, FlooredTQCPolicy)])
def test_large_no_grad_batches_run_in_chunks_with_the_same_numbers(cls, policy):
    """Issue 12: the model rollout's 50 000-row actor forward runs in cache-sized row chunks
    (1.5x faster on 2 threads); the same numbers, in row order; a gradient batch is one piece."""
    model = _agent(cls, policy, log_std_min=-5.0)
    n = 2 * INFERENCE_CHUNK + 37
    obs = torch.randn(n, 3, generator=torch.Generator().manual_seed(1))
    pieces = []
    hook = model.actor.latent_pi.register_forward_hook(lambda m, i, o: pieces.append(o.shape[0]))
    with torch.no_grad():
        mean, log_std, _ = model.actor.get_action_dist_params(obs)
    assert pieces == [INFERENCE_CHUNK, INFERENCE_CHUNK, 37]
    with torch.no_grad():  # row by row against one-piece forwards of the same rows
        for rows in (slice(0, 5), slice(INFERENCE_CHUNK - 2, INFERENCE_CHUNK + 3), slice(n - 4, n)):
            ref_mean, ref_log_std, _ = model.actor.get_action_dist_params(obs[rows])
            torch.testing.assert_close(mean[rows], ref_mean, rtol=1e-6, atol=1e-6)
            torch.testing.assert_close(log_std[rows], ref_log_std, rtol=1e-6, atol=1e-6)
    pieces.clear()
    model.actor.get_action_dist_params(obs)  # autograd on: one piece
    hook.remove()
    assert pieces == [n]


def test_floored_policy_survives_save_and_load(tmp_path):
    model = _agent(SAC, FlooredSACPolicy, log_std_min=-5.0)
    model.save(tmp_path / "agent.zip")
    loaded = SAC.load(tmp_path / "agent.zip", device="cpu")
    assert isinstance(loaded.policy, FlooredSACPolicy)
    assert loaded.actor.log_std_min == -5.0
    _push_log_std_down(loaded)
    assert torch.all(loaded.actor.get_action_dist_params(OBS)[1] == -5.0)


@pytest.mark.parametrize(("cls", "policy"), [(SAC, FlooredSACPolicy), (TQC, FlooredTQCPolicy)])
def test_critic_layer_norm_normalises_every_hidden_layer_and_is_trained(cls, policy, tmp_path):
    library, normed = _agent(cls), _agent(cls, policy, critic_layer_norm=True)
    for critic in (normed.critic, normed.critic_target):
        for net in critic.q_networks:
            kinds = [type(m).__name__ for m in net]
            assert kinds[:3] == ["Linear", "LayerNorm", "ReLU"] and kinds[-1] == "Linear", kinds
            assert kinds.count("LayerNorm") == kinds.count("Linear") - 1
    assert not any(isinstance(m, torch.nn.LayerNorm) for m in library.critic.modules())
    n_ln = sum(p.numel() for m in normed.critic.modules() if isinstance(m, torch.nn.LayerNorm)
               for p in m.parameters())  # fmt: skip
    in_optimizer = sum(p.numel() for g in normed.critic.optimizer.param_groups for p in g["params"])
    assert n_ln > 0 and in_optimizer == sum(p.numel() for p in normed.critic.parameters())
    before = [p.clone() for p in normed.critic.parameters()]
    normed.learn(32)
    assert all(
        not torch.equal(a, b) for a, b in zip(before, normed.critic.parameters(), strict=True)
    )
    normed.save(tmp_path / "agent.zip")
    loaded = cls.load(tmp_path / "agent.zip", device="cpu")
    assert loaded.policy.critic_layer_norm
    act = torch.zeros(16, 2)
    torch.testing.assert_close(loaded.critic(OBS, act)[0], normed.critic(OBS, act)[0])


def test_critic_layer_norm_is_refused_for_agents_without_it():
    with pytest.raises(ValueError, match=r"critic_layer_norm: only sac and tqc .* not 'td3'"):
        CotrainConfig(algo="td3", critic_layer_norm=True)
    assert CotrainConfig(algo="tqc", critic_layer_norm=True).critic_layer_norm


@pytest.mark.parametrize("bad", [-21.0, 2.0, 5.0])
def test_log_std_floor_out_of_range_names_the_field(bad):
    with pytest.raises(ValueError, match="log_std_min"):
        check_log_std_min(bad)


def _train_with_rising_alpha(model, steps: int = 60) -> list[float]:
    """A target entropy no policy reaches makes α grow every step."""
    model.target_entropy = 100.0
    model.learn(total_timesteps=steps)
    return [float(torch.exp(model.log_ent_coef).item())]


def test_ent_coef_cap_holds_alpha_at_the_cap():
    capped, free = _agent(SAC), _agent(SAC)
    for model in (capped, free):
        with torch.no_grad():
            model.log_ent_coef.fill_(math.log(0.98))
        model.lr_schedule = lambda _: 1e-2  # SB3 sets every optimizer's lr from it per train()
    set_ent_coef_max(capped, 1.0)
    (alpha_capped,) = _train_with_rising_alpha(capped)
    (alpha_free,) = _train_with_rising_alpha(free)
    assert alpha_free > 1.05  # without the cap α passes 1 ...
    assert alpha_capped == pytest.approx(1.0, abs=1e-6)  # ... with it, it stops there


def test_ent_coef_cap_is_kept_in_the_optimizer_state(tmp_path):
    model = _agent(SAC)
    set_ent_coef_max(model, 0.5)
    assert float(torch.exp(model.log_ent_coef)) == pytest.approx(0.5)  # clamped at once
    model.save(tmp_path / "agent.zip")
    loaded = SAC.load(tmp_path / "agent.zip", device="cpu")
    max_value = loaded.ent_coef_optimizer.param_groups[0]["max_value"]
    assert max_value == pytest.approx(math.log(0.5))
    set_ent_coef_max(loaded, math.exp(max_value))  # SB3 rebuilt a plain Adam: re-apply
    assert isinstance(loaded.ent_coef_optimizer, LrScaledAdam)


def test_ent_coef_cap_errors_name_the_field():
    with pytest.raises(ValueError, match="ent_coef_max"):
        set_ent_coef_max(_agent(SAC), 0.0)
    td3 = TD3("MlpPolicy", DummyVecEnv([_BoxEnv]), device="cpu")
    with pytest.raises(ValueError, match="ent_coef_max"):
        set_ent_coef_max(td3, 1.0)


def test_lr_scaled_adam_is_fused_and_steps_like_plain_adam():
    torch.manual_seed(0)
    a, b = torch.nn.Linear(4, 3), torch.nn.Linear(4, 3)
    b.load_state_dict(a.state_dict())
    fused = LrScaledAdam(a.parameters(), lr=1e-2, lr_scale=0.5)
    plain = torch.optim.Adam(b.parameters(), lr=5e-3)
    assert fused.defaults["fused"] is True
    assert not LrScaledAdam(b.parameters(), foreach=False).defaults.get("fused")
    for _ in range(5):
        x = torch.randn(8, 4)
        for net, opt in ((a, fused), (b, plain)):
            opt.zero_grad()
            net(x).square().mean().backward()
            opt.step()
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(pa, pb, rtol=1e-5, atol=1e-6)


def test_lr_scaled_adam_direct_step_equals_the_library_fused_step(monkeypatch):
    """Issue 12: the direct two-kernel step gives the bits of torch's fused Adam step, through a
    state-dict round trip and a second group; it is taken after the first step (which the library
    runs, creating the state) and skipped while a step hook is registered."""
    torch.manual_seed(0)
    a, b = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Linear(5, 3)), None
    b = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Linear(5, 3))
    b.load_state_dict(a.state_dict())
    direct = LrScaledAdam(
        [{"params": a[0].parameters()}, {"params": a[1].parameters(), "lr_scale": 0.3}],
        lr=1e-2,
        lr_scale=0.5,
        betas=(0.5, 0.99),
        weight_decay=1e-3,
    )
    library = torch.optim.Adam(
        [{"params": b[0].parameters(), "lr": 5e-3}, {"params": b[1].parameters(), "lr": 3e-3}],
        betas=(0.5, 0.99),
        weight_decay=1e-3,
        fused=True,
    )
    library_steps = []
    real_step = torch.optim.Adam.step
    monkeypatch.setattr(
        torch.optim.Adam, "step", lambda self, *a: library_steps.append(self) or real_step(self, *a)
    )
    for i in range(6):
        if i == 3:  # a round trip through the state dict (as SB3's load) keeps the direct step
            direct.load_state_dict(direct.state_dict())
        x = torch.randn(8, 4)
        for net, opt in ((a, direct), (b, library)):
            opt.zero_grad()
            net(x).square().mean().backward()
            opt.step()
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0)
    assert sum(opt is direct for opt in library_steps) == 1  # the first step only
    handle = direct.register_step_pre_hook(lambda *args: None)
    direct.step()
    assert sum(opt is direct for opt in library_steps) == 2  # a hook: the library's step
    handle.remove()
