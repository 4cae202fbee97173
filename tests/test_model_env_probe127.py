"""Probe 127 (N8): the note of ``gym.make`` / ``make_vec_env`` of a model id gives the normaliser
recipe of an SB3 VecEnv too (``venv.get_attr('mdp')[0].normalizer``): its ``unwrapped`` is the
VecEnv itself, so ``env.unwrapped.mdp.normalizer`` was ``AttributeError: 'DummyVecEnv' object has
no attribute 'mdp'``."""

from __future__ import annotations

import pytest
from stable_baselines3.common.env_util import make_vec_env

import rambo_env  # noqa: F401  (registers the ids)
from rambo_env.envs import model_env
from tests.envs.tiny_mdp import make_tiny_mdp

ID = "RamboModel-hopper-medium"


@pytest.fixture(scope="module")
def mdp():
    return make_tiny_mdp()


def test_the_note_gives_an_sb3_vec_envs_normaliser_recipe_and_it_works(mdp, capsys, monkeypatch):
    monkeypatch.setattr(model_env, "_SAID_MADE", set())
    capsys.readouterr()
    venv = make_vec_env(ID, n_envs=2, env_kwargs={"mdp": mdp, "render_mode": None})
    said = [line for line in capsys.readouterr().out.splitlines() if "steps the learned" in line]
    assert len(said) == 1
    assert "venv.get_attr('mdp')[0].normalizer" in said[0], said[0]
    assert not hasattr(venv.unwrapped, "mdp")  # why the gym.make recipe does not do here
    assert venv.get_attr("mdp")[0].normalizer is mdp.normalizer
    venv.close()
