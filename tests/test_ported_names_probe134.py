"""Probe 134 rows 1-8, 11-12: other codebases' names (OfflineRL-Kit's run_rambo.py flags, the
official code's config keys, CORL's and d3rlpy's) typed to scripts/cotrain.py, scripts/sweep.py or
written in a config.json were sent by the spelling matcher to a different setting; argparse's
prefix matching took ``--env`` for ``--env-id``."""

from __future__ import annotations

import json

import pytest

from agents.cotrain import load_config
from agents.cotrain_setup import CotrainConfig, config_from_dict
from tests.scripts import load_script

cotrain = load_script("cotrain")
sweep = load_script("sweep")

#: Every script with an argparse parser (kit_side_by_side.py reads sys.argv itself).
PARSERS = {
    "cotrain": lambda m: m.build_parser(),
    "sweep": lambda m: m.build_parser(),
    "diagnose": lambda m: m.build_parser(),
    "toys": lambda m: m.build_parser(),
    "port_kit_dynamics": lambda m: m.build_parser(),
}


def _error(capsys, main, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "meant", "wrong"),
    [
        # (what was typed, what the message must name, the wrong flag it named before)
        (["--rollout-freq", "250"], "no such setting: rollouts happen once per iteration", None),
        (["--model-retain-epochs", "5"], "here it is --retain-iterations", "'--mle-max-epochs'"),
        (["--epoch", "2000"], "here it is --n-iterations / --iterations", "'--bc-epochs'"),
        (["--penalty-coef", "0.5"], "RAMBO has no uncertainty penalty", "'--ent-coef'"),
        (["--task", "hopper-medium-v2"], "here it is --dataset", "'--k'"),
        (["--dynamics-lr", "1e-3"], "here it is --mle-lr", None),
        (["--step-per-epoch", "1000"], "here it is --agent-steps-per-iteration", None),
        (["--eval_freq", "10"], "here it is --eval-every", None),
        (["--adv-weight", "3e-4"], "here it is --adversary-weight / --lam", None),
    ],
)
def test_cotrain_names_another_codebases_flag_by_the_table(capsys, argv, meant, wrong):
    line = _error(capsys, cotrain.main, argv)
    assert f"error: unrecognized arguments: {' '.join(argv)} (" in line
    assert meant in line
    assert "did you mean" not in line  # the table's word, never a spelling match
    if wrong is not None:
        assert wrong not in line


def test_a_typo_still_gets_the_spelling_match(capsys):
    assert "(did you mean '--seed'?)" in _error(capsys, cotrain.main, ["--sed", "1"])


def test_rollout_freq_does_not_point_at_rollout_length_as_its_equivalent(capsys):
    # row 1: following the old hint set k = 250; the table says k is a different thing
    line = _error(capsys, cotrain.main, ["--rollout-freq", "250"])
    assert "--agent-steps-per-iteration" in line
    assert "--rollout-length / --k is the rollout length k, a different thing" in line


def test_env_is_no_abbreviation_of_env_id(capsys):
    # row 8: argparse's prefix match took --env hopper-medium-v2 as --env-id, and the error
    # talked of registering a module
    line = _error(capsys, cotrain.main, ["--env", "hopper-medium-v2"])
    assert "unrecognized arguments: --env hopper-medium-v2" in line
    assert "here it is --dataset" in line and "--env-id" in line
    assert "MODULE" not in line


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_no_script_takes_a_prefix_of_an_option(name):
    parser = PARSERS[name](cotrain if name == "cotrain" else load_script(name))
    assert parser.allow_abbrev is False
    long_option = max(
        (o for o in parser._option_string_actions if o.startswith("--") and o != "--help"),
        key=len,
    )
    with pytest.raises(SystemExit):
        parser.parse_args([long_option[:-2], "1"])


def test_make_dataset_takes_no_prefix_either():
    make_dataset = load_script("make_dataset")
    make_dataset.parse_args(["--env", "hopper", "--level", "random"])
    with pytest.raises(SystemExit):
        make_dataset.parse_args(["--env", "hopper", "--lev", "random"])


def test_sweep_points_other_names_at_its_own_flags(capsys):
    # row 12: sweep.py had no did-you-mean at all
    line = _error(capsys, sweep.main, ["--adv-weight", "3e-4"])
    assert "here it is λ in --configs k:λ" in line
    line = _error(capsys, sweep.main, ["--task", "hopper-medium-v2"])
    assert "here it is --datasets" in line
    # a list flag's singular is its typo (and no longer taken silently by a prefix match)
    assert "(did you mean '--seeds'?)" in _error(capsys, sweep.main, ["--seed", "0"])
    assert "(did you mean '--configs'?)" in _error(capsys, sweep.main, ["--config", "5:0"])


def test_a_typographic_dash_option_gets_the_table_too(capsys):
    line = _error(capsys, cotrain.main, ["\u2013-epoch", "5"])
    assert "--n-iterations / --iterations" in line and "--bc-epochs'" not in line


def test_config_fields_of_other_codebases_are_named_by_the_table(tmp_path):
    # row 11: 6 of 8 suggestions were wrong fields (critic_lr -> critic_layer_norm, …)
    kit = {
        "adv_weight": 3e-4,
        "critic_lr": 3e-4,
        "epoch": 2000,
        "model_retain_epochs": 5,
        "n_elites": 5,
        "n_ensemble": 7,
        "rollout_freq": 250,
    }
    (tmp_path / "config.json").write_text(json.dumps({"config": kit}))
    with pytest.raises(ValueError) as info:
        load_config(tmp_path)
    said = str(info.value)
    for wrong in (
        "did you mean critic_layer_norm",
        "did you mean bc_epochs",
        "did you mean mle_max_epochs",
        "did you mean n_eval_episodes",
        "did you mean ensemble_hidden",
        "did you mean rollout_length",
    ):
        assert wrong not in said
    assert "adv_weight is OfflineRL-Kit's adversary loss weight λ; here it is adversary_weight" in (
        said
    )
    assert "model_retain_epochs is" in said and "here it is retain_iterations" in said
    assert "epoch is OfflineRL-Kit's number of training epochs; here it is n_iterations" in said
    # a typo of a field keeps its spelling match
    with pytest.raises(ValueError, match="datset: did you mean dataset"):
        config_from_dict({"datset": "hopper-medium"})


def test_the_table_names_only_real_fields_and_no_name_the_project_uses():
    from rambo_env.ported_names import OTHER_NAMES  # here: the module is new (probe 134)

    fields = {f for f in CotrainConfig.__dataclass_fields__}
    for name, entry in OTHER_NAMES.items():
        assert name not in fields, name
        assert entry.field is None or entry.field in fields, name
        assert entry.field is not None or entry.note, name  # a refusal says why
