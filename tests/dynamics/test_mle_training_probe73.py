"""Probe 73 row 20: compiling the MLE loss (since issue 12's session 53: the whole gradient
step) counted against ``max_time_s``."""

from __future__ import annotations

import dataclasses
import time

import torch

from rambo_env import compile as compile_module
from rambo_env.dynamics import training
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import MLEConfig, train_mle
from rambo_env.normalization import ObsNormalizer
from tests.dynamics.test_mle_training import TINY, linear_dataset


class _SlowFirstCompile:
    """``MaybeCompiled`` whose first call of each batch shape takes 1.5 s, as a compile does
    (about a minute on a CPU at paper size); numbers as eager."""

    def __init__(self, fn, *, enabled, name, fullgraph=False, cuda_graphs=False):
        self.fn, self.active, self.seen, self.name = fn, enabled, set(), name
        self.cuda_graphs = cuda_graphs  # as MaybeCompiled's (session 62)

    def __call__(self, *args):
        if "step sizes" in self.name:  # Adam's bias corrections: a tiny graph, not timed here
            return self.fn(*args)
        x = args[0] if len(args) == 2 else args[2]  # the loss's (x, y); the step's (…, x, y, …)
        if self.active and x.shape not in self.seen:
            self.seen.add(x.shape)
            time.sleep(1.5)
        return self.fn(*args)


def test_compile_time_does_not_spend_the_max_time_budget(monkeypatch, capsys):
    """With a 2 s budget a 3 s compile (two batch shapes) ended pretraining in its first epoch
    (probe 73: holdout MSE 0.44, untrained, against 0.027; and the model was cached)."""
    monkeypatch.setattr(compile_module, "MaybeCompiled", _SlowFirstCompile)
    data = linear_dataset(700)  # a full and a shorter batch per epoch: two shapes
    norm = ObsNormalizer.from_dataset(data)
    cfg = MLEConfig(max_epochs=4, max_time_s=2.0, seed=0)
    model = GaussianEnsemble(3, 2, TINY, generator=torch.Generator().manual_seed(0))
    report = train_mle(model, data, norm, cfg, "cpu", progress=False, compile=True)
    assert (report.epochs, report.stopped_by) == (4, "max_epochs")
    assert report.wall_s < 2.0  # the compile is reported, not counted
    out = capsys.readouterr().out
    assert "compiling the MLE gradient step took 3.0 s (not counted in max_time_s" in out
    # the warm-up changes no number: as a run without it (its compiles then on the clock)
    monkeypatch.setattr(training._MLEStep, "warm_up", lambda *a: None)
    cold = GaussianEnsemble(3, 2, TINY, generator=torch.Generator().manual_seed(0))
    cfg = dataclasses.replace(cfg, max_time_s=None)
    plain = train_mle(cold, data, norm, cfg, "cpu", progress=False, compile=True)
    assert report.train_loss == plain.train_loss
