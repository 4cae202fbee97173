"""Probe 74 row 4: the iteration-time record's key did not say whether the steps are compiled."""

from __future__ import annotations

import dataclasses

from agents import timing
from agents.cotrain import CotrainConfig


def test_compiled_and_eager_runs_time_under_their_own_keys():
    cfg = CotrainConfig(n_iterations=10)
    eager = timing.timing_key(dataclasses.replace(cfg, compile=False), 5, 3e-4, "cpu")
    compiled = timing.timing_key(dataclasses.replace(cfg, compile=True), 5, 3e-4, "cpu")
    auto_long = timing.timing_key(dataclasses.replace(cfg, n_iterations=2000), 5, 3e-4, "cpu")
    assert compiled != eager and compiled == auto_long  # >= 20 iterations compile by default
    assert eager == timing.timing_key(cfg, 5, 3e-4, "cpu")  # 10 iterations: eager
    assert not eager.endswith("compiled")  # eager keys as recorded before the field
