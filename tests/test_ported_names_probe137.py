"""Probe 137: another codebase's name (or cotrain.py's own option) typed to a script other than
cotrain.py / sweep.py was sent to cotrain.py ("no option of this script: set it with
cotrain.py") or to a different option of its own (make_dataset.py's ``--dataset`` ->
``--dataset-id``), past the script's own equivalent; sweep.py's ``--run-dir`` had no hint."""

from __future__ import annotations

import argparse

import pytest

from rambo_env.run_io import unknown_option_hint
from tests.scripts import load_script

mle_quality = load_script("mle_quality")
make_dataset = load_script("make_dataset")
sweep = load_script("sweep")


def _last_error_line(capsys, main, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize("flag", ["--n-epochs", "--epoch", "--num-epochs"])
def test_mle_quality_names_its_own_max_epochs(capsys, flag):
    line = _last_error_line(capsys, mle_quality.main, [flag, "3"])
    assert "here it is --max-epochs: this script trains the dynamics model alone" in line
    assert "set it with cotrain.py" not in line


@pytest.mark.parametrize(
    ("argv", "start"),
    [
        (["--task", "hopper-medium-v2"], "--task is OfflineRL-Kit's D4RL task"),
        (["--dataset", "hopper-medium"], "--dataset is cotrain.py's option"),
    ],
)
def test_make_dataset_names_env_and_level(capsys, argv, start):
    line = _last_error_line(capsys, make_dataset.parse_args, argv)
    assert start in line
    assert "--env ENV --level LEVEL (hopper-medium: --env hopper --level medium" in line
    assert "did you mean '--dataset-id'" not in line
    assert "set it with cotrain.py" not in line


def test_sweep_run_dir_points_to_sweep_dir(capsys):
    line = _last_error_line(capsys, sweep.main, ["--run-dir", "x"])
    assert "--run-dir is cotrain.py's option; this script's is --sweep-dir" in line


def test_the_cotrain_fallback_stays_where_a_script_has_no_equivalent():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    hint = unknown_option_hint(parser, "--epoch")
    assert (
        "the config field n_iterations (no option of this script: set it with cotrain.py)" in hint
    )
