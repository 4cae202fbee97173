"""Probe 96a row 54: evaluate_policy's env_kwargs of the wrong value type, named before any step."""

from __future__ import annotations

import numpy as np
import pytest

from rambo_env.evaluation import evaluate_policy
from rambo_env.normalization import ObsNormalizer


def _normalizer(obs_dim: int) -> ObsNormalizer:
    return ObsNormalizer(mean=np.zeros(obs_dim, np.float32), std=np.ones(obs_dim, np.float32))


def _act(obs):
    return np.zeros((len(obs), 3), np.float32)


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"forward_reward_weight": "1.0"}, "forward_reward_weight='1.0' is str, not a real number"),
        ({"frame_skip": 2.0}, "frame_skip=2.0 is float, not an int"),
    ],
)
def test_env_kwargs_of_the_wrong_type_are_named(kwargs, said) -> None:
    # probe 96a row 54: was a raw TypeError at the first env step (numpy's "can't multiply
    # sequence by non-int" / mujoco's "mj_step(): incompatible function arguments")
    with pytest.raises(ValueError) as info:
        evaluate_policy(_act, "Hopper-v5", _normalizer(11), n_episodes=1, env_kwargs=kwargs)
    assert str(info.value).startswith("env_kwargs (of Hopper-v5): ") and said in str(info.value)


def test_env_kwargs_of_the_default_types_run() -> None:
    # probe 96a row 54: an int for a float default is taken
    kwargs = {"forward_reward_weight": 2, "frame_skip": 4}
    result = evaluate_policy(
        _act, "Hopper-v5", _normalizer(11), n_episodes=1, env_kwargs=kwargs, max_episode_steps=5
    )
    assert result is not None
