"""Probe 79 rows 22, 24, 39, 40: a resume compares the run's recorded termination setting as
envs (non-default kwargs, ±inf kept, rule names without addresses), and a run that records none
is told of a kwargs-only difference by a note, not a WARNING to rerun."""

from __future__ import annotations

import functools
import json

from agents.cotrain import say_setting_changed
from rambo_env.dynamics.termination import TERMINATION_FNS
from tests.agents.test_cotrain_probe78 import _session

_HOPPER_DEFAULTS = {
    "xml_file": "hopper.xml",
    "frame_skip": 4,
    "forward_reward_weight": 1.0,
    "ctrl_cost_weight": 0.001,
    "healthy_reward": 1.0,
    "terminate_when_unhealthy": True,
    "healthy_state_range": [-100.0, 100.0],
    "healthy_z_range": [0.7, float("inf")],
    "healthy_angle_range": [-0.2, 0.2],
    "reset_noise_scale": 0.005,
    "exclude_current_positions_from_observation": True,
}


def test_a_run_before_the_record_on_default_kwargs_data_is_not_warned(capsys) -> None:
    # probe 79 row 24: was "WARNING: … evaluation env: now gym.make('Hopper-v5', **{… all
    # defaults …})" for a 1862348 run of data recording exactly the defaults
    session = _session("Hopper-v5", TERMINATION_FNS["Hopper-v5"], dict(_HOPPER_DEFAULTS))
    assert session.resolved["termination"]["env_kwargs"] == {}
    say_setting_changed(session, {"dataset": {}}, 2)
    assert capsys.readouterr().out == ""


def test_a_run_before_the_record_on_kwargs_data_gets_a_note_not_a_warning(capsys) -> None:
    # probe 79 row 39: a run started at fc19267 (same env then) was told "rerun it in a new
    # folder"; config.json cannot tell it from a 1862348 run, so a hedged note
    session = _session("Hopper-v5", TERMINATION_FNS["Hopper-v5"], {"healthy_z_range": [0.9, 5.0]})
    say_setting_changed(session, {"dataset": {}}, 2)
    out = capsys.readouterr().out
    assert "WARNING" not in out and "rerun" not in out
    assert out.startswith("[rambo_env] note: resumed at iteration 2")
    assert "gym.make('Hopper-v5', **{'healthy_z_range': [0.9, 5.0]})" in out
    assert "a run started after probe 77 evaluated in this env too" in out


def test_a_probe_78_record_with_null_infinities_is_the_same_env(capsys) -> None:
    # probe 79 row 22: config.json recorded healthy_z_range [0.7, null]; today's record keeps
    # ±inf, and the two are one env
    session = _session("Hopper-v5", TERMINATION_FNS["Hopper-v5"], dict(_HOPPER_DEFAULTS))
    legacy = json.loads(json.dumps(_HOPPER_DEFAULTS).replace("Infinity", "null"))
    start = {"termination": {"rule": "exact: hopper_terminated", "env_kwargs": legacy}}
    say_setting_changed(session, start, 2)
    assert capsys.readouterr().out == ""
    humanoid = _session(
        "Humanoid-v5", TERMINATION_FNS["Humanoid-v5"], {"contact_cost_range": (float("-inf"), 5)}
    )
    record = humanoid.resolved["termination"]
    assert record["env_kwargs"] == {"contact_cost_range": ["-inf", 5]}
    say_setting_changed(humanoid, json.loads(json.dumps({"termination": record})), 2)
    assert capsys.readouterr().out == ""
    changed = {"termination": {**record, "env_kwargs": {}}}
    say_setting_changed(humanoid, changed, 2)
    out = capsys.readouterr().out
    assert "WARNING" in out and "{} -> {'contact_cost_range': [-inf, 5]}" in out


def _f(x, thr):
    return x[:, 0] > thr


def test_a_partial_rule_recorded_with_its_address_is_not_a_change(capsys) -> None:
    # probe 79 row 40: a partial's name held its address, so each resume warned "rule changed"
    session = _session("Foo-v0", functools.partial(_f, thr=1.0), {})
    old = {"rule": "exact: functools.partial(<function _f at 0x7ff9606863e0>, thr=1.0)"}
    say_setting_changed(session, {"termination": {**old, "env_kwargs": {}}}, 2)
    assert capsys.readouterr().out == ""
