"""Probe 139 rows 1, 2 and 5: the cached-model note fired for a model pretrained under uncommitted
changes to files other than the model code (a README edit: "delete the file" of hours of
pretraining); an MLE checkpoint begun by other model code was continued without a word; and
``RamboBaseHyperparameters.target_entropy`` took any value."""

from __future__ import annotations

import dataclasses
import subprocess

import pytest
import torch

from rambo_env import requirements
from rambo_env.dynamics import io
from rambo_env.dynamics.training import MLEConfig
from rambo_env.presets import RamboBaseHyperparameters
from tests.dynamics.test_mle_training import fit, linear_dataset

NOW, OTHER = "a" * 40, "b" * 40


@pytest.fixture
def at_commit_now(monkeypatch):
    monkeypatch.setattr(requirements, "source_commit", lambda root=None: NOW)
    monkeypatch.setattr(
        requirements, "source_changes", lambda root=None: {"rambo_env_dirty": "false"}
    )
    monkeypatch.setattr(io, "_model_code_differs", lambda root, commit: False)


def _dirty_meta(changed: str | None) -> dict[str, str]:
    meta = {"rambo_env_commit": NOW, "rambo_env_dirty": "true", "rambo_env_diff": "0123456789ab"}
    return meta if changed is None else meta | {"rambo_env_changed": changed}


def test_uncommitted_changes_to_other_files_give_no_note(at_commit_now):
    assert io.model_code_note(_dirty_meta("README.md scripts/cotrain.py"), "m.pt") is None


def test_uncommitted_changes_to_the_model_code_or_unrecorded_ones_give_the_note(at_commit_now):
    for changed in ("README.md rambo_env/dynamics/training.py", None):
        said = io.model_code_note(_dirty_meta(changed), "m.pt")
        assert said is not None and "with uncommitted changes" in said, changed


def test_the_changed_files_are_recorded(tmp_path):
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("x\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "c"], check=True)
    (tmp_path / "b.txt").write_text("y\n")
    record = requirements.source_changes(tmp_path)
    assert record["rambo_env_dirty"] == "true"
    assert requirements.changed_files(record) == ["b.txt"]


def test_a_checkpoint_begun_by_other_model_code_is_named_when_resumed(
    tmp_path, monkeypatch, capsys
):
    data, path = linear_dataset(400), tmp_path / "m.partial.pt"
    fit(data, MLEConfig(max_epochs=2), checkpoint_path=path)
    saved = torch.load(path, weights_only=True)
    assert isinstance(saved["code"], dict)  # the code that began it is recorded
    saved["code"] = {"rambo_env_commit": OTHER, "rambo_env_dirty": "false"}
    torch.save(saved, path)
    monkeypatch.setattr(requirements, "source_commit", lambda root=None: NOW)
    monkeypatch.setattr(io, "_model_code_differs", lambda root, commit: commit == OTHER)
    capsys.readouterr()
    fit(data, MLEConfig(max_epochs=4), checkpoint_path=path)
    said = capsys.readouterr().out
    assert "resuming MLE pretraining from epoch 2" in said
    assert f"the MLE checkpoint {path} was trained by rambo_env commit {OTHER[:12]}" in said, said
    assert torch.load(path, weights_only=True)["code"]["rambo_env_commit"] == OTHER  # kept


@pytest.mark.parametrize("value", ["banana", float("nan"), True, None])
def test_target_entropy_is_checked(value):
    base = RamboBaseHyperparameters()
    with pytest.raises(ValueError, match=r"RamboBaseHyperparameters\.target_entropy: expected"):
        dataclasses.replace(base, target_entropy=value)


@pytest.mark.parametrize("value", ["-dim(A)", "auto", -3.0, 2])
def test_target_entropy_valid_values_are_taken(value):
    assert (
        dataclasses.replace(RamboBaseHyperparameters(), target_entropy=value).target_entropy
        == value
    )
