"""Probe 91 rows 4, 30: an error while reading a cache file that says nothing about its bytes
(out of memory) took the file for a damaged one; the MLE checkpoint follows the model cache's
rule (only bad bytes are a damaged file)."""

from __future__ import annotations

import pytest
import torch

import rambo_env.dynamics.training as training


def _fail(*args, **kwargs):
    raise MemoryError("Unable to allocate 2.00 GiB")


def test_an_mle_checkpoint_is_not_called_unreadable_when_memory_runs_out(
    tmp_path, monkeypatch, capsys
):
    # probe 91 rows 4, 30: was "MLE checkpoint … is unreadable (MemoryError …); starting MLE
    # pretraining afresh", and the fresh start wrote over the pretraining so far
    path = tmp_path / "mle.partial.pt"
    torch.save({"version": training._CHECKPOINT_VERSION}, path)
    monkeypatch.setattr(training.torch, "load", _fail)
    with pytest.raises(MemoryError):
        training._load_checkpoint(path, "fp")
    assert path.is_file() and "unreadable" not in capsys.readouterr().out


def test_a_damaged_mle_checkpoint_is_still_ignored(tmp_path, capsys):
    path = tmp_path / "mle.partial.pt"
    path.write_bytes(b"PK\x03\x04" + b"x" * 100)
    assert training._load_checkpoint(path, "fp") is None
    assert "is unreadable" in capsys.readouterr().out
