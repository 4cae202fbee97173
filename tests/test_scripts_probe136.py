"""Probe 136 R1-R2: a prefix of an option (taken before allow_abbrev=False) or an unknown
option given to any script is named with the option meant, before the other words are read."""

from __future__ import annotations

import pytest

from tests.scripts import load_script


def _error(script: str, argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        load_script(script).main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("script", "argv", "meant"),
    [
        (
            "make_dataset",
            ["--env", "hopper", "--level", "random", "--n-transition", "10"],
            "--n-transitions",
        ),
        ("toys", ["--toy", "single", "--seed", "0"], "--seeds"),
        ("bench", ["--thread", "1"], "--threads"),
        ("mle_quality", ["--variant", "256:1e-3"], "--variants"),
        ("curves", ["--ou", "x", "a=b"], "--out"),
        ("ledger", ["--ledge", "L", "runs/x"], "--ledger"),
        ("diagnose", ["--devic", "cpu", "runs/x"], "--device"),
        ("port_kit_dynamics", ["--chec", "x"], "--check"),
        ("cotrain", ["--sed", "1"], "--seed"),
        ("sweep", ["--seed", "0"], "--seeds"),
    ],
)
def test_every_script_names_the_option_a_prefix_meant(capsys, script, argv, meant):
    # R1: was argparse's bare "unrecognized arguments: --n-transition 10" (no did-you-mean) for
    # every script but cotrain.py and sweep.py
    line = _error(script, argv, capsys)
    first = next(i for i, word in enumerate(argv) if word.startswith(meant[:4]) and word != meant)
    assert f"error: unrecognized arguments: {argv[first]}" in line
    assert f"(did you mean '{meant}'?)" in line


def test_curves_names_the_unknown_option_not_its_value(capsys):
    # R2: was "argument LABEL=RUN_DIR: run: expected LABEL=RUN_DIR … got 'x'"
    line = _error("curves", ["--ou", "x", "a=b"], capsys)
    assert line.endswith("error: unrecognized arguments: --ou (did you mean '--out'?)")
    assert "'x'" not in line


def test_an_unknown_option_is_named_before_a_missing_required_one(capsys):
    # was "the following arguments are required: --level" for a typo of --level itself
    line = _error("make_dataset", ["--env", "hopper", "--leve", "random"], capsys)
    assert line.endswith("unrecognized arguments: --leve random (did you mean '--level'?)")


@pytest.mark.parametrize(
    ("argv", "instead"),
    [
        (
            ["--real-ratio", "0.5"],
            "every trial takes its --preset's value (default: 0.5, paper: 0.5)",
        ),
        (["--retain-iterations", "5"], "every trial takes its --preset's value (default: 5"),
        (["--stop-at-iteration", "1"], "every trial runs its --iterations to the end"),
        (["--ent-coef-max", "1"], "(default: none, paper: none)"),
        (["--bc-loss=mse"], "(default: nll, paper: nll)"),
        (["--no-progress"], "trials draw no progress bars"),
        (["--torch-threads", "2"], "each trial runs --cpus-per-trial torch threads"),
    ],
)
def test_sweep_names_cotrain_settings_it_has_no_flag_for(capsys, tmp_path, argv, instead):
    # R3: was "unrecognized arguments: --real-ratio 0.5 (did you mean '--eval-last'?)",
    # --bc-loss → '--bc-epochs', --ent-coef-max → '--ent-coef': unrelated sweep flags
    line = _error("sweep", ["--sweep-dir", str(tmp_path), *argv], capsys)
    flag = argv[0].partition("=")[0]
    assert f"{flag}: sweep.py has no {flag}: it is a cotrain.py setting of one run; " in line
    assert instead in line
    assert "did you mean" not in line


def test_sweep_flags_and_their_typos_are_not_taken_for_cotrain_settings(capsys, tmp_path):
    line = _error("sweep", ["--sweep-dir", str(tmp_path), "--eval-lst", "3"], capsys)
    assert line.endswith("unrecognized arguments: --eval-lst 3 (did you mean '--eval-last'?)")
