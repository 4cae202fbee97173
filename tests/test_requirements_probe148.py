"""Probe 148: ``TORCH_LOGS=banana python scripts/cotrain.py --help`` was refused (the variable's
check runs before argparse): a script's help is printed whatever the variable holds, and the bad
value is still refused for a real run."""

from __future__ import annotations

import pytest

from tests.test_requirements_probe144 import _run


@pytest.mark.parametrize(("script", "ask"), [("cotrain", "--help"), ("curves", "-h")])
def test_help_is_printed_whatever_torch_logs_holds(script, ask):
    done = _run(f"scripts/{script}.py", "banana", ask)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: {script}.py") and "TORCH_LOGS" not in done.stderr


def test_the_bad_value_is_still_refused_for_a_run_and_after_a_double_dash():
    for args in (["--n-iterations", "1"], ["--", "--help"]):
        done = _run("scripts/cotrain.py", "banana", *args)
        assert done.returncode == 2
        assert done.stderr.startswith("error: TORCH_LOGS='banana': torch refuses it")


def test_torch_logs_help_still_lists_torchs_settings_with_help():
    done = _run("scripts/cotrain.py", "help", "--help")
    assert done.returncode == 0 and "TORCH_LOGS Info" in done.stdout
