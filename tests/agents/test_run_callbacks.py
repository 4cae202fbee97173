"""The run callbacks' own arguments, used as a library (probe 61 rows 20-23)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from agents.run_callbacks import EvalSchedule, RunHistory, RunMonitorCallback


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_iterations": "3"}, "EvalSchedule.n_iterations: expected an int >= 1, got '3'"),
        ({"n_iterations": math.nan}, "EvalSchedule.n_iterations: expected an int >= 1, got nan"),
        ({"n_iterations": 0}, "EvalSchedule.n_iterations: expected an int >= 1, got 0"),
        ({"n_iterations": 3, "every": 2.5}, "EvalSchedule.every: expected an int >= 1, got 2.5"),
        ({"n_iterations": 3, "last": None}, "EvalSchedule.last: expected an int >= 0, got None"),
        ({"n_iterations": 3, "last": -1}, "EvalSchedule.last: expected an int >= 0, got -1"),
        ({"n_iterations": True}, "EvalSchedule.n_iterations: expected an int >= 1, got True"),
    ],
)
def test_eval_schedule_refuses_what_is_not_a_count(kwargs, message):
    """Probe 61 rows 20, 21: '3' / None were raw TypeErrors ("'<' not supported …"); every=2.5
    (due() then true at no odd multiple) and a NaN n_iterations were accepted."""
    with pytest.raises(ValueError) as err:
        EvalSchedule(**kwargs)
    assert str(err.value) == message


def test_eval_schedule_takes_numpy_ints():
    schedule = EvalSchedule(np.int64(4), every=np.int32(2), last=np.int64(1))
    assert [i for i in range(5) if schedule.due(i)] == [0, 2, 4]
    assert type(schedule.n_iterations) is int


def _monitor(**kwargs):
    args = {
        "history": RunHistory(),
        "n_iterations": 3,
        "q_fn": lambda: 0.0,
        "evaluate_fn": None,
        "save_fn": lambda h: None,
        "schedule": EvalSchedule(3),
        "q_limit": 100.0,
    }
    return RunMonitorCallback(**{**args, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"q_limit": math.nan}, r"q_limit: expected a number > 0 .*, got nan"),
        ({"q_limit": -1.0}, r"q_limit: expected a number > 0 .*, got -1\.0"),
        ({"q_limit": "100"}, r"q_limit: expected a number > 0 .*, got '100'"),
        ({"schedule": None}, r"schedule: expected an EvalSchedule, got NoneType"),
        ({"n_iterations": 2}, r"n_iterations: 2, but the schedule is for 3 iterations"),
        ({"n_iterations": 2.5}, r"n_iterations: expected an int >= 1, got 2\.5"),
        ({"history": {}}, r"history: expected a RunHistory, got dict"),
        ({"q_warn": math.nan}, r"q_warn: expected a number or None, got nan"),
    ],
)
def test_run_monitor_refuses_odd_arguments(kwargs, message):
    """Probe 61 row 22: q_limit NaN (the divergence stop never fires), -1 (every iteration
    "diverges"), schedule=None and an n_iterations other than the schedule's were accepted."""
    with pytest.raises(ValueError, match=message):
        _monitor(**kwargs)


def test_run_monitor_takes_genuine_limits():
    assert _monitor(q_limit=math.inf).q_limit == math.inf  # cotrain's "never stop on Q"
    assert _monitor(q_limit=np.float32(5.0), q_warn=None, n_iterations=np.int64(3)).q_warn is None


def test_run_history_round_trip_and_a_foreign_state_is_named():
    """Probe 61 row 23: from_state_dict({}) was a bare KeyError 'iteration'."""
    history = RunHistory(iteration=2, q_history=[1.0, 2.0], iteration_s=[0.5, 0.5], wall_s=1.0)
    assert RunHistory.from_state_dict(history.state_dict()) == history
    with pytest.raises(
        ValueError, match=r"state: expected what RunHistory\.state_dict\(\) returns"
    ):
        RunHistory.from_state_dict({})
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['extra'\]"):
        RunHistory.from_state_dict({**history.state_dict(), "extra": 1})
