"""Probe 118 row 42: ``run_sweep`` as a library call left the caller with what ``ray.init`` changes
process-wide: Ray's SIGTERM handler (the caller's own gone), Ray's ``sys.excepthook``,
faulthandler on, ``PYTHONBREAKPOINT`` / ``RAY_worker_niceness`` / … in the environment, Python's
``random`` state moved. All are the caller's again once the sweep's Ray is shut down. Ray's own
start is stood in for (its side effects, as measured), so the test takes no Ray start."""

from __future__ import annotations

import faulthandler
import os
import random
import signal
import sys
import threading

import pytest

from agents import sweep
from rambo_env.presets import RamboPreset
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401 (a fixture)

ray = pytest.importorskip("ray")


def test_the_callers_process_state_is_back_after_the_sweeps_ray(
    monkeypatch,
    tmp_path,
    tiny_hopper,  # noqa: F811
):
    def rays_sigterm(signum, frame):
        raise SystemExit(1)

    def fake_init(**kwargs):  # what ray.init did to the probe's host process
        signal.signal(signal.SIGTERM, rays_sigterm)
        sys.excepthook = lambda *a: None
        faulthandler.enable()
        os.environ["PYTHONBREAKPOINT"] = "ray.util.rpdb._driver_set_trace"
        os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
        os.environ["P118_KEPT"] = "changed"
        random.random()

    real_import = sweep._import_tune

    def import_tune():  # what `import ray` does at its first import (measured)
        sys.excepthook = lambda *a: None
        os.environ["RAY_CLIENT_MODE"] = "0"
        return real_import()

    def fit(spec, resources, sweep_dir, address, verbose, *, restore, origin, invocation=None):
        with sweep._ray_session(address, sweep_dir):
            assert signal.getsignal(signal.SIGTERM) is rays_sigterm  # Ray's during the sweep
        return "done"

    monkeypatch.setattr(sweep, "_import_tune", import_tune)
    monkeypatch.setattr(sweep, "_fit", fit)
    monkeypatch.delenv("RAY_CLIENT_MODE", raising=False)
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", fake_init)
    monkeypatch.setattr(ray, "shutdown", lambda: None)
    monkeypatch.setenv("P118_KEPT", "mine")
    monkeypatch.delenv("RAY_worker_niceness", raising=False)
    monkeypatch.delenv("PYTHONBREAKPOINT", raising=False)
    monkeypatch.delenv("RAY_USAGE_STATS_ENABLED", raising=False)

    def mine(signum, frame):
        pass

    old_term, old_hook, was_on = signal.getsignal(signal.SIGTERM), sys.excepthook, None
    signal.signal(signal.SIGTERM, mine)
    was_on = faulthandler.is_enabled()
    faulthandler.disable()
    try:
        random.seed(7)
        expected = random.getstate()
        spec = sweep.SweepSpec(
            datasets=(str(tiny_hopper),),
            configs=(RamboPreset(2, 3e-4),),
            seeds=(0,),
            base=tiny_config(str(tiny_hopper)),
        )
        assert sweep.run_sweep(spec, tmp_path / "sweep", prepare_datasets=False) == "done"
        assert signal.getsignal(signal.SIGTERM) is mine  # was Ray's handler
        assert sys.excepthook is old_hook and threading.excepthook is not None
        assert not faulthandler.is_enabled()
        assert "PYTHONBREAKPOINT" not in os.environ and "RAY_USAGE_STATS_ENABLED" not in os.environ
        assert "RAY_CLIENT_MODE" not in os.environ
        assert "RAY_worker_niceness" not in os.environ  # local_worker_niceness's setdefault
        assert os.environ["P118_KEPT"] == "mine"
        assert random.getstate() == expected
    finally:
        signal.signal(signal.SIGTERM, old_term)
        sys.excepthook = old_hook
        if was_on:
            faulthandler.enable()
