"""Probe 82: compile is not in the model cache key (a paper-size pretraining takes hours), and
compiled and eager MLE epochs differ by float32 rounding; so how a model's epochs ran is recorded
in its report and said where a model or a checkpoint of the other mode is reused."""

from __future__ import annotations

import dataclasses

import torch

from rambo_env import model as model_module
from rambo_env.dynamics import io
from rambo_env.dynamics.training import MLEConfig
from rambo_env.model import make_mdp
from rambo_env.run_io import save_checkpoint
from tests.dynamics.test_mle_training import fit, linear_dataset
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE, make_tiny_dataset


def test_compiled_story_names_eager_compiled_and_a_mix() -> None:
    from rambo_env.dynamics.training import compiled_story

    assert compiled_story([False, False]) == "eager"
    assert compiled_story([True]) == "compiled"
    assert compiled_story([False, False, True, True]) == "epochs 1-2 eager, 3-4 compiled"
    assert compiled_story([True, False]) == "epochs 1 compiled, 2 eager"
    assert compiled_story([]) is None and compiled_story([None, True]) is None  # unrecorded


def test_an_eager_checkpoint_continued_compiled_says_so_and_the_report_keeps_it(
    tmp_path, capsys
) -> None:
    # probe 82 row 23: was "resuming MLE pretraining from epoch 2 (1.2 s done) <- …" and nothing
    # else (epochs 1-2 eager, 3-4 compiled); here the other way round, without a real compile
    data, partial = linear_dataset(300), tmp_path / "mle.partial.pt"
    _, report = fit(data, MLEConfig(max_epochs=2), checkpoint_path=partial)
    assert report.compiled == (False, False)
    state = torch.load(partial, weights_only=True)
    save_checkpoint(partial, state | {"compiled": [True, True]})  # as a compiled run left it
    capsys.readouterr()
    _, report = fit(data, MLEConfig(max_epochs=4), checkpoint_path=partial)
    out = capsys.readouterr().out
    assert "resuming MLE pretraining from epoch 2" in out
    assert "its epochs so far ran compiled, these run eager" in out
    assert report.compiled == (True, True, False, False)
    # a checkpoint that does not record it (written before probe 82): unknown, quiet
    _, report = fit(data, MLEConfig(max_epochs=2), checkpoint_path=tmp_path / "b.partial.pt")
    state = torch.load(tmp_path / "b.partial.pt", weights_only=True)
    del state["compiled"]
    save_checkpoint(tmp_path / "b.partial.pt", state)
    capsys.readouterr()
    _, report = fit(data, MLEConfig(max_epochs=3), checkpoint_path=tmp_path / "b.partial.pt")
    assert "these run" not in capsys.readouterr().out
    assert report.compiled == (None, None, False)


def test_a_cache_hit_of_an_eager_model_in_a_compiled_run_says_so(capsys, monkeypatch) -> None:
    # probe 82 row 6: was only "<- cache …/dynamics-<key>.pt (trained 2 epochs)", and the run's
    # numbers then matched runs that reused the model, not a fresh compiled pretraining
    data = make_tiny_dataset()
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    make_mdp(data, **kwargs)  # eager: trains and caches
    capsys.readouterr()
    make_mdp(data, **kwargs)  # eager again: the cache line says how it ran, no note
    out = capsys.readouterr().out
    assert "(trained 2 epochs, eager)" in out and "note:" not in out
    monkeypatch.setattr(model_module, "compile_disabled", lambda: None)  # a compiling run
    monkeypatch.setattr(  # a cache hit compiles nothing; stay eager if it ever trained
        model_module, "train_mle", lambda *a, **k: (_ for _ in ()).throw(AssertionError("trained"))
    )
    make_mdp(data, compile=True, **kwargs)
    out = capsys.readouterr().out
    assert "note: this cached model was pretrained eager; this run compiles" in out
    assert "not a fresh compiled pretraining" in out
    # a cached model saved before probe 82 (no record): quiet
    (path,) = io.cache_dir().glob("dynamics-*[!l].pt")
    loaded = io.load_model(path, "cpu")
    report = dataclasses.replace(loaded.report, compiled=())
    meta = torch.load(path, weights_only=False).get("meta")
    meta.pop("mle_compiled", None)  # where save_model keeps the record since probe 84
    io.save_model(path, loaded.ensemble, loaded.normalizer, loaded.mle_config, report, meta=meta)
    make_mdp(data, compile=True, **kwargs)
    out = capsys.readouterr().out
    assert "(trained 2 epochs)" in out and "note:" not in out
