"""Probe 116: a model file of a newer rambo_env in a shared model cache was removed and trained
anew ("is unreadable (… written by a newer rambo_env …); removing it"), and model / checkpoint
format versions edited by hand ('1', -1, None) were "…, but this code reads version 1; resume it
with the version of rambo-env that wrote it" (no such version) while True / 1.0 passed."""

from __future__ import annotations

import os

import pytest
import torch

from rambo_env import run_io
from rambo_env.dynamics.io import FORMAT_VERSION, load_model, save_model
from rambo_env.model import _cached_ensemble
from tests.data.data_helpers import make_dataset
from tests.dynamics.test_dynamics_io import trained_like_model


def _model_file(tmp_path, version):
    model, norm, _ = trained_like_model()
    path = save_model(tmp_path / "dynamics-0123.pt", model, norm)
    checkpoint = torch.load(path, weights_only=True)
    torch.save({**checkpoint, "format_version": version}, path)
    return path, norm


def test_a_newer_rambo_envs_cached_model_is_kept(tmp_path, capsys):
    path, norm = _model_file(tmp_path, FORMAT_VERSION + 1)
    with pytest.raises(run_io.NewerFormatError, match="written by a newer rambo_env"):
        _cached_ensemble(path, make_dataset(), norm, torch.device("cpu"), ())
    assert torch.load(path, weights_only=True)["format_version"] == FORMAT_VERSION + 1  # kept
    assert "removing it" not in capsys.readouterr().out
    assert not run_io.damaged_file(run_io.NewerFormatError("x"))
    assert run_io.damaged_file(ValueError("x"))  # other refusals of a cache file: as before


@pytest.mark.parametrize("version", ["1", -1, 0, None, True, 1.0])
def test_a_hand_edited_model_format_version_is_named_so(tmp_path, version):
    path, _ = _model_file(tmp_path, version)
    with pytest.raises(ValueError, match="edited by hand") as refused:
        load_model(path, device="cpu")
    assert f"format_version {version!r}" in str(refused.value)


@pytest.mark.parametrize("version", ["1", -1, None, True, 1.0])
def test_a_hand_edited_checkpoint_format_version_is_named_so(tmp_path, version):
    from agents import cotrain

    path = tmp_path / "checkpoint.pt"
    state = {key: None for key in cotrain._CHECKPOINT_KEYS} | {"iteration": 3}
    run_io.save_checkpoint(path, {**state, "format_version": version})
    with pytest.raises(ValueError, match="edited by hand") as refused:
        cotrain._load_run_checkpoint(path)
    assert "resume it with the version of rambo-env that wrote it" not in str(refused.value)
    run_io.save_checkpoint(path, {**state, "format_version": cotrain.CHECKPOINT_FORMAT})
    assert cotrain._load_run_checkpoint(path)["iteration"] == 3


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_folders_root_makes_in_a_users_folder_are_the_users(tmp_path):
    """Probe 116 S4, S5: root (sudo) writing a flat dataset cache or a new cache folder into a
    user's RAMBO_ENV_CACHE made the folders root's, and so the files in them."""
    user = tmp_path / "home"
    user.mkdir()
    os.chown(user, 4242, 4242)
    written = run_io.atomic_write(
        user / "cache" / "datasets" / "x" / "a.npz", lambda tmp: tmp.write_bytes(b"data")
    )
    for made in (user / "cache", user / "cache" / "datasets", user / "cache" / "datasets" / "x"):
        assert (made.stat().st_uid, made.stat().st_gid) == (4242, 4242), made
    assert written.stat().st_uid == 4242  # the file takes its (now the user's) folder's owner
    run_io.check_writable(user / "cache2" / "m", "RAMBO_ENV_CACHE:", "hint")
    assert (user / "cache2").stat().st_uid == 4242 and (user / "cache2" / "m").stat().st_uid == 4242
    mine = tmp_path / "root_own"
    run_io.atomic_write(
        mine / "b" / "c.txt", lambda tmp: tmp.write_bytes(b"x")
    )  # root's own folder: root's, as before
    assert (mine / "b").stat().st_uid == 0 and (mine / "b" / "c.txt").stat().st_uid == 0
