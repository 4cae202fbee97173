"""Probe 69 rows 4, 5 and 9: ObsNormalizer's arrays stay read-only after a pickle / deep copy (also
inside a pickled LearnedMDP), and ``tensors()`` hands out tensors that cannot change its cache."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

from rambo_env.normalization import ObsNormalizer
from tests.envs.tiny_mdp import make_tiny_mdp


def _norm() -> ObsNormalizer:
    return ObsNormalizer.from_observations(np.random.default_rng(0).normal(size=(20, 3)) + 5.0)


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_mean_and_std_stay_read_only_after_a_round_trip(how: str) -> None:
    # probe 69 row 4: was writeable after pickle / deepcopy; n2.mean[0] += 100 silently taken
    norm = _norm()
    other = pickle.loads(pickle.dumps(norm)) if how == "pickle" else copy.deepcopy(norm)
    for name in ("mean", "std"):
        assert not getattr(other, name).flags.writeable
        np.testing.assert_array_equal(getattr(other, name), getattr(norm, name))
    with pytest.raises(ValueError, match="read-only"):
        other.mean[0] += 100.0
    assert other.env_id == norm.env_id and other.min_std == norm.min_std


def test_a_pickled_mdp_keeps_a_read_only_normalizer() -> None:
    # probe 69 row 9: pickle.loads(pickle.dumps(mdp)).normalizer.mean was writeable
    mdp = pickle.loads(pickle.dumps(make_tiny_mdp()))
    assert not mdp.normalizer.mean.flags.writeable
    assert not mdp.normalizer.std.flags.writeable


def test_tensors_cannot_change_the_cache() -> None:
    # probe 69 row 5: tensors() returned the cache itself; m += 100 made normalize(tensor) differ
    # from normalize(array) without a word
    norm = _norm()
    x = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    before = norm.normalize(torch.from_numpy(x)).clone()
    mean, std = norm.tensors(torch.device("cpu"), torch.float32)
    torch.testing.assert_close(mean, torch.from_numpy(norm.mean))
    torch.testing.assert_close(std, torch.from_numpy(norm.std))
    mean += 100.0
    std.mul_(2.0)
    torch.testing.assert_close(norm.normalize(torch.from_numpy(x)), before)
    np.testing.assert_allclose(norm.normalize(x), before.numpy(), rtol=1e-6)
    again, _ = norm.tensors(torch.device("cpu"), torch.float32)
    torch.testing.assert_close(again, torch.from_numpy(norm.mean))
