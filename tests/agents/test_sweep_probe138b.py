"""Probe 138 (left row), the sweep's part: sweep.json recorded the sweep's spec but not the
command line that started it, nor each ``--resume``; each trial run's config.json recorded no
command either. Now sweep.json's ``invocations`` holds one record per driver session, and each
trial run's config.json the driver's command for its session. Ray's start is stood in for."""

from __future__ import annotations

import dataclasses
import json
import types

import pytest

from agents import sweep
from rambo_env import run_io
from tests.agents.test_cotrain import tiny_hopper  # noqa: F401 (the fixture)
from tests.agents.test_sweep import FakeTune, sweep_cli, tiny_spec

pytest.importorskip("ray")


def test_sweep_json_records_each_driver_session_and_passes_it_to_the_trials(tmp_path, monkeypatch):
    passed = []

    def fit(spec, *args, invocation=None, **kwargs):
        passed.append(invocation)
        pytest.skip("stop before Ray")

    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: None)
    monkeypatch.setattr(sweep, "_fit", fit)
    monkeypatch.setattr(sweep, "end_dead_drivers_ray", lambda sweep_dir: None)
    start = ["--sweep-dir", str(tmp_path / "s"), "--seeds", "0", "--configs", "2:0"]
    with pytest.raises(pytest.skip.Exception):
        sweep_cli.main(start)
    (first,) = json.loads((tmp_path / "s" / "sweep.json").read_text())["invocations"]
    assert first["kind"] == "start" and first["argv"] == start  # main's argv, not pytest's
    assert first["command"].split()[-len(start) :] == start
    assert passed[-1]["argv"] == start  # each trial records it (the trainable's parameter)
    more = ["--resume", str(tmp_path / "s")]
    with pytest.raises(pytest.skip.Exception):
        sweep_cli.main(more)
    kept = json.loads((tmp_path / "s" / "sweep.json").read_text())["invocations"]
    assert [i["kind"] for i in kept] == ["start", "resume"] and kept[0] == first
    assert kept[1]["argv"] == more and passed[-1]["argv"] == more

    fake_tune = types.SimpleNamespace(
        with_parameters=lambda fn, **kwargs: (fn, kwargs),
        with_resources=lambda trainable, resources: trainable,
    )
    _, kwargs = sweep._sweep_trainable(fake_tune, sweep.SweepResources(), passed[-1])
    assert kwargs["invocation"] == passed[-1]


def test_a_trial_run_records_the_drivers_command(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    from ray import tune

    spec = tiny_spec(tiny_hopper, n_iterations=1)
    params = {
        "dataset": tiny_hopper,
        "k_lambda": [2, 3e-4],
        "seed": 0,
        "base": dataclasses.asdict(spec.base),
        "runs_root": str(tmp_path / "runs"),
    }
    FakeTune(tmp_path / "store").install(monkeypatch, tune)
    driver = run_io.script_invocation("scripts/sweep.py", ["--seeds", "0"])
    sweep.cotrain_trainable(params, invocation=driver)
    (config,) = (tmp_path / "runs").rglob("config.json")
    (entry,) = json.loads(config.read_text())["invocations"]
    assert entry["kind"] == "start" and entry["argv"] == ["--seeds", "0"]
    assert entry["command"] == driver["command"] and entry["cwd"] == driver["cwd"]
