"""Probe 136: a run folder beside a new default run, of the same settings and seed, with a
checkpoint but no results.json (killed before its first iteration's results were written) was
said to hold "0 iterations done": the note now gives the checkpoint's own count, or says it
could not be read."""

from __future__ import annotations

import pytest
import torch

from rambo_env import run_io
from tests.test_cotrain_probe133 import FLAGS, _run_folder, cotrain, fake_run  # noqa: F401


def _note(tmp_path, monkeypatch, capsys, checkpoint: bytes | dict) -> str:
    monkeypatch.chdir(tmp_path)
    old = _run_folder(tmp_path / "runs" / "hopper-medium-sac-20260101-000000-s3", FLAGS)
    (old / run_io.RESULTS_NAME).unlink()
    if isinstance(checkpoint, dict):
        torch.save(checkpoint, old / run_io.CHECKPOINT_NAME)
    else:
        (old / run_io.CHECKPOINT_NAME).write_bytes(checkpoint)
    assert cotrain.main(FLAGS) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if "note:" in line]
    assert len(notes) == 1, notes
    return notes[0]


@pytest.mark.usefixtures("fake_run")
def test_a_checkpoint_without_results_gives_its_iteration_count(tmp_path, monkeypatch, capsys):
    note = _note(tmp_path, monkeypatch, capsys, {"iteration": 3})
    assert "(3 iterations done; no process runs it)" in note, note


@pytest.mark.usefixtures("fake_run")
def test_an_unreadable_checkpoint_without_results_says_so(tmp_path, monkeypatch, capsys):
    note = _note(tmp_path, monkeypatch, capsys, b"not a checkpoint")
    assert "(a checkpoint whose iteration count could not be read; no process runs it)" in note
    assert "0 iterations" not in note
