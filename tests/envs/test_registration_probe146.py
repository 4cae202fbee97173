"""Probe 146 rows 12-16, 24, 30: at gymnasium 1.1-1.3 (the declared range's floor, and what pip
picks beside stable-baselines3 2.7 / 2.8) every ``gym.make`` / ``gym.make_vec`` / SB3
``make_vec_env`` of a ``RamboModel-*`` or ``RamboToy-*`` id raised gymnasium's
``InvalidMetadata: Expect the environment metadata to be dict``: the envs' class ``metadata``
read as a property to ``gym.make`` (probe 91a's way past its render_modes warning), which only
gymnasium 1.4's make skips. Here gymnasium 1.1-1.3's ``make`` is the installed one with 1.4's
skip taken out (at gymnasium 1.1-1.3 the installed one as it is)."""

from __future__ import annotations

import inspect
import textwrap
import warnings

import gymnasium as gym
import gymnasium.envs.registration as registration
import pytest

import rambo_env  # noqa: F401  (registers the ids)
from rambo_env.envs.model_env import RamboModelEnv
from rambo_env.envs.toys import ILLUSTRATIVE_ID, SINGLE_TRANSITION_ID, SingleTransitionEnv

#: gymnasium 1.4's make: a property metadata (a wrapper class's) is not checked
SKIP_14 = """\
        env_creator_metadata = env_creator.metadata
        # Wrapper classes expose metadata through an instance property.
        if not isinstance(env_creator_metadata, property):
            _check_metadata(env_creator_metadata)
            render_modes = env_creator_metadata.get("render_modes")
"""
#: gymnasium 1.1-1.3's make (1.1.1, 1.2.3, 1.3.0 alike): every metadata must be a dict
CHECK_11 = """\
        _check_metadata(env_creator.metadata)
        render_modes = env_creator.metadata.get("render_modes")
"""


@pytest.fixture
def make_11(monkeypatch):
    """``gym.make`` (and make_vec's, and SB3's) as gymnasium 1.1-1.3 have it."""
    source = inspect.getsource(registration.make)
    source = source.replace(SKIP_14, CHECK_11)
    assert "isinstance(env_creator_metadata, property)" not in source, "gymnasium's make changed"
    assert "_check_metadata(env_creator.metadata)" in source
    space = dict(vars(registration))
    exec(compile(textwrap.dedent(source), registration.__file__, "exec"), space)
    make = space["make"]
    monkeypatch.setattr(registration, "make", make)  # make_vec's "sync" / "async" call it
    monkeypatch.setattr(gym, "make", make)  # SB3's make_vec_env calls gym.make
    return make


ENV_IDS = ["RamboModel-hopper-random", SINGLE_TRANSITION_ID, ILLUSTRATIVE_ID]


@pytest.mark.parametrize("env_class", [RamboModelEnv, SingleTransitionEnv])
def test_what_gym_make_reads_passes_gymnasiums_metadata_check(monkeypatch, env_class):
    def read(creator):  # stands in for gym.make: the descriptor tells it by its code
        return creator.metadata

    monkeypatch.setattr(registration, "make", read)
    seen = read(env_class)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "metadata doesn't include render_modes" either
        registration._check_metadata(seen)  # was InvalidMetadata: a property, not a dict
    assert isinstance(seen, dict)
    assert all(mode in seen["render_modes"] for mode in ("rgb_array", "human", "ansi"))
    assert list(seen["render_modes"]) == []  # what it lists: nothing to render


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_gym_make_passes_gymnasium_1_1s_metadata_check(make_11, env_id, tiny_mdp):
    # probe 146: was InvalidMetadata "Expect the environment metadata to be dict, actual type:
    # <class 'module'>" before the env was built
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nor a warning (render_modes missing / not in them)
        kwargs = {"mdp": tiny_mdp} if env_id.startswith("RamboModel") else {}
        env = gym.make(env_id, **kwargs)
    assert env.reset(seed=0)[0].shape == env.observation_space.shape
    assert env.unwrapped.metadata == {"render_modes": []}
    env.close()


@pytest.mark.parametrize("env_id", ENV_IDS)
@pytest.mark.parametrize("mode", ["rgb_array", "human", "rgb_array_list"])
def test_the_render_mode_refusal_still_comes_first_at_gymnasium_1_1(make_11, env_id, mode):
    # probe 91a row 7 kept at 1.1-1.3: our ValueError, no UserWarning nor render wrapper first
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"render_mode: '{mode}', but .* render"):
            gym.make(env_id, render_mode=mode)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_make_vec_sync_and_async_work_at_gymnasium_1_1(make_11, mode):
    # probe 146: was InvalidMetadata (tests/envs/test_vector_env.py at the floor)
    venv = gym.make_vec(SINGLE_TRANSITION_ID, num_envs=2, vectorization_mode=mode)
    try:
        assert venv.reset(seed=0)[0].shape == (2, 1)
    finally:
        venv.close()


def test_sb3_make_vec_env_works_at_gymnasium_1_1(make_11, tiny_mdp):
    # probe 146: README's SB3 VecEnv route was InvalidMetadata at gymnasium 1.1 / 1.2
    from stable_baselines3.common.env_util import make_vec_env

    venv = make_vec_env("RamboModel-hopper-medium", n_envs=2, env_kwargs={"mdp": tiny_mdp})
    assert venv.reset().shape == (2, tiny_mdp.obs_dim)
    venv.close()
    venv = make_vec_env(ILLUSTRATIVE_ID, n_envs=2)
    assert venv.reset().shape == (2, 1)
    venv.close()


def test_the_class_metadata_read_elsewhere_is_still_the_plain_dict(make_11):
    # probe 97 row 19 kept: only gym.make's own read differs
    assert RamboModelEnv.metadata == {"render_modes": []} == SingleTransitionEnv.metadata
    assert "rgb_array" not in SingleTransitionEnv.metadata["render_modes"]
