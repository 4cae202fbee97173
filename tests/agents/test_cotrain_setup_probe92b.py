"""Probe 92b rows 86, 87: an ``auto_<init>`` whose init SB3 reads otherwise than the check."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from agents.cotrain_setup import CotrainConfig, check_ent_coef
from tests.scripts import REPO, python_path


@pytest.mark.parametrize("ent_coef", ["auto_1_0", "auto_0_1", "auto_0.1_2"])
def test_an_auto_init_with_a_second_underscore_is_refused(ent_coef):
    """Row 86: ``auto_1_0`` passed as α₀ = float('1_0') = 10, but SB3 splits on '_' and started
    α at 1.0; ``auto_0_1`` passed (float('0_1') = 1), then SB3's AssertionError."""
    match = rf"^ent_coef: '{ent_coef}': SB3 reads only the digits up to the second '_'"
    with pytest.raises(ValueError, match=match):
        check_ent_coef("sac", ent_coef)
    with pytest.raises(ValueError, match=match):
        CotrainConfig(dataset="hopper-medium", ent_coef=ent_coef)
    for fine in ("auto", "auto_0.1", "1_0", "0.1"):  # SB3 reads these as they read
        check_ent_coef("sac", fine)


def test_cotrain_refuses_the_ent_coef_before_loading_anything(tmp_path):
    """Row 87: ``--ent-coef auto_0_1`` was a 30-line traceback (SB3's AssertionError) after the
    dataset and the dynamics model were loaded, rc 1."""
    run = tmp_path / "run"
    args = ["--dataset", "hopper-random", "--ent-coef", "auto_0_1", "--run-dir", str(run)]
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "cotrain.py"), *args, "--device", "cpu"],
        env={**os.environ, "PYTHONPATH": python_path(), "OMP_NUM_THREADS": "1"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert "error: ent_coef: 'auto_0_1': SB3 reads only the digits" in proc.stderr
    assert "Traceback" not in proc.stderr and "dataset 'hopper-random'" not in proc.stdout
    assert not run.exists()
