"""Probe 114 R5: ``LearnedMDP.load`` of an MLE pretraining checkpoint
(``$RAMBO_ENV_CACHE/dynamics-<key>.partial.pt``) said "not a dynamics model written by save_model:
no [...] (it holds [...])" only; now what the file is and where the model is."""

from __future__ import annotations

import pytest
import torch

from rambo_env.dynamics import io
from rambo_env.run_io import save_checkpoint


def test_pretraining_checkpoint_named_as_such(tmp_path) -> None:
    path = tmp_path / "dynamics-abc.partial.pt"
    save_checkpoint(path, {"version": 1, "fingerprint": "f", "settings": {}, "epoch": 3,
                           "ensemble": {"w": torch.zeros(1)}, "optimizer": {}, "tracker": {}})  # fmt: skip
    with pytest.raises(ValueError) as err:
        io.load_model(path, device="cpu")
    msg = str(err.value)
    assert "not a dynamics model written by save_model" in msg
    assert "(an MLE pretraining checkpoint after epoch 3, from which make_mdp / cotrain.py " in msg
    assert f"the model is the dynamics-<key>.pt in {tmp_path} that the same make_mdp" in msg
