"""Probe 104 (moving the project's saved agents into other tools): inference-only loads with
learning rate 0 (rl-zoo's ``custom_objects``, SB3's ``policy.save`` / ``load``), and the model
env's SB3 log dumps."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sb3_contrib
import stable_baselines3 as sb3
import torch

from agents.callback import RamboCallback
from agents.factory import LrScaledAdam
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from tests.agents.test_factory_probe65 import K, _make, parts  # noqa: F401 (the fixture)

#: rl-zoo's enjoy.py loads every model for inference with these (rl_zoo3/enjoy.py).
ZOO = {"learning_rate": 0.0, "lr_schedule": lambda _: 0.0, "clip_range": lambda _: 0.0}
LIBRARY = {
    "sac": sb3.SAC,
    "td3": sb3.TD3,
    "ddpg": sb3.DDPG,
    "tqc": sb3_contrib.TQC,
    "crossq": sb3_contrib.CrossQ,
}


@pytest.mark.parametrize("algo", sorted(LIBRARY))
def test_an_inference_only_load_with_learning_rate_0_loads(parts, algo, tmp_path):  # noqa: F811
    """Probe 104 row 33: was ``ValueError: lr: expected a finite value > 0, got 0.0`` from the
    pickled LrScaledAdam, for the library class and the project's, every algorithm."""
    agent = _make(parts, algo, policy_kwargs={"net_arch": [8, 8]})
    path = tmp_path / f"{algo}.zip"
    agent.save(path)
    obs = np.zeros((4, parts[0].observation_space.shape[0]), np.float32)
    want = agent.predict(obs, deterministic=True)[0]
    for cls in (LIBRARY[algo], type(agent)):
        loaded = cls.load(path, custom_objects=ZOO, device="cpu")
        np.testing.assert_allclose(loaded.predict(obs, deterministic=True)[0], want, atol=1e-6)


@pytest.mark.parametrize("algo", sorted(LIBRARY))
def test_sb3s_policy_save_and_load_round_trip(parts, algo, tmp_path):  # noqa: F811
    """Probe 104 row 34: ``type(agent.policy).load(agent.policy.save(…))`` was ``ValueError: lr:
    expected a finite value > 0, got 0.0`` (SB3 rebuilds the policy with its dummy lr 0)."""
    agent = _make(parts, algo, policy_kwargs={"net_arch": [8, 8]})
    path = tmp_path / "policy.pth"
    agent.policy.save(path)
    policy = type(agent.policy).load(path, device="cpu")
    obs = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_allclose(
        policy.predict(obs, deterministic=True)[0],
        agent.policy.predict(obs, deterministic=True)[0],
        atol=1e-6,
    )


def test_lr_scaled_adam_takes_lr_0_as_no_update_and_refuses_negative_or_non_finite():
    """Probe 104 rows 33-34: lr 0 is an inference-only optimizer (no parameter moves); a negative
    or non-finite lr is still refused, naming the value."""
    param = torch.nn.Parameter(torch.ones(3))
    opt = LrScaledAdam([param], lr=0.0, lr_scale=3.0)
    for _ in range(3):
        param.grad = torch.ones(3)
        opt.step()
    assert torch.equal(param.detach(), torch.ones(3))
    for bad in (-1e-4, math.nan, math.inf, True, "0"):
        with pytest.raises(ValueError, match=r"^lr: expected a finite value >= 0 \(0: no update"):
            LrScaledAdam([param], lr=bad)
    with pytest.raises(ValueError, match=r"^lr_scale: expected a finite value > 0, got 0"):
        LrScaledAdam([param], lr=0.0, lr_scale=0)


def test_learn_with_learning_rate_0_warns(parts, tmp_path, capsys):  # noqa: F811
    """An agent loaded for inference (learning rate 0) and trained on changes nothing: ``learn``
    says so (the consequence of taking lr 0 in the optimizers, probe 104 rows 33-34)."""
    agent = _make(parts, policy_kwargs={"net_arch": [8]}, gradient_steps=1, batch_size=8)
    agent.save(tmp_path / "a.zip")
    loaded = type(agent).load(
        tmp_path / "a.zip", env=parts[0], dataset=parts[1], custom_objects=ZOO
    )
    loaded.learn(K * parts[0].num_envs)
    assert "[rambo_env] WARNING: learn: FusedSAC's learning rate is 0 (loaded for inference" in (
        capsys.readouterr().out
    )
    agent.learn(K * parts[0].num_envs)
    assert "learning rate is 0" not in capsys.readouterr().out


def test_learn_dumps_the_logs_once_per_step_not_once_per_4_ended_episodes(parts):  # noqa: F811
    """Probe 104 row 27: was one SB3 log dump per 4 ended episodes, all at the same step: every
    model row ends its episode every k steps (N_ENVS / 4 dumps per step; 12 500 per collect at
    the README's 50 000 rows, 1.8 MB of TensorBoard events for 3 collects)."""
    env, dataset, _ = parts
    agent = _make(parts, policy_kwargs={"net_arch": [8]}, gradient_steps=1, batch_size=8)
    dumped: list[int] = []
    write = agent.logger.dump
    agent.logger.dump = lambda step=0: (dumped.append(step), write(step))[1]
    adversary = ModelAdversary(
        env.mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8)
    )
    agent.learn(3 * K * env.num_envs, callback=RamboCallback(adversary), log_interval=4)
    assert env.num_envs >= 8  # several dumps per step before
    assert dumped and len(dumped) == len(set(dumped)) <= 3 * K


def test_the_readme_torchscript_export_acts_as_the_agent(parts, tmp_path):  # noqa: F811
    """Probe 104 row 5: a saved agent needs rambo-env to load (its zip pickles the project's
    classes); the README's ``Deploy`` recipe (torch only) gives the agent's actions on RAW
    observations: normaliser, actor and action bounds in one traced file."""
    agent = _make(parts, policy_kwargs={"net_arch": [8, 8]})

    class Deploy(torch.nn.Module):  # as in the README
        def __init__(self, agent):
            super().__init__()
            self.actor, n, space = agent.actor, agent.normalizer, agent.action_space
            for name, value in (
                ("mean", n.mean),
                ("std", n.std),
                ("low", space.low),
                ("high", space.high),
            ):
                self.register_buffer(name, torch.tensor(value, dtype=torch.float32))

        def forward(self, obs):
            a = self.actor((obs - self.mean) / self.std, deterministic=True)
            return self.low + 0.5 * (a + 1.0) * (self.high - self.low)

    path = tmp_path / "policy_ts.pt"
    obs_dim = agent.observation_space.shape[0]
    torch.jit.trace(Deploy(agent).eval(), torch.zeros(1, obs_dim)).save(path)
    raw = parts[1].observations[:16]
    got = torch.jit.load(path)(torch.as_tensor(raw)).detach().numpy()
    want = agent.predict(agent.normalizer.normalize(raw), deterministic=True)[0]
    np.testing.assert_allclose(got, want, atol=1e-5)
