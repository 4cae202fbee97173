"""Probe 139 (a row left by probes 137 / 139): the BC warm start's progress line ended at e.g.
``11/30 batch`` when its epochs held fewer batches than ``BCConfig.max_steps`` (the bar's total
was the cap), read as an early stop. Its total is now the batches that will run."""

from __future__ import annotations

import pytest
from stable_baselines3 import SAC

from agents import bc
from agents.bc import BCConfig, behaviour_clone
from rambo_env.progress import NullBar
from tests.agents.test_bc import N, _agent, _data


@pytest.fixture
def bars(monkeypatch):
    made: list[NullBar] = []

    def recording(iterable=None, *, progress, **kwargs):
        made.append(NullBar(kwargs.get("total"), kwargs.get("initial", 0)))
        return made[-1]

    monkeypatch.setattr(bc, "progress_bar", recording)
    return made


@pytest.mark.parametrize(
    ("epochs", "max_steps", "runs"),
    [(1, 30, N // 128), (2, 3, 3), (1, None, N // 128), (2, 10**6, 2 * (N // 128))],
)
def test_the_bar_ends_full_at_the_batches_run(bars, epochs, max_steps, runs):
    dataset, norm, _ = _data()
    cfg = BCConfig(epochs=epochs, max_steps=max_steps, batch_size=128)
    behaviour_clone(_agent(SAC), dataset, norm, cfg, progress=True)
    (bar,) = bars
    assert bar.n == runs and bar.total == runs  # was: total 30 (the cap), ending at 3/30


def test_the_line_bar_says_the_real_count(capsys):
    dataset, norm, _ = _data()
    cfg = BCConfig(epochs=1, max_steps=30, batch_size=128)
    behaviour_clone(_agent(SAC), dataset, norm, cfg, progress=True)
    err = capsys.readouterr().err
    assert f"{N // 128}/{N // 128} batch" in err and "/30 batch" not in err, err
