"""Probe 114 R11: ``RAMBO_ENV_CACHE`` of another user's 0700 folder is refused with its owner and
mode and the advice to point the variable at a folder of one's own, before any dataset or model
work (was: a raw ``[Errno 13] Permission denied: '<cache>/datasets/…npz'``)."""

from __future__ import annotations

import pytest

from rambo_env.dynamics.io import cache_dir
from tests.other_user import closed_folder


def test_an_unenterable_model_cache_is_named_with_its_owner(tmp_path, monkeypatch):
    from rambo_env.dynamics.io import check_cache_enterable

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "q1cache"))
    check_cache_enterable()  # missing: made later, nothing to say
    closed_folder(cache_dir(), monkeypatch)
    with pytest.raises(ValueError) as caught:
        check_cache_enterable()
    text = str(caught.value)
    assert text.startswith(f"RAMBO_ENV_CACHE: model cache {cache_dir()} cannot be entered")
    assert "owner uid" in text and "set RAMBO_ENV_CACHE to a folder of your own" in text


def test_cotrain_refuses_it_before_the_dataset_load(tmp_path, monkeypatch):
    import rambo_env.data.loaders as loaders
    from agents.cotrain import CotrainConfig
    from agents.cotrain_setup import build_session

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "q1cache"))
    closed_folder(cache_dir(), monkeypatch)

    def no_load(*args, **kwargs):
        raise AssertionError("dataset loaded although the model cache cannot be used")

    monkeypatch.setattr(loaders, "load_dataset", no_load)
    with pytest.raises(ValueError, match=r"RAMBO_ENV_CACHE: model cache .* cannot be entered"):
        build_session(CotrainConfig(dataset="hopper-random", compile=False))
