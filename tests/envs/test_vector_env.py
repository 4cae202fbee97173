"""RamboModelVectorEnv: make_vec entry point, row-by-row equality with the single env, one model
forward per step, NEXT_STEP autoreset with per-row step counters, seeding and pickling."""

from __future__ import annotations

import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.vector import AutoresetMode

from rambo_env.envs.model_env import RamboModelEnv
from rambo_env.envs.vector_env import RamboModelVectorEnv
from rambo_env.model import LearnedMDP
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE


def _record_draws(monkeypatch, mdp: LearnedMDP) -> list:
    draws, draw = [], mdp.draw

    def recording_draw(n, rng):
        out = draw(n, rng)
        draws.append(out)
        return out

    monkeypatch.setattr(mdp, "draw", recording_draw)
    return draws


def _mixed_termination_mdp(mdp: LearnedMDP) -> LearnedMDP:
    """Same model, but about half the rows terminate at every step (height below standing)."""
    return LearnedMDP(mdp.ensemble, mdp.normalizer, lambda raw: raw[:, 0] < 1.25, mdp.start_obs)


def test_make_vec_uses_the_vector_entry_point(tiny_dataset):
    kwargs = dict(
        dataset=tiny_dataset, ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, device="cpu"
    )
    envs = gym.make_vec("RamboModel-hopper-medium", num_envs=4, rollout_length=3, **kwargs)
    assert isinstance(envs, RamboModelVectorEnv)
    assert envs.num_envs == 4 and envs.rollout_length == 3
    assert envs.metadata["autoreset_mode"] is AutoresetMode.NEXT_STEP
    assert envs.single_action_space == gym.spaces.Box(-1.0, 1.0, (3,), np.float32)
    assert envs.action_space.shape == (4, 3) and envs.observation_space.shape == (4, 11)
    obs, info = envs.reset(seed=0)
    assert obs.shape == (4, 11) and obs.dtype == np.float32 and info == {}
    explicit = gym.make_vec(
        "RamboModel-hopper-medium",
        num_envs=2,
        vectorization_mode="vector_entry_point",
        mdp=envs.mdp,
    )
    assert isinstance(explicit, RamboModelVectorEnv) and explicit.mdp is envs.mdp


def test_make_vec_with_max_episode_steps_names_rollout_length(tiny_mdp):
    """Probe 14: ``gym.make_vec(..., max_episode_steps=10)`` was a raw TypeError ("unexpected
    keyword argument"); the vector env's episode length is rollout_length."""
    with pytest.raises(ValueError, match=r"max_episode_steps: 10, .* pass rollout_length=10"):
        gym.make_vec("RamboModel-hopper-medium", num_envs=2, mdp=tiny_mdp, max_episode_steps=10)


def test_make_vec_takes_max_episode_steps_as_gym_make_does(tiny_mdp):
    """Probe 48: ``gym.make_vec(id, rollout_length=5, max_episode_steps=5)`` was refused with
    "pass rollout_length=5 instead" (it was passed), and ``max_episode_steps=-1`` (gymnasium's "no
    TimeLimit") with "pass rollout_length=-1" (itself refused), while gym.make took both. One
    check for both now: k itself and -1 are taken; another value gets gym.make's message."""
    for mode in ("vector_entry_point", "sync"):
        for limit in (3, -1, None):
            envs = gym.make_vec(
                "RamboModel-hopper-medium",
                num_envs=2,
                vectorization_mode=mode,
                mdp=tiny_mdp,
                rollout_length=3,
                max_episode_steps=limit,
            )
            assert envs.reset(seed=0)[0].shape == (2, tiny_mdp.obs_dim)
    with pytest.raises(ValueError) as made:
        gym.make("RamboModel-hopper-medium", mdp=tiny_mdp, rollout_length=3, max_episode_steps=4)
    with pytest.raises(ValueError) as vec:
        gym.make_vec(
            "RamboModel-hopper-medium",
            num_envs=2,
            mdp=tiny_mdp,
            rollout_length=3,
            max_episode_steps=4,
        )
    assert str(vec.value) == str(made.value)
    assert "pass rollout_length=4 instead" in str(vec.value)
    assert str(vec.value).endswith("else leave max_episode_steps out")


def test_rows_equal_single_env_for_same_member_and_noise(tiny_mdp, monkeypatch):
    n = 6
    envs = RamboModelVectorEnv(n, mdp=tiny_mdp, rollout_length=10)
    obs, _ = envs.reset(seed=2)
    draws = _record_draws(monkeypatch, tiny_mdp)
    actions = np.random.default_rng(0).uniform(-1, 1, (n, 3)).astype(np.float32)
    next_obs, reward, terminated, truncated, _ = envs.step(actions)
    member_idx, noise = draws[0]
    monkeypatch.undo()
    single = RamboModelEnv(mdp=tiny_mdp, rollout_length=10)
    for i in range(n):
        single.reset(options={"state": obs[i]})
        monkeypatch.setattr(
            tiny_mdp, "draw", lambda k, rng, i=i: (member_idx[i : i + 1], noise[i : i + 1])
        )
        obs_i, reward_i, terminated_i, truncated_i, _ = single.step(actions[i])
        monkeypatch.undo()
        np.testing.assert_allclose(next_obs[i], obs_i, rtol=1e-5, atol=1e-5)
        assert reward[i] == pytest.approx(reward_i, abs=1e-5)
        assert (terminated[i], truncated[i]) == (terminated_i, truncated_i)


def test_one_model_forward_per_step(tiny_mdp, monkeypatch):
    calls, predict_rows = [], tiny_mdp.ensemble.predict_rows

    def counting_predict_rows(obs, action, member_idx):
        calls.append(member_idx.clone())
        return predict_rows(obs, action, member_idx)

    def all_members_forward(*args):
        raise AssertionError("the vector env must not run every member on every row")

    monkeypatch.setattr(tiny_mdp.ensemble, "predict_rows", counting_predict_rows)
    monkeypatch.setattr(tiny_mdp.ensemble, "forward", all_members_forward)
    envs = RamboModelVectorEnv(512, mdp=tiny_mdp)
    envs.reset(seed=0)
    for step in range(1, 4):
        envs.step(np.zeros((512, 3), dtype=np.float32))
        assert len(calls) == step  # one batched forward, each row under its own elite
        assert calls[-1].shape == (512,)
        assert set(calls[-1].tolist()) == set(tiny_mdp.ensemble.elite_idx.tolist())


def test_next_step_autoreset_with_per_row_counters(tiny_mdp):
    n, k = 64, 3
    mdp = _mixed_termination_mdp(tiny_mdp)
    envs = RamboModelVectorEnv(n, mdp=mdp, rollout_length=k)
    envs.reset(seed=4)
    steps = np.zeros(n, dtype=int)  # expected per-row counters
    pending = np.zeros(n, dtype=bool)  # rows that must autoreset at this step
    saw_reset = saw_mid_reset = False
    for _ in range(10):
        obs, reward, terminated, truncated, _ = envs.step(np.zeros((n, 3), dtype=np.float32))
        steps = np.where(pending, 0, steps + 1)
        assert not terminated[pending].any() and not truncated[pending].any()
        assert (reward[pending] == 0.0).all()
        in_dataset = (mdp.start_obs[None] == torch.from_numpy(obs)[:, None]).all(-1).any(-1)
        assert in_dataset.numpy()[pending].all()  # fresh start states
        np.testing.assert_array_equal(truncated[~pending], steps[~pending] >= k)
        saw_reset |= pending.any()
        saw_mid_reset |= (pending & (steps == 0)).any() and (~pending & (steps == 1)).any()
        pending = terminated | truncated
    assert saw_reset and saw_mid_reset  # rows restart at different times


def test_reset_options_and_action_errors(tiny_mdp):
    envs = RamboModelVectorEnv(3, mdp=tiny_mdp)
    state = np.arange(33, dtype=np.float32).reshape(3, 11) / 10
    obs, _ = envs.reset(options={"state": state})
    np.testing.assert_array_equal(obs, state)
    with pytest.raises(ValueError, match=r"action: expected shape \(3, 3\), got \(2, 3\)"):
        envs.step(np.zeros((2, 3), dtype=np.float32))
    state[2, 5] = np.inf
    with pytest.raises(ValueError, match=r'options\["state"\]\[2, 5\]: not finite'):
        envs.reset(options={"state": state})
    with pytest.raises(ValueError, match="num_envs: expected a positive int, got 0"):
        RamboModelVectorEnv(0, mdp=tiny_mdp)
    envs.reset(seed=0)
    actions = np.zeros((3, 3), dtype=np.float32)
    actions[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"action\[1, 2\]: not finite"):
        envs.step(actions)  # was clipped to NaN and rolled through the model
    with pytest.raises(ValueError, match=r"options: unknown key\(s\) \['states'\]"):
        envs.reset(options={"states": state})
    with pytest.raises(ValueError, match=r'options\["state"\]: expected real numbers of shape'):
        envs.reset(options={"state": [["a"] * 11] * 3})  # was numpy's "could not convert"
    with pytest.raises(ValueError, match=r"action: expected real numbers of shape \(3, 3\)"):
        envs.step(np.zeros((3, 3), dtype=np.complex64))  # was the imaginary part dropped


def test_out_of_bounds_actions_are_clipped_to_the_action_space(tiny_mdp):
    a, b = RamboModelVectorEnv(3, mdp=tiny_mdp), RamboModelVectorEnv(3, mdp=tiny_mdp)
    np.testing.assert_array_equal(a.reset(seed=4)[0], b.reset(seed=4)[0])
    inside = np.tile(np.array([1.0, -1.0, 0.5], dtype=np.float32), (3, 1))
    outside = np.tile(np.array([5.0, -7.0, 0.5], dtype=np.float32), (3, 1))
    with pytest.warns(UserWarning, match=r"^action\[0, 0\] = 5 is outside the action space \[-1, 1\]; the model env clips it \(6 entr"):  # fmt: skip
        np.testing.assert_array_equal(a.step(inside)[0], b.step(outside)[0])
    with warnings.catch_warnings():  # probe 34: one warning per env instance
        warnings.simplefilter("error")
        b.step(outside)


def test_same_seed_same_steps_and_pickle(tiny_mdp):
    a = RamboModelVectorEnv(8, mdp=tiny_mdp, rollout_length=2)
    b = RamboModelVectorEnv(8, mdp=tiny_mdp, rollout_length=2)
    np.testing.assert_array_equal(a.reset(seed=5)[0], b.reset(seed=5)[0])
    actions = np.full((8, 3), 0.4, dtype=np.float32)
    for x, y in zip(a.step(actions), b.step(actions), strict=True):
        np.testing.assert_array_equal(x, y)
    clone = pickle.loads(pickle.dumps(a))
    for _ in range(3):
        for x, y in zip(a.step(actions), clone.step(actions), strict=True):
            np.testing.assert_array_equal(x, y)


def test_reset_seed_list_and_bad_seeds_name_seed(tiny_mdp):
    envs = RamboModelVectorEnv(3, mdp=tiny_mdp)
    # Gymnasium's per-env list: the rows share one generator, so refused by name (was
    # gymnasium's raw "Seed must be a python integer")
    for seed in ([1, 2, 3], (1, 2, 3), np.array([1, 2, 3])):
        with pytest.raises(ValueError, match=r"^seed: a list of per-env seeds .* one seed seeds"):
            envs.reset(seed=seed)
    for seed in (-1, 1.5, "1", True):
        with pytest.raises(ValueError, match=r"^seed: expected an int >= 0 or None, got"):
            envs.reset(seed=seed)
    single = RamboModelEnv(mdp=tiny_mdp)
    with pytest.raises(ValueError, match=r"^seed: expected an int >= 0 or None, got \[1\]"):
        single.reset(seed=[1])
    # numpy ints are seeds (was refused by gymnasium): the same draws as the python int
    a, _ = envs.reset(seed=np.int64(5))
    b, _ = envs.reset(seed=5)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(single.reset(seed=np.int64(5))[0], single.reset(seed=5)[0])


def test_more_rows_than_memory_holds_are_refused_before_any_allocation(tiny_mdp):
    """Probe 15: ``RamboModelVecEnv(mdp, 10**9)`` (or ``gym.make_vec(…, num_envs=10**9)``)
    allocated until the out-of-memory killer ended the process, without a message."""
    import gymnasium as gym

    from agents.vec_env import RamboModelVecEnv

    for make in (
        lambda n: RamboModelVecEnv(tiny_mdp, n),
        lambda n: RamboModelVectorEnv(n, mdp=tiny_mdp),
        lambda n: gym.make_vec("RamboModel-hopper-medium", num_envs=n, mdp=tiny_mdp),
    ):
        with pytest.raises(ValueError, match=r"num_envs: 1000000000000000 rows need at least ~"):
            make(10**15)
        assert make(3).num_envs == 3


def test_make_vec_async_with_an_mdp_is_refused(tiny_mdp):
    """Probe 17: async workers got pickled copies of the mdp, so the adversary's updates never
    reached them (was: accepted). The default and sync modes share it."""
    from gymnasium.vector import AsyncVectorEnv, SyncVectorEnv

    from rambo_env.envs.model_env import RamboModelEnv

    with pytest.raises(ValueError, match=r"mdp: an AsyncVectorEnv .* use the default mode"):
        gym.make_vec(
            "RamboModel-hopper-medium", num_envs=2, vectorization_mode="async", mdp=tiny_mdp
        )
    with pytest.raises(ValueError, match="mdp: an AsyncVectorEnv"):
        AsyncVectorEnv([lambda: RamboModelEnv(mdp=tiny_mdp)] * 2)
    sync = gym.make_vec(
        "RamboModel-hopper-medium", num_envs=2, vectorization_mode="sync", mdp=tiny_mdp
    )
    assert isinstance(sync, SyncVectorEnv)
    assert all(env.unwrapped.mdp is tiny_mdp for env in sync.envs)


def test_per_env_wrappers_need_the_sync_mode_or_a_vector_wrapper(tiny_mdp):
    """Probe 30: ``gym.make_vec(id, num_envs=3, wrappers=[ClipAction], mdp=mdp)`` is Gymnasium's
    own "Cannot use `vector_entry_point` vectorization mode with the wrappers argument", raised
    in ``make_vec`` before this project's code runs (README, "When things go wrong"). The two
    ways the README gives both work."""
    from gymnasium.wrappers import ClipAction
    from gymnasium.wrappers.vector import ClipAction as VectorClipAction

    with pytest.raises(gym.error.Error, match="Cannot use `vector_entry_point` vectorization"):
        gym.make_vec("RamboModel-hopper-medium", num_envs=3, wrappers=[ClipAction], mdp=tiny_mdp)
    synced = gym.make_vec(
        "RamboModel-hopper-medium",
        num_envs=3,
        vectorization_mode="sync",
        wrappers=[ClipAction],
        mdp=tiny_mdp,
    )
    batched = VectorClipAction(gym.make_vec("RamboModel-hopper-medium", num_envs=3, mdp=tiny_mdp))
    for envs in (synced, batched):
        envs.reset(seed=0)
        obs, *_ = envs.step(np.full((3, 3), 5.0, np.float32))  # clipped to the action space
        assert obs.shape == (3, 11) and np.isfinite(obs).all()
        envs.close()
