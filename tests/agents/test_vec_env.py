"""RamboModelVecEnv (SB3): row-by-row equality with the single env, immediate autoreset with
terminal_observation / TimeLimit.truncated infos, seeding, attribute access, SB3 SAC learn."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from stable_baselines3 import SAC

from agents.vec_env import RamboModelVecEnv
from rambo_env.envs.model_env import RamboModelEnv
from rambo_env.model import LearnedMDP
from tests.envs.tiny_mdp import make_tiny_mdp


@pytest.fixture(scope="module")
def mdp() -> LearnedMDP:
    return make_tiny_mdp()


def _mixed_termination_mdp(mdp: LearnedMDP) -> LearnedMDP:
    """Same model, but about half the rows terminate at every step (height below standing)."""
    return LearnedMDP(mdp.ensemble, mdp.normalizer, lambda raw: raw[:, 0] < 1.25, mdp.start_obs)


def _record(monkeypatch, mdp: LearnedMDP, name: str) -> list:
    calls, fn = [], getattr(mdp, name)

    def recording(*args, **kwargs):
        out = fn(*args, **kwargs)
        # Clones: the VecEnv overwrites done rows of the returned tensor in place (autoreset).
        calls.append(tuple(x.clone() for x in out) if isinstance(out, tuple) else out.clone())
        return out

    monkeypatch.setattr(mdp, name, recording)
    return calls


def test_rows_equal_single_env_for_same_member_and_noise(mdp, monkeypatch):
    n = 5
    venv = RamboModelVecEnv(mdp, n, rollout_length=10, seed=0)
    obs = venv.reset()
    assert obs.dtype == np.float32 and obs.shape == (n, 11)
    draws = _record(monkeypatch, mdp, "draw")
    actions = np.random.default_rng(1).uniform(-1, 1, (n, 3)).astype(np.float32)
    next_obs, reward, done, infos = venv.step(actions)
    assert reward.dtype == np.float32 and done.dtype == bool and infos == [{}] * n
    member_idx, noise = draws[0]
    monkeypatch.undo()
    single = RamboModelEnv(mdp=mdp, rollout_length=10)
    for i in range(n):
        single.reset(options={"state": obs[i]})
        monkeypatch.setattr(
            mdp, "draw", lambda k, rng, i=i: (member_idx[i : i + 1], noise[i : i + 1])
        )
        obs_i, reward_i, terminated_i, _, _ = single.step(actions[i])
        monkeypatch.undo()
        np.testing.assert_allclose(next_obs[i], obs_i, rtol=1e-5, atol=1e-5)
        assert reward[i] == pytest.approx(reward_i, abs=1e-5)
        assert done[i] == terminated_i


def test_immediate_autoreset_and_infos(mdp, monkeypatch):
    n, k = 64, 3
    core = _mixed_termination_mdp(mdp)
    venv = RamboModelVecEnv(core, n, rollout_length=k, seed=2)
    venv.reset()
    steps = _record(monkeypatch, core, "step_with")
    starts = _record(monkeypatch, core, "initial")
    counters = np.zeros(n, dtype=int)
    seen_timeout = seen_terminal = False
    for t in range(8):
        obs, _, done, infos = venv.step(np.zeros((n, 3), dtype=np.float32))
        model_obs, _, terminated = (x.numpy() for x in steps[-1])
        counters += 1
        truncated = counters >= k
        np.testing.assert_array_equal(done, terminated | truncated)
        for i in range(n):
            if not done[i]:
                assert infos[i] == {}
                np.testing.assert_array_equal(obs[i], model_obs[i])
                continue
            np.testing.assert_array_equal(infos[i]["terminal_observation"], model_obs[i])
            assert infos[i]["TimeLimit.truncated"] == bool(truncated[i] and not terminated[i])
        np.testing.assert_array_equal(obs[done], starts[-1].numpy())  # reset in the same step
        seen_timeout |= any(info.get("TimeLimit.truncated") for info in infos)
        seen_terminal |= bool(terminated.any())
        counters[done] = 0
        assert len(starts) == t + 1  # one batched reset of the done rows per step
    assert seen_timeout and seen_terminal


def test_seed_applies_at_next_reset(mdp):
    a, b = RamboModelVecEnv(mdp, 16), RamboModelVecEnv(mdp, 16)
    assert a.seed(7) == [7] * 16
    b.seed(7)
    np.testing.assert_array_equal(a.reset(), b.reset())
    actions = np.full((16, 3), -0.3, dtype=np.float32)
    np.testing.assert_array_equal(a.step(actions)[0], b.step(actions)[0])
    b.seed(8)
    assert not np.array_equal(a.reset(), b.reset())


def test_out_of_bounds_actions_are_clipped_to_the_action_space(mdp):
    a, b = RamboModelVecEnv(mdp, 4), RamboModelVecEnv(mdp, 4)
    a.seed(3)
    b.seed(3)
    np.testing.assert_array_equal(a.reset(), b.reset())
    inside = np.tile(np.array([1.0, -1.0, 0.5], dtype=np.float32), (4, 1))
    outside = np.tile(np.array([5.0, -7.0, 0.5], dtype=np.float32), (4, 1))
    with pytest.warns(UserWarning, match=r"^action\[0, 0\] = 5 is outside the action space"):
        np.testing.assert_array_equal(a.step(inside)[0], b.step(outside)[0])
    with warnings.catch_warnings():  # probe 34: one warning per env instance
        warnings.simplefilter("error")
        b.step(outside)


def test_attribute_access(mdp):
    venv = RamboModelVecEnv(mdp, 4, rollout_length=2)
    assert venv.get_attr("rollout_length") == [2, 2, 2, 2]
    assert venv.get_attr("mdp", indices=[1, 3]) == [mdp, mdp]
    assert venv.env_is_wrapped(object, indices=2) == [False]
    assert venv.env_method("seed", 3) == [[3] * 4] * 4
    # probe 23: env_method("reset", indices=[1]) reset every row and answered with one batch
    with pytest.raises(ValueError, match=r"env_method: indices=\[1\]: the 4 rows share one core"):
        venv.env_method("reset", indices=[1])
    venv.set_attr("rollout_length", 1)
    venv.reset()
    assert venv.step(np.zeros((4, 3), dtype=np.float32))[2].all()  # k = 1: every row done
    with pytest.raises(ValueError, match=r"set_attr: indices=\[0\]: the 4 rows share one core"):
        venv.set_attr("rollout_length", 3, indices=[0])
    # Probe 14: both were taken silently (rollout_length 0; a new attribute for the typo).
    with pytest.raises(ValueError, match="rollout_length: expected a positive int, got 0"):
        venv.set_attr("rollout_length", 0)
    with pytest.raises(AttributeError, match="set_attr: RamboModelVecEnv has no attribute"):
        venv.set_attr("rollout_lenght", 3)
    with pytest.raises(ValueError, match="num_envs: expected a positive int"):
        RamboModelVecEnv(mdp, 0)


def test_reset_options_start_rows_from_given_states(mdp):
    """Probe 18: SB3's ``set_options({"state": …})`` was ignored (a typo too): the rows started
    from dataset states, silently. Now a dict goes to every row, a list row by row, once."""
    venv = RamboModelVecEnv(mdp, 3, seed=0)
    state = np.arange(11, dtype=np.float32) / 10
    venv.set_options({"state": state})
    np.testing.assert_array_equal(venv.reset(), np.tile(state, (3, 1)))
    assert not (venv.reset() == state).all(-1).any()  # options are used once, as in SB3
    venv.set_options([{}, {"state": -state}, {}])
    obs = venv.reset()
    np.testing.assert_array_equal(obs[1], -state)
    assert not (obs[[0, 2]] == -state).all(-1).any()
    venv.set_options({"stat": state})
    with pytest.raises(ValueError, match=r"options: unknown key\(s\) \['stat'\]"):
        venv.reset()
    venv.set_options({"state": np.full(11, np.nan)})
    with pytest.raises(ValueError, match=r'options\["state"\]\[0\]: not finite'):
        venv.reset()
    venv.set_options({"state": np.zeros(5)})
    with pytest.raises(ValueError, match=r'options\["state"\]: .* shape \(11,\), got \(5,\)'):
        venv.reset()
    venv.set_options([{}, {}])
    with pytest.raises(ValueError, match="options: set_options got 2 dicts for 3 rows"):
        venv.reset()


def test_set_options_takes_a_batch_of_one_state_per_row(mdp):
    """Probe 37: ``set_options({"state": <[4, 11] batch>})`` was refused with "observation(s)
    of shape (11,)" (SB3 hands the dict to every row), though RamboModelVectorEnv.reset takes a
    batch. Row i now starts from state[i]; a batch of another row count is named."""
    venv = RamboModelVecEnv(mdp, 3, seed=0)
    batch = np.arange(33, dtype=np.float32).reshape(3, 11) / 100
    for given in (batch, batch.tolist(), torch.as_tensor(batch)):
        venv.set_options({"state": given})
        np.testing.assert_allclose(venv.reset(), batch, rtol=1e-6)
    with pytest.raises(ValueError) as refused:
        venv.set_options({"state": np.zeros((4, 11), np.float32)})
    assert str(refused.value) == (
        'options["state"]: a batch of 4 observation(s) for 3 rows; give one per row [3, 11], '
        "one observation [O] for every row, or a list of one dict per row"
    )


def test_set_attr_of_the_core_and_bad_indices_are_refused(mdp):
    """Probe 18: ``set_attr("num_envs", 7)`` / ``("mdp", None)`` were taken, then torch's size
    mismatch or an AttributeError at the next step; an index past the rows answered as row 0."""
    venv = RamboModelVecEnv(mdp, 4, seed=0)
    for name, value in (("num_envs", 7), ("mdp", None), ("action_space", None)):
        with pytest.raises(ValueError, match=f"set_attr: '{name}' cannot be changed"):
            venv.set_attr(name, value)
    assert venv.num_envs == 4 and venv.mdp is mdp
    with pytest.raises(IndexError, match=r"indices: row 10 is out of range for 4 rows"):
        venv.get_attr("rollout_length", indices=[10])
    with pytest.raises(IndexError, match=r"indices: row 4 is out of range"):
        venv.env_method("seed", 3, indices=4)
    assert venv.get_attr("rollout_length", indices=[-1]) == [5]


def test_from_env_shares_the_core(mdp):
    env = RamboModelEnv(mdp=mdp, rollout_length=4)
    venv = RamboModelVecEnv.from_env(env, 10, seed=0)
    assert venv.mdp is mdp and venv.rollout_length == 4 and venv.num_envs == 10


def test_from_env_refuses_wrappers_it_would_drop(mdp):
    """Probe 18: ``from_env(NormalizeObservation(env), n)`` (or ``TransformReward``) rolled out
    the unwrapped env's rows: the wrappers were dropped without a word."""
    import gymnasium as gym

    env = gym.make("RamboModel-hopper-medium", mdp=mdp)
    for wrapped, name in (
        (gym.wrappers.NormalizeObservation(env), "NormalizeObservation"),
        (gym.wrappers.TransformReward(env, lambda r: 10 * r), "TransformReward"),
        (gym.wrappers.ClipAction(gym.wrappers.TimeLimit(env, 3)), "ClipAction"),
    ):
        with pytest.raises(ValueError, match=rf"env: wrapped in {name}, which .*would drop"):
            RamboModelVecEnv.from_env(wrapped, 4)
    assert RamboModelVecEnv.from_env(env, 4).mdp is mdp  # gym.make's own wrappers: fine


def test_from_env_of_a_real_env_is_one_error():
    """Probe 12: ``RamboModelVecEnv.from_env(gym.make("Hopper-v5"), 4)`` gave a raw
    AttributeError ('HopperEnv' object has no attribute 'mdp')."""
    import gymnasium as gym

    with pytest.raises(ValueError, match=r"env: expected a RamboModelEnv .*got HopperEnv"):
        RamboModelVecEnv.from_env(gym.make("Hopper-v5"), 4)


def test_sb3_sac_learns_from_model_rollouts(mdp):
    n, k = 16, 4
    venv = RamboModelVecEnv(mdp, n, rollout_length=k)
    agent = SAC(
        "MlpPolicy",
        venv,
        learning_starts=0,
        train_freq=(k, "step"),  # one collect = one k-step rollout of every row (Alg. 1 line 3)
        gradient_steps=5,
        batch_size=32,
        policy_kwargs=dict(net_arch=[32, 32]),
        seed=0,
        device="cpu",
    )
    agent.learn(n * k * 2)
    assert agent.num_timesteps == n * k * 2 and agent.replay_buffer.pos == 2 * k
    dones = agent.replay_buffer.dones[: 2 * k].astype(bool)  # [2k, n]
    timeouts = agent.replay_buffer.timeouts[: 2 * k].astype(bool)
    assert not (timeouts & ~dones).any()
    assert timeouts.any()  # the k-step truncations reach SB3's buffer as timeouts
    # A row that never terminated is truncated exactly at steps k and 2k.
    clean = ~(dones & ~timeouts).any(0)
    assert clean.any()
    np.testing.assert_array_equal(timeouts[k - 1, clean], True)
    np.testing.assert_array_equal(timeouts[2 * k - 1, clean], True)
    assert not torch.isnan(next(agent.actor.parameters())).any()


def test_a_model_with_non_finite_weights_is_one_error_at_step_wait():
    """Issue 14 (probe 33): SB3's front-end returned NaN rewards (and hid the NaN states behind
    its auto-reset) for a model with NaN weights, silently."""
    from rambo_env.model import NonFiniteModelError
    from tests.envs.test_model_env import nan_weight_mdp

    broken, name = nan_weight_mdp(make_tiny_mdp())
    env = RamboModelVecEnv(broken, 2, 2)
    env.reset()
    with pytest.raises(NonFiniteModelError, match=rf"^step_wait: .*non-finite \({name}"):
        env.step(np.zeros((2, 3), np.float32))


def test_the_mdp_attribute_is_checked_on_assignment(mdp):
    """As the Gymnasium model envs (probe 36): ``venv.mdp = None`` was taken, then a raw
    ``AttributeError`` at the next step (``set_attr`` already refused it)."""
    venv = RamboModelVecEnv(mdp, 2)
    with pytest.raises(ValueError, match=r"^mdp: expected a LearnedMDP, got NoneType"):
        venv.mdp = None
    with pytest.raises(ValueError, match=r"^set_attr: 'mdp' cannot be changed"):
        venv.set_attr("mdp", None)
    venv.mdp = mdp  # the same model: fine
    assert venv.mdp is mdp and venv.reset().shape == (2, mdp.obs_dim)
    assert pickle.loads(pickle.dumps(venv)).mdp.obs_dim == mdp.obs_dim
