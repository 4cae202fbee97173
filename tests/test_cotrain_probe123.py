"""Probe 123: scripts/cotrain.py's flag slips of a student wanting several runs (rows 1-4)."""

from __future__ import annotations

import pytest

from tests.scripts import load_script

cotrain = load_script("cotrain")


def _error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        cotrain.main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_several_seeds_to_seed_name_the_flag_and_sweep(capsys):
    line = _error(capsys, ["--seed", "0", "1", "2"])
    assert "--seed takes one seed per run (got 0 1 2)" in line
    assert "scripts/sweep.py --seeds 0,1,2" in line
    assert "unrecognized" not in line


@pytest.mark.parametrize("argv", [["--lam", "3e-4", "0"], ["--k", "2", "--lam=3e-4", "0"]])
def test_several_lambdas_point_to_sweep_configs(capsys, argv):
    line = _error(capsys, argv)
    assert "--lam takes one λ per run (got 3e-4 0)" in line
    k = "2" if "--k" in argv else "5"  # hopper-medium's preset k
    configs = line.split("--configs ")[1].split()[0]
    assert configs == f"{k}:3e-4,{k}:0"
    sweep = load_script("sweep")  # the example is sweep.py's own syntax
    assert [(c.rollout_length, c.adversary_weight) for c in sweep.parse_configs(configs)] == [
        (int(k), 3e-4),
        (int(k), 0.0),
    ]


def test_any_single_valued_flag_with_stray_values(capsys):
    assert "--dataset takes one dataset per run (got a b)" in _error(
        capsys, ["--dataset", "a", "b"]
    )
    assert "--n-rollouts takes one value per run (got 5 6)" in _error(
        capsys, ["--n-rollouts", "5", "6"]
    )


@pytest.mark.parametrize("argv", [["--seeds", "0,1,2"], ["--seeds", "3"], ["--seeds=3"]])
def test_sweep_seeds_flag_gets_did_you_mean(capsys, argv):
    line = _error(capsys, argv)
    assert "did you mean --seed? cotrain.py runs one seed" in line
    assert "scripts/sweep.py --seeds 0,1,2 runs several" in line


def test_unknown_flags(capsys):
    assert "(did you mean '--seed'?)" in _error(capsys, ["--sed", "1"])
    # an unknown option after a flag's value is not blamed on that flag
    assert _error(capsys, ["--seed", "0", "--bogus", "x"]).endswith(
        "unrecognized arguments: --bogus x"
    )


@pytest.mark.parametrize("flag", ["--lam", "--lambda"])
def test_config_error_names_the_short_flag_typed(capsys, flag):
    # probe 123 row 7: named the config field adversary_weight alone
    line = _error(capsys, [flag, "-0.0003"])
    assert f"error: {flag} (adversary_weight): expected a finite value >= 0, got -0.0003" in line
    assert _error(capsys, ["--k", "0"]).endswith("error: --k (rollout_length): expected > 0, got 0")
    # a --field-name flag spells the field: the message is the library's
    assert "error: n_rollouts: expected > 0" in _error(capsys, ["--n-rollouts", "-1"])
