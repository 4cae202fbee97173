"""Probe 138 row 33: make_mdp reused a cached model trained by other MLE code without a word
(the cache key leaves the code out); the cache hit now says so once, naming both commits."""

from __future__ import annotations

import torch

from rambo_env import requirements
from rambo_env.dynamics import io
from rambo_env.model import make_mdp
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE, make_tiny_dataset

A, B = "a" * 40, "b" * 40


def test_a_cache_hit_of_a_model_trained_by_other_model_code_says_so(capsys, monkeypatch):
    monkeypatch.setattr(requirements, "source_commit", lambda root=None: B)
    monkeypatch.setattr(requirements, "source_changes", lambda root=None: {})
    data = make_tiny_dataset()
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    make_mdp(data, **kwargs)  # trains and caches: its meta records commit B
    (path,) = io.cache_dir().glob("dynamics-*[!l].pt")
    assert io.load_model(path, "cpu").meta["rambo_env_commit"] == B
    capsys.readouterr()
    make_mdp(data, **kwargs)  # the same code: no note
    assert "note:" not in capsys.readouterr().out
    checkpoint = torch.load(path, weights_only=True)
    torch.save({**checkpoint, "meta": {**checkpoint["meta"], "rambo_env_commit": A}}, path)
    monkeypatch.setattr(io, "_model_code_differs", lambda root, commit: True)
    make_mdp(data, **kwargs)
    out = capsys.readouterr().out
    assert out.count("note:") == 1  # was: the cache line alone
    assert f"trained by rambo_env commit {A[:12]}, this code is commit {B[:12]}" in out
    assert f"rm {path}" in out
    monkeypatch.setattr(io, "_model_code_differs", lambda root, commit: False)
    make_mdp(data, **kwargs)  # other commit, same model code: quiet
    assert "note:" not in capsys.readouterr().out
