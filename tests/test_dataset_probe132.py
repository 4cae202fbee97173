"""Probe 132 rows 9-11: ``OfflineDataset``'s public parameters: ``fields_disagree(rtol="x")`` /
``unmarked_episode_ends(rtol=None)`` were raw comparison TypeErrors, ``validate(observation_space=
"x")`` a raw AttributeError, ``fingerprint(with_name="no")`` was taken as True."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest

from tests.agents.test_callback import _toy


@pytest.fixture(scope="module")
def dataset():
    return _toy()[1]


@pytest.mark.parametrize("bad", ["x", None, -1e-5, math.nan, math.inf, True, np.array([1e-5])])
def test_rtol_is_checked(dataset, bad):
    for method in (dataset.fields_disagree, dataset.unmarked_episode_ends):
        with pytest.raises(ValueError, match=r"^rtol: expected a finite number >= 0"):
            method(rtol=bad)
    dataset.fields_disagree(rtol=np.float32(1e-4))  # numbers, numpy's too, still taken
    assert dataset.unmarked_episode_ends(rtol=0).dtype == np.int64


@pytest.mark.parametrize("name", ["observation_space", "action_space"])
@pytest.mark.parametrize("bad", ["x", (3,), np.zeros(3)])
def test_validate_names_a_space_that_is_no_space(dataset, name, bad):
    with pytest.raises(ValueError, match=rf"^{name}: expected a gymnasium.spaces.Space"):
        dataset.validate(**{name: bad})
    box = gym.spaces.Box(-np.inf, np.inf, (3,), np.float32)
    assert dataset.validate(observation_space=box) is dataset


@pytest.mark.parametrize("bad", ["no", 0, 1, None])
def test_fingerprint_with_name_is_a_flag(dataset, bad):
    with pytest.raises(ValueError, match=r"^with_name: expected True or False"):
        dataset.fingerprint(with_name=bad)
    assert dataset.fingerprint(with_name=np.bool_(False)) == dataset.fingerprint(with_name=False)
    assert dataset.fingerprint(with_name=True) != dataset.fingerprint(with_name=False)
