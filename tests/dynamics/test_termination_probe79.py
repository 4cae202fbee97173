"""Probe 79 rows 2, 3, 19, 20, 22, 35, 40: env kwargs equal to gymnasium's defaults compared by
value (arrays, ints, numpy scalars, bools as numbers), the run's record of them keeps ±inf, and
a user rule's recorded name is the same in every process."""

from __future__ import annotations

import functools
import inspect
import json

import gymnasium as gym
import numpy as np
import pytest

from rambo_env.data.scores import d4rl_label
from rambo_env.dynamics import termination
from rambo_env.dynamics.termination import (
    TERMINATION_FNS,
    exact_rule,
    non_default_kwargs,
    rule_name,
)


def _json_defaults(env_id: str) -> dict:
    """``env_id``'s full default kwargs after a JSON round trip (as npz / Minari / hdf5 give)."""
    spec = gym.registry[env_id]
    cls = gym.envs.registration.load_env_creator(spec.entry_point)
    kwargs = {
        k: p.default
        for k, p in inspect.signature(cls.__init__).parameters.items()
        if p.default is not inspect.Parameter.empty and k != "render_mode"
    }
    kwargs.update(spec.kwargs)

    def plain(value):
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.generic):
            return value.item()
        raise TypeError(value)

    return json.loads(json.dumps(kwargs, default=plain))


@pytest.mark.parametrize(
    "env_id", ["Hopper-v5", "Walker2d-v5", "Humanoid-v5", "HumanoidStandup-v5"]
)
def test_json_read_defaults_with_camera_lookat_are_the_default_env(env_id) -> None:
    # probe 79 rows 2, 3, 35: was numpy's raw "The truth value of an array with more than one
    # element is ambiguous" (JSON list lookat against gymnasium's np.array default)
    kwargs = _json_defaults(env_id)
    assert "default_camera_config" in kwargs
    assert non_default_kwargs(env_id, kwargs) == {}
    assert exact_rule(env_id, kwargs) is TERMINATION_FNS.get(env_id)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"forward_reward_weight": 1},
        {"healthy_reward": 1},
        {"ctrl_cost_weight": np.float64(0.001)},
        {"terminate_when_unhealthy": 1},
        {"terminate_when_unhealthy": np.bool_(True)},
        {"healthy_z_range": np.array([0.7, np.inf])},
    ],
)
def test_default_values_of_another_type_are_not_non_default(kwargs) -> None:
    # probe 79 rows 19, 20: was "D4RL-normalised (env made with non-default kwargs:
    # forward_reward_weight=1; not comparable with D4RL's)"
    assert non_default_kwargs("Hopper-v5", kwargs) == {}
    assert d4rl_label("Hopper-v5", kwargs) == "D4RL-normalised"


def test_other_values_stay_non_default() -> None:
    kwargs = {"forward_reward_weight": 2, "terminate_when_unhealthy": 0, "xml_file": "x.xml"}
    assert non_default_kwargs("Hopper-v5", kwargs) == kwargs
    lookat = {"default_camera_config": {"trackbodyid": 2, "lookat": [0.0, 0.0, 2.0]}}
    assert non_default_kwargs("Hopper-v5", lookat) == lookat
    assert not termination.same_value([1, 2], [1, 2, 3])
    assert not termination.same_value("1", 1)
    assert termination.same_value({"a": (1, np.array([2.0]))}, {"a": [1.0, [2]]})


def test_the_record_keeps_infinities_and_only_non_default_kwargs() -> None:
    # probe 79 rows 22, 24: config.json recorded all kwargs, ±inf as null (healthy_z_range
    # [0.7, null], a range that makes no env)
    assert termination.kwargs_record("Hopper-v5", _json_defaults("Hopper-v5")) == {}
    record = termination.kwargs_record(
        "Humanoid-v5", {"contact_cost_range": (-np.inf, 5.0), "frame_skip": 5}
    )
    assert json.loads(json.dumps(record, allow_nan=False)) == record
    assert record == {"contact_cost_range": ["-inf", 5.0]}
    assert termination.kwargs_from_record(record) == {"contact_cost_range": [-np.inf, 5.0]}
    record = termination.kwargs_record("Hopper-v5", {"healthy_z_range": (0.5, np.inf)})
    assert termination.kwargs_from_record(record) == {"healthy_z_range": [0.5, np.inf]}
    # a probe-78 record (all defaults, ±inf as null) is the same env as today's record
    legacy = json.loads(json.dumps(_json_defaults("Hopper-v5")).replace("Infinity", "null"))
    assert legacy["healthy_z_range"] == [0.7, None]
    assert termination.same_kwargs("Hopper-v5", legacy, {})
    assert not termination.same_kwargs("Hopper-v5", legacy, {"healthy_z_range": [0.9, 5.0]})


def _f(x, thr):
    return x[:, 0] > thr


class _Rule:
    def __call__(self, x):
        return x[:, 0] > 1


def test_rule_name_of_a_partial_or_object_holds_no_address() -> None:
    # probe 79 row 40: was 'exact: functools.partial(<function _f at 0x7ff9…>, thr=1.0)', another
    # in every process, so every resume said the rule changed
    assert rule_name(functools.partial(_f, thr=1.0)) == (
        "exact: functools.partial(<function _f>, thr=1.0)"
    )
    assert rule_name(_Rule()) == f"exact: <{__name__}._Rule object>"
    assert rule_name(TERMINATION_FNS["Hopper-v5"]) == "exact: hopper_terminated"
    assert "0x" not in rule_name(TERMINATION_FNS["Ant-v5"])
