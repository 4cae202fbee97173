"""Probe 96b rows 7, 8: an agent zip / replay buffer written under numpy >= 2, read under numpy 1.x
(the declared floor), was a raw ``ModuleNotFoundError: No module named 'numpy._core'``."""

from __future__ import annotations

import re

import numpy as np
import pytest
from stable_baselines3.common import save_util

from agents.fused import FusedSAC


def _numpy2_pickle(*args, **kwargs):
    """What reading a numpy-2 pickle does under numpy 1 (numpy 2 has numpy._core)."""
    raise ModuleNotFoundError("No module named 'numpy._core'", name="numpy._core")


def _said(path) -> str:
    return re.escape(
        f"path: {path}: written under numpy >= 2 (its pickled data name the module "
        "'numpy._core'), but this environment has numpy 1.24.4, which cannot read it; upgrade "
        "numpy here: pip install -U 'numpy>=2'"
    )


def test_an_agent_zip_and_a_buffer_of_numpy_2_name_the_numpy_versions(tmp_path, monkeypatch):
    # probe 96b rows 7, 8: was ModuleNotFoundError: No module named 'numpy._core', no file named
    agent = FusedSAC("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu")
    agent.save(tmp_path / "agent.zip")
    agent.save_replay_buffer(tmp_path / "buffer.pkl")
    monkeypatch.setattr(np, "__version__", "1.24.4")
    with monkeypatch.context() as m:
        m.setattr(save_util, "json_to_data", _numpy2_pickle)
        with pytest.raises(ValueError, match=_said(tmp_path / "agent.zip")):
            FusedSAC.load(tmp_path / "agent.zip", device="cpu")
    with monkeypatch.context() as m:
        m.setattr(save_util.pickle, "load", _numpy2_pickle)
        with pytest.raises(ValueError, match=_said(tmp_path / "buffer.pkl")):
            agent.load_replay_buffer(tmp_path / "buffer.pkl")


def test_another_missing_module_is_left_as_it_is(tmp_path, monkeypatch):
    """Only numpy._core under numpy 1 is the version mismatch; any other missing module is
    raised as it was."""
    agent = FusedSAC("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu")
    agent.save_replay_buffer(tmp_path / "buffer.pkl")

    def other(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'mypkg'", name="mypkg")

    monkeypatch.setattr(save_util.pickle, "load", other)
    with pytest.raises(ModuleNotFoundError, match="mypkg"):
        agent.load_replay_buffer(tmp_path / "buffer.pkl")
    monkeypatch.setattr(np, "__version__", "2.4.6")  # numpy 2 has numpy._core: not the cause
    monkeypatch.setattr(save_util.pickle, "load", _numpy2_pickle)
    with pytest.raises(ModuleNotFoundError, match=r"numpy\._core"):
        agent.load_replay_buffer(tmp_path / "buffer.pkl")
