"""Probe 130 R3: a sweep's data-changed error gave the command that made the data without
``--force``, and that command, run as given, was refused ("already exists … use --force")
because the changed data are still there; the deleted-data error keeps the plain command."""

from __future__ import annotations

import pytest

import agents.sweep as sweep
from rambo_env.data.dataset import DatasetUnavailableError
from tests.agents.test_sweep_probe129 import SETTINGS, _sweep


def test_the_changed_data_error_gives_the_command_with_force(tmp_path, monkeypatch):
    sweep_dir, _ = _sweep(tmp_path, SETTINGS)
    with pytest.raises(sweep.DatasetChangedError) as err:
        sweep.check_sweep_dataset(sweep_dir, "hopper-medium", "0123456789abcdef", now="ffff")
    assert "--policy p/m.pt --force, and continue with" in str(err.value)


def test_the_deleted_data_error_gives_the_command_without_force(tmp_path, monkeypatch):
    sweep_dir, _ = _sweep(tmp_path, SETTINGS)
    monkeypatch.setattr("rambo_env.data.loaders.needs_generation", lambda name: True)
    with pytest.raises(DatasetUnavailableError) as err:
        sweep.check_sweep_dataset(sweep_dir, "hopper-medium", "0123456789abcdef")
    assert "--policy p/m.pt, then continue" in str(err.value)
    assert "--force" not in str(err.value)
