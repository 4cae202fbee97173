"""Probe 91 rows 4, 30: a run's checkpoint that cannot be loaded for a reason other than its
bytes (out of memory) was called damaged, with advice to start a new run."""

from __future__ import annotations

import pytest
import torch

from rambo_env import run_io


def test_load_checkpoint_raises_an_allocation_failure_as_it_is(tmp_path, monkeypatch):
    # probe 91 rows 4, 30: was "ValueError: …: unreadable checkpoint (MemoryError …); … start a
    # new run"
    path = tmp_path / "checkpoint.pt"
    run_io.save_checkpoint(path, {"x": torch.zeros(2)})

    def fail(*args, **kwargs):
        raise MemoryError("Unable to allocate 2.00 GiB")

    monkeypatch.setattr(torch, "load", fail)  # what load_checkpoint calls
    with pytest.raises(MemoryError):
        run_io.load_checkpoint(path)


def test_load_checkpoint_still_names_a_damaged_file(tmp_path):
    path = tmp_path / "checkpoint.pt"
    path.write_bytes(b"PK\x03\x04" + b"x" * 50)
    with pytest.raises(ValueError, match="unreadable checkpoint"):
        run_io.load_checkpoint(path)
