"""Probe 83 (p83a) row 38: the sweep checks each k against each dataset's recorded time limit
before any trial starts, as a trial does."""

from __future__ import annotations

import pytest

from agents import sweep
from rambo_env.presets import RamboPreset
from tests.data.test_minari_env_spec_probe81a_spec import _mes20


def test_k_above_a_dataset_recorded_time_limit_is_refused_up_front() -> None:
    # probe 83 row 38: was refused only inside Ray, in that dataset's trial, after the other
    # datasets' trials had run (the up-front check used the registered 1000 steps)
    _mes20()
    with pytest.raises(
        ValueError,
        match=r"k = 30 \(--configs 30:0\.0003, dataset p81/hop/mes20-v0\) exceeds Hopper-v5's "
        r"episode limit of 20 steps \(the data's recorded max_episode_steps\)",
    ):
        sweep._prepare_datasets(["p81/hop/mes20-v0"], [RamboPreset(30, 3e-4)])
    sweep._prepare_datasets(["p81/hop/mes20-v0"], [RamboPreset(20, 3e-4)])  # at the limit: taken
