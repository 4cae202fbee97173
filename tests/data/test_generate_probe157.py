"""Probe 157 row 1: make_dataset.py --replay with an .npz lacking fields said "missing key(s)
[…]", naming neither the file nor --replay (cotrain.py's load names the file)."""

from __future__ import annotations

import numpy as np
import pytest

from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.generate import generate_dataset
from rambo_env.data.minari_io import minari_dataset_path
from tests.scripts import load_script


def _missing_fields(path):
    rng = np.random.default_rng(0)
    np.savez(
        path,
        observations=rng.normal(size=(6, 11)).astype(np.float32),
        actions=rng.uniform(-1, 1, size=(6, 3)).astype(np.float32),
        rewards=rng.normal(size=6).astype(np.float32),
    )
    return path


def test_a_replay_file_lacking_fields_is_named_with_its_flag(tmp_path):
    path = _missing_fields(tmp_path / "missing.npz")
    with pytest.raises(DatasetValidationError) as info:
        generate_dataset("hopper", "medium-replay", replay_path=path, progress=False, n_workers=1)
    said = str(info.value)
    assert said.startswith(f"replay_path (--replay): {path}: missing key(s) "), said
    assert "'next_observations', 'terminals'" in said
    assert not minari_dataset_path("rambo/hopper/medium-replay-v0").exists()


def test_the_script_says_it_in_one_line(tmp_path, monkeypatch, capsys):
    path = _missing_fields(tmp_path / "missing.npz")
    script = load_script("make_dataset")
    argv = ["--env", "hopper", "--level", "medium-replay", "--replay", str(path)]
    assert script.main([*argv, "--no-progress", "--dataset-id", "tt/m5-v0"]) == 2
    err = capsys.readouterr().err
    assert f"error: replay_path (--replay): {path}: missing key(s)" in err, err
