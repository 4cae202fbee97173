"""Probe 126: a model env made by ``gym.make`` / ``gym.make_vec`` (the rl-zoo, SB3's
``make_vec_env``, an ``EvalCallback`` on the training id) says once per process and id that its
episode returns are k-step returns of the learned model, not the real env's scores, and how to get
those (was: nothing, while the zoo's ``--eval-freq`` / ``-optimize`` chose ``best_model`` on them);
and a k far above the paper's is warned of once there, as cotrain does (was: taken silently)."""

from __future__ import annotations

import gymnasium as gym
import pytest

import rambo_env  # noqa: F401  (registers the ids)
from rambo_env.envs.model_env import RamboModelEnv
from tests.envs.tiny_mdp import make_tiny_mdp

ID = "RamboModel-hopper-medium"


@pytest.fixture(scope="module")
def mdp():
    return make_tiny_mdp()


def _lines(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


def test_gym_make_says_once_that_returns_are_the_models(mdp, capsys):
    capsys.readouterr()
    env = gym.make(ID, mdp=mdp)
    gym.make(ID, mdp=mdp)  # a second build (the zoo's train and eval envs): not said again
    said = _lines(capsys.readouterr().out, "steps the learned model")
    assert len(said) == 1
    assert "5-step (rollout_length) returns of the model" in said[0]
    assert "not scores of Hopper-v5" in said[0]
    assert "EvalCallback" in said[0] and "rl-zoo" in said[0]
    assert (
        "evaluate_policy(lambda o: agent.predict(o, deterministic=True)[0], 'Hopper-v5', "
        in (said[0])
    )
    # the recipe it gives runs: the env's normaliser is the one the real env is evaluated with
    assert env.unwrapped.mdp.normalizer is mdp.normalizer


def test_vector_builds_say_it_once_not_per_row(mdp, capsys):
    capsys.readouterr()
    gym.make_vec(ID, num_envs=4, mdp=mdp)
    gym.make_vec(ID, num_envs=3, vectorization_mode="sync", mdp=mdp)  # gym.make per row
    assert len(_lines(capsys.readouterr().out, "steps the learned model")) == 1


def test_a_direct_construction_says_nothing(mdp, capsys):
    capsys.readouterr()
    RamboModelEnv(mdp=mdp, rollout_length=60)  # cotrain / make_agent callers resolve k themselves
    out = capsys.readouterr().out
    assert "steps the learned model" not in out and "far above" not in out


def test_a_long_rollout_by_gym_make_is_warned_once(mdp, capsys):
    capsys.readouterr()
    gym.make(ID, mdp=mdp, rollout_length=5)
    assert "far above" not in capsys.readouterr().out
    for _ in range(2):
        gym.make(ID, mdp=mdp, rollout_length=80)
    gym.make_vec(ID, num_envs=3, vectorization_mode="sync", mdp=mdp, rollout_length=80)
    warned = _lines(capsys.readouterr().out, "far above the paper's")
    assert warned == [
        f"[rambo_env] WARNING: rollout_length: k = 80 (gym.make('{ID}', rollout_length=80)) is "
        "far above the paper's k of 2 and 5 (Table 5; this warning is for k > 50): the model's "
        "error compounds with every step of a rollout, so the agent trains mostly on model "
        "error; the run goes on, but expect a low score or a diverging critic (the presets' 2 "
        "or 5 are the tested values)"
    ]
    gym.make_vec(ID, num_envs=2, mdp=mdp, rollout_length=90)
    assert len(_lines(capsys.readouterr().out, "k = 90 (gym.make_vec(")) == 1
