"""Probe 97 rows 19, 20: class-level ``metadata`` of the envs that render nothing, and the toys'
``render_mode`` advice under SB3's ``make_vec_env``."""

from __future__ import annotations

import warnings

import gymnasium as gym
import pytest

import rambo_env  # noqa: F401  (registers the ids)
from rambo_env.envs.model_env import RamboModelEnv
from rambo_env.envs.toys import ILLUSTRATIVE_ID, IllustrativeMDP, SingleTransitionEnv


def test_class_level_metadata_is_a_dict_again():
    # probe 97 row 19: was TypeError "'property' object is not subscriptable" / AttributeError
    # "'property' object has no attribute 'get'" (worked before probe 91a's fix)
    assert IllustrativeMDP.metadata["render_modes"] == []
    assert RamboModelEnv.metadata.get("render_modes") == []
    assert SingleTransitionEnv.metadata == {"render_modes": []}


def test_a_subclass_can_extend_the_class_metadata():
    # probe 97 row 19: was TypeError "'property' object is not a mapping"
    class Sub(IllustrativeMDP):
        metadata = {**IllustrativeMDP.metadata, "render_fps": 4}  # noqa: RUF012

    assert Sub.metadata == {"render_modes": [], "render_fps": 4}
    assert Sub().metadata["render_fps"] == 4


def test_gym_make_still_shows_our_error_first_under_w_error():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="has nothing to render"):
            gym.make(ILLUSTRATIVE_ID, render_mode="rgb_array")


def test_sb3_make_vec_env_of_a_toy_names_the_env_kwargs_fix():
    # probe 97 row 20: was only "leave render_mode out", to a user who gave none (SB3 injects it)
    from stable_baselines3.common.env_util import make_vec_env

    # probe 131 R5: SB3's own default "rgb_array" is taken as None; one the user gives is refused
    make_vec_env(ILLUSTRATIVE_ID, n_envs=2).close()
    with pytest.raises(ValueError, match=r"make_vec_env, leave render_mode out of env_kwargs"):
        make_vec_env(ILLUSTRATIVE_ID, n_envs=2, env_kwargs={"render_mode": "rgb_array"})
    venv = make_vec_env(ILLUSTRATIVE_ID, n_envs=2, env_kwargs={"render_mode": None})
    assert venv.reset().shape == (2, 1)
    venv.close()
