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


# Probe 127 (N7): gymnasium's RecordVideo over a model env is the project's clear refusal naming
# the real-env recorder (was gymnasium's "Render mode is None … initialise your environment with a
# render_mode that returns an image, such as rgb_array", which the model env then refuses).
def test_gymnasium_record_video_over_a_model_env_is_one_clear_error(mdp, tmp_path):
    import gymnasium as gym
    from gymnasium.wrappers import RecordEpisodeStatistics, RecordVideo

    from rambo_env.envs.model_env import RamboModelEnv

    for env in (
        RamboModelEnv(mdp=mdp, rollout_length=2),
        gym.make(ID, mdp=mdp, rollout_length=2),
        RecordEpisodeStatistics(RamboModelEnv(mdp=mdp, rollout_length=2)),
    ):
        with pytest.raises(ValueError) as got:
            RecordVideo(env, str(tmp_path / "videos"))
        said = str(got.value)
        assert said.startswith("RecordVideo: RamboModelEnv has no frames to record"), said
        assert "RecordVideo(NormalizedObservation(gym.make(dataset.env_id" in said
    # render_mode reads as before elsewhere
    env = RamboModelEnv(mdp=mdp, rollout_length=2)
    assert env.render_mode is None and RamboModelEnv.render_mode is None
    env.render_mode = None
    assert gym.make(ID, mdp=mdp).render_mode is None
