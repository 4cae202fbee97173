"""Probe 122 row 25: ``rambo_env.logging.set_verbosity(WARNING)`` in a sweep's driver silenced
the driver's notes only; every Ray trial (another process) still printed its INFO notes. The
driver's settings travel with the trainable and each trial takes them first. Ray's start is
stood in for (the trial's Tune context), so the test takes no Ray start."""

from __future__ import annotations

import types

import pytest

import rambo_env.logging as rlog
from agents import sweep
from agents.cotrain_setup import config_to_dict
from tests.agents.test_cotrain import tiny_config

ray = pytest.importorskip("ray")


@pytest.fixture(autouse=True)
def _default_logging():
    yield
    rlog.set_verbosity(rlog.INFO)
    rlog.enable_default_handler()


def test_the_sweeps_trainable_carries_the_drivers_logging_settings():
    fake_tune = types.SimpleNamespace(
        with_parameters=lambda fn, **kwargs: (fn, kwargs),
        with_resources=lambda trainable, resources: trainable,
    )
    rlog.set_verbosity(rlog.WARNING)
    fn, kwargs = sweep._sweep_trainable(fake_tune, sweep.SweepResources())
    assert fn is sweep.cotrain_trainable
    assert kwargs["logging_state"]["level"] == rlog.WARNING  # was: not passed


def test_a_trial_takes_the_drivers_settings_before_its_first_note(tmp_path, monkeypatch, capsys):
    from ray import tune

    resources = types.SimpleNamespace(required_resources={"CPU": 1.0})
    context = types.SimpleNamespace(get_trial_resources=lambda: resources)
    reported = []
    monkeypatch.setattr(tune, "get_context", lambda: context)
    monkeypatch.setattr(tune, "get_checkpoint", lambda: None)
    monkeypatch.setattr(tune, "report", reported.append)
    monkeypatch.setattr(sweep, "_complete_run", lambda run_dir, cfg: {"status": "finished"})
    params = {
        "dataset": "tiny-hopper",
        "k_lambda": [2, 3e-4],
        "seed": 0,
        "base": config_to_dict(tiny_config("tiny-hopper")),
        "runs_root": str(tmp_path),
    }
    rlog.set_verbosity(rlog.WARNING)
    driver = rlog.state()
    rlog.set_verbosity(rlog.INFO)  # a trial process starts with the defaults
    sweep.cotrain_trainable(params, logging_state=driver)
    assert reported and reported[0]["status"] == "finished"
    assert capsys.readouterr().out == ""  # was: "[sweep] … already holds this trial's … run"
    assert rlog.get_verbosity() == rlog.WARNING
