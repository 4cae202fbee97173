"""Probe 75: a model-cache hit leaves the caller's torch RNG as a fresh train does."""

from __future__ import annotations

import torch

from rambo_env.dynamics import io
from rambo_env.model import make_mdp
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE


def _moves_torch_rng(fn) -> bool:
    torch.manual_seed(5)
    before = torch.get_rng_state().clone()
    fn()
    return not torch.equal(before, torch.get_rng_state())


def test_a_cache_hit_keeps_the_callers_torch_rng(tiny_dataset, capsys):
    # probe 75 row 48: was a fresh train keeping the caller's torch RNG and a cache hit (the
    # ensemble built with the global generator before its weights were loaded) advancing it
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    assert not _moves_torch_rng(lambda: make_mdp(tiny_dataset, **kwargs))
    assert "trained" in capsys.readouterr().out
    assert not _moves_torch_rng(lambda: make_mdp(tiny_dataset, **kwargs))
    assert "<- cache" in capsys.readouterr().out


def test_load_model_keeps_the_callers_torch_rng(tiny_mdp, tmp_path):
    path = tmp_path / "model.pt"
    io.save_model(path, tiny_mdp.ensemble, tiny_mdp.normalizer)
    loaded = []
    assert not _moves_torch_rng(lambda: loaded.append(io.load_model(path)))
    torch.testing.assert_close(loaded[0].ensemble.state_dict(), tiny_mdp.ensemble.state_dict())
