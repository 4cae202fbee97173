"""ObsNormalizer: official statistics, numpy/torch round trips, dtype/device, state and pickling."""

from __future__ import annotations

import dataclasses
import pickle
import re

import numpy as np
import pytest
import torch

from rambo_env.data.dataset import OfflineDataset
from rambo_env.normalization import ObsNormalizer


def make_dataset(rng: np.random.Generator, n: int = 50) -> OfflineDataset:
    obs = (rng.normal(size=(n, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -2.0]).astype(np.float32)
    obs[:, 2] = 3.0  # a constant dimension: std = eps, not zero
    return OfflineDataset(
        observations=obs,
        actions=rng.uniform(-1, 1, size=(n, 2)).astype(np.float32),
        rewards=np.zeros(n, np.float32),
        next_observations=obs.copy(),
        terminals=np.zeros(n, bool),
        timeouts=np.zeros(n, bool),
    )


def test_from_dataset_uses_std_plus_eps(rng: np.random.Generator) -> None:
    data = make_dataset(rng)
    norm = ObsNormalizer.from_dataset(data)
    obs = data.observations.astype(np.float64)
    np.testing.assert_allclose(norm.mean, obs.mean(0), rtol=1e-6)
    std = obs.std(0)
    np.testing.assert_allclose(norm.std, np.where(std < 1e-6, 1.0, std + 1e-6), rtol=1e-6)
    assert norm.mean.dtype == norm.std.dtype == np.float32
    assert norm.std[2] == 1.0  # constant dimension: unit std, not eps
    z = norm.normalize(data.observations)
    np.testing.assert_allclose(z[:, :2].mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(z[:, :2].std(0), 1, atol=1e-4)
    assert np.isfinite(z).all()


def test_numpy_and_torch_round_trip(rng: np.random.Generator) -> None:
    norm = ObsNormalizer.from_dataset(make_dataset(rng))
    x = rng.normal(size=(4, 7, 3))  # any leading shape
    for arr in (x.astype(np.float32), x):
        z = norm.normalize(arr)
        assert z.dtype == arr.dtype and z.shape == arr.shape
        np.testing.assert_allclose(z, (arr - norm.mean) / norm.std, rtol=1e-6)
        np.testing.assert_allclose(norm.unnormalize(z), arr, rtol=1e-5, atol=1e-4)
    for dtype in (torch.float32, torch.float64):
        t = torch.as_tensor(x, dtype=dtype)
        z = norm.normalize(t)
        assert isinstance(z, torch.Tensor) and z.dtype == dtype and z.device == t.device
        np.testing.assert_allclose(z.numpy(), norm.normalize(x), rtol=1e-5)
        torch.testing.assert_close(norm.unnormalize(z), t, rtol=1e-5, atol=1e-4)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_torch_device_preserved() -> None:
    norm = ObsNormalizer(mean=np.zeros(2), std=np.full(2, 2.0))
    z = norm.normalize(torch.ones(3, 2, device="cuda"))
    assert z.device.type == "cuda" and torch.allclose(z.cpu(), torch.full((3, 2), 0.5))


def test_state_dict_pickle_and_immutability(rng: np.random.Generator) -> None:
    norm = ObsNormalizer.from_dataset(make_dataset(rng))
    norm.normalize(torch.zeros(1, 3))  # fills the tensor cache
    back = ObsNormalizer.from_state_dict(norm.state_dict())
    np.testing.assert_array_equal(back.mean, norm.mean)
    np.testing.assert_array_equal(back.std, norm.std)
    clone = pickle.loads(pickle.dumps(norm))
    np.testing.assert_array_equal(clone.normalize(np.ones((2, 3))), norm.normalize(np.ones((2, 3))))
    with pytest.raises(dataclasses.FrozenInstanceError):
        norm.mean = np.zeros(3)  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        norm.mean[0] = 1.0


def test_bad_input_raises() -> None:
    with pytest.raises(ValueError, match=r"ObsNormalizer.std\[1\] must be > 0"):
        ObsNormalizer(mean=np.zeros(2), std=np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"ObsNormalizer.mean\[0\] is not finite"):
        ObsNormalizer(mean=np.array([np.nan, 0.0]), std=np.ones(2))
    norm = ObsNormalizer(mean=np.zeros(2), std=np.ones(2))
    with pytest.raises(ValueError, match="obs_dim=2"):
        norm.normalize(np.zeros((4, 3)))


def test_constant_dimension_gets_unit_std():
    obs = np.stack([np.full(50, 3.0), np.linspace(0, 1, 50)], axis=1).astype(np.float32)
    norm = ObsNormalizer.from_observations(obs)
    assert norm.std[0] == 1.0
    np.testing.assert_allclose(norm.normalize(obs)[:, 0], 0.0)
    assert 0.2 < norm.std[1] < 0.4


def test_statistics_that_are_not_real_numbers_are_named() -> None:
    """Probe 19: numpy's raw "could not convert string to float" / ``KeyError: 'mean'``."""
    for mean, shown in (("a", "str 'a'"), (None, "NoneType"), (np.ones(2) * 1j, "complex128")):
        with pytest.raises(
            ValueError, match=rf"^ObsNormalizer.mean: expected an array of real .*{shown}"
        ):
            ObsNormalizer(mean, np.ones(2))
    with pytest.raises(ValueError, match=r"^ObsNormalizer.std: expected an array of real"):
        ObsNormalizer(np.zeros(2), np.ones(2, dtype=bool))
    with pytest.raises(ValueError, match=r"^state: expected what ObsNormalizer.state_dict\(\)"):
        ObsNormalizer.from_state_dict({})
    with pytest.raises(ValueError, match=r"^state: .* got NoneType"):
        ObsNormalizer.from_state_dict(None)
    norm = ObsNormalizer(torch.zeros(2), [1, 2])  # tensors and lists of numbers: fine
    np.testing.assert_array_equal(norm.std, np.array([1.0, 2.0], dtype=np.float32))


def test_a_list_or_other_non_array_observation_is_named() -> None:
    """Probe 20: ``normalizer.normalize([0.0] * 11)`` was a raw AttributeError ('list' object
    has no attribute 'shape')."""
    norm = ObsNormalizer(np.zeros(3, np.float32), np.ones(3, np.float32))
    for bad, kind in (([0.0, 1.0, 2.0], "list"), ((0.0, 1.0, 2.0), "tuple"), (None, "NoneType")):
        for method in (norm.normalize, norm.unnormalize):
            with pytest.raises(
                ValueError, match=rf"obs: expected a numpy array or torch tensor .*{kind}"
            ):
                method(bad)
    assert norm.normalize(np.ones(3)).tolist() == [1.0, 1.0, 1.0]


def test_no_obs_dims_and_string_observations_are_refused():
    """Probe 21: ``ObsNormalizer(np.zeros(0), np.ones(0))`` was taken (obs_dim 0);
    ``normalize`` of a string array was numpy's raw "could not convert string to float"."""
    with pytest.raises(ValueError, match=r"ObsNormalizer.mean: expected shape \[obs_dim\] with"):
        ObsNormalizer(np.zeros(0), np.ones(0))
    norm = ObsNormalizer(np.zeros(3), np.ones(3))
    for method in (norm.normalize, norm.unnormalize):
        with pytest.raises(ValueError, match=r"obs: expected real numbers \[\.\.\., obs_dim=3\]"):
            method(np.array(["a", "b", "c"]))
    np.testing.assert_allclose(norm.normalize(np.arange(3)), [0.0, 1.0, 2.0])  # ints stay fine


def test_from_state_dict_refuses_unknown_keys() -> None:
    """Probe 22: another object's state holding ``mean`` and ``std`` was taken silently."""
    state = {"mean": np.zeros(2), "std": np.ones(2), "optimizer": {}}
    with pytest.raises(ValueError, match=r"^state: .*unknown key\(s\) \['optimizer'\]"):
        ObsNormalizer.from_state_dict(state)


def test_a_wrong_eps_is_named_not_the_std_it_makes(rng: np.random.Generator) -> None:
    """Probe 30: ``from_observations(x, eps=-1)`` said ``ObsNormalizer.std[0] must be > 0, got
    -0.809``, never naming the ``eps`` the caller gave (``eps=0`` the same on a constant dim)."""
    obs = rng.normal(size=(20, 3))
    for eps in (-1, 0, 0.0, float("nan"), float("inf"), "1e-6", None, True):
        with pytest.raises(
            ValueError,
            match=rf"eps: expected a finite value > 0 \(default 1e-6\), got {re.escape(repr(eps))}",
        ):
            ObsNormalizer.from_observations(obs, eps=eps)
    dataset = OfflineDataset.from_arrays(
        {
            "observations": obs.astype(np.float32),
            "actions": np.zeros((20, 1), np.float32),
            "rewards": np.zeros(20, np.float32),
            "next_observations": obs.astype(np.float32),
            "terminals": np.zeros(20, bool),
        }
    )
    with pytest.raises(ValueError, match=r"eps: expected a finite value > 0"):
        ObsNormalizer.from_dataset(dataset, eps=-1)
    assert ObsNormalizer.from_observations(obs, eps=1e-3).obs_dim == 3


def test_a_std_below_the_eps_floor_is_refused_unless_asked_for() -> None:
    """Probe 60 row 33: a hand-given std of 1e-30 (a constant feature, no eps added) normalised
    to 1e30 without a word."""
    with pytest.raises(ValueError) as err:
        ObsNormalizer(np.zeros(3), np.array([1.0, 1e-30, 1e-30]))
    assert str(err.value) == (
        "ObsNormalizer.std[1] = 1e-30 is below 1e-06, the floor ObsNormalizer.from_observations "
        "adds (a constant feature?): its normalised values blow up by 1/std; add eps to it (or "
        "pass min_std=1e-30 to keep it)"
    )
    kept = ObsNormalizer(np.zeros(3), np.full(3, 1e-30), min_std=0)
    assert pickle.loads(pickle.dumps(kept)).min_std == 0  # asked for: kept
    ObsNormalizer(np.zeros(1), np.full(1, 1e-6))  # the floor itself (float32 rounding): fine
    with pytest.raises(ValueError, match=r"^ObsNormalizer.min_std: expected a finite number"):
        ObsNormalizer(np.zeros(1), np.ones(1), min_std=-1)
    # a smaller eps given to from_observations keeps its smaller stds
    obs = np.stack([np.linspace(0, 1e-7, 50), np.linspace(0, 1, 50)], axis=1)
    assert ObsNormalizer.from_observations(obs, eps=1e-9).std[0] < 1e-6
    # a saved normaliser (a model file, a checkpoint) still loads, with the warning
    with pytest.warns(UserWarning, match=r"std\[0\] = 1e-30 is below 1e-06"):
        back = ObsNormalizer.from_state_dict(kept.state_dict())
    np.testing.assert_array_equal(back.std, kept.std)


def test_tensors_refuse_a_non_floating_dtype():
    """Probe 63 row 62: ``tensors(cpu, torch.int64)`` truncated a std below 1 to 0 without a word;
    a dtype given as a string was a raw TypeError."""
    norm = ObsNormalizer(np.zeros(3), np.full(3, 0.5))
    for dtype in (torch.int64, "float32", torch.bool):
        with pytest.raises(ValueError, match=r"^dtype: expected a floating torch dtype"):
            norm.tensors(torch.device("cpu"), dtype)
    _, std = norm.tensors(torch.device("cpu"), torch.float64)
    assert std.dtype == torch.float64 and float(std[0]) == 0.5
