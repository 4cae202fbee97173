"""rambo_env.diagnostics: simulator state setting, model-vs-simulator and critic-vs-return checks."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from rambo_env.adversary import PolicyFns
from rambo_env.data.dataset import OfflineDataset
from rambo_env.diagnostics import (
    critic_vs_return,
    make_state_setter,
    model_vs_simulator,
    uniform_actions,
)
from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
from rambo_env.dynamics.termination import hopper_terminated
from rambo_env.model import LearnedMDP
from rambo_env.normalization import ObsNormalizer


def _episode(env_id: str, n: int = 30, seed: int = 0):
    env = gym.make(env_id)
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    rows = []
    for _ in range(n):
        action = rng.uniform(-0.3, 0.3, env.action_space.shape).astype(np.float32)
        next_obs, reward, terminated, _, _ = env.step(action)
        rows.append((obs, action, reward, next_obs, terminated))
        if terminated:
            break
        obs = next_obs
    env.close()
    return rows


@pytest.mark.parametrize("env_id", ["Hopper-v5", "Walker2d-v5", "HalfCheetah-v5"])
def test_state_setter_replays_a_recorded_episode(env_id):
    rows = _episode(env_id)
    env, set_raw = make_state_setter(env_id)
    for obs, action, reward, next_obs, terminated in rows:
        set_raw(obs.astype(np.float64))
        o, r, term, _, _ = env.unwrapped.step(action)
        np.testing.assert_allclose(o, next_obs, atol=1e-6)
        assert r == pytest.approx(reward, abs=1e-6) and term == terminated
    env.close()


def test_state_setter_rejects_a_non_mujoco_env():
    with pytest.raises(ValueError, match="env_id: 'Pendulum-v1'"):
        make_state_setter("Pendulum-v1")


def _hopper_mdp() -> tuple[LearnedMDP, OfflineDataset]:
    rows = _episode("Hopper-v5", n=200)
    obs, action, reward, next_obs, terminated = (np.asarray(x) for x in zip(*rows, strict=True))
    dataset = OfflineDataset.from_arrays(
        {
            "observations": obs,
            "actions": action,
            "rewards": reward,
            "next_observations": next_obs,
            "terminals": terminated,
        },
        env_id="Hopper-v5",
    )
    norm = ObsNormalizer.from_dataset(dataset)
    cfg = EnsembleConfig(n_members=3, n_elites=2, hidden_dims=(8,), weight_decays=(1e-5, 1e-5))
    ensemble = GaussianEnsemble(11, 3, cfg, generator=torch.Generator().manual_seed(0))
    return LearnedMDP(ensemble, norm, hopper_terminated, norm.normalize(obs.astype(np.float32))), (
        dataset
    )


def _policy(q_value: float = 7.0, seed: int = 0) -> PolicyFns:
    gen = torch.Generator().manual_seed(seed)
    return PolicyFns(
        sample=lambda obs: torch.rand(obs.shape[0], 3, generator=gen) * 0.6 - 0.3,
        mean=lambda obs: torch.zeros(obs.shape[0], 3),
        q=lambda obs, action: torch.full((obs.shape[0],), q_value),
    )


def _simulator_as_model(mdp: LearnedMDP, shift: list[float] | None = None) -> None:
    """Replace ``mdp.transition`` by the simulator itself, its next states moved by ``-shift[0]``
    (normalised units; ``shift`` may be changed between calls)."""
    sim, set_raw = make_state_setter("Hopper-v5")
    shift = [0.0] if shift is None else shift

    def oracle(obs, action, rng):
        raw = mdp.normalizer.unnormalize(obs).numpy().astype(np.float64)
        out = []
        for raw_i, a in zip(raw, action.numpy(), strict=True):
            set_raw(raw_i)
            out.append(sim.unwrapped.step(a)[:3])
        nxt, rew, term = (np.asarray(x) for x in zip(*out, strict=True))
        nxt_t = mdp.normalizer.normalize(torch.as_tensor(nxt, dtype=torch.float32))
        return nxt_t - shift[0], torch.as_tensor(rew, dtype=torch.float32), torch.as_tensor(term)

    mdp.transition = oracle


def test_an_oracle_model_matches_the_simulator_at_every_depth():
    mdp, _ = _hopper_mdp()
    _simulator_as_model(mdp)
    checks = model_vs_simulator(mdp, _policy(), "Hopper-v5", rollout_length=3, n_starts=20)
    assert [c.depth for c in checks] == [0, 1, 2] and checks[0].n_rows == 20
    for c in checks:
        assert c.reward_abs_error < 1e-5 and c.obs_abs_error < 1e-4, c
        assert c.model_terminated == c.sim_terminated
        assert c.model_reward == pytest.approx(c.sim_reward, abs=1e-5)


def test_next_state_values_show_where_a_model_is_pessimistic():
    """The critic's V(s') of the model's and the simulator's next states: equal for the simulator
    itself, lower by the shift for a model whose next states the critic values less (Eq. 9)."""
    mdp, _ = _hopper_mdp()
    shift = [0.0]
    _simulator_as_model(mdp, shift)

    def policy():  # the same sampled actions in each call
        return _policy()._replace(q=lambda obs, action: obs.sum(-1) + action.sum(-1))

    (same,) = model_vs_simulator(mdp, policy(), "Hopper-v5", rollout_length=1, n_starts=20)
    assert np.isfinite(same.sim_next_value)
    assert same.model_next_value == pytest.approx(same.sim_next_value, abs=1e-4)
    shift[0] = 0.5
    (low,) = model_vs_simulator(mdp, policy(), "Hopper-v5", rollout_length=1, n_starts=20)
    assert low.sim_next_value == pytest.approx(same.sim_next_value, abs=1e-4)
    assert low.model_next_value == pytest.approx(low.sim_next_value - 0.5 * 11, abs=1e-3)
    assert set(low.to_dict()) >= {"model_next_value", "sim_next_value"}


def test_uniform_actions_cover_the_box_and_keep_the_agents_critic():
    policy = _policy(q_value=3.0)
    space = gym.spaces.Box(np.array([-1.0, 0.0, 2.0]), np.array([1.0, 0.5, 2.0]), dtype=np.float32)
    fns = uniform_actions(policy, space, seed=0)
    a = fns.sample(torch.zeros(20000, 11))  # [B, 3]
    assert a.shape == (20000, 3)
    assert (a >= torch.tensor(space.low)).all() and (a <= torch.tensor(space.high)).all()
    assert a.mean(0).tolist() == pytest.approx([0.0, 0.25, 2.0], abs=0.02)  # uniform: the middle
    assert a[:, 0].std().item() == pytest.approx(2 / 12**0.5, abs=0.02)
    assert torch.equal(uniform_actions(policy, space, seed=0).sample(torch.zeros(5, 11)), a[:5])
    assert fns.q is policy.q and fns.mean is policy.mean
    with pytest.raises(ValueError, match="action_space: expected a bounded gymnasium Box"):
        uniform_actions(policy, gym.spaces.Box(-np.inf, np.inf, (3,)))


def test_an_untrained_model_does_not_match_the_simulator():
    mdp, _ = _hopper_mdp()
    checks = model_vs_simulator(mdp, _policy(), "Hopper-v5", rollout_length=2, n_starts=20)
    assert checks[0].reward_abs_error > 0.05 or checks[0].obs_abs_error > 0.05


def test_critic_vs_return_with_gamma_zero_is_the_first_reward():
    mdp, _ = _hopper_mdp()
    check = critic_vs_return(mdp, _policy(q_value=7.0), "Hopper-v5", gamma=0.0, n_episodes=5)
    assert check.critic_q == pytest.approx(7.0) and check.overestimation == pytest.approx(
        7.0 / check.mc_return
    )
    # Recompute the first rewards independently: same starts and first actions (same seeds).
    rng = np.random.default_rng(0)
    starts = mdp.normalizer.unnormalize(mdp.initial(5, rng)).numpy().astype(np.float64)
    actions = _policy().sample(torch.zeros(5, 11)).numpy()
    env = gym.make("Hopper-v5").unwrapped
    env.reset(seed=0)
    first = []
    for raw, a in zip(starts, actions, strict=True):
        env.set_state(np.concatenate([[0.0], raw[:5]]), raw[5:])
        first.append(env.step(a)[1])
    assert check.mc_return == pytest.approx(np.mean(first), rel=1e-6)
    longer = critic_vs_return(mdp, _policy(), "Hopper-v5", gamma=0.99, n_episodes=5, max_steps=3)
    assert longer.episode_length <= 3 and longer.mc_return > check.mc_return


def test_critic_vs_return_from_reset_states_starts_where_evaluation_does():
    """``starts="reset"``: the Monte-Carlo episodes begin at ``env.reset(seed=seed + i)`` (the
    evaluation's start states), not at dataset states; γ = 0 makes each return the first reward."""
    mdp, _ = _hopper_mdp()
    check = critic_vs_return(
        mdp, _policy(q_value=3.0), "Hopper-v5", gamma=0.0, n_episodes=4, seed=2, starts="reset"
    )
    assert check.starts == "reset" and check.critic_q == pytest.approx(3.0)
    actions = _policy().sample(torch.zeros(4, 11)).numpy()
    env = gym.make("Hopper-v5").unwrapped
    first = []
    for i, a in enumerate(actions):
        env.reset(seed=2 + i)
        first.append(env.step(a)[1])
    assert check.mc_return == pytest.approx(np.mean(first), rel=1e-6)
    dataset = critic_vs_return(mdp, _policy(), "Hopper-v5", gamma=0.0, n_episodes=4, seed=2)
    assert dataset.starts == "dataset" and dataset.mc_return != pytest.approx(check.mc_return)
    with pytest.raises(ValueError, match="starts: expected 'dataset' or 'reset', got 'random'"):
        critic_vs_return(mdp, _policy(), "Hopper-v5", gamma=0.0, starts="random")


def test_model_vs_simulator_and_critic_vs_return_check_their_arguments():
    """Probe 12: another env's dims gave a bare AssertionError; ``rollout_length=0`` returned no
    check, ``max_steps=0`` ran one step, ``gamma=2`` was accepted, a count of 0 was called 'n'."""
    mdp, _ = _hopper_mdp()
    for kwargs, match in (
        ({"env_id": "Walker2d-v5"}, r"env_id: 'Walker2d-v5' has obs_dim 17 / action_dim 6, but"),
        ({"rollout_length": 0}, "rollout_length: expected an int >= 1, got 0"),
        ({"n_starts": 0}, "n_starts: expected an int >= 1, got 0"),
        ({"seed": -1}, "seed: expected an int >= 0"),
    ):
        args = {"env_id": "Hopper-v5", "rollout_length": 2, "n_starts": 4, **kwargs}
        with pytest.raises(ValueError, match=match):
            model_vs_simulator(mdp, _policy(), args.pop("env_id"), **args)
    for kwargs, match in (
        ({"env_id": "Walker2d-v5"}, "env_id: 'Walker2d-v5' has obs_dim 17"),
        ({"max_steps": 0}, "max_steps: expected an int >= 1, got 0"),
        ({"n_episodes": 0}, "n_episodes: expected an int >= 1, got 0"),
        ({"gamma": 2.0}, r"gamma: expected a discount in \[0, 1\], got 2.0"),
        ({"n_episodes": 10**8}, r"n_episodes: 100000000 is not in \[1, 10000\]"),  # probe 14
        # probe 15: accepted; a HalfCheetah episode ran 1e9 simulator steps
        ({"max_steps": 10**9}, r"max_steps: 1000000000 is not in \[1, 100000\]"),
    ):
        args = {"env_id": "Hopper-v5", "gamma": 0.99, "n_episodes": 2, "max_steps": 3, **kwargs}
        with pytest.raises(ValueError, match=match):
            critic_vs_return(mdp, _policy(), args.pop("env_id"), **args)


def test_diagnose_refuses_a_huge_max_steps_before_the_load(tmp_path, capsys):
    """Probe 15: ``scripts/diagnose.py RUN --max-steps 1000000000`` was accepted."""
    from tests.scripts import load_script

    diagnose = load_script("diagnose")
    assert diagnose.main([str(tmp_path / "no-run"), "--max-steps", str(10**9)]) == 2
    assert "max_steps: 1000000000 is not in [1, 100000]" in capsys.readouterr().err


def test_state_setter_and_uniform_actions_check_their_id_seed_and_policy():
    """Probe 21: make_state_setter("Hoper-v5") was gymnasium's raw NameNotFound, seed=-1 its raw
    seed Error; uniform_actions(…, seed="3") torch's raw manual_seed RuntimeError, seed=-1 taken,
    policy=None a raw AttributeError."""
    with pytest.raises(ValueError, match=r"env_id: 'Hoper-v5' is not a registered .*'Hopper-v5'"):
        make_state_setter("Hoper-v5")
    with pytest.raises(ValueError, match="seed: expected an int >= 0, got -1"):
        make_state_setter("Hopper-v5", seed=-1)
    space = gym.spaces.Box(-1.0, 1.0, (3,), dtype=np.float32)
    for seed in (-1, "3", 2.5, None):
        with pytest.raises(ValueError, match="seed: expected an int >= 0"):
            uniform_actions(_policy(), space, seed=seed)
    with pytest.raises(ValueError, match="policy: expected PolicyFns, got NoneType"):
        uniform_actions(None, space)
