"""Probe 129 row 8: gymnasium's HumanRendering / RenderCollection / AddRenderObservation over a
model env were gymnasium's raw "Expected env.render_mode …" messages (RecordVideo's clear refusal,
probe 127, did not cover them)."""

from __future__ import annotations

import gymnasium as gym
import pytest

from tests.test_model_env_probe127 import ID, mdp  # noqa: F401 (a fixture)


@pytest.mark.parametrize("wrapper", ["HumanRendering", "RenderCollection", "AddRenderObservation"])
def test_gymnasium_render_wrappers_over_a_model_env_are_one_clear_error(mdp, wrapper):  # noqa: F811
    import gymnasium.wrappers

    from rambo_env.envs.model_env import RamboModelEnv

    for env in (RamboModelEnv(mdp=mdp, rollout_length=2), gym.make(ID, mdp=mdp, rollout_length=2)):
        with pytest.raises(ValueError) as got:
            getattr(gymnasium.wrappers, wrapper)(env)
        said = str(got.value)
        assert said.startswith(f"{wrapper}: RamboModelEnv has no frames to render"), said
        assert "gym.make(dataset.env_id" in said and "Expected env.render_mode" not in said
