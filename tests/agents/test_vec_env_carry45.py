"""Carry45 (probe 112, issue 14): SB3's ``VecVideoRecorder`` over a model env is one clear
ValueError naming the env and what to record instead (was: SB3's ``AssertionError: The
render_mode must be 'rgb_array', not None``, then an ignored AttributeError from its __del__)."""

from __future__ import annotations

import gc
import sys

import pytest
from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize, VecVideoRecorder

from agents.vec_env import RamboModelVecEnv
from rambo_env.envs.model_env import RamboModelEnv
from tests.envs.tiny_mdp import make_tiny_mdp


@pytest.fixture(scope="module")
def mdp():
    return make_tiny_mdp()


@pytest.fixture
def unraisable(monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    return seen


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda mdp: RamboModelVecEnv(mdp, 2), "RamboModelVecEnv"),
        (lambda mdp: VecNormalize(RamboModelVecEnv(mdp, 2)), "RamboModelVecEnv"),
        (
            lambda mdp: DummyVecEnv([lambda: RamboModelEnv(mdp=mdp, rollout_length=2)] * 2),
            "RamboModelEnv",
        ),
    ],
)
def test_a_video_recorder_over_a_model_env_is_one_clear_error(
    mdp, tmp_path, unraisable, make, name
):
    venv = make(mdp)
    with pytest.raises(
        ValueError, match=f"VecVideoRecorder: {name} has no frames to record"
    ) as err:
        VecVideoRecorder(venv, str(tmp_path / "videos"), lambda step: step == 0, video_length=5)
    assert 'gym.make(dataset.env_id, render_mode="rgb_array")' in str(err.value)
    del err
    gc.collect()
    assert unraisable == []  # was: AttributeError … no attribute 'recorded_frames' in __del__
    assert not (tmp_path / "videos").exists()


def test_metadata_read_elsewhere_is_sb3s_dict(mdp):
    venv = RamboModelVecEnv(mdp, 2)
    assert venv.metadata == {"render_modes": []}
    assert VecNormalize(venv).metadata == {"render_modes": []}
    venv.metadata = {"render_modes": [], "x": 1}
    assert venv.metadata["x"] == 1
    assert DummyVecEnv([lambda: RamboModelEnv(mdp=mdp, rollout_length=2)]).get_attr("metadata") == [
        {"render_modes": []}
    ]
