"""Probe 99 row 42: an unknown option after a list flag of sweep.py blamed the list flag."""

from __future__ import annotations

import pytest

from tests.test_scripts_probe96d import _error


@pytest.mark.parametrize(
    ("argv", "unknown"),
    [
        (["--seeds", "0", "--bogus", "x"], "--bogus x"),
        (["--configs", "2:3e-4", "--bogus", "x", "--seeds", "0"], "--bogus x"),
        (["--seeds=0", "--out", "DIR"], "--out DIR"),
    ],
)
def test_an_unknown_option_after_a_list_flag_is_named(capsys, tmp_path, argv, unknown):
    # probe 99 row 42: was "argument --seeds: takes one comma-separated list ('0,1'), got the
    # words '0' (space-separated, toys.py's form): give --seeds 0"
    err = _error("sweep", ["--sweep-dir", str(tmp_path), *argv], capsys)
    assert err.endswith(f"error: unrecognized arguments: {unknown}")


def test_bare_words_after_a_list_value_are_still_the_toys_form(capsys, tmp_path):
    # probe 96a row 76 stays: '--seeds 0 1 2' names the comma form
    err = _error("sweep", ["--sweep-dir", str(tmp_path), "--seeds=0", "1"], capsys)
    assert "toys.py's form): give --seeds 0,1" in err
