"""Session 51's open item: a damaged MLE checkpoint's line quoted the error cut at 160 characters,
mid-word and mid-sentence; :func:`rambo_env.torch_files.brief_reason` cuts at a sentence (else a
word) and says that something was left out."""

from __future__ import annotations

import pytest
import torch

import rambo_env.dynamics.training as training
from rambo_env.torch_files import brief_reason
from tests.dynamics.test_mle_training import _killed_after, fit, linear_dataset

WEIGHTS_ONLY = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, "
    "do those steps only if you trust the source of the checkpoint. (1) In PyTorch 2.6, we "
    "changed the default value of the `weights_only` argument in `torch.load` from `False` to "
    "`True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed."
)


def test_a_long_text_is_cut_after_its_last_whole_sentence():
    said = brief_reason(WEIGHTS_ONLY)
    assert said == (
        "Weights only load failed. This file can still be loaded, to do so you have two options, "
        "do those steps only if you trust the source of the checkpoint. …"
    )


def test_a_text_without_a_sentence_end_is_cut_at_a_word():
    said = brief_reason("word " * 100, limit=40)
    assert said == "word word word word word word word word …"


def test_short_texts_are_kept_and_a_line_that_announces_the_next_is_joined():
    assert brief_reason("PytorchStreamReader failed reading zip archive") == (
        "PytorchStreamReader failed reading zip archive"
    )
    mismatch = (
        "Error(s) in loading state_dict for GaussianEnsemble:\n\tsize mismatch for "
        "hidden.0.weight: copying a param with shape torch.Size([4, 5, 32]) from checkpoint.\n\t"
        "size mismatch for hidden.1.weight: …"
    )
    assert brief_reason(mismatch) == (
        "Error(s) in loading state_dict for GaussianEnsemble: size mismatch for hidden.0.weight: "
        "copying a param with shape torch.Size([4, 5, 32]) from checkpoint. …"
    )
    assert brief_reason("first line\nsecond line") == "first line …"


@pytest.mark.parametrize("limit", [40, 120, 240])
def test_never_longer_than_the_limit_and_its_mark(limit):
    assert len(brief_reason(WEIGHTS_ONLY, limit)) <= limit + 2


def test_a_damaged_mle_checkpoint_quotes_whole_sentences(tmp_path, monkeypatch, capsys):
    data, cfg, path = linear_dataset(300), training.MLEConfig(max_epochs=2), tmp_path / "m.pt"
    _killed_after(monkeypatch, 1, data, cfg, path)
    assert torch.load(path, weights_only=True)["epoch"] == 1

    def damaged(*args, **kwargs):
        raise ValueError(WEIGHTS_ONLY)

    monkeypatch.setattr(training, "_restore_checkpoint", damaged)
    capsys.readouterr()
    fit(data, cfg, checkpoint_path=path)
    out = capsys.readouterr().out
    assert (
        "is unreadable (ValueError: Weights only load failed. This file can still be loaded, to "
        "do so you have two options, do those steps only if you trust the source of the "
        "checkpoint. …); starting MLE pretraining afresh"
    ) in out, out
