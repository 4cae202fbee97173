"""Slow: the paper's toy results (App. C.1 Table 3, App. C.3 Figs 5-6) through ``scripts/toys.py``.

Paper protocol (1000 agent + 1000 adversary steps per iteration); tens of minutes on a 2-core CPU.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "toys.py"


def _toys_script():
    spec = importlib.util.spec_from_file_location("toys_script", _SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_c3_rambo_stays_in_distribution_mbpo_does_not(tmp_path: Path) -> None:
    """App. C.3 (15 iterations): λ = 3e-2 -> mean action ≈ 0.3 (best in-distribution action),
    λ = 0 -> the policy exploits the model's upward extrapolation (a > 0.5)."""
    toys = _toys_script()
    rambo = toys.run_toy("illustrative", 3e-2, 0, tmp_path)
    mbpo = toys.run_toy("illustrative", 0.0, 0, tmp_path)
    print("C.3", rambo, mbpo)
    assert 0.15 <= rambo["mean_action_s0"] <= 0.4, rambo
    assert mbpo["mean_action_s0"] > 0.5, mbpo
    assert rambo["final_return"] > mbpo["final_return"]


def test_c1_rambo_return_close_to_paper(tmp_path: Path) -> None:
    """App. C.1 Table 3: RAMBO's mean return over 20 seeds is 1.49 (optimum 1.5); here 3 seeds."""
    toys = _toys_script()
    runs = [toys.run_toy("single", 3e-2, seed, tmp_path) for seed in range(3)]
    print("C.1", runs)
    assert np.mean([r["final_return"] for r in runs]) >= 1.3, runs
