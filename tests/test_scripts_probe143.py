"""Probe 143 (findings 5, 6): ``cotrain.py --compile=auto`` / ``--progress=yes`` was argparse's
"ignored explicit argument 'auto'", ``--no-compile yes`` named ``--compile``; ``bench.py
--compile auto`` / ``--no-compile yes`` was "unrecognized arguments: auto"."""

from __future__ import annotations

import pytest

from tests.scripts import load_script


def _error(script, argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        load_script(script).main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "given", "word", "on", "unset"),
    [
        (["--compile=auto"], "--compile", "auto", "--compile", "auto"),
        (["--progress=yes"], "--progress", "yes", "--progress", "the preset's value"),
        (["--no-compile", "yes"], "--no-compile", "yes", "--compile", "auto"),
        (["--no-compile=1"], "--no-compile", "1", "--compile", "auto"),
    ],
)
def test_cotrain_a_value_to_a_switch_in_either_spelling(capsys, argv, given, word, on, unset):
    line = _error("cotrain", [*argv, "--seed", "1"], capsys)
    off = f"--no-{on[2:]}"
    assert f"error: {given} takes no value (got '{word}'): give {on} for on, {off} for off" in line
    assert line.endswith(f"leave {on} / {off} out for {unset}")


@pytest.mark.parametrize(
    ("argv", "given", "word"),
    [
        (["--compile", "auto"], "--compile", "auto"),
        (["--no-compile", "yes"], "--no-compile", "yes"),
        (["--compile=none"], "--compile", "none"),
    ],
)
def test_bench_a_value_to_a_switch(capsys, argv, given, word):
    line = _error("bench", argv, capsys)
    assert f"error: {given} takes no value (got '{word}'): give --compile for on" in line
    assert line.endswith("leave --compile / --no-compile out for on (the default)")


def test_a_store_true_switch_and_a_value_that_is_another_options(capsys):
    assert "error: --quick takes no value (got 'yes')" in _error("bench", ["--quick=yes"], capsys)
    # --json's value that looks like a switch with a value is a value, not refused as one
    line = _error("bench", ["--json", "--quick=yes", "--threads", "abc"], capsys)
    assert "takes no value" not in line
