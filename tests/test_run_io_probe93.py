"""Probe 93 row 23: the default-device check under a 'cuda' default on a torch without CUDA."""

from __future__ import annotations

import pytest
import torch

from rambo_env import run_io


@pytest.mark.skipif(
    torch.cuda.is_available() or torch.backends.cuda.is_built(),  # probe 149: a CUDA build says
    reason="needs a torch built without CUDA",  # another cause (no driver) without a GPU
)
def test_a_cuda_default_without_cuda_is_the_checks_own_message():
    # probe 93 row 23: was torch's raw "AssertionError: Torch not compiled with CUDA enabled",
    # raised by torch.get_default_device() inside the check itself
    with pytest.raises(RuntimeError, match=r"gym\.make: torch's default device .* cannot use") as e:
        with torch.device("cuda"):
            run_io.check_default_device("gym.make")
    assert "torch.set_default_device(None)" in str(e.value)
    assert "Torch not compiled with CUDA enabled" in str(e.value)


def test_a_cpu_default_passes():
    with torch.device("cpu"):
        run_io.check_default_device("gym.make")
    run_io.check_default_device("gym.make")
