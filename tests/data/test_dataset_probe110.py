"""Probe 110 rows 8-12: data of an env whose action space is Discrete / MultiDiscrete /
MultiBinary, or whose observation space is a Dict / Tuple (the data flattened), were told "the
data do not fit that env; name the env they come from", though they come from it; now the space's
kind and the way out (FlattenObservation), as the Minari path says, on every loader path."""

from __future__ import annotations

import gymnasium as gym
import h5py
import numpy as np
import pytest
from gymnasium import spaces

from rambo_env import load_dataset
from rambo_env.data.d4rl_io import read_d4rl_hdf5
from rambo_env.data.dataset import DatasetValidationError, OfflineDataset
from rambo_env.model import make_mdp
from tests.test_evaluation_probe110 import collect


class DiscreteActions(gym.Env):
    def __init__(self, kind: str = "multidiscrete") -> None:
        self.observation_space = spaces.Box(-np.inf, np.inf, (3,), np.float32)
        self.action_space = {"multidiscrete": spaces.MultiDiscrete([3, 3]),
                             "multibinary": spaces.MultiBinary(2)}[kind]  # fmt: skip

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.x = self.np_random.uniform(-1, 1, 3).astype(np.float32)
        return self.x.copy(), {}

    def step(self, a):
        self.x = (self.x + 0.1 * (float(np.mean(a)) - 1)).astype(np.float32)
        return self.x.copy(), -float(np.abs(self.x).mean()), False, False, {}


for _name, _kind in (("P110tMD-v0", "multidiscrete"), ("P110tMB-v0", "multibinary")):
    if _name not in gym.registry:
        gym.register(
            _name, entry_point=DiscreteActions, kwargs={"kind": _kind}, max_episode_steps=50
        )

DISCRETE = "discrete-action data need a discrete-action offline RL method"
FLAT = "the data are that env's observations flattened; register the env wrapped in gymnasium"


def _cases() -> list[tuple[str, dict, str]]:
    cartpole = collect("CartPole-v1", 200)
    cartpole["actions"] = cartpole["actions"].reshape(-1, 1).astype(np.float32)
    flat = {  # the env's observations flattened, recorded through FlattenObservation
        env_id: collect(None, 200, env=gym.wrappers.FlattenObservation(gym.make(env_id)))
        for env_id in ("P110tDict-v0", "P110tTuple-v0")
    }
    return [
        ("CartPole-v1", cartpole, "that env's action space is a Discrete space; " + DISCRETE),
        ("P110tMD-v0", collect("P110tMD-v0", 200), "is a MultiDiscrete space; " + DISCRETE),
        ("P110tMB-v0", collect("P110tMB-v0", 200), "is a MultiBinary space; " + DISCRETE),
        ("P110tDict-v0", flat["P110tDict-v0"], FLAT),
        ("P110tTuple-v0", flat["P110tTuple-v0"], FLAT),
    ]


CASES = _cases()
IDS = [c[0] for c in CASES]


def _refused(load, says: str) -> str:
    with pytest.raises(DatasetValidationError) as err:
        load()
    msg = str(err.value)
    assert says in msg
    assert "name the env they come from" not in msg  # was: though they come from that env
    assert "fix the env_id" not in msg
    return msg


@pytest.mark.parametrize(("env_id", "arrays", "says"), CASES, ids=IDS)
def test_space_kind_named_for_arrays_and_make_mdp(env_id, arrays, says) -> None:
    _refused(lambda: load_dataset(arrays, env_id=env_id), says)
    ds = OfflineDataset.from_arrays(arrays, env_id=env_id)  # deferred (by design)
    _refused(lambda: load_dataset(ds), says)
    _refused(lambda: make_mdp(ds, cache=False, progress=False), says)


@pytest.mark.parametrize(("env_id", "arrays", "says"), CASES, ids=IDS)
def test_space_kind_named_for_the_env_files_name(tmp_path, env_id, arrays, says) -> None:
    # the env the data name themselves: was "…, the env the data name themselves (npz: …): the
    # data do not fit it; fix the env_id stored with the data"
    np.savez(tmp_path / "d.npz", **arrays, env_id=env_id)
    _refused(lambda: load_dataset(str(tmp_path / "d.npz")), says)
    with h5py.File(tmp_path / "d.hdf5", "w") as f:
        for key, value in arrays.items():
            f.create_dataset(key, data=value)
        f.attrs["env_id"] = env_id
    _refused(lambda: read_d4rl_hdf5(tmp_path / "d.hdf5"), says)
    _refused(lambda: load_dataset(str(tmp_path / "d.hdf5")), says)


def test_dict_data_of_another_size_told_the_flat_size() -> None:
    arrays = collect(
        "P110tDict-v0", 100, env=gym.wrappers.FlattenObservation(gym.make("P110tDict-v0"))
    )
    arrays["observations"] = arrays["observations"][:, :4]
    arrays["next_observations"] = arrays["next_observations"][:, :4]
    msg = _refused(
        lambda: load_dataset(arrays, env_id="P110tDict-v0"),
        "takes flat Box observations (obs_dim,) only, and that env's observation space is a "
        "Dict space (5 values flattened)",
    )
    assert "FlattenObservation" in msg


def test_flat_box_of_another_size_keeps_its_advice() -> None:
    arrays = collect("P110tMD-v0", 100)
    arrays["actions"] = arrays["actions"].astype(np.float32) / 3
    with pytest.raises(DatasetValidationError, match="the data do not fit that env; name the env"):
        load_dataset(arrays, env_id="Pendulum-v1")
