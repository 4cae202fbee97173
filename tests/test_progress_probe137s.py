"""Probe 133: the setup bars (dataset generation, MLE and BC pretraining) redrew with ``\\r``
when stderr was not a terminal (a batch job's log file), while the co-training bar wrote plain
lines. ``progress_bar`` now gives such a stream a few plain lines (each tenth, the end); a
terminal or a Jupyter kernel's stream keeps tqdm's bar."""

from __future__ import annotations

import io

from rambo_env.model import make_mdp
from rambo_env.progress import LineBar, progress_bar
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE, make_tiny_dataset


def test_a_log_file_gets_a_line_per_tenth_and_no_carriage_returns(capsys):
    with progress_bar(total=100, desc="MLE", unit="epoch", progress=True) as bar:
        assert isinstance(bar, LineBar)
        for _ in range(100):
            bar.update(1)
            bar.set_postfix(loss="0.5")
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "\r" not in err
    assert len(lines) == 10, lines
    assert lines[0].startswith("MLE: 10/100 epoch (loss=0.5), ")
    assert lines[-1].startswith("MLE: 100/100 epoch")


def test_an_early_stop_says_where_it_ended_and_an_iterable_is_counted(capsys):
    with progress_bar(total=100, desc="MLE", unit="epoch", progress=True) as bar:
        bar.update(15)
    assert list(progress_bar(range(7), desc="writing", unit="ep", progress=True)) == list(range(7))
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("MLE: 15/100 epoch, ") and len(lines) == 1 + 7, lines
    assert lines[-1].startswith("writing: 7/7 ep, ")


def test_a_jupyter_kernel_stream_keeps_tqdm(monkeypatch):
    kernel_stream = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})()
    monkeypatch.setattr("sys.stderr", kernel_stream)
    bar = progress_bar(total=3, desc="MLE", progress=True)
    try:
        assert not isinstance(bar, LineBar) and type(bar).__module__.startswith("tqdm")
    finally:
        bar.close()


def test_mle_pretraining_into_a_log_file_writes_plain_lines(capsys):
    make_mdp(
        make_tiny_dataset(),
        device="cpu",
        ensemble_config=TINY_ENSEMBLE,
        mle_config=TINY_MLE,
        seed=0,
        cache=False,
        progress=True,
    )
    err = capsys.readouterr().err
    assert "\r" not in err and "MLE: " in err, err
