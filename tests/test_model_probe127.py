"""Probe 127 (N9): a seed loop over make_mdp's seed (``make_mdp(data, seed=s)``, or
``gym.make(id, seed=s)``) with ``MLEConfig.seed`` kept 0 is not offered another seed's MLE
checkpoint to continue: the checkpoint settings record make_mdp's seed (``model_seed``) too (was:
MLEConfig.seed only, so seed 1 was told "pass one's settings to continue it"). Checkpoints of
earlier versions (no ``model_seed``) are read as before."""

from __future__ import annotations

import dataclasses

import torch

from rambo_env.dynamics import io
from rambo_env.model import make_mdp
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE, make_tiny_dataset

KWARGS = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, progress=False)
MLE = dataclasses.replace(TINY_MLE, max_epochs=1, seed=0)


def test_a_loop_over_make_mdps_seed_is_not_told_to_continue_another_seeds(capsys):
    data = make_tiny_dataset(n_transitions=400)
    make_mdp(data, seed=0, mle_config=MLE, **KWARGS)
    (first,) = io.cache_dir().glob("dynamics-*.partial.pt")
    settings = torch.load(first, map_location="cpu", weights_only=True)["settings"]
    assert settings["model_seed"] == 0 and settings["seed"] == 0
    capsys.readouterr()
    make_mdp(data, seed=1, mle_config=MLE, **KWARGS)
    out = capsys.readouterr().out
    assert "continue it" not in out, out
    assert (
        "holds 1 MLE pretraining checkpoint of this dataset under other seeds (seed 0); this run "
        "(make_mdp seed 1, MLEConfig.seed 0) pretrains its own model afresh" in out
    ), out
    # the same make_mdp seed under another setting is still offered
    make_mdp(data, seed=1, mle_config=dataclasses.replace(MLE, lr=MLE.lr / 3), **KWARGS)
    out = capsys.readouterr().out
    assert f"--mle-lr {MLE.lr} (now {MLE.lr / 3})" in out and "continue it" in out


def test_a_checkpoint_of_an_earlier_version_is_read_as_before(capsys):
    data = make_tiny_dataset(n_transitions=400)
    make_mdp(data, seed=0, mle_config=MLE, **KWARGS)
    (first,) = io.cache_dir().glob("dynamics-*.partial.pt")
    state = torch.load(first, map_location="cpu", weights_only=True)
    del state["settings"]["model_seed"]  # as written before probe 127
    torch.save(state, first)
    capsys.readouterr()
    make_mdp(data, seed=1, mle_config=MLE, **KWARGS)
    out = capsys.readouterr().out
    assert "another make_mdp seed, or other EnsembleConfig / MLEConfig fields" in out, out
