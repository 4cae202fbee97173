"""Probe 139 (a row left by probes 137 / 139): an MLE pretraining resumed from a checkpoint begun
by other code recorded only the finishing commit, in the cached model's meta and in config.json's
``resolved.model``; the cached-model note compared that commit alone. Now the code that began it
goes into the report (``MLEReport.begun_by``), the model's meta (``mle_begun_by``; the cache key
unchanged) and ``resolved.model`` (``begun_commit`` …), and the note compares both."""

from __future__ import annotations

import torch

from agents import cotrain_setup
from rambo_env import requirements
from rambo_env.dynamics import io
from rambo_env.dynamics.training import MLEConfig
from rambo_env.normalization import ObsNormalizer
from tests.dynamics.test_mle_training import fit, linear_dataset

NOW, OTHER = "a" * 40, "b" * 40


def _at(monkeypatch, commit: str, differs=lambda root, commit: commit == OTHER) -> None:
    monkeypatch.setattr(requirements, "source_commit", lambda root=None: commit)
    monkeypatch.setattr(
        requirements, "source_changes", lambda root=None: {"rambo_env_dirty": "false"}
    )
    monkeypatch.setattr(io, "_model_code_differs", differs)


def test_a_resumed_pretraining_records_the_code_that_began_it(tmp_path, monkeypatch):
    data, partial = linear_dataset(400), tmp_path / "m.partial.pt"
    _at(monkeypatch, OTHER)
    _, first = fit(data, MLEConfig(max_epochs=2), checkpoint_path=partial)
    assert first.begun_by is None  # begun here
    _at(monkeypatch, NOW)
    model, report = fit(data, MLEConfig(max_epochs=4), checkpoint_path=partial)
    assert report.epochs == 4 and report.begun_by["rambo_env_commit"] == OTHER
    path = io.save_model(
        tmp_path / "m.pt", model, ObsNormalizer.from_dataset(data), None, report,
        meta={"rambo_env_commit": NOW, "cache_key": "k"},
    )  # fmt: skip
    loaded = io.load_model(path, "cpu")
    assert loaded.meta["rambo_env_commit"] == NOW  # the finishing commit keeps its meaning
    assert loaded.meta["mle_begun_by"]["rambo_env_commit"] == OTHER
    assert loaded.report.begun_by["rambo_env_commit"] == OTHER
    assert "begun_by" not in torch.load(path, weights_only=True)["report"]  # older code reads it
    resolved = cotrain_setup._trained_by(loaded.meta)
    assert resolved["trained_commit"] == NOW and resolved["begun_commit"] == OTHER
    said = io.model_code_note(loaded.meta, path)
    assert said is not None and f"begun by rambo_env commit {OTHER[:12]}" in said, said


def test_a_model_without_the_field_loads_and_stays_silent(tmp_path, monkeypatch):
    data = linear_dataset(400)
    _at(monkeypatch, NOW)
    model, report = fit(data, MLEConfig(max_epochs=1))
    path = io.save_model(
        tmp_path / "m.pt", model, ObsNormalizer.from_dataset(data), None, report,
        meta={"rambo_env_commit": NOW},
    )  # fmt: skip
    loaded = io.load_model(path, "cpu")
    assert loaded.report.begun_by is None and "mle_begun_by" not in loaded.meta
    assert io.model_code_note(loaded.meta, path) is None
    assert set(cotrain_setup._trained_by(loaded.meta)) == {"trained_commit"}


def test_both_commits_are_compared(monkeypatch):
    _at(monkeypatch, NOW)
    same = {"rambo_env_commit": NOW, "mle_begun_by": {"rambo_env_commit": NOW}}
    assert io.model_code_note(same, "m.pt") is None
    both = {"rambo_env_commit": OTHER, "mle_begun_by": {"rambo_env_commit": OTHER}}
    said = io.model_code_note(both, "m.pt")
    assert said.startswith(
        f"note: the cached model m.pt was trained by rambo_env commit {OTHER[:12]}"
    )
    assert "begun by" not in said  # one commit: named once
    begun_elsewhere = {"rambo_env_commit": NOW, "mle_begun_by": {"rambo_env_commit": OTHER}}
    said = io.model_code_note(begun_elsewhere, "m.pt")  # was: None (the finishing commit only)
    assert said is not None and f"begun by rambo_env commit {OTHER[:12]}" in said, said
    _at(monkeypatch, NOW, differs=lambda root, commit: False)  # other commit, same model code
    assert io.model_code_note(begun_elsewhere, "m.pt") is None
