"""Probe 66 rows 89-90: agents.timing refuses bad keys, times, thread counts and switches."""

from __future__ import annotations

import pytest

from agents.timing import _path, estimate_lines, record_iteration_time


@pytest.mark.parametrize(
    ("key", "times", "message"),
    [
        (None, [1.0], r"^key: expected a str"),
        (5, [1.0], r"^key: expected a str"),
        ("k", 3.0, r"^iteration_s: expected a sequence of seconds, got 3\.0"),
        ("k", ["3"], r"^iteration_s: expected a sequence of seconds, holding '3'"),
    ],
)
def test_record_iteration_time_refuses_bad_arguments(key, times, message):
    # probe 66 row 89: were sorted()'s / float's raw TypeErrors
    with pytest.raises(ValueError, match=message):
        record_iteration_time(key, times)
    assert not _path().exists()


def test_estimate_lines_refuses_zero_threads_and_a_string_switch():
    # probe 66 row 90: "0 torch thread(s)" printed; compiling="no" was truthy
    with pytest.raises(ValueError, match=r"^threads: expected an int >= 1 or None, got 0"):
        estimate_lines("k", 3, threads=0)
    with pytest.raises(ValueError, match=r"^compiling: expected True or False, got str 'no'"):
        estimate_lines("k", 3, compiling="no")
    assert "2 torch thread(s)" in estimate_lines("k", 3, threads=2)[0]
