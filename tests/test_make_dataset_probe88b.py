"""Probe 88 row 60: ``make_dataset.py --help`` printed no default for --workers / --n-envs
(the README alone said --workers defaults to 2)."""

from __future__ import annotations

import re

import pytest

from tests.scripts import load_script


def test_make_dataset_help_prints_the_real_defaults(capsys):
    from rambo_env.data.generate import DEFAULT_N_WORKERS

    script = load_script("make_dataset")
    with pytest.raises(SystemExit):
        script.parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    # probe 88 row 60: was "--workers WORKERS collection processes in parallel (…)" alone
    assert re.search(rf"--workers WORKERS .*? \(default: {DEFAULT_N_WORKERS}\)", text), text
    assert re.search(rf"--n-envs N_ENVS .*? \(default: {script.Args.n_envs}\)", text), text
    assert "(default: True)" not in text and "(default: None)" not in text
