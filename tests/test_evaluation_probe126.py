"""Probe 126: ``rambo_env.evaluation.evaluate_policy`` with the objects an rl-zoo / plain SB3 user
has. An agent zip not saved by a rambo-env agent loads with ``agent.normalizer`` None, and the
error now says why and where a normaliser comes from (was: "expected the training ObsNormalizer
…, got NoneType"); a frame-stacked agent is one error naming ``act`` and both shapes (was: SB3's
raw "Unexpected observation shape (2, 11) for Box environment"); an SB3 agent passed as ``act``
gets the ``agent.predict`` remedy its siblings get (was: "got SAC", no remedy)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3 import SAC
from stable_baselines3.common.vec_env import DummyVecEnv, VecFrameStack

from agents.factory import AGENT_CLASSES
from rambo_env.envs.model_env import RamboModelEnv
from rambo_env.evaluation import NormalizedObservation, evaluate_policy
from tests.envs.tiny_mdp import make_tiny_mdp

KW = {"policy_kwargs": {"net_arch": [8, 8]}, "learning_starts": 0, "verbose": 0, "seed": 0}


@pytest.fixture(scope="module")
def mdp():
    return make_tiny_mdp()


def _model_env(mdp):
    return RamboModelEnv(mdp=mdp, rollout_length=5)


def test_a_plain_sb3_zip_has_no_normaliser_and_the_error_says_where_one_is(mdp, tmp_path):
    SAC("MlpPolicy", _model_env(mdp), **KW).save(tmp_path / "zoo.zip")  # the rl-zoo's agent
    agent = AGENT_CLASSES["sac"].load(tmp_path / "zoo.zip", device="cpu")
    assert agent.normalizer is None
    act = lambda o: agent.predict(o, deterministic=True)[0]  # noqa: E731
    with pytest.raises(ValueError) as got:
        evaluate_policy(act, "Hopper-v5", agent.normalizer, n_episodes=1)
    said = str(got.value)
    assert said.startswith("normalizer: expected the training ObsNormalizer")
    assert "not saved by a rambo-env agent" in said
    assert "gym.make('RamboModel-…', dataset=…).unwrapped.mdp.normalizer" in said
    assert "ObsNormalizer.from_dataset(" in said
    with pytest.raises(ValueError, match=r"not saved by a rambo-env agent"):  # SB3's own tools
        NormalizedObservation(gym.make("Hopper-v5"), agent.normalizer)
    # the remedy works: the model env's normaliser evaluates the agent in the real env
    result = evaluate_policy(act, "Hopper-v5", mdp.normalizer, n_episodes=1)
    assert np.isfinite(result.returns).all()


def test_a_frame_stacked_agent_is_one_error_naming_act_and_both_shapes(mdp):
    stacked = VecFrameStack(DummyVecEnv([lambda: _model_env(mdp)]), 2)  # the zoo's frame_stack: 2
    agent = SAC("MlpPolicy", stacked, **KW)
    assert agent.observation_space.shape == (22,)
    for act in (lambda o: agent.predict(o, deterministic=True)[0], agent.predict):
        with pytest.raises(ValueError) as got:
            evaluate_policy(act, "Hopper-v5", mdp.normalizer, n_episodes=2)
        said = str(got.value)
        assert said.startswith(
            "act: its policy takes observations of shape (22,), but Hopper-v5's normalised "
            "observations have shape (11,)"
        ), said
        assert "frame_stack" in said and "TimeFeatureWrapper" in said
        assert "Unexpected observation shape" in str(got.value.__cause__)  # SB3's, kept chained


def test_an_sb3_agent_as_act_gets_the_predict_remedy(mdp):
    agent = SAC("MlpPolicy", _model_env(mdp), **KW)
    with pytest.raises(
        ValueError,
        match=r"^act: expected a function .* got SAC \(an SB3 agent\); pass "
        r"act=lambda obs: agent\.predict\(obs, deterministic=True\)\[0\]$",
    ):
        evaluate_policy(agent, "Hopper-v5", mdp.normalizer)
    with pytest.raises(ValueError, match=r"got int$"):  # not an agent: no such remedy
        evaluate_policy(3, "Hopper-v5", mdp.normalizer)
