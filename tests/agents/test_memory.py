"""agents.memory's argument checks (probe 60 rows 35-37)."""

from __future__ import annotations

import numpy as np
import pytest

from agents.memory import check_memory, estimate_memory

SIZES = dict(
    n_rollouts=100, rollout_length=5, retain_iterations=5, ensemble_hidden=200, obs_dim=11,
    action_dim=3,
)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value"),
    [("n_rollouts", -5), ("n_rollouts", "5"), ("ensemble_hidden", 200.5), ("obs_dim", True)],
)
def test_memory_estimate_refuses_sizes_that_are_not_ints_at_least_0(name, value) -> None:
    """Row 35: ``n_rollouts=-5`` gave negative bytes, ``"5"`` a repeated string, 200.5 float
    bytes, all without a word."""
    for fn in (estimate_memory, check_memory):
        with pytest.raises(ValueError) as err:
            fn(**{**SIZES, name: value}, **({"available": 2**40} if fn is check_memory else {}))
        assert str(err.value) == f"{name}: expected an int >= 0, got {value!r}"


def test_memory_estimate_takes_numpy_ints_without_overflow() -> None:
    sizes = {name: np.int64(value) for name, value in SIZES.items()}
    assert estimate_memory(**sizes) == estimate_memory(**SIZES)
    big = estimate_memory(**{**sizes, "n_rollouts": np.int64(10**15), "retain_iterations": 10**6})
    assert big.pool_rows == 5 * 10**21 and type(big.pool_bytes) is int  # int64 would overflow


@pytest.mark.parametrize("available", [-1, 2.5, "1e9", True])
def test_check_memory_refuses_an_available_that_is_not_bytes(available) -> None:
    """Row 36: ``available=-1`` blamed the (tiny) model pool's sizes."""
    with pytest.raises(ValueError) as err:
        check_memory(**SIZES, available=available)
    assert str(err.value) == (
        f"available: expected bytes as an int >= 0, or None, got {available!r}"
    )
    check_memory(**SIZES, available=np.int64(2**34))  # numpy ints are fine


def test_check_memory_refuses_an_unknown_device() -> None:
    """Row 37: ``device="banana"`` was torch's raw device-string RuntimeError."""
    with pytest.raises(ValueError, match=r"^device: 'banana' is not a torch device"):
        check_memory(**SIZES, device="banana")
    with pytest.raises(ValueError, match=r"^device: expected auto, cpu, cuda or cuda:N"):
        check_memory(**SIZES, device="meta")
    for device in ("auto", "cpu"):
        check_memory(**SIZES, device=device, available=2**34)
