"""Probe 159: ``sweep.py --agent-steps-per-iteration 100000000`` (or a huge λ in --configs) was
warned about only inside each Ray trial, ~20 s in and once per trial, among Ray's tables; the
sweep itself says it once, before any dataset or trial work."""

from __future__ import annotations

import pytest

from agents import sweep
from agents.cotrain_setup import CotrainConfig
from rambo_env.presets import RamboPreset


def test_huge_steps_and_lambda_are_said_before_the_sweep_starts(tmp_path, monkeypatch, capsys):
    def stop(*args, **kwargs):
        raise RuntimeError("stopped by the test, before any dataset or trial work")

    monkeypatch.setattr(sweep, "_hold_sweep", stop)
    base = CotrainConfig(agent_steps_per_iteration=100_000_000)
    spec = sweep.SweepSpec(("hopper-medium",), (RamboPreset(5, 1e6),), (0,), base)
    with pytest.raises(RuntimeError, match="stopped by the test"):
        sweep.run_sweep(spec, tmp_path / "sw")
    said = capsys.readouterr()
    out = said.out + said.err
    assert "adversary weight λ = 1e+06 (--configs 5:1e+06) is far above the" in out, out
    assert "agent_steps_per_iteration = 100000000 (--agent-steps-per-iteration)" in out
