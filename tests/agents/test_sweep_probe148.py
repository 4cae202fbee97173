"""Probe 148 row 4: ``sweep.py --resume SWEEP`` under ``umask 277`` is refused once, before
"[sweep] resuming" and Ray (each trial's ``run_cotrain`` refuses such a resume)."""

from __future__ import annotations

import os

import agents.sweep as sweep_mod
from tests.agents.test_sweep import _save_sweep, sweep_cli, tiny_spec


def test_a_sweep_resume_under_umask_277_is_refused_before_ray(tmp_path, monkeypatch, capsys):
    made = _save_sweep(tmp_path / "s", tiny_spec("hopper-medium"))

    def no_ray(*args, **kwargs):
        raise RuntimeError("Ray would start")

    monkeypatch.setattr(sweep_mod, "_fit", no_ray)
    old = os.umask(0o277)
    try:
        code = sweep_cli.main(["--resume", str(made)])
    finally:
        os.umask(old)
    out, err = capsys.readouterr()
    assert code == 2 and "resuming" not in out
    assert err.startswith(f"error: {made} cannot be resumed: umask 277 leaves no write permission")
    assert err.count("umask 277") == 1 and "set umask 022 (or 077" in err
