"""Probe 66 rows 23-25: ObsNormalizer keeps a float array's dtype, carries env_id through
from_state_dict, and names the observation row that is not finite."""

from __future__ import annotations

import numpy as np
import pytest

from rambo_env.normalization import ObsNormalizer


def make() -> ObsNormalizer:
    rng = np.random.default_rng(0)
    return ObsNormalizer.from_observations(rng.normal(size=(50, 4)))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_a_float_array_keeps_its_dtype(dtype) -> None:
    # probe 66 row 23: a float16 array came back float32
    norm, x = make(), np.ones((3, 4), dtype=dtype)
    assert norm.normalize(x).dtype == dtype
    assert norm.unnormalize(x).dtype == dtype
    assert norm.normalize(np.ones((3, 4), dtype=np.int64)).dtype == np.float32


def test_from_state_dict_takes_the_env_id() -> None:
    # probe 66 row 24: the rebuilt normaliser lost env_id (and the env-mismatch warnings)
    norm = ObsNormalizer(np.zeros(4), np.ones(4), env_id="Hopper-v5")
    again = ObsNormalizer.from_state_dict(norm.state_dict(), env_id=norm.env_id)
    assert again.env_id == "Hopper-v5"
    assert ObsNormalizer.from_state_dict(norm.state_dict()).env_id is None
    assert "``env_id`` is not in" in " ".join(ObsNormalizer.state_dict.__doc__.split())


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_a_non_finite_observation_is_named(value) -> None:
    # probe 66 row 25: was "ObsNormalizer.mean[0] is not finite", blaming the mean
    obs = np.zeros((200, 4))
    obs[100, 2] = value
    with pytest.raises(ValueError, match=r"observations\[100, 2\] is not finite"):
        ObsNormalizer.from_observations(obs)
