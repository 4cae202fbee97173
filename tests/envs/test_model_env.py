"""RamboModelEnv: env checkers, seeding, truncation, reset options, pickling, gym.make, SB3 learn."""

from __future__ import annotations

import copy
import inspect
import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3 import SAC
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from rambo_env.envs.model_env import RamboModelEnv
from rambo_env.envs.vector_env import RamboModelVectorEnv
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE


def _rollout(env: gym.Env, seed: int, n_steps: int) -> list[tuple]:
    obs, _ = env.reset(seed=seed)
    out = [(obs,)]
    for t in range(n_steps):
        action = np.full(3, np.sin(t), dtype=np.float32)
        obs, reward, terminated, truncated, _ = env.step(action)
        out.append((obs, reward, terminated, truncated))
    return out


def _make(vector: bool, env_id: str, **kwargs):
    """``gym.make_vec(env_id, num_envs=2, **kwargs)`` when ``vector``, else ``gym.make``."""
    if vector:
        return gym.make_vec(env_id, num_envs=2, **kwargs)
    return gym.make(env_id, **kwargs)


def test_gymnasium_check_env(tiny_mdp):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gym_check_env(RamboModelEnv(mdp=tiny_mdp), skip_render_check=True)
    # The only complaint allowed: an unbounded observation space (as in MuJoCo's own envs).
    other = [str(w.message) for w in caught if "infinity" not in str(w.message)]
    assert other == []


def test_sb3_check_env(tiny_mdp):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sb3_check_env(RamboModelEnv(mdp=tiny_mdp), warn=True)
    assert [str(w.message) for w in caught] == []


def test_spaces(tiny_mdp):
    env = RamboModelEnv(mdp=tiny_mdp)
    assert env.observation_space == gym.spaces.Box(-np.inf, np.inf, (11,), np.float32)
    assert env.action_space == gym.spaces.Box(-1.0, 1.0, (3,), np.float32)  # Hopper-v5's
    obs, info = env.reset(seed=0)
    assert obs.dtype == np.float32 and info == {}
    assert env.unwrapped.mdp is tiny_mdp


def test_same_seed_same_rollout(tiny_mdp):
    a = _rollout(RamboModelEnv(mdp=tiny_mdp, rollout_length=10), seed=7, n_steps=10)
    b = _rollout(RamboModelEnv(mdp=tiny_mdp, rollout_length=10), seed=7, n_steps=10)
    c = _rollout(RamboModelEnv(mdp=tiny_mdp, rollout_length=10), seed=8, n_steps=10)
    for step_a, step_b in zip(a, b, strict=True):
        for x, y in zip(step_a, step_b, strict=True):
            np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[1][0], c[1][0])


def test_step_is_mdp_step_with_draws_from_np_random(tiny_mdp):
    env = RamboModelEnv(mdp=tiny_mdp)
    obs, _ = env.reset(seed=11)
    rng = copy.deepcopy(env.np_random)
    action = np.array([0.5, -0.2, 0.9], dtype=np.float32)
    next_obs, reward, terminated, _, info = env.step(action)
    member_idx, noise = tiny_mdp.draw(1, rng)
    with torch.no_grad():
        want = tiny_mdp.step_with(
            torch.from_numpy(obs)[None], torch.from_numpy(action)[None], member_idx, noise
        )
    np.testing.assert_array_equal(next_obs, want[0][0].numpy())
    assert reward == float(want[1][0]) and terminated == bool(want[2][0])
    assert info["member_idx"] == int(member_idx[0])
    assert info["member_idx"] in tiny_mdp.ensemble.elite_idx.tolist()


def test_truncated_after_rollout_length(tiny_mdp):
    env = RamboModelEnv(mdp=tiny_mdp, rollout_length=3)
    for seed in range(3):
        steps = _rollout(env, seed=seed, n_steps=3)
        assert [s[3] for s in steps[1:]] == [False, False, True]


def test_reset_state_option(tiny_mdp):
    env = RamboModelEnv(mdp=tiny_mdp)
    state = np.linspace(-1, 1, 11, dtype=np.float32)
    obs, _ = env.reset(seed=0, options={"state": state})
    np.testing.assert_array_equal(obs, state)
    obs, _ = env.reset(seed=0)
    assert (tiny_mdp.start_obs == torch.from_numpy(obs)).all(1).any()  # a dataset state
    with pytest.raises(ValueError, match=r'options\["state"\]: .* shape \(11,\), got \(3,\)'):
        env.reset(options={"state": np.zeros(3)})
    state[4] = np.nan
    with pytest.raises(ValueError, match=r'options\["state"\]\[4\]: not finite'):
        env.reset(options={"state": state})
    state[4] = 1e30  # probe 28: taken without a word; far states warn, near ones do not
    with pytest.warns(UserWarning, match=r'options\["state"\]\[4\] = 1e\+30: 1 entr.* 20 dataset'):
        env.reset(options={"state": state})
    state[4] = 50.0  # probe 36: 50 std from the data was taken without a word
    with pytest.warns(UserWarning, match=r'options\["state"\]\[4\] = 50: 1 entr'):
        env.reset(options={"state": state})
    state[4] = 10.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        env.reset(options={"state": state})


def test_a_raw_reset_state_warns(tiny_mdp):
    """Probe 36: a RAW dataset observation as ``options["state"]`` (reset, SB3's set_options) was
    stepped as z-scores without a word (predict warns of raw observations); normalised dataset
    states never warn."""
    from agents.vec_env import RamboModelVecEnv
    from tests.envs.tiny_mdp import make_tiny_dataset

    raw = make_tiny_dataset().observations
    env = RamboModelEnv(mdp=tiny_mdp)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for row in tiny_mdp.normalizer.normalize(raw[::50]):
            env.reset(options={"state": row})
    with pytest.warns(
        UserWarning, match=r'options\["state"\]: the state\(s\) look raw .*normalize'
    ):
        env.reset(options={"state": raw[5]})
    venv = RamboModelVecEnv(tiny_mdp, 2, rollout_length=3)
    venv.set_options({"state": raw[5]})
    with pytest.warns(UserWarning, match=r'options\["state"\]: the state\(s\) look raw'):
        venv.reset()


def test_actions_are_validated_and_clipped(tiny_mdp):
    env = RamboModelEnv(mdp=tiny_mdp)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action: expected shape \(3,\), got \(2,\)"):
        env.step(np.zeros(2, dtype=np.float32))
    env.reset(seed=5)
    clipped = env.step(np.array([1.0, -1.0, 1.0], dtype=np.float32))
    env.reset(seed=5)
    # probe 34: clipped without a word (the real env charges control cost on the unclipped one)
    with pytest.warns(UserWarning, match=r"^action\[0\] = 3 is outside the action space \[-1, 1\]; the model env clips it \(3 entries of this step; warned once per env\), but the real env \(Hopper-v5\) charges its control cost"):  # fmt: skip
        outside = env.step(np.array([3.0, -7.0, 1.5], dtype=np.float32))
    np.testing.assert_array_equal(clipped[0], outside[0])
    env.reset(seed=5)
    with warnings.catch_warnings():  # once per env; a float32 rounding margin is not outside
        warnings.simplefilter("error")
        env.step(np.array([100.0, -7.0, 1.5], dtype=np.float32))
        fresh = RamboModelEnv(mdp=tiny_mdp)
        fresh.reset(seed=0)
        fresh.step(np.array([1.0000001, -1.0000001, 0.0], dtype=np.float32))


def test_the_clipping_warning_names_a_control_cost_only_where_the_real_env_charges_one(tiny_mdp):
    """Probe 42 row 79: a Pendulum-v1 model env warned that "the real env charges its control cost
    on the unclipped action"; Pendulum-v1 clips its torque before its cost (the MuJoCo envs do
    not)."""
    pendulum = copy.copy(tiny_mdp)
    pendulum.env_id = "Pendulum-v1"
    env = RamboModelEnv(mdp=pendulum)
    env.reset(seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        env.step(np.array([3.0, 0.0, 0.0], dtype=np.float32))
    assert [str(w.message) for w in caught] == [
        "action[0] = 3 is outside the action space [-1, 1]; the model env clips it (1 "
        "entry of this step; warned once per env); scale actions into the action space "
        "(a missing tanh?)"
    ]
    for env_id, charged in (("Hopper-v4", True), ("Walker2d-v5", True), ("Pendulum-v1", False),
                            ("MountainCarContinuous-v0", True), (None, False)):  # fmt: skip
        from rambo_env.evaluation import charges_unclipped_action

        assert charges_unclipped_action(env_id) is charged, env_id


def test_the_model_envs_warnings_name_the_users_line_not_gymnasiums(tiny_mdp):
    """Issue 14: warnings from inside the model envs were attributed to gymnasium's wrappers
    (``gymnasium/core.py:…``) or SB3's VecEnv; they now name the line of the user's call."""
    from agents.vec_env import RamboModelVecEnv

    env = gym.make("RamboModel-hopper-medium", mdp=tiny_mdp)  # OrderEnforcing, PassiveEnvChecker …
    env.reset(seed=0)
    with pytest.warns(UserWarning, match=r"outside the action space") as caught:
        line = inspect.currentframe().f_lineno + 1
        env.step(np.array([3.0, 0.0, 0.0], dtype=np.float32))
    assert (caught[0].filename, caught[0].lineno) == (__file__, line)
    venv = RamboModelVecEnv(tiny_mdp, 2, rollout_length=3)
    venv.reset()
    with pytest.warns(UserWarning, match=r"outside the action space") as caught:
        line = inspect.currentframe().f_lineno + 1
        venv.step(np.full((2, 3), 5.0, dtype=np.float32))  # SB3's VecEnv.step -> step_wait
    assert (caught[0].filename, caught[0].lineno) == (__file__, line)


def test_step_before_reset_and_bad_kwargs(tiny_mdp):
    with pytest.raises(gym.error.ResetNeeded):
        RamboModelEnv(mdp=tiny_mdp).step(np.zeros(3, dtype=np.float32))
    with pytest.raises(ValueError, match="rollout_length: expected a positive int, got 0"):
        RamboModelEnv(mdp=tiny_mdp, rollout_length=0)
    with pytest.raises(ValueError, match="dataset: one of"):
        RamboModelEnv()


def test_step_after_the_episode_ended_needs_a_reset(tiny_mdp):
    """Probe 11: stepping on after ``truncated`` (or ``terminated``) went on from the k-th (or
    terminal) state, returning ``truncated=True`` again, without a word."""
    env = RamboModelEnv(mdp=tiny_mdp, rollout_length=2)
    env.reset(seed=0)
    action = np.zeros(3, dtype=np.float32)
    assert env.step(action)[3] is False and env.step(action)[3] is True
    with pytest.raises(gym.error.ResetNeeded, match=r"episode was truncated .* at step 2"):
        env.step(action)
    env.reset(seed=1)
    assert env.step(action)[3] is False  # a reset starts a new episode
    restored = pickle.loads(pickle.dumps(env))
    assert restored.step(action)[3] is True


def test_bad_actions_options_configs_and_seeds_name_the_problem(tiny_mdp):
    from rambo_env.dynamics.ensemble import EnsembleConfig, resolve_device
    from rambo_env.dynamics.training import MLEConfig

    env = RamboModelEnv(mdp=tiny_mdp)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action\[1\]: not finite \(nan\)"):
        env.step(np.array([0.0, np.nan, 0.0], dtype=np.float32))  # was clipped into the model
    with pytest.raises(ValueError, match="action: expected real numbers of shape \\(3,\\)"):
        env.step("abc")  # was numpy's "could not convert string to float"
    with pytest.raises(ValueError, match="action: expected real numbers of shape \\(3,\\)"):
        env.step(np.array([1j, 0, 0]))  # was the imaginary part dropped, with a warning only
    with pytest.raises(ValueError, match=r'options\["state"\]: expected real numbers of shape'):
        env.reset(options={"state": "abc"})  # was numpy's "could not convert string to float"
    with pytest.raises(ValueError, match=r"options: expected a dict or None, got list"):
        env.reset(options=[1])
    with pytest.raises(
        ValueError, match=r"options: unknown key\(s\) \['stat'\]; accepted: \['state'\]"
    ):
        env.reset(options={"stat": np.zeros(11)})  # a typo was silently ignored
    with pytest.raises(ValueError, match=r"ensemble_config: expected a .*EnsembleConfig or None"):
        RamboModelEnv(mdp=tiny_mdp, ensemble_config=[8])
    with pytest.raises(ValueError, match=r"mle_config: expected a .*MLEConfig or None, got list"):
        RamboModelEnv(mdp=tiny_mdp, mle_config=[])
    # a dict is the config a spec's JSON holds (probe 67): taken as one, then named with mdp
    with pytest.raises(
        ValueError, match=r"^ensemble_config: an EnsembleConfig was given with `mdp`"
    ):
        RamboModelEnv(mdp=tiny_mdp, ensemble_config={"hidden_dims": (8,)})
    with pytest.raises(ValueError, match=r"seed: expected an int >= 0, got -1"):
        RamboModelEnv(mdp=tiny_mdp, seed=-1)
    with pytest.raises(
        ValueError, match=r"ensemble_config: an EnsembleConfig was given with `mdp`"
    ):
        RamboModelEnv(mdp=tiny_mdp, ensemble_config=EnsembleConfig(), seed=3)  # valid, but ignored
    with pytest.raises(ValueError, match=r"^mle_config: an MLEConfig was given with `mdp`"):
        RamboModelEnv(mdp=tiny_mdp, mle_config=MLEConfig())  # probe 41: "a MLEConfig"
    with pytest.raises(ValueError, match=r"device: 'gpu'"):
        resolve_device("gpu")  # was torch's raw RuntimeError
    with pytest.raises(ValueError, match=r"device: expected auto, cpu, cuda or cuda:N"):
        resolve_device("meta")


def test_actions_from_an_actor_and_masked_arrays(tiny_mdp):
    """Probe 18: an actor's output (a tensor that requires grad) was torch's raw "Can't call
    numpy() on Tensor that requires grad"; a ``numpy.ma`` action or start state with masked
    entries was stepped with the hidden values under the mask."""
    import torch

    from rambo_env.envs.vector_env import RamboModelVectorEnv

    env = RamboModelEnv(mdp=tiny_mdp)
    env.reset(seed=0)
    plain = env.step(np.array([0.2, -0.1, 0.0], dtype=np.float32))
    env.reset(seed=0)
    actor_out = torch.tensor([0.2, -0.1, 0.0], requires_grad=True) * 1.0
    np.testing.assert_array_equal(env.step(actor_out)[0], plain[0])
    vec = RamboModelVectorEnv(2, mdp=tiny_mdp)
    vec.reset(seed=0)
    vec.step(torch.zeros((2, 3), requires_grad=True))
    env.reset(seed=0)
    masked = np.ma.masked_array([0.0, 0.0, 5.0], mask=[0, 0, 1])
    with pytest.raises(ValueError, match=r"action\[2\] is masked \(1 masked entries\)"):
        env.step(masked)
    state = np.ma.masked_array(np.zeros(11), mask=[1] + [0] * 10)
    with pytest.raises(ValueError, match=r'options\["state"\]\[0\] is masked'):
        env.reset(options={"state": state})
    np.testing.assert_array_equal(env.reset(options={"state": state.filled(0.0)})[0], 0.0)


@pytest.mark.parametrize("make", ["single", "vector"])
def test_arguments_an_mdp_would_ignore_are_refused(tiny_mdp, tiny_dataset, make):
    from rambo_env.dynamics.ensemble import EnsembleConfig
    from rambo_env.dynamics.training import MLEConfig
    from rambo_env.envs.vector_env import RamboModelVectorEnv

    build = RamboModelEnv if make == "single" else lambda **kw: RamboModelVectorEnv(2, **kw)
    refused = {  # each was silently ignored when `mdp` was given
        "env_id": "Hopper-v5",
        "ensemble_config": EnsembleConfig(),
        "mle_config": MLEConfig(),
        "seed": 3,  # probe 16: the model's training seed, not the env's (reset(seed=…))
    }
    for name, value in refused.items():
        with pytest.raises(ValueError, match=rf"^{name}: .* was given with `mdp`"):
            build(mdp=tiny_mdp, **{name: value})
    elsewhere = copy.copy(tiny_mdp)  # an mdp on another device (only its device is read)
    elsewhere.device = torch.device("meta")
    with pytest.raises(
        ValueError, match=r"^device: 'cpu' differs from the given mdp's device meta"
    ):
        build(mdp=elsewhere, device="cpu")
    # What an mdp does not ignore, or what agrees with it, still works: the registration's
    # dataset (gym.make passes it with `mdp`), "auto", the mdp's own device.
    build(mdp=tiny_mdp, device="auto", dataset="hopper-medium")
    with pytest.raises(ValueError, match=r"^seed: 3 was given with `mdp`.*reset\(seed=3\)"):
        gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, seed=3)
    build(mdp=tiny_mdp, device=str(tiny_mdp.device))
    env = gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, device=tiny_mdp.device)
    assert env.unwrapped.mdp is tiny_mdp
    # probe 18: a dataset of its own with the mdp was ignored without a word
    for dataset in ("mine.npz", "walker2d-medium", tiny_dataset):
        with pytest.raises(
            ValueError, match=r"^dataset: .* was given with `mdp`, which is already"
        ):
            build(mdp=tiny_mdp, dataset=dataset)
    with pytest.raises(ValueError, match=r"^dataset: 'mine.npz' was given with `mdp`"):
        gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, dataset="mine.npz")
    gym.make("RamboModel-hopper-random", mdp=tiny_mdp)  # the registration's own: fine
    # probe 34: any hopper-<level> passed (taken for the registration's own), then was ignored
    for make_env in (gym.make, lambda *a, **kw: gym.make_vec(*a, num_envs=2, **kw)):
        with pytest.raises(ValueError, match=r"^dataset: 'hopper-random' was given with `mdp`"):
            make_env("RamboModel-hopper-medium", mdp=tiny_mdp, dataset="hopper-random")
        make_env("RamboModel-hopper-medium", mdp=tiny_mdp, dataset="hopper-medium")  # its own


def test_gym_make_takes_make_mdps_progress(tiny_mdp, tiny_dataset, monkeypatch):
    """Probe 34: ``gym.make(…, progress=False)`` was the constructor's raw TypeError ("unexpected
    keyword argument 'progress'"); make_mdp takes it, so the envs pass it on."""
    import rambo_env.envs.model_env as model_env

    seen = []
    monkeypatch.setattr(
        model_env, "make_mdp", lambda *a, **kw: seen.append(kw["progress"]) or tiny_mdp
    )
    RamboModelEnv(dataset=tiny_dataset, progress=False)
    RamboModelVectorEnv(2, dataset=tiny_dataset, progress=False)
    gym.make("RamboModel-hopper-medium", dataset=tiny_dataset, progress=False)
    assert seen == [False, False, False]
    assert (
        gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, progress=False).unwrapped.mdp is tiny_mdp
    )
    with pytest.raises(ValueError, match=r"^progress: expected True or False"):
        RamboModelEnv(mdp=tiny_mdp, progress="no")


def test_a_render_mode_is_one_error_naming_it(tiny_mdp):
    """was: gymnasium's raw ``TypeError: … unexpected keyword argument 'render_mode'``."""
    with pytest.raises(ValueError, match="render_mode: 'rgb_array', but the model env has nothing"):
        gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, render_mode="rgb_array")
    from stable_baselines3.common.env_util import make_vec_env

    # probe 23: SB3 passes render_mode="rgb_array" itself; probe 131 R5: taken as None
    make_vec_env("RamboModel-hopper-medium", n_envs=1, env_kwargs={"mdp": tiny_mdp}).close()
    with pytest.raises(ValueError, match="leave render_mode out of env_kwargs"):
        make_vec_env(
            "RamboModel-hopper-medium",
            n_envs=1,
            env_kwargs={"mdp": tiny_mdp, "render_mode": "rgb_array"},
        )
    venv = make_vec_env(
        "RamboModel-hopper-medium", 1, env_kwargs={"mdp": tiny_mdp, "render_mode": None}
    )
    venv.reset()
    with pytest.raises(ValueError, match="render_mode: 'human'"):
        gym.make_vec("RamboModel-hopper-medium", num_envs=2, mdp=tiny_mdp, render_mode="human")
    assert gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, render_mode=None).unwrapped.mdp


def test_pickle_round_trip_steps_identically(tiny_mdp):
    env = RamboModelEnv(mdp=tiny_mdp, rollout_length=10)
    env.reset(seed=3)
    env.step(np.zeros(3, dtype=np.float32))
    clone = pickle.loads(pickle.dumps(env))
    assert clone.unwrapped.mdp is not tiny_mdp  # the weights travel with it
    for t in range(4):
        action = np.full(3, 0.2 * t, dtype=np.float32)
        for x, y in zip(env.step(action), clone.step(action), strict=True):
            np.testing.assert_array_equal(x, y)


def test_in_place_model_update_is_visible(tiny_mdp):
    mdp = copy.deepcopy(tiny_mdp)
    env = RamboModelEnv(mdp=mdp)
    env.reset(seed=1)
    before = env.step(np.zeros(3, dtype=np.float32))
    with torch.no_grad():  # what the adversary does to env.unwrapped.mdp.ensemble (Alg. 1 line 5)
        env.unwrapped.mdp.ensemble.mean_head.bias.add_(0.5)
    env.reset(seed=1)
    after = env.step(np.zeros(3, dtype=np.float32))
    np.testing.assert_allclose(after[0] - before[0], 0.5, atol=1e-4)  # Δobs shifted by 0.5
    assert after[1] == pytest.approx(before[1] + 0.5, abs=1e-4)  # reward too


def test_gym_make_registered_id_with_dataset_override(tiny_dataset, capsys):
    kwargs = dict(
        dataset=tiny_dataset,
        ensemble_config=TINY_ENSEMBLE,
        mle_config=TINY_MLE,
        device="cpu",
        rollout_length=2,
    )
    env = gym.make("RamboModel-hopper-medium", **kwargs)
    assert isinstance(env.unwrapped, RamboModelEnv)
    assert env.unwrapped.rollout_length == 2
    assert "trained" in capsys.readouterr().out
    obs, _ = env.reset(seed=0)
    assert obs.shape == (11,)
    assert env.step(env.action_space.sample())[3] is False
    assert env.step(env.action_space.sample())[3] is True
    again = gym.make("RamboModel-hopper-medium", **kwargs)  # no retraining: the model cache
    assert "<- cache" in capsys.readouterr().out
    torch.testing.assert_close(
        again.unwrapped.mdp.ensemble.state_dict(), env.unwrapped.mdp.ensemble.state_dict()
    )


def test_sb3_sac_learns_in_model_env(tiny_mdp):
    env = RamboModelEnv(mdp=tiny_mdp, rollout_length=5)
    model_params = [p.detach().clone() for p in tiny_mdp.ensemble.parameters()]
    agent = SAC(
        "MlpPolicy",
        env,
        learning_starts=100,
        batch_size=32,
        policy_kwargs=dict(net_arch=[32, 32]),
        seed=0,
        device="cpu",
    )
    actor_before = [p.detach().clone() for p in agent.actor.parameters()]
    agent.learn(200)
    assert agent.num_timesteps == 200 and agent.replay_buffer.pos == 200
    assert any(
        not torch.equal(a, p) for a, p in zip(actor_before, agent.actor.parameters(), strict=True)
    )
    for before, after in zip(model_params, tiny_mdp.ensemble.parameters(), strict=True):
        assert torch.equal(before, after)  # plain MBPO: the agent never touches the model
    # Episodes last at most k = 5 steps; a 5-step one not ended by termination is a time-limit
    # truncation (SB3 stores it as a timeout), a shorter one is a termination.
    dones = agent.replay_buffer.dones[:200, 0].astype(bool)
    timeouts = agent.replay_buffer.timeouts[:200, 0].astype(bool)
    ends = np.flatnonzero(dones)
    lengths = np.diff(np.r_[-1, ends])
    assert lengths.max() <= 5 and not (timeouts & ~dones).any()
    assert not timeouts[ends[lengths < 5]].any()
    assert timeouts[ends[lengths == 5]].sum() > 0


def test_env_id_names_the_real_env_of_data_that_name_none(tiny_dataset):
    import dataclasses

    from rambo_env.dynamics.termination import TERMINATION_FNS

    unnamed = dataclasses.replace(tiny_dataset, env_id=None)
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE)
    learned = RamboModelEnv(unnamed, **kwargs).mdp.termination_fn
    assert learned is not TERMINATION_FNS["Hopper-v5"]  # no env: a rule learned from the data
    named = RamboModelEnv(unnamed, env_id="Hopper-v5", **kwargs)
    assert named.mdp.termination_fn is TERMINATION_FNS["Hopper-v5"]
    with pytest.raises(ValueError, match="not a registered Gymnasium env"):
        RamboModelEnv(unnamed, env_id="Nope-v0", **kwargs)


@pytest.mark.parametrize("vector", [False, True])
def test_a_registered_id_refuses_data_of_another_env(vector):
    """Probe 13: ``gym.make("RamboModel-walker2d-medium", dataset=<hopper data>)`` built a Hopper
    model under the Walker2d id, silently (the id's env was never compared with the data's)."""

    import rambo_env  # noqa: F401 (registers the ids)
    from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE, make_tiny_dataset

    data = make_tiny_dataset(400, 100)  # Hopper-v5
    kwargs = dict(dataset=data, ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE)
    with pytest.raises(
        ValueError, match=r"holds Hopper-v5 data, but the env id is RamboModel-walk"
    ):
        _make(vector, "RamboModel-walker2d-medium", **kwargs)


@pytest.mark.parametrize("vector", [False, True])
def test_a_registered_id_names_the_env_of_data_that_name_none(tmp_path, capsys, vector):
    """Probe 30: ``gym.make("RamboModel-walker2d-medium", dataset=<11-dim npz naming no env>)``
    built an 11/3 model under the Walker2d id (Walker2d-v5 is 17/6), with only the generic
    "names no Gymnasium env" warning. The id's env is now the data's: dims checked, refused."""
    import dataclasses

    import rambo_env  # noqa: F401 (registers the ids)
    from tests.envs.tiny_mdp import make_tiny_dataset

    data = make_tiny_dataset(400, 100)  # Hopper-v5 dims
    path = tmp_path / "noenv.npz"
    dataclasses.replace(data, env_id=None).to_npz(path)
    kwargs = dict(dataset=str(path), ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE)
    with pytest.raises(ValueError) as refused:
        _make(vector, "RamboModel-walker2d-medium", **kwargs)
    assert str(refused.value).startswith(
        f"dataset 'tiny-hopper' (npz:{path}) names no env, so it is taken as Walker2d-v5 data (the "
        "env of RamboModel-walker2d-…), but it does not fit Walker2d-v5: field 'observations' "
        "has obs_dim 11 but the env's observation space is Box("
    ), refused.value
    capsys.readouterr()
    env = gym.make("RamboModel-hopper-medium", **kwargs)
    assert env.unwrapped.mdp.env_id == "Hopper-v5"  # evaluated in, rollouts end by its rule
    assert "names no Gymnasium env" not in capsys.readouterr().out


@pytest.mark.parametrize("vector", [False, True])
def test_a_registered_id_refuses_a_model_of_another_env(tiny_mdp, vector):
    """Probe 15: ``gym.make("RamboModel-walker2d-medium", mdp=<a Hopper model>)`` was accepted
    silently (the id's env was compared with a ``dataset`` only, never with an ``mdp``)."""
    assert tiny_mdp.env_id == "Hopper-v5"  # make_mdp records the data's env
    with pytest.raises(ValueError, match=r"mdp: .* is a model of Hopper-v5 data, but the env id"):
        if vector:
            gym.make_vec("RamboModel-walker2d-medium", num_envs=2, mdp=tiny_mdp)
        else:
            gym.make("RamboModel-halfcheetah-medium", mdp=tiny_mdp)
    assert gym.make("RamboModel-hopper-random", mdp=tiny_mdp).unwrapped.mdp is tiny_mdp


def _pendulum_dataset(n_steps: int = 400):
    """Genuine Pendulum-v1 random-policy data (200-step episodes, all timeouts)."""
    from rambo_env.data.dataset import OfflineDataset

    env = gym.make("Pendulum-v1")
    env.action_space.seed(0)
    obs, _ = env.reset(seed=0)
    cols = {k: [] for k in ("observations", "actions", "rewards", "next_observations")}
    ends = []
    for _ in range(n_steps):
        action = env.action_space.sample()
        nxt, reward, terminated, truncated, _ = env.step(action)
        for key, value in zip(cols, (obs, action, reward, nxt), strict=True):
            cols[key].append(value)
        ends.append(truncated)
        obs = env.reset()[0] if terminated or truncated else nxt
    env.close()
    arrays = {k: np.asarray(v) for k, v in cols.items()}
    arrays["terminals"] = np.zeros(n_steps, dtype=bool)
    arrays["timeouts"] = np.asarray(ends)
    return OfflineDataset.from_arrays(arrays, env_id="Pendulum-v1", name="pend", source="test")


@pytest.mark.parametrize("vector", [False, True])
def test_a_registered_id_refuses_data_and_models_of_any_other_env(tiny_mdp, tiny_dataset, vector):
    """Probe 42 rows 92, 94: ``gym.make("RamboModel-hopper-medium", dataset=<Pendulum-v1 data>)``
    and ``gym.make("RamboModel-walker2d-medium", mdp=<Pendulum-v1 model | 1-D model naming no
    env>)`` were accepted silently (only the ids' three MuJoCo envs were compared)."""
    import dataclasses

    import rambo_env  # noqa: F401 (registers the ids)

    kwargs = dict(ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE)
    with pytest.raises(ValueError) as refused:
        _make(vector, "RamboModel-hopper-medium", dataset=_pendulum_dataset(), **kwargs)
    assert str(refused.value) == (
        "dataset: 'pend' holds Pendulum-v1 data, but the env id is RamboModel-hopper-…; "
        "RamboModel-<env>-<level> ids are for hopper / halfcheetah / walker2d data only; use "
        "RamboModelEnv(dataset=…) / RamboModelVectorEnv(n, dataset=…) directly"
    )
    pendulum = copy.copy(tiny_mdp)
    pendulum.env_id = "Pendulum-v1"
    with pytest.raises(ValueError, match=r"is a model of Pendulum-v1 data, but the env id is Ra"):
        _make(vector, "RamboModel-walker2d-medium", mdp=pendulum)
    unnamed = copy.copy(tiny_mdp)
    unnamed.env_id = None  # Hopper's 11 / 3 dims: taken as Hopper's, as before
    assert gym.make("RamboModel-hopper-medium", mdp=unnamed).unwrapped.mdp is unnamed
    with pytest.raises(ValueError) as refused:
        _make(vector, "RamboModel-walker2d-medium", mdp=unnamed)
    assert str(refused.value) == (
        f"mdp: {unnamed!r} names no env, so it is taken as a model of Walker2d-v5 (the env of "
        "RamboModel-walker2d-…), but its obs_dim / action_dim 11 / 3 are not Walker2d-v5's "
        "17 / 6; use the RamboModel id of its env, or RamboModelEnv(mdp=…) / "
        "RamboModelVectorEnv(n, mdp=…) directly"
    )
    # the same env in another version is that env's (compared by name), as before
    v4 = copy.copy(tiny_mdp)
    v4.env_id = "Hopper-v4"
    assert gym.make("RamboModel-hopper-medium", mdp=v4).unwrapped.mdp is v4
    v4_data = dataclasses.replace(tiny_dataset, env_id="Hopper-v4")
    assert gym.make("RamboModel-hopper-medium", dataset=v4_data, **kwargs).unwrapped.mdp


@pytest.mark.parametrize("vector", [False, True])
def test_a_registered_id_refuses_a_model_of_another_level(tiny_mdp, vector):
    """Probe 37 row 66: ``gym.make("RamboModel-hopper-random", mdp=<a hopper-medium mdp>)`` was
    accepted, and every log named hopper-random while the hopper-medium model was stepped."""
    from rambo_env.model import LearnedMDP

    assert tiny_mdp.dataset_name == "tiny-hopper"  # make_mdp records the data's name
    medium = copy.copy(tiny_mdp)
    medium.dataset_name = "rambo/hopper/medium-v0"
    with pytest.raises(ValueError) as refused:
        _make(vector, "RamboModel-hopper-random", mdp=medium)
    assert str(refused.value) == (
        "mdp: is a model of the hopper-medium dataset ('rambo/hopper/medium-v0'), but the env id "
        "is RamboModel-hopper-random, whose name Monitor / TensorBoard logs would carry; make "
        "gym.make('RamboModel-hopper-medium', mdp=mdp), or RamboModelEnv(mdp=mdp) directly"
    )
    assert gym.make("RamboModel-hopper-medium", mdp=medium).unwrapped.mdp is medium
    assert RamboModelEnv(mdp=medium).mdp is medium
    # a model of your own data, or one pickled before the name was recorded, is taken as before
    assert gym.make("RamboModel-hopper-random", mdp=tiny_mdp).unwrapped.mdp is tiny_mdp
    state = medium.__getstate__()
    del state["dataset_name"]
    old = LearnedMDP.__new__(LearnedMDP)
    old.__setstate__(state)
    assert old.dataset_name is None
    assert gym.make("RamboModel-hopper-random", mdp=old).unwrapped.mdp is old
    assert pickle.loads(pickle.dumps(medium)).dataset_name == "rambo/hopper/medium-v0"


@pytest.mark.parametrize("vector", [False, True])
def test_a_registered_id_refuses_a_dataset_of_another_level(tmp_path, vector):
    """Probe 39 row 91: ``gym.make("RamboModel-hopper-medium", dataset=<a hopper-random Minari
    id>)`` trained and cached a hopper-random model under the hopper-medium id, with no word
    (the ``mdp=`` form was refused). Now refused before the MLE; data whose level cannot be
    told (a name that is no ``<env>-<level>``) are taken as before."""
    import dataclasses
    from unittest import mock

    import rambo_env  # noqa: F401 (registers the ids)
    from tests.envs.tiny_mdp import make_tiny_dataset

    data = make_tiny_dataset(400, 100)  # Hopper-v5, named "tiny-hopper"
    kwargs = dict(ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE)
    for name in ("p37/hopper/random-v0", "hopper-random"):
        random = dataclasses.replace(data, name=name)
        with (
            mock.patch("rambo_env.envs.model_env.make_mdp") as trained,
            pytest.raises(ValueError) as refused,
        ):
            _make(vector, "RamboModel-hopper-medium", dataset=random, **kwargs)
        kind = "a random" if name == "hopper-random" else "the hopper-random"
        assert str(refused.value) == (
            f"dataset: {name!r} is {kind} dataset, but the env id is "
            "RamboModel-hopper-medium, whose name Monitor / TensorBoard logs would carry; make "
            "gym.make('RamboModel-hopper-random', dataset=…), or RamboModelEnv(dataset=…) "
            "directly"
        )
        trained.assert_not_called()  # before any training
    path = tmp_path / "mine.npz"  # your own file, named by its default: taken as before
    dataclasses.replace(data, name="custom").to_npz(path)
    env = gym.make("RamboModel-hopper-medium", dataset=str(path), **kwargs)
    assert env.unwrapped.mdp.env_id == "Hopper-v5"
    assert gym.make("RamboModel-hopper-medium", dataset=data, **kwargs).unwrapped.mdp


@pytest.mark.parametrize("vector", [False, True])
def test_a_short_name_of_another_level_is_refused_before_loading(vector):
    """Probe 40 row 20: ``gym.make("RamboModel-hopper-medium", dataset="hopper-random")`` with
    hopper-random not there generated 1M transitions (minutes) before the level check refused
    it. A short name tells its env and level: both are checked before anything is loaded."""
    from unittest import mock

    import rambo_env  # noqa: F401 (registers the ids)

    kwargs = dict(ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE)
    cases = {
        "hopper-random": "dataset: 'hopper-random' is a random dataset, but the env id is "
        "RamboModel-hopper-medium, whose name Monitor / TensorBoard logs would carry; make "
        "gym.make('RamboModel-hopper-random', dataset=…), or RamboModelEnv(dataset=…) directly",
        # probe 41 row 16: "is a expert dataset"
        "hopper-expert": "dataset: 'hopper-expert' is an expert dataset, but the env id is "
        "RamboModel-hopper-medium, whose name Monitor / TensorBoard logs would carry; make "
        "gym.make('RamboModel-hopper-expert', dataset=…), or RamboModelEnv(dataset=…) directly",
        "walker2d-medium": "dataset: 'walker2d-medium' holds Walker2d-v5 data, but the env id is "
        "RamboModel-hopper-…; make RamboModel-walker2d-<level> with it, or "
        "RamboModelEnv(dataset=…) / RamboModelVectorEnv(n, dataset=…) directly",
    }
    for name, text in cases.items():
        with (
            mock.patch("rambo_env.data.loaders._resolve") as loaded,
            pytest.raises(ValueError) as refused,
        ):
            _make(vector, "RamboModel-hopper-medium", dataset=name, **kwargs)
        assert str(refused.value) == text
        loaded.assert_not_called()  # nothing loaded or generated


def test_an_unknown_keyword_is_one_error_naming_the_accepted_ones(tiny_mdp):
    """Probe 40 row 48: ``gym.make("RamboModel-hopper-medium", foo=1)`` (a typo such as
    ``rollout_lenght=5``) was gymnasium's TypeError dumping the whole kwargs dict, with no list
    of the accepted keywords. gym.make's own keywords keep working."""
    from unittest import mock

    import rambo_env  # noqa: F401 (registers the ids)

    takes = (
        "dataset, rollout_length, device, mdp, ensemble_config, mle_config, seed, env_id, "
        "render_mode, progress, cache, precision, compile"
    )
    with (
        mock.patch("rambo_env.envs.model_env.build_mdp") as built,
        mock.patch("rambo_env.envs.vector_env.build_mdp") as built_vec,
    ):
        for make, cls, head in (
            (lambda **kw: gym.make("RamboModel-hopper-medium", **kw), "RamboModelEnv", ""),
            (lambda **kw: RamboModelEnv(mdp=tiny_mdp, **kw), "RamboModelEnv", ""),
            (
                lambda **kw: gym.make_vec("RamboModel-hopper-medium", num_envs=2, **kw),
                "RamboModelVectorEnv",
                "num_envs, ",
            ),
        ):
            for given, hint in (
                ("rollout_lenght", " (did you mean 'rollout_length'?)"),
                ("foo", ""),
                ("autoreset", ""),  # probe 41 row 23: was "(did you mean 'dataset'?)"
            ):
                with pytest.raises(ValueError) as refused:
                    make(**{given: 5})
                assert str(refused.value) == (
                    f"{given}: not a keyword of {cls}{hint}; it takes {head}{takes} "
                    f"(help(rambo_env.{cls}))"
                )
        built.assert_not_called()  # before anything is built
        built_vec.assert_not_called()
    env = gym.make(
        "RamboModel-hopper-medium",
        mdp=tiny_mdp,
        rollout_length=3,
        max_episode_steps=3,
        disable_env_checker=False,
        render_mode=None,
    )
    assert env.unwrapped.rollout_length == 3
    venv = gym.make_vec("RamboModel-hopper-medium", num_envs=2, mdp=tiny_mdp, rollout_length=3)
    assert venv.num_envs == 2


def test_render_names_why_there_is_nothing_to_render(tiny_mdp):
    """Probe 15: ``env.render()`` was gymnasium's bare ``NotImplementedError()`` (no message);
    the vector env's said only "render function is not implemented"."""
    from rambo_env.envs.vector_env import RamboModelVectorEnv

    env = gym.make("RamboModel-hopper-medium", mdp=tiny_mdp)
    env.reset(seed=0)
    for e in (env, RamboModelEnv(mdp=tiny_mdp), RamboModelVectorEnv(2, mdp=tiny_mdp)):
        with pytest.raises(NotImplementedError, match="render: the model env has nothing to"):
            e.render()


def test_a_time_limit_that_disagrees_with_rollout_length_is_refused(tiny_mdp):
    """Probe 17: ``gym.make("RamboModel-…", mdp=mdp, max_episode_steps=10)`` was accepted, and
    every episode still ended after rollout_length (5) steps; a limit of 3 silently shortened
    them. Now gym.make names rollout_length (probe 47: at construction, before any load; was at
    the first reset), as the vector env does; a TimeLimit by hand at the first reset."""
    from gymnasium.wrappers import TimeLimit

    for limit in (10, 3):
        with pytest.raises(
            ValueError, match=rf"max_episode_steps: {limit}, .* rollout_length={limit}"
        ):
            gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, max_episode_steps=limit)
    wrapped = TimeLimit(RamboModelEnv(mdp=tiny_mdp), 7)  # by hand, under another wrapper
    with pytest.raises(ValueError, match=r"max_episode_steps: 7 "):
        gym.wrappers.RecordEpisodeStatistics(wrapped).reset(seed=0)
    used = RamboModelEnv(mdp=tiny_mdp)  # probe 23: wrapped after its first reset was taken
    used.reset(seed=0)
    with pytest.raises(ValueError, match=r"max_episode_steps: 2 "):
        TimeLimit(used, 2).reset(seed=0)
    agreeing = gym.make(
        "RamboModel-hopper-medium", mdp=tiny_mdp, rollout_length=3, max_episode_steps=3
    )
    agreeing.reset(seed=0)
    steps = 0
    while True:
        steps += 1
        *_, terminated, truncated, _ = agreeing.step(agreeing.action_space.sample())
        if terminated or truncated:
            break
    assert steps <= 3
    plain = gym.make("RamboModel-hopper-medium", mdp=tiny_mdp)  # no TimeLimit: as before
    assert plain.reset(seed=0)[0].shape == tiny_mdp.observation_space.shape


def test_normalize_observation_around_the_model_env_is_warned_once(tiny_mdp):
    """Probe 41: gymnasium's NormalizeObservation around the model env (whose observations the
    mdp's ObsNormalizer already z-scores) was taken without a word, while make_agent refuses SB3's
    VecNormalize for the same reason. A warning (the user's own wrapper stack), once per env;
    other wrappers, and the env alone, say nothing."""
    from gymnasium.wrappers.vector import NormalizeObservation as VectorNormalizeObservation

    env = gym.wrappers.NormalizeObservation(
        gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, rollout_length=2)
    )
    with pytest.warns(UserWarning, match=r"NormalizeObservation wraps RamboModelEnv, whose obs"):
        env.reset(seed=0)
    vector = VectorNormalizeObservation(RamboModelVectorEnv(mdp=tiny_mdp, num_envs=2))
    with pytest.warns(UserWarning, match=r"wraps RamboModelVectorEnv, .*drop the wrapper"):
        vector.reset(seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        env.step(env.action_space.sample())
        env.reset(seed=1)  # once per env
        vector.reset(seed=1)
        plain = gym.wrappers.RecordEpisodeStatistics(
            gym.make("RamboModel-hopper-medium", mdp=tiny_mdp)
        )
        plain.reset(seed=0)


def test_the_spec_names_the_episode_length_for_wrappers_that_need_it(tiny_mdp):
    """Probe 24: ``TimeAwareObservation(gym.make("RamboModel-…", mdp=mdp, rollout_length=2))``
    was gymnasium's raw "must be wrapped by a TimeLimit wrapper or the spec specify a
    max_episode_steps": the registration names no limit, though every episode ends after k steps.
    The env's spec now says k (and follows a changed rollout_length); no TimeLimit is added."""
    from gymnasium.wrappers import TimeAwareObservation, TimeLimit

    env = gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, rollout_length=2)
    assert env.spec.max_episode_steps == 2 and env.unwrapped.spec.id == "RamboModel-hopper-medium"
    timed = TimeAwareObservation(env)
    obs, _ = timed.reset(seed=0)
    assert obs.shape == (tiny_mdp.observation_space.shape[0] + 1,)
    env.unwrapped.rollout_length = 4
    assert env.unwrapped.spec.max_episode_steps == 4  # (wrappers cache their first spec)
    walk, found = env, []
    while isinstance(walk, gym.Wrapper):
        found.append(isinstance(walk, TimeLimit))
        walk = walk.env
    assert not any(found)
    remade = gym.make(env.spec)  # the spec carries its k: a TimeLimit of k, which agrees
    remade.reset(seed=0)
    assert RamboModelEnv(mdp=tiny_mdp).spec is None  # built directly: no registration


def test_rollout_length_assigned_after_construction_is_checked(tiny_mdp):
    """Probe 19: ``env.unwrapped.rollout_length = 0`` was taken by the single and the Gymnasium
    vector env (every step then truncated), while the SB3 VecEnv's ``set_attr`` refused it."""
    from rambo_env.envs.vector_env import RamboModelVectorEnv

    env = gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, rollout_length=3)
    vec = RamboModelVectorEnv(2, mdp=tiny_mdp, rollout_length=3)
    for target in (env.unwrapped, vec):
        for bad in (0, 2.5, "3", True):
            with pytest.raises(ValueError, match=r"^rollout_length: expected a positive int"):
                target.rollout_length = bad
        assert target.rollout_length == 3
    with pytest.raises(ValueError, match=r"^rollout_length: expected a positive int, got -1"):
        env.set_wrapper_attr("rollout_length", -1)
    env.unwrapped.rollout_length = np.int64(2)  # a valid k is taken, as a plain int
    assert type(env.unwrapped.rollout_length) is int
    env.reset(seed=0)
    assert env.step(np.zeros(3, dtype=np.float32))[3] is False
    assert env.step(np.zeros(3, dtype=np.float32))[3] is True
    assert pickle.loads(pickle.dumps(env.unwrapped)).rollout_length == 2


def test_none_or_boolean_actions_and_start_states_are_refused(tiny_mdp):
    """Probe 19: ``env.step(None)`` said "expected shape (3,), got ()" (numpy's 0-d NaN), and a
    boolean array (a done mask passed by mistake) was stepped as 0 / 1 actions."""
    from rambo_env.envs.vector_env import RamboModelVectorEnv

    env = RamboModelEnv(mdp=tiny_mdp)
    env.reset(seed=0)
    for bad, shown in ((None, "NoneType 'None'"), (np.array([True, False, True]), "ndarray")):
        with pytest.raises(
            ValueError, match=rf"^action: expected real numbers of shape \(3,\), got {shown}"
        ):
            env.step(bad)
    vec = RamboModelVectorEnv(2, mdp=tiny_mdp)
    vec.reset(seed=0)
    with pytest.raises(ValueError, match=r"^action: expected real numbers of shape \(2, 3\)"):
        vec.step(np.ones((2, 3), dtype=bool))
    with pytest.raises(ValueError, match=r'^options\["state"\]: expected real numbers'):
        env.reset(options={"state": np.ones(11, dtype=bool)})
    env.step(np.array([1, 0, 1]))  # integers are numbers: taken


def test_a_closed_env_and_a_none_state_are_refused(tiny_mdp):
    """Probe 19: ``step`` / ``reset`` after ``close()`` went on silently, and
    ``reset(options={"state": None})`` drew a dataset state as if no state were given; the
    same in the Gymnasium vector env and SB3's VecEnv."""
    from agents.vec_env import RamboModelVecEnv

    envs = [
        RamboModelEnv(mdp=tiny_mdp),
        RamboModelVectorEnv(mdp=tiny_mdp, num_envs=2),
    ]
    for env in envs:
        env.reset(seed=0)
        with pytest.raises(ValueError, match=r'options\["state"\]: None; leave the key out'):
            env.reset(options={"state": None})
        env.close()
        env.close()  # twice is fine
        with pytest.raises(gym.error.ClosedEnvironmentError, match="step: the env was closed"):
            env.step(env.action_space.sample())
        with pytest.raises(gym.error.ClosedEnvironmentError, match="reset: the env was closed"):
            env.reset()
    sb3 = RamboModelVecEnv(tiny_mdp, 2)
    sb3.set_options({"state": None})
    with pytest.raises(ValueError, match=r'options\["state"\]: None'):
        sb3.reset()
    sb3.set_options(None)  # SB3 keeps the options until a reset succeeds
    sb3.reset()
    sb3.close()
    for call in (sb3.reset, lambda: sb3.step(np.zeros((2, 3), dtype=np.float32))):
        with pytest.raises(gym.error.ClosedEnvironmentError, match="the env was closed"):
            call()
    restored = pickle.loads(pickle.dumps(RamboModelEnv(mdp=tiny_mdp)))
    assert restored.reset(seed=0)[0].shape == (11,)


def test_an_mdp_given_as_the_dataset_says_to_pass_it_by_name(tiny_mdp):
    """``RamboModelEnv(mdp)``: was "dataset: expected a name or path …, got LearnedMDP"."""
    with pytest.raises(ValueError, match=r"dataset: got a LearnedMDP .* RamboModelEnv\(mdp=mdp\)"):
        RamboModelEnv(tiny_mdp)
    with pytest.raises(ValueError, match=r"dataset: got a LearnedMDP"):
        RamboModelVectorEnv(2, tiny_mdp)


def test_a_float64_default_dtype_is_named_before_the_model_runs(tiny_mdp):
    """Probe 23: after ``torch.set_default_dtype(torch.float64)`` the model env's step and
    ``make_mdp`` failed inside the ensemble with torch's raw "Input dtypes must be the same"."""
    env = RamboModelEnv(mdp=tiny_mdp)
    env.reset(seed=0)
    torch.set_default_dtype(torch.float64)
    try:
        with pytest.raises(RuntimeError, match=r"step: torch's default dtype is torch.float64"):
            env.step(env.action_space.sample())
        with pytest.raises(RuntimeError, match=r"reset: torch's default dtype is torch.float64"):
            env.reset(seed=0)
    finally:
        torch.set_default_dtype(torch.float32)
    env.reset(seed=0)  # float32 again: fine
    env.step(env.action_space.sample())


def nan_weight_mdp(mdp):
    """A copy of ``mdp`` whose first ensemble parameter is NaN (a user's update that blew up)."""
    broken = copy.deepcopy(mdp)
    name, param = next(iter(broken.ensemble.named_parameters()))
    with torch.no_grad():
        param.fill_(float("nan"))
    return broken, name


def test_a_model_with_non_finite_weights_is_one_error_at_step(tiny_mdp):
    """Issue 14 (probe 33): NaN ensemble weights gave NaN observations and rewards with
    ``terminated=True`` from ``step``, silently (the vector env's auto-reset hid the states)."""
    from rambo_env.model import NonFiniteModelError

    broken, name = nan_weight_mdp(tiny_mdp)
    for env in (RamboModelEnv(mdp=broken, rollout_length=3), RamboModelVectorEnv(2, mdp=broken)):
        env.reset(seed=0)
        with pytest.raises(NonFiniteModelError) as err:
            env.step(np.zeros(env.action_space.shape, np.float32))
        said = str(err.value)
        assert said.startswith("step: the dynamics model predicted a non-finite next state"), said
        assert f"its ensemble weights are non-finite ({name}" in said, said
        assert isinstance(err.value, ValueError)
    env = RamboModelEnv(mdp=tiny_mdp, rollout_length=3)  # a finite model steps as before
    env.reset(seed=0)
    assert np.isfinite(env.step(np.zeros(3, np.float32))[0]).all()


def test_a_rollout_length_above_the_episode_limit_is_refused_by_every_front_end(
    tiny_mdp, tiny_dataset, monkeypatch
):
    """Issue 14 (probe 33): ``gym.make("RamboModel-hopper-medium", rollout_length=1001)`` and
    ``make_vec`` were taken while ``cotrain.py --k 1001`` was refused; one check serves all."""
    from agents.vec_env import RamboModelVecEnv

    expected = (
        "rollout_length: k = 1001 exceeds Hopper-v5's episode limit of 1000 steps "
        "(spec.max_episode_steps): model rollouts longer than any real episode mean nothing (the "
        "paper's k are 2 and 5, Table 5); give a rollout_length of at most 1000"
    )
    monkeypatch.setattr(
        "rambo_env.envs.model_env.make_mdp", lambda *a, **k: pytest.fail("model built")
    )
    makers = [
        lambda: gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, rollout_length=1001),
        lambda: gym.make_vec("RamboModel-hopper-medium", 2, mdp=tiny_mdp, rollout_length=1001),
        lambda: gym.make("RamboModel-hopper-medium", dataset=tiny_dataset, rollout_length=1001),
        lambda: RamboModelEnv(tiny_dataset, rollout_length=1001),
        lambda: RamboModelVectorEnv(2, tiny_dataset, rollout_length=1001),
        lambda: RamboModelVecEnv(tiny_mdp, 2, rollout_length=1001),
    ]
    for make in makers:
        with pytest.raises(ValueError) as err:
            make()
        assert str(err.value) == expected
    env = RamboModelEnv(mdp=tiny_mdp, rollout_length=1000)  # the limit itself is allowed
    with pytest.raises(ValueError, match="k = 1001 exceeds Hopper-v5's episode limit"):
        env.rollout_length = 1001  # an assignment is checked as the constructor
    assert env.rollout_length == 1000


@pytest.mark.parametrize(("cast", "shown"), [("half", "float16"), ("double", "float64")])
def test_an_ensemble_cast_away_from_float32_is_one_error(tiny_mdp, cast, shown):
    """Probe 34: ``mdp.ensemble.half()`` (to save memory) was torch's raw "Input dtypes must be
    the same" inside ``step``; the envs' steps (and the adversary) read the dtype once a step."""
    mdp = copy.deepcopy(tiny_mdp)
    getattr(mdp.ensemble, cast)()
    env = RamboModelEnv(mdp=mdp)
    env.reset(seed=0)
    message = (
        rf"^mdp.ensemble is {shown} \(cast with .half\(\) / .double\(\) / .to\(dtype\)\?\), but "
        r"the model's steps \(the envs, the adversary\) compute in float32 .*"
        r'make_mdp\(…, precision="bf16"\) for lower precision, or cast it back'
    )
    with pytest.raises(ValueError, match=message):
        env.step(np.zeros(3, dtype=np.float32))
    envs = RamboModelVectorEnv(2, mdp=mdp)
    envs.reset(seed=0)
    with pytest.raises(ValueError, match=message):
        envs.step(np.zeros((2, 3), np.float32))
    mdp.ensemble.float()
    assert env.step(np.zeros(3, dtype=np.float32))[0].shape == (11,)


def test_make_mdps_cache_precision_and_compile_are_taken_or_refused_with_mdp(
    tiny_dataset, tiny_mdp
):
    """Probe 36: ``gym.make(id, mdp=mdp, precision="bf16")`` / ``gym.make_vec(id, num_envs=2,
    mdp=mdp, cache=False)`` were gymnasium's raw "unexpected keyword argument" TypeError: without
    an mdp they go to make_mdp, with one they are refused as ensemble_config is."""
    import gymnasium as gym

    import rambo_env  # noqa: F401 (registers the ids)

    with pytest.raises(ValueError, match=r"^precision: 'bf16' was given with `mdp`, which is alr"):
        gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, precision="bf16")
    with pytest.raises(ValueError, match=r"^cache: False was given with `mdp`"):
        gym.make_vec("RamboModel-hopper-medium", num_envs=2, mdp=tiny_mdp, cache=False)
    with pytest.raises(ValueError, match=r"^compile: True was given with `mdp`"):
        RamboModelVectorEnv(2, mdp=tiny_mdp, compile=True)
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    env = RamboModelEnv(tiny_dataset, cache=False, precision="fp32", compile=False, **kwargs)
    assert env.reset(seed=0)[0].shape == (11,)
    with pytest.raises(ValueError, match=r"precision"):
        RamboModelVectorEnv(2, tiny_dataset, precision="fp64", **kwargs)


@pytest.mark.parametrize("vector", [False, True])
def test_the_mdp_attribute_is_checked_and_the_spec_names_it_in_to_json(tiny_mdp, vector):
    """Probe 36: ``env.unwrapped.mdp = None`` after make was taken, then ``AttributeError:
    'NoneType' object has no attribute 'action_dim'`` at the next step; ``env.spec.to_json()``
    was json's raw "Object of type LearnedMDP is not JSON serializable"."""
    import gymnasium as gym

    import rambo_env  # noqa: F401 (registers the ids)

    env = RamboModelVectorEnv(2, mdp=tiny_mdp) if vector else RamboModelEnv(mdp=tiny_mdp)
    with pytest.raises(ValueError, match=r"^mdp: expected a LearnedMDP, got NoneType"):
        env.mdp = None
    env.mdp = tiny_mdp  # the same model: fine
    assert env.mdp is tiny_mdp and env.reset(seed=0)[0].shape[-1] == 11
    assert pickle.loads(pickle.dumps(env)).mdp.obs_dim == tiny_mdp.obs_dim
    made = gym.make("RamboModel-hopper-medium", mdp=tiny_mdp)
    with pytest.raises(ValueError, match=r"^spec.to_json: spec.kwargs\['mdp'\] is a LearnedMDP"):
        made.spec.to_json()
    assert gym.make(made.spec).unwrapped.mdp.obs_dim == 11  # re-made from the spec


def test_gym_make_refuses_a_bad_max_episode_steps_before_any_load(tiny_dataset, monkeypatch):
    """Probe 47: ``gym.make("RamboModel-hopper-random", max_episode_steps=-3)`` (or 0) loaded the
    dataset and trained and cached the MLE model, then gymnasium's TimeLimit refused -3. Now the
    value is refused before anything is loaded (as rollout_length=0 is); -1 (gymnasium's "no
    TimeLimit") and a limit equal to rollout_length are taken."""
    import rambo_env.envs.model_env as model_env
    from rambo_env.data import loaders

    def loaded(*a, **k):
        pytest.fail("dataset loaded")

    monkeypatch.setattr(loaders, "_load_dataset", loaded)
    monkeypatch.setattr(model_env, "make_mdp", lambda *a, **k: pytest.fail("model built"))
    for bad in (-3, 0, 2.5, True, "5"):
        with pytest.raises(ValueError, match=r"^max_episode_steps: expected None or an int >= 1"):
            gym.make("RamboModel-hopper-random", max_episode_steps=bad)
        with pytest.raises(ValueError, match=r"^max_episode_steps: "):
            gym.make_vec(
                "RamboModel-hopper-random",
                num_envs=2,
                vectorization_mode="sync",
                max_episode_steps=bad,
            )
    with pytest.raises(ValueError, match=r"^max_episode_steps: 10, .* rollout_length=10"):
        gym.make("RamboModel-hopper-random", max_episode_steps=10)
    with pytest.raises(ValueError, match=r"^max_episode_steps: expected .* got -3; .*leave max_"):
        gym.make_vec("RamboModel-hopper-random", num_envs=2, max_episode_steps=-3)


def test_gym_make_refuses_a_numpy_max_episode_steps_before_any_load(
    tiny_mdp, tiny_dataset, monkeypatch
):
    """Probe 55: ``gym.make("RamboModel-hopper-random", mdp=mdp, max_episode_steps=np.int64(5))``
    was gymnasium's raw TypeError "Expect the `max_episode_steps` to be an integer, actually:
    <class 'numpy.int64'>" from its TimeLimit, after the model env was built. gymnasium keeps the
    value itself, so it is refused at construction, naming int(…) and the default; the vector env
    (which gets the value itself) takes it, and numpy's -1 is gymnasium's -1 (no TimeLimit)."""
    import rambo_env.envs.model_env as model_env
    from rambo_env.data import loaders

    with monkeypatch.context() as patch:
        patch.setattr(loaders, "_load_dataset", lambda *a, **k: pytest.fail("dataset loaded"))
        patch.setattr(model_env, "make_mdp", lambda *a, **k: pytest.fail("model built"))
        match = (
            r"^max_episode_steps: gymnasium's TimeLimit takes a Python int, got numpy.int64\(3\); "
            r"pass max_episode_steps=int\(…\) \(3\), or leave it out: the default already gives "
            r"episodes of rollout_length \(3\) steps$"
        )
        for mode in (None, "sync"):
            with pytest.raises(ValueError, match=match):
                if mode is None:
                    gym.make(
                        "RamboModel-hopper-random", rollout_length=3, max_episode_steps=np.int64(3)
                    )
                else:
                    gym.make_vec(
                        "RamboModel-hopper-random",
                        num_envs=2,
                        vectorization_mode=mode,
                        rollout_length=3,
                        max_episode_steps=np.int64(3),
                    )
    env = gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, max_episode_steps=np.int64(-1))
    assert not isinstance(env, gym.wrappers.TimeLimit)  # gymnasium's -1: no TimeLimit
    vec = gym.make_vec(
        "RamboModel-hopper-medium", num_envs=2, mdp=tiny_mdp, rollout_length=3,
        max_episode_steps=np.int64(3),
    )  # fmt: skip
    vec.reset(seed=0)
    vec.close()


def test_gym_make_notes_other_data_of_the_ids_env(tiny_mdp, tiny_dataset, monkeypatch, capsys):
    """Probe 47: ``gym.make("RamboModel-hopper-random", dataset="p47/hop/ok-v0")`` (other Hopper
    data under a hopper-random id) was built without a word, while another env's data or another
    level's are refused. Now one note names both; the id's own data say nothing."""
    import dataclasses

    import rambo_env.envs.model_env as model_env

    monkeypatch.setattr(model_env, "make_mdp", lambda *a, **k: tiny_mdp)
    mine = dataclasses.replace(tiny_dataset, name="p47/hop/ok-v0")
    gym.make("RamboModel-hopper-random", dataset=mine, progress=False)
    out = capsys.readouterr().out
    assert (
        "[rambo_env] note: the id names hopper-random, dataset= gives 'p47/hop/ok-v0': the env "
        "is built on the latter" in out
    )
    own = dataclasses.replace(tiny_dataset, name="hopper-random")
    gym.make("RamboModel-hopper-random", dataset=own, progress=False)
    assert "note: the id names" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"precision": "fp16"},
            r"^precision: expected one of \('fp32', 'bf16', 'auto'\), got 'fp16'",
        ),
        ({"compile": "no"}, r"^compile: expected True or False, got (a )?str 'no'"),
        ({"cache": "no"}, r"^cache: expected True or False, got (a )?str 'no'"),
    ],
)
def test_bad_make_mdp_options_are_refused_before_any_load(kwargs, match, monkeypatch):
    """Probe 60: ``gym.make("RamboModel-walker2d-medium", precision="fp16")`` (or compile="no",
    cache="no") / ``gym.make_vec(…, vectorization_mode="vector_entry_point", precision="fp16")``
    with the data not local started generating 1M transitions, and refused only after; now
    make_mdp's own checks run before any load, with its messages."""
    import rambo_env.envs.model_env as model_env
    from rambo_env.data import generate, loaders

    def no_load(*a, **k):
        pytest.fail("dataset loaded / generated before the options were checked")

    for name in ("_load_dataset", "load_dataset", "generate_dataset"):
        if hasattr(loaders, name):
            monkeypatch.setattr(loaders, name, no_load)
    monkeypatch.setattr(generate, "generate_dataset", no_load)
    monkeypatch.setattr(model_env, "make_mdp", no_load)
    with pytest.raises(ValueError, match=match):
        gym.make("RamboModel-walker2d-medium", progress=False, **kwargs)
    with pytest.raises(ValueError, match=match):
        gym.make_vec(
            "RamboModel-walker2d-medium",
            num_envs=2,
            vectorization_mode="vector_entry_point",
            progress=False,
            **kwargs,
        )
    with pytest.raises(ValueError, match=match):
        RamboModelEnv("walker2d-medium", progress=False, **kwargs)
    with pytest.raises(ValueError, match=match):
        RamboModelVectorEnv(2, "walker2d-medium", progress=False, **kwargs)


def test_gym_make_takes_a_numpy_int_seed(tiny_dataset, capsys):
    """Probe 61 row 68: ``gym.make("RamboModel-hopper-medium", seed=np.int64(1))`` (a seed from
    ``np.random.SeedSequence`` or a config array) passed the seed check, then the model cache key's
    JSON raised "Object of type int64 is not JSON serializable" after the dataset load. Now the
    same model as ``seed=1`` (the same cache entry), for gym.make and gym.make_vec alike."""
    kwargs = dict(
        dataset=tiny_dataset,
        ensemble_config=TINY_ENSEMBLE,
        mle_config=TINY_MLE,
        device="cpu",
        progress=False,
    )
    env = gym.make("RamboModel-hopper-medium", seed=np.int64(1), **kwargs)
    assert env.reset()[0].shape == (11,)
    vec = gym.make_vec("RamboModel-hopper-medium", num_envs=2, seed=np.int64(1), **kwargs)
    assert vec.reset()[0].shape == (2, 11)
    capsys.readouterr()
    gym.make("RamboModel-hopper-medium", seed=1, **kwargs)
    assert "<- cache" in capsys.readouterr().out
