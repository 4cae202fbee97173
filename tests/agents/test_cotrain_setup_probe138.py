"""Probe 138 rows 20, 33 (and its minor rows): config.json's resolved record names the machine,
the code that trained a cached model, and the generation record of generated data."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from agents import cotrain_setup

A = "a" * 40


def test_library_versions_record_the_machine_and_the_checkout_state(monkeypatch):
    monkeypatch.setattr(cotrain_setup, "source_commit", lambda root=None: A)
    monkeypatch.setattr(
        cotrain_setup, "source_changes", lambda root=None: {"rambo_env_dirty": "false"}
    )
    versions = cotrain_setup.library_versions()
    assert versions["rambo_env_commit"] == A and versions["rambo_env_dirty"] == "false"
    for name in ("torch", "stable_baselines3", "gymnasium", "python", "numpy", "mujoco"):
        assert versions[name]  # was: torch, SB3, gymnasium only
    assert all(isinstance(v, str) for v in versions.values())
    monkeypatch.setattr(cotrain_setup, "source_commit", lambda root=None: None)
    versions = cotrain_setup.library_versions()  # an installed package: no checkout state
    assert "rambo_env_dirty" not in versions and "python" in versions


def test_the_cached_models_training_code_is_recorded():
    meta = {"rambo_env_commit": A, "rambo_env_dirty": "true", "rambo_env_diff": "0123", "x": 1}
    assert cotrain_setup._trained_by(meta) == {
        "trained_commit": A,
        "trained_dirty": "true",
        "trained_diff": "0123",
    }
    assert cotrain_setup._trained_by({}) == {}  # saved before models recorded it
    assert cotrain_setup._trained_by(None) == {}


def test_generated_datas_generation_record_is_copied():
    meta = {
        "level": "random",
        "seed": np.int64(4),
        "n_envs": 16,
        "n_workers": 2,
        "n_complete_episodes": 10,
        "rambo_env_version": "0.1.0",
        "rambo_env_commit": A,
    }
    dataset = SimpleNamespace(metadata=meta)
    assert cotrain_setup._generation_record(dataset) == {
        "generation": {
            "seed": 4,
            "n_envs": 16,
            "n_workers": 2,
            "rambo_env_version": "0.1.0",
            "rambo_env_commit": A,
        }
    }
    assert cotrain_setup._generation_record(SimpleNamespace(metadata={"seed": 1})) == {}
