"""Probe 119 row 6: an MLE pretraining checkpoint (``dynamics-<key>.partial.pt``) of a newer
rambo_env in a shared cache was "unreadable; starting MLE pretraining afresh", then written over
(the newer code's pretraining lost); it is named as a newer one's and kept now."""

from __future__ import annotations

import pytest
import torch

import rambo_env.dynamics.training as training
from rambo_env.run_io import NewerFormatError


@pytest.mark.parametrize("version", [2, 3])
def test_a_newer_mle_checkpoint_is_named_and_kept(tmp_path, capsys, version):
    path = tmp_path / "dynamics-abc.partial.pt"
    torch.save({"version": version, "fingerprint": "fp"}, path)
    with pytest.raises(NewerFormatError, match="written by a newer rambo_env") as err:
        training._load_checkpoint(path, "fp")
    assert str(path) in str(err.value) and f"version {version} > 1" in str(err.value)
    assert path.is_file() and "unreadable" not in capsys.readouterr().out


@pytest.mark.parametrize("version", ["1", None, -1, 1.0])
def test_a_hand_edited_mle_checkpoint_version_is_named_like_the_models(tmp_path, capsys, version):
    path = tmp_path / "dynamics-abc.partial.pt"
    torch.save({"version": version, "fingerprint": "fp"}, path)
    assert training._load_checkpoint(path, "fp") is None  # a cache heals it, as it says
    out = capsys.readouterr().out
    assert "is not a pretraining checkpoint version" in out and "edited by hand?" in out
    assert "remove the key" not in out


def test_this_versions_checkpoint_still_loads(tmp_path):
    path = tmp_path / "dynamics-abc.partial.pt"
    torch.save({"version": training._CHECKPOINT_VERSION, "fingerprint": "fp"}, path)
    assert training._load_checkpoint(path, "fp")["fingerprint"] == "fp"
