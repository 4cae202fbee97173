"""Probe 98 (fixer h): a user's own env and data at load time (the env's API and spaces, time-limit
ends as terminals, gymnasium's autoreset rows, a grid env's real 'no move' ends)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from rambo_env import load_dataset
from rambo_env.evaluation import evaluate_policy
from rambo_env.normalization import ObsNormalizer


class Drift(gym.Env):
    """A 2-d point pushed by the action; never terminates (Reach2D of the probe)."""

    def __init__(self, low=(-2.0, -2.0), high=(2.0, 2.0)) -> None:
        self.observation_space = spaces.Box(-np.inf, np.inf, (2,), np.float64)
        self.action_space = spaces.Box(np.array(low, np.float32), np.array(high, np.float32))

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.s = self.np_random.uniform(-1, 1, 2)
        return self.s.copy(), {}

    def step(self, a):
        self.s = self.s + 0.05 * np.clip(a, self.action_space.low, self.action_space.high)
        return self.s.copy(), -float(np.linalg.norm(self.s)), False, False, {}


class OldAPI(Drift):
    def step(self, a):
        o, r, te, tr, i = super().step(a)
        return o, r, te or tr, i


class NoSeed(Drift):
    def reset(self):
        return super().reset()


class ArrRew(Drift):
    def step(self, a):
        o, r, te, tr, i = super().step(a)
        return o, np.array([r]), np.array([te]), tr, i


class ArrTerm(Drift):
    def step(self, a):
        o, r, te, tr, i = super().step(a)
        return o, np.float32(r), np.array([te]), tr, i


class Grid(gym.Env):
    """Integer positions; rounded moves, clipped at the walls: real 'no move' steps."""

    def __init__(self) -> None:
        self.observation_space = spaces.Box(0, 20, (2,), np.int64)
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.p = self.np_random.integers(5, 15, 2)
        return self.p.copy(), {}

    def step(self, a):
        self.p = np.clip(self.p + np.rint(2 * np.asarray(a)).astype(np.int64), 0, 20)
        d = int(np.abs(self.p - 10).sum())
        return self.p.copy(), -float(d), d == 0, False, {}


for _name, _cls, _kw in (
    ("P98hDrift-v0", Drift, {}),
    ("P98hOldAPI-v0", OldAPI, {}),
    ("P98hNoSeed-v0", NoSeed, {}),
    ("P98hArrRew-v0", ArrRew, {}),
    ("P98hArrTerm-v0", ArrTerm, {}),
    ("P98hFixed-v0", Drift, {"low": (-2.0, 0.0), "high": (2.0, 0.0)}),
    ("P98hGrid-v0", Grid, {}),
):
    if _name not in gym.registry:
        gym.register(
            _name, entry_point=_cls, max_episode_steps=40 if "Drift" in _name else 30, kwargs=_kw
        )


def collect(env_id: str, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """n rows of random actions in env_id (gym.make's time limit), D4RL keys."""
    env = gym.make(env_id)
    rng = np.random.default_rng(seed)
    rows: dict[str, list] = {k: [] for k in ("observations", "actions", "rewards",
                                             "next_observations", "terminals", "timeouts")}  # fmt: skip
    obs, _ = env.reset(seed=seed)
    while len(rows["rewards"]) < n:
        a = rng.uniform(-1, 1, 2).astype(np.float32)
        nxt, r, te, tr, _ = env.step(a)
        for k, v in zip(rows, (obs, a, r, nxt, te, tr and not te), strict=True):
            rows[k].append(v)
        obs = env.reset()[0] if te or tr else nxt
    return {k: np.asarray(v) for k, v in rows.items()}


def _save(tmp_path, name: str, arrays: dict, env_id: str) -> str:
    path = tmp_path / f"{name}.npz"
    np.savez(path, **arrays, env_id=env_id)
    return str(path)


@pytest.mark.parametrize(
    ("env_id", "says"),
    [
        # probe 98 row 51: was "not enough values to unpack (expected 5, got 4)" after the MLE
        ("P98hOldAPI-v0", "step returned a tuple of 4 (old gym's (obs, reward, done, info))"),
        # probe 98 row 52: was Python's "reset() got an unexpected keyword argument 'seed'"
        ("P98hNoSeed-v0", "reset takes no seed (reset())"),
        # probe 98 row 53: was numpy's "only 0-dimensional arrays can be converted …"
        ("P98hArrRew-v0", "step returned reward ndarray of shape (1,)"),
        ("P98hArrTerm-v0", "step returned terminated ndarray of shape (1,)"),
        # probe 98 row 49: was "action_space: expected low < high …" after the MLE pretraining
        ("P98hFixed-v0", "has low >= high on 1 dimension(s) (first: action[1]"),
    ],
)
def test_own_env_api_checked_at_load(tmp_path, env_id, says) -> None:
    d = collect("P98hDrift-v0", 120)
    d["actions"][:, 1] = 0.0  # in P98hFixed-v0's bounds
    path = _save(tmp_path, "drift", d, "P98hDrift-v0")
    with pytest.raises(ValueError) as err:
        load_dataset(path, env_id=env_id)
    msg = str(err.value)
    assert msg.startswith(f"env {env_id!r}: ") and says in msg
    if "Fixed" not in env_id:
        assert "Gymnasium >= 1.0 API" in msg


def test_own_env_api_checked_by_evaluate_policy(tmp_path) -> None:
    # probe 98 rows 51-53: evaluate_policy was Python's / numpy's raw errors
    ds = load_dataset(_save(tmp_path, "drift", collect("P98hDrift-v0", 120), "P98hDrift-v0"))
    norm = ObsNormalizer.from_dataset(ds)
    act = lambda o: np.zeros((len(o), 2), np.float32)  # noqa: E731
    with pytest.raises(ValueError, match=r"^env 'P98hArrRew-v0': step returned reward"):
        evaluate_policy(act, "P98hArrRew-v0", norm, n_episodes=1)
    result = evaluate_policy(act, "P98hDrift-v0", norm, n_episodes=1)
    assert result.lengths.tolist() == [40]


def test_builtin_envs_pass_the_api_check() -> None:
    from rambo_env.evaluation import check_env_api

    for env_id in ("Hopper-v5", "HalfCheetah-v5", "Pendulum-v1"):
        with gym.make(env_id) as env:
            check_env_api(env, env_id)


def test_time_limit_ends_as_terminals_warned(tmp_path, capsys) -> None:
    # probe 98 row 19: every episode the spec's 40 steps, each end a terminal, no timeouts,
    # an env without a known rule: loaded without a word
    d = collect("P98hDrift-v0", 400)
    d["terminals"], d["timeouts"] = d["terminals"] | d["timeouts"], np.zeros(400, bool)
    load_dataset(_save(tmp_path, "tl", d, "P98hDrift-v0"))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1
    assert "all 10 terminal row(s) end an episode at exactly P98hDrift-v0's time limit (40" in out
    assert "record them as timeouts" in out
    load_dataset(_save(tmp_path, "ok", collect("P98hDrift-v0", 400), "P98hDrift-v0"))
    assert "WARNING" not in capsys.readouterr().out


def test_autoreset_rows_named(tmp_path, capsys) -> None:
    # probe 98 row 21: was "next states built by shifting observations across episode ends
    # (np.roll / observations[1:])?"
    d = collect("P98hDrift-v0", 400)
    rows: dict[str, list] = {k: [] for k in d}
    for i in range(400):
        for k in d:
            rows[k].append(d[k][i])
        if d["timeouts"][i] and i + 1 < 400:  # NEXT_STEP autoreset: final state -> reset state
            for k, v in (("observations", d["next_observations"][i]), ("actions", d["actions"][i]),
                         ("rewards", 0.0), ("next_observations", d["observations"][i + 1]),
                         ("terminals", False), ("timeouts", False)):  # fmt: skip
                rows[k].append(v)
    load_dataset(_save(tmp_path, "ar", {k: np.asarray(v) for k, v in rows.items()}, "P98hDrift-v0"))
    out = capsys.readouterr().out
    assert "gymnasium's next-step autoreset rows (a vector env's AutoresetMode.NEXT_STEP" in out
    assert "np.roll" not in out and "SAME_STEP" in out


def test_grid_no_move_ends_not_a_placeholder(tmp_path, capsys) -> None:
    # probe 98 row 45: was "4 of 54 episode-end row(s) … store their own observation as next
    # state: a converter's 'no next state' placeholder" (real no-move steps, as on 6.8 % of
    # the other rows)
    d = collect("P98hGrid-v0", 1500, seed=2)
    ends = d["terminals"] | d["timeouts"]
    same = (d["next_observations"] == d["observations"]).all(axis=1)
    assert same[ends].any() and same[~ends].mean() > 0.02  # the probe's pattern
    load_dataset(_save(tmp_path, "grid", d, "P98hGrid-v0"))
    assert "placeholder" not in capsys.readouterr().out
