"""Probe 113 rows 30-34: a model file of a newer format was "format_version 2 != supported 1";
now one error saying a newer rambo_env wrote it."""

from __future__ import annotations

import pytest
import torch

from rambo_env.dynamics.io import FORMAT_VERSION, load_model, save_model
from rambo_env.requirements import code_record
from tests.dynamics.test_dynamics_io import trained_like_model


def test_load_model_names_a_newer_rambo_envs_model(tmp_path):
    model, norm, _ = trained_like_model()
    path = save_model(tmp_path / "m.pt", model, norm)
    checkpoint = torch.load(path, weights_only=True)
    torch.save({**checkpoint, "format_version": FORMAT_VERSION + 1}, path)
    with pytest.raises(ValueError) as refused:
        load_model(path, device="cpu")
    assert str(refused.value) == (
        f"{path} was written by a newer rambo_env (model format_version {FORMAT_VERSION + 1} > "
        f"{FORMAT_VERSION}, this code's): update the code (git pull) to load it"
    )


def test_code_record_names_this_rambo_env():
    import rambo_env

    record = code_record()
    assert record["rambo_env_version"] == rambo_env.__version__
    assert set(record) <= {
        "rambo_env_version",
        "rambo_env_commit",
        "rambo_env_dirty",
        "rambo_env_diff",
        "rambo_env_changed",
    }
