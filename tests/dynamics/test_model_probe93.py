"""Probe 93 row 27: a folder at the model cache's entry, refused before MLE pretraining."""

from __future__ import annotations

import pytest

from rambo_env import model as model_module
from rambo_env.dynamics import io
from rambo_env.model import make_mdp
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE, make_tiny_dataset


def test_a_folder_at_the_cache_entry_is_refused_before_training(monkeypatch) -> None:
    # probe 93 row 27: was "ValueError path: …/dynamics-….pt is a folder; pass a file path in a
    # writable folder" only after MLE pretraining, naming an argument the caller never passed
    data = make_tiny_dataset()
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    make_mdp(data, **kwargs)
    (path,) = io.cache_dir().glob("dynamics-*[!l].pt")
    path.unlink()
    path.mkdir()
    (path / "precious.txt").write_text("keep")
    monkeypatch.setattr(
        model_module, "train_mle", lambda *a, **k: (_ for _ in ()).throw(AssertionError("trained"))
    )
    with pytest.raises(
        ValueError, match="RAMBO_ENV_CACHE: the cache entry of this dynamics"
    ) as err:
        make_mdp(data, **kwargs)
    assert str(path) in str(err.value) and "is a folder, not a file" in str(err.value)
    assert "remove or rename it" in str(err.value)
    assert (path / "precious.txt").read_text() == "keep"  # left alone
