"""Probe 91a row 7: ``gym.make(<our id>, render_mode=…)`` under warnings-as-errors."""

from __future__ import annotations

import warnings

import gymnasium as gym
import pytest

import rambo_env  # noqa: F401  (registers the ids)
from rambo_env.envs.toys import ILLUSTRATIVE_ID, SINGLE_TRANSITION_ID


@pytest.mark.parametrize(
    "env_id", ["RamboModel-hopper-random", SINGLE_TRANSITION_ID, ILLUSTRATIVE_ID]
)
def test_the_render_mode_refusal_comes_before_gymnasiums_warning(env_id):
    # probe 91a row 7: was gymnasium's "UserWarning: … render_mode='rgb_array' that is not in the
    # possible render_modes ([])" raised first under python -W error; our ValueError never shown
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"render_mode: 'rgb_array', but .* render"):
            gym.make(env_id, render_mode="rgb_array")


def test_an_instances_metadata_is_still_a_settable_dict():
    env = gym.make(SINGLE_TRANSITION_ID)
    assert env.metadata == {"render_modes": []} == env.unwrapped.metadata
    env.unwrapped.metadata["render_fps"] = 4
    assert env.unwrapped.metadata["render_fps"] == 4
    env.unwrapped.metadata = {"render_modes": [], "x": 1}
    assert env.unwrapped.metadata["x"] == 1
