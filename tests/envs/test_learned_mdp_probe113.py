"""Probe 113 nit: the note about unfinished MLE pretrainings "written before their settings were
recorded" was printed for every dataset's pretraining, whatever the env; now only for those
whose model inputs are as wide as this dataset's (obs_dim + action_dim)."""

from __future__ import annotations

import torch

from rambo_env.dynamics import io
from rambo_env.model import note_other_checkpoints
from tests.data.data_helpers import make_dataset
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE


def _note(capsys, width: int) -> str:
    old = io.cache_dir() / "dynamics-0123456789abcdef0123.partial.pt"
    old.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"epoch": 3, "ensemble": {"input_mean": torch.zeros(width)}}, old)  # no settings
    dataset = make_dataset()  # Hopper: 11 + 3 inputs
    note_other_checkpoints(
        dataset, TINY_ENSEMBLE, TINY_MLE, "fp32", io.cache_dir() / "dynamics-mine.partial.pt"
    )
    return capsys.readouterr().out


def test_an_old_partial_of_another_env_is_not_noted(capsys):
    assert "written before their settings were recorded" not in _note(capsys, 17 + 6)
    out = _note(capsys, 11 + 3)  # of this env: may be this dataset's
    assert "1 unfinished MLE pretraining(s) written before their settings were recorded" in out
