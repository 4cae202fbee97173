"""Probe 91 (the caller's global torch state, reliability): a meta default device, and errors
while loading a cached model that say nothing about its bytes."""

from __future__ import annotations

import re
from pathlib import Path

import gymnasium as gym
import pytest
import torch

import rambo_env.dynamics.io as model_io
from rambo_env.model import make_mdp
from rambo_env.run_io import damaged_file
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE

KWARGS = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)


def _cached(tiny_dataset, capsys) -> Path:
    make_mdp(tiny_dataset, **KWARGS)
    return Path(re.search(r"saved to (\S+\.pt)", capsys.readouterr().out).group(1))


@pytest.fixture
def meta_default():
    torch.set_default_device("meta")
    try:
        yield
    finally:
        torch.set_default_device(None)


def test_a_meta_default_device_keeps_the_cached_model(tiny_dataset, capsys, meta_default):
    # probe 91 rows 4, 30: was "cached dynamics model … is unreadable (NotImplementedError: Cannot
    # copy out of meta tensor …); removing it and training anew": the valid file was deleted
    torch.set_default_device(None)
    path = _cached(tiny_dataset, capsys)
    before = path.read_bytes()
    torch.set_default_device("meta")
    with pytest.raises(RuntimeError, match=r"make_mdp: torch's default device is meta"):
        make_mdp(tiny_dataset, **KWARGS)
    assert path.read_bytes() == before
    assert "unreadable" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "error",
    [torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"), MemoryError()],
)
def test_an_allocation_failure_while_loading_keeps_the_cached_model(
    tiny_dataset, capsys, monkeypatch, error
):
    # probe 91 rows 4, 30: any error while loading (out of memory too) deleted the file
    path = _cached(tiny_dataset, capsys)

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(model_io.GaussianEnsemble, "to", fail)
    with pytest.raises(type(error)):
        make_mdp(tiny_dataset, **KWARGS)
    assert path.is_file()
    assert "unreadable" not in capsys.readouterr().out


def test_a_truncated_cached_model_is_still_rebuilt(tiny_dataset, capsys):
    path = _cached(tiny_dataset, capsys)
    path.write_bytes(path.read_bytes()[:300])
    make_mdp(tiny_dataset, **KWARGS)
    out = capsys.readouterr().out
    assert "is unreadable (" in out and "saved to" in out


def test_damaged_file_tells_bad_bytes_from_process_state():
    assert damaged_file(RuntimeError("PytorchStreamReader failed reading zip archive: …"))
    assert damaged_file(EOFError()) and damaged_file(ValueError("not a torch file"))
    assert not damaged_file(NotImplementedError("Cannot copy out of meta tensor; no data!"))
    assert not damaged_file(torch.OutOfMemoryError("CUDA out of memory"))
    assert not damaged_file(MemoryError()) and not damaged_file(RuntimeError("CUDA error: x"))
    assert not damaged_file(KeyboardInterrupt())


@pytest.mark.parametrize("how", ["set_default_device", "with"])
def test_a_meta_default_device_is_named_before_the_build(tiny_dataset, how):
    # probe 91 row 5: was torch's raw "Cannot copy out of meta tensor; no data! …"
    with pytest.raises(RuntimeError, match=r"default device is meta .*set_default_device\(None\)"):
        if how == "with":
            with torch.device("meta"):
                gym.make("RamboModel-hopper-medium", dataset=tiny_dataset, **KWARGS)
        else:
            torch.set_default_device("meta")
            try:
                gym.make("RamboModel-hopper-medium", dataset=tiny_dataset, **KWARGS)
            finally:
                torch.set_default_device(None)


def test_load_model_names_a_meta_default_device(tiny_dataset, capsys, meta_default):
    torch.set_default_device(None)
    path = _cached(tiny_dataset, capsys)
    torch.set_default_device("meta")
    with pytest.raises(RuntimeError, match=r"load_model: torch's default device is meta"):
        model_io.load_model(path, "cpu")


def test_a_cpu_default_device_still_works(tiny_dataset, capsys):
    torch.set_default_device("cpu")
    try:
        assert make_mdp(tiny_dataset, **KWARGS).ensemble is not None
    finally:
        torch.set_default_device(None)
