"""Probe 67b: numeric extremes and environment variables (rows of raw warnings)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from rambo_env.envs.model_env import as_float32
from tests.scripts import python_path

REPO = Path(__file__).resolve().parents[2]


def test_a_finite_action_beyond_float32_is_named_not_cast_to_inf():
    """``step`` of a float64 1.797e308 gave numpy's "overflow encountered in cast", then
    "action[0]: not finite (inf)" for a finite value."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^action\[0\]: 1\.797e\+308 is beyond float32's"):
            as_float32(np.array([1.797e308, 0.0, 0.0]), "action", (3,))
        assert as_float32(np.array([1e30, 0.0, 0.0]), "action", (3,))[0] == np.float32(1e30)


def test_termination_classifier_fits_a_datasets_read_only_arrays_quietly():
    """``fit(ds.next_observations, ds.terminals)`` printed torch's "NumPy array is not writable"."""
    from rambo_env.dynamics.termination import TerminationClassifier

    rng = np.random.default_rng(0)
    obs = rng.standard_normal((64, 11)).astype(np.float32)
    flags = np.arange(64) % 8 == 0
    obs.flags.writeable = flags.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TerminationClassifier(obs_dim=11).fit(obs, flags, n_steps=2, batch_size=8)


def test_an_empty_inductor_cache_variable_counts_as_unset(tmp_path):
    """``TORCHINDUCTOR_CACHE_DIR=`` (set but empty): torch wrote its compile cache into the
    working folder."""
    env = {**os.environ, "PYTHONPATH": python_path(), "TORCHINDUCTOR_CACHE_DIR": ""}
    code = "import os, rambo_env; print(repr(os.environ.get('TORCHINDUCTOR_CACHE_DIR')))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.strip() == "None", done.stderr
