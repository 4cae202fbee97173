"""Probe 78 rows 21, 22: evaluate_policy's env_kwargs: bad ones named once; a scorer dataset's
recorded kwargs used when none are given."""

from __future__ import annotations

import types

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
        ({"healthy_z_range": "x"}, r"env_kwargs \(of Hopper-v5\): healthy_z_range='x' is not a"),
        ({"healthy_z_rang": [0.7, 2]}, r"env_kwargs: gym.make\('Hopper-v5', .*healthy_z_rang"),
    ],
)
def test_bad_env_kwargs_are_named(kwargs, said) -> None:
    # probe 78 row 22: was gymnasium's own TypeError (unexpected keyword argument) / a raw
    # "not enough values to unpack" from the first step, not naming env_kwargs=
    with pytest.raises(ValueError, match=said):
        evaluate_policy(_act, "Hopper-v5", _normalizer(11), n_episodes=1, env_kwargs=kwargs)


def test_a_scorer_dataset_s_kwargs_are_used_when_none_are_given(capsys) -> None:
    # probe 78 row 21: README's evaluate_policy(act, 'Hopper-v5', normalizer, scorer=dataset) on
    # frame_skip=2 data evaluated in the default env without a word
    scorer = types.SimpleNamespace(
        env_id="Hopper-v5",
        env_kwargs={"frame_skip": 2},
        normalized_score=lambda r: 0.0,
    )

    kw = dict(n_episodes=1, max_episode_steps=5, scorer=scorer)
    with_kwargs = evaluate_policy(_act, "Hopper-v5", _normalizer(11), **kw)
    assert "evaluating in gym.make('Hopper-v5', frame_skip=2)" in capsys.readouterr().out
    same = evaluate_policy(_act, "Hopper-v5", _normalizer(11), env_kwargs={"frame_skip": 2}, **kw)
    default = evaluate_policy(_act, "Hopper-v5", _normalizer(11), env_kwargs={}, **kw)
    assert float(with_kwargs.returns[0]) == float(same.returns[0]) != float(default.returns[0])
