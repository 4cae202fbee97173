"""Probe 122 (nit): the model cache's failed write was said as ``; WARNING: not cached, used from
memory: …`` at the end of the INFO "trained" note, so ``set_verbosity(WARNING)`` dropped the
warning with it. It is a WARNING line of its own now."""

from __future__ import annotations

import errno

import rambo_env.logging as rlog
from rambo_env import run_io
from rambo_env.dynamics import io
from rambo_env.model import make_mdp
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE


def test_the_not_cached_warning_is_kept_at_warning_verbosity(tiny_dataset, capsys, monkeypatch):
    def disk_full(path, state):
        def write(tmp):
            raise OSError(errno.ENOSPC, "No space left on device")

        return run_io.atomic_write(path, write)

    monkeypatch.setattr(io, "save_checkpoint", disk_full)
    rlog.set_verbosity(rlog.WARNING)
    try:
        make_mdp(
            tiny_dataset,
            device="cpu",
            ensemble_config=TINY_ENSEMBLE,
            mle_config=TINY_MLE,
            progress=False,
        )
    finally:
        rlog.set_verbosity(rlog.INFO)
    out = capsys.readouterr().out
    assert "trained: 2 epochs" not in out  # the INFO note: silenced
    line = next(x for x in out.splitlines() if "not cached" in x)  # was: none
    assert line.startswith("[rambo_env] WARNING: not cached, used from memory: ")
    assert "is full" in line
