"""Probe 110 rows 1-6: an env registered behind an observation wrapper (the
``FlattenObservation`` the image / 2-D / Dict errors advise, ``TimeAwareObservation``) was refused
at the load and by evaluate_policy: the API check stepped ``env.unwrapped`` and compared its
observation with the wrapped env's space."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from rambo_env import load_dataset
from rambo_env.evaluation import check_env_api, evaluate_policy
from rambo_env.normalization import ObsNormalizer


class DictDrift(gym.Env):
    """A 3-d point pushed by the action, with a fixed 2-d goal: Dict observations."""

    def __init__(self) -> None:
        box = spaces.Box(-np.inf, np.inf, (3,), np.float32)
        self.observation_space = spaces.Dict({"obs": box, "goal": spaces.Box(-1, 1, (2,))})
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.o = self.np_random.uniform(-1, 1, 3).astype(np.float32)
        self.g = self.np_random.uniform(-1, 1, 2).astype(np.float32)
        return self._obs(), {}

    def _obs(self):
        return {"obs": self.o.copy(), "goal": self.g.copy()}

    def step(self, a):
        self.o = (self.o + 0.1 * float(np.mean(a))).astype(np.float32)
        return self._obs(), -float(np.abs(self.o).mean()), False, False, {}


class TupleDrift(DictDrift):
    def __init__(self) -> None:
        super().__init__()
        self.observation_space = spaces.Tuple(tuple(self.observation_space.spaces.values()))

    def _obs(self):
        return (self.o.copy(), self.g.copy())


class ImageDrift(gym.Env):
    """An 8x8x3 uint8 image whose brightness the action moves."""

    def __init__(self) -> None:
        self.observation_space = spaces.Box(0, 255, (8, 8, 3), np.uint8)
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.v = float(self.np_random.uniform(60, 200))
        return np.full((8, 8, 3), int(self.v), np.uint8), {}

    def step(self, a):
        self.v = float(np.clip(self.v + 10 * np.mean(a), 0, 255))
        obs = np.full((8, 8, 3), int(self.v), np.uint8)
        return obs, -abs(self.v - 128) / 128, False, False, {}


class WrongShape(gym.ObservationWrapper):
    """A user's own wrapper that declares 4 values and returns 3: still refused."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.observation_space = spaces.Box(-np.inf, np.inf, (4,), np.float32)

    def observation(self, obs):
        return np.asarray(obs["obs"], np.float32)


def _flat(inner: str):
    def make(**kw):
        return gym.wrappers.FlattenObservation(gym.make(inner, **kw))

    return make


for _name, _entry, _limit in (
    ("P110tDict-v0", f"{__name__}:DictDrift", 50),  # a string: Minari serialises the spec
    ("P110tTuple-v0", f"{__name__}:TupleDrift", 50),
    ("P110tImage-v0", f"{__name__}:ImageDrift", 50),
    ("P110tDictFlat-v0", _flat("P110tDict-v0"), None),
    ("P110tTupleFlat-v0", _flat("P110tTuple-v0"), None),
    ("P110tImageFlat-v0", _flat("P110tImage-v0"), None),
    ("P110tWrongShape-v0", lambda **kw: WrongShape(gym.make("P110tDict-v0", **kw)), None),
    (
        "P110tPendTime-v0",
        lambda **kw: gym.wrappers.TimeAwareObservation(gym.make("Pendulum-v1", **kw)),
        None,
    ),
):
    if _name not in gym.registry:
        gym.register(_name, entry_point=_entry, max_episode_steps=_limit)

FLAT_OF = {
    inner: inner.replace("-v0", "Flat-v0")
    for inner in ("P110tDict-v0", "P110tTuple-v0", "P110tImage-v0")
}
WRAPPED = ("P110tDictFlat-v0", "P110tTupleFlat-v0", "P110tImageFlat-v0", "P110tPendTime-v0")


def collect(env_id: str | None, n: int, seed: int = 0, env: gym.Env | None = None) -> dict:
    """n rows of random actions in ``env`` (else ``gym.make(env_id)``), D4RL keys."""
    env = env or gym.make(env_id)
    env.action_space.seed(seed)
    rows: dict[str, list] = {k: [] for k in ("observations", "actions", "rewards",
                                             "next_observations", "terminals", "timeouts")}  # fmt: skip
    obs, _ = env.reset(seed=seed)
    while len(rows["rewards"]) < n:
        a = env.action_space.sample()
        nxt, r, te, tr, _ = env.step(a)
        tr = tr or len(rows["rewards"]) == n - 1
        for k, v in zip(rows, (obs, a, r, nxt, te, tr and not te), strict=True):
            rows[k].append(v)
        obs = env.reset()[0] if te or tr else nxt
    env.close()
    return {k: np.asarray(v) for k, v in rows.items()}


@pytest.mark.parametrize("env_id", WRAPPED)
def test_wrapped_env_passes_the_api_check(env_id) -> None:
    # was: "step returned an observation of shape (8, 8, 3), but its observation space
    # Box(0, 255, (192,), uint8) …" (a Tuple: numpy's raw "inhomogeneous shape")
    with gym.make(env_id) as env:
        check_env_api(env, env_id)


@pytest.mark.parametrize("env_id", WRAPPED)
def test_wrapped_env_data_load(env_id) -> None:
    ds = load_dataset(collect(env_id, 300), env_id=env_id)
    assert ds.obs_dim == gym.make(env_id).observation_space.shape[0]


def test_wrapper_of_the_wrong_shape_still_refused() -> None:
    with gym.make("P110tWrongShape-v0") as env, pytest.raises(ValueError) as err:
        check_env_api(env, "P110tWrongShape-v0")
    assert "step returned an observation of shape (3,)" in str(err.value)
    assert "has shape (4,)" in str(err.value)


def test_tuple_observation_of_a_box_env_named() -> None:
    # an env declaring a Box but returning a tuple: was numpy's raw "inhomogeneous shape" error
    class Liar(TupleDrift):
        def __init__(self) -> None:
            super().__init__()
            self.observation_space = spaces.Box(-np.inf, np.inf, (5,), np.float32)

    with pytest.raises(ValueError, match=r"^env 'liar': step returned a tuple, but its obs"):
        check_env_api(Liar(), "liar")


@pytest.mark.parametrize("env_id", ("P110tImageFlat-v0", "P110tDictFlat-v0"))
def test_wrapped_env_evaluated_on_wrapped_observations(env_id) -> None:
    ds = load_dataset(collect(env_id, 300), env_id=env_id)
    norm = ObsNormalizer.from_dataset(ds)
    seen: list[np.ndarray] = []

    def act(obs_norm: np.ndarray) -> np.ndarray:
        seen.append(obs_norm)
        return np.zeros((len(obs_norm), 2), np.float32)

    result = evaluate_policy(act, env_id, norm, n_episodes=2)
    assert result.lengths.tolist() == [50, 50]
    assert {o.shape[1] for o in seen} == {ds.obs_dim}  # the flat observations the data hold
