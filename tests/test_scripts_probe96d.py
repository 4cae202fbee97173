"""Probe 96a rows 28, 76: sweep.py's and toys.py's list flags given the other script's form."""

from __future__ import annotations

import pytest

from tests.scripts import load_script


def _error(script: str, argv: list[str], capsys) -> str:
    module = load_script(script)
    with pytest.raises(SystemExit) as exit_info:
        module.main(argv) if script == "sweep" else module.build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_sweep_configs_with_a_space_after_a_comma(capsys, tmp_path):
    # probe 96a row 28: was "expected 'k:lam,...', got ''" (unquoted '2:3e-4, 5:0')
    err = _error("sweep", ["--sweep-dir", str(tmp_path), "--configs", "2:3e-4,", "5:0"], capsys)
    assert "an empty item in '2:3e-4,' (a stray comma, or a space after one?)" in err


def test_sweep_seeds_in_toys_form_names_the_comma_form(capsys, tmp_path):
    # probe 96a row 76: was argparse's "unrecognized arguments: 1 2"
    err = _error("sweep", ["--sweep-dir", str(tmp_path), "--seeds", "0", "1", "2"], capsys)
    assert "argument --seeds: takes one comma-separated list ('0,1')" in err
    assert "toys.py's form): give --seeds 0,1,2" in err
    err = _error("sweep", ["--sweep-dir", str(tmp_path), "--configs", "2:3e-4", "5:0"], capsys)
    assert "give --configs 2:3e-4,5:0" in err
    err = _error("sweep", ["--sweep-dir", str(tmp_path), "--iterations", "1", "2"], capsys)
    # not a list flag: probe 129 row 11 names the option and the stray word (was "unrecognized
    # arguments: 2")
    assert "argument --iterations: takes one value, got 1 and then the stray word 2" in err


def test_toys_seeds_in_sweep_form_names_the_space_form(capsys):
    # probe 96a row 76: was "'0,1' is not a whole number (such as 1000, 1e3 or 2.5e5)"
    err = _error("toys", ["--seeds", "0,1"], capsys)
    assert "toys.py takes the seeds space-separated, --seeds 0 1 (the comma form" in err
    assert load_script("toys").build_parser().parse_args(["--seeds", "0", "1e1"]).seeds == [0, 10]
