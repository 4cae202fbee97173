"""Probe 69 rows 14 and 15: RunHistory.from_state_dict copies the given state and refuses wrong
element types, naming the field."""

from __future__ import annotations

import pytest

from agents.run_callbacks import RunHistory


def _state() -> dict:
    return {
        "iteration": 2,
        "q_history": [1.0, 2.0],
        "evals": [{"iteration": 1, "return_mean": 3.0}],
        "iteration_s": [0.5, 0.25],
        "wall_s": 1.0,
    }


def test_from_state_dict_copies_the_state() -> None:
    # probe 69 row 14: was the caller's own lists: q_history [1, 2, 99], evals [{'iteration': 7}]
    state = _state()
    history = RunHistory.from_state_dict(state)
    state["q_history"].append(99.0)
    state["iteration_s"].append(9.0)
    state["evals"][0]["iteration"] = 7
    state["evals"].append({"iteration": 8})
    assert history == RunHistory.from_state_dict(_state())
    assert history.q_history == [1.0, 2.0] and history.evals == [
        {"iteration": 1, "return_mean": 3.0}
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("iteration", "2", r"^RunHistory\.iteration: expected an int >= 0, got '2' \(str\)"),
        ("iteration", -1, r"^RunHistory\.iteration: expected an int >= 0, got -1"),
        ("iteration", True, r"^RunHistory\.iteration: expected an int >= 0, got True"),
        ("q_history", "ab", r"^RunHistory\.q_history: expected a list of numbers, got a str 'ab'"),
        ("q_history", [1.0, "x"], r"^RunHistory\.q_history: expected a list of numbers, .*'x'"),
        ("iteration_s", None, r"^RunHistory\.iteration_s: expected a list of numbers, got None"),
        ("evals", [1], r"^RunHistory\.evals: expected a list of dicts, .*value 0 is 1"),
        ("wall_s", "x", r"^RunHistory\.wall_s: expected a finite number of seconds >= 0, got 'x'"),
        ("wall_s", float("nan"), r"^RunHistory\.wall_s: expected a finite number"),
    ],
)
def test_from_state_dict_refuses_wrong_types_by_field(field: str, value, message: str) -> None:
    # probe 69 row 15: {'iteration': '2', 'q_history': 'ab', 'wall_s': 'x'} was taken silently
    with pytest.raises(ValueError, match=message) as info:
        RunHistory.from_state_dict({**_state(), field: value})
    assert "fix the value (RunHistory.state_dict() gives one" in str(info.value)


def test_from_state_dict_takes_a_saved_state() -> None:
    history = RunHistory(iteration=3, q_history=[1.0, float("nan"), 2], iteration_s=[1, 2.0, 3.0])
    assert RunHistory.from_state_dict(history.state_dict()) == history
    assert RunHistory.from_state_dict(RunHistory().state_dict()) == RunHistory()
