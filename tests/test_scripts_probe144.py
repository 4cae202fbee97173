"""Probe 144: row 9, ``cotrain.py --resume-if-started yes`` (and sweep.py's) was argparse's bare
"unrecognized arguments: yes" (the scripts that parse known arguments checked only switches of a
``--no-`` form)."""

from __future__ import annotations

import pytest

from tests.test_scripts_probe143 import _error


@pytest.mark.parametrize(
    ("script", "argv", "word"),
    [
        ("cotrain", ["--resume-if-started", "yes"], "yes"),
        ("cotrain", ["--run-dir", "runs/x", "--resume-if-started", "runs/x"], "runs/x"),
        ("sweep", ["--resume-if-started", "yes"], "yes"),
    ],
)
def test_a_value_after_a_switch_of_no_no_form_is_named(capsys, script, argv, word):
    line = _error(script, argv, capsys)
    flag = argv[-2]
    assert line.endswith(
        f"error: {flag} takes no value (got '{word}'): give {flag} alone, or leave it out"
    )
