"""Probe 83 (p83a) row 60: the load's simulator step check goes through a registered env's
action wrappers (the --env-id the wrappers WARNING advises), and skips an env whose wrappers may
change observations or rewards, said once."""

from __future__ import annotations

import gymnasium as gym
from gymnasium.wrappers import RescaleAction, TransformReward

from rambo_env.data.loaders import load_dataset
from tests.data.test_minari_env_spec_probe81a_spec import _make


def _rescaled(**kwargs):
    return RescaleAction(gym.make("Hopper-v5", **kwargs), 0.0, 1.0)


def _reward_scaled(**kwargs):
    return TransformReward(gym.make("Hopper-v5", **kwargs), lambda r: 2 * r)


gym.register("P83RescHopper-v0", entry_point=_rescaled, max_episode_steps=1000)
gym.register("P83RewHopper-v0", entry_point=_reward_scaled, max_episode_steps=1000)


def test_a_registered_action_wrapped_env_is_stepped_through_its_wrappers(capsys) -> None:
    # probe 83 row 60: the check stepped env.unwrapped with the data's [0, 1] actions, so the
    # advised route drew a false "does not reproduce their next_observations" WARNING
    _make("p83/resc-v0", _rescaled(), n_eps=12)
    capsys.readouterr()
    load_dataset("p83/resc-v0", env_id="P83RescHopper-v0")
    out = capsys.readouterr().out
    assert "does not reproduce" not in out
    assert "not checked by stepping the simulator" not in out


def test_the_check_still_finds_actions_the_env_does_not_take(capsys) -> None:
    _make("p83/resc2-v0", _rescaled(), n_eps=12)  # [0, 1] actions, read as plain Hopper's
    capsys.readouterr()
    load_dataset("p83/resc2-v0", env_id="Hopper-v5")
    assert "does not reproduce" in capsys.readouterr().out


def test_an_env_wrapped_otherwise_is_not_stepped_and_says_so(capsys) -> None:
    _make("p83/rew-v0", gym.make("Hopper-v5"), n_eps=12)
    capsys.readouterr()
    load_dataset("p83/rew-v0", env_id="P83RewHopper-v0")
    out = capsys.readouterr().out
    assert "P83RewHopper-v0 wraps its simulator in TransformReward" in out
    assert "does not reproduce" not in out
