"""Probe 144 row 6: a recorded session with a field a newer rambo_env writes (``hostname``) was
refused as a hand edit, with advice that drops the history; ``invocations[0].is 7`` had a stray
dot; an ``environment`` value that is not a string was not named (the record was cut at 60
characters before it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rambo_env import provenance
from tests.agents.test_cotrain_probe143 import GOOD


def _read(invocations):
    return provenance.recorded_invocations(
        {"invocations": invocations}, Path("sweep.json"), "sweep_dir", "sweep"
    )


def test_a_newer_field_of_a_recorded_session_is_kept():
    newer = {**GOOD, "hostname": "node7", "extra": {"nested": [1]}}
    assert _read([newer, GOOD]) == [newer, GOOD]
    assert provenance.invocation_problem(newer, session=True) is None
    # the known fields are still checked
    with pytest.raises(ValueError, match=r"invocations\[0\]\.command is 5"):
        _read([{**newer, "command": 5}])
    # a caller's script record stays strict (it is built by the caller, not read from a file)
    script = {k: GOOD[k] for k in provenance.INVOCATION_KEYS} | {"hostname": "node7"}
    assert "hostname is not a field" in provenance.invocation_problem(script)


def test_a_record_that_is_no_object_is_named_without_a_stray_dot():
    with pytest.raises(ValueError) as caught:
        _read([7])
    assert "invocations[0] is 7, not an object" in str(caught.value)


def test_the_environment_variable_that_is_not_a_string_is_named():
    environment = {f"VARIABLE_{i}": "/a/long/path/" * 3 for i in range(4)} | {
        "OMP_NUM_THREADS": None
    }
    with pytest.raises(ValueError) as caught:
        _read([{**GOOD, "environment": environment}])
    said = str(caught.value)
    assert re.search(r"invocations\[0\]\.environment\.OMP_NUM_THREADS is None, expected a", said)
