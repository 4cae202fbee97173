"""Probe 91 rows 10, 5: the caller's torch matmul precision and default device with a run."""

from __future__ import annotations

import json

import pytest
import torch

from agents.cotrain import run_cotrain
from rambo_env.run_io import load_checkpoint
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)


def test_a_callers_matmul_precision_is_recorded(tiny_hopper, tmp_path):  # noqa: F811
    # probe 91 row 10: was recorded nowhere (the final score differed at 'medium', 1e-7 on CPU;
    # TF32 matmuls on CUDA)
    run_dir = tmp_path / "run"
    torch.set_float32_matmul_precision("medium")
    try:
        run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    finally:
        torch.set_float32_matmul_precision("highest")
    medium = {"torch_threads": 1, "compiled": False, "matmul_precision": "medium"}
    assert load_checkpoint(run_dir / "checkpoint.pt")["session_settings"] == [medium]
    assert json.loads((run_dir / "results.json").read_text())["session_settings"] == [medium]


def test_a_meta_default_device_is_refused_before_the_run(tiny_hopper, tmp_path):  # noqa: F811
    # probe 91 row 5: was torch's raw "Cannot copy out of meta tensor" (after the cached model
    # was deleted as unreadable)
    torch.set_default_device("meta")
    try:
        with pytest.raises(RuntimeError, match=r"run_cotrain: torch's default device is meta"):
            run_cotrain(tiny_config(tiny_hopper, n_iterations=1), tmp_path / "run")
    finally:
        torch.set_default_device(None)
    assert not (tmp_path / "run").exists()
