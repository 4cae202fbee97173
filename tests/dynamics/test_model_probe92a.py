"""Probe 92 rows 35, 39: cached dynamics models of older versions' budgets, read by today's code."""

from __future__ import annotations

import dataclasses

import torch

from rambo_env import model as model_module
from rambo_env.dynamics import io
from rambo_env.model import make_mdp
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE, make_tiny_dataset


def _never_trains(monkeypatch) -> None:
    monkeypatch.setattr(
        model_module, "train_mle", lambda *a, **k: (_ for _ in ()).throw(AssertionError("trained"))
    )


def _mark_stopped_by(path, stopped_by: str) -> None:
    """Rewrite the cache entry ``path`` as if its training had ended by ``stopped_by``."""
    loaded = io.load_model(path, "cpu")
    report = dataclasses.replace(loaded.report, stopped_by=stopped_by)
    meta = torch.load(path, weights_only=False).get("meta")
    io.save_model(path, loaded.ensemble, loaded.normalizer, loaded.mle_config, report, meta=meta)


def test_a_cached_model_stopped_by_its_time_budget_says_so(capsys, monkeypatch) -> None:
    # probe 92 row 35: was reused without a word (an entry of session 34's code had stopped
    # after 1 epoch: its compile counted against max_time_s, fixed in de15b6e)
    data = make_tiny_dataset()
    mle = dataclasses.replace(TINY_MLE, max_time_s=1000.0)
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=mle, progress=False)
    make_mdp(data, **kwargs)
    (path,) = io.cache_dir().glob("dynamics-*[!l].pt")
    capsys.readouterr()
    make_mdp(data, **kwargs)  # stopped by max_epochs: no note
    assert "time budget" not in capsys.readouterr().out
    _mark_stopped_by(path, "max_time")
    _never_trains(monkeypatch)  # a good cache entry stays in use
    make_mdp(data, **kwargs)
    out = capsys.readouterr().out
    assert (
        "note: this cached model stopped at its time budget (max_time_s 1000.0) after 2 epochs"
        in out
    )
    assert f"to retrain it, delete {path}" in out


def test_an_early_stopped_model_of_other_budgets_is_reused(capsys, monkeypatch) -> None:
    # probe 92 row 39: a model early-stopped under session 23's default budgets (max_time_s 120,
    # no max_steps) was retrained from scratch under today's (another cache key), same weights
    data = make_tiny_dataset()
    old = dataclasses.replace(TINY_MLE, max_time_s=120.0)
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, progress=False)
    first = make_mdp(data, mle_config=old, **kwargs)
    (path,) = io.cache_dir().glob("dynamics-*[!l].pt")
    _mark_stopped_by(path, "early_stop")
    capsys.readouterr()
    _never_trains(monkeypatch)
    new = dataclasses.replace(TINY_MLE, max_epochs=None, max_steps=10_000)
    mdp = make_mdp(data, mle_config=new, **kwargs)
    out = capsys.readouterr().out
    assert f"the model cache holds {path.name}, this dataset's model under other MLE budgets" in out
    assert "early stopping ended at 2 epochs, within this run's" in out
    for a, b in zip(
        mdp.ensemble.state_dict().values(), first.ensemble.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b)
    assert len(list(io.cache_dir().glob("dynamics-*[!l].pt"))) == 2  # copied under its key
    make_mdp(data, mle_config=new, **kwargs)  # now an exact hit
    assert "other MLE budgets" not in capsys.readouterr().out


def test_an_early_stopped_model_beyond_this_runs_budget_is_not_reused(capsys, monkeypatch) -> None:
    # probe 92 row 39: a budget that stops earlier gives another model: trained anew
    data = make_tiny_dataset()
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, progress=False)
    make_mdp(data, mle_config=TINY_MLE, **kwargs)  # 2 epochs
    (path,) = io.cache_dir().glob("dynamics-*[!l].pt")
    _mark_stopped_by(path, "early_stop")
    capsys.readouterr()
    make_mdp(data, mle_config=dataclasses.replace(TINY_MLE, max_epochs=1), **kwargs)
    out = capsys.readouterr().out
    assert "other MLE budgets" not in out and "<- trained: 1 epoch" in out
