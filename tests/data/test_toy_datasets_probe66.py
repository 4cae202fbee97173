"""Probe 66 (row 74): a toy dataset larger than memory is refused, naming n."""

from __future__ import annotations

import pytest

from rambo_env.data import toy_datasets
from rambo_env.data.toy_datasets import make_illustrative_dataset, make_single_transition_dataset


@pytest.mark.parametrize("make", [make_single_transition_dataset, make_illustrative_dataset])
def test_a_toy_dataset_beyond_memory_is_refused(make, monkeypatch):
    # probe 66 row 74: n=10**9 was numpy's raw "MemoryError: Unable to allocate 7.45 GiB"
    monkeypatch.setattr(toy_datasets, "available_memory_bytes", lambda: 2**30)
    with pytest.raises(
        ValueError, match=r"^n: 1000000000 transitions need ~\d+.* GiB of memory, but"
    ):
        make(n=10**9)
    assert make(n=10).n_transitions == 10
