"""MixedReplayBuffer: exact real/model split, SB3 storage conventions, FIFO pool, pickling."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest
import torch
from gymnasium import spaces

from agents.buffer import MixedReplayBuffer, model_pool_size
from rambo_env.data.dataset import OfflineDataset
from rambo_env.normalization import ObsNormalizer

N, OBS_DIM, A = 50, 3, 2


@pytest.fixture
def dataset() -> OfflineDataset:
    """Recognisable rows: reward = 1000 + i, obs[i] = (i, 2i, 3i), action[i] = (1.0, -2.0)."""
    i = np.arange(N, dtype=np.float32)
    obs = np.stack([i, 2 * i, 3 * i], 1)
    terminals, timeouts = i % 5 == 0, (i % 5 == 2)
    return OfflineDataset.from_arrays(
        {
            "observations": obs,
            "actions": np.tile([1.0, -2.0], (N, 1)),
            "rewards": 1000 + i,
            "next_observations": obs + 0.5,
            "terminals": terminals,
            "timeouts": timeouts,
        }
    )


def _buffer(dataset, real_ratio=0.5, n_envs=4, buffer_size=40, seed=0) -> MixedReplayBuffer:
    obs_space = spaces.Box(-np.inf, np.inf, (OBS_DIM,), np.float32)
    act_space = spaces.Box(-2.0, 2.0, (A,), np.float32)  # scaled action = env action / 2
    return MixedReplayBuffer(
        buffer_size,
        obs_space,
        act_space,
        device="cpu",
        n_envs=n_envs,
        dataset=dataset,
        normalizer=ObsNormalizer.from_dataset(dataset),
        real_ratio=real_ratio,
        seed=seed,
    )


def _fill(buf: MixedReplayBuffer, n_adds: int, start: int = 0) -> None:
    """Model-pool rows with reward -(step + 1) (negative, unlike every real row)."""
    for t in range(start, start + n_adds):
        obs = np.full((buf.n_envs, OBS_DIM), float(t), np.float32)
        buf.add(
            obs,
            obs + 1,
            np.full((buf.n_envs, A), 0.25, np.float32),
            np.full(buf.n_envs, -(t + 1.0), np.float32),
            np.zeros(buf.n_envs),
            [{}] * buf.n_envs,
        )


def test_exact_split_with_known_values(dataset):
    buf = _buffer(dataset)
    _fill(buf, 3)
    norm = ObsNormalizer.from_dataset(dataset)
    batch = buf.sample(10)
    rewards = batch.rewards[:, 0]
    assert batch.observations.shape == (10, OBS_DIM) and batch.rewards.shape == (10, 1)
    assert batch.dones.shape == (10, 1) and batch.discounts is None
    assert (rewards[:5] >= 1000).all() and (
        rewards[5:] < 0
    ).all()  # 5 real rows first, 5 model rows
    idx = (rewards[:5] - 1000).long().numpy()
    raw_obs = np.stack([idx, 2 * idx, 3 * idx], 1).astype(np.float32)
    np.testing.assert_allclose(
        batch.observations[:5].numpy(), norm.normalize(raw_obs), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        batch.next_observations[:5].numpy(), norm.normalize(raw_obs + 0.5), rtol=1e-5, atol=1e-5
    )
    torch.testing.assert_close(
        batch.actions[:5], torch.tensor([[0.5, -1.0]] * 5)
    )  # scaled to [-1, 1]
    torch.testing.assert_close(
        batch.dones[:5, 0], torch.as_tensor(idx % 5 == 0, dtype=torch.float32)
    )
    torch.testing.assert_close(batch.actions[5:], torch.full((5, A), 0.25))


@pytest.mark.parametrize(
    ("ratio", "batch_size", "n_real"), [(0.5, 256, 128), (0.3, 7, 2), (0.25, 10, 2), (0.0, 8, 0)]
)
def test_real_count_is_round_f_times_b(dataset, ratio, batch_size, n_real):
    buf = _buffer(dataset, real_ratio=ratio)
    _fill(buf, 2)
    rewards = buf.sample(batch_size).rewards[:, 0]
    assert rewards.shape == (batch_size,)
    assert int((rewards >= 1000).sum()) == n_real == round(ratio * batch_size)


def test_timeouts_are_not_dones(dataset):
    buf = _buffer(dataset, real_ratio=1.0)
    batch = buf.sample(2000)
    idx = (batch.rewards[:, 0] - 1000).long()
    assert set(idx.tolist()) == set(range(N))
    torch.testing.assert_close(batch.dones[:, 0], (idx % 5 == 0).float())  # terminals only


def test_empty_pool_errors_unless_all_real(dataset):
    assert (_buffer(dataset, real_ratio=1.0).sample(4).rewards >= 1000).all()
    with pytest.raises(ValueError, match="model pool is empty"):
        _buffer(dataset).sample(4)


def test_model_pool_is_fifo_over_retained_iterations(dataset):
    assert model_pool_size(rollout_length=5, n_rollouts=50_000, retain_iterations=5) == 1_250_000
    with pytest.raises(ValueError, match="rollout_length"):
        model_pool_size(0, 10)
    k, n_envs, retain = 2, 4, 3
    buf = _buffer(
        dataset, real_ratio=0.0, n_envs=n_envs, buffer_size=model_pool_size(k, n_envs, retain)
    )
    assert buf.buffer_size == k * retain  # SB3 divides by n_envs
    _fill(buf, 5 * k)  # five iterations of k steps
    kept = set((-buf.sample(4000).rewards[:, 0]).long().tolist())
    assert kept == set(range(2 * k + 1, 5 * k + 1))  # only the last three iterations' steps


def test_invalid_ratio(dataset):
    with pytest.raises(ValueError, match="real_ratio"):
        _buffer(dataset, real_ratio=1.5)


def test_optimize_memory_usage_is_refused_with_the_reason_when_built_directly(dataset):
    """Issue 14: ``MixedReplayBuffer(…, optimize_memory_usage=True)`` built directly (not by
    make_agent, which refused it already) was SB3's raw "ReplayBuffer does not support
    optimize_memory_usage = True and handle_timeout_termination = True"."""
    box = spaces.Box(-1.0, 1.0, (OBS_DIM,), np.float32)
    with pytest.raises(ValueError) as info:
        MixedReplayBuffer(
            40,
            box,
            spaces.Box(-2.0, 2.0, (A,), np.float32),
            optimize_memory_usage=True,
            dataset=dataset,
            normalizer=ObsNormalizer.from_dataset(dataset),
        )
    message = str(info.value)
    assert message.startswith(  # make_agent's wording
        "optimize_memory_usage: True cannot be given: it reads a transition's next observation "
        "from the row stored after it"
    ), message
    assert message.endswith(
        "leave it out (model-pool memory: lower retain_iterations or n_rollouts)"
    )


def test_pickle_round_trip_continues_identically(dataset):
    buf = _buffer(dataset, seed=3)
    _fill(buf, 3)
    clone = pickle.loads(pickle.dumps(buf))
    np.random.seed(0)  # noqa: NPY002 (SB3 samples its pool with the global RNG)
    a = buf.sample(16)
    np.random.seed(0)  # noqa: NPY002 (SB3 samples its pool with the global RNG)
    b = clone.sample(16)
    for x, y in zip(a[:5], b[:5], strict=True):
        torch.testing.assert_close(x, y)


def test_a_batch_larger_than_the_memory_is_one_error(dataset):
    """Probe 17: ``sample(10**12)`` was torch's raw "DefaultCPUAllocator: can't allocate memory"
    (``10**8``: numpy's ``_ArrayMemoryError``, or the OOM killer)."""
    buf = _buffer(dataset)
    _fill(buf, 5)
    with pytest.raises(ValueError, match=r"batch_size: a batch of 1000000000000 rows needs ~"):
        buf.sample(10**12)
    assert buf.sample(100_000).rewards.shape == (100_000, 1)


def test_the_batch_memory_check_counts_the_gradient_steps_activations(dataset, monkeypatch):
    """Probe 52 row 81: 3M rows passed the check with 8.69 GiB free (~0.3 KiB a row counted),
    then the SAC step asked torch for 3 GB of one layer's activations after 74 s of training.
    The estimate now counts a gradient step's activations (24 KiB a row)."""
    import agents.memory

    monkeypatch.setattr(agents.memory, "available_memory_bytes", lambda: int(8.69 * 2**30))
    buf = _buffer(dataset)
    _fill(buf, 5)
    with pytest.raises(
        ValueError, match=r"^batch_size: a batch of 3000000 rows needs ~6\d\.\d GiB"
    ):
        buf.sample(3_000_000)
    assert buf.sample(100_000).rewards.shape == (100_000, 1)  # ~2.3 GiB: taken


@pytest.mark.parametrize("key", ["rewards", "actions", "observations"])
def test_the_dataset_cannot_be_edited_under_a_built_buffer(dataset, key):
    """Probe 41 row 113: ``ds.rewards[:] = np.nan`` after make_agent (the buffer shared the
    dataset's memory and sampled the NaN rows live) was torch's "Expected parameter loc … to
    satisfy the constraint Real()" in SAC, the rewards never named. A validated dataset's arrays
    are read-only: the edit is numpy's error at the user's line; the buffer holds its own copy."""
    buf = _buffer(dataset, real_ratio=1.0)
    with pytest.raises(ValueError, match="assignment destination is read-only"):
        getattr(dataset, key)[:] = np.nan
    batch = buf.sample(16)
    assert all(torch.isfinite(t).all() for t in (batch.observations, batch.actions, batch.rewards))
    assert not np.shares_memory(buf.real.reward.numpy(), dataset.rewards)  # its own copy


def test_add_refuses_a_wrong_shape_non_finite_values_and_unscaled_actions(dataset):
    """Probe 59 rows 37-38: a NaN reward, an inf observation and an action of 5.0 were stored
    silently; a wrong observation shape was numpy's raw broadcast error."""
    buf = _buffer(dataset, n_envs=1)
    o, a = np.zeros((1, OBS_DIM), np.float32), np.zeros((1, A), np.float32)
    r, d, infos = np.zeros(1, np.float32), np.zeros(1), [{}]
    bad_obs = np.zeros((1, OBS_DIM), np.float32)
    bad_obs[0, 2] = np.inf
    cases = [
        (
            (np.zeros((1, 5)), o, a, r, d),
            f"obs: expected shape (1, {OBS_DIM}) (n_envs, obs_dim), got (1, 5)",
        ),
        ((o, np.zeros((2, OBS_DIM)), a, r, d), "next_obs: expected shape (1, 3)"),
        ((o, o, np.zeros((1, 4)), r, d), f"action: expected shape (1, {A}) (n_envs, action_dim)"),
        ((o, o, a, np.zeros(3), d), "reward: expected shape (1,) (n_envs,), got (3,)"),
        ((o, o, a, r, np.zeros((1, 2))), "done: expected shape (1,)"),
        ((o, o, a, np.array([np.nan]), d), "reward[0] is nan: the model pool takes finite values"),
        ((bad_obs, o, a, r, d), "obs[0, 2] is inf"),
        ((o, bad_obs, a, r, d), "next_obs[0, 2] is inf"),
        (
            (o, o, np.array([[0.0, 5.0]]), r, d),
            "action[0, 1] is 5.0: actions are stored scaled to [-1, 1]",
        ),
    ]
    for args, message in cases:
        with pytest.raises(ValueError, match="^" + re.escape(message)):
            buf.add(*args, infos)
    assert buf.size() == 0  # nothing stored
    buf.add(o, o, np.array([[1.0, -1.0]]), r, d, infos)  # the box's bounds are fine
    buf.add(o[0], o[0], a[0], r, d, infos)  # one env: SB3's reshape of a flat row is kept
    assert buf.size() == 2
