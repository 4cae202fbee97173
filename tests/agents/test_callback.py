"""RamboCallback on tiny co-training runs: schedule (Alg. 1 lines 3-5), logging, every agent, seeds."""

from __future__ import annotations

import copy
import math

import gymnasium as gym
import numpy as np
import pytest
import torch

from agents.callback import RamboCallback
from agents.factory import make_agent
from agents.fused import normalised_inputs
from agents.vec_env import RamboModelVecEnv
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from rambo_env.data.dataset import OfflineDataset
from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
from rambo_env.dynamics.termination import always_terminated
from rambo_env.evaluation import evaluate_policy
from rambo_env.model import LearnedMDP
from rambo_env.normalization import ObsNormalizer

N_ENVS, K, GRAD_STEPS = 8, 2, 3
STEPS_PER_ITERATION = N_ENVS * K
#: ``make_agent`` keywords of the tests whose agents are only built, refused or warned (other
#: files import it): ``gradient_steps`` 3, not the paper's 1000 per collect, which nothing there
#: needs (session 58: the 1000 steps were most of their time)
SMALL_AGENT_KW = {
    "rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}, "batch_size": 8,
    "gradient_steps": GRAD_STEPS,
}  # fmt: skip


def _never(raw_next_obs: torch.Tensor) -> torch.Tensor:
    return torch.zeros(raw_next_obs.shape[0], dtype=torch.bool, device=raw_next_obs.device)


def _toy(
    seed: int = 0, n: int = 128, loc: float = 0.0, scale: float = 1.0
) -> tuple[LearnedMDP, OfflineDataset]:
    rng = np.random.default_rng(seed)
    obs_dim, action_dim = 3, 2
    obs = rng.normal(loc, scale, size=(n, obs_dim)).astype(np.float32)
    action = rng.uniform(-0.9, 0.9, (n, action_dim)).astype(np.float32)
    dataset = OfflineDataset.from_arrays(
        {
            "observations": obs,
            "actions": action,
            "rewards": obs[:, 0],
            "next_observations": obs + 0.1 * action[:, :1],
            "terminals": np.arange(n) % 50 == 49,
        }
    )
    norm = ObsNormalizer.from_dataset(dataset)
    cfg = EnsembleConfig(n_members=3, n_elites=2, hidden_dims=(16, 16), weight_decays=(1e-5,) * 3)
    ensemble = GaussianEnsemble(
        obs_dim, action_dim, cfg, generator=torch.Generator().manual_seed(seed)
    )
    return LearnedMDP(ensemble, norm, _never, norm.normalize(obs), device="cpu"), dataset


class SpyAdversary(ModelAdversary):
    """Records the agent's update count and env steps at every adversary update."""

    calls: list[tuple[int, int]]
    agent = None

    def update(self, policy):
        self.calls.append((self.agent._n_updates, self.agent.num_timesteps))
        return super().update(policy)


def _setup(algo="sac", weight=3e-4, seed=0, n_updates=4, adversary_cls=ModelAdversary, **cb_kwargs):
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=seed)
    agent = make_agent(
        algo,
        env,
        dataset,
        mdp.normalizer,
        rollout_length=K,
        seed=seed,
        device="cpu",
        gradient_steps=GRAD_STEPS,
        batch_size=32,
        policy_kwargs={"net_arch": [16, 16]},
    )
    cfg = AdversaryConfig(weight, K, n_updates=n_updates, batch_size=32)
    adversary = adversary_cls(mdp, dataset, cfg, seed=seed)
    if isinstance(adversary, SpyAdversary):
        adversary.calls, adversary.agent = [], agent
    return agent, RamboCallback(adversary, q_eval_size=64, **cb_kwargs), mdp


def test_adversary_runs_once_per_iteration_after_each_train():
    agent, callback, _ = _setup(adversary_cls=SpyAdversary)
    seen = []
    callback.on_iteration_end.append(
        lambda cb: seen.append((cb.n_iterations, dict(cb.logger.name_to_value)))
    )
    agent.learn(total_timesteps=3 * STEPS_PER_ITERATION, callback=callback)
    # Never before the first train; after train i (n_updates = i * GRAD_STEPS), before collect i+1;
    # the last one at the end of learn().
    assert callback.adversary.calls == [
        (i * GRAD_STEPS, i * STEPS_PER_ITERATION) for i in (1, 2, 3)
    ]
    assert callback.n_iterations == 3 and [s[0] for s in seen] == [1, 2, 3]
    logged = seen[-1][1]
    for key in (
        "adv_loss",
        "mle_loss",
        "advantage_mean",
        "advantage_std",
        "log_prob_mean",
        "grad_norm",
        "q_avg",
        "td_gap",
    ):
        assert np.isfinite(logged[f"rambo/{key}"]), key
        assert logged[f"rambo/{key}"] == callback.last_stats[key]
    assert logged["rambo/iteration"] == 3
    assert callback.adversary.n_steps == 3 * 4


def test_learn_in_chunks_keeps_the_schedule():
    agent, callback, _ = _setup(adversary_cls=SpyAdversary)
    agent.learn(total_timesteps=2 * STEPS_PER_ITERATION, callback=callback)
    agent.learn(
        total_timesteps=2 * STEPS_PER_ITERATION, callback=callback, reset_num_timesteps=False
    )
    assert [c[0] for c in callback.adversary.calls] == [GRAD_STEPS * i for i in (1, 2, 3, 4)]
    assert callback.n_iterations == 4


def test_zero_weight_counts_iterations_but_leaves_the_model():
    agent, callback, mdp = _setup(weight=0.0)
    before = copy.deepcopy(mdp.ensemble.state_dict())
    agent.learn(total_timesteps=2 * STEPS_PER_ITERATION, callback=callback)
    assert callback.n_iterations == 2
    assert set(callback.last_stats) == {
        "q_avg",
        "td_gap",
        "model_reward_mean",
        "model_reward_max",
        "model_terminated_frac",
        "policy_log_std_mean",
        "policy_saturated_frac",
        "policy_log_prob_mean",
    }
    for key, value in mdp.ensemble.state_dict().items():
        assert torch.equal(value, before[key]), key


@pytest.mark.parametrize("terminates", [False, True])
def test_rollout_stats_describe_the_iterations_model_transitions(terminates):
    agent, callback, mdp = _setup(weight=0.0)
    if terminates:
        mdp.termination_fn = always_terminated
    seen = []
    callback.on_iteration_end.append(lambda cb: seen.append(dict(cb.logger.name_to_value)))
    agent.learn(total_timesteps=2 * STEPS_PER_ITERATION, callback=callback)
    second = agent.replay_buffer.rewards[K : 2 * K]  # [K, N_ENVS]: iteration 2's rollout only
    stats = callback.last_stats
    assert stats["model_reward_mean"] == pytest.approx(second.mean(), rel=1e-5)
    assert stats["model_reward_max"] == pytest.approx(second.max(), rel=1e-6)
    assert stats["model_terminated_frac"] == (1.0 if terminates else 0.0)
    assert seen[-1]["rollout/model_reward_mean"] == stats["model_reward_mean"]
    first = agent.replay_buffer.rewards[:K]
    assert seen[0]["rollout/model_reward_mean"] == pytest.approx(first.mean(), rel=1e-5)


@pytest.mark.parametrize("algo", ["sac", "td3", "ddpg", "tqc", "crossq"])
def test_every_agent_co_trains(algo):
    agent, callback, mdp = _setup(algo)
    before = copy.deepcopy(mdp.ensemble.state_dict())
    agent.learn(total_timesteps=2 * STEPS_PER_ITERATION, callback=callback)
    assert callback.n_iterations == 2
    assert all(np.isfinite(v) for v in callback.last_stats.values())
    assert not torch.equal(mdp.ensemble.mean_head.weight, before["mean_head.weight"])
    assert agent.replay_buffer.size() == 2 * K  # steps per env: two iterations of k (pool not full)


@pytest.mark.parametrize("algo", ["sac", "td3"])
def test_same_seed_gives_identical_runs(algo):
    def run():
        agent, callback, mdp = _setup(algo, seed=3)
        agent.learn(total_timesteps=2 * STEPS_PER_ITERATION, callback=callback)
        return callback.last_stats, agent.actor.state_dict(), mdp.ensemble.state_dict()

    (stats_a, actor_a, model_a), (stats_b, actor_b, model_b) = run(), run()
    assert stats_a == stats_b
    for a, b in ((actor_a, actor_b), (model_a, model_b)):
        for key in a:
            assert torch.equal(a[key], b[key]), key


def test_q_eval_size_validation():
    mdp, dataset = _toy()
    with pytest.raises(ValueError, match="q_eval_size"):
        RamboCallback(ModelAdversary(mdp, dataset, AdversaryConfig(0.0, K)), q_eval_size=0)
    # probe 17: was torch's raw "can't allocate memory" at the first iteration's end
    with pytest.raises(ValueError, match=r"q_eval_size: a batch of 1000000000000 rows needs ~"):
        RamboCallback(ModelAdversary(mdp, dataset, AdversaryConfig(0.0, K)), q_eval_size=10**12)
    assert RamboCallback(ModelAdversary(mdp, dataset, AdversaryConfig(0.0, K)), q_eval_size=10**5)


def test_a_callback_or_update_without_its_object_is_one_error():
    """Probe 10: ``RamboCallback(None)`` / ``adversary.update(None)`` were raw AttributeErrors
    ('mdp', 'sample'); at λ = 0 update(None) silently did nothing."""
    mdp, dataset = _toy()
    with pytest.raises(ValueError, match=r"adversary: expected a .*ModelAdversary, got NoneType"):
        RamboCallback(None)
    for lam in (0.0, 3e-4):
        adversary = ModelAdversary(mdp, dataset, AdversaryConfig(lam, K))
        with pytest.raises(ValueError, match=r"policy: expected a .*PolicyFns, got NoneType"):
            adversary.update(None)


def test_state_dict_resumes_counters_and_q_rows():
    agent, callback, _ = _setup()
    agent.learn(total_timesteps=2 * STEPS_PER_ITERATION, callback=callback)
    resumed = RamboCallback(callback.adversary, q_eval_size=64, seed=99)
    resumed.load_state_dict(callback.state_dict())
    resumed.init_callback(agent)
    assert resumed.n_iterations == 2 and resumed.last_stats == callback.last_stats
    assert resumed.average_q() == callback.average_q()  # same next Q-evaluation rows
    fresh = RamboCallback(callback.adversary, q_eval_size=64, seed=99)
    fresh.init_callback(agent)
    assert fresh.n_iterations == 0 and fresh.average_q() != callback.average_q()  # other rows


def test_policy_stats_read_the_actor_without_touching_the_run_rng():
    agent, callback, _ = _setup(weight=0.0)
    agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=callback)
    with torch.no_grad():  # a saturated, near-deterministic actor
        agent.actor.mu.weight.zero_()
        agent.actor.mu.bias.fill_(10.0)
        agent.actor.log_std.weight.zero_()
        agent.actor.log_std.bias.fill_(-30.0)
    state = torch.get_rng_state()
    stats = callback.policy_stats()
    assert torch.equal(state, torch.get_rng_state())
    assert stats["log_std_mean"] == pytest.approx(-20.0)  # SB3's floor
    assert stats["saturated_frac"] == 1.0
    # log π: Gaussian at σ = e^-20 (+18.1 per dim) plus the capped tanh Jacobian (+13.8 per dim).
    dim = agent.action_space.shape[0]
    assert stats["log_prob_mean"] == pytest.approx(
        dim * (20 - 0.5 * np.log(2 * np.pi) + 13.8155), rel=1e-3
    )
    assert callback.policy_stats() == stats  # fixed private noise
    with torch.no_grad():
        agent.actor.mu.bias.fill_(0.0)
    assert callback.policy_stats()["saturated_frac"] == 0.0


def test_td_gap_is_the_one_model_step_target_minus_value_and_draws_no_run_rng():
    agent, callback, mdp = _setup(weight=0.0)
    agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=callback)
    policy = callback._policy
    obs = callback.adversary.real.obs[:2560]
    torch_state, gen_state = torch.get_rng_state(), callback.adversary.generator.get_state()
    gap = callback.td_gap()
    assert torch.equal(torch_state, torch.get_rng_state())
    assert torch.equal(gen_state, callback.adversary.generator.get_state())
    assert gap == callback.td_gap()  # fixed private draws
    with torch.no_grad():  # by hand: r + γ (1 − d) Q(s', π_mean(s')) − Q(s, π_mean(s))
        action = policy.mean(obs)
        next_obs, reward, terminated = mdp.transition(obs, action, np.random.default_rng(0))
        target = reward + 0.99 * (~terminated) * policy.q(next_obs, policy.mean(next_obs))
        expected = float((target - policy.q(obs, action)).mean())
    assert gap == pytest.approx(expected, rel=1e-5, abs=1e-6)
    with torch.no_grad():  # a critic that is 100 higher everywhere: the gap falls by (1 − γ) · 100
        agent.critic.q_networks[0][-1].bias += 100.0
        agent.critic.q_networks[1][-1].bias += 100.0
    assert callback.td_gap() == pytest.approx(expected - 0.01 * 100.0, abs=1e-3)


def test_library_calls_with_wrong_types_name_the_argument():
    """make_agent / MixedReplayBuffer / ModelAdversary / RamboModelVecEnv with wrong types or a
    negative seed: one ValueError naming the argument (was: raw AttributeError 'observations' /
    'num_envs' / 'normalizer', numpy's and SB3's seed errors, torch's device-string error; a
    vec env's seed(-1) made every later reset() fail; critic_layer_norm="no" turned LayerNorm
    on; a buffer seed of -1 was accepted)."""
    from agents.buffer import MixedReplayBuffer

    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    for args, extra, match in (
        ((env, None, mdp.normalizer), {}, "dataset: expected a rambo_env.data.dataset.Offline"),
        ((env, dataset, None), {}, "normalizer: expected a rambo_env.normalization.ObsNorm"),
        ((mdp, dataset, mdp.normalizer), {}, "vec_env: expected an SB3 VecEnv"),
        ((env, dataset, mdp.normalizer), {"seed": -1}, "seed: expected an int >= 0, got -1"),
        ((env, dataset, mdp.normalizer), {"device": "gpu"}, "device: 'gpu' is not a torch"),
        ((env, dataset, mdp.normalizer), {"critic_layer_norm": "no"}, "critic_layer_norm: exp"),
        ((env, dataset, mdp.normalizer), {"actor_lr": float("nan")}, "actor_lr: expected a fin"),
        ((env, dataset, mdp.normalizer), {"rollout_length": K + 1}, "the vec_env truncates"),
    ):
        with pytest.raises(ValueError, match=match):
            make_agent("sac", *args, **{**kw, **extra})
    with pytest.raises(ValueError, match="seed: expected an int >= 0, got -1"):
        MixedReplayBuffer(
            10, env.observation_space, env.action_space, dataset=dataset,
            normalizer=mdp.normalizer, seed=-1,
        )  # fmt: skip
    with pytest.raises(ValueError, match=r"dataset: expected a rambo_env\.data\.dataset\.Offline"):
        MixedReplayBuffer(
            10, env.observation_space, env.action_space, dataset={}, normalizer=mdp.normalizer
        )
    cfg = AdversaryConfig(3e-4, K)
    for args, extra, match in (
        ((None, dataset, cfg), {}, "mdp: expected a LearnedMDP .*got NoneType"),
        ((mdp, None, cfg), {}, "dataset: expected a rambo_env.data.dataset.OfflineDataset"),
        ((mdp, dataset, {"adversary_weight": 1.0}), {}, "cfg: expected an AdversaryConfig"),
        ((mdp, dataset, cfg), {"seed": -1}, "seed: expected an int >= 0, got -1"),
    ):
        with pytest.raises(ValueError, match=match):
            ModelAdversary(*args, **extra)
    for seed in (-1, "a"):
        with pytest.raises(ValueError, match="seed: expected an int >= 0"):
            RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=seed)
    with pytest.raises(ValueError, match="seed: expected an int >= 0, got -1"):
        env.seed(-1)
    assert env.reset().shape == (N_ENVS, 3)  # the refused seed left the env usable


def test_entropy_coefficient_and_exploration_noise_are_checked_per_agent():
    """Probe 18: ``make_agent("sac", …, ent_coef=-1.0)`` trained with a negative entropy weight
    and ``ent_coef="x"`` was "could not convert string to float: 'x'" (CotrainConfig checked
    them, make_agent did not); ``exploration_std`` was ignored by SAC / TQC / CrossQ."""
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    for algo, extra, match in (
        ("sac", {"ent_coef": -1.0}, r"ent_coef: expected auto, auto_<init> or a finite number > 0"),
        ("sac", {"ent_coef": "x"}, r"ent_coef: expected auto, .*got 'x'"),
        ("tqc", {"ent_coef": "auto_0"}, r"ent_coef: expected .*got 'auto_0'"),
        ("sac", {"ent_coef": float("nan")}, r"ent_coef: expected .*got nan"),
        ("sac", {"ent_coef": True}, r"ent_coef: expected .*got True"),
        ("td3", {"ent_coef": 0.1}, r"ent_coef: td3 has no entropy coefficient"),
        ("sac", {"exploration_std": 0.5}, r"exploration_std: only \['td3', 'ddpg'\] explore"),
        ("sac", {"exploration_std": 0.1}, r"exploration_std: .*sac explores through its"),
    ):
        with pytest.raises(ValueError, match=match):
            make_agent(algo, env, dataset, mdp.normalizer, **{**kw, **extra})
    assert make_agent("sac", env, dataset, mdp.normalizer, ent_coef=0.2, **kw).ent_coef == 0.2
    sac = make_agent("sac", env, dataset, mdp.normalizer, ent_coef="auto_0.3", **kw)
    assert sac.log_ent_coef.exp().item() == pytest.approx(0.3)
    td3 = make_agent("td3", env, dataset, mdp.normalizer, exploration_std=0.3, **kw)
    assert td3.action_noise.sigma == pytest.approx(0.3)
    td3 = make_agent("td3", env, dataset, mdp.normalizer, **kw)
    assert td3.action_noise.sigma == pytest.approx(0.1)  # the default
    from stable_baselines3.common.noise import NormalActionNoise

    noise = NormalActionNoise(np.zeros(2), 0.5 * np.ones(2))  # probe 36: exploration_std dropped
    with pytest.raises(ValueError, match=r"exploration_std: 0.3 and action_noise \(NormalAction"):
        make_agent(
            "td3", env, dataset, mdp.normalizer, exploration_std=0.3, action_noise=noise, **kw
        )
    assert (
        make_agent("td3", env, dataset, mdp.normalizer, action_noise=noise, **kw).action_noise
        is noise
    )


def test_a_normalizer_other_than_the_models_is_refused():
    """Probe 18: ``make_agent(…, normalizer)`` with statistics other than the vec_env's model's
    (``ObsNormalizer.from_dataset`` of other data) was taken: real transitions and model states
    normalised two ways in one buffer."""
    mdp, dataset = _toy()
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    shifted = ObsNormalizer(mdp.normalizer.mean + 1.0, mdp.normalizer.std)
    with pytest.raises(ValueError, match=r"normalizer: not the statistics of the vec_env's model"):
        make_agent("sac", env, dataset, shifted, **kw)
    same = ObsNormalizer.from_dataset(dataset)  # equal statistics: fine
    make_agent("sac", env, dataset, same, **kw)


@pytest.mark.parametrize("algo", ["sac", "td3", "ddpg", "tqc", "crossq"])
def test_an_env_given_to_a_built_or_loaded_agent_gets_make_agents_checks(algo, tmp_path):
    """Probe 25: ``agent.set_env(model env of another dataset)`` (same dims, another
    normaliser), ``set_env`` of an env of another k, and ``load(path, env=…)`` of the other
    dataset's env were taken, so the agent trained on model rows and real rows normalised two
    ways, or on rollouts of another length; ``make_agent`` refuses all three."""
    from agents.factory import AGENT_CLASSES

    mdp, dataset = _toy()
    other, _ = _toy(seed=1)  # another dataset: the same dims, other statistics
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    agent = make_agent(
        algo, RamboModelVecEnv(mdp, N_ENVS, K, seed=0), dataset, mdp.normalizer, **kw
    )
    with pytest.raises(ValueError, match=r"normalizer: not the statistics of the vec_env's model"):
        agent.set_env(RamboModelVecEnv(other, N_ENVS, K, seed=0))
    with pytest.raises(ValueError, match=rf"env: its rows truncate after {K + 1} steps, but this "
                       rf"agent collects rollouts of k = {K}"):  # fmt: skip
        agent.set_env(RamboModelVecEnv(mdp, N_ENVS, K + 1, seed=0))
    with pytest.raises(ValueError, match=r"env: Pendulum-v1 is not a model env, but this agent "
                       r"trains in the learned model"):  # fmt: skip
        agent.set_env(gym.make("Pendulum-v1"))  # probe 32: was "1 rows (num_envs), but …"
    agent.set_env(RamboModelVecEnv(mdp, N_ENVS, K, seed=1))  # the same model: fine
    agent.save(tmp_path / "agent.zip")
    with pytest.raises(ValueError, match=r"normalizer: not the statistics"):
        AGENT_CLASSES[algo].load(
            tmp_path / "agent.zip", env=RamboModelVecEnv(other, N_ENVS, K, seed=0), device="cpu"
        )
    AGENT_CLASSES[algo].load(
        tmp_path / "agent.zip", env=RamboModelVecEnv(mdp, N_ENVS, K, seed=0), device="cpu"
    )
    # probe 36: load(env=real env) was SB3's "Observation spaces do not match: …", and a loaded
    # agent's normaliser was reachable through its replay buffer only
    with pytest.raises(ValueError, match=r"env: Pendulum-v1 is not a model env, .*agent\.normal"):
        AGENT_CLASSES[algo].load(tmp_path / "agent.zip", env=gym.make("Pendulum-v1"), device="cpu")
    loaded = AGENT_CLASSES[algo].load(tmp_path / "agent.zip", device="cpu")
    np.testing.assert_array_equal(loaded.normalizer.mean, mdp.normalizer.mean)
    np.testing.assert_array_equal(loaded.normalizer.std, mdp.normalizer.std)
    with pytest.raises(ValueError, match=r"act: got an SB3 policy module \(.*\), which takes"):
        evaluate_policy(loaded.policy, "Pendulum-v1", loaded.normalizer, n_episodes=1)


def test_predict_on_raw_observations_warns_once(recwarn, tmp_path):
    """Probe 25: SB3's ``evaluate_policy(agent, gym.make("Hopper-v5"))`` scored the policy on
    raw observations without a word (the agent acts on the normaliser's z-scores). Training in
    the model env and predicting on normalised rows never warn; raw rows do, once."""
    import warnings

    mdp, dataset = _toy(loc=1.25, scale=0.2)  # a height-like scale: mean far from 0
    kw = {
        "rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]},
        "gradient_steps": GRAD_STEPS,  # not 1000 per collect: what is checked does not train
    }  # fmt: skip
    agent = make_agent(
        "sac", RamboModelVecEnv(mdp, N_ENVS, K, seed=0), dataset, mdp.normalizer, **kw
    )
    agent.learn(K * N_ENVS * 3)  # model rows: normalised
    normalised = mdp.normalizer.normalize(dataset.observations)
    for row in normalised[:50]:
        agent.predict(row, deterministic=True)
    assert not [w for w in recwarn if "look raw" in str(w.message)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for row in dataset.observations[:50]:  # raw, one per call (a 1-env evaluate_policy)
            agent.predict(row, deterministic=True)
    raw = [w for w in caught if "look raw" in str(w.message)]
    assert len(raw) == 1 and "NormalizedObservation" in str(raw[0].message)
    # probe 38 row 54: a loaded agent (no env, no buffer) was silent on the same raw rows
    agent.save(tmp_path / "agent.zip")
    loaded = type(agent).load(tmp_path / "agent.zip", device="cpu")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for row in normalised[:50]:
            loaded.predict(row, deterministic=True)
        assert not [w for w in caught if "look raw" in str(w.message)]
        for row in dataset.observations[:50]:
            loaded.predict(row, deterministic=True)
    assert len([w for w in caught if "look raw" in str(w.message)]) == 1
    with warnings.catch_warnings(record=True) as caught:  # the project's own evaluations
        warnings.simplefilter("always")
        agent2 = make_agent(
            "sac", RamboModelVecEnv(mdp, N_ENVS, K, seed=0), dataset, mdp.normalizer, **kw
        )
        with normalised_inputs(agent2):
            for row in dataset.observations[:50]:
                agent2.predict(row)
        assert agent2._raw_watch[0] is False  # the watch is back on after it
    assert not [w for w in caught if "look raw" in str(w.message)]
    # probe 26: data of mean ≈ 0 and a small std (0.15), normalised states near the mean: the
    # narrow raw density favoured "raw" in every such dimension, and the run's evaluation warned
    mdp, dataset = _toy(scale=0.15)
    small = make_agent(
        "sac", RamboModelVecEnv(mdp, N_ENVS, K, seed=0), dataset, mdp.normalizer, **kw
    )
    rng = np.random.default_rng(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(200):
            small.predict(mdp.normalizer.normalize(rng.uniform(-0.5, 0.5, 3).astype(np.float32)))
    assert not [w for w in caught if "look raw" in str(w.message)]
    mdp, dataset = _toy()  # a normaliser near (0, 1): no evidence either way
    fresh = make_agent(
        "sac", RamboModelVecEnv(mdp, N_ENVS, K, seed=0), dataset, mdp.normalizer, **kw
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for row in dataset.observations[:50]:
            fresh.predict(row)
    assert not [w for w in caught if "look raw" in str(w.message)]


def test_real_data_other_than_the_models_are_refused():
    """Probe 18: a dataset of the same dims but other data than the model's (another level, a
    subset) was taken by make_agent's buffer, the adversary and BC: their real transitions
    normalised with the model's statistics of other data, silently."""
    from agents.bc import BCConfig, behaviour_clone

    mdp, dataset = _toy()
    _, other = _toy(seed=1)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    match = r"dataset: 'custom' is not the data the normaliser was fitted on \(their observation"
    with pytest.raises(ValueError, match=match):
        make_agent("sac", env, other, mdp.normalizer, **kw)
    with pytest.raises(ValueError, match=match):
        ModelAdversary(mdp, other, AdversaryConfig(3e-4, K))
    agent = make_agent("sac", env, dataset, mdp.normalizer, **kw)
    with pytest.raises(ValueError, match=match):
        behaviour_clone(agent, other, mdp.normalizer, BCConfig(epochs=1, max_steps=1))


def test_a_vec_normalize_wrapper_is_refused():
    """Probe 18: ``make_agent(…, VecNormalize(RamboModelVecEnv(…)))`` was taken: model
    transitions re-normalised by running statistics (rewards scaled), real ones not."""
    from stable_baselines3.common.vec_env import VecMonitor, VecNormalize

    mdp, dataset = _toy()
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    for wrapped in (VecNormalize(env), VecMonitor(VecNormalize(env, norm_obs=False))):
        with pytest.raises(ValueError, match=r"vec_env: wrapped in a VecNormalize \(norm_obs="):
            make_agent("sac", wrapped, dataset, mdp.normalizer, **kw)
    neutral = VecNormalize(env, norm_obs=False, norm_reward=False)
    make_agent("sac", VecMonitor(neutral), dataset, mdp.normalizer, **kw)  # scales nothing


def test_a_vec_env_wrapper_that_reshapes_observations_is_named():
    """Probe 31: ``make_agent("sac", VecFrameStack(env, 2), …)`` was refused with the real
    data's "dataset: obs shape (3,) / action_dim 2 do not match the spaces (6,) / 2", which
    named no wrapper; ``set_env`` of such an env is refused the same way."""
    from stable_baselines3.common.vec_env import VecFrameStack, VecMonitor

    mdp, dataset = _toy()
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    match = r"^vec_env: wrapped in a VecFrameStack, which turns the model env's observations of "
    for wrapped, shape in ((VecFrameStack(env, 2), 6), (VecMonitor(VecFrameStack(env, 3)), 9)):
        with pytest.raises(ValueError, match=match + rf"shape \(3,\) into \({shape},\);.*drop"):
            make_agent("sac", wrapped, dataset, mdp.normalizer, **kw)
    agent = make_agent("sac", VecMonitor(env), dataset, mdp.normalizer, **kw)  # reshapes nothing
    with pytest.raises(ValueError, match=match):
        agent.set_env(VecFrameStack(env, 2))


def test_sb3_arguments_that_fail_only_in_training_are_checked_up_front():
    """Probe 20: target_update_interval=0 / policy_delay=0 divided by zero at the first train
    step (after the collect), target_policy_noise=-1 / NaN was torch's "normal expects std >=
    0.0" there, target_noise_clip=-1 trained on an inverted clip, target_entropy "x" / NaN a
    raw float() error / a NaN actor, action_noise "normal" SB3's TypeError of a tuple, verbose
    "x" a raw TypeError."""
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    for algo, extra, match in (
        ("sac", {"target_update_interval": 0}, r"target_update_interval: expected an int >= 1"),
        ("tqc", {"target_update_interval": 1.5}, r"target_update_interval: expected an int"),
        ("td3", {"policy_delay": 0}, r"policy_delay: expected an int >= 1, got 0"),
        ("crossq", {"policy_delay": 0}, r"policy_delay: expected an int >= 1, got 0"),
        ("td3", {"target_policy_noise": -1.0}, r"target_policy_noise: expected a number >= 0"),
        ("td3", {"target_policy_noise": float("nan")}, r"target_policy_noise: .*got nan"),
        ("ddpg", {"target_noise_clip": -0.5}, r"target_noise_clip: expected a number >= 0"),
        ("sac", {"target_entropy": "x"}, r"target_entropy: expected 'auto' or a finite number"),
        ("tqc", {"target_entropy": float("nan")}, r"target_entropy: .*got nan"),
        ("td3", {"action_noise": "normal"}, r"action_noise: expected a stable_baselines3"),
        ("sac", {"verbose": "x"}, r"verbose: expected an int in \[0, 2\], got 'x'"),
        # was: "… pass rollout_length=2 or build the env with rollout_length=0"
        ("sac", {"rollout_length": 0}, r"^rollout_length: expected a positive int, got 0$"),
        ("td3", {"rollout_length": 2.0}, r"^rollout_length: expected a positive int, got 2.0$"),
        # was: SB3's raw "TypeError: SACPolicy.__init__() got an unexpected keyword argument"
        ("sac", {"policy_kwargs": {"netarch": [8]}}, r"policy_kwargs\['netarch'\]: not an arg"),
        ("tqc", {"policy_kwargs": {"n_quantile": 5}}, r"did you mean n_quantiles\?"),
        ("td3", {"policy_kwargs": {"lr_schedule": 1}}, r"policy_kwargs\['lr_schedule'\]: not"),
        # TQC with no quantile (or no more than it drops: 2 by default) trained without a word
        ("tqc", {"policy_kwargs": {"n_quantiles": 0}}, r"n_quantiles'\]: expected an int >= 1"),
        ("tqc", {"policy_kwargs": {"n_quantiles": 2}}, r"\[0, n_quantiles\) = \[0, 2\), got 2"),
    ):
        with pytest.raises(ValueError, match=match):
            make_agent(algo, env, dataset, mdp.normalizer, **{**kw, **extra})
    from stable_baselines3.common.noise import NormalActionNoise, VectorizedActionNoise

    for algo in ("td3", "ddpg"):  # probe 35: was numpy's broadcast error in learn
        wrong = NormalActionNoise(np.zeros(5), 0.1 * np.ones(5))
        with pytest.raises(
            ValueError,
            match=r"^action_noise: draws noise of shape \(5,\), but the env's actions have shape \(2,\) \(8 envs: \(2,\) or \(8, 2\) fits\); size its mean and sigma to the action space \(e.g. np.zeros\(2\)\)$",
        ):
            make_agent(algo, env, dataset, mdp.normalizer, action_noise=wrong, **kw)
    noise = NormalActionNoise(np.zeros(2), 0.1 * np.ones(2))  # taken, as are SB3's own values
    make_agent("td3", env, dataset, mdp.normalizer, action_noise=noise, policy_delay=3, **kw)
    rows = VectorizedActionNoise(noise, N_ENVS)  # one row per env: taken too
    make_agent("ddpg", env, dataset, mdp.normalizer, action_noise=rows, **kw)
    make_agent(
        "sac", env, dataset, mdp.normalizer, target_entropy=-2, target_update_interval=2, **kw
    )
    tqc = {**kw, "policy_kwargs": {"net_arch": [8], "n_quantiles": 5, "n_critics": 2}}
    make_agent("tqc", env, dataset, mdp.normalizer, **tqc)  # the policy's own keywords: taken


def test_a_batch_larger_than_the_buffer_rows_is_refused_at_make_agent():
    """Probe 52 rows 80-81: ``batch_size=3_000_000`` on 3000 transitions was taken, every batch
    repeated each row ~1000 times, and a memory limit failed after 74 s with torch's raw
    allocator error. Now make_agent names the rows; as many as the rows are taken."""
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    pool = 5 * K * N_ENVS  # retain_iterations 5 (the paper's)
    rows = dataset.n_transitions + pool
    with pytest.raises(
        ValueError,
        match=rf"^batch_size: 3000000 is more than the {rows} rows the mixed replay buffer "
        rf"samples from \(dataset {dataset.n_transitions} transitions \+ model pool {pool}\): "
        rf".*give at most {rows} \(the paper's batch: 256\)$",
    ):
        make_agent("sac", env, dataset, mdp.normalizer, batch_size=3_000_000, **kw)
    make_agent("sac", env, dataset, mdp.normalizer, batch_size=rows, **kw)


def test_sb3_arguments_callback_and_buffer_values_are_checked_up_front():
    """Probe 12: make_agent(gradient_steps=2.5 / tensorboard_log=5) failed with a raw TypeError
    at the first learn; batch_size=0, gamma=1.5, tau=2 trained without a word; exploration_std=-1
    was named 'sigma'; a normalizer of other dims said "obs: last dimension …". RamboCallback:
    q_eval_size "10" a raw TypeError, 2.5 / True cut to 2 / 1, seed -1 accepted, hooks not
    callable. MixedReplayBuffer: real_ratio "0.5" a raw TypeError, buffer_size 0 / -5 accepted,
    sample(-3) torch's "negative dimension"."""
    from agents.buffer import MixedReplayBuffer

    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    for algo, extra, match in (
        ("sac", {"gradient_steps": 2.5}, r"gradient_steps: expected an int >= 1 \(or -1 for"),
        ("sac", {"gradient_steps": -2}, r"gradient_steps: expected an int >= 1 .*got -2$"),
        # probe 34: 0 was taken, and learn never updated the agent
        (
            "sac",
            {"gradient_steps": 0},
            r"^gradient_steps: expected an int >= 1 \(or -1 for as many as collected steps\), "
            r"got 0: the agent would never train$",
        ),
        ("sac", {"tensorboard_log": 5}, "tensorboard_log: expected a folder path or None"),
        ("sac", {"batch_size": 0}, r"batch_size: expected an int >= 1, got 0"),
        ("sac", {"gamma": 1.5}, r"gamma: expected a number in \[0.0, 1.0\], got 1.5"),
        ("sac", {"tau": 2.0}, r"tau: expected a number in \(0.0, 1.0\], got 2.0"),
        ("sac", {"tau": 0.0}, r"tau: expected a number in \(0.0, 1.0\]"),
        ("td3", {"exploration_std": -1}, "exploration_std: expected a finite number >= 0, got -1"),
        # probe 16: arguments make_agent owns, a TQC drop of every quantile, widths below 1
        ("sac", {"train_freq": 1}, r"train_freq: 1 cannot be given: one SB3 collect is one k"),
        ("sac", {"train_freq": (1, "episode")}, r"train_freq: \(1, 'episode'\) cannot be"),
        (
            "sac",
            {"replay_buffer_class": object},
            "replay_buffer_class: object cannot be given: .*MixedReplayBuffer",
        ),
        ("sac", {"env": env}, "env: .* the env is the vec_env argument"),
        ("tqc", {"top_quantiles_to_drop_per_net": 100}, r"expected an int in \[0, n_quantiles\)"),
        ("tqc", {"top_quantiles_to_drop_per_net": -1}, r"\[0, 25\), got -1"),
        ("sac", {"policy_kwargs": {"net_arch": [0]}}, r"net_arch'\]: expected a list of layer"),
        ("sac", {"policy_kwargs": {"net_arch": [-5]}}, r"net_arch'\]: expected .*got \[-5\]"),
        ("td3", {"policy_kwargs": {"net_arch": "x"}}, r"net_arch'\]: expected .*got 'x'"),
        ("sac", {"policy_kwargs": {"net_arch": {"pi": [8], "qf": [0]}}}, "net_arch"),
        # probe 16: was numpy's raw MemoryError (or the OOM killer as the pool filled)
        ("sac", {"retain_iterations": 10**13}, r"the model pool of .* rows needs ~.* GiB, but"),
        ("td3", {"buffer_size": 10**14}, r"buffer_size: a model pool of 10+ rows needs ~"),
        # issue 14 (probe 33): a pool smaller than one collect overwrote itself every collect
        (
            "sac",
            {"buffer_size": K * N_ENVS - 1},
            rf"^buffer_size: {K * N_ENVS - 1} is smaller than one collect of {K * N_ENVS} "
            rf"transitions \(rollout_length {K} × {N_ENVS} rows\): .*give at least {K * N_ENVS}",
        ),
        ("sac", {"buffer_size": 1.5}, r"^buffer_size: expected an int >= 1, got 1.5"),
        # probe 34: CrossQ's NaN actor inside learn; sigma 1e6 = bang-bang; a 0-episode window
        (
            "crossq",
            {"batch_size": 1},
            r"^batch_size: CrossQ normalises over the batch \(BatchRenorm\) and needs >= 2 "
            r"rows \(paper 256\), got 1$",
        ),
        ("ddpg", {"exploration_std": 1e6}, r"^exploration_std: 1000000.0 swamps the action range"),
        ("td3", {"exploration_std": 4.5}, r"every noisy action would be clipped to a bound"),
        ("sac", {"stats_window_size": 0}, r"^stats_window_size: expected an int >= 1, got 0$"),
    ):
        with pytest.raises(ValueError, match=match):
            make_agent(algo, env, dataset, mdp.normalizer, **{**kw, **extra})
    other = ObsNormalizer(np.zeros(5, np.float32), np.ones(5, np.float32))
    with pytest.raises(ValueError, match="normalizer: fitted on obs_dim=5 observations, but"):
        make_agent("sac", env, dataset, other, **kw)
    agent = make_agent("sac", env, dataset, mdp.normalizer, gradient_steps=-1, **kw)  # SB3's -1
    make_agent("td3", env, dataset, mdp.normalizer, exploration_std=4.0, **kw)  # wide, but taken
    # one row trains SAC (a real one: probe 78 refuses f = 0.5 at B = 1, round(0.5) = 0 real rows)
    make_agent("sac", env, dataset, mdp.normalizer, batch_size=1, real_ratio=1.0, **kw)
    tqc = {**kw, "policy_kwargs": {"net_arch": {"pi": [8], "qf": [8]}}}
    make_agent("tqc", env, dataset, mdp.normalizer, top_quantiles_to_drop_per_net=24, **tqc)
    wide = OfflineDataset.from_arrays(
        {k: np.concatenate([v, v], axis=1) if k.endswith("observations") else v
         for k, v in _arrays_of(dataset).items()}
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"dataset: obs_dim=\d+, action_dim=\d+ do not match the"):
        ModelAdversary(mdp, wide, AdversaryConfig(3e-4, K))  # was: named the normalizer
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K))
    for extra, match in (
        ({"q_eval_size": "10"}, "q_eval_size: expected an int >= 1, got '10'"),
        ({"q_eval_size": 2.5}, "q_eval_size: expected an int >= 1, got 2.5"),
        ({"q_eval_size": True}, "q_eval_size: expected an int >= 1, got True"),
        ({"seed": -1}, "seed: expected an int >= 0, got -1"),
        ({"on_iteration_end": [5]}, r"on_iteration_end\[0\]: expected a callable"),
        # probe 36 row 77: a raw TypeError after the whole first iteration
        (
            {"on_iteration_end": [print, lambda: None]},
            r"^on_iteration_end\[1\]: .*<lambda>\(\) cannot be called with the RamboCallback "
            r"alone: a hook is called as hook\(callback\) after each iteration; give a function "
            r"of one argument, e.g. def hook\(cb\): ",
        ),
        (
            {"on_iteration_end": [lambda cb, step, extra: None]},
            r"^on_iteration_end\[0\]: .*<lambda>\(cb, step, extra\) cannot be called",
        ),
        ({"on_iteration_end": print}, "on_iteration_end: expected a list of callables, got one"),
        ({"on_iteration_end": 5}, "on_iteration_end: expected a list of callables, got int"),
        # probe 21: was taken, then a raw TypeError in learn
        ({"verbose": "x"}, "verbose: expected an int >= 0, got 'x'"),
    ):
        with pytest.raises(ValueError, match=match):
            RamboCallback(adversary, **extra)
    RamboCallback(adversary, on_iteration_end=[lambda cb, *rest: None, lambda cb, x=1: None])
    spaces = (env.observation_space, env.action_space)
    buffer_kw = {"dataset": dataset, "normalizer": mdp.normalizer}
    for size, extra, match in (
        (10, {"real_ratio": "0.5"}, "real_ratio: must be a number in \\[0, 1\\], got str"),
        (0, {}, "buffer_size: expected an int >= 1, got 0"),
        (-5, {}, "buffer_size: expected an int >= 1, got -5"),
    ):
        with pytest.raises(ValueError, match=match):
            MixedReplayBuffer(size, *spaces, **buffer_kw, **extra)
    for batch in (-3, 0, 2.5):
        with pytest.raises(ValueError, match="batch_size: expected an int >= 1"):
            agent.replay_buffer.sample(batch)


def test_make_agent_and_its_helpers_refuse_what_they_took_or_crashed_on():
    """Probe 21: make_agent took critic_layer_norm=1, actor_lr=True, exploration_std=inf and a
    tensorboard_log that is a file / unwritable / ''; log_std_min="3" and ent_coef_max="3" were raw
    TypeErrors; set_critic_lr(…, actor_lr=0) a ZeroDivisionError; MixedReplayBuffer's n_envs=0 /
    "3" and device="gpu" raw SB3 / torch errors, handle_timeout_termination="no" taken."""
    from agents.buffer import MixedReplayBuffer
    from agents.factory import set_critic_lr, set_ent_coef_max

    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    for algo, extra, match in (
        ("sac", {"critic_layer_norm": 1}, "critic_layer_norm: expected True, False or None"),
        ("sac", {"actor_lr": True}, "actor_lr: expected a finite value > 0, got True"),
        ("sac", {"critic_lr": "3"}, "critic_lr: expected a finite value > 0, got '3'"),
        ("td3", {"exploration_std": math.inf}, "exploration_std: expected a finite number"),
        ("sac", {"log_std_min": "3"}, "log_std_min: expected a value in"),
        ("sac", {"log_std_min": True}, "log_std_min: expected a value in"),
        ("sac", {"ent_coef_max": "3"}, "ent_coef_max: expected a finite value > 0"),
        ("sac", {"ent_coef_max": True}, "ent_coef_max: expected a finite value > 0"),
        ("sac", {"tensorboard_log": "/proc/tb"}, "tensorboard_log: /proc/tb is not writable"),
        ("sac", {"tensorboard_log": ""}, "tensorboard_log: '' names no folder"),
    ):
        with pytest.raises(ValueError, match=match):
            make_agent(algo, env, dataset, mdp.normalizer, **{**kw, **extra})
    agent = make_agent("sac", env, dataset, mdp.normalizer, **kw)
    for critic_lr, actor_lr, match in ((3e-4, 0, "actor_lr"), ("3", 1e-4, "critic_lr")):
        with pytest.raises(ValueError, match=f"{match}: expected a finite value > 0"):
            set_critic_lr(agent, critic_lr, actor_lr)
    with pytest.raises(ValueError, match="ent_coef_max: expected a finite value > 0"):
        set_ent_coef_max(agent, "3")
    spaces = (env.observation_space, env.action_space)
    buffer_kw = {"dataset": dataset, "normalizer": mdp.normalizer}
    for extra, match in (
        ({"n_envs": 0}, "n_envs: expected an int >= 1, got 0"),
        ({"n_envs": "3"}, "n_envs: expected an int >= 1, got '3'"),
        ({"device": "gpu"}, "device: 'gpu' is not a torch device"),
        ({"handle_timeout_termination": "no"}, "handle_timeout_termination: expected True or"),
        # probe 23: False stored every k-step truncation of the model pool as a terminal
        ({"handle_timeout_termination": False}, "handle_timeout_termination: False would store"),
    ):
        with pytest.raises(ValueError, match=match):
            MixedReplayBuffer(10, *spaces, **buffer_kw, **extra)


def _arrays_of(dataset: OfflineDataset) -> dict[str, np.ndarray]:
    keys = ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts")
    return {k: getattr(dataset, k) for k in keys}


def test_the_callback_refuses_an_agent_not_built_for_rambo():
    """Probe 16: a plain SB3 SAC (its ReplayBuffer) with RamboCallback trained on model rollouts
    only, with no real data, without a word; an agent collecting another number of steps per
    train than the adversary's k ran the adversary out of step with Alg. 1's iterations."""
    from stable_baselines3 import SAC

    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8))
    plain = SAC("MlpPolicy", env, learning_starts=0, batch_size=8, device="cpu",
                train_freq=(K, "step"), policy_kwargs={"net_arch": [8]})  # fmt: skip
    with pytest.raises(
        ValueError, match=r"replay buffer is a ReplayBuffer, not agents.buffer.Mixed"
    ):
        plain.learn(K * N_ENVS, callback=RamboCallback(adversary))
    agent = make_agent("sac", env, dataset, mdp.normalizer, rollout_length=K, device="cpu",
                       policy_kwargs={"net_arch": [8]})  # fmt: skip
    other_k = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K + 1, n_updates=1, batch_size=8))
    with pytest.raises(ValueError, match=rf"train_freq \({K}, .*one k = {K + 1}-step rollout"):
        agent.learn(K * N_ENVS, callback=RamboCallback(other_k))
    # probe 18: an adversary of another mdp trained a model the agent never saw, silently
    other_mdp = copy.deepcopy(mdp)  # the same model, another object: its updates go elsewhere
    elsewhere = ModelAdversary(other_mdp, dataset, AdversaryConfig(3e-4, K, 1, batch_size=8))
    with pytest.raises(ValueError, match=r"adversary: its mdp is not the one the agent's vec_env"):
        agent.learn(K * N_ENVS, callback=RamboCallback(elsewhere))


def test_an_adversary_on_other_data_than_the_agents_real_rows_is_refused():
    """Probe 31: an agent built on one dataset and an adversary on another of the same dims
    (here: the rewards zeroed) trained without a word, the agent's real half from one, the
    model's updates from the other. The same data in another object are taken."""
    mdp, dataset = _toy()
    zeroed = OfflineDataset.from_arrays({**_arrays_of(dataset), "rewards": dataset.rewards * 0})
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = SMALL_AGENT_KW
    agent = make_agent("sac", env, zeroed, mdp.normalizer, **kw)
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8))
    match = (
        r"^dataset: the agent's real rows come from 'custom' \(128 transitions, fingerprint "
        r"\w+\), but the adversary trains the model on 'custom' \(128 transitions, .*make_agent"
    )
    with pytest.raises(ValueError, match=match):
        agent.learn(K * N_ENVS, callback=RamboCallback(adversary))
    assert agent.num_timesteps == 0  # refused before any collect
    copied = OfflineDataset.from_arrays(_arrays_of(dataset))  # equal data, another object
    same = make_agent("sac", env, copied, mdp.normalizer, **kw)
    same.learn(K * N_ENVS, callback=RamboCallback(adversary))


def test_an_on_policy_agent_is_told_to_use_make_agent():
    """Probe 31: ``PPO("MlpPolicy", env).learn(…, callback=RamboCallback(adversary))`` said only
    "unsupported algorithm PPO; supported: SAC, …", not that an off-policy agent of make_agent
    is needed."""
    from stable_baselines3 import PPO

    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8))
    ppo = PPO("MlpPolicy", env, n_steps=K, batch_size=8, device="cpu",
              policy_kwargs={"net_arch": [8]})  # fmt: skip
    match = (
        r"^model: unsupported algorithm PPO \(not an off-policy agent\); supported: SAC, .*"
        r"build one with agents.factory.make_agent\(algo, vec_env, dataset, normalizer, "
        r"rollout_length=k\), algo one of 'sac', 'td3'"
    )
    with pytest.raises(ValueError, match=match):
        ppo.learn(K * N_ENVS, callback=RamboCallback(adversary))


def test_load_state_dict_of_something_else_is_one_error():
    """Probe 18: ``load_state_dict({})`` / ``(None)`` were a raw ``KeyError: 'optimizer'`` /
    "'NoneType' object is not subscriptable"."""
    mdp, dataset = _toy()
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8))
    callback = RamboCallback(adversary)
    for obj, owner in ((adversary, "ModelAdversary"), (callback, "RamboCallback")):
        for state, got in (({}, "a dict without"), (None, "NoneType")):
            with pytest.raises(
                ValueError, match=rf"state: expected what {owner}.state_dict\(\) .*{got}"
            ):
                obj.load_state_dict(state)
        obj.load_state_dict(obj.state_dict())  # its own: fine


def test_an_agent_without_tensorboard_leaves_no_sb3_folder(tmp_path, monkeypatch, capsys):
    """Probe 17: SB3's ``learn`` without ``tensorboard_log`` made an empty ``<tmp>/SB3-<date>``
    folder each time (thousands were left in /tmp); the agent's logger still records."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("SB3_LOGDIR", raising=False)
    agent, callback, _ = _setup()
    capsys.readouterr()
    seen = []
    callback.on_iteration_end.append(lambda cb: seen.append(dict(cb.logger.name_to_value)))
    agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=callback)
    agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=callback)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("SB3-")] == []
    assert seen and any(seen)
    assert capsys.readouterr().out == ""


def test_a_plain_sb3_agent_of_a_test_leaves_nothing_in_tmp(tmp_path, monkeypatch):
    """Issue 14: the tests that build plain SB3 agents (the mistakes RamboCallback refuses) left an
    empty ``<tmp>/SB3-<date>`` folder per ``learn`` (1525 in /tmp); conftest points SB3_LOGDIR into
    pytest's own temporary folders."""
    import tempfile

    from stable_baselines3 import SAC

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    kw = {"learning_starts": 0, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    SAC("MlpPolicy", "Pendulum-v1", **kw).learn(total_timesteps=2)
    assert list(tmp_path.iterdir()) == []


def test_a_loaded_agent_leaves_no_sb3_folder_when_it_trains_again(tmp_path, monkeypatch):
    """Issue 14: ``load`` drops the quiet logger ``make_agent`` gave (SB3 does not save it), so a
    loaded agent trained again (``load(…, dataset=…)`` then ``learn``, as the docs say) made an
    empty ``<tmp>/SB3-<date>`` folder per ``learn``; so did an agent class of ``AGENT_CLASSES``
    built directly."""
    import tempfile

    from agents.factory import AGENT_CLASSES

    agent, callback, _ = _setup()
    agent.save(tmp_path / "agent.zip")
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.delenv("SB3_LOGDIR", raising=False)
    loaded = type(agent).load(
        tmp_path / "agent.zip",
        env=agent.get_env(),
        device="cpu",
        dataset=callback.adversary.dataset,
    )
    loaded.learn(total_timesteps=STEPS_PER_ITERATION, callback=callback)
    kw = {"learning_starts": 0, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    AGENT_CLASSES["td3"]("MlpPolicy", "Pendulum-v1", **kw).learn(total_timesteps=4)
    assert [p.name for p in temp.iterdir()] == []


def test_make_agent_names_an_unknown_keyword_and_refuses_a_policy():
    """Probe 19: ``learnin_rate=`` / ``seeds=`` were SB3's raw ``TypeError: … unexpected keyword
    argument``, and ``policy="CnnPolicy"`` "got multiple values for argument 'policy'"."""
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    for algo, extra, match in (
        ("sac", {"learnin_rate": 1e-3}, r"^learnin_rate: not an argument of make_agent nor of "
         r"FusedSAC \(did you mean learning_rate\?\)"),
        ("td3", {"seeds": 1}, r"^seeds: not an argument .* TD3 \(did you mean seed\?\)"),
        ("tqc", {"zzz": 1}, r"^zzz: not an argument of make_agent nor of TQC; see help"),
        ("crossq", {"policy": "CnnPolicy"}, r"^policy: 'CnnPolicy' cannot be given: make_agent"),
    ):  # fmt: skip
        with pytest.raises(ValueError, match=match):
            make_agent(algo, env, dataset, mdp.normalizer, **{**kw, **extra})
    agent = make_agent("sac", env, dataset, mdp.normalizer, target_entropy=-2.0, verbose=0, **kw)
    assert agent.target_entropy == -2.0  # the algorithm's own keywords still pass


def test_two_rambo_callbacks_in_one_learn_are_refused():
    """Probe 19: two RamboCallbacks (in a list, or nested) each ran the adversary after every
    agent update, so the model took two Eq. 9 phases per iteration, silently."""
    from stable_baselines3.common.callbacks import CallbackList, EveryNTimesteps

    agent, callback, _ = _setup(adversary_cls=SpyAdversary)
    second = RamboCallback(callback.adversary, q_eval_size=64)
    for callbacks, said in (
        (lambda: [callback, second], "callback: 2 RamboCallbacks in one learn"),
        (lambda: CallbackList([callback, CallbackList([second])]), "2 RamboCallbacks in one"),
        # probe 24: a RamboCallback inside an event callback is refused on its own
        (lambda: [callback, EveryNTimesteps(10, second)], "the child of SB3's EveryNTimesteps"),
    ):
        with pytest.raises(ValueError, match=said):
            agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=callbacks())
    assert callback.adversary.calls == []
    agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=[callback])  # one: fine
    assert len(callback.adversary.calls) == 1


@pytest.mark.parametrize("algo", ["sac", "td3"])
def test_predict_and_learn_name_a_bad_observation_or_step_count(algo):
    """Probe 19: ``predict`` of a NaN observation was torch's raw "Expected parameter loc" (SAC)
    or a NaN action (TD3); ``learn(-1)`` / ``learn(2.5)`` returned or ran without a word."""
    agent, _, _ = _setup(algo=algo)
    obs = np.zeros((2, 3), dtype=np.float32)
    assert agent.predict(obs, deterministic=True)[0].shape == (2, 2)
    obs[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"observation\[1, 2\]: not finite \(nan\)"):
        agent.predict(obs, deterministic=True)
    for steps in (-1, 2.5, "10", True):
        with pytest.raises(ValueError, match=r"total_timesteps: expected an int >= 0"):
            agent.learn(steps)
    agent.learn(0)  # SB3's no-op stays
    assert agent.num_timesteps == 0


def test_predict_names_an_observation_of_strings():
    """Probe 21: ``predict`` of a string array was torch's raw "can't convert np.ndarray of type
    numpy.str_"."""
    agent, _, _ = _setup(algo="sac")
    with pytest.raises(ValueError, match=r"observation: expected real numbers, got an array of"):
        agent.predict(np.array([["a", "b", "c"]]), deterministic=True)


def test_replay_buffer_save_is_atomic_and_a_bad_load_is_named(tmp_path, monkeypatch):
    """Probe 20: SB3's save_replay_buffer wrote the pickle in place (Ctrl-C during the save of a
    large model pool left a cut file over the previous one); load_replay_buffer said
    ``FileNotFoundError: … missing.pkl.pkl`` / pickle's raw "invalid load key", and took a plain
    SB3 ReplayBuffer, so the agent trained without the real data."""
    import stable_baselines3.common.save_util as save_util
    from stable_baselines3 import SAC

    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    agent = make_agent("sac", env, dataset, mdp.normalizer, **kw)
    agent.save_replay_buffer(tmp_path / "rb")  # SB3's suffix
    saved = (tmp_path / "rb.pkl").read_bytes()

    def cut_dump(obj, f, *args, **kwargs):
        f.write(b"partial")
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(save_util.pickle, "dump", cut_dump)
        with pytest.raises(KeyboardInterrupt):
            agent.save_replay_buffer(tmp_path / "rb.pkl")
    assert (tmp_path / "rb.pkl").read_bytes() == saved  # was: b"partial"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rb.pkl"]  # no temp file left
    (tmp_path / "garbage.pkl").write_bytes(b"xx")
    (tmp_path / "folder.pkl").mkdir()
    for path, match in (
        (tmp_path / "missing", r"missing: no such file \(nor .*missing.pkl\)"),
        (tmp_path / "garbage.pkl", r"garbage.pkl: not a replay buffer saved by save_replay_buffer"),
        (tmp_path / "folder.pkl", "folder.pkl: a folder, not a file"),
    ):
        with pytest.raises(ValueError, match=rf"path: .*{match}"):
            agent.load_replay_buffer(path)
    plain = SAC("MlpPolicy", env, buffer_size=64, device="cpu")
    plain.save_replay_buffer(tmp_path / "plain.pkl")
    with pytest.raises(ValueError, match=r"plain.pkl: a ReplayBuffer \(another agent's\), but"):
        agent.load_replay_buffer(tmp_path / "plain.pkl")
    assert type(agent.replay_buffer).__name__ == "MixedReplayBuffer"  # kept
    agent.load_replay_buffer(tmp_path / "rb.pkl")  # its own: taken
    assert type(agent.replay_buffer).__name__ == "MixedReplayBuffer"
    for flag in ("no", None):  # probe 22: was taken as truthy / falsy
        with pytest.raises(ValueError, match=r"^truncate_last_traj: expected True or False"):
            agent.load_replay_buffer(tmp_path / "rb.pkl", truncate_last_traj=flag)


def test_a_replay_buffer_of_other_rows_or_shapes_is_refused_at_load(tmp_path):
    """Probe 31: a buffer saved by an agent stepping 8 rows, loaded into one stepping 4, was
    taken, then SB3's raw ``cannot reshape array of size 8 into shape (8,2)`` at the first
    collect. Rows and observation / action shapes are now checked at load; the agent's own
    buffer is kept."""
    from stable_baselines3.common.save_util import save_to_pkl

    from agents.buffer import DatasetRef

    mdp, dataset = _toy()
    kw = SMALL_AGENT_KW
    cfg = AdversaryConfig(3e-4, K, 1, batch_size=8)

    def agent(rows: int, on: LearnedMDP = mdp):
        return make_agent("sac", RamboModelVecEnv(on, rows, rollout_length=K), dataset,
                          on.normalizer, **kw)  # fmt: skip

    fresh = copy.deepcopy(mdp)  # a fresh agent starts on an MLE model (probe 112)
    eight, four = agent(8), agent(4, fresh)
    eight.learn(8 * K, callback=RamboCallback(ModelAdversary(mdp, dataset, cfg)))
    eight.save_replay_buffer(tmp_path / "rb8.pkl")
    own = four.replay_buffer
    match = r"rb8.pkl: a buffer of 8 envs \(VecEnv rows\), but this agent steps 4: .*num_envs=8"
    with pytest.raises(ValueError, match=match):
        four.load_replay_buffer(tmp_path / "rb8.pkl")
    assert four.replay_buffer is own
    four.learn(4 * K, callback=RamboCallback(ModelAdversary(fresh, dataset, cfg)))  # was: raw error
    other = copy.copy(eight.replay_buffer)  # as if of an env with 5-dim observations, saved by
    other.obs_shape, other.dataset = (5,), DatasetRef.of(dataset)  # reference as agents save
    save_to_pkl(tmp_path / "obs5.pkl", other)
    match = r"obs5.pkl: a buffer of observations of shape \(5,\) and 2-dim actions, but"
    with pytest.raises(ValueError, match=match):
        eight.load_replay_buffer(tmp_path / "obs5.pkl")
    eight.load_replay_buffer(tmp_path / "rb8.pkl")  # its own rows: taken


def test_make_agent_takes_a_numpy_integer_seed():
    """Probe 20: ``make_agent(…, seed=np.int64(0))`` passed the seed check, then the first
    ``learn`` failed with SB3's raw "The only supported seed types are: None, …"."""
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=np.int64(0))
    kw = {
        "rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]},
        "gradient_steps": GRAD_STEPS,  # not 1000 per collect: what is checked does not train
    }  # fmt: skip
    agent = make_agent("sac", env, dataset, mdp.normalizer, seed=np.int64(0), **kw)
    assert type(agent.seed) is int
    agent.learn(K * N_ENVS)


def test_make_agent_takes_numpy_numbers_as_python_ones():
    """Probe 55: ``rollout_length=np.int64(2)`` was SB3's misleading "The frequency of
    `train_freq` must be an integer and not 2", ``actor_lr=np.float32(1e-4)`` its bare
    AssertionError "The learning rate schedule must be a float or a callable"."""
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    i, f = np.int64, np.float32
    agent = make_agent(
        "sac",
        env,
        dataset,
        mdp.normalizer,
        rollout_length=i(K),
        n_rollouts=i(N_ENVS),
        retain_iterations=i(3),
        seed=i(0),
        gradient_steps=i(2),
        actor_lr=f(1e-4),
        critic_lr=f(3e-4),
        real_ratio=f(0.5),
        ent_coef_max=f(1.0),
        log_std_min=f(-5.0),
        device="cpu",
        batch_size=i(32),
        learning_starts=i(0),
        gamma=f(0.99),
        tau=f(5e-3),
        policy_kwargs={"net_arch": [i(8)], "n_critics": i(2)},
    )
    assert agent.train_freq.frequency == K and type(agent.train_freq.frequency) is int
    assert type(agent.learning_rate) is float and type(agent.batch_size) is int
    agent.learn(K * N_ENVS)
    td3 = make_agent(
        "td3", env, dataset, mdp.normalizer, rollout_length=i(K), device="cpu",
        exploration_std=f(0.1), policy_delay=i(2), gradient_steps=i(1),
        policy_kwargs={"net_arch": {"pi": [i(8)], "qf": [i(8)]}},
    )  # fmt: skip
    td3.learn(K * N_ENVS)
    for bad in (True, np.bool_(True)):  # a bool is still not a count
        with pytest.raises(ValueError, match="gradient_steps: expected an int >= 1"):
            make_agent("sac", env, dataset, mdp.normalizer, rollout_length=K, gradient_steps=bad)


def test_factory_building_blocks_check_their_arguments():
    """Probe 21: BatchedGaussianNoise took n_envs 0 / -1 / "3" / 2.5, sigma inf and seed None,
    and gave raw TypeErrors for sigma "3" / None; LrScaledAdam took lr=True / inf and lr_scale
    "3" / 0 / -1 / NaN (raw TypeErrors for None); quiet_logger("x") was a raw TypeError."""
    from agents.factory import BatchedGaussianNoise, LrScaledAdam, quiet_logger

    for kwargs, match in (
        ({"sigma": "3"}, "sigma: expected a finite number >= 0"),
        ({"sigma": math.inf}, "sigma: expected a finite number >= 0"),
        ({"n_envs": 0}, "n_envs: expected an int >= 1, got 0"),
        ({"n_envs": "3"}, "n_envs: expected an int >= 1, got '3'"),
        ({"action_dim": 2.5}, "action_dim: expected an int >= 1, got 2.5"),
        ({"seed": None}, "seed: expected an int >= 0, got None"),
    ):
        with pytest.raises(ValueError, match=match):
            BatchedGaussianNoise(**{"sigma": 0.1, "n_envs": 2, "action_dim": 3, **kwargs})
    params = [torch.nn.Parameter(torch.zeros(2))]
    for kwargs, match in (
        (
            {"lr": True},
            r"lr: expected a finite value >= 0 \(0: no update, an inference-only load\), got True",
        ),
        ({"lr": None}, r"lr: expected a finite value >= 0 .*, got None"),
        ({"lr_scale": "3"}, "lr_scale: expected a finite value > 0, got '3'"),
        ({"lr_scale": 0}, "lr_scale: expected a finite value > 0, got 0"),
    ):
        with pytest.raises(ValueError, match=match):
            LrScaledAdam(params, **kwargs)
    with pytest.raises(ValueError, match="verbose: expected an int >= 0, got 'x'"):
        quiet_logger("x")


def test_the_callback_refuses_an_agent_that_would_run_no_iteration():
    """Probe 23: ``learning_starts=100`` collected uniform random actions and trained nothing (no
    adversary step), and ``gradient_steps=0`` never trained, so RAMBO silently did nothing."""
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8))
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    for extra, match in (
        ({"learning_starts": 100}, r"model: learning_starts=100, so its first collects take"),
        ({"gradient_steps": 0}, r"model: gradient_steps=0 trains the agent never"),
    ):
        built = {"gradient_steps": 1} if "gradient_steps" in extra else extra  # make_agent: >= 1
        agent = make_agent("sac", env, dataset, mdp.normalizer, **kw, **built)
        for name, value in extra.items():  # set after building (make_agent refuses a 0)
            setattr(agent, name, value)
        before = [p.detach().clone() for p in mdp.ensemble.parameters()]
        with pytest.raises(ValueError, match=match):
            agent.learn(K * N_ENVS, callback=RamboCallback(adversary))
        assert agent.num_timesteps == 0  # refused before the first collect
        assert all(
            torch.equal(a, b) for a, b in zip(before, mdp.ensemble.parameters(), strict=True)
        )


def test_one_callback_is_not_taken_by_a_second_agent():
    """Probe 23: a RamboCallback passed to a second agent's learn kept the first agent's update
    count, so the adversary ran and an iteration was counted before the second agent trained."""
    agent, callback, _ = _setup()
    agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=callback)
    assert callback.n_iterations == 1
    agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=callback)  # the same agent: fine
    assert callback.n_iterations == 2
    second, _, _ = _setup(seed=1)
    with pytest.raises(ValueError, match=r"callback: this RamboCallback already ran with another "):
        second.learn(total_timesteps=STEPS_PER_ITERATION, callback=callback)
    assert callback.n_iterations == 2 and second.num_timesteps == 0


def test_rows_that_roll_out_other_mdps_are_refused():
    """Probe 23: an SB3 DummyVecEnv of model envs that each built their own LearnedMDP (as
    ``make_vec_env(…, env_kwargs={"dataset": …})`` does) was taken: the adversary trained row 0's
    model, the other rows rolled out their MLE models for the whole run."""
    from stable_baselines3.common.vec_env import DummyVecEnv

    from rambo_env.envs.model_env import RamboModelEnv

    mdp, dataset = _toy()
    other = copy.deepcopy(mdp)
    kw = {
        "rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]},
        "gradient_steps": GRAD_STEPS,  # not 1000 per collect: what is checked does not train
    }  # fmt: skip
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8))
    mixed = DummyVecEnv([lambda m=m: RamboModelEnv(mdp=m, rollout_length=K) for m in (mdp, other)])
    agent = make_agent("sac", mixed, dataset, mdp.normalizer, **kw)
    with pytest.raises(ValueError, match=r"vec_env: row\(s\) \[1\] of 2 roll out another Learned"):
        agent.learn(K * 2, callback=RamboCallback(adversary))
    longer = DummyVecEnv([lambda: RamboModelEnv(mdp=mdp, rollout_length=K + 3)] * 2)
    with pytest.raises(ValueError, match=rf"rollout_length: {K}, but the vec_env truncates its "
                       rf"rows after {K + 3} steps"):  # fmt: skip
        make_agent("sac", longer, dataset, mdp.normalizer, **kw)  # probe 23: was taken
    from stable_baselines3.common.vec_env import SubprocVecEnv

    # probe 23: was "build both on one LearnedMDP", which the user had done: the workers hold
    # pickled copies
    forked = SubprocVecEnv([lambda: RamboModelEnv(mdp=mdp, rollout_length=K)], "fork")
    try:
        agent = make_agent("sac", forked, dataset, mdp.normalizer, **kw)
        with pytest.raises(ValueError, match=r"vec_env: a SubprocVecEnv: each worker process"):
            agent.learn(K, callback=RamboCallback(adversary))
    finally:
        forked.close()
    shared = DummyVecEnv([lambda: RamboModelEnv(mdp=mdp, rollout_length=K)] * 2)  # one mdp: fine
    agent = make_agent("sac", shared, dataset, mdp.normalizer, **kw)
    agent.learn(K * 2, callback=RamboCallback(adversary))


def test_gymnasium_wrappers_that_rescale_model_rows_are_refused():
    """Probe 24: ``DummyVecEnv([NormalizeObservation(model env)] * n)`` (or NormalizeReward)
    trained without a word, though it mixes two scales in one batch exactly as the refused
    ``VecNormalize`` does; both ``make_agent`` and a hand-built agent's RamboCallback refuse it.
    (through ``set_env``). Wrappers that leave observations and rewards alone stay allowed."""
    from gymnasium import wrappers
    from stable_baselines3.common.vec_env import DummyVecEnv

    from rambo_env.envs.model_env import RamboModelEnv

    mdp, dataset = _toy()
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=1, batch_size=8))
    for wrapper in (wrappers.NormalizeObservation, wrappers.NormalizeReward):
        rows = DummyVecEnv([lambda w=wrapper: w(RamboModelEnv(mdp=mdp, rollout_length=K))] * 2)
        with pytest.raises(ValueError, match=rf"vec_env: row 0 is wrapped in Gymnasium's "
                           rf"{wrapper.__name__}, which changes"):  # fmt: skip
            make_agent("sac", rows, dataset, mdp.normalizer, **kw)
        agent = make_agent("sac", RamboModelVecEnv(mdp, 2, K), dataset, mdp.normalizer, **kw)
        with pytest.raises(ValueError, match=rf"Gymnasium's {wrapper.__name__}"):
            agent.set_env(rows)  # SB3's way to swap the env: make_agent's check (probe 25)
        agent.env = rows  # a hand-swapped env: the callback still refuses it
        with pytest.raises(ValueError, match=rf"Gymnasium's {wrapper.__name__}"):
            agent.learn(K * 2, callback=RamboCallback(adversary))
    kept = DummyVecEnv(
        [
            lambda: wrappers.RecordEpisodeStatistics(
                wrappers.FlattenObservation(RamboModelEnv(mdp=mdp, rollout_length=K))
            )
        ]
        * 2
    )
    make_agent("sac", kept, dataset, mdp.normalizer, **kw)


def test_a_rambo_callback_inside_an_sb3_event_callback_is_refused():
    """Probe 24: ``learn(callback=EveryNTimesteps(16, RamboCallback(adv)))`` or
    ``EvalCallback(…, callback_after_eval=RamboCallback(adv))`` trained the agent with 0
    adversary steps, silently: SB3's event callbacks call their child only on their own events.
    Beside them, in a list, it runs as usual."""
    from stable_baselines3.common.callbacks import EvalCallback, EveryNTimesteps

    from rambo_env.envs.model_env import RamboModelEnv

    for wrap in (
        lambda cb, mdp: EveryNTimesteps(16, cb),
        lambda cb, mdp: EvalCallback(
            RamboModelEnv(mdp=mdp, rollout_length=K), callback_after_eval=cb
        ),
        lambda cb, mdp: EvalCallback(
            RamboModelEnv(mdp=mdp, rollout_length=K), callback_on_new_best=cb
        ),
    ):
        agent, callback, mdp = _setup(adversary_cls=SpyAdversary)
        parent = wrap(callback, mdp)
        with pytest.raises(
            ValueError, match=rf"child of SB3's {type(parent).__name__}, which calls"
        ):
            agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=parent)
        assert callback.adversary.calls == [] and agent.num_timesteps == 0
    agent, callback, _ = _setup(adversary_cls=SpyAdversary)
    from stable_baselines3.common.callbacks import StopTrainingOnMaxEpisodes

    never = StopTrainingOnMaxEpisodes(10**6)
    agent.learn(STEPS_PER_ITERATION, callback=[callback, EveryNTimesteps(16, never)])
    assert len(callback.adversary.calls) == 1


def test_an_eval_callback_on_raw_real_observations_is_said():
    """Probe 24: SB3's ``EvalCallback(gym.make(env_id))`` beside RamboCallback was taken
    silently, though it evaluates on raw observations an agent trained on ``mdp.normalizer``'s
    z-scores never saw. It is now said, with the wrapper that fixes it
    (:class:`rambo_env.evaluation.NormalizedObservation`), which gives exactly the normalised
    observations and is not warned about."""
    import warnings

    import gymnasium as gym
    from stable_baselines3.common.callbacks import EvalCallback

    from rambo_env.evaluation import NormalizedObservation

    agent, callback, mdp = _setup()
    raw = EvalCallback(gym.make("Pendulum-v1"), eval_freq=10**6)  # obs_dim 3, as the toy's
    with pytest.warns(UserWarning, match=r"an EvalCallback evaluates in Pendulum-v1 on raw obs"):
        agent.learn(STEPS_PER_ITERATION, callback=[callback, raw])
    wrapped = NormalizedObservation(gym.make("Pendulum-v1"), mdp.normalizer)
    obs, _ = wrapped.reset(seed=0)
    raw_obs, _ = gym.make("Pendulum-v1").reset(seed=0)
    np.testing.assert_allclose(obs, mdp.normalizer.normalize(raw_obs), rtol=1e-6)
    assert obs.dtype == np.float32 and wrapped.observation_space.contains(obs)
    agent, callback, mdp = _setup()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*EvalCallback evaluates")
        agent.learn(
            STEPS_PER_ITERATION, callback=[callback, EvalCallback(wrapped, eval_freq=10**6)]
        )
    with pytest.raises(ValueError, match=r"normalizer: its obs_dim 3 does not match the env's"):
        NormalizedObservation(gym.make("Hopper-v5"), mdp.normalizer)
    agent, callback, mdp = _setup()  # probe 36: another env was SB3's "Unexpected observation
    other = EvalCallback(gym.make("Hopper-v5"), eval_freq=10**6)  # shape (1, 11)", naming none
    with pytest.raises(ValueError, match=r"an EvalCallback evaluates in Hopper-v5 \(observations "
                       r"of shape \(11,\)\), but the agent acts on its data's \(shape \(3,\)\)"):  # fmt: skip
        agent.learn(STEPS_PER_ITERATION, callback=[callback, other])


@pytest.mark.parametrize("block", ["no_grad", "inference_mode"])
def test_training_under_a_callers_no_grad(block):
    """Probe 23: ``learn`` (and ``train_mle``, the adversary, BC) inside ``torch.no_grad()`` or
    ``torch.inference_mode()`` was torch's raw "element 0 of tensors does not require grad"."""
    agent, callback, _ = _setup()
    before = [p.detach().clone() for p in agent.policy.parameters()]
    with getattr(torch, block)():
        if block == "inference_mode":
            with pytest.raises(RuntimeError, match=r"learn: called under torch.inference_mode"):
                agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=callback)
            return
        agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=callback)
    assert callback.n_iterations == 1
    assert any(
        not torch.equal(a, b) for a, b in zip(before, agent.policy.parameters(), strict=True)
    )


def test_a_saved_agent_holds_a_reference_to_its_dataset_not_the_arrays(tmp_path):
    """Probe 23: ``agent.save`` pickled the whole dataset into every ``agent.zip`` (5.7 MB for
    40 000 rows; ~140 MB for 1M) and ``save_replay_buffer`` into every pickle. Now a reference:
    the loaded agent acts without it, and trains again once given the same dataset back."""
    import zipfile

    from agents.fused import FusedSAC

    mdp, dataset = _toy(n=20_000)
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    agent = make_agent("sac", env, dataset, mdp.normalizer, gradient_steps=1, batch_size=16, **kw)
    cfg = AdversaryConfig(3e-4, K, n_updates=1, batch_size=8)
    agent.learn(K * N_ENVS, callback=RamboCallback(ModelAdversary(mdp, dataset, cfg)))
    arrays_bytes = dataset.observations.nbytes + dataset.next_observations.nbytes
    agent.save(tmp_path / "agent.zip")
    agent.save_replay_buffer(tmp_path / "rb.pkl")
    with zipfile.ZipFile(tmp_path / "agent.zip") as z:
        assert z.getinfo("data").file_size < arrays_bytes / 10
    assert (tmp_path / "rb.pkl").stat().st_size < arrays_bytes / 2  # the pool, not the dataset
    assert agent.replay_buffer.dataset is dataset  # the saving agent keeps its dataset

    obs = env.reset()
    loaded = FusedSAC.load(tmp_path / "agent.zip", env=env, device="cpu")
    assert np.array_equal(loaded.predict(obs, deterministic=True)[0],
                          agent.predict(obs, deterministic=True)[0])  # fmt: skip
    with pytest.raises(ValueError, match=r"replay buffer: loaded without its dataset 'custom' "
                       r"\(20000 transitions"):  # fmt: skip
        loaded.learn(K * N_ENVS, callback=RamboCallback(ModelAdversary(mdp, dataset, cfg)))
    _, other = _toy(seed=1, n=20_000)
    with pytest.raises(ValueError, match=r"dataset: 'custom' \(20000 transitions, fingerprint .*"
                       r"but this agent was saved with"):  # fmt: skip
        FusedSAC.load(tmp_path / "agent.zip", env=env, device="cpu", dataset=other)
    loaded = FusedSAC.load(tmp_path / "agent.zip", env=env, device="cpu", dataset=dataset)
    loaded.load_replay_buffer(tmp_path / "rb.pkl")  # its dataset re-attached from the agent's
    assert loaded.replay_buffer.size() == agent.replay_buffer.size()
    callback = RamboCallback(ModelAdversary(mdp, dataset, cfg))
    loaded.learn(K * N_ENVS, callback=callback)
    assert callback.n_iterations == 1


def test_policy_kwargs_of_the_wrong_kind_and_optimize_memory_usage_are_named():
    """Probe 30: ``policy_kwargs={"activation_fn": "relu"}`` was SB3's raw ``'str' object is not
    callable``, ``{"n_critics": 0}`` torch's ``optimizer got an empty parameter list``, and
    ``optimize_memory_usage=True`` SB3's message about ``handle_timeout_termination``, a setting
    the caller never gave; each is now named before the agent is built."""
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu"}
    for extra, match in (
        (
            {"policy_kwargs": {"activation_fn": "relu"}},
            r"policy_kwargs\['activation_fn'\]: expected a torch.nn.Module class \(e.g. "
            r"torch.nn.ReLU\), got str 'relu'",
        ),
        (
            {"policy_kwargs": {"activation_fn": torch.nn.functional.relu}},
            r"policy_kwargs\['activation_fn'\]: expected a torch.nn.Module class",
        ),
        (
            {"policy_kwargs": {"optimizer_class": dict}},
            r"policy_kwargs\['optimizer_class'\]: expected a torch.optim.Optimizer class .* got dict",
        ),
        (
            {"policy_kwargs": {"optimizer_kwargs": [("eps", 1e-5)]}},
            r"policy_kwargs\['optimizer_kwargs'\]: expected a dict of keyword arguments or None",
        ),
        (
            {"policy_kwargs": {"n_critics": 0}},
            r"policy_kwargs\['n_critics'\]: expected an int >= 1, got 0",
        ),
        (
            {"policy_kwargs": {"n_critics": 2.5}},
            r"policy_kwargs\['n_critics'\]: expected an int >= 1",
        ),
        (
            {"optimize_memory_usage": True},
            r"optimize_memory_usage: True cannot be given: .*leave it out",
        ),
    ):
        for algo in ("sac", "td3"):
            with pytest.raises(ValueError, match=match):
                make_agent(algo, env, dataset, mdp.normalizer, **kw, **extra)
    agent = make_agent(  # the right kinds still build
        "sac", env, dataset, mdp.normalizer, **kw, optimize_memory_usage=False,
        policy_kwargs={"net_arch": [8], "activation_fn": torch.nn.Tanh, "n_critics": 1},
    )  # fmt: skip
    assert len(agent.critic.q_networks) == 1


def test_an_optimizer_class_other_than_lr_scaled_adam_is_refused_up_front():
    """Probe 64: ``policy_kwargs={"optimizer_class": torch.optim.AdamW}`` was "critic.optimizer:
    needs LrScaledAdam (policy_kwargs optimizer_class) to differ from the actor lr", raised after
    the build even with ``critic_lr == actor_lr``, naming an internal attribute and no fix."""
    from agents.factory import LrScaledAdam

    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu"}
    match = (
        r"policy_kwargs\['optimizer_class'\]: AdamW cannot be given: make_agent's agents use "
        r"their own Adam \(LrScaledAdam: .*leave it out \(weight decay goes in "
        r"policy_kwargs\['optimizer_kwargs'\]\['weight_decay'\]"
    )
    for lrs in ({}, {"actor_lr": 3e-4, "critic_lr": 3e-4}):
        for algo in ("sac", "td3"):
            with pytest.raises(ValueError, match=match):
                make_agent(
                    algo, env, dataset, mdp.normalizer, **kw, **lrs,
                    policy_kwargs={"net_arch": [8], "optimizer_class": torch.optim.AdamW},
                )  # fmt: skip
    agent = make_agent(  # its own class (and weight decay through optimizer_kwargs) still build
        "sac", env, dataset, mdp.normalizer, **kw,
        policy_kwargs={
            "net_arch": [8], "optimizer_class": LrScaledAdam,
            "optimizer_kwargs": {"weight_decay": 1e-4},
        },
    )  # fmt: skip
    assert agent.critic.optimizer.param_groups[0]["weight_decay"] == 1e-4


def test_an_adversary_discounting_otherwise_than_the_agent_is_refused():
    """Probe 30: ``make_agent(…, gamma=0.9)`` with ``AdversaryConfig``'s default γ 0.99 trained
    without a word: the adversary's advantage (Eq. 5) discounted otherwise than the critic."""
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    agent = make_agent("sac", env, dataset, mdp.normalizer, gradient_steps=1, gamma=0.9, **kw)
    cfg = AdversaryConfig(3e-4, K, n_updates=1, batch_size=8)
    with pytest.raises(
        ValueError,
        match=r"gamma: the agent's critic discounts with γ = 0.9, but AdversaryConfig.gamma is "
        r"0.99, .* AdversaryConfig\(…, gamma=0.9\) or make_agent\(…, gamma=0.99\)",
    ):
        agent.learn(K * N_ENVS, callback=RamboCallback(ModelAdversary(mdp, dataset, cfg)))
    assert agent.num_timesteps == 0  # refused before the first collect
    cfg = AdversaryConfig(3e-4, K, n_updates=1, batch_size=8, gamma=0.9)
    callback = RamboCallback(ModelAdversary(mdp, dataset, cfg))
    agent.learn(K * N_ENVS, callback=callback)
    assert callback.n_iterations == 1


def test_an_undiscounted_agent_trains_with_no_default_q_limit(capsys):
    """Session 56: ``AdversaryConfig(…, gamma=1.0)`` (allowed, matching ``make_agent(…,
    gamma=1.0)``) made ``RamboCallback`` raise ZeroDivisionError: its default q_limit divides by
    1 − γ. Now no default limit (inf), said in a note; an explicit q_limit is kept."""
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    agent = make_agent("sac", env, dataset, mdp.normalizer, gradient_steps=1, gamma=1.0, **kw)
    cfg = AdversaryConfig(3e-4, K, n_updates=1, batch_size=8, gamma=1.0)
    callback = RamboCallback(ModelAdversary(mdp, dataset, cfg))
    assert callback.q_limit == math.inf
    assert "γ = 1, so there is no default q_limit" in capsys.readouterr().out
    agent.learn(K * N_ENVS, callback=callback)
    assert callback.n_iterations == 1
    assert RamboCallback(ModelAdversary(mdp, dataset, cfg), q_limit=500.0).q_limit == 500.0
    assert "no default q_limit" not in capsys.readouterr().out  # said only where it applies


@pytest.mark.parametrize("algo", ["sac", "td3"])
def test_an_env_of_other_rows_given_to_a_saved_or_built_agent_is_refused(algo, tmp_path):
    """Probe 30: ``load(…, env=)`` of an env with 48 rows for an agent built with 32 was taken:
    SB3 split the saved pool size over the new rows (6 each, 3 of the 5 retained iterations),
    silently; ``set_env`` of another count was SB3's raw AssertionError pointing at ``load``."""
    from agents.factory import AGENT_CLASSES

    mdp, dataset = _toy()
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    agent = make_agent(
        algo, RamboModelVecEnv(mdp, N_ENVS, K, seed=0), dataset, mdp.normalizer, **kw
    )
    agent.save(tmp_path / "agent.zip")
    wide = RamboModelVecEnv(mdp, 2 * N_ENVS, K, seed=0)
    match = (
        rf"env: {2 * N_ENVS} rows \(num_envs\), but this agent was built for {N_ENVS}: its model "
        rf"pool holds {5 * K * N_ENVS} transitions = 5 iteration\(s\) of {N_ENVS} rows × k = {K}, "
        rf"which {2 * N_ENVS} rows would fill in 2 .* build the env with num_envs={N_ENVS}, or a "
        rf"new agent with make_agent for {2 * N_ENVS} rows"
    )
    with pytest.raises(ValueError, match=match):
        AGENT_CLASSES[algo].load(tmp_path / "agent.zip", env=wide, device="cpu", dataset=dataset)
    with pytest.raises(ValueError, match=match):
        agent.set_env(wide)
    loaded = AGENT_CLASSES[algo].load(
        tmp_path / "agent.zip", env=RamboModelVecEnv(mdp, N_ENVS, K, seed=1), device="cpu"
    )
    assert loaded.replay_buffer.buffer_size * N_ENVS == 5 * K * N_ENVS
    AGENT_CLASSES[algo].load(tmp_path / "agent.zip", device="cpu")  # no env: for predict


def test_saving_to_an_existing_folder_is_refused_not_written_beside_it(tmp_path):
    """Probe 30: ``agent.save("/tmp/x/lib")`` where ``lib`` is a folder wrote ``/tmp/x/lib.zip``
    beside the folder (SB3 adds its ending to a path without one), without a word; a caller who
    names a folder expects the file inside it."""
    mdp, dataset = _toy()
    kw = {"rollout_length": K, "device": "cpu", "policy_kwargs": {"net_arch": [8]}}
    agent = make_agent("sac", RamboModelVecEnv(mdp, N_ENVS, K), dataset, mdp.normalizer, **kw)
    folder = tmp_path / "lib"
    folder.mkdir()
    for path in (folder, str(folder), f"{folder}/"):
        with pytest.raises(
            ValueError,
            match=rf"path: {folder}/? is a folder; pass a file path such as {folder}/agent.zip",
        ):
            agent.save(path)
        with pytest.raises(
            ValueError, match=rf"is a folder; pass a file path such as {folder}/buffer.pkl"
        ):
            agent.save_replay_buffer(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib"]  # nothing written beside it
    agent.save(folder / "agent")  # a file path without an ending: SB3's agent.zip inside
    assert (folder / "agent.zip").is_file()


@pytest.mark.parametrize("algo", ["sac", pytest.param("crossq", marks=pytest.mark.slow)])
def test_compiled_adversary_step_with_the_agents_networks_equals_eager(algo):
    """Issue 12: the adversary's rollout step compiles as one graph with the agent's actor and
    critic (the advantage) inside; with a real agent's policy (CrossQ: its critic switched to
    eval mode inside the graph) it gives the eager run's model and statistics to float32
    rounding, and the agent's modes are restored."""
    from agents.critics import policy_fns

    agent, callback, mdp = _setup(algo, weight=0.5)
    agent.learn(total_timesteps=STEPS_PER_ITERATION, callback=callback)  # a trained critic
    policy = policy_fns(agent)
    cfg = AdversaryConfig(0.5, K, n_updates=5, batch_size=32)
    runs = {}
    for compile in (False, True):
        model = copy.deepcopy(mdp)
        adversary = ModelAdversary(model, callback.adversary.dataset, cfg, seed=4, compile=compile)
        modes = (agent.actor.training, agent.critic.training)
        torch.manual_seed(7)  # the policy's actions draw from torch's global generator
        stats = [adversary.update(policy), adversary.update(policy)]  # the second: no recompile
        assert (agent.actor.training, agent.critic.training) == modes
        if compile:
            assert adversary._rollout_fn(policy).whole.active  # compiled, not fallen back
        runs[compile] = stats, model.ensemble.state_dict()
    (stats_e, weights_e), (stats_c, weights_c) = runs[False], runs[True]
    for eager_stats, compiled_stats in zip(stats_e, stats_c, strict=True):
        for key, value in eager_stats.items():
            assert compiled_stats[key] == pytest.approx(value, rel=1e-4, abs=1e-6), key
    for key, value in weights_e.items():
        torch.testing.assert_close(weights_c[key], value, rtol=1e-5, atol=1e-6)
